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
