//go:build linux || darwin

package pagecache

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// fillHoles writes zeros into every hole of f before end, so that each of
// its blocks is allocated. A file system that cannot find holes reports the
// whole file as data (or refuses SEEK_HOLE with EINVAL); then nothing is
// written. The file offset, which lseek moves, is put back.
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
		if err := writeZeros(f, hole, data); err != nil {
			return err
		}
		off = data
	}
	return nil
}
