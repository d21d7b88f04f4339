package zarr

import (
	"fmt"
	"math"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/misuse"
)

// ReadRegion returns the items of the box that starts at start and has the
// given shape (one entry per axis each), as bytes in C order, in dst when
// it has the capacity, else in a new slice: what NumPy's
// z[start[0]:start[0]+shape[0], ...].tobytes() gives. Wrap the result with
// mmarray.OpenRawBytes(name, b, mmarray.ReadOnly, a.Descr(), shape) for a
// typed view of it. Only the chunks that the box meets are read, each
// once. Errors are ReadChunk's, and memmap.ErrTooLarge for a box whose
// bytes do not fit an int. A box outside the array is misuse and
// panics with a *memmap.Misuse.
func (a *Array) ReadRegion(start, shape []int, dst []byte) ([]byte, error) {
	rank := len(a.l.shape)
	if len(start) != rank || len(shape) != rank {
		misuse.Panicf("zarr: ReadRegion(%v, %v) of an array of rank %d", start, shape, rank)
	}
	for axis := range rank {
		if start[axis] < 0 || shape[axis] < 0 || start[axis] > a.l.shape[axis] || shape[axis] > a.l.shape[axis]-start[axis] {
			misuse.Panicf("zarr: ReadRegion(%v, %v) outside the shape %v", start, shape, a.l.shape)
		}
	}
	item := a.l.dtype.ItemSize
	// The box's bytes must fit an int: an array's shape may be far larger
	// than memory (its missing chunks cost nothing).
	count, size := 1, item
	for _, n := range shape {
		if n == 0 {
			count, size = 0, 0
			break
		}
		if count > math.MaxInt/n || (size > 0 && size > math.MaxInt/n) {
			return nil, fmt.Errorf("read region %v+%v of %s: %w: the region's bytes do not fit an int", start, shape, a.path, memmap.ErrTooLarge)
		}
		count *= n
		size *= n
	}
	if cap(dst) < size {
		dst = make([]byte, size)
	}
	dst = dst[:size]
	if count == 0 {
		return dst, nil
	}
	dstStrides := layoutStrides(shape, item, false)
	chunkStrides := layoutStrides(a.l.chunks, item, a.l.fortran)
	// The chunks the box meets: from first to last along each axis.
	first, last := make([]int, rank), make([]int, rank)
	for axis := range rank {
		first[axis] = start[axis] / a.l.chunks[axis]
		last[axis] = (start[axis] + shape[axis] - 1) / a.l.chunks[axis]
	}
	idx := append([]int{}, first...)
	var chunk []byte
	lo, hi, extent := make([]int, rank), make([]int, rank), make([]int, rank)
	inChunk, inBox := make([]int, rank), make([]int, rank)
	for {
		var err error
		if chunk, err = a.ReadChunk(idx, chunk); err != nil {
			return nil, err
		}
		for axis := range rank {
			c := a.l.chunks[axis]
			lo[axis] = max(start[axis], idx[axis]*c)
			hi[axis] = min(start[axis]+shape[axis], (idx[axis]+1)*c)
			extent[axis] = hi[axis] - lo[axis]
			inChunk[axis] = lo[axis] - idx[axis]*c
			inBox[axis] = lo[axis] - start[axis]
		}
		dstBase, srcBase := offset(inBox, dstStrides), offset(inChunk, chunkStrides)
		runs(extent, dstStrides, chunkStrides, item, func(d, s, n int) {
			copy(dst[dstBase+d:dstBase+d+n], chunk[srcBase+s:srcBase+s+n])
		})
		// Next chunk, last axis fastest.
		k := rank - 1
		for ; k >= 0; k-- {
			if idx[k] < last[k] {
				idx[k]++
				break
			}
			idx[k] = first[k]
		}
		if k < 0 {
			return dst, nil
		}
	}
}
