//go:build linux || darwin

package pagecache

// This file holds every use of package unsafe on Unix.

import (
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawRange is an address range outside the Go heap. It is the argument of
// the cleanup that releases a closed Mapping's guard, so it must not refer
// to the Mapping.
type rawRange struct {
	addr unsafe.Pointer
	n    uintptr
}

// mmapBytes maps n bytes of fd at off and returns them as a slice. It uses
// MmapPtr rather than unix.Mmap so that x/sys does not track the mapping:
// we never hand it back to unix.Munmap.
func mmapBytes(fd int, off int64, n int, prot, flags int) ([]byte, error) {
	p, err := unix.MmapPtr(fd, off, nil, uintptr(n), prot, flags)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*byte)(p), n), nil
}

// guard atomically replaces the pages of b with an anonymous, inaccessible
// reservation at the same address (MAP_FIXED), and returns that range.
func guard(b []byte) (rawRange, error) {
	r := rawRange{addr: unsafe.Pointer(unsafe.SliceData(b)), n: uintptr(len(b))}
	p, err := unix.MmapPtr(-1, 0, r.addr, r.n, unix.PROT_NONE,
		unix.MAP_FIXED|unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE)
	if err != nil {
		return rawRange{}, err
	}
	if p != r.addr { // cannot happen with MAP_FIXED; be safe anyway
		_ = unix.MunmapPtr(p, r.n)
		return rawRange{}, unix.EINVAL
	}
	return r, nil
}

// unmapBytes unmaps b, which must be a whole range returned by mmapBytes.
func unmapBytes(b []byte) error {
	return unix.MunmapPtr(unsafe.Pointer(unsafe.SliceData(b)), uintptr(len(b)))
}

// releaseGuard unmaps a reservation made by guard.
func releaseGuard(r rawRange) { _ = unix.MunmapPtr(r.addr, r.n) }

// guardRelease is the cleanup keepGuard registers: releaseGuard, which a
// test wraps to learn when a release has run (cleanups run on the runtime's
// own goroutines, at no predictable time after the collection).
var guardRelease = releaseGuard

// keepGuard arranges for the reservation r to be released once owner is
// unreachable.
func keepGuard(owner *Mapping, r rawRange) { runtime.AddCleanup(owner, guardRelease, r) }

// mincore fills vec with one byte per page of b (which must start on a page
// boundary). x/sys has no wrapper for it.
func mincore(b, vec []byte) error {
	_, _, errno := unix.Syscall(unix.SYS_MINCORE,
		uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)),
		uintptr(unsafe.Pointer(unsafe.SliceData(vec))))
	if errno != 0 {
		return errno
	}
	return nil
}

// addrOf returns the address of b's first byte (for tests and diagnostics).
func addrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// touchPages adds 0 atomically to one 4-byte word of each page of the
// shared file mapping b from byte from on (from a multiple of 4): a write
// to every page that changes no byte, even one another process writes at
// the same moment. It returns false when a page faults (SIGBUS: the file
// system could not allocate it), which SetPanicOnFault turns into a panic
// that is recovered here. Under the race detector the atomic add runs in
// the detector's C runtime, where a fault cannot become a panic: there a
// full disk still kills the process, which is why allocateRange prefers
// MADV_POPULATE_WRITE.
func touchPages(b []byte, from int) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, isFault := r.(interface{ Addr() uintptr }); !isFault {
				panic(r)
			}
			ok = false
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	base := unsafe.Pointer(unsafe.SliceData(b))
	for off := from; off < len(b); off = off - off%pageSize + pageSize {
		atomic.AddUint32((*uint32)(unsafe.Add(base, off)), 0)
	}
	return true
}
