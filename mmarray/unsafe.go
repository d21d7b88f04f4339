package mmarray

import (
	"math/bits"
	"reflect"
	"slices"
	"unsafe"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/npyheader"
)

const reflectString = reflect.String

// All of the package's unsafe code is here: reinterpreting mapped bytes as
// elements, and the element access paths that pass an element by pointer
// so that their slow half is compiled once for every element type.
// Callers have checked that [off, off+size) lies inside data.

// isAlignedLayout reports whether every element of a view with this offset
// and these strides into data is aligned for T.
func isAlignedLayout[T Element](data []byte, offset int, strides []int) bool {
	if len(data) == 0 {
		return true
	}
	var zero T
	align := int(unsafe.Alignof(zero))
	if addressOf(data, offset)%uintptr(align) != 0 {
		return false
	}
	for _, s := range strides {
		if s%align != 0 {
			return false
		}
	}
	return true
}

func loadDirect[T Element](data []byte, off int) T {
	return *(*T)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(data)), off))
}

func storeDirect[T Element](data []byte, off int, v T) {
	*(*T)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(data)), off)) = v
}

// elementAddress is the address of an element in the mapping.
type elementAddress = unsafe.Pointer

// setFastLayout fills itemShape, fastShape, the steps and origin from the
// view's layout (see viewCore).
func (c *viewCore) setFastLayout() {
	c.fastShape, c.setShape, c.itemShape, c.origin = [6]uint{}, [6]uint{}, [6]uint{}, nil
	c.swapRows, c.swapCols = 0, 0
	c.step0, c.step1, c.step2 = 0, 0, 0
	r := len(c.shape)
	if r < 1 || r > 3 || slices.Contains(c.shape, 0) {
		return
	}
	for axis, n := range c.shape {
		c.itemShape[r*(r-1)/2+axis] = uint(n)
	}
	if c.direct {
		c.fastShape = c.itemShape
		if c.writable {
			c.setShape = c.itemShape
		}
	}
	if c.swapped && r == 2 {
		c.swapRows, c.swapCols = c.itemShape[1], c.itemShape[2]
	}
	steps := [3]int{}
	copy(steps[:], c.strides)
	c.step0, c.step1, c.step2 = steps[0], steps[1], steps[2]
	c.origin = unsafe.Add(unsafe.Pointer(unsafe.SliceData(c.data)), c.offset)
}

// The fixed-rank accessors. Each is a fast path the compiler inlines into
// the caller's loop: a direct view of the accessor's rank (fastShape is
// zero otherwise), indices in bounds, the File open (a plain read of its
// closed flag, see File.closed); then one load or
// store. Everything else goes to slow, which is passed as a parameter:
// the compiler prices a call through a parameter as cheap, and once at1
// is inlined the call is to a known function, which is inlined in turn
// when it is small. The slow functions the methods pass (load1 and so on)
// are such small functions: a second inlined fast path for byte-swapped
// views (one load and one byte reversal), then a call to the general,
// non-generic slow path for negative indices, errors and other views.

func at1[T Element](a *Array[T], i int, slow func(*viewCore, unsafe.Pointer, int)) (v T) {
	if uint(i) < a.fastShape[0] && a.file.closed == 0 {
		return *(*T)(unsafe.Add(a.origin, i*a.step0))
	}
	slow(&a.viewCore, unsafe.Pointer(&v), i)
	return v
}

func at2[T Element](a *Array[T], i, j int, slow func(*viewCore, unsafe.Pointer, int, int)) (v T) {
	if uint(i) < a.fastShape[1] && uint(j) < a.fastShape[2] && a.file.closed == 0 {
		return *(*T)(unsafe.Add(a.origin, i*a.step0+j*a.step1))
	}
	slow(&a.viewCore, unsafe.Pointer(&v), i, j)
	return v
}

func at3[T Element](a *Array[T], i, j, k int, slow func(*viewCore, unsafe.Pointer, int, int, int)) (v T) {
	if a == nil { // at3 is out of line: the check costs no inlining budget
		panicUnmade()
	}
	if uint(i) < a.fastShape[3] && uint(j) < a.fastShape[4] && uint(k) < a.fastShape[5] && a.file.closed == 0 {
		return *(*T)(unsafe.Add(a.origin, i*a.step0+j*a.step1+k*a.step2))
	}
	slow(&a.viewCore, unsafe.Pointer(&v), i, j, k)
	return v
}

// The setters test setShape, which is fastShape for a writable view and
// zero for a read-only one, so that Set on a ReadOnly file takes the slow
// path (and panics there) without a test of its own in the fast path.

func set1[T Element](a *Array[T], v T, i int, slow func(*viewCore, unsafe.Pointer, int)) {
	if uint(i) < a.setShape[0] && a.file.closed == 0 {
		*(*T)(unsafe.Add(a.origin, i*a.step0)) = v
		return
	}
	slow(&a.viewCore, unsafe.Pointer(&v), i)
}

func set2[T Element](a *Array[T], v T, i, j int, slow func(*viewCore, unsafe.Pointer, int, int)) {
	if uint(i) < a.setShape[1] && uint(j) < a.setShape[2] && a.file.closed == 0 {
		*(*T)(unsafe.Add(a.origin, i*a.step0+j*a.step1)) = v
		return
	}
	slow(&a.viewCore, unsafe.Pointer(&v), i, j)
}

func set3[T Element](a *Array[T], v T, i, j, k int, slow func(*viewCore, unsafe.Pointer, int, int, int)) {
	if a == nil {
		panicUnmade()
	}
	if uint(i) < a.setShape[3] && uint(j) < a.setShape[4] && uint(k) < a.setShape[5] && a.file.closed == 0 {
		*(*T)(unsafe.Add(a.origin, i*a.step0+j*a.step1+k*a.step2)) = v
		return
	}
	slow(&a.viewCore, unsafe.Pointer(&v), i, j, k)
}

// The second level, inlined into at1, at2, set1 and set2 in place of
// their slow call: a byte-swapped view of rank 1 or 2, indices in bounds,
// the File open; then one load or store and one byte reversal. Its own
// slow call, the general path, and the byte reversal are passed as
// parameters in turn, for the same reason; the reversal's switch is on a
// size that is the same for every element, so the branch costs next to
// nothing. Rank 3 goes straight to the general path: at3 is over the
// budget and not inlined anyway.

func (c *viewCore) load1(dst unsafe.Pointer, i int) {
	swappedLoad1(c, dst, i, loadSwappedInto, (*viewCore).loadSlow1)
}

func (c *viewCore) store1(src unsafe.Pointer, i int) {
	swappedStore1(c, src, i, storeSwappedFrom, (*viewCore).storeSlow1)
}

// load2 does the same with two indices, within the budget only because a
// byte-swapped 2-D view's shape is kept in two plain fields (swapRows,
// swapCols; cost 79). store2 also tests writable and is over the budget,
// so it is a plain function, still without the general path's index
// slice, type switch and conversion.

func (c *viewCore) load2(dst unsafe.Pointer, i, j int) {
	swappedLoad2(c, dst, i, j, loadSwappedInto, (*viewCore).loadSlow2)
}

func (c *viewCore) store2(src unsafe.Pointer, i, j int) {
	if c.swapped && uint(i) < c.itemShape[1] && uint(j) < c.itemShape[2] && c.writable && c.isOpen() {
		storeSwappedFrom(c, src, i*c.step0+j*c.step1)
		return
	}
	c.storeSlow2(src, i, j)
}

func (c *viewCore) load3(dst unsafe.Pointer, i, j, k int) {
	idx := [3]int{i, j, k}
	c.loadInto(dst, c.byteOffset(idx[:]))
}

func (c *viewCore) store3(src unsafe.Pointer, i, j, k int) {
	c.checkWritable("Set3")
	idx := [3]int{i, j, k}
	c.storeFrom(src, c.byteOffset(idx[:]))
}

type (
	swapFunc  func(c *viewCore, p unsafe.Pointer, off int)
	slowFunc1 func(c *viewCore, p unsafe.Pointer, i int)
	slowFunc2 func(c *viewCore, p unsafe.Pointer, i, j int)
)

func swappedLoad1(c *viewCore, dst unsafe.Pointer, i int, load swapFunc, slow slowFunc1) {
	if c.swapped && uint(i) < c.itemShape[0] && c.file.closed == 0 {
		load(c, dst, i*c.step0)
		return
	}
	slow(c, dst, i)
}

func swappedLoad2(c *viewCore, dst unsafe.Pointer, i, j int, load swapFunc, slow slowFunc2) {
	if uint(i) < c.swapRows && uint(j) < c.swapCols && c.file.closed == 0 {
		load(c, dst, i*c.step0+j*c.step1)
		return
	}
	slow(c, dst, i, j)
}

func swappedStore1(c *viewCore, src unsafe.Pointer, i int, store swapFunc, slow slowFunc1) {
	if c.swapped && uint(i) < c.itemShape[0] && c.writable && c.file.closed == 0 {
		store(c, src, i*c.step0)
		return
	}
	slow(c, src, i)
}

// loadSwappedInto reads the number at byte off from the view's origin,
// aligned, 2, 4 or 8 bytes long and in the other byte order, into *dst in
// native order.
func loadSwappedInto(c *viewCore, dst unsafe.Pointer, off int) {
	p := unsafe.Add(c.origin, off)
	switch c.info.size {
	case 8:
		*(*uint64)(dst) = bits.ReverseBytes64(*(*uint64)(p))
	case 4:
		*(*uint32)(dst) = bits.ReverseBytes32(*(*uint32)(p))
	default:
		*(*uint16)(dst) = bits.ReverseBytes16(*(*uint16)(p))
	}
}

// storeSwappedFrom writes the number at src at byte off from the view's
// origin, aligned, in the other byte order.
func storeSwappedFrom(c *viewCore, src unsafe.Pointer, off int) {
	p := unsafe.Add(c.origin, off)
	switch c.info.size {
	case 8:
		*(*uint64)(p) = bits.ReverseBytes64(*(*uint64)(src))
	case 4:
		*(*uint32)(p) = bits.ReverseBytes32(*(*uint32)(src))
	default:
		*(*uint16)(p) = bits.ReverseBytes16(*(*uint16)(src))
	}
}

// The general slow paths: check and resolve the indices (byteOffset
// panics on a closed File or an index out of range), then move the
// element through loadInto or storeFrom.

func (c *viewCore) loadSlow1(dst unsafe.Pointer, i int) {
	idx := [1]int{i}
	c.loadInto(dst, c.byteOffset(idx[:]))
}

func (c *viewCore) loadSlow2(dst unsafe.Pointer, i, j int) {
	idx := [2]int{i, j}
	c.loadInto(dst, c.byteOffset(idx[:]))
}

func (c *viewCore) storeSlow1(src unsafe.Pointer, i int) {
	c.checkWritable("Set1")
	idx := [1]int{i}
	c.storeFrom(src, c.byteOffset(idx[:]))
}

func (c *viewCore) storeSlow2(src unsafe.Pointer, i, j int) {
	c.checkWritable("Set2")
	idx := [2]int{i, j}
	c.storeFrom(src, c.byteOffset(idx[:]))
}

// itemBytes1 and itemBytes2 are ItemBytes1's and ItemBytes2's inlined
// fast path: any view of the rank, index in bounds, File open; then a
// slice of the mapping. slow is the general path, as in at1.

func itemBytes1(c *viewCore, i int, slow func(*viewCore, int) []byte) []byte {
	if uint(i) < c.itemShape[0] && c.isOpen() {
		return unsafe.Slice((*byte)(unsafe.Add(c.origin, i*c.step0)), c.info.size)
	}
	return slow(c, i)
}

func itemBytes2(c *viewCore, i, j int, slow func(*viewCore, int, int) []byte) []byte {
	if uint(i) < c.itemShape[1] && uint(j) < c.itemShape[2] && c.isOpen() {
		return unsafe.Slice((*byte)(unsafe.Add(c.origin, i*c.step0+j*c.step1)), c.info.size)
	}
	return slow(c, i, j)
}

// load reads the element at byte offset off.
func (a *Array[T]) load(off int) (v T) {
	if a.direct {
		return loadDirect[T](a.data, off)
	}
	a.loadInto(unsafe.Pointer(&v), off)
	return v
}

// store writes v at byte offset off.
func (a *Array[T]) store(off int, v T) {
	if a.direct {
		storeDirect(a.data, off, v)
		return
	}
	a.storeFrom(unsafe.Pointer(&v), off)
}

// loadInto reads the element at byte offset off into *dst, a value of the
// view's Go type.
func (c *viewCore) loadInto(dst unsafe.Pointer, off int) {
	item := c.data[off : off+c.info.size]
	switch {
	case c.direct:
		copy(unsafe.Slice((*byte)(dst), len(item)), item)
	case c.info.codec != codecNone:
		if c.info.goType.Kind() == reflectString {
			*(*string)(dst) = decodeString(item, c.info.codec, c.swap)
		} else {
			*(*[]byte)(dst) = decodeBytes(item, c.info.codec)
		}
	default:
		loadConvertedInto(dst, item, c.info, c.swap)
	}
}

// storeFrom writes *src, a value of the view's Go type, at byte offset
// off. A string or []byte that does not fit the item panics.
func (c *viewCore) storeFrom(src unsafe.Pointer, off int) {
	item := c.data[off : off+c.info.size]
	switch {
	case c.direct:
		copy(item, unsafe.Slice((*byte)(src), len(item)))
	case c.info.codec != codecNone:
		var misfit string
		if c.info.goType.Kind() == reflectString {
			misfit = encodeString(item, *(*string)(src), c.info.codec, c.swap)
		} else {
			misfit = encodeBytes(item, *(*[]byte)(src), c.info.codec)
		}
		if misfit != "" {
			misuse.Panicf("mmarray: Set: %s", misfit)
		}
	default:
		storeConvertedFrom(item, src, c.info, c.swap)
	}
}

// loadConvertedInto reads an item that is unaligned, byte-swapped or a
// NumPy bool into *dst: each part (a number, or half of a complex) is
// loaded as an unsigned integer of its size, which compiles to one load
// and one byte swap, instead of a byte-by-byte copy.
func loadConvertedInto(dst unsafe.Pointer, item []byte, info elementInfo, swap bool) {
	switch info.partSize {
	case 1:
		x := item[0]
		if info.kind == npyheader.Bool && x > 1 {
			x = 1 // NumPy reads any nonzero bool byte as True; a Go bool must be 0 or 1.
		}
		*(*uint8)(dst) = x
	case 2:
		*(*uint16)(dst) = load16(item, swap)
	case 4:
		for i := 0; i < len(item); i += 4 {
			*(*uint32)(unsafe.Add(dst, i)) = load32(item[i:], swap)
		}
	default: // 8: int64, uint64, float64, datetimes, both halves of a complex128
		for i := 0; i < len(item); i += 8 {
			*(*uint64)(unsafe.Add(dst, i)) = load64(item[i:], swap)
		}
	}
}

func storeConvertedFrom(item []byte, src unsafe.Pointer, info elementInfo, swap bool) {
	switch info.partSize {
	case 1:
		item[0] = *(*uint8)(src)
	case 2:
		store16(item, *(*uint16)(src), swap)
	case 4:
		for i := 0; i < len(item); i += 4 {
			store32(item[i:], *(*uint32)(unsafe.Add(src, i)), swap)
		}
	default:
		for i := 0; i < len(item); i += 8 {
			store64(item[i:], *(*uint64)(unsafe.Add(src, i)), swap)
		}
	}
}

// sliceAt is the n elements starting at byte off of data, as a []T.
func sliceAt[T Element](data []byte, off, n int) []T {
	return unsafe.Slice((*T)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(data)), off)), n)
}

// gather fills dst with the view's elements at byte offsets off,
// off+stride, off+2*stride, ...: one run of CopyTo, Values and Blocks.
// It dispatches once per run; each case is a tight loop.
func (a *Array[T]) gather(dst []T, off, stride int) {
	switch {
	case a.direct:
		base := unsafe.Pointer(unsafe.SliceData(a.data))
		for j := range dst {
			dst[j] = *(*T)(unsafe.Add(base, off))
			off += stride
		}
	case a.info.codec != codecNone || a.info.partSize != a.info.size || a.info.size == 1:
		// Strings, bools (the only non-direct 1-byte type) and complex
		// numbers (two parts):
		// the general path per element, without a per-element call
		// through an interface.
		base := unsafe.Pointer(unsafe.SliceData(dst))
		size := unsafe.Sizeof(dst[0])
		for j := range dst {
			a.loadInto(unsafe.Add(base, uintptr(j)*size), off)
			off += stride
		}
	default:
		gatherSwapped(unsafe.Pointer(unsafe.SliceData(dst)), len(dst), a.data, off, stride, a.info.size, a.swap)
	}
}

// gatherSwapped fills n items of size 2, 4 or 8 at dst with the
// byte-swapped or unaligned numbers of data at byte offsets off,
// off+stride, ...: one load, one swap and one store per element.
func gatherSwapped(dst unsafe.Pointer, n int, data []byte, off, stride, size int, swap bool) {
	switch size {
	case 2:
		for j := range n {
			*(*uint16)(unsafe.Add(dst, 2*j)) = load16(data[off:], swap)
			off += stride
		}
	case 4:
		for j := range n {
			*(*uint32)(unsafe.Add(dst, 4*j)) = load32(data[off:], swap)
			off += stride
		}
	case 8:
		for j := range n {
			*(*uint64)(unsafe.Add(dst, 8*j)) = load64(data[off:], swap)
			off += stride
		}
	}
}

// scatter stores src in the view's elements at byte offsets off,
// off+stride, off+2*stride, ...: one run of SetRange, gather's inverse.
func (a *Array[T]) scatter(src []T, off, stride int) {
	switch {
	case a.direct && stride == a.info.size:
		copy(sliceAt[T](a.data, off, len(src)), src)
	case a.direct:
		base := unsafe.Pointer(unsafe.SliceData(a.data))
		for _, v := range src {
			*(*T)(unsafe.Add(base, off)) = v
			off += stride
		}
	case a.info.codec != codecNone || a.info.partSize != a.info.size || a.info.size == 1:
		// Strings, bools and complex numbers, as in gather.
		base := unsafe.Pointer(unsafe.SliceData(src))
		size := unsafe.Sizeof(src[0])
		for j := range src {
			a.storeFrom(unsafe.Add(base, uintptr(j)*size), off)
			off += stride
		}
	default:
		scatterSwapped(a.data, off, stride, unsafe.Pointer(unsafe.SliceData(src)), len(src), a.info.size, a.swap)
	}
}

// scatterSwapped stores n numbers of size 2, 4 or 8 from src at byte
// offsets off, off+stride, ... of data, byte-swapped or unaligned: one load,
// one swap and one store per element.
func scatterSwapped(data []byte, off, stride int, src unsafe.Pointer, n, size int, swap bool) {
	switch size {
	case 2:
		for j := range n {
			store16(data[off:], *(*uint16)(unsafe.Add(src, 2*j)), swap)
			off += stride
		}
	case 4:
		for j := range n {
			store32(data[off:], *(*uint32)(unsafe.Add(src, 4*j)), swap)
			off += stride
		}
	case 8:
		for j := range n {
			store64(data[off:], *(*uint64)(unsafe.Add(src, 8*j)), swap)
			off += stride
		}
	}
}

// recordsAt is the n records starting at byte off of data, as a []S.
func recordsAt[S any](data []byte, off, n int) []S {
	return unsafe.Slice((*S)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(data)), off)), n)
}

// addressOf is the address of byte off of data, for alignment checks.
func addressOf(data []byte, off int) uintptr {
	return uintptr(unsafe.Add(unsafe.Pointer(unsafe.SliceData(data)), off))
}

// elementBytes is the memory of s as bytes, for writing elements that are
// already in the file's layout.
func elementBytes[T Element](s []T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(*new(T))))
}

// storeSwapped stores the numbers of src into dst byte-swapped, in parts
// of partSize bytes (2, 4 or 8: a whole number, or half of a complex one).
func storeSwapped[T Element](dst []byte, src []T, partSize int) {
	n := len(src) * int(unsafe.Sizeof(*new(T))) / partSize
	scatterSwapped(dst, 0, partSize, unsafe.Pointer(unsafe.SliceData(src)), n, partSize, true)
}
