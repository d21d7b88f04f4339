package pagecache

import (
	"os"

	"github.com/go-memmap/memmap"

	"golang.org/x/sys/unix"
)

const syncOp = "fsync"

func syncData(fd int) error {
	for {
		err := unix.Fsync(fd)
		if err != unix.EINTR {
			return err
		}
	}
}

// preallocate writes zeros: darwin has no fallocate.
func preallocate(f *os.File, size int64) error {
	if err := checkWritable(f, int(f.Fd())); err != nil {
		return err
	}
	return zeroFill(f, size)
}

func dropFileCache(f *os.File) error { return memmap.ErrUnsupported }

// darwin has no MADV_POPULATE_READ; WillNeed is the nearest hint.
const madvPopulateRead = unix.MADV_WILLNEED

// populateForWrite is not available on darwin: allocateRange touches the
// pages instead.
func populateForWrite([]byte) error { return unix.EINVAL }

// writeBack writes the modified pages of b back to the file and waits for
// them (msync(MS_SYNC); darwin has no sync_file_range).
func writeBack(f *os.File, b []byte, off int64) error {
	return pathErr("msync", f, unix.Msync(b, unix.MS_SYNC))
}

// dropCacheRange does nothing: darwin has no posix_fadvise, and DropCache
// is only a hint.
func dropCacheRange(f *os.File, off, n int64) error { return nil }
