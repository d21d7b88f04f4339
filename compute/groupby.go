package compute

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// GroupKey is the set of key types GroupBy accepts: bool and the integers.
// Datetime64 keys go to GroupByTime, S and U keys to GroupByString.
type GroupKey interface {
	bool | int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64
}

// Group is the aggregate of the values whose key is Key. NaN values are
// left out of every aggregate, as pandas' groupby does by default: Count is
// pandas' count (values that are not NaN), and a group whose values are all
// NaN has Count 0, Sum 0, and Mean, Min and Max NaN. The fields a
// group-by was not asked for (WithAggregates) are zero.
type Group[Key mmarray.Element, V Real] struct {
	Key      Key
	Count    int64   // values that are not NaN
	Sum      float64 // their sum in float64 (integers are converted, so large ones round)
	Mean     float64 // Sum / Count
	Min, Max V       // their extremes, in the values' type
}

// Groups is the result of a group-by: one Group per distinct key, sorted by
// key as pandas' groupby(sort=True) and np.unique sort them.
type Groups[Key mmarray.Element, V Real] struct {
	Groups []Group[Key, V]
	// Dropped is the number of rows left out because their key is missing:
	// NaT datetimes, which pandas' groupby drops by default (dropna=True).
	Dropped int64

	keyDType, valueDType npyheader.DType // for WriteNPY
	aggregates           Aggregates      // the fields computed; 0 in a Groups the caller made (all)
}

// GroupBy aggregates values by keys, as pandas'
// DataFrame({"k": keys, "v": values}).groupby("k")["v"].agg(["count", "sum",
// "mean", "min", "max"]): in one pass over both views, with count, sum,
// mean, min and max per distinct key (only those WithAggregates asks for,
// if it is given). keys and values are 1-D views of the same length (any
// strides and byte order; a field of a structured file through
// mmarray.Field); anything else panics with a *memmap.Misuse.
//
// Each chunk of rows is aggregated into a hash table of its own, and the
// chunks' tables are merged in chunk order, so the result is the same, bit
// for bit, whatever the number of workers. The merged table is bounded by
// the memory budget; beyond it, groups are spilled to temporary files and
// merged partition by partition, with the same result (see the package
// doc, "Group-by").
func GroupBy[Key GroupKey, V Real](ctx context.Context, keys *mmarray.Array[Key], values *mmarray.Array[V], opts ...Option) (*Groups[Key, V], error) {
	checkColumns("GroupBy", keys.Shape(), values.Shape())
	spec := newGroupSpec(keys, 1)
	var decode func(w []uint64) Key
	switch familyOf[Key]() {
	case signedFamily:
		// The sign bit is flipped so that words sort as the keys; decoding
		// flips it back and keeps the low bits of the key's own size.
		spec.newLoader = func() keyLoader { return newIntKeys[Key, int64](keys, 1<<63) }
		decode = func(w []uint64) Key { return fromKernel[Key](int64(w[0] ^ 1<<63)) }
	default:
		spec.newLoader = func() keyLoader { return newIntKeys[Key, uint64](keys, 0) }
		decode = func(w []uint64) Key { return fromKernel[Key](w[0]) }
	}
	return groupByValues(ctx, values, spec, decode, keys.DType(), opts)
}

// GroupByString is GroupBy for keys of an S<n> or U<n> view (as a string,
// or as a []byte for S<n>): the `country` column of a structured file. Rows
// are grouped by their items' bytes, read in place, and each group's key is
// decoded once, with mmarray's rules (trailing NULs stripped, U<n> decoded
// to UTF-8). Groups are sorted as np.unique sorts the keys: S by bytes, U by
// code points. Keys of another dtype return an error wrapping
// memmap.ErrUnsupported.
func GroupByString[Key string | []byte, V Real](ctx context.Context, keys *mmarray.Array[Key], values *mmarray.Array[V], opts ...Option) (*Groups[Key, V], error) {
	checkColumns("GroupByString", keys.Shape(), values.Shape())
	dt := keys.DType()
	if dt.Kind != npyheader.Bytes && dt.Kind != npyheader.Unicode {
		return nil, fmt.Errorf("group by keys of dtype %s: only S and U keys are grouped as strings: %w", dt, memmap.ErrUnsupported)
	}
	unicode := dt.Kind == npyheader.Unicode
	spec := newGroupSpec(keys, max(1, (dt.ItemSize+7)/8))
	spec.newLoader = func() keyLoader {
		return &stringKeys[Key]{view: keys, words: spec.words, unicode: unicode, bigEndian: dt.Order == '>'}
	}
	// An S item is its bytes, big-endian in the words; a U item its code
	// points, two to a word.
	decode := func(w []uint64) Key {
		// A new buffer each time: a []byte key keeps it.
		buf := make([]byte, 0, 8*len(w))
		if unicode {
			cps := make([]rune, 0, 2*len(w))
			for _, x := range w {
				cps = append(cps, rune(uint32(x>>32)), rune(uint32(x)))
			}
			for len(cps) > 0 && cps[len(cps)-1] == 0 {
				cps = cps[:len(cps)-1]
			}
			for _, r := range cps {
				buf = utf8.AppendRune(buf, r)
			}
		} else {
			for _, x := range w {
				buf = binary.BigEndian.AppendUint64(buf, x)
			}
			buf = buf[:dt.ItemSize]
			for len(buf) > 0 && buf[len(buf)-1] == 0 {
				buf = buf[:len(buf)-1]
			}
		}
		return Key(buf)
	}
	return groupByValues(ctx, values, spec, decode, dt, opts)
}

// checkColumns panics unless keys and values are 1-D views of one length.
func checkColumns(op string, keys, values []int) {
	if len(keys) != 1 || len(values) != 1 || keys[0] != values[0] {
		misuse.Panicf("compute: %s: keys of shape %v and values of shape %v: they must be 1-D views of the same length", op, keys, values)
	}
}

// groupSpec says how a group-by reads its keys.
type groupSpec struct {
	words     int              // uint64 words per packed key
	dropZero  bool             // a key of zero words is missing (NaT) and its row dropped
	newLoader func() keyLoader // one per chunk in flight
	keyBytes  int64            // the bytes the keys view spans
	// residency manages the keys' pages beside the values' (nil when
	// there is nothing to manage).
	residency func(stream bool) *residency
}

func newGroupSpec[Key mmarray.Element](keys *mmarray.Array[Key], words int) groupSpec {
	_, n := keys.ByteRange(0, keys.Len())
	return groupSpec{words: words, keyBytes: n, residency: func(stream bool) *residency {
		return newResidency(keys, chunkLen, false, stream)
	}}
}

// keyLoader packs the keys of a range of rows into words.
type keyLoader interface {
	// load writes the packed keys of the rows from start on into dst,
	// words words each, as many rows as dst holds, and returns the least
	// and greatest of one-word keys (for longer keys, 0 and MaxUint64).
	load(start int, dst []uint64) (lo, hi uint64)
}

// unpackedLoader is a keyLoader of one-word keys, none missing, that also
// gives them before the flip (intKeys): the window needs no packed keys.
type unpackedLoader interface {
	keyLoader
	// words returns the words of the n rows from start on before the
	// flip, valid until the next call.
	words(start, n int) []uint64
	// flipOf is what packing XORs into each word.
	flipOf() uint64
}

// groupByValues runs the group-by of values by the keys spec reads and
// decodes each group's key with decode.
func groupByValues[Key mmarray.Element, V Real](ctx context.Context, values *mmarray.Array[V], spec groupSpec,
	decode func([]uint64) Key, keyDType npyheader.DType, opts []Option) (*Groups[Key, V], error) {
	switch familyOf[V]() {
	case signedFamily:
		return groupByKernel[Key, V, int64](ctx, values, spec, decode, keyDType, opts)
	case unsignedFamily:
		return groupByKernel[Key, V, uint64](ctx, values, spec, decode, keyDType, opts)
	}
	return groupByKernel[Key, V, float64](ctx, values, spec, decode, keyDType, opts)
}

func groupByKernel[Key mmarray.Element, V Real, K kernelType](ctx context.Context, values *mmarray.Array[V], spec groupSpec,
	decode func([]uint64) Key, keyDType npyheader.DType, opts []Option) (*Groups[Key, V], error) {
	cfg := newConfig(opts)
	res, dropped, err := aggregateGroups[V, K](ctx, values, spec, cfg)
	if err != nil {
		return nil, err
	}
	return groupsOf[Key, V](res, dropped, spec.words, decode, keyDType, values.DType(), cfg.group.aggregates), nil
}

// groupsOf makes the Groups of an aggregation's result, each key decoded,
// with the aggregates aggs.
func groupsOf[Key mmarray.Element, V Real, K kernelType](res groupResult[K], dropped int64, words int, decode func([]uint64) Key,
	keyDType, valueDType npyheader.DType, aggs Aggregates) *Groups[Key, V] {
	g := &Groups[Key, V]{
		Groups:     make([]Group[Key, V], len(res.accs)),
		Dropped:    dropped,
		keyDType:   keyDType,
		valueDType: valueDType,
		aggregates: aggs,
	}
	for i, e := range res.order {
		g.Groups[i] = finishGroup[Key, V](decode(res.keys[e*words:(e+1)*words]), res.accs[e], g.aggregates)
	}
	return g
}

// groupResult is every group's packed key and aggregate, and their order
// by key.
type groupResult[K kernelType] struct {
	keys  []uint64
	accs  []groupAcc[K]
	order []int
}

// groupChunk is what a chunk in flight holds: its table, its key loader
// and the packed keys of the rows it aggregates next.
type groupChunk[K kernelType] struct {
	table  *chunkTable[K]
	loader keyLoader
	packed []uint64
}

// groupWaveLen is how many chunks' tables a group-by holds at once per
// worker, at least: each is bounded by chunkLen entries, and merging waits
// for a wave's last chunk.
const groupWaveLen = 2

// maxGroupWaveLen is the most chunks per worker a group-by's waves hold
// where the budget has room for their tables (groupWaveFor). Every wave
// ends with the workers waiting for its slowest chunk: waves of 2 chunks
// per worker left a sum by small keys over 4 GiB idle a fifth of its time
// (736-815 ms against 574-635 ms with 16).
const maxGroupWaveLen = 16

// groupWaveFor returns a group-by walk's chunks per wave: as many per
// worker as a quarter of the walk's budget holds tables of partBytes,
// from groupWaveLen to maxGroupWaveLen.
func groupWaveFor(walkBudget, partBytes int64, workers int) int {
	perWorker := walkBudget / 4 / max(1, partBytes) / int64(workers)
	return int(min(max(perWorker, groupWaveLen), maxGroupWaveLen)) * workers
}

// chunkTableBytes bounds the memory of a chunk in flight: a table of up to
// chunkLen groups (keys and aggregates with their append slack, at most four
// slots each), the packed keys of a block and the window (an aggregate, a
// seen flag and a used offset per key).
func chunkTableBytes(words int) int64 {
	return chunkLen*(2*(8*int64(words)+32)+4*4) + stageLen*8*int64(words) + denseSpan*(32+1+2*4)
}

// aggregateGroups runs the chunks of values through chunk tables merged in
// chunk order into one table (or spilled), and returns the groups and the
// number of rows dropped for a missing key.
func aggregateGroups[V Real, K kernelType](ctx context.Context, values *mmarray.Array[V], spec groupSpec, cfg config) (groupResult[K], int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Half the budget is the merged table's, half the walk's: the pages of
	// both columns' chunks in flight, and the chunk tables.
	_, valueBytes := values.ByteRange(0, values.Len())
	budget := cfg.resolveMemory(valueBytes + spec.keyBytes)
	cfg.memory = budget - budget/2
	if r := spec.residency(cfg.stream); r != nil {
		cfg.alongside = []*residency{r}
	}
	cfg.partBytes = chunkTableBytes(spec.words)
	cfg.waveLen = groupWaveFor(cfg.memory, cfg.partBytes, cfg.workers)
	agg := newGroupAggregator[K](spec.words, budget/2, cfg.group.spillDir)
	defer agg.close()
	extremes := cfg.group.aggregates.extremes()
	var spare groupChunks[K]
	folds := chunkFolds[K]{spare: &spare, agg: agg, cancel: cancel, pending: map[int]*groupChunk[K]{}}
	n := values.Len()
	kernel := func(p **groupChunk[K], start int, piece []K) {
		if *p == nil {
			*p = spare.get(func() *groupChunk[K] { return newGroupChunk[K](spec.words, spec.newLoader(), extremes) })
		}
		(*p).add(start, piece, spec)
		if end := start + len(piece); end%chunkLen == 0 || end == n {
			// The chunk's last rows: it is folded by its worker, not
			// by the walk between waves while the workers wait.
			folds.done((end-1)/chunkLen, *p)
			*p = nil
		}
	}
	// Every chunk the walk completes is folded by its kernel.
	err := walkChunks(ctx, values, cfg, chunkLen, kernel, func(*groupChunk[K]) {})
	return finishGroups(agg, folds.dropped, err)
}

// chunkFolds folds a walk's chunks in chunk order as their workers finish
// them: a chunk finished early waits in pending, and the worker that
// finishes the next chunk to fold folds it and those after it that are
// waiting, while the other workers go on with their chunks (one folds at a
// time, and none waits for another's fold).
type chunkFolds[K kernelType] struct {
	spare  *groupChunks[K]
	agg    *groupAggregator[K]
	cancel func()

	mu      sync.Mutex // guards the fields below
	next    int        // the chunk to fold next
	pending map[int]*groupChunk[K]
	folding bool  // a worker is folding
	dropped int64 // rows the folded chunks dropped for a missing key
}

// done hands over chunk c, aggregated, to be folded in its turn.
func (f *chunkFolds[K]) done(c int, chunk *groupChunk[K]) {
	f.mu.Lock()
	f.pending[c] = chunk
	if f.folding {
		f.mu.Unlock()
		return
	}
	f.folding = true
	for {
		chunk, ok := f.pending[f.next]
		if !ok {
			break
		}
		delete(f.pending, f.next)
		f.next++
		f.mu.Unlock()
		dropped := f.spare.fold(chunk, f.agg, f.cancel)
		f.mu.Lock()
		f.dropped += dropped
	}
	f.folding = false
	f.mu.Unlock()
}

// groupChunks keeps the chunk tables of a group-by's chunks once they are
// folded, for later chunks: a table per chunk would be garbage at the rate
// of the walk.
type groupChunks[K kernelType] struct {
	mu   sync.Mutex // guards free
	free []*groupChunk[K]
}

// get returns a spare table, or a new one from newChunk.
func (g *groupChunks[K]) get(newChunk func() *groupChunk[K]) *groupChunk[K] {
	g.mu.Lock()
	var c *groupChunk[K]
	if n := len(g.free); n > 0 {
		c, g.free = g.free[n-1], g.free[:n-1]
	}
	g.mu.Unlock()
	if c == nil {
		c = newChunk()
	}
	return c
}

// fold folds chunk c's table (nil for a chunk never begun) into agg, keeps
// it for reuse, and returns the rows it dropped for a missing key.
func (g *groupChunks[K]) fold(c *groupChunk[K], agg *groupAggregator[K], cancel func()) int64 {
	if c == nil {
		return 0
	}
	dropped := c.fold(agg, cancel)
	g.mu.Lock()
	g.free = append(g.free, c)
	g.mu.Unlock()
	return dropped
}

// newGroupChunk returns a chunk in flight whose table keeps the groups'
// extremes, or only their counts and sums where its window can (see
// chunkTable.sumsOnly).
func newGroupChunk[K kernelType](words int, loader keyLoader, extremes bool) *groupChunk[K] {
	c := &groupChunk[K]{table: newChunkTable[K](words), loader: loader, packed: make([]uint64, stageLen*words)}
	c.table.sumsOnly = !extremes
	return c
}

// add aggregates the values in piece, of the rows from start on, by the
// keys c's loader reads for the same rows.
func (c *groupChunk[K]) add(start int, piece []K, spec groupSpec) {
	unpacked, _ := c.loader.(unpackedLoader)
	for len(piece) > 0 {
		n := min(len(piece), stageLen)
		if unpacked != nil {
			c.table.addUnpacked(unpacked.words(start, n), unpacked.flipOf(), piece[:n], c.packed)
		} else {
			keys := c.packed[:n*spec.words]
			lo, hi := c.loader.load(start, keys)
			c.table.add(keys, lo, hi, piece[:n], spec.dropZero)
		}
		piece, start = piece[n:], start+n
	}
}

// fold merges c's table into agg (cancelling the walk if that fails: the
// error stays in agg) and empties it for another chunk; it returns the
// rows the chunk dropped for a missing key.
func (c *groupChunk[K]) fold(agg *groupAggregator[K], cancel func()) int64 {
	dropped := c.table.dropped
	c.table.settle()
	if err := agg.fold(c.table); err != nil {
		cancel()
	}
	c.table.reset()
	return dropped
}

// finishGroups returns the groups agg holds after a walk that ended with
// err, agg's own error first.
func finishGroups[K kernelType](agg *groupAggregator[K], dropped int64, err error) (groupResult[K], int64, error) {
	if agg.err != nil {
		return groupResult[K]{}, 0, agg.err
	}
	if err != nil {
		return groupResult[K]{}, 0, err
	}
	res, err := agg.result()
	return res, dropped, err
}
