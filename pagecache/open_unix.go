//go:build linux || darwin

package pagecache

import (
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// openFile opens a regular file without registering it with the runtime's
// network poller: os.OpenFile tries that for every file, which costs four
// system calls (fcntl twice each way around a failing epoll_ctl) that a
// file used only for mapping and positioned reads never needs.
func openFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	for {
		fd, err := unix.Open(path, flag|unix.O_CLOEXEC, uint32(perm.Perm()))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}
