package compute

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
)

// Real is the set of element types the reductions accept: bool, the
// integers (Datetime64 and Timedelta64 among them, as their int64 counts,
// NaT being NaN to the extremes), float32, float64 and mmarray.Float16.
type Real interface {
	~bool | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// kernelType is what the reduction loops run on: every element is widened
// to one of these (in place, without a copy, where it already is one).
type kernelType interface{ int64 | uint64 | float64 }

const (
	// chunkLen is the number of elements in a chunk, the unit of work a
	// worker takes and the unit whose partial results are combined in
	// order. It is fixed, so chunk boundaries, and with them every result,
	// do not depend on the number of workers.
	chunkLen = 1 << 16
	// stageLen is the length of a worker's buffers for blocks that cannot
	// be read in place: 4096 elements, small enough for the L1 cache.
	stageLen = 4096
)

// family is the kernel type a view's elements widen to.
type family int

const (
	signedFamily   family = iota // int8 ... int64 -> int64
	unsignedFamily               // bool, uint8 ... uint64 -> uint64
	floatFamily                  // Float16, float32, float64 -> float64
)

var float16Type = reflect.TypeFor[mmarray.Float16]()

func familyOf[T Real]() family {
	t := reflect.TypeFor[T]()
	if t == float16Type {
		return floatFamily
	}
	switch t.Kind() {
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return signedFamily
	case reflect.Float32, reflect.Float64:
		return floatFamily
	default:
		return unsignedFamily
	}
}

// widener turns the front of a block of T into kernel values: it returns
// the converted piece (the block itself where T's underlying type is K,
// else up to len(buf) elements converted into buf) and the rest of the
// block. A complex element becomes two float64s, its real and imaginary
// parts.
type widener[T element, K kernelType] func(block []T, buf []K) (piece []K, rest []T)

func widenerFor[T element, K kernelType]() widener[T, K] {
	t := reflect.TypeFor[T]()
	if t == float16Type {
		return func(b []T, buf []K) ([]K, []T) {
			src := sliceAs[mmarray.Float16](b)
			n := min(len(buf), len(src))
			for i, h := range src[:n] {
				buf[i] = K(h.Float64())
			}
			return buf[:n], b[n:]
		}
	}
	switch t.Kind() {
	case reflect.Int64, reflect.Uint64, reflect.Float64:
		if t.Kind() == reflect.TypeFor[K]().Kind() {
			// K is T's underlying type (familyOf's K for T): in place.
			return func(b []T, _ []K) ([]K, []T) { return sliceAs[K](b), nil }
		}
		switch t.Kind() {
		case reflect.Int64:
			return widenVia[T, K, int64]
		case reflect.Uint64:
			return widenVia[T, K, uint64]
		}
		return widenVia[T, K, float64]
	case reflect.Bool, reflect.Uint8:
		return widenVia[T, K, uint8]
	case reflect.Int8:
		return widenVia[T, K, int8]
	case reflect.Int16:
		return widenVia[T, K, int16]
	case reflect.Int32:
		return widenVia[T, K, int32]
	case reflect.Uint16:
		return widenVia[T, K, uint16]
	case reflect.Uint32:
		return widenVia[T, K, uint32]
	case reflect.Float32:
		return widenVia[T, K, float32]
	case reflect.Complex64, reflect.Complex128:
		return complexWidener[T, K](t.Kind())
	}
	panic("compute: unreachable element kind " + t.String())
}

// widenVia converts a block of T whose memory is that of S (a Go bool is
// the byte 0 or 1, a named integer type its underlying integer).
func widenVia[T element, K kernelType, S int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64](b []T, buf []K) ([]K, []T) {
	src := sliceAs[S](b)
	n := min(len(buf), len(src))
	for i, x := range src[:n] {
		buf[i] = K(x)
	}
	return buf[:n], b[n:]
}

// fromKernel converts a kernel value that came from an element of T back
// to T.
func fromKernel[T Real, K kernelType](x K) T {
	t := reflect.TypeFor[T]()
	if t == float16Type {
		return valueAs[T](mmarray.Float16FromFloat64(float64(x)))
	}
	switch t.Kind() {
	case reflect.Bool:
		return valueAs[T](x != 0)
	case reflect.Int8:
		return valueAs[T](int8(x))
	case reflect.Int16:
		return valueAs[T](int16(x))
	case reflect.Int32:
		return valueAs[T](int32(x))
	case reflect.Int64:
		return valueAs[T](int64(x))
	case reflect.Uint8:
		return valueAs[T](uint8(x))
	case reflect.Uint16:
		return valueAs[T](uint16(x))
	case reflect.Uint32:
		return valueAs[T](uint32(x))
	case reflect.Uint64:
		return valueAs[T](uint64(x))
	case reflect.Float32:
		return valueAs[T](float32(x))
	}
	return valueAs[T](float64(x))
}

// walkOrder says whether a reduction may read the view in storage order
// (its result does not depend on the order) or must read it in C order
// (it reports C-order indices or keeps the first of equal elements).
type walkOrder bool

const (
	anyOrder walkOrder = true
	cOrder   walkOrder = false
)

// reduceChunks splits the view into chunks of chunkLen elements, runs
// kernel over each chunk's elements on cfg.workers goroutines, and hands the
// chunks' partial results to fold in chunk order. kernel gets a partial
// result that starts as P's zero value, the flat index (in the order walked)
// of the piece's first element, and the piece. Chunks run in waves of at
// most cfg.waveLen, so that the partials held at once are bounded whatever the
// view's size. The context is checked before each chunk; the first error
// stops the workers and is returned. A panic in a worker (a view used after
// its File was closed) is raised again in the caller's goroutine.
func reduceChunks[T element, K kernelType, P any](ctx context.Context, a *mmarray.Array[T], cfg config, order walkOrder,
	kernel func(p *P, start int, piece []K), fold func(P)) error {
	v := a
	if order == anyOrder {
		v = a.StorageOrder()
	}
	return walkChunks(ctx, v, cfg, chunkLen, kernel, fold)
}

// walkChunks is reduceChunks over the view v as it is, in its C order, with
// chunks of chunkElems elements (a number that must not depend on the
// number of workers). It checks the context before anything else, for
// its callers too, so that a cancelled context is an error even for an
// empty view.
func walkChunks[T element, K kernelType, P any](ctx context.Context, v *mmarray.Array[T], cfg config, chunkElems int,
	kernel func(p *P, start int, piece []K), fold func(P)) (retErr error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	n := v.Len()
	chunks := (n + chunkElems - 1) / chunkElems
	if chunks == 0 {
		return nil
	}
	w := &chunkWalker[T, K, P]{
		view:     v,
		n:        n,
		chunkLen: chunkElems,
		kernel:   kernel,
		widen:    widenerFor[T, K](),
		progress: newMeter(cfg, int64(n)*int64(v.DType().ItemSize)),
		itemSize: int64(v.DType().ItemSize),
	}
	workers := min(cfg.workers, chunks)
	partials := int64(min(chunks, cfg.waveLen)) * (int64(sizeOf(*new(P))) + cfg.partBytes)
	w.window = budgetWindow(v, &cfg, chunks, chunkElems, partials)
	if w.window != nil {
		defer func() {
			if err := w.window.finish(); err != nil && retErr == nil {
				retErr = err
			}
		}()
	}
	bufs := make([][]T, workers)
	kbufs := make([][]K, workers)
	for i := range workers {
		bufs[i], kbufs[i] = make([]T, stageLen), make([]K, stageLen)
	}
	parts := make([]P, min(chunks, cfg.waveLen))
	for first := 0; first < chunks; first += cfg.waveLen {
		last := min(first+cfg.waveLen, chunks)
		wave := parts[:last-first]
		clear(wave)
		if err := w.run(ctx, first, wave, bufs, kbufs); err != nil {
			return err
		}
		for _, p := range wave {
			fold(p)
		}
	}
	return nil
}

// budgetWindow returns the window that keeps the walk of v in chunks of
// chunkElems elements within the memory budget, with the views read in
// step with it (cfg.alongside: a group-by's keys), or nil when their bytes
// fit in it (nothing to release: pages stay mapped for the next operation,
// as without a budget) or there is nothing to manage (a File in memory or
// opened CopyOnWrite). partials is what the wave's partial results hold.
func budgetWindow[T element](v *mmarray.Array[T], cfg *config, chunks, chunkElems int, partials int64) *chunkWindow {
	views := []walkedView{walkedOf(v, chunkElems, false, cfg)}
	for _, r := range cfg.alongside {
		_, total := r.bytesOf(0, chunks)
		_, span := r.bytesOf(0, 1)
		views = append(views, walkedView{r, total, span})
	}
	return windowFor(cfg, chunks, partials, views...)
}

// walkedView is one view walked chunk by chunk, for the memory budget: its
// residency (nil where there is nothing to manage), the bytes it spans and
// those its first chunk spans.
type walkedView struct {
	residency   *residency
	total, span int64
}

func walkedOf[T mmarray.Element](v *mmarray.Array[T], chunkElems int, output bool, cfg *config) walkedView {
	_, total := v.ByteRange(0, v.Len())
	_, span := v.ByteRange(0, min(chunkElems, v.Len()))
	return walkedView{newResidency(v, chunkElems, output, cfg.stream), total, span}
}

// windowFor returns the window that keeps a walk of chunks over views,
// read or written in step, within the memory budget, or nil when their
// bytes fit in it. partials is what the walk's partial results hold; the
// rest of the budget goes to the chunks' pages, each chunk counted as the
// first chunk's span of every view, rounded out to whole pages.
func windowFor(cfg *config, chunks int, partials int64, views ...walkedView) *chunkWindow {
	page := int64(pagecache.PageSize())
	var total, span int64
	for _, v := range views {
		total += v.total
		span += (v.span+page-1)/page*page + page
	}
	room := cfg.resolveMemory(total) - partials
	if total <= room {
		return nil
	}
	// Releases are batched (releaseStepFor): each madvise flushes the TLBs
	// of every CPU the workers run on, and one per chunk, cutting through
	// huge page mappings, made a budgeted sum of a warm file half as fast
	// as an unbudgeted one. The bytes a batch holds back come out of the
	// window's room.
	step := releaseStepFor(room)
	var slack int64
	files := make([]*residency, len(views))
	for i, v := range views {
		if r := v.residency; r != nil {
			r.releaseStep, r.releaseAlign = step, hugePage
			slack += releaseSlack(step, hugePage)
			files[i] = r
		}
	}
	limit := int(min(int64(chunks), max(1, (room-slack)/span)))
	return newChunkWindow(chunks, limit, files...)
}

// waveLen is the number of chunks whose partial results are held at once:
// 1024 chunks, 64 Mi elements, so that waiting for a wave's last chunk is
// rare and short.
const waveLen = 1024

// chunkWalker runs a kernel over the chunks of one view.
type chunkWalker[T element, K kernelType, P any] struct {
	view     *mmarray.Array[T]
	n        int
	chunkLen int // elements per chunk
	kernel   func(p *P, start int, piece []K)
	widen    widener[T, K]
	progress *meter
	itemSize int64
	window   *chunkWindow // nil when the view fits in the memory budget
}

// run computes wave[i], the partial of chunk first+i, for every i, on
// len(bufs) goroutines, each with its own buffers.
func (w *chunkWalker[T, K, P]) run(ctx context.Context, first int, wave []P, bufs [][]T, kbufs [][]K) error {
	return runChunks(ctx, len(bufs), first, first+len(wave), w.window, func(g, c int) error {
		w.chunk(c, &wave[c-first], bufs[g], kbufs[g])
		return nil
	})
}

// runChunks runs work on chunks first to last-1 on up to workers
// goroutines, with the index of the goroutine running it (0 to workers-1,
// for buffers of its own). Chunks are taken in increasing order by the
// workers as they come free, as window (nil when all fits in the memory
// budget) needs: each chunk enters it before its work and leaves it after.
// The context is checked before each chunk and stops the workers; its
// error, or the first error of work or of the window, is returned. A panic
// in a worker (a view used after its File was closed, a kernel's own) is
// raised again in the caller's goroutine.
func runChunks(ctx context.Context, workers, first, last int, window *chunkWindow, work func(g, c int) error) error {
	var (
		next     atomic.Int64
		stop     atomic.Bool
		mu       sync.Mutex // guards firstErr and panicked
		firstErr error
		panicked any
		wg       sync.WaitGroup
	)
	next.Store(int64(first))
	fail := func(err error, p any) {
		mu.Lock()
		if firstErr == nil && panicked == nil {
			firstErr, panicked = err, p
		}
		mu.Unlock()
		stop.Store(true)
		if window != nil {
			window.stop()
		}
	}
	for g := range min(workers, last-first) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					fail(nil, p)
				}
			}()
			for !stop.Load() {
				c := int(next.Add(1) - 1)
				if c >= last {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err, nil)
					return
				}
				if window != nil && !window.enter(c) {
					return
				}
				if err := work(g, c); err != nil {
					fail(err, nil)
					return
				}
				if window != nil {
					if err := window.leave(c); err != nil {
						fail(err, nil)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
	return firstErr
}

// meter reports progress (WithProgress): bytes done and the total, one
// call at a time; without a progress function it does nothing.
type meter struct {
	fn    func(done, total int64)
	total int64
	mu    sync.Mutex
	done  int64
}

func newMeter(cfg config, total int64) *meter { return &meter{fn: cfg.progress, total: total} }

func (m *meter) add(n int64) {
	if m.fn == nil {
		return
	}
	m.mu.Lock()
	m.done += n
	m.fn(m.done, m.total)
	m.mu.Unlock()
}

// chunk runs the kernel over chunk c into p.
func (w *chunkWalker[T, K, P]) chunk(c int, p *P, buf []T, kbuf []K) {
	lo, hi := c*w.chunkLen, min((c+1)*w.chunkLen, w.n)
	for start, block := range w.view.BlocksRange(lo, hi, buf) {
		for len(block) > 0 {
			piece, rest := w.widen(block, kbuf)
			w.kernel(p, start, piece)
			start += len(block) - len(rest) // elements, not kernel values: a complex one is two
			block = rest
		}
	}
	w.progress.add(int64(hi-lo) * w.itemSize)
}
