package mmarray

import (
	"fmt"
	"iter"
	"strconv"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/npyheader"
)

// Array is a typed, strided view of a mapped array: NumPy's ndarray over a
// memmap. Views share the File's memory; Slice, Transpose and Reshape make
// new views without copying. An Array is cheap to copy around by pointer and
// safe for concurrent reads; concurrent writes to the same elements are the
// caller's to coordinate.
type Array[T Element] struct {
	viewCore
}

// viewCore is everything an Array knows, none of it depending on T: the
// element access slow paths work on it, so they are compiled once, not
// once per element type, and cost the inlined fast paths one plain call.
type viewCore struct {
	file     *File
	data     []byte // the whole array's bytes; every element of the view lies inside
	offset   int    // byte offset of the element at index (0, ..., 0)
	shape    []int
	strides  []int           // in bytes, NumPy's meaning; may be negative
	dtype    npyheader.DType // the dtype of one element (a field's base dtype for a field view)
	info     elementInfo
	swap     bool // the data is in the other byte order
	direct   bool // aligned, native, read in place and not bool: load and store through a *T
	swapped  bool // aligned, a plain 2-, 4- or 8-byte number in the other byte order: one load and one byte reversal
	writable bool

	// The layout again for the fixed-rank accessors' inlined fast paths,
	// in the fewest and cheapest expressions (the compiler's inlining
	// budget counts them). For a non-empty view of rank r from 1 to 3,
	// itemShape holds its shape at [r*(r-1)/2 : r*(r+1)/2], step0..2 its
	// strides and origin the address of element (0, ..., 0): At1 reads
	// index 0, At2 indices 1 and 2, At3 indices 3 to 5. Every other entry
	// is 0, so an accessor of another rank fails the fast path's bounds
	// check and takes the slow path. fastShape is itemShape for a direct
	// view and all zeros otherwise: the accessors' first test, the one
	// that lets them load through a *T. setShape is fastShape for a
	// writable view and all zeros for a read-only one: the setters' first
	// test, which keeps the test of writable out of their fast path.
	// swapRows and swapCols are the shape of a byte-swapped 2-D view and
	// zero otherwise: At2's second level, which fits the inlining budget
	// only as two plain fields.
	fastShape           [6]uint
	setShape            [6]uint
	swapRows, swapCols  uint
	itemShape           [6]uint
	step0, step1, step2 int
	origin              elementAddress
}

// View returns a view of the whole array with element type T. T must be the
// Go type for the file's dtype (see Element): int32 for <i4 or >i4, float64
// for <f8, Datetime64 for <M8[ns], string for <U8, []byte for a structured
// dtype, and so on; otherwise the error wraps ErrDTypeMismatch (and after
// Close, memmap.ErrClosed). Data in the
// other byte order, or at an offset not aligned for T, is viewed in place
// and converted element by element.
//
// A nil or zero File is misuse and panics.
func View[T Element](f *File) (*Array[T], error) {
	checkMade(f)
	if f.isClosed() {
		return nil, fmt.Errorf("view of %s: %w", f.path, memmap.ErrClosed)
	}
	dt := f.header.DType
	shape := append([]int{}, f.header.Shape...)
	a, err := newArray[T](f, dt, 0, shape, contiguousStrides(shape, dt.ItemSize, f.header.FortranOrder))
	if err != nil {
		return nil, fmt.Errorf("view of %s: %w", f.path, err)
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
	a := &Array[T]{viewCore{
		file:     f,
		data:     f.data,
		offset:   offset,
		shape:    shape,
		strides:  strides,
		dtype:    dt,
		info:     info,
		swap:     info.partSize > 1 && !dt.IsNative(),
		writable: f.mode != ReadOnly,
	}}
	// Slice, Transpose and Reshape only combine these strides and offsets,
	// so a view derived from an aligned one is aligned too: the flags below
	// are computed once here and copied by derive.
	scalar := info.codec == codecNone && info.kind != npyheader.Bool
	aligned := scalar && isAlignedLayout[T](f.data, offset, strides)
	a.direct = aligned && !a.swap
	a.swapped = aligned && a.swap && info.kind != npyheader.Complex
	a.setFastLayout()
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

// check panics with a *memmap.Misuse unless a is a view made by View (or
// derived from one) whose File is still open. It is what every method calls
// first: a nil or zero Array, or a view used after Close, is misuse.
func (a *Array[T]) check() {
	if a == nil || a.file == nil {
		panicUnmade()
	}
	if a.file.isClosed() {
		panicClosed(a.file.path)
	}
}

// checkMade panics unless a is a view made by View (or derived from one);
// for functions that report a closed File as an error instead.
func (a *Array[T]) checkMade() {
	if a == nil || a.file == nil {
		panicUnmade()
	}
}

func panicUnmade() {
	misuse.Panicf("mmarray: a nil or zero Array: views come from View, Field and the methods of a view")
}

func panicClosed(path string) {
	misuse.Panicf("mmarray: view used after its File was closed: %s", path)
}

// isOpen reports whether the view's File is open, the check every element
// access makes: a plain read of the File's closed flag, which costs the
// inliner less than an atomic load (see File.closed for why it suffices).
// The first-level accessors spell it out, which the inliner prices lower
// still than a call of isOpen.
func (c *viewCore) isOpen() bool { return c.file.closed == 0 }

// derive makes a view sharing a's memory with a new layout.
func (a *Array[T]) derive(offset int, shape, strides []int) *Array[T] {
	b := *a
	b.offset, b.shape, b.strides = offset, shape, strides
	b.setFastLayout()
	return &b
}

// File is the file the view maps.
func (a *Array[T]) File() *File {
	a.check()
	return a.file
}

// Shape is the view's shape (a copy).
func (a *Array[T]) Shape() []int {
	a.check()
	return append([]int{}, a.shape...)
}

// Strides are the view's strides in bytes, with NumPy's meaning: moving one
// step along axis i moves Strides()[i] bytes in memory. A copy.
func (a *Array[T]) Strides() []int {
	a.check()
	return append([]int{}, a.strides...)
}

// DType is the dtype of the view's elements: the file's dtype, or for a
// view made by Field the field's base dtype (its subarray shape, if any, is
// part of the view's shape). Its Unit gives a datetime view's unit. It is a
// deep copy (for a structured dtype that allocates): editing it changes
// nothing in the view.
func (a *Array[T]) DType() npyheader.DType {
	a.check()
	return a.dtype.Clone()
}

// Ndim is the number of axes.
func (a *Array[T]) Ndim() int {
	a.check()
	return len(a.shape)
}

// Len is the number of elements (1 for a 0-d view).
func (a *Array[T]) Len() int {
	a.check()
	return a.count()
}

// count is Len without the check, for callers that made it already.
func (a *Array[T]) count() int {
	n := 1
	for _, d := range a.shape {
		n *= d
	}
	return n
}

// Writable reports whether Set is allowed (the file is not in ReadOnly mode).
func (a *Array[T]) Writable() bool {
	a.check()
	return a.writable
}

// byteOffset returns the offset of the element at idx, which must give one
// index per axis; negative indices count from the end, as in NumPy.
func (c *viewCore) byteOffset(idx []int) int {
	c.file.checkOpen()
	if len(idx) != len(c.shape) {
		misuse.Panicf("mmarray: %d indices given for an array with %d axes", len(idx), len(c.shape))
	}
	off := c.offset
	for axis, i := range idx {
		n := c.shape[axis]
		if i < 0 {
			i += n
		}
		if uint(i) >= uint(n) {
			panicOutOfBounds(idx[axis], axis, n)
		}
		off += i * c.strides[axis]
	}
	return off
}

func panicOutOfBounds(i, axis, n int) {
	misuse.Panicf("%s", outOfBounds(i, axis, n))
}

func outOfBounds(i, axis, n int) string {
	return "mmarray: index " + strconv.Itoa(i) + " is out of bounds for axis " + strconv.Itoa(axis) + " with size " + strconv.Itoa(n)
}

// checkWritable panics unless Set and Fill may write the view.
func (c *viewCore) checkWritable(method string) {
	c.file.checkOpen()
	if !c.writable {
		misuse.Panicf("mmarray: %s on a read-only view: %s is open in mode r", method, c.file.path)
	}
}

// At returns the element at idx, one index per axis (none for a 0-d view).
// Negative indices count from the end. An index out of range panics. At1,
// At2 and At3 are faster for views of those ranks.
func (a *Array[T]) At(idx ...int) T {
	a.checkMade()
	return a.load(a.byteOffset(idx))
}

// Set stores v at idx, one index per axis. It panics on a ReadOnly file and
// on an index out of range. In ReadWrite and Write mode the change reaches
// the file (durably after Flush); in CopyOnWrite mode it stays in memory.
// Set1, Set2 and Set3 are faster for views of those ranks.
func (a *Array[T]) Set(v T, idx ...int) {
	a.checkMade()
	a.checkWritable("Set")
	a.store(a.byteOffset(idx), v)
}

// Fits returns nil when Set(v) would store v exactly, and otherwise an error
// wrapping ErrValue that says why: a string longer than an S<n> or U<n>
// item, text that is not valid UTF-8 for U<n>, a []byte whose length is not
// the item size of a V<n> or structured view. Set panics in those cases
// rather than truncating; check untrusted values with Fits first. Values of
// the other element types always fit.
func (a *Array[T]) Fits(v T) error {
	a.check()
	var misfit string
	switch x := any(v).(type) {
	case string:
		misfit = stringMisfit(x, a.info.codec, a.info.size)
	case []byte:
		misfit = bytesMisfit(x, a.info.codec, a.info.size)
	}
	if misfit != "" {
		return fmt.Errorf("%w: %s", ErrValue, misfit)
	}
	return nil
}

// IsContiguous reports whether the view's elements are adjacent in memory in
// C order (Fortran-ordered data is C-contiguous once transposed).
func (a *Array[T]) IsContiguous() bool {
	a.check()
	return a.isContiguous()
}

// isContiguous is IsContiguous without the check.
func (a *Array[T]) isContiguous() bool {
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
// ReadOnly File from OpenBytes or OpenRawBytes, nothing stops it.
func (a *Array[T]) Contiguous() ([]T, bool) {
	a.check()
	if !a.direct || !a.isContiguous() {
		return nil, false
	}
	n := a.count()
	if n == 0 {
		return []T{}, true
	}
	return sliceAt[T](a.data, a.offset, n), true
}

// CopyTo copies the view's elements into dst in C order (the last index
// moving fastest), whatever the view's layout or byte order, and returns
// the number copied, Len(). It panics if dst is shorter than Len().
func (a *Array[T]) CopyTo(dst []T) int {
	n := a.Len()
	if len(dst) < n {
		misuse.Panicf("mmarray: CopyTo destination has %d elements, the view has %d", len(dst), n)
	}
	if src, ok := a.Contiguous(); ok {
		return copy(dst, src)
	}
	i := 0
	a.runs(0, n, func(off, count, stride int) bool {
		a.gather(dst[i:i+count], off, stride)
		i += count
		return true
	})
	return n
}

// Values iterates over the view's elements in C order. It reads them a
// block at a time (see Blocks) and the iterator is small enough for the
// compiler to inline with the loop body into the caller's loop, so a loop
// over Values costs about what a loop over a slice does. Closing the File
// in the loop's body is misuse: the next block panics, and until then the
// loop may read the unmapped block it is in.
func (a *Array[T]) Values() iter.Seq[T] {
	return func(yield func(T) bool) {
		var c valuesCursor[T]
		for {
			block := c.next(a)
			if len(block) == 0 {
				return
			}
			for _, v := range block {
				if !yield(v) {
					return
				}
			}
		}
	}
}

// valuesCursor hands out Values' blocks: zero-copy runs of the mapping
// where the view is native, aligned and contiguous for at least
// valuesBlockLen elements, and otherwise elements staged in buf.
type valuesCursor[T Element] struct {
	rc      runCursor
	started bool
	buf     [valuesBlockLen]T
}

// valuesBlockLen is the number of elements Values stages at a time when
// the view is not contiguous: 2 KiB of float64, well inside the L1 cache.
const valuesBlockLen = 256

// next returns the next block of a's elements, or nil after the last.
func (c *valuesCursor[T]) next(a *Array[T]) []T {
	if !c.started {
		a.checkMade()
	}
	a.file.checkOpen() // before every block: the File may have been closed in the loop body
	if !c.started {
		c.started = true
		c.rc.start(&a.viewCore, 0, a.Len())
	}
	if c.rc.left == 0 {
		return nil
	}
	stride := c.rc.stride()
	if n := c.rc.runLeft(); a.direct && stride == a.info.size && n >= valuesBlockLen {
		block := sliceAt[T](a.data, c.rc.off, n)
		c.rc.advance(n)
		return block
	}
	staged := 0
	for staged < len(c.buf) && c.rc.left > 0 {
		m := min(c.rc.runLeft(), len(c.buf)-staged)
		a.gather(c.buf[staged:staged+m], c.rc.off, c.rc.stride())
		staged += m
		c.rc.advance(m)
	}
	return c.buf[:staged]
}

// Fill sets every element of the view to v. It panics on a ReadOnly file.
func (a *Array[T]) Fill(v T) {
	a.checkMade()
	a.checkWritable("Fill")
	if a.direct {
		a.runs(0, a.Len(), func(off, count, stride int) bool {
			for range count {
				storeDirect(a.data, off, v)
				off += stride
			}
			return true
		})
		return
	}
	// Encode v once, then copy its bytes into every item.
	a.file.checkOpen()
	scratch := *a
	scratch.data, scratch.offset = make([]byte, a.info.size), 0
	scratch.store(0, v)
	item := scratch.data
	a.runs(0, a.Len(), func(off, count, stride int) bool {
		for range count {
			copy(a.data[off:off+len(item)], item)
			off += stride
		}
		return true
	})
}

// String describes the view, e.g. "Array[float64] shape [3 4] strides [32 8]".
func (a *Array[T]) String() string {
	a.check()
	return fmt.Sprintf("Array[%s] shape %v strides %v", a.info.goType, a.shape, a.strides)
}
