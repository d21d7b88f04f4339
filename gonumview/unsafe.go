package gonumview

import "unsafe"

// All of the package's unsafe code is here.

// elementSize is the size in bytes of a T, and elementAlign its alignment.
func elementSize[T float32 | float64]() int {
	var zero T
	return int(unsafe.Sizeof(zero))
}

func elementAlign[T float32 | float64]() int {
	var zero T
	return int(unsafe.Alignof(zero))
}

// isAligned reports whether item, the bytes of one element in place, is
// aligned for T.
func isAligned[T float32 | float64](item []byte) bool {
	return uintptr(unsafe.Pointer(unsafe.SliceData(item)))%uintptr(elementAlign[T]()) == 0
}

// elementsFrom is the n elements of T starting at item's first byte. The
// caller has checked that all n lie in the same mapping as item.
func elementsFrom[T float32 | float64](item []byte, n int) []T {
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(item))), n)
}
