package pagecache

import (
	"errors"
	"fmt"
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

// DropFileCache asks the kernel to evict f's clean pages from the page cache
// (posix_fadvise(POSIX_FADV_DONTNEED) over the whole file), for example to
// benchmark cold-cache reads. Dirty pages are not dropped: call f.Sync first
// if they must go too. Pages still mapped by some process may stay cached.
// On other operating systems it returns an error wrapping ErrUnsupported.
func DropFileCache(f *os.File) error {
	if f == nil {
		return fmt.Errorf("pagecache: drop file cache: %w", os.ErrInvalid)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		return fmt.Errorf("pagecache: drop file cache %s: %w", f.Name(), pathErr("fadvise", f, err))
	}
	return nil
}
