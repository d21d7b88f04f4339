package pagecache

import (
	"os"

	"github.com/go-memmap/memmap"

	"golang.org/x/sys/windows"
)

// granularity is the Windows allocation granularity: view offsets must be
// multiples of it, not of the page size.
const granularity = 64 << 10

const residentSupported = false

// region is a view of a file mapping. The mapping handle is closed right
// after MapViewOfFile; the view keeps the section alive.
type region struct {
	mem  []byte
	name string
}

// mapRegion maps viewLen bytes from the 64 KiB-aligned offset. The view is
// not rounded up past the requested end: a file mapping object larger than
// the file would grow a writable file (and fails for a read-only one).
func mapRegion(f *os.File, aligned int64, viewLen int, access Access) (*region, []byte, error) {
	prot, want := uint32(windows.PAGE_READONLY), uint32(windows.FILE_MAP_READ)
	switch access {
	case ReadWrite:
		prot, want = windows.PAGE_READWRITE, windows.FILE_MAP_WRITE
	case CopyOnWrite:
		prot, want = windows.PAGE_WRITECOPY, windows.FILE_MAP_COPY
	}
	// Maximum size 0 means "the current size of the file".
	h, err := windows.CreateFileMapping(windows.Handle(f.Fd()), nil, prot, 0, 0, nil)
	if h == 0 {
		return nil, nil, pathErr("CreateFileMapping", f, err)
	}
	addr, err := windows.MapViewOfFile(h, want, uint32(aligned>>32), uint32(aligned), uintptr(viewLen))
	_ = windows.CloseHandle(h)
	if addr == 0 {
		return nil, nil, pathErr("MapViewOfFile", f, err)
	}
	mem := viewBytes(addr, viewLen)
	return &region{mem: mem, name: f.Name()}, mem, nil
}

func (r *region) len() int { return len(r.mem) }

// flush is FlushViewOfFile followed by FlushFileBuffers: the former only
// starts writing the dirty pages (edsrzf/mmap-go#5).
func (r *region) flush(f *os.File, start, end int) error {
	if err := windows.FlushViewOfFile(addrOf(r.mem[start:end]), uintptr(end-start)); err != nil {
		return pathErr("FlushViewOfFile", f, err)
	}
	if err := windows.FlushFileBuffers(windows.Handle(f.Fd())); err != nil {
		return pathErr("FlushFileBuffers", f, err)
	}
	return nil
}

// advise is a no-op on Windows.
func (r *region) advise(start, end int, a Advice) error { return nil }

// release writes a ReadWrite range back (FlushViewOfFile, without
// waiting for the disk) and keeps the pages mapped: Windows has no
// MADV_DONTNEED for file views.
func (r *region) release(f *os.File, fileOff int64, start, end int, dirty bool) error {
	if !dirty {
		return nil
	}
	if err := windows.FlushViewOfFile(addrOf(r.mem[start:end]), uintptr(end-start)); err != nil {
		return pathErr("FlushViewOfFile", f, err)
	}
	return nil
}

// dropCache does nothing on Windows, which has no posix_fadvise: DropCache
// is only a hint.
func (r *region) dropCache(f *os.File, fileOff int64, start, end int, dirty bool) error { return nil }

func (r *region) resident(start, end int) (resident, total int, err error) {
	return 0, 0, memmap.ErrUnsupported
}

// close unmaps the view. Windows gets no guard reservation.
func (r *region) close(owner *Mapping) error {
	if err := windows.UnmapViewOfFile(addrOf(r.mem)); err != nil {
		return &os.PathError{Op: "UnmapViewOfFile", Path: r.name, Err: err}
	}
	r.mem = nil
	return nil
}

// preallocate writes zeros up to size.
func preallocate(f *os.File, size int64) error { return zeroFill(f, size) }

func dropFileCache(f *os.File) error { return memmap.ErrUnsupported }
