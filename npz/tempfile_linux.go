package npz

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// openUnnamedTemp opens an O_TMPFILE file in dir: it never has a name, so
// nothing is left behind whatever happens to the process. ok is false where
// the file system does not support it (the caller falls back).
func openUnnamedTemp(dir string) (f *os.File, ok bool) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, false
	}
	return os.NewFile(uintptr(fd), filepath.Join(dir, "npz-member (unnamed)")), true
}
