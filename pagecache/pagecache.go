package pagecache

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"

	"github.com/go-memmap/memmap"
)

// Access selects how a file range is mapped.
type Access int

const (
	// ReadOnly maps the range PROT_READ, MAP_SHARED. Writing to Bytes()
	// faults.
	ReadOnly Access = iota
	// ReadWrite maps the range PROT_READ|PROT_WRITE, MAP_SHARED: writes
	// through Bytes() reach the file. The file must be opened for writing.
	ReadWrite
	// CopyOnWrite maps the range PROT_READ|PROT_WRITE, MAP_PRIVATE: writes
	// stay in process memory and never reach the file. The file may be
	// opened read-only.
	CopyOnWrite
)

// String returns the constant's name, or "Access(n)" for unknown values.
func (a Access) String() string {
	switch a {
	case ReadOnly:
		return "ReadOnly"
	case ReadWrite:
		return "ReadWrite"
	case CopyOnWrite:
		return "CopyOnWrite"
	}
	return "Access(" + strconv.Itoa(int(a)) + ")"
}

func (a Access) valid() bool { return a >= ReadOnly && a <= CopyOnWrite }

// Advice is an access-pattern hint for [Mapping.Advise] (madvise).
type Advice int

const (
	// Normal is the default read-ahead behaviour (MADV_NORMAL).
	Normal Advice = iota
	// Sequential expects sequential access: aggressive read-ahead, early
	// reclaim of pages already read (MADV_SEQUENTIAL).
	Sequential
	// Random expects random access: little or no read-ahead (MADV_RANDOM).
	Random
	// WillNeed asks the kernel to start reading the range in (MADV_WILLNEED).
	WillNeed
	// DontNeed tells the kernel the range is not needed soon
	// (MADV_DONTNEED). For shared mappings the data stays in the file and
	// page cache; it is refused on CopyOnWrite mappings.
	DontNeed
	// PopulateRead maps the whole range in, reading what is not cached,
	// before returning (MADV_POPULATE_READ, Linux 5.14+), so that later
	// reads take no page faults: one system call instead of one fault per
	// folio. Where the kernel lacks it, it acts as WillNeed.
	PopulateRead
)

// String returns the constant's name, or "Advice(n)" for unknown values.
func (a Advice) String() string {
	switch a {
	case Normal:
		return "Normal"
	case Sequential:
		return "Sequential"
	case Random:
		return "Random"
	case WillNeed:
		return "WillNeed"
	case DontNeed:
		return "DontNeed"
	case PopulateRead:
		return "PopulateRead"
	}
	return "Advice(" + strconv.Itoa(int(a)) + ")"
}

func (a Advice) valid() bool { return a >= Normal && a <= PopulateRead }

// PageSize returns the operating system's memory page size.
func PageSize() int { return pageSize }

// Granularity returns the alignment required of a mapping's file offset:
// the page size on Unix, the allocation granularity (64 KiB) on Windows.
// Map handles unaligned offsets itself; this is informational.
func Granularity() int { return granularity }

var pageSize = os.Getpagesize()

// Mapping is a mapped byte range of a file, created by [Map].
//
// The methods of a Mapping may be called concurrently. Concurrent access to
// the bytes returned by Bytes is the caller's responsibility; the race
// detector does not see memory outside the Go heap.
type Mapping struct {
	mu       sync.RWMutex
	f        *os.File
	name     string
	fileSize int64  // the file's size when it was mapped
	offset   int64  // requested file offset
	length   int    // requested length
	delta    int    // offset - aligned offset (position of Bytes()[0] in the view)
	access   Access // how the range is mapped
	data     []byte // exactly the requested range; nil after Close
	reg      *region
	closed   bool
}

// Map maps bytes [offset, offset+length) of f with the given access.
//
// offset need not be aligned: the mapping is rounded out to page boundaries
// internally (to the 64 KiB allocation granularity on Windows) and Bytes
// returns exactly the requested range. A zero length works without calling
// mmap; Bytes then returns an empty, non-nil slice.
//
// Before mapping, Map stats f and returns an error wrapping [ErrBeyondEOF] if
// the file is shorter than offset+length, so that no byte of the returned
// range lies past the end of the file at the time of mapping.
//
// The Mapping uses f's descriptor for [Mapping.FlushRange] but does not own
// it: keep f open until the Mapping is closed, and close f yourself.
func Map(f *os.File, offset, length int64, access Access) (*Mapping, error) {
	if f == nil {
		return nil, fmt.Errorf("map: %w: nil file", ErrInvalid)
	}
	name := f.Name()
	if !access.valid() {
		return nil, fmt.Errorf("map %s offset %d length %d: %w: access %v", name, offset, length, ErrInvalid, access)
	}
	if offset < 0 || length < 0 {
		return nil, fmt.Errorf("map %s offset %d length %d: %w: negative value", name, offset, length, ErrBadRange)
	}
	if length > math.MaxInt64-offset {
		return nil, fmt.Errorf("map %s offset %d length %d: %w: offset+length overflows int64", name, offset, length, memmap.ErrTooLarge)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("map %s offset %d length %d: %w", name, offset, length, err)
	}
	size := fi.Size()
	if offset+length > size {
		return nil, fmt.Errorf("map %s offset %d length %d: %w: file size is %d", name, offset, length, ErrBeyondEOF, size)
	}
	gran := int64(granularity)
	aligned := offset - offset%gran
	delta := offset - aligned
	// The view spans [aligned, offset+length); platforms round it up to
	// whole pages. Leave room for that rounding when checking against int.
	if delta+length > int64(math.MaxInt)-gran {
		return nil, fmt.Errorf("map %s offset %d length %d: %w: exceeds the address space (max int %d)", name, offset, length, memmap.ErrTooLarge, math.MaxInt)
	}
	m := &Mapping{
		f:        f,
		name:     name,
		fileSize: size,
		offset:   offset,
		length:   int(length),
		delta:    int(delta),
		access:   access,
	}
	if length == 0 {
		m.data = []byte{}
		return m, nil
	}
	reg, view, err := mapRegion(f, aligned, int(delta+length), access)
	if err != nil {
		return nil, fmt.Errorf("map %s offset %d length %d (%v): %w", name, offset, length, access, err)
	}
	m.reg = reg
	end := m.delta + m.length
	m.data = view[m.delta:end:end]
	return m, nil
}

// Bytes returns the mapped range: exactly Len() bytes, with cap == len.
// It returns nil after Close. Writing to the slice of a ReadOnly mapping
// faults. The slice must not be used after Close (see the package
// documentation on the guard).
func (m *Mapping) Bytes() []byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.data
}

// Len returns the requested length of the mapping. It does not change on
// Close.
func (m *Mapping) Len() int { return m.length }

// FileSize returns the size of the file when Map checked the range against
// it, which spares callers a second stat.
func (m *Mapping) FileSize() int64 { return m.fileSize }

// Offset returns the file offset that was requested from Map.
func (m *Mapping) Offset() int64 { return m.offset }

// Access returns the access mode the range was mapped with.
func (m *Mapping) Access() Access { return m.access }

// Closed reports whether Close has been called successfully.
func (m *Mapping) Closed() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.closed
}

// Flush is FlushRange over the whole mapping.
func (m *Mapping) Flush() error { return m.FlushRange(0, int64(m.length)) }

// FlushRange writes modified pages in [off, off+n) of Bytes() back to the
// file and waits for them: msync(MS_SYNC) over the page-rounded range, then
// fdatasync (fsync on darwin; FlushViewOfFile and FlushFileBuffers on
// Windows). It is a no-op returning nil for ReadOnly and CopyOnWrite
// mappings, and returns an error wrapping [memmap.ErrClosed] after Close.
func (m *Mapping) FlushRange(off, n int64) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	start, end, err := m.check("flush", off, n)
	if err != nil {
		return err
	}
	if m.access != ReadWrite || start == end {
		return nil
	}
	if err := m.reg.flush(m.f, start, end); err != nil {
		return fmt.Errorf("flush %s offset %d length %d: %w", m.name, m.offset+off, n, err)
	}
	return nil
}

// Advise gives the kernel an access-pattern hint (madvise) for [off, off+n)
// of Bytes(), rounded out to whole pages. Kernels that do not support the
// advice (ENOSYS, EINVAL) are ignored and nil is returned. DontNeed on a
// CopyOnWrite mapping returns an error wrapping ErrDontNeedCopyOnWrite,
// because it would discard the private changes. On Windows, Advise only
// validates its arguments.
func (m *Mapping) Advise(off, n int64, a Advice) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if !a.valid() {
		return fmt.Errorf("advise %s: %w: advice %v", m.name, ErrInvalid, a)
	}
	start, end, err := m.check("advise", off, n)
	if err != nil {
		return err
	}
	if a == DontNeed && m.access == CopyOnWrite {
		return fmt.Errorf("advise %s offset %d length %d: %w", m.name, m.offset+off, n, ErrDontNeedCopyOnWrite)
	}
	if start == end {
		return nil
	}
	if err := m.reg.advise(start, end, a); err != nil {
		return fmt.Errorf("advise %s offset %d length %d (%v): %w", m.name, m.offset+off, n, a, err)
	}
	return nil
}

// Release drops [off, off+n) of Bytes(), rounded out to whole pages, from
// the process's memory, so that the pages no longer count in its resident
// set (RSS); reading them again later maps them back in, from the page
// cache or the file. On a ReadWrite mapping it first writes the modified
// pages of the range back and waits for them (sync_file_range on Linux,
// msync(MS_SYNC) elsewhere: the pages become clean, so the kernel can
// reclaim them at once; it is not a durability barrier, use FlushRange for
// that), then drops the range (MADV_DONTNEED). On a ReadOnly mapping it only
// drops it. On a CopyOnWrite mapping it does nothing and returns nil:
// dropping private pages would discard their changes. On Windows it writes
// a ReadWrite range back (FlushViewOfFile) and keeps the pages mapped.
//
// Errors wrap [ErrBadRange] for a range outside the mapping,
// [memmap.ErrClosed] after Close, or the failing system call's
// *fs.PathError (a failed write-back: EIO, ENOSPC).
func (m *Mapping) Release(off, n int64) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	start, end, err := m.check("release", off, n)
	if err != nil {
		return err
	}
	if m.access == CopyOnWrite || start == end {
		return nil
	}
	aligned := m.offset - int64(m.delta) // the file offset of the view's first byte
	if err := m.reg.release(m.f, aligned, start, end, m.access == ReadWrite); err != nil {
		return fmt.Errorf("release %s offset %d length %d: %w", m.name, m.offset+off, n, err)
	}
	return nil
}

// DropCache asks the kernel to evict the file's pages behind [off, off+n)
// of Bytes(), rounded out to whole pages, from the page cache
// (posix_fadvise(POSIX_FADV_DONTNEED)), so that a one-pass scan does not
// push other data out of the cache. On a ReadWrite mapping the modified
// pages of the range are written back first (as Release does), since dirty
// pages are not dropped. Pages that are still mapped, by this Mapping or
// any other, stay: call Release first for this Mapping's own. On a
// CopyOnWrite mapping the file's pages are dropped but the private copies
// stay. On file systems whose page cache is the only copy (tmpfs) nothing
// is dropped. Outside Linux it does nothing and returns nil: it is a hint.
//
// Errors wrap [ErrBadRange] for a range outside the mapping,
// [memmap.ErrClosed] after Close, or the failing system call's
// *fs.PathError.
func (m *Mapping) DropCache(off, n int64) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	start, end, err := m.check("drop cache", off, n)
	if err != nil {
		return err
	}
	if start == end {
		return nil
	}
	aligned := m.offset - int64(m.delta) // the file offset of the view's first byte
	if err := m.reg.dropCache(m.f, aligned, start, end, m.access == ReadWrite); err != nil {
		return fmt.Errorf("drop cache %s offset %d length %d: %w", m.name, m.offset+off, n, err)
	}
	return nil
}

// Resident reports how many of the pages covering [off, off+n) of Bytes()
// are resident in memory (mincore), out of total pages in the page-rounded
// range. On Windows it returns an error wrapping [memmap.ErrUnsupported].
func (m *Mapping) Resident(off, n int64) (resident, total int, err error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	start, end, err := m.check("resident", off, n)
	if err != nil {
		return 0, 0, err
	}
	if start == end {
		if residentSupported {
			return 0, 0, nil
		}
		return 0, 0, fmt.Errorf("resident %s: %w", m.name, memmap.ErrUnsupported)
	}
	resident, total, err = m.reg.resident(start, end)
	if err != nil {
		return 0, 0, fmt.Errorf("resident %s offset %d length %d: %w", m.name, m.offset+off, n, err)
	}
	return resident, total, nil
}

// Close releases the mapping. It does not close the file and does not sync:
// like [os.File.Close], it does not wait for modified pages to reach the
// disk, though on a ReadWrite mapping the kernel still writes them back.
// Call Flush first if durability matters.
//
// On Unix, Close does not simply unmap: it atomically replaces the range
// with an inaccessible (PROT_NONE) anonymous reservation at the same
// address, so that a stale slice faults loudly instead of reading memory
// that was reused for something else. The reservation costs address space
// only and is released once the Mapping itself becomes unreachable. On
// Windows the view is simply unmapped.
//
// A second Close returns an error wrapping [memmap.ErrClosed].
func (m *Mapping) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return fmt.Errorf("close %s offset %d length %d: %w", m.name, m.offset, m.length, memmap.ErrClosed)
	}
	if m.reg != nil {
		if err := m.reg.close(m); err != nil {
			return fmt.Errorf("close %s offset %d length %d: %w", m.name, m.offset, m.length, err)
		}
		m.reg = nil
	}
	m.closed = true
	m.data = nil
	return nil
}

// check validates the sub-range [off, off+n) of Bytes() and returns it as
// view-relative byte positions rounded out to whole pages, clamped to the
// view. The caller holds m.mu.
func (m *Mapping) check(op string, off, n int64) (start, end int, err error) {
	if m.closed {
		return 0, 0, fmt.Errorf("%s %s offset %d length %d: %w", op, m.name, m.offset, m.length, memmap.ErrClosed)
	}
	if off < 0 || n < 0 || off > int64(m.length) || n > int64(m.length)-off {
		return 0, 0, fmt.Errorf("%s %s: %w: sub-range offset %d length %d outside mapping of length %d",
			op, m.name, ErrBadRange, off, n, m.length)
	}
	if n == 0 {
		return 0, 0, nil
	}
	start = m.delta + int(off)
	end = start + int(n)
	start -= start % pageSize
	if r := end % pageSize; r != 0 {
		end += pageSize - r
	}
	if vl := m.reg.len(); end > vl {
		end = vl
	}
	return start, end, nil
}

// Preallocate makes f at least size bytes long with every block below size
// allocated, so that touching a mapped page can never raise SIGBUS on a full
// disk. On Linux it calls fallocate(fd, 0, 0, size), which also extends the
// file. Where fallocate is not supported (file systems such as ext2, other
// operating systems) it allocates every hole below size that
// lseek(SEEK_HOLE) reports (Linux and darwin) by a write fault on each of
// its pages that changes no byte (see the package documentation), then
// writes zeros from the current end of the file up to size, in 1 MiB
// chunks. The file's contents do not change. It never shrinks the file,
// and leaves the file offset where it was.
//
// A full disk is reported here (the error wraps ENOSPC). Blocks allocated
// before the disk filled up stay allocated: to give them back, truncate the
// file to its former size. On Unix, a file opened read-only gives an error
// wrapping ErrReadOnly; on Windows the write fails with the system's
// access-denied error.
func Preallocate(f *os.File, size int64) error {
	if f == nil {
		return fmt.Errorf("preallocate: %w: nil file", ErrInvalid)
	}
	if size < 0 {
		return fmt.Errorf("preallocate %s to %d bytes: %w: negative size", f.Name(), size, ErrBadRange)
	}
	if err := preallocate(f, size); err != nil {
		return fmt.Errorf("preallocate %s to %d bytes: %w", f.Name(), size, err)
	}
	return nil
}

// zeroFill is Preallocate without fallocate: it allocates the holes of f
// below size, then writes zeros after its end up to size.
func zeroFill(f *os.File, size int64) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	cur := fi.Size()
	if err := fillHoles(f, min(cur, size)); err != nil {
		return err
	}
	return writeZeros(f, cur, size)
}

// writeZeros writes zeros into bytes [from, to) of f.
func writeZeros(f *os.File, from, to int64) error {
	if from >= to {
		return nil
	}
	buf := make([]byte, min(int64(1<<20), to-from))
	for from < to {
		n := min(int64(len(buf)), to-from)
		w, err := f.WriteAt(buf[:n], from)
		from += int64(w)
		if err != nil {
			return err
		}
	}
	return nil
}

// pathErr wraps a system call failure the way package os does.
func pathErr(op string, f *os.File, err error) error {
	if err == nil {
		return nil
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return err
	}
	return &os.PathError{Op: op, Path: f.Name(), Err: err}
}

// DropFileCache asks the kernel to evict f's clean pages from the page cache
// (posix_fadvise(POSIX_FADV_DONTNEED) over the whole file), for example to
// benchmark cold-cache reads. Dirty pages are not dropped: call f.Sync first
// if they must go too. Pages that are mapped, or that the file system cannot
// drop (tmpfs), may stay resident. On operating systems other than Linux it
// returns an error wrapping [memmap.ErrUnsupported].
func DropFileCache(f *os.File) error {
	if f == nil {
		return fmt.Errorf("drop file cache: %w: nil file", ErrInvalid)
	}
	if err := dropFileCache(f); err != nil {
		return fmt.Errorf("drop file cache %s: %w", f.Name(), err)
	}
	return nil
}

// OpenFile opens a file to be mapped, with os.OpenFile's flags and
// permissions. It returns an ordinary *os.File; on Unix it skips the
// runtime poller registration that os.OpenFile attempts for every file,
// which regular files never use, saving four system calls per open. Use
// the file for mapping and for positioned reads and writes (ReadAt, WriteAt,
// Stat, Truncate, Sync); deadlines are not supported on it.
func OpenFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	return openFile(path, flag, perm)
}
