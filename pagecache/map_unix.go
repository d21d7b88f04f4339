//go:build linux || darwin

package pagecache

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

var granularity = pageSize

const residentSupported = true

// region is the page-rounded view actually mapped.
type region struct {
	mem  []byte // starts at a page-aligned file offset; len is a multiple of the page size
	name string // file name, for errors
}

func mapRegion(f *os.File, aligned int64, viewLen int, access Access) (*region, []byte, error) {
	n := viewLen
	if r := n % pageSize; r != 0 {
		n += pageSize - r
	}
	prot, flags := unix.PROT_READ, unix.MAP_SHARED
	switch access {
	case ReadWrite:
		prot |= unix.PROT_WRITE
	case CopyOnWrite:
		prot |= unix.PROT_WRITE
		flags = unix.MAP_PRIVATE
	}
	mem, err := mmapBytes(int(f.Fd()), aligned, n, prot, flags)
	if err != nil {
		return nil, nil, pathErr("mmap", f, err)
	}
	return &region{mem: mem, name: f.Name()}, mem, nil
}

func (r *region) len() int { return len(r.mem) }

func (r *region) flush(f *os.File, start, end int) error {
	if err := unix.Msync(r.mem[start:end], unix.MS_SYNC); err != nil {
		return pathErr("msync", f, err)
	}
	if err := syncData(int(f.Fd())); err != nil {
		return pathErr(syncOp, f, err)
	}
	return nil
}

var adviceFlag = [...]int{
	Normal:       unix.MADV_NORMAL,
	Sequential:   unix.MADV_SEQUENTIAL,
	Random:       unix.MADV_RANDOM,
	WillNeed:     unix.MADV_WILLNEED,
	DontNeed:     unix.MADV_DONTNEED,
	PopulateRead: madvPopulateRead,
}

func (r *region) advise(start, end int, a Advice) error {
	err := unix.Madvise(r.mem[start:end], adviceFlag[a])
	if a == PopulateRead && (errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS)) {
		err = unix.Madvise(r.mem[start:end], unix.MADV_WILLNEED) // a kernel before 5.14
	}
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) {
		return nil // advice not supported here: it is only a hint
	}
	if err != nil {
		return &os.PathError{Op: "madvise", Path: r.name, Err: err}
	}
	return nil
}

// release writes the pages [start, end) of the view back when dirty may
// hold modified pages, then drops them from the process (MADV_DONTNEED,
// which on a shared mapping keeps the data in the page cache and file).
// fileOff is the file offset of the view's first byte.
func (r *region) release(f *os.File, fileOff int64, start, end int, dirty bool) error {
	if dirty {
		if err := writeBack(f, r.mem[start:end], fileOff+int64(start)); err != nil {
			return err
		}
	}
	if err := unix.Madvise(r.mem[start:end], unix.MADV_DONTNEED); err != nil {
		return &os.PathError{Op: "madvise", Path: r.name, Err: err}
	}
	return nil
}

// dropCache evicts the file's pages behind [start, end) of the view from
// the page cache, after writing them back when dirty may hold modified
// pages (dirty pages are not dropped).
func (r *region) dropCache(f *os.File, fileOff int64, start, end int, dirty bool) error {
	if dirty {
		if err := writeBack(f, r.mem[start:end], fileOff+int64(start)); err != nil {
			return err
		}
	}
	return dropCacheRange(f, fileOff+int64(start), int64(end-start))
}

func (r *region) resident(start, end int) (resident, total int, err error) {
	total = (end - start + pageSize - 1) / pageSize
	vec := make([]byte, total)
	if err := mincore(r.mem[start:end], vec); err != nil {
		return 0, 0, &os.PathError{Op: "mincore", Path: r.name, Err: err}
	}
	for _, v := range vec {
		resident += int(v & 1)
	}
	return resident, total, nil
}

// close replaces the view with a PROT_NONE guard whose release is tied to
// owner's reachability. If the guard cannot be installed it falls back to
// munmap.
func (r *region) close(owner *Mapping) error {
	g, err := guard(r.mem)
	if err != nil {
		if uerr := unmapBytes(r.mem); uerr != nil {
			return errors.Join(&os.PathError{Op: "mmap", Path: r.name, Err: err},
				&os.PathError{Op: "munmap", Path: r.name, Err: uerr})
		}
		r.mem = nil
		return nil
	}
	keepGuard(owner, g)
	r.mem = nil
	return nil
}

// checkWritable returns ErrReadOnly if fd was opened O_RDONLY.
func checkWritable(f *os.File, fd int) error {
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return pathErr("fcntl", f, err)
	}
	if fl&unix.O_ACCMODE == unix.O_RDONLY {
		return ErrReadOnly
	}
	return nil
}
