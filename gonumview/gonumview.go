package gonumview

import (
	"fmt"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Dense returns a *mat.Dense over the 2-D float64 view a, sharing its
// memory: the matrix's element (i, j) is a.At2(i, j). The view must be
// row-major in place (see the package documentation); otherwise, and for
// an empty view, the error wraps ErrLayout. The matrix is valid until the
// File is closed and only while a is reachable; writes through it fault on
// a ReadOnly file (see Aliasing in the package documentation).
func Dense(a *mmarray.Array[float64]) (*mat.Dense, error) {
	g, err := rowMajor(a, "dense matrix")
	if err != nil {
		return nil, err
	}
	if g.rows == 0 || g.cols == 0 {
		return nil, fmt.Errorf("dense matrix over %s of %s: empty, and gonum has no empty matrix of a given shape: %w", a, a.File().Path(), ErrLayout)
	}
	var m mat.Dense
	m.SetRawMatrix(blas64.General{Rows: g.rows, Cols: g.cols, Stride: g.stride, Data: g.data})
	return &m, nil
}

// General64 returns the blas64.General over the 2-D float64 view a, sharing
// its memory, for gonum's blas64 routines; the terms and errors are
// Dense's, except that an empty view is described (nil Data, Stride at
// least 1, as BLAS wants) rather than refused.
func General64(a *mmarray.Array[float64]) (blas64.General, error) {
	g, err := rowMajor(a, "blas64 matrix")
	if err != nil {
		return blas64.General{}, err
	}
	return blas64.General{Rows: g.rows, Cols: g.cols, Stride: g.stride, Data: g.data}, nil
}

// General32 returns the blas32.General over the 2-D float32 view a, sharing
// its memory, for gonum's blas32 routines; the terms and errors are
// General64's.
func General32(a *mmarray.Array[float32]) (blas32.General, error) {
	g, err := rowMajor(a, "blas32 matrix")
	if err != nil {
		return blas32.General{}, err
	}
	return blas32.General{Rows: g.rows, Cols: g.cols, Stride: g.stride, Data: g.data}, nil
}

// general is a view's memory described as gonum describes a row-major
// matrix: element (i, j) is data[i*stride+j].
type general[T float32 | float64] struct {
	rows, cols, stride int
	data               []T
}

// rowMajor describes the view a as a row-major matrix over its own memory,
// or returns why it cannot be one; what names the matrix being made, for
// the error's context.
func rowMajor[T float32 | float64](a *mmarray.Array[T], what string) (general[T], error) {
	shape := a.Shape() // first, so that a nil or closed view panics as mmarray's methods do
	refuse := func(format string, args ...any) (general[T], error) {
		return general[T]{}, fmt.Errorf("%s over %s of %s: %s: %w", what, a, a.File().Path(), fmt.Sprintf(format, args...), ErrLayout)
	}
	if len(shape) != 2 {
		return refuse("%d-D, not 2-D", len(shape))
	}
	if dt := a.DType(); !dt.IsNative() {
		return refuse("%s data on a %s machine", dt.Order, npyheader.NativeOrder())
	}
	rows, cols := shape[0], shape[1]
	if rows == 0 || cols == 0 {
		return general[T]{rows: rows, cols: cols, stride: max(cols, 1)}, nil
	}

	// As in NumPy, the step of an axis of length 1 is never taken, so it
	// does not count: a single row or column fits whatever its strides say.
	size := elementSize[T]()
	strides := a.Strides()
	colStep, rowStep := strides[1], strides[0]
	if cols == 1 {
		colStep = size
	}
	if rows == 1 {
		rowStep = cols * size
	}
	if colStep != size {
		return refuse("elements of a row are %d bytes apart, not %d (columns are stored apart, skipped or reversed)", colStep, size)
	}
	if rowStep%size != 0 || rowStep < cols*size {
		return refuse("rows are %d bytes apart, not a multiple of %d bytes that is at least a row (%d bytes)", rowStep, size, cols*size)
	}
	first := a.ItemBytes2(0, 0)
	if !isAligned[T](first) {
		return refuse("data not aligned for %d-byte elements", size)
	}

	// The matrix runs from element (0, 0) to element (rows-1, cols-1), both
	// inside the view's memory (one mapping, or the one byte slice of an
	// in-memory File), so every byte in between is inside it too.
	stride := rowStep / size
	n := (rows-1)*stride + cols
	return general[T]{rows: rows, cols: cols, stride: stride, data: elementsFrom[T](first, n)}, nil
}
