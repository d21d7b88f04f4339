package mmarray

import (
	"unsafe"

	"github.com/go-memmap/memmap/npyheader"
)

// All of the package's unsafe code is here: reinterpreting mapped bytes as
// elements. Callers have checked that [off, off+size) lies inside data.

// isAlignedLayout reports whether every element of a view with this offset
// and these strides into data is aligned for T.
func isAlignedLayout[T Element](data []byte, offset int, strides []int) bool {
	if len(data) == 0 {
		return true
	}
	var zero T
	align := int(unsafe.Alignof(zero))
	if (int(uintptr(unsafe.Pointer(unsafe.SliceData(data))))+offset)%align != 0 {
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

// loadConverted reads an element that is unaligned, byte-swapped or a NumPy
// bool, through a copy of its bytes.
func loadConverted[T Element](data []byte, off int, info elementInfo, swap bool) T {
	var v T
	b := unsafe.Slice((*byte)(unsafe.Pointer(&v)), info.size)
	copy(b, data[off:off+info.size])
	if swap {
		swapParts(b, info.partSize)
	}
	if info.kind == npyheader.Bool && b[0] > 1 {
		b[0] = 1 // NumPy reads any nonzero bool byte as True; a Go bool must be 0 or 1.
	}
	return v
}

func storeConverted[T Element](data []byte, off int, v T, info elementInfo, swap bool) {
	b := unsafe.Slice((*byte)(unsafe.Pointer(&v)), info.size)
	if swap {
		swapParts(b, info.partSize)
	}
	copy(data[off:off+info.size], b)
}

// swapParts reverses the byte order of each part-sized unit of b.
func swapParts(b []byte, part int) {
	for start := 0; start < len(b); start += part {
		p := b[start : start+part]
		for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
			p[i], p[j] = p[j], p[i]
		}
	}
}

// sliceAt is the n elements starting at byte off of data, as a []T.
func sliceAt[T Element](data []byte, off, n int) []T {
	return unsafe.Slice((*T)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(data)), off)), n)
}

// gatherDirect fills dst with the aligned, native elements of data at byte
// offsets off, off+stride, off+2*stride, ...: the inner loop of CopyTo.
func gatherDirect[T Element](dst []T, data []byte, off, stride int) {
	base := unsafe.Pointer(unsafe.SliceData(data))
	for j := range dst {
		dst[j] = *(*T)(unsafe.Add(base, off))
		off += stride
	}
}
