package mmarray

import (
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/go-memmap/memmap/npyheader"
)

// Array is a typed, strided view of a mapped array: NumPy's ndarray over a
// memmap. Views share the File's memory; Slice, Transpose and Reshape make
// new views without copying. An Array is cheap to copy around by pointer and
// safe for concurrent reads; concurrent writes to the same elements are the
// caller's to coordinate.
type Array[T Element] struct {
	file     *File
	data     []byte // the whole array's bytes; every element of the view lies inside
	offset   int    // byte offset of the element at index (0, ..., 0)
	shape    []int
	strides  []int           // in bytes, NumPy's meaning; may be negative
	dtype    npyheader.DType // the dtype of one element (a field's base dtype for a field view)
	info     elementInfo
	swap     bool // the data is in the other byte order
	direct   bool // aligned, native, read in place and not bool: load and store through a *T
	writable bool
}

// View returns a view of the whole array with element type T. T must be the
// Go type for the file's dtype (see Element): int32 for <i4 or >i4, float64
// for <f8, Datetime64 for <M8[ns], string for <U8, []byte for a structured
// dtype, and so on; otherwise the error wraps ErrDTypeMismatch. Data in the
// other byte order, or at an offset not aligned for T, is viewed in place
// and converted element by element.
func View[T Element](f *File) (*Array[T], error) {
	if f.closed.Load() {
		return nil, fmt.Errorf("mmarray: view of %s: %w", f.path, ErrClosed)
	}
	dt := f.header.DType
	shape := append([]int{}, f.header.Shape...)
	a, err := newArray[T](f, dt, 0, shape, contiguousStrides(shape, dt.ItemSize, f.header.FortranOrder))
	if err != nil {
		return nil, fmt.Errorf("mmarray: view of %s: %w", f.path, err)
	}
	return a, nil
}

// newArray makes a view of f's data with elements of dtype dt at the given
// layout, which the caller has checked lies inside the data.
func newArray[T Element](f *File, dt npyheader.DType, offset int, shape, strides []int) (*Array[T], error) {
	info, err := elementFor[T](dt)
	if err != nil {
		return nil, err
	}
	a := &Array[T]{
		file:     f,
		data:     f.data,
		offset:   offset,
		shape:    shape,
		strides:  strides,
		dtype:    dt,
		info:     info,
		swap:     info.partSize > 1 && !dt.IsNative(),
		writable: f.mode != ReadOnly,
	}
	a.direct = !a.swap && info.codec == codecNone && info.kind != npyheader.Bool && isAlignedLayout[T](f.data, offset, strides)
	return a, nil
}

// contiguousStrides are the byte strides of a C- or Fortran-ordered array.
func contiguousStrides(shape []int, itemSize int, fortran bool) []int {
	strides := make([]int, len(shape))
	step := itemSize
	for i := range shape {
		axis := len(shape) - 1 - i
		if fortran {
			axis = i
		}
		strides[axis] = step
		step *= max(shape[axis], 1)
	}
	return strides
}

// derive makes a view sharing a's memory with a new layout.
func (a *Array[T]) derive(offset int, shape, strides []int) *Array[T] {
	b := *a
	b.offset, b.shape, b.strides = offset, shape, strides
	return &b
}

// File is the file the view maps.
func (a *Array[T]) File() *File { return a.file }

// Shape is the view's shape (a copy).
func (a *Array[T]) Shape() []int { return append([]int{}, a.shape...) }

// Strides are the view's strides in bytes, with NumPy's meaning: moving one
// step along axis i moves Strides()[i] bytes in memory. A copy.
func (a *Array[T]) Strides() []int { return append([]int{}, a.strides...) }

// DType is the dtype of the view's elements: the file's dtype, or for a
// view made by Field the field's base dtype (its subarray shape, if any, is
// part of the view's shape). Its Unit gives a datetime view's unit.
func (a *Array[T]) DType() npyheader.DType { return a.dtype }

// Ndim is the number of axes.
func (a *Array[T]) Ndim() int { return len(a.shape) }

// Len is the number of elements (1 for a 0-d view).
func (a *Array[T]) Len() int {
	n := 1
	for _, d := range a.shape {
		n *= d
	}
	return n
}

// Writable reports whether Set is allowed (the file is not in ReadOnly mode).
func (a *Array[T]) Writable() bool { return a.writable }

// byteOffset returns the offset of the element at idx, which must give one
// index per axis; negative indices count from the end, as in NumPy.
func (a *Array[T]) byteOffset(idx []int) int {
	a.file.checkOpen()
	if len(idx) != len(a.shape) {
		panic(fmt.Sprintf("mmarray: %d indices given for an array with %d axes", len(idx), len(a.shape)))
	}
	off := a.offset
	for axis, i := range idx {
		n := a.shape[axis]
		if i < 0 {
			i += n
		}
		if uint(i) >= uint(n) {
			panic(outOfBounds(idx[axis], axis, n))
		}
		off += i * a.strides[axis]
	}
	return off
}

func outOfBounds(i, axis, n int) string {
	return "mmarray: index " + strconv.Itoa(i) + " is out of bounds for axis " + strconv.Itoa(axis) + " with size " + strconv.Itoa(n)
}

// At returns the element at idx, one index per axis (none for a 0-d view).
// Negative indices count from the end. An index out of range panics.
func (a *Array[T]) At(idx ...int) T {
	return a.load(a.byteOffset(idx))
}

// Set stores v at idx, one index per axis. It panics on a ReadOnly file and
// on an index out of range. In ReadWrite and Write mode the change reaches
// the file (durably after Flush); in CopyOnWrite mode it stays in memory.
func (a *Array[T]) Set(v T, idx ...int) {
	if !a.writable {
		panic("mmarray: Set on a read-only view: " + a.file.path + " is open in mode r")
	}
	a.store(a.byteOffset(idx), v)
}

func (a *Array[T]) load(off int) T {
	if a.direct {
		return loadDirect[T](a.data, off)
	}
	if a.info.codec != codecNone {
		return decodeItem[T](a.data[off:off+a.info.size], a.info.codec, a.swap)
	}
	return loadConverted[T](a.data, off, a.info, a.swap)
}

func (a *Array[T]) store(off int, v T) {
	if a.direct {
		storeDirect(a.data, off, v)
		return
	}
	if a.info.codec != codecNone {
		if err := encodeItem(a.data[off:off+a.info.size], v, a.info.codec, a.swap); err != nil {
			panic("mmarray: Set: " + strings.TrimPrefix(err.Error(), "mmarray: "))
		}
		return
	}
	storeConverted(a.data, off, v, a.info, a.swap)
}

// Fits returns nil when Set(v) would store v exactly, and otherwise an error
// wrapping ErrValue that says why: a string longer than an S<n> or U<n>
// item, text that is not valid UTF-8 for U<n>, a []byte whose length is not
// the item size of a V<n> or structured view. Set panics in those cases
// rather than truncating; check untrusted values with Fits first. Values of
// the other element types always fit.
func (a *Array[T]) Fits(v T) error {
	if a.info.codec == codecNone {
		return nil
	}
	return checkItem(v, a.info.codec, a.info.size)
}

// IsContiguous reports whether the view's elements are adjacent in memory in
// C order (Fortran-ordered data is C-contiguous once transposed).
func (a *Array[T]) IsContiguous() bool {
	want := a.info.size
	for axis := len(a.shape) - 1; axis >= 0; axis-- {
		if a.shape[axis] == 0 {
			return true
		}
		if a.shape[axis] != 1 && a.strides[axis] != want {
			return false
		}
		want *= a.shape[axis]
	}
	return true
}

// Contiguous returns the view's elements as a plain Go slice over the mapped
// memory, without copying, when that is possible: the view is C-contiguous
// (see IsContiguous), in native byte order, aligned, and T is neither bool
// (a NumPy bool byte may hold any nonzero value, which a Go bool must not)
// nor string or []byte (which are decoded, not read in place). Otherwise
// it returns nil, false; CopyTo works for every view.
//
// The slice is valid until the File is closed; keep the Array reachable
// while using it (see the package documentation). Writing through it
// faults for a file opened ReadOnly (its pages are mapped read-only); for a
// ReadOnly File from OpenBytes, nothing stops it.
func (a *Array[T]) Contiguous() ([]T, bool) {
	a.file.checkOpen()
	if !a.direct || !a.IsContiguous() {
		return nil, false
	}
	n := a.Len()
	if n == 0 {
		return []T{}, true
	}
	return sliceAt[T](a.data, a.offset, n), true
}

// rows calls fn once per run of elements along the last axis, in C order,
// with the byte offset of the run's first element, its length and stride.
// Callers loop over the run themselves, so no call is made per element.
func (a *Array[T]) rows(fn func(off, count, stride int) bool) {
	a.file.checkOpen()
	nd := len(a.shape)
	if nd == 0 {
		fn(a.offset, 1, 0)
		return
	}
	for _, d := range a.shape {
		if d == 0 {
			return
		}
	}
	last := nd - 1
	idx := make([]int, nd)
	off := a.offset
	for {
		if !fn(off, a.shape[last], a.strides[last]) {
			return
		}
		axis := last - 1
		for ; axis >= 0; axis-- {
			idx[axis]++
			off += a.strides[axis]
			if idx[axis] < a.shape[axis] {
				break
			}
			off -= idx[axis] * a.strides[axis]
			idx[axis] = 0
		}
		if axis < 0 {
			return
		}
	}
}

// CopyTo copies the view's elements into dst in C order (the last index
// moving fastest), whatever the view's layout or byte order, and returns
// the number copied, Len(). It panics if dst is shorter than Len().
func (a *Array[T]) CopyTo(dst []T) int {
	n := a.Len()
	if len(dst) < n {
		panic(fmt.Sprintf("mmarray: CopyTo destination has %d elements, the view has %d", len(dst), n))
	}
	if src, ok := a.Contiguous(); ok {
		return copy(dst, src)
	}
	i := 0
	a.rows(func(off, count, stride int) bool {
		row := dst[i : i+count]
		switch {
		case a.direct:
			gatherDirect(row, a.data, off, stride)
		case a.info.codec != codecNone:
			for j := range row {
				row[j] = decodeItem[T](a.data[off:off+a.info.size], a.info.codec, a.swap)
				off += stride
			}
		default:
			gatherConverted(row, a.data, off, stride, a.info, a.swap)
		}
		i += count
		return true
	})
	return n
}

// Values iterates over the view's elements in C order.
func (a *Array[T]) Values() iter.Seq[T] {
	return func(yield func(T) bool) {
		a.rows(func(off, count, stride int) bool {
			for range count {
				if !yield(a.load(off)) {
					return false
				}
				off += stride
			}
			return true
		})
	}
}

// Fill sets every element of the view to v. It panics on a ReadOnly file.
func (a *Array[T]) Fill(v T) {
	if !a.writable {
		panic("mmarray: Fill on a read-only view: " + a.file.path + " is open in mode r")
	}
	if a.direct {
		a.rows(func(off, count, stride int) bool {
			for range count {
				storeDirect(a.data, off, v)
				off += stride
			}
			return true
		})
		return
	}
	// Encode v once, then copy its bytes into every item.
	item := make([]byte, a.info.size)
	if a.info.codec != codecNone {
		if err := encodeItem(item, v, a.info.codec, a.swap); err != nil {
			panic("mmarray: Fill: " + strings.TrimPrefix(err.Error(), "mmarray: "))
		}
	} else {
		storeConverted(item, 0, v, a.info, a.swap)
	}
	a.rows(func(off, count, stride int) bool {
		for range count {
			copy(a.data[off:off+len(item)], item)
			off += stride
		}
		return true
	})
}

// String describes the view, e.g. "Array[float64] shape [3 4] strides [32 8]".
func (a *Array[T]) String() string {
	return fmt.Sprintf("Array[%s] shape %v strides %v", a.info.goType, a.shape, a.strides)
}
