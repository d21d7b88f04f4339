package compute

import (
	"runtime"

	"github.com/go-memmap/memmap/internal/misuse"
)

// Option configures one compute operation. Every operation of this package
// takes the same options.
type Option func(*config)

type config struct {
	workers  int
	progress func(done, total int64)
	waveLen  int // chunks per wave; waveLen unless a test of the waves sets it
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

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	c.waveLen = waveLen
	if c.workers == 0 {
		c.workers = runtime.GOMAXPROCS(0)
	}
	return c
}
