// Package regular opens the files that mmarray and npz map, refusing
// anything that is not a regular file before a byte of it is read: a named
// pipe or a device has no size to check a header or an archive against,
// may block or never end, and none can be mapped as a file's pages.
package regular

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/pagecache"
)

// Open opens path with os.OpenFile's flag and perm (through
// pagecache.OpenFile) and makes sure it is a regular file: OpenStat
// without the file's information.
func Open(path string, flag int, perm os.FileMode) (*os.File, error) {
	f, _, err := OpenStat(path, flag, perm)
	return f, err
}

// OpenStat opens path as Open does and also returns the file's information
// (its size), from the one fstat that found it to be a regular file, so
// that callers need not ask again. Opening does not wait for a writer on a
// named pipe (nonblock). Its errors name the operation and path: the
// system's *fs.PathError, or one wrapping memmap.ErrUnsupported (a
// directory too, though opening one for writing fails in the system with
// EISDIR).
func OpenStat(path string, flag int, perm os.FileMode) (*os.File, fs.FileInfo, error) {
	f, err := pagecache.OpenFile(path, flag|nonblock, perm)
	if nonblock != 0 && errors.Is(err, syscall.EAGAIN) {
		// Another process holds a lease on the file (Samba, an NFS
		// delegation): open again and wait for it to be broken, as a plain
		// open does. A named pipe never answers EAGAIN to a non-blocking
		// open for reading, so this cannot wait for a writer.
		f, err = pagecache.OpenFile(path, flag, perm)
	}
	if errors.Is(err, syscall.EISDIR) {
		// A directory opened for writing fails before Stat could say so;
		// the system's error stays in the chain.
		return nil, nil, fmt.Errorf("%w: a directory, not a regular file: %w", memmap.ErrUnsupported, err)
	}
	if err != nil {
		return nil, nil, err
	}
	st, err := Stat(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	return f, st, nil
}

// Stat returns f's information (its size) when f is a regular file, and
// otherwise an error wrapping memmap.ErrUnsupported, which says what f is;
// or f.Stat's error.
func Stat(f *os.File) (fs.FileInfo, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Mode().IsRegular() {
		return st, nil
	}
	var kind string
	switch t := st.Mode().Type(); {
	case t&fs.ModeDir != 0:
		kind = "a directory"
	case t&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case t&fs.ModeSocket != 0:
		kind = "a socket"
	case t&fs.ModeDevice != 0:
		kind = "a device"
	default:
		kind = "a " + t.String() + " file"
	}
	return nil, fmt.Errorf("%w: %s, not a regular file", memmap.ErrUnsupported, kind)
}
