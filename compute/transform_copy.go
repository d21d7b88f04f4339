package compute

import (
	"context"
	"sync"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
)

// Copy writes the view's elements into a new .npy file at path in C order,
// with the view's shape and dtype (byte order included), as NumPy's
// np.save(path, a.copy(order="C")) does (np.ascontiguousarray too, but for
// a 0-d view, which it makes 1-d): a transposed, Fortran-ordered, strided
// or reversed view becomes a plain C-order file. A view whose
// elements lie closest together along an axis other than its last one (a
// transposed or Fortran view) is copied in square tiles of about a page of
// input by a page of output each, so that each page read or written is
// used whole while it is in memory instead of once per row, the slow case
// of NumPy's copy of a transposed memmap. The file is flushed and closed
// before Copy returns, and removed if anything fails. Errors wrap Create's
// and Flush's, or are the context's. WithProgress counts the file's bytes
// written.
func Copy[T Real](ctx context.Context, a *mmarray.Array[T], path string, opts ...Option) error {
	cfg := newConfig(opts)
	return toNewFile("copy", path, a.DType().String(), a.Shape(), []*mmarray.File{a.File()}, func(dst *mmarray.Array[T]) error {
		p, q, tiled := tileAxes(a)
		if !tiled {
			return copyLinear(ctx, a, dst, cfg)
		}
		out := newOutput(dst)
		// A write fault on a page of the new file reads the pages around it
		// in, as for a read (8 MiB of them where the disk's read-ahead is
		// 8 MiB): a tile's 512 faults, one per output row, 2 MiB apart in
		// a 2 GiB copy, read the neighbouring pages of each row, already
		// written and released, back from the disk, tile after tile (20 GB
		// read for the first 100 MiB copied, in a 256 MiB cgroup). Nothing
		// of the file is worth reading before it is written: no read-ahead.
		// It is a hint; where the system lacks it, Copy goes on without.
		_ = dst.File().Advise(mmarray.Random)
		_, in := a.ByteRange(0, a.Len())
		_, total := dst.ByteRange(0, dst.Len())
		out.release = in+total > cfg.resolveMemory(in+total)
		return copyTiled(ctx, a, out, p, q, cfg)
	})
}

// tileAxes returns the view's axis q whose elements are adjacent in the
// C-order output (the last one longer than 1) and the axis p whose
// elements lie closest together in memory, and whether they differ, so
// that a copy must be tiled.
func tileAxes[T Real](a *mmarray.Array[T]) (p, q int, tiled bool) {
	shape, strides := a.Shape(), a.Strides()
	p, q = -1, -1
	for axis, n := range shape {
		if n <= 1 {
			continue
		}
		q = axis
		if p < 0 || abs(strides[axis]) < abs(strides[p]) {
			p = axis
		}
	}
	return p, q, p >= 0 && p != q && abs(strides[p]) < abs(strides[q])
}

// copyLinear copies a view chunk by chunk in C order, reading it with
// BlocksRange: in place where its runs are native and contiguous.
func copyLinear[T Real](ctx context.Context, a, dst *mmarray.Array[T], cfg config) error {
	n := a.Len()
	out := newOutput(dst)
	workers := min(cfg.workers, max(1, (n+chunkLen-1)/chunkLen))
	scratch := make([][]T, workers)
	for w := range scratch {
		scratch[w] = make([]T, stageLen)
	}
	itemSize := int64(a.DType().ItemSize)
	meter := newMeter(cfg, int64(n)*itemSize)
	window := transformWindow(&cfg, n, chunkLen, walkedOf(dst, chunkLen, true, &cfg), walkedOf(a, chunkLen, false, &cfg))
	return forChunks(ctx, workers, n, chunkLen, window, func(w, lo, hi int) error {
		for start, block := range a.BlocksRange(lo, hi, scratch[w]) {
			out.put(start, block)
		}
		meter.add(int64(hi-lo) * itemSize)
		return nil
	})
}

// Tiles are tileEdge(itemSize) elements square: a 4096-byte page along
// each edge (for float64, 512 by 512 elements), between 64 and 512.
func tileEdge(itemSize int) int { return min(max(4096/itemSize, 64), 512) }

// faultReach is how far beyond a tile's span of the source its release
// reaches. A read fault maps cached pages around the one faulted (64 KiB
// of fault-around, a whole large folio, up to 2 MiB): pages of tiles
// already released, which nothing released again. Measured on the 2 GiB
// transposed copy after a scan had left the file's large folios in the
// page cache: with the span alone, 52 MiB of the source stayed mapped
// (peak RSS 110 to 134 MiB with a 64 MiB budget); widened by 2 MiB, none
// (peak 69 MiB). The neighbouring tiles' pages it drops are mapped again
// from the page cache as they are read.
const faultReach = 2 << 20

// transposeBlock is the edge of the blocks a tile is transposed in within
// memory, small enough for two of them to stay in the L1 cache.
const transposeBlock = 32

// copyTiled copies a view whose axis p lies closest together in memory
// while its axis q is the last one of the output, into out, a C-order
// destination of its shape: each tile, a range of p by a range of q at one
// index of the other axes, is read in memory order (q outer, p inner),
// transposed in memory, and written as rows of the output. The tiles are
// taken p fastest, then q, then the other axes: along the source's memory
// order, so that the kernel's read-ahead of the source brings in what the
// next tiles read (taken q fastest, a tile read half of each 8 KiB source
// row of a 1024-wide transposed float64 view, and the read-ahead's other
// half was evicted before its tile came: the source was read three times).
// Each tile writes whole pages of the output, and each output page is
// written by one tile, in whatever order. Where out.release says source
// and destination exceed the memory budget, each tile's span of the source
// and of the destination is released once the tile is written (the tiles
// are not chunks of a chunkWindow: their spans are not ranges of a C-order
// walk).
func copyTiled[T Real](ctx context.Context, a *mmarray.Array[T], out output[T], p, q int, cfg config) error {
	shape := a.Shape()
	edge := tileEdge(a.DType().ItemSize)
	// The tiles' edges fall on page boundaries of the source along p and
	// of the destination along q where the layouts allow, so that each
	// page is read or written by one tile only: tile k along an axis
	// covers [k*edge-shift, (k+1)*edge-shift), cut to the axis.
	shiftP, shiftQ := pageShift(a, p, edge), pageShift(out.view, q, edge)
	tilesP, tilesQ := (shape[p]+shiftP+edge-1)/edge, (shape[q]+shiftQ+edge-1)/edge
	outer := 1 // positions of the other axes
	for axis, n := range shape {
		if axis != p && axis != q {
			outer *= n
		}
	}
	units := outer * tilesP * tilesQ
	cStrides := make([]int, len(shape)) // the output's strides in elements
	step := 1
	for axis := len(shape) - 1; axis >= 0; axis-- {
		cStrides[axis] = step
		step *= shape[axis]
	}
	workers := min(cfg.workers, max(1, units))
	type buffers struct {
		read, write []T
		sels        []mmarray.Sel
	}
	bufs := make([]buffers, workers)
	for w := range bufs {
		bufs[w] = buffers{make([]T, edge*edge), make([]T, edge*edge), make([]mmarray.Sel, len(shape))}
	}
	itemSize := int64(a.DType().ItemSize)
	meter := newMeter(cfg, int64(a.Len())*itemSize)
	_, sourceBytes := a.ByteRange(0, a.Len())
	// Over the budget, the output is released a group of groupQ tile
	// columns at a time (every tile along p of groupQ consecutive tiles
	// along q, at one position of the other axes), once all of the group's
	// tiles are written: its write-back then goes to the disk in runs of
	// groupQ pages along each row instead of one page per row and tile (a
	// release per tile took 85% of a 2 GiB transposed copy's time in
	// sync_file_range, 512 single pages each). A group's output is at most
	// a quarter of the budget; pending holds the tiles left to write of
	// each group begun, at most one group per worker and the one being
	// handed out.
	groupQ := 1
	if out.release {
		column := int64(shape[p]) * int64(edge) * itemSize // a tile column's output
		groupQ = int(min(int64(tilesQ), max(1, cfg.resolveMemory(0)/4/column)))
	}
	groupsPerO := (tilesQ + groupQ - 1) / groupQ
	var (
		pendingMu sync.Mutex
		pending   = map[int]int{}
	)
	// groupDone counts a tile of group g, of groupTiles, as written and
	// reports whether it was the group's last.
	groupDone := func(g, groupTiles int) bool {
		pendingMu.Lock()
		defer pendingMu.Unlock()
		left, ok := pending[g]
		if !ok {
			left = groupTiles
		}
		if left--; left > 0 {
			pending[g] = left
			return false
		}
		delete(pending, g)
		return true
	}
	return forChunks(ctx, workers, units, 1, nil, func(w, u, _ int) error {
		b := &bufs[w]
		pt, qt, o := u%tilesP, u/tilesP%tilesQ, u/tilesP/tilesQ
		group := o*groupsPerO + qt/groupQ
		p0, q0 := max(0, pt*edge-shiftP), max(0, qt*edge-shiftQ)
		lp, lq := min((pt+1)*edge-shiftP, shape[p])-p0, min((qt+1)*edge-shiftQ, shape[q])-q0
		base := 0 // output flat index of the tile's first element
		for axis := len(shape) - 1; axis >= 0; axis-- {
			switch axis {
			case p:
				b.sels[axis] = mmarray.Span(p0, p0+lp, 1)
				base += p0 * cStrides[axis]
			case q:
				b.sels[axis] = mmarray.Span(q0, q0+lq, 1)
				base += q0 * cStrides[axis]
			default:
				i := o % shape[axis]
				o /= shape[axis]
				b.sels[axis] = mmarray.Index(i)
				base += i * cStrides[axis]
			}
		}
		// The tile view is (lp, lq), p before q; transposed, its C order
		// is memory order.
		read := b.read[:lp*lq]
		tile := a.Slice(b.sels...)
		tile.Transpose().CopyTo(read)
		if out.release {
			// The tile's source rows are read whole (a page or so each)
			// and not again: released as their span, as the output's,
			// widened by faultReach on each side for the pages a fault
			// maps beyond the span.
			off, n := tile.ByteRange(0, tile.Len())
			lo, hi := max(0, off-faultReach), min(sourceBytes, off+n+faultReach)
			if err := a.File().Release(lo, hi-lo); err != nil {
				return err
			}
		}
		write := b.write[:lp*lq]
		transpose(write, read, lq, lp)
		for ip := range lp {
			out.put(base+ip*cStrides[p], write[ip*lq:(ip+1)*lq])
		}
		if out.release {
			// The group's rows each end groupQ pages or so of the output,
			// spread over the rows' span: released as that one span, which
			// costs two system calls where a release per row would cost
			// two per row.
			g := qt / groupQ
			first, last := g*groupQ, min((g+1)*groupQ, tilesQ)
			if groupDone(group, tilesP*(last-first)) {
				start := base - p0*cStrides[p] - q0*cStrides[q] // the tile's other axes
				q1, q2 := max(0, first*edge-shiftQ), min(last*edge-shiftQ, shape[q])
				lo := start + q1*cStrides[q]
				hi := start + (shape[p]-1)*cStrides[p] + (q2-1)*cStrides[q] + 1
				if err := out.written(lo, hi); err != nil {
					return err
				}
			}
		}
		meter.add(int64(lp*lq) * itemSize)
		return nil
	})
}

// pageShift returns how far before a multiple of edge along axis the tile
// boundaries of v must fall for them to be page boundaries in the file:
// where the axis's elements are adjacent (its stride the item size) and
// every other axis steps over whole pages, the elements at the returned
// shift plus multiples of edge start pages. Elsewhere it is 0.
func pageShift[T Real](v *mmarray.Array[T], axis, edge int) int {
	page := pagecache.PageSize()
	itemSize := v.DType().ItemSize
	strides := v.Strides()
	if strides[axis] != itemSize || edge*itemSize%page != 0 || v.Len() == 0 {
		return 0
	}
	for i, s := range strides {
		if i != axis && v.Shape()[i] > 1 && s%page != 0 {
			return 0
		}
	}
	off, _ := v.ByteRange(0, 1) // element 0's byte in the data
	start := (v.File().DataOffset() + off) % int64(page)
	if start%int64(itemSize) != 0 {
		return 0
	}
	// The first element that starts a page is at (page-start)/itemSize;
	// the boundaries are that plus multiples of edge, so the shift is
	// what brings it down to a multiple of edge.
	first := int((int64(page)-start)%int64(page)) / itemSize
	return (edge - first%edge) % edge
}

// transpose stores the rows-by-cols matrix src, in C order, transposed
// into dst, in blocks of transposeBlock square.
func transpose[T any](dst, src []T, rows, cols int) {
	for r0 := 0; r0 < rows; r0 += transposeBlock {
		for c0 := 0; c0 < cols; c0 += transposeBlock {
			for r := r0; r < min(r0+transposeBlock, rows); r++ {
				row := src[r*cols : (r+1)*cols]
				for c := c0; c < min(c0+transposeBlock, cols); c++ {
					dst[c*rows+r] = row[c]
				}
			}
		}
	}
}

// Take writes the rows of the view at indices along axis 0 into a new
// C-order .npy file at path, as NumPy's np.save(path, np.take(a, indices,
// axis=0)) does: the result has len(indices) rows, the view's other axes
// and its dtype. A negative index counts from the end, as in NumPy. An index
// out of range (NumPy's IndexError) and a 0-d view are misuse: Take panics
// with a *memmap.Misuse before it creates anything, as At does for an
// index out of range. The file is flushed and closed before Take returns,
// and removed if anything fails. Errors wrap Create's and Flush's, or are
// the context's. WithProgress counts the file's bytes written.
func Take[T Real](ctx context.Context, a *mmarray.Array[T], indices []int, path string, opts ...Option) error {
	if a.Ndim() == 0 {
		misuse.Panicf("compute: Take of a 0-d view: it has no axis 0")
	}
	shape := a.Shape()
	rows := shape[0]
	for _, i := range indices {
		if i < -rows || i >= rows {
			misuse.Panicf("compute: Take: index %d is out of bounds for axis 0 with size %d", i, rows)
		}
	}
	cfg := newConfig(opts)
	outShape := append([]int{len(indices)}, shape[1:]...)
	return toNewFile("take", path, a.DType().String(), outShape, []*mmarray.File{a.File()}, func(dst *mmarray.Array[T]) error {
		return takeRows(ctx, a, dst, indices, cfg)
	})
}

// smallRow is the length below which Take reads a row element by element
// (At2, inlined on native and byte-swapped aligned views) rather than
// through BlocksRange, whose setup costs more than such a row.
const smallRow = 64

func takeRows[T Real](ctx context.Context, a, dst *mmarray.Array[T], indices []int, cfg config) error {
	shape := a.Shape()
	rows := shape[0]
	rowLen := 1
	for _, n := range shape[1:] {
		rowLen *= n
	}
	n := len(indices) * rowLen
	if n == 0 {
		return ctx.Err()
	}
	src := newInput(a)
	var grid *mmarray.Array[T] // a as (rows, rowLen), for short rows
	if !src.inPlace && rowLen < smallRow {
		grid, _ = a.Reshape(rows, rowLen) // nil where the strides do not allow it
	}
	// readRow copies the m elements of row i from element off on into dst.
	readRow := func(i, off int, dst, scratch []T) {
		lo := i*rowLen + off
		switch {
		case src.inPlace:
			copy(dst, src.flat[lo:lo+len(dst)])
		case grid != nil:
			for j := range dst {
				dst[j] = grid.At2(i, off+j)
			}
		default:
			for start, block := range a.BlocksRange(lo, lo+len(dst), scratch) {
				copy(dst[start-lo:], block)
			}
		}
	}
	out := newOutput(dst)
	chunk := max(1, chunkLen/rowLen) * rowLen // whole rows
	workers := min(cfg.workers, (n+chunk-1)/chunk)
	type buffers struct{ out, scratch []T }
	bufs := make([]buffers, workers)
	for w := range bufs {
		bufs[w] = buffers{make([]T, stageLen), make([]T, stageLen)}
	}
	itemSize := int64(a.DType().ItemSize)
	meter := newMeter(cfg, int64(n)*itemSize)
	// The destination is written in step with the chunks; the rows read
	// are wherever the indices point, so the source is left alone.
	window := transformWindow(&cfg, n, chunk, walkedOf(dst, chunk, true, &cfg))
	return forChunks(ctx, workers, n, chunk, window, func(w, lo, hi int) error {
		b := &bufs[w]
		for start := lo; start < hi; start += stageLen {
			block := out.block(start, min(start+stageLen, hi), b.out)
			if rowLen == 1 && (src.inPlace || grid != nil) {
				// One element per index (a 1-D view): a plain gather.
				for k, i := range indices[start : start+len(block)] {
					if i < 0 {
						i += rows
					}
					if src.inPlace {
						block[k] = src.flat[i]
					} else {
						block[k] = grid.At2(i, 0)
					}
				}
				out.store(start, block)
				continue
			}
			for k := 0; k < len(block); {
				r, off := (start+k)/rowLen, (start+k)%rowLen
				m := min(rowLen-off, len(block)-k)
				i := indices[r]
				if i < 0 {
					i += rows
				}
				readRow(i, off, block[k:k+m], b.scratch)
				k += m
			}
			out.store(start, block)
		}
		meter.add(int64(hi-lo) * itemSize)
		return nil
	})
}
