package mmarray

import (
	"cmp"
	"iter"
	"slices"

	"github.com/go-memmap/memmap/internal/misuse"
)

// Blocks iterates over the view's elements in C order (the order of CopyTo
// and Values) as a sequence of contiguous []T blocks, each with the flat
// C-order index of its first element. It is the way to run a loop over a
// view of any layout without a call per element:
//
//	buf := make([]float64, 4096)
//	for _, block := range a.Blocks(buf) {
//		for _, x := range block { sum += x }
//	}
//
// Where the view's memory holds a run of elements in order (the last axis,
// merged with the axes before it while they are contiguous), natively and
// aligned, a block is that run itself, a slice of the mapping with no copy,
// and may be longer than buf. Elsewhere (strided or byte-swapped data,
// short runs, bools, strings) elements are read into buf, decoded and in
// native byte order, and a block is at most len(buf) long; buf is reused
// for every block, so a block is valid only until the next one. A nil buf
// means zero-copy blocks of any length and, when the layout needs staging,
// one buffer of 2048 elements allocated by the iteration.
//
// Blocks are for reading: a zero-copy block aliases the mapping, as
// Contiguous's slice does, and is valid until the File is closed. Writing
// through it bypasses Set's checks: it faults for a file opened ReadOnly
// (its pages are mapped read-only), and for a ReadOnly File from OpenBytes or OpenRawBytes
// nothing stops it.
//
// To walk the elements in the order they lie in memory, whatever the view's
// axis order (a Fortran file, a transposed view), call Blocks on
// StorageOrder(); to split the work, give each worker a range of
// BlocksRange.
func (a *Array[T]) Blocks(buf []T) iter.Seq2[int, []T] {
	return a.BlocksRange(0, a.Len(), buf)
}

// BlocksRange is Blocks restricted to the elements with flat C-order
// indices lo to hi-1: disjoint ranges, say [w*n/k, (w+1)*n/k) for worker w
// of k, cover the view once between them, and each can be walked in its
// own goroutine with its own buf. It panics unless 0 <= lo <= hi <= Len().
func (a *Array[T]) BlocksRange(lo, hi int, buf []T) iter.Seq2[int, []T] {
	if lo < 0 || hi < lo || hi > a.Len() {
		misuse.Panicf("mmarray: BlocksRange [%d, %d) is not a range of a view of %d elements", lo, hi, a.Len())
	}
	return func(yield func(int, []T) bool) {
		pos, staged := lo, 0
		stopped := false
		emit := func(block []T) bool {
			if !yield(pos, block) {
				stopped = true
				return false
			}
			pos += len(block)
			return true
		}
		a.runs(lo, hi, func(off, count, stride int) bool {
			if a.direct && stride == a.info.size && count >= min(len(buf), minZeroCopyRun) {
				if staged > 0 {
					if !emit(buf[:staged]) {
						return false
					}
					staged = 0
				}
				return emit(sliceAt[T](a.data, off, count))
			}
			if len(buf) == 0 {
				buf = make([]T, defaultBlockLen)
			}
			for count > 0 {
				m := min(count, len(buf)-staged)
				a.gather(buf[staged:staged+m], off, stride)
				staged += m
				off += m * stride
				count -= m
				if staged == len(buf) {
					if !emit(buf) {
						return false
					}
					staged = 0
				}
			}
			return true
		})
		if !stopped && staged > 0 {
			emit(buf[:staged])
		}
	}
}

// SetRange stores src in the view's elements with flat C-order indices lo
// to lo+len(src)-1, whatever the view's layout or byte order: it is the
// writing counterpart of BlocksRange (and of CopyTo), one tight loop per run
// of the view with no call per element, so a view of any layout can be
// filled from blocks computed in a buffer. Disjoint ranges may be stored
// from different goroutines at once. It panics, as Set does, on a ReadOnly
// file, a closed File, or a string or []byte that does not fit its item,
// and unless 0 <= lo and lo+len(src) <= Len().
func (a *Array[T]) SetRange(lo int, src []T) {
	a.checkMade()
	a.checkWritable("SetRange")
	if lo < 0 || len(src) > a.Len()-lo {
		misuse.Panicf("mmarray: SetRange of %d elements at %d is not a range of a view of %d elements", len(src), lo, a.Len())
	}
	done := 0
	a.runs(lo, lo+len(src), func(off, count, stride int) bool {
		a.scatter(src[done:done+count], off, stride)
		done += count
		return true
	})
}

const (
	// minZeroCopyRun is the shortest run of contiguous elements Blocks
	// hands out in place, when buf is at least that long: shorter runs
	// are staged into buf, so that a view of many short rows still comes
	// in long blocks.
	minZeroCopyRun = 256
	// defaultBlockLen is the length of the buffer Blocks allocates when
	// it needs one and was given none.
	defaultBlockLen = 2048
)

// runs calls fn once per run of the view's elements with flat C-order
// indices in [lo, hi), in order: the byte offset of the run's first
// element, its length and its stride. A run is a stretch of the
// innermost axis after merging axes that are contiguous with each other,
// so a C-contiguous view is one run. Callers loop over a run themselves;
// no call is made per element.
func (c *viewCore) runs(lo, hi int, fn func(off, count, stride int) bool) {
	c.file.checkOpen()
	var rc runCursor
	rc.start(c, lo, hi)
	for rc.left > 0 {
		count := rc.runLeft()
		if !fn(rc.off, count, rc.stride()) {
			return
		}
		rc.advance(count)
	}
}

// runCursor walks a view's elements run by run (see runs), a given number
// of elements at a time.
type runCursor struct {
	shape, strides []int // the view's layout, merged (mergeAxes)
	idx            []int // the index of the next element in that layout
	off            int   // the next element's byte offset
	left           int   // the number of elements still to walk
}

// start places the cursor on the element with flat C-order index lo, with
// hi-lo elements to walk.
func (rc *runCursor) start(c *viewCore, lo, hi int) {
	rc.left = hi - lo
	if rc.left <= 0 {
		rc.left = 0
		return
	}
	rc.shape, rc.strides = mergeAxes(c.shape, c.strides, c.info.size)
	rc.idx = make([]int, len(rc.shape))
	rc.off = c.offset
	for axis, rest := len(rc.shape)-1, lo; axis >= 0; axis-- {
		rc.idx[axis] = rest % rc.shape[axis]
		rest /= rc.shape[axis]
		rc.off += rc.idx[axis] * rc.strides[axis]
	}
}

// runLeft is the number of elements from the cursor to the end of its run
// or of the walk, whichever comes first.
func (rc *runCursor) runLeft() int {
	last := len(rc.shape) - 1
	return min(rc.shape[last]-rc.idx[last], rc.left)
}

// stride is the byte step between the elements of a run.
func (rc *runCursor) stride() int { return rc.strides[len(rc.strides)-1] }

// advance moves the cursor n elements on, n at most runLeft().
func (rc *runCursor) advance(n int) {
	rc.left -= n
	last := len(rc.shape) - 1
	rc.idx[last] += n
	rc.off += n * rc.strides[last]
	if rc.idx[last] < rc.shape[last] || rc.left == 0 {
		return
	}
	// The run is over: move to the start of the next one, carrying into
	// outer axes.
	rc.off -= rc.idx[last] * rc.strides[last]
	rc.idx[last] = 0
	for axis := last - 1; axis >= 0; axis-- {
		rc.idx[axis]++
		rc.off += rc.strides[axis]
		if rc.idx[axis] < rc.shape[axis] {
			break
		}
		rc.off -= rc.idx[axis] * rc.strides[axis]
		rc.idx[axis] = 0
	}
}

// mergeAxes returns a layout of the same elements in the same C order with
// as few axes as possible, at least one: axes of length 1 go, and an axis
// merges into the next when stepping over it is the same as stepping over
// all of the next one. A view of one element becomes one axis of length 1
// with the item size as its stride, so that it counts as a contiguous run.
// It is meant for non-empty views.
func mergeAxes(shape, strides []int, itemSize int) ([]int, []int) {
	var outShape, outStrides []int
	for axis, n := range shape {
		if n == 1 {
			continue
		}
		last := len(outShape) - 1
		if last >= 0 && outStrides[last] == n*strides[axis] {
			outShape[last] *= n
			outStrides[last] = strides[axis]
			continue
		}
		outShape = append(outShape, n)
		outStrides = append(outStrides, strides[axis])
	}
	if len(outShape) == 0 {
		return []int{1}, []int{itemSize}
	}
	return outShape, outStrides
}

// StorageOrder returns a view of the same elements whose C order is the
// order they lie in memory: axes sorted by decreasing stride, and axes with
// a negative stride reversed. For a C-ordered file it is the view itself;
// for a Fortran file, or a transposed or reversed view, its Blocks are
// long zero-copy runs where the view's own are strided. Use it when the
// order of the elements does not matter (a sum, a minimum, a histogram);
// the element at StorageOrder's flat index is not, in general, the one at
// the same flat index of the view.
func (a *Array[T]) StorageOrder() *Array[T] {
	a.check()
	nd := len(a.shape)
	offset := a.offset
	strides := append([]int{}, a.strides...)
	if a.Len() > 0 {
		for axis, s := range strides {
			if s < 0 {
				offset += (a.shape[axis] - 1) * s
				strides[axis] = -s
			}
		}
	}
	axes := make([]int, nd)
	for i := range axes {
		axes[i] = i
	}
	slices.SortStableFunc(axes, func(x, y int) int { return cmp.Compare(strides[y], strides[x]) })
	shape := make([]int, nd)
	sorted := make([]int, nd)
	for i, axis := range axes {
		shape[i], sorted[i] = a.shape[axis], strides[axis]
	}
	return a.derive(offset, shape, sorted)
}
