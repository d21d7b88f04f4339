//go:build unix

package mmarray

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// dupFile returns a new *os.File for a duplicate of f's descriptor (close
// on exec), which stays open when the caller closes f.
func dupFile(f *os.File) (*os.File, error) {
	conn, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	dup, dupErr := -1, error(nil)
	err = conn.Control(func(fd uintptr) {
		dup, dupErr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
	})
	if err != nil {
		return nil, err
	}
	if dupErr != nil {
		return nil, &os.SyscallError{Syscall: "fcntl F_DUPFD_CLOEXEC", Err: dupErr}
	}
	return os.NewFile(uintptr(dup), f.Name()), nil
}

// checkAccess refuses a mode that the way f was opened cannot serve:
// mapping needs read access, and ReadWrite needs write access too.
func checkAccess(f *os.File, mode Mode) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	flags, flagsErr := 0, error(nil)
	err = conn.Control(func(fd uintptr) {
		flags, flagsErr = unix.FcntlInt(fd, unix.F_GETFL, 0)
	})
	if err != nil {
		return err
	}
	if flagsErr != nil {
		return &os.SyscallError{Syscall: "fcntl F_GETFL", Err: flagsErr}
	}
	switch flags & unix.O_ACCMODE {
	case unix.O_WRONLY:
		return fmt.Errorf("%w %v: the file is open write-only, and mapping needs read access", ErrMode, mode)
	case unix.O_RDONLY:
		if mode.writesFile() {
			return fmt.Errorf("%w %v: the file is open read-only", ErrMode, mode)
		}
	}
	return nil
}
