package pagecache

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

const syncOp = "fdatasync"

func syncData(fd int) error {
	for {
		err := unix.Fdatasync(fd)
		if err != unix.EINTR {
			return err
		}
	}
}

func preallocate(f *os.File, size int64) error {
	fd := int(f.Fd())
	if err := checkWritable(f, fd); err != nil {
		return err
	}
	if size == 0 {
		return nil // fallocate rejects a zero length, and there is nothing to do
	}
	for {
		err := unix.Fallocate(fd, 0, 0, size)
		switch {
		case err == nil:
			return nil
		case err == unix.EINTR:
			continue
		case errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS):
			return zeroFill(f, size)
		default:
			return pathErr("fallocate", f, err)
		}
	}
}

func dropFileCache(f *os.File) error {
	return pathErr("fadvise", f, unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED))
}

const madvPopulateRead = unix.MADV_POPULATE_READ

// populateForWrite makes the kernel take a write fault on every page of the
// shared mapping b without writing to it (MADV_POPULATE_WRITE, Linux 5.14),
// which allocates the file's blocks under each page. It fails with EFAULT
// where an access would raise SIGBUS (the file system cannot allocate the
// page) and with EINVAL on older kernels.
func populateForWrite(b []byte) error { return unix.Madvise(b, unix.MADV_POPULATE_WRITE) }

// writeBack writes the modified pages of b, the view of the file range at
// off, back to the file and waits for them: sync_file_range(WAIT_BEFORE |
// WRITE | WAIT_AFTER), which writes the data of that range only, without
// the journal commit and metadata of msync(MS_SYNC) or fdatasync, so the
// pages become clean and reclaimable at a fraction of the cost. Writes
// through a shared mapping mark their pages dirty in the page cache at the
// write fault, so the range's data is written. Where the file system
// refuses it (EINVAL, ENOSYS), msync(MS_SYNC) does the same.
func writeBack(f *os.File, b []byte, off int64) error {
	const flags = unix.SYNC_FILE_RANGE_WAIT_BEFORE | unix.SYNC_FILE_RANGE_WRITE | unix.SYNC_FILE_RANGE_WAIT_AFTER
	for {
		err := unix.SyncFileRange(int(f.Fd()), off, int64(len(b)), flags)
		switch {
		case err == nil:
			return nil
		case err == unix.EINTR:
			continue
		case errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS):
			return pathErr("msync", f, unix.Msync(b, unix.MS_SYNC))
		default:
			return pathErr("sync_file_range", f, err)
		}
	}
}

// dropCacheRange evicts the file's clean pages in [off, off+n) from the
// page cache.
func dropCacheRange(f *os.File, off, n int64) error {
	return pathErr("fadvise", f, unix.Fadvise(int(f.Fd()), off, n, unix.FADV_DONTNEED))
}
