//go:build linux || darwin

package pagecache

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// fillHoles allocates the blocks of every hole of f before end: first
// through write faults (allocateRange), then, for a file system whose
// write faults allocate nothing (they reserve or defer the blocks, and a
// later SEEK_HOLE still reports the hole), by writing zeros into what is
// left. A file system that cannot find holes reports the whole file as
// data (or refuses SEEK_HOLE with EINVAL); then nothing is done. The file
// offset, which lseek moves, is put back.
func fillHoles(f *os.File, end int64) (err error) {
	if end <= 0 {
		return nil
	}
	fd := int(f.Fd())
	saved, err := unix.Seek(fd, 0, io.SeekCurrent)
	if err != nil {
		return pathErr("lseek", f, err)
	}
	defer func() {
		if _, serr := unix.Seek(fd, saved, io.SeekStart); serr != nil && err == nil {
			err = pathErr("lseek", f, serr)
		}
	}()
	if err := forEachHole(f, end, allocateRange); err != nil {
		return err
	}
	return forEachHole(f, end, writeZeros)
}

// forEachHole calls fill with each hole of f that starts before end,
// clipped to end.
func forEachHole(f *os.File, end int64, fill func(f *os.File, from, to int64) error) error {
	fd := int(f.Fd())
	for off := int64(0); off < end; {
		hole, err := unix.Seek(fd, off, unix.SEEK_HOLE)
		switch {
		case errors.Is(err, unix.ENXIO), errors.Is(err, unix.EINVAL):
			return nil // off is past the end, or holes cannot be found here
		case err != nil:
			return pathErr("lseek", f, err)
		case hole >= end:
			return nil
		}
		data, err := unix.Seek(fd, hole, unix.SEEK_DATA)
		switch {
		case errors.Is(err, unix.ENXIO):
			data = end // the hole runs to the end of the file
		case err != nil:
			return pathErr("lseek", f, err)
		}
		data = min(data, end)
		holeFound(f, hole, data)
		if err := fill(f, hole, data); err != nil {
			return err
		}
		off = data
	}
	return nil
}

// holeFound is called with each hole fillHoles is about to allocate. It
// does nothing; a test replaces it to write into the hole in between, as
// another process may.
var holeFound = func(f *os.File, hole, data int64) {}

// allocateChunk is how much of a hole allocateRange maps at a time: address
// space only, and bounded so that a 32-bit process finds room for it.
const allocateChunk = 64 << 20

// allocateRange makes the file system allocate the blocks of bytes
// [from, to) of f, which lie inside the file, without changing a byte: it
// maps them shared and read-write and takes a write fault on each page,
// with MADV_POPULATE_WRITE where the kernel has it (Linux 5.14), else by
// an atomic add of 0 to one word of each page (touchPages). Writing zeros
// instead would overwrite data another writer put into the hole after
// lseek found it; a write fault leaves such data as it is. A page the file
// system cannot allocate (a full disk, a quota) is reported as an error
// wrapping ENOSPC. A file open for writing only cannot be mapped; it gets
// zeros written.
func allocateRange(f *os.File, from, to int64) error {
	for from < to {
		start := from - from%int64(pageSize) // mmap's offset must be page-aligned
		end := min(to, start+allocateChunk)
		b, err := mmapBytes(int(f.Fd()), start, int(end-start), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
		if errors.Is(err, unix.EACCES) || errors.Is(err, unix.ENODEV) {
			// Open for writing only, or a file system that cannot map
			// (FUSE with direct I/O): zeros are the only way.
			return writeZeros(f, from, to)
		}
		if err != nil {
			return pathErr("mmap", f, err)
		}
		err = faultForWrite(b, int(from-start))
		if uerr := unmapBytes(b); uerr != nil && err == nil {
			err = pathErr("munmap", f, uerr)
		}
		if errors.Is(err, unix.EFAULT) { // an access would have raised SIGBUS
			return pathErr("allocate", f, unix.ENOSPC)
		}
		if err != nil {
			return pathErr("madvise", f, err)
		}
		from = end
	}
	return nil
}

// faultForWrite takes a write fault on every page of the shared mapping b
// from byte from on, changing no byte: MADV_POPULATE_WRITE, or touchPages
// where the kernel lacks it. It returns EFAULT when a page cannot be
// allocated.
func faultForWrite(b []byte, from int) error {
	for {
		err := populateForWrite(b)
		switch {
		case errors.Is(err, unix.EINTR):
			continue // what was populated stays; populating again is harmless
		case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EPERM):
			// No MADV_POPULATE_WRITE (before Linux 5.14), no madvise at
			// all (CONFIG_ADVISE_SYSCALLS), or a seccomp filter refusing it.
			if !touchPages(b, from) {
				return unix.EFAULT
			}
			return nil
		}
		return err
	}
}
