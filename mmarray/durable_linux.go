//go:build linux

package mmarray

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// reserve allocates the blocks of [off, off+n) of f without changing its
// size (fallocate with FALLOC_FL_KEEP_SIZE), so that a full disk is found
// before any byte of a batch is written, and so that the file's size still
// says how many bytes were really written: Recover counts rows by it.
// A file system without fallocate (ext2, some network file systems) is no
// error: the writes that follow report a full disk themselves.
func reserve(f *os.File, off, n int64) error {
	if n <= 0 {
		return nil
	}
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var allocErr error
	if err := conn.Control(func(fd uintptr) {
		for {
			allocErr = unix.Fallocate(int(fd), unix.FALLOC_FL_KEEP_SIZE, off, n)
			if !errors.Is(allocErr, unix.EINTR) {
				return
			}
		}
	}); err != nil {
		return err
	}
	switch {
	case allocErr == nil:
		return nil
	case errors.Is(allocErr, unix.EOPNOTSUPP), errors.Is(allocErr, unix.ENOSYS):
		return nil
	default:
		return &os.PathError{Op: "fallocate", Path: f.Name(), Err: allocErr}
	}
}

// startWriteback starts writing the dirty pages of [off, off+n) of f back
// to the disk and returns without waiting (sync_file_range WRITE). It is a
// hint: errors are left to the fdatasync that follows.
func startWriteback(f *os.File, off, n int64) {
	if conn, err := f.SyscallConn(); err == nil {
		conn.Control(func(fd uintptr) {
			unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WRITE)
		})
	}
}
