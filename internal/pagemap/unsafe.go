package pagemap

import "unsafe"

// span is the address of s's first byte and the bytes it covers.
func span[E any](s []E) (start, size uintptr) {
	var e E
	return uintptr(unsafe.Pointer(unsafe.SliceData(s))), uintptr(len(s)) * unsafe.Sizeof(e)
}
