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

// loadConverted reads an element that is unaligned, byte-swapped or a NumPy
// bool: each part (a number, or half of a complex) is loaded as an unsigned
// integer of its size, which compiles to one load and one byte swap,
// instead of a byte-by-byte copy.
func loadConverted[T Element](data []byte, off int, info elementInfo, swap bool) T {
	var v T
	p := unsafe.Pointer(&v)
	b := data[off : off+info.size]
	switch info.partSize {
	case 1:
		x := b[0]
		if info.kind == npyheader.Bool && x > 1 {
			x = 1 // NumPy reads any nonzero bool byte as True; a Go bool must be 0 or 1.
		}
		*(*uint8)(p) = x
	case 2:
		*(*uint16)(p) = load16(b, swap)
	case 4:
		for i := 0; i < info.size; i += 4 {
			*(*uint32)(unsafe.Add(p, i)) = load32(b[i:], swap)
		}
	default: // 8: int64, uint64, float64, datetimes, both halves of a complex128
		for i := 0; i < info.size; i += 8 {
			*(*uint64)(unsafe.Add(p, i)) = load64(b[i:], swap)
		}
	}
	return v
}

func storeConverted[T Element](data []byte, off int, v T, info elementInfo, swap bool) {
	p := unsafe.Pointer(&v)
	b := data[off : off+info.size]
	switch info.partSize {
	case 1:
		b[0] = *(*uint8)(p)
	case 2:
		store16(b, *(*uint16)(p), swap)
	case 4:
		for i := 0; i < info.size; i += 4 {
			store32(b[i:], *(*uint32)(unsafe.Add(p, i)), swap)
		}
	default:
		for i := 0; i < info.size; i += 8 {
			store64(b[i:], *(*uint64)(unsafe.Add(p, i)), swap)
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

// gatherConverted fills dst with the byte-swapped or unaligned numeric
// elements of data at byte offsets off, off+stride, ...: the inner loop of
// CopyTo off the direct path. Each unit size has its own tight loop, so
// the per-element work is one load, one swap and one store.
func gatherConverted[T Element](dst []T, data []byte, off, stride int, info elementInfo, swap bool) {
	base := unsafe.Pointer(unsafe.SliceData(dst))
	switch {
	case info.partSize == 2 && info.size == 2:
		for j := range dst {
			*(*uint16)(unsafe.Add(base, 2*j)) = load16(data[off:], swap)
			off += stride
		}
	case info.partSize == 4 && info.size == 4:
		for j := range dst {
			*(*uint32)(unsafe.Add(base, 4*j)) = load32(data[off:], swap)
			off += stride
		}
	case info.partSize == 8 && info.size == 8:
		for j := range dst {
			*(*uint64)(unsafe.Add(base, 8*j)) = load64(data[off:], swap)
			off += stride
		}
	default: // bools, and complex numbers (two parts each)
		for j := range dst {
			dst[j] = loadConverted[T](data, off, info, swap)
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
