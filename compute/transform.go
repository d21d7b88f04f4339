package compute

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
)

// Transform stores kernel's results over the views srcs in dst: for every
// block of positions, kernel gets dst's elements there (to overwrite) and
// each source's elements at the same positions, in C order, and must set
// every dst[i] from the sources' elements i and whatever scalars it
// captured, as NumPy's out= does for an elementwise expression:
//
//	compute.Transform(ctx, out, []*mmarray.Array[float64]{a},
//		func(dst []float64, src ...[]float64) {
//			for i, x := range src[0] { dst[i] = x*2 + 1 }
//		})
//
// The views may have any layout and byte order. Where a view is native,
// aligned and C-contiguous, its block is the mapped memory itself (the
// kernel writes straight into dst's file); elsewhere blocks are staged
// through buffers of each worker, and dst's written back with SetRange.
// Blocks are at most 4096 elements and never span two chunks; kernel runs
// on several goroutines at once, on different blocks, and must not keep a
// block after it returns. dst may be one of the sources itself (a = a*2+1
// on a ReadWrite file), but must not overlap one otherwise.
//
// Transform returns the context's error if it is cancelled (what was
// written stays written) and does not flush dst: call its File's Flush
// when the result must be durable. There must be at least one source, all
// of dst's shape, and dst must be writable (not ReadOnly); anything else
// is misuse and panics with a *memmap.Misuse, as Set on a read-only view
// does. WithProgress counts dst's bytes written.
func Transform[T, U Real](ctx context.Context, dst *mmarray.Array[U], srcs []*mmarray.Array[T],
	kernel func(dst []U, src ...[]T), opts ...Option) error {
	checkTransform("Transform", dst, srcs)
	if kernel == nil {
		misuse.Panicf("compute: Transform: nil kernel")
	}
	// in is the worker's own slice of blocks: passed on as the variadic
	// argument, it costs no allocation per call.
	return runTransform(ctx, dst, srcs, newConfig(opts), func(_ int, out []U, in [][]T) { kernel(out, in...) })
}

// TransformToFile is Transform into a new C-order .npy file at path, made by
// mmarray.Create with dtype descr (whose Go type must be U, in either byte
// order) and the sources' shape. Where the sources and the file together
// exceed the memory budget, a native file's data is written past the page
// cache (see the package documentation, Transforms). The file is flushed and closed before
// TransformToFile returns; if anything fails, it is removed, so that no
// partial result is left under path. Errors wrap Create's and View's (a
// descr that is not U's: mmarray.ErrDTypeMismatch), Flush's, or are the
// context's; misuse panics as in Transform.
func TransformToFile[T, U Real](ctx context.Context, path, descr string, srcs []*mmarray.Array[T],
	kernel func(dst []U, src ...[]T), opts ...Option) error {
	if len(srcs) == 0 {
		misuse.Panicf("compute: TransformToFile: no source views")
	}
	files := make([]*mmarray.File, len(srcs))
	for i, s := range srcs {
		files[i] = s.File()
	}
	// The new file's data may be written past the page cache.
	opts = append(opts[:len(opts):len(opts)], func(c *config) { c.freshOutput = true })
	return toNewFile("transform", path, descr, srcs[0].Shape(), files, func(dst *mmarray.Array[U]) error {
		return Transform(ctx, dst, srcs, kernel, opts...)
	})
}

// checkTransform panics unless there are sources, all of dst's shape, and
// dst is writable.
func checkTransform[T, U Real](op string, dst *mmarray.Array[U], srcs []*mmarray.Array[T]) {
	if len(srcs) == 0 {
		misuse.Panicf("compute: %s: no source views", op)
	}
	shape := dst.Shape()
	for i, s := range srcs {
		if !slices.Equal(s.Shape(), shape) {
			misuse.Panicf("compute: %s: source %d has shape %v, the destination %v", op, i, s.Shape(), shape)
		}
	}
	if !dst.Writable() {
		misuse.Panicf("compute: %s: the destination is read-only: %s is open in mode r", op, dst.File().Path())
	}
}

// runTransform is Transform with a kernel that also gets the index of the
// worker running it, so that it can use buffers of its own, and the
// sources' blocks as a slice. The elements are taken chunkLen at a time in
// dst's C order, in blocks of at most stageLen.
func runTransform[T, U Real](ctx context.Context, dst *mmarray.Array[U], srcs []*mmarray.Array[T], cfg config,
	kernel func(w int, dst []U, src [][]T)) error {
	n := dst.Len()
	out := newOutput(dst)
	ins := make([]input[T], len(srcs))
	for i, s := range srcs {
		ins[i] = newInput(s)
	}
	walked := []walkedView{walkedOf(dst, chunkLen, true, &cfg)}
	for _, s := range srcs {
		walked = append(walked, walkedOf(s, chunkLen, false, &cfg))
	}
	window := transformWindow(&cfg, n, chunkLen, walked...)
	if cfg.freshOutput && window != nil {
		w, err := openDirectOutput(dst)
		if err != nil {
			return err
		}
		if w != nil {
			return transformDirect(ctx, dst, ins, srcs, w, cfg, kernel)
		}
	}
	type buffers struct {
		out []U
		src sourceReader[T]
	}
	workers := min(cfg.workers, max(1, (n+chunkLen-1)/chunkLen))
	bufs := make([]buffers, workers)
	for w := range bufs {
		bufs[w] = buffers{out: make([]U, stageLen), src: newSourceReader(ins)}
	}
	meter := newMeter(cfg, int64(n)*int64(dst.DType().ItemSize))
	return forChunks(ctx, workers, n, chunkLen, window, func(w, lo, hi int) error {
		b := &bufs[w]
		for start := lo; start < hi; start += stageLen {
			end := min(start+stageLen, hi)
			block := out.block(start, end, b.out)
			kernel(w, block, b.src.read(start, end))
			out.store(start, block)
		}
		meter.add(int64(hi-lo) * int64(dst.DType().ItemSize))
		return nil
	})
}

// sourceReader is a worker's buffers for reading the sources' blocks.
type sourceReader[T Real] struct {
	ins     []input[T]
	in      [][]T // one per source
	blocks  [][]T // the sources' blocks handed to the kernel
	scratch []T   // BlocksRange's staging buffer
}

func newSourceReader[T Real](ins []input[T]) sourceReader[T] {
	r := sourceReader[T]{ins: ins, in: make([][]T, len(ins)), blocks: make([][]T, len(ins)), scratch: make([]T, stageLen)}
	for i := range r.in {
		r.in[i] = make([]T, stageLen)
	}
	return r
}

// read returns each source's elements with flat indices start to end-1
// (at most stageLen), valid until the next call.
func (r *sourceReader[T]) read(start, end int) [][]T {
	for i := range r.ins {
		r.blocks[i] = r.ins[i].read(start, end, r.in[i], r.scratch)
	}
	return r.blocks
}

// input reads a source view's elements by flat C-order ranges.
type input[T Real] struct {
	view    *mmarray.Array[T]
	flat    []T  // the view's memory, where inPlace
	inPlace bool // the view is native, aligned and C-contiguous
}

func newInput[T Real](v *mmarray.Array[T]) input[T] {
	flat, ok := v.Contiguous()
	return input[T]{view: v, flat: flat, inPlace: ok}
}

// read returns the elements with flat indices lo to hi-1 (at most
// len(buf)): a slice of the mapping where the view allows it, else buf
// filled through BlocksRange, whose own blocks are staged in scratch
// (BlocksRange reuses its buffer from the start, so it cannot be buf).
func (in *input[T]) read(lo, hi int, buf, scratch []T) []T {
	if in.inPlace {
		return in.flat[lo:hi]
	}
	buf = buf[:hi-lo]
	for start, block := range in.view.BlocksRange(lo, hi, scratch) {
		copy(buf[start-lo:], block)
	}
	return buf
}

// output writes a destination view's elements by flat C-order ranges.
type output[U Real] struct {
	view    *mmarray.Array[U]
	flat    []U
	inPlace bool
	release bool // drop written ranges from the process (see written)
	// direct, where set, writes runs of a new file's data past the page
	// cache (writeRun); stages holds aligned buffers (*[]byte) for the
	// runs that are not aligned in memory.
	direct *pagecache.DirectWriter
	stages *sync.Pool
}

// staging returns an aligned buffer of n bytes from o.stages, or a new one.
func (o *output[U]) staging(n int) []byte {
	if b, ok := o.stages.Get().(*[]byte); ok && cap(*b) >= n {
		return (*b)[:n]
	}
	return o.direct.Buffer(n)[:n]
}

func newOutput[U Real](v *mmarray.Array[U]) output[U] {
	flat, ok := v.Contiguous()
	return output[U]{view: v, flat: flat, inPlace: ok}
}

// block returns where the elements with flat indices lo to hi-1 are to be
// put: the mapping itself where the view allows it, else buf[:hi-lo], to be
// handed to store once filled.
func (o *output[U]) block(lo, hi int, buf []U) []U {
	if o.inPlace {
		return o.flat[lo:hi]
	}
	return buf[:hi-lo]
}

// store writes a block that block returned for the range starting at lo,
// unless it was the mapping itself.
func (o *output[U]) store(lo int, block []U) {
	if !o.inPlace {
		o.view.SetRange(lo, block)
	}
}

// put writes block at the elements with flat indices lo to lo+len(block)-1.
func (o *output[U]) put(lo int, block []U) {
	if o.inPlace {
		copy(o.flat[lo:], block)
	} else {
		o.view.SetRange(lo, block)
	}
}

// written is called by a tiled copy, whose tiles are not chunks of a
// chunkWindow, once a tile's rows, inside the flat indices lo to hi-1, are
// stored. For a destination larger than the memory budget (release) it
// releases the bytes they span from the process
// (File.Release: written back to the file first, ReadWrite and Write
// modes; nothing in CopyOnWrite mode or for a File in memory, whose pages
// are their only copy). Pages in the range that another worker is still
// writing (a neighbouring chunk's first page, a tile's neighbours in the
// same rows) are released too and mapped in again by its next write, which
// loses nothing: a shared mapping's dirty pages stay dirty in the page
// cache.
func (o *output[U]) written(lo, hi int) error {
	if !o.release {
		return nil
	}
	off, n := o.view.ByteRange(lo, hi)
	return o.view.File().Release(off, n)
}

// writeRun writes p, elements as they lie in memory, at byte off of the
// data: through the file (File.WriteAt), or with o.direct the part that is
// aligned in the file and in memory past the page cache, its ends through
// the file.
func (o *output[U]) writeRun(p []byte, off int64) error {
	f := o.view.File()
	if o.direct != nil {
		a := int64(o.direct.Align())
		at := f.DataOffset() + off // the run's file offset
		lo, hi := (at+a-1)/a*a, (at+int64(len(p)))/a*a
		if lo < hi {
			if _, err := f.WriteAt(p[:lo-at], off); err != nil {
				return err
			}
			mid := p[lo-at : hi-at]
			if !pagecache.IsAligned(mid, int(a)) {
				// Aligned in the file but not in memory (rows whose
				// length is not a multiple of the alignment): staged.
				stage := o.staging(len(mid))
				copy(stage, mid)
				mid = stage
				defer o.stages.Put(&stage)
			}
			if _, err := o.direct.WriteAt(mid, lo); err != nil {
				return err
			}
			_, err := f.WriteAt(p[hi-at:], hi-f.DataOffset())
			return err
		}
	}
	_, err := f.WriteAt(p, off)
	return err
}

// forChunks splits [0, n) into chunks of chunk elements and runs work on
// each, [lo, hi), with runChunks's workers, window, context and panics;
// then it finishes the window (releases what is left).
func forChunks(ctx context.Context, workers, n, chunk int, window *chunkWindow, work func(w, lo, hi int) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if window != nil {
		defer func() {
			if werr := window.finish(); werr != nil && err == nil {
				err = werr
			}
		}()
	}
	return runChunks(ctx, workers, 0, (n+chunk-1)/chunk, window, func(w, c int) error {
		return work(w, c*chunk, min((c+1)*chunk, n))
	})
}

// transformWindow returns the window that keeps a transform's walk of n
// elements in chunks of chunkElems within the memory budget, over the
// views it reads and writes in step (read ahead and released; written
// back and released), or nil when their bytes together fit in the budget.
func transformWindow(cfg *config, n, chunkElems int, views ...walkedView) *chunkWindow {
	return windowFor(cfg, (n+chunkElems-1)/chunkElems, 0, views...)
}

// toNewFile creates path as a C-order .npy of descr and shape, runs fill on
// a view of it, then flushes and closes it. On any failure, a panic
// included, the file is closed and removed. op names the operation in
// errors; sources are the files read, which path must not be: Create would
// truncate one under its own mapping.
func toNewFile[U Real](op, path, descr string, shape []int, sources []*mmarray.File,
	fill func(dst *mmarray.Array[U]) error) (err error) {
	if info, err := os.Stat(path); err == nil {
		for _, src := range sources {
			if src.IsInMemory() {
				continue // its Path names no file
			}
			if srcInfo, err := os.Stat(src.Path()); err == nil && os.SameFile(info, srcInfo) {
				misuse.Panicf("compute: %s: the output %s is the file of a source view", op, path)
			}
		}
	}
	f, err := mmarray.Create(path, descr, shape)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(path)
		}
	}()
	dst, err := mmarray.View[U](f)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := fill(dst); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := f.Flush(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	done = true
	return nil
}
