package compute

import (
	"runtime"

	"github.com/go-memmap/memmap/internal/memlimit"
	"github.com/go-memmap/memmap/internal/misuse"
)

// Option configures one compute operation. Every operation of this package
// takes the same options.
type Option func(*config)

type config struct {
	workers  int
	progress func(done, total int64)
	waveLen  int   // chunks per wave; waveLen unless a test of the waves sets it
	memory   int64 // the memory budget in bytes; 0 until WithMemory or resolveMemory sets it
	stream   bool  // drop the input from the page cache behind the walk
	// freshOutput marks a transform's destination as a file the operation
	// made and nobody else maps: its data may be written past the page
	// cache (transform_direct.go).
	freshOutput bool
	// partBytes is the memory a chunk's partial result holds beyond its
	// own size (the row accumulators of an axis reduction), which
	// walkChunks takes out of the budget for each partial of a wave.
	partBytes int64
	group     groupConfig // a group-by's settings (groupby_spill.go)
	// alongside are the residencies of views a walk reads in step with
	// the one it walks, in the same chunks (a group-by's keys beside its
	// values): their pages count in the budget and are read ahead and
	// released with the walked view's.
	alongside []*residency
	// rowChunk is the bytes of rows a chunk of a row walk (Filter,
	// Concatenate) holds; 0 means rowChunkBytes. Tests set it small to
	// have many chunks over small files.
	rowChunk int
}

// WithWorkers sets the number of goroutines an operation runs on. Zero
// means the default, runtime.GOMAXPROCS(0); a negative n panics with a
// *memmap.Misuse. The number of workers never changes a result: chunk
// boundaries and the order partial results are combined in do not depend
// on it.
func WithWorkers(n int) Option {
	if n < 0 {
		misuse.Panicf("compute: WithWorkers(%d): negative worker count", n)
	}
	return func(c *config) { c.workers = n }
}

// WithProgress has the operation call fn after each chunk with the bytes of
// the view done so far and the view's total bytes. Calls come from the
// worker goroutines one at a time, with done increasing; fn should return
// quickly, since the workers wait for it.
func WithProgress(fn func(done, total int64)) Option {
	return func(c *config) { c.progress = fn }
}

// WithMemory bounds the memory an operation keeps resident for the view it
// reads (the mapped pages of the chunks in flight and read ahead) and for
// its partial results, in bytes. Zero means the default: a quarter of the
// memory the process can still take (the least of the system's available
// memory and the room under its memory cgroup limits, inactive page cache
// counted as room), at least 64 MiB; 1 GiB where that cannot be read
// (outside Linux). A negative value panics with a *memmap.Misuse. The
// budget never changes a result. See the package documentation
// (Execution) for what it bounds and what it does not.
func WithMemory(bytes int64) Option {
	if bytes < 0 {
		misuse.Panicf("compute: WithMemory(%d): negative memory budget", bytes)
	}
	return func(c *config) { c.memory = bytes }
}

// WithStream marks the operation as a single pass over data that will not
// be read again soon: the pages it has passed are also evicted from the
// page cache (File.DropCache), so that a scan of a file larger than memory
// does not push other programs' data out of it. It applies to views of
// files larger than the memory budget, the ones whose pages the operation
// releases.
func WithStream() Option {
	return func(c *config) { c.stream = true }
}

// Aggregates is a set of the aggregates a group-by computes, one bit per
// field of Group: GroupCount, GroupSum, GroupMean, GroupMin, GroupMax.
type Aggregates uint8

const (
	GroupCount Aggregates = 1 << iota // Group.Count
	GroupSum                          // Group.Sum
	GroupMean                         // Group.Mean
	GroupMin                          // Group.Min
	GroupMax                          // Group.Max
	// GroupAll is every aggregate, what a group-by computes by default.
	GroupAll = GroupCount | GroupSum | GroupMean | GroupMin | GroupMax
)

// WithAggregates has a group-by (GroupBy, GroupByString, GroupByTime,
// GroupByChunks) compute only the aggregates in a, as pandas'
// groupby(k)[v].sum() computes only sums: the Group fields not in a are
// zero, and Groups.WriteNPY writes only the key and the fields in a. The
// groups themselves are the same (a group whose values are all NaN is
// still one), and the fields in a are bit for bit those GroupAll gives.
// Without GroupMin and GroupMax, small integer keys are aggregated by a
// leaner kernel (count and sum only). Zero means the default, GroupAll; a
// value with bits beyond GroupAll panics with a *memmap.Misuse. The other
// operations ignore it.
func WithAggregates(a Aggregates) Option {
	if a&^GroupAll != 0 {
		misuse.Panicf("compute: WithAggregates(%#x): bits beyond GroupAll (%#x)", uint8(a), uint8(GroupAll))
	}
	return func(c *config) { c.group.aggregates = a }
}

// orAll is a, or GroupAll for the zero set: the fields of a Groups the
// caller made rather than a group-by (a group-by's config holds GroupAll
// for the default).
func (a Aggregates) orAll() Aggregates {
	if a == 0 {
		return GroupAll
	}
	return a
}

// extremes reports whether a asks for Min or Max.
func (a Aggregates) extremes() bool { return a&(GroupMin|GroupMax) != 0 }

const (
	// memoryFraction: the default budget is a quarter of the memory the
	// process can still take, leaving the rest to the caller's own data,
	// other operations running at once and the page cache the kernel
	// reads ahead into.
	memoryFraction = 4
	// minMemory is the least default budget: below it the chunks in
	// flight for a few workers and their read-ahead would not fit.
	minMemory = 64 << 20
	// unknownMemory is the default budget where the available memory
	// cannot be read.
	unknownMemory = 1 << 30
)

// resolveMemory returns the budget, choosing the default on first use
// for an operation over viewBytes bytes: a view no larger than minMemory
// fits whatever the default is, so the available memory is read only for
// larger ones.
func (c *config) resolveMemory(viewBytes int64) int64 {
	if c.memory > 0 {
		return c.memory
	}
	c.memory = minMemory
	if viewBytes > minMemory {
		avail, err := memlimit.Available()
		switch {
		case err != nil:
			c.memory = unknownMemory
		default:
			c.memory = max(minMemory, avail/memoryFraction)
		}
	}
	return c.memory
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	c.waveLen = waveLen
	if c.group.aggregates == 0 {
		c.group.aggregates = GroupAll
	}
	if c.workers == 0 {
		c.workers = runtime.GOMAXPROCS(0)
	}
	return c
}
