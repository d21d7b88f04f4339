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
	return toNewFile("copy", path, a.DType().String(), a.Shape(), []*mmarray.File{a.File()}, func(dst *mmarray.Array[T]) (err error) {
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
		if out.release {
			// Too large to keep: the groups written through the file go
			// past the page cache where they can.
			w, openErr := openDirectOutput(dst)
			if openErr != nil {
				return openErr
			}
			if w != nil {
				out.direct, out.stages = w, new(sync.Pool)
				defer func() { // deferred: closed too when a worker's panic passes through
					if cerr := w.Close(); cerr != nil && err == nil {
						err = cerr
					}
				}()
			}
		}
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
// index of the other axes, is read in memory order (q outer, p inner) and
// transposed in memory. The tiles are taken p fastest, then q, then the
// other axes: along the source's memory order, so that the kernel's
// read-ahead of the source brings in what the next tiles read (taken q
// fastest, a tile read half of each 8 KiB source row of a 1024-wide
// transposed float64 view, and the read-ahead's other half was evicted
// before its tile came: the source was read three times).
//
// Consecutive tile columns (every tile along p of groupQ consecutive tiles
// along q, at one position of the other axes) make a group. Where a
// group's output fits a buffer of tileGroupBytes or so and its rows are
// minThroughRun or longer, the tiles are transposed into the group's buffer and the
// group is written through the file (File.WriteAt), row by row, once its
// last tile is in: the destination is never mapped, so its pages cost no
// fault and no resident memory. Written into the mapping instead, each
// tile wrote one page of each of its 512 rows, a write fault per page: a
// million of them in a 4 GiB copy, 70% of its time. Elsewhere (rows shorter
// than a page, or a tile column too large for a buffer) the tiles are
// written into the mapping, each output page by one tile.
//
// Where out.release says source and destination exceed the memory budget,
// each tile's span of the source is released once it is read, and each
// group's span of the destination once the group is written (written back
// first: the group's rows then go to the disk in runs of groupQ tiles along
// each row, where a release per tile wrote single pages, 85% of a 2 GiB
// transposed copy's time in sync_file_range). The tiles are not chunks of a
// chunkWindow: their spans are not ranges of a C-order walk.
func copyTiled[T Real](ctx context.Context, a *mmarray.Array[T], out output[T], p, q int, cfg config) error {
	shape := a.Shape()
	itemSize := a.DType().ItemSize
	edge := tileEdge(itemSize)
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
	column := int64(shape[p]) * int64(edge) * int64(itemSize) // a tile column's output
	groupQ, through := tileGroupPlan(column, tilesQ, edge, shape[q], itemSize, workers, out, cfg)
	groupsPerO := (tilesQ + groupQ - 1) / groupQ
	type buffers struct {
		read, write []T
		sels        []mmarray.Sel
	}
	bufs := make([]buffers, workers)
	for w := range bufs {
		bufs[w] = buffers{read: make([]T, edge*edge), sels: make([]mmarray.Sel, len(shape))}
		if !through {
			bufs[w].write = make([]T, edge*edge)
		}
	}
	meter := newMeter(cfg, int64(a.Len())*int64(itemSize))
	_, sourceBytes := a.ByteRange(0, a.Len())
	groups := newTileGroups(func(n int) []T { return make([]T, n) })
	if out.direct != nil {
		// Rows aligned in memory as they are in the file go past the
		// page cache (output.writeRun).
		groups = newTileGroups(func(n int) []T {
			return bytesAs[T](out.direct.Buffer(n * itemSize))[:n]
		})
	}
	return forChunks(ctx, workers, units, 1, nil, func(w, u, _ int) error {
		b := &bufs[w]
		pt, qt, o := u%tilesP, u/tilesP%tilesQ, u/tilesP/tilesQ
		group := o*groupsPerO + qt/groupQ
		p0, q0 := max(0, pt*edge-shiftP), max(0, qt*edge-shiftQ)
		lp, lq := min((pt+1)*edge-shiftP, shape[p])-p0, min((qt+1)*edge-shiftQ, shape[q])-q0
		// The group's tile columns and its range [q1, q2) along q.
		firstQ, lastQ := qt/groupQ*groupQ, min((qt/groupQ+1)*groupQ, tilesQ)
		q1, q2 := max(0, firstQ*edge-shiftQ), min(lastQ*edge-shiftQ, shape[q])
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
		start := base - p0*cStrides[p] - q0*cStrides[q] // the output flat index of the other axes' position
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
		if through {
			// The group's buffer holds its rows along p, q2-q1 long each.
			cols := q2 - q1
			buf := groups.buffer(group, shape[p]*cols)
			transpose(buf[p0*cols+q0-q1:], cols, read, lq, lp)
		} else {
			write := b.write[:lp*lq]
			transpose(write, lq, read, lq, lp)
			for ip := range lp {
				out.put(base+ip*cStrides[p], write[ip*lq:(ip+1)*lq])
			}
		}
		meter.add(int64(lp*lq) * int64(itemSize))
		if !through && !out.release {
			return nil
		}
		buf, last := groups.done(group, tilesP*(lastQ-firstQ))
		if !last {
			return nil
		}
		if through {
			cols := q2 - q1
			depth := 1
			if out.direct != nil {
				depth = directDepth
			}
			err := runChunks(ctx, depth, 0, shape[p], nil, func(_, ip int) error {
				off := int64(start+ip*cStrides[p]+q1*cStrides[q]) * int64(itemSize)
				return out.writeRun(bytesOf(buf[ip*cols:(ip+1)*cols]), off)
			})
			if err != nil {
				return err
			}
			groups.recycle(buf)
		}
		// The group's rows each end groupQ tiles of the output, spread
		// over the rows' span: released as that one span, which costs two
		// system calls where a release per row would cost two per row.
		lo := start + q1*cStrides[q]
		hi := start + (shape[p]-1)*cStrides[p] + (q2-1)*cStrides[q] + 1
		return out.written(lo, hi)
	})
}

// tileGroupPlan returns the tile columns a group of a tiled copy holds and
// whether the groups are written through the file: column is a tile
// column's output in bytes, tilesQ the tiles along q, rowLen the output's
// rows' length (shape[q]).
func tileGroupPlan[T Real](column int64, tilesQ, edge, rowLen, itemSize, workers int, out output[T], cfg config) (groupQ int, through bool) {
	// The groups in flight (at most one per worker and the one being
	// begun) take a quarter of the budget at most.
	groupBytes := min(tileGroupBytes, cfg.resolveMemory(0)/4/int64(workers+1))
	// The tiles are native values, written as they lie in memory: only
	// into a file of the native byte order (out.inPlace: its output is in
	// C order, so it is also aligned and native).
	if out.inPlace && !out.view.File().IsInMemory() && column <= groupBytes {
		groupQ = int(min(int64(tilesQ), groupBytes/column))
		if min(groupQ*edge, rowLen)*itemSize >= minThroughRun {
			return groupQ, true
		}
	}
	if out.release {
		// A group's output is at most a quarter of the budget.
		return int(min(int64(tilesQ), max(1, cfg.resolveMemory(0)/4/column))), false
	}
	return 1, false
}

// tileGroupBytes is the most a group's buffer in a tiled copy written
// through the file holds: large enough for its rows to be written in runs
// of many pages, small enough that the few groups in flight (at most one
// per worker and the one being begun) hold little memory.
const tileGroupBytes = 64 << 20

// minThroughRun is the shortest run of a row, in bytes, that a group
// written through the file writes at once. Shorter, the writes cost more
// than the mapping's faults: a 2 GiB transposed copy under a 64 MiB budget,
// its groups one tile column of 4 KiB runs, took 53 s written through the
// file where the mapping took 12 s.
const minThroughRun = 64 << 10

// tileGroups counts the tiles left to write of each group of a tiled copy
// begun and, for a copy written through the file, holds each group's
// output until its last tile is in. The groups in flight are few: the tiles
// are handed out in order, so every group begun but the newest has all its
// tiles with workers already.
type tileGroups[T any] struct {
	alloc func(n int) []T // makes a buffer of n elements

	mu   sync.Mutex
	left map[int]int // tiles left to write of each group begun
	bufs map[int][]T // each group's output, where the copy is written through
	free [][]T       // buffers of groups written, to reuse
}

func newTileGroups[T any](alloc func(n int) []T) *tileGroups[T] {
	return &tileGroups[T]{alloc: alloc, left: map[int]int{}, bufs: map[int][]T{}}
}

// buffer returns group g's buffer of n elements, made (or reused) when the
// group's first tile asks for it.
func (t *tileGroups[T]) buffer(g, n int) []T {
	t.mu.Lock()
	defer t.mu.Unlock()
	if b, ok := t.bufs[g]; ok {
		return b
	}
	var b []T
	if k := len(t.free); k > 0 && cap(t.free[k-1]) >= n {
		b, t.free = t.free[k-1][:n], t.free[:k-1]
	} else {
		b = t.alloc(n)
	}
	t.bufs[g] = b
	return b
}

// done counts a tile of group g, of tiles, as written and reports whether
// it was the group's last, and then hands over the group's buffer (nil
// where the copy is not written through).
func (t *tileGroups[T]) done(g, tiles int) (buf []T, last bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	left, ok := t.left[g]
	if !ok {
		left = tiles
	}
	if left--; left > 0 {
		t.left[g] = left
		return nil, false
	}
	delete(t.left, g)
	buf = t.bufs[g]
	delete(t.bufs, g)
	return buf, true
}

// recycle takes back a buffer done handed over, once written.
func (t *tileGroups[T]) recycle(buf []T) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.free = append(t.free, buf)
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
// into dst, whose rows (cols of them, rows long) start stride elements
// apart, in blocks of transposeBlock square. Eight source rows go
// together, so that each destination row gets eight elements side by side
// (a cache line of float64) per visit rather than one, with one bounds
// check for the eight.
func transpose[T any](dst []T, stride int, src []T, rows, cols int) {
	for r0 := 0; r0 < rows; r0 += transposeBlock {
		r1 := min(r0+transposeBlock, rows)
		for c0 := 0; c0 < cols; c0 += transposeBlock {
			c1 := min(c0+transposeBlock, cols)
			r := r0
			for ; r+8 <= r1; r += 8 {
				s0 := src[r*cols+c0 : r*cols+c1]
				n := len(s0)
				s1 := src[(r+1)*cols+c0:][:n]
				s2 := src[(r+2)*cols+c0:][:n]
				s3 := src[(r+3)*cols+c0:][:n]
				s4 := src[(r+4)*cols+c0:][:n]
				s5 := src[(r+5)*cols+c0:][:n]
				s6 := src[(r+6)*cols+c0:][:n]
				s7 := src[(r+7)*cols+c0:][:n]
				for i, v := range s0 {
					d := dst[(c0+i)*stride+r:][:8]
					d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = v, s1[i], s2[i], s3[i], s4[i], s5[i], s6[i], s7[i]
				}
			}
			for ; r < r1; r++ {
				row := src[r*cols : (r+1)*cols]
				for c := c0; c < c1; c++ {
					dst[c*stride+r] = row[c]
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
