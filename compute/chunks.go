package compute

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// ChunkSource is an array stored as a regular grid of chunks read one at a
// time (a Zarr array). Package zarr's arrays satisfy it; compute reduces any
// ChunkSource without importing the store that holds it.
type ChunkSource interface {
	Shape() []int      // the array's shape
	ChunkShape() []int // the grid's chunk shape (edge chunks are stored whole, as Zarr stores them)
	Descr() string     // NumPy descr of the elements, e.g. "<f8"
	// OpenChunk opens the chunk at grid coordinates idx as a read-only
	// *mmarray.File of ChunkShape, in the order it is stored (C or
	// Fortran): mapped in place where the chunk is stored uncompressed,
	// else decoded into s.Data (grown when too small; the File keeps using
	// it until closed); a missing chunk reads as the fill value. The
	// caller closes the File before using s again.
	OpenChunk(idx []int, s *ChunkScratch) (*mmarray.File, error)
}

// ChunkScratch is one worker's reusable buffers for OpenChunk; the zero
// value is ready.
type ChunkScratch struct{ Data, Stored []byte }

// chunkPlan is a ChunkSource's grid, checked, and how many of its chunks
// are decoded at once.
type chunkPlan struct {
	shape, chunk []int
	grid         []int // chunks along each axis
	count        int   // chunks in all
	chunkElems   int   // a whole chunk's elements
	chunkBytes   int64 // a whole chunk's decoded bytes
	totalBytes   int64 // the decoded bytes of every chunk, for progress
	inFlight     int   // chunks decoded at once: workers within the budget
}

// planChunks checks src's grid and the memory budget: each chunk in flight
// holds its decoded bytes and the stored bytes it decodes from (counted as
// much again), so min(workers, budget / (2 × chunk bytes)) chunks are in
// flight, at least one; a chunk larger than the budget is refused.
//
// The chunks of the sources along, of src's grid, are read in step with
// src's (a group-by's keys beside its values): their bytes count in each
// chunk's.
//
// T is the element type the chunks of src are read as: one that does not
// fit src's dtype is refused here, as a chunk's view would refuse it, so
// that an array with no chunks refuses it too.
func planChunks[T mmarray.Element](src ChunkSource, cfg *config, along ...ChunkSource) (chunkPlan, error) {
	if err := checkElement[T](src); err != nil {
		return chunkPlan{}, err
	}
	shape, chunk := slices.Clone(src.Shape()), slices.Clone(src.ChunkShape())
	if len(chunk) != len(shape) {
		return chunkPlan{}, fmt.Errorf("chunks of shape %v over an array of shape %v: %w", chunk, shape, memmap.ErrUnsupported)
	}
	dt, err := npyheader.ParseDescr(src.Descr())
	if err != nil {
		return chunkPlan{}, fmt.Errorf("chunked array of dtype %q: %w", src.Descr(), err)
	}
	for _, s := range along {
		d, err := npyheader.ParseDescr(s.Descr())
		if err != nil {
			return chunkPlan{}, fmt.Errorf("chunked array of dtype %q: %w", s.Descr(), err)
		}
		dt.ItemSize += d.ItemSize
	}
	p := chunkPlan{shape: shape, chunk: chunk, grid: make([]int, len(shape)), count: 1, chunkElems: 1}
	// An itemsize of 0 (no real dtype has one: View refuses it later)
	// counts as 1, so that the checks below bound the elements too.
	p.chunkBytes = int64(max(1, dt.ItemSize))
	elems := int64(1)
	for a, n := range shape {
		c := chunk[a]
		if n < 0 || c < 1 {
			return chunkPlan{}, fmt.Errorf("chunks of shape %v over an array of shape %v: %w", chunk, shape, memmap.ErrUnsupported)
		}
		if p.chunkBytes > math.MaxInt64/int64(c) {
			return chunkPlan{}, fmt.Errorf("chunks of shape %v: %w", chunk, memmap.ErrTooLarge)
		}
		// Flat indices are ints: the array's elements must count in one.
		if n > 0 && elems > int64(math.MaxInt)/int64(max(1, dt.ItemSize))/int64(n) {
			return chunkPlan{}, fmt.Errorf("chunked array of shape %v: %w", shape, memmap.ErrTooLarge)
		}
		p.chunkBytes *= int64(c)
		p.chunkElems *= c
		p.grid[a] = (n + c - 1) / c
		p.count *= p.grid[a]
		elems *= int64(n)
	}
	budget := cfg.resolveMemory(elems * int64(dt.ItemSize))
	if p.count > 0 && int64(p.count) > math.MaxInt64/p.chunkBytes {
		return chunkPlan{}, fmt.Errorf("chunked array of shape %v in chunks of %v: %w", shape, chunk, memmap.ErrTooLarge)
	}
	if p.count > 0 && p.chunkBytes > budget {
		return chunkPlan{}, fmt.Errorf("chunks of shape %v hold %d bytes, more than the memory budget of %d: %w",
			chunk, p.chunkBytes, budget, memmap.ErrTooLarge)
	}
	p.totalBytes = int64(p.count) * p.chunkBytes
	p.inFlight = int(max(1, min(int64(cfg.workers), budget/(2*p.chunkBytes))))
	return p, nil
}

// checkElement returns the error mmarray.View gives for a chunk of src
// read as T when T does not fit src's dtype, without reading a chunk.
func checkElement[T mmarray.Element](src ChunkSource) error {
	f, err := mmarray.OpenRawBytes("chunk", nil, mmarray.ReadOnly, src.Descr(), []int{0})
	if err == nil {
		_, err = mmarray.View[T](f)
		f.Close()
	}
	if err != nil {
		return fmt.Errorf("chunked array of dtype %q: %w", src.Descr(), err)
	}
	return nil
}

// chunkCursor is one worker's place in the grid: the chunk's coordinates,
// its origin in the array and its extent within the array's bounds (less
// than the chunk's shape at the far edges), with the worker's scratch
// buffers, all reused chunk after chunk.
type chunkCursor struct {
	idx, origin, extent []int
	sels                []mmarray.Sel
	scratch             ChunkScratch
	along               ChunkScratch // for the chunk of a source read in step (a group-by's keys)
}

func newChunkCursor(nd int) *chunkCursor {
	return &chunkCursor{idx: make([]int, nd), origin: make([]int, nd), extent: make([]int, nd), sels: make([]mmarray.Sel, nd)}
}

// locate sets the cursor to chunk c of the grid in C order.
func (cur *chunkCursor) locate(p *chunkPlan, c int) {
	for a := len(p.grid) - 1; a >= 0; a-- {
		cur.idx[a] = c % p.grid[a]
		c /= p.grid[a]
		cur.origin[a] = cur.idx[a] * p.chunk[a]
		cur.extent[a] = min(p.chunk[a], p.shape[a]-cur.origin[a])
		cur.sels[a] = mmarray.Span(0, cur.extent[a], 1)
	}
}

// openView opens the cursor's chunk of src, decoding into scratch, and
// returns its File and its view, sliced to the array's bounds. The caller
// closes the File.
func openView[T mmarray.Element](src ChunkSource, p *chunkPlan, cur *chunkCursor, scratch *ChunkScratch) (*mmarray.File, *mmarray.Array[T], error) {
	f, err := src.OpenChunk(cur.idx, scratch)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Equal(f.Shape(), p.chunk) {
		shape := f.Shape()
		f.Close()
		return nil, nil, fmt.Errorf("opened as shape %v, not the chunk shape %v: %w", shape, p.chunk, mmarray.ErrShape)
	}
	v, err := mmarray.View[T](f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, v.Slice(cur.sels...), nil
}

// walkSource reduces every chunk of src into a partial P with reduce, on
// p.inFlight goroutines taking chunks in the grid's C order, and hands the
// partials to fold in that order, so that the result does not depend on
// the number of workers. reduce gets the goroutine's index (for buffers of
// its own), the chunk's view and the cursor locating it. The chunk's File
// is closed (a mapped chunk unmapped) before its worker takes the next.
// The context is checked before each chunk; the first error, wrapped with
// the chunk's coordinates, stops the walk. Partials are held in waves of
// as many chunks as fit in a quarter of the budget (64 MiB at most), each
// partial counted as P and the partBytes it holds beyond, at least one
// chunk per worker and at most cfg.waveLen.
func walkSource[T Real, P any](ctx context.Context, src ChunkSource, p *chunkPlan, cfg config, partBytes int64,
	reduce func(g int, v *mmarray.Array[T], cur *chunkCursor, part *P) error, fold func(P)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.count == 0 {
		return nil
	}
	progress := newMeter(cfg, p.totalBytes)
	cursors := make([]*chunkCursor, p.inFlight)
	for g := range cursors {
		cursors[g] = newChunkCursor(len(p.shape))
	}
	var zero P
	perPart := int64(sizeOf(zero)) + partBytes
	wave := max(p.inFlight, int(min(int64(cfg.waveLen), min(64<<20, cfg.memory/4)/max(1, perPart))))
	wave = min(wave, p.count)
	parts := make([]P, wave)
	for first := 0; first < p.count; first += wave {
		last := min(first+wave, p.count)
		batch := parts[:last-first]
		clear(batch)
		err := runChunks(ctx, p.inFlight, first, last, nil, func(g, c int) error {
			cur := cursors[g]
			cur.locate(p, c)
			f, v, err := openView[T](src, p, cur, &cur.scratch)
			if err != nil {
				return fmt.Errorf("chunk %v of a chunked array of shape %v: %w", cur.idx, p.shape, err)
			}
			defer f.Close()
			if err := reduce(g, v, cur, &batch[c-first]); err != nil {
				return err
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("closing chunk %v of a chunked array of shape %v: %w", cur.idx, p.shape, err)
			}
			progress.add(p.chunkBytes)
			return nil
		})
		if err != nil {
			return err
		}
		for _, part := range batch {
			fold(part)
		}
	}
	return nil
}

// reduceSource is reduceChunks over a ChunkSource: kernel runs over each
// chunk's elements, in storage order (anyOrder) or in C order with each
// piece's flat C-order index in the whole array (cOrder: a chunk that does
// not span the trailing axes in full is walked run by run), and each
// chunk's partial goes to fold in the grid's C order. Over cOrder, a later
// chunk may hold elements that come first in the array: fold must compare
// indices on ties.
func reduceSource[T Real, K kernelType, P any](ctx context.Context, src ChunkSource, opts []Option, order walkOrder,
	kernel func(p *P, start int, piece []K), fold func(P)) error {
	return reduceSourcePlanned[T](ctx, src, newConfig(opts), nil, 0, order, kernel, fold)
}

// reduceSourcePlanned is reduceSource with the config made and, where p is
// not nil, the grid planned; partBytes is what a partial holds beyond P.
func reduceSourcePlanned[T Real, K kernelType, P any](ctx context.Context, src ChunkSource, cfg config, p *chunkPlan, partBytes int64,
	order walkOrder, kernel func(p *P, start int, piece []K), fold func(P)) error {
	if p == nil {
		planned, err := planChunks[T](src, &cfg)
		if err != nil {
			return err
		}
		p = &planned
	}
	widen := widenerFor[T, K]()
	bufs, kbufs := make([][]T, p.inFlight), make([][]K, p.inFlight)
	for g := range bufs {
		bufs[g], kbufs[g] = make([]T, stageLen), make([]K, stageLen)
	}
	walk := func(part *P, v *mmarray.Array[T], lo, hi, at int, buf []T, kbuf []K) {
		for start, block := range v.BlocksRange(lo, hi, buf) {
			start += at - lo
			for len(block) > 0 {
				piece, rest := widen(block, kbuf)
				kernel(part, start, piece)
				start += len(block) - len(rest)
				block = rest
			}
		}
	}
	return walkSource(ctx, src, p, cfg, partBytes, func(g int, v *mmarray.Array[T], cur *chunkCursor, part *P) error {
		if order == anyOrder {
			walk(part, v.StorageOrder(), 0, v.Len(), 0, bufs[g], kbufs[g])
		} else {
			p.eachRun(cur, func(lo, hi, at int) { walk(part, v, lo, hi, at, bufs[g], kbufs[g]) })
		}
		return nil
	}, fold)
}

// eachRun calls run for each run of the cursor's chunk whose elements are
// consecutive in the array's flat C order, in order: the chunk's flat
// C-order indices lo to hi-1 are the array's at to at+hi-lo-1. A chunk
// spanning the array's trailing axes in full is one run.
func (p *chunkPlan) eachRun(cur *chunkCursor, run func(lo, hi, at int)) {
	boxRuns(cur.extent, p.shape, cur.origin, run)
}

// boxRuns calls run for each run of the box of shape extent at origin in
// an array of shape outer whose elements are consecutive in outer's flat
// C order, in order: the box's flat C-order indices lo to hi-1 are
// outer's at to at+hi-lo-1. A box spanning outer's trailing axes in full
// is one run.
func boxRuns(extent, outer, origin []int, run func(lo, hi, at int)) {
	nd := len(outer)
	if nd == 0 {
		run(0, 1, 0)
		return
	}
	// split is the first axis after which the box spans every axis in
	// full: a run is the box's extent from it on.
	split := nd
	runLen := 1
	for split > 0 && (split == nd || extent[split] == outer[split]) {
		split--
		runLen *= extent[split]
	}
	// stride[a] is axis a's stride in outer's flat C order.
	stride := make([]int, nd)
	s := 1
	for a := nd - 1; a >= 0; a-- {
		stride[a] = s
		s *= outer[a]
	}
	at := 0
	for a := range nd {
		at += origin[a] * stride[a]
	}
	runs := 1
	for a := range split {
		runs *= extent[a]
	}
	pos := make([]int, split) // the run's position along the axes before split
	for r := range runs {
		run(r*runLen, (r+1)*runLen, at)
		for a := split - 1; a >= 0; a-- {
			pos[a]++
			at += stride[a]
			if pos[a] < extent[a] {
				break
			}
			at -= pos[a] * stride[a]
			pos[a] = 0
		}
	}
}
