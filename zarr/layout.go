package zarr

import (
	"sort"

	"github.com/go-memmap/memmap/internal/fillbytes"
)

// Elements move between chunks and arrays as bytes: an n-dimensional box of
// items, with byte strides on each side. runs walks such a box as the
// fewest contiguous runs, so that a box that is contiguous on both sides
// (a chunk of a C-order array, row by row) costs one call per run, not one
// per item.

// layoutStrides returns the byte strides of a C-order (or, fortran, a
// Fortran-order) array of shape with items of item bytes.
func layoutStrides(shape []int, item int, fortran bool) []int {
	strides := make([]int, len(shape))
	step := item
	for k := range shape {
		axis := len(shape) - 1 - k
		if fortran {
			axis = k
		}
		strides[axis] = step
		step *= shape[axis]
	}
	return strides
}

// runs calls fn(dstOff, srcOff, n) for the contiguous runs of bytes that
// copy the box of the given shape from a layout with srcStrides to one
// with dstStrides, both in bytes from the box's first item; item is the
// item size. Axes are visited with the destination's largest strides
// outermost, so that two Fortran layouts run as contiguously as two C
// layouts. fn is not called for an empty box.
func runs(shape, dstStrides, srcStrides []int, item int, fn func(dstOff, srcOff, n int)) {
	for _, n := range shape {
		if n == 0 {
			return
		}
	}
	outer, run := runPlan(shape, dstStrides, srcStrides, item)
	idx := make([]int, len(outer))
	dst, src := 0, 0
	for {
		fn(dst, src, run)
		// Advance the odometer over the outer axes, innermost first.
		k := len(outer) - 1
		for ; k >= 0; k-- {
			axis := outer[k]
			idx[k]++
			dst += dstStrides[axis]
			src += srcStrides[axis]
			if idx[k] < shape[axis] {
				break
			}
			dst -= idx[k] * dstStrides[axis]
			src -= idx[k] * srcStrides[axis]
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

// runPlan is how runs walks a box: the axes it steps through, outermost
// first, and the bytes of each run (the innermost axes, merged while both
// sides are contiguous across them).
func runPlan(shape, dstStrides, srcStrides []int, item int) (outer []int, run int) {
	rank := len(shape)
	// order lists the axes outermost first.
	order := make([]int, rank)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return dstStrides[order[i]] > dstStrides[order[j]] })
	// Merge the innermost axes while both sides are contiguous across them.
	run, inner := item, rank
	for inner > 0 {
		axis := order[inner-1]
		if shape[axis] != 1 && (dstStrides[axis] != run || srcStrides[axis] != run) {
			break
		}
		run *= shape[axis]
		inner--
	}
	return order[:inner], run
}

// isOneRun reports whether runs copies the box in one run from offset 0 to
// offset 0: it is contiguous, in the same order, on both sides.
func isOneRun(shape, dstStrides, srcStrides []int, item int) bool {
	outer, _ := runPlan(shape, dstStrides, srcStrides, item)
	return len(outer) == 0
}

// boxOf returns the part of chunk idx that lies inside the array: its first
// element's coordinates and its extent along each axis.
func boxOf(idx, chunks, shape []int) (lo, extent []int) {
	lo = make([]int, len(idx))
	extent = make([]int, len(idx))
	for axis, i := range idx {
		lo[axis] = i * chunks[axis]
		extent[axis] = min(chunks[axis], shape[axis]-lo[axis])
	}
	return lo, extent
}

// offset is the byte offset of the element at coordinates lo in a layout
// with the given strides.
func offset(lo, strides []int) int {
	off := 0
	for axis, i := range lo {
		off += i * strides[axis]
	}
	return off
}

// filledBefore is how many leading bytes of a chunk of the given shape and
// strides the copy of a box of extent (an edge chunk's) writes whole: all
// of the box when it is cut short along the outermost axis only (the usual
// last chunk of a C array along axis 0), so that only the bytes after it
// need the fill value; none otherwise.
func filledBefore(extent, shape, strides []int) int {
	if len(strides) == 0 {
		return 0
	}
	outer := 0
	for axis := range strides {
		if strides[axis] > strides[outer] {
			outer = axis
		}
	}
	for axis := range extent {
		if axis != outer && extent[axis] != shape[axis] {
			return 0
		}
	}
	return extent[outer] * strides[outer]
}

// fillItems repeats item over dst (zeros for a nil item), in pieces the
// garbage collector is not kept waiting on.
func fillItems(dst, item []byte) { fillbytes.Items(dst, item, 0) }
