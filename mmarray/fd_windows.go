//go:build windows

package mmarray

import (
	"os"

	"golang.org/x/sys/windows"
)

// dupFile returns a new *os.File for a duplicate of f's handle, which stays
// open when the caller closes f.
func dupFile(f *os.File) (*os.File, error) {
	conn, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var dup windows.Handle
	var dupErr error
	err = conn.Control(func(fd uintptr) {
		self := windows.CurrentProcess()
		dupErr = windows.DuplicateHandle(self, windows.Handle(fd), self, &dup, 0, false, windows.DUPLICATE_SAME_ACCESS)
	})
	if err != nil {
		return nil, err
	}
	if dupErr != nil {
		return nil, &os.SyscallError{Syscall: "DuplicateHandle", Err: dupErr}
	}
	return os.NewFile(uintptr(dup), f.Name()), nil
}

// checkAccess cannot ask Windows how a handle was opened; a mode the handle
// cannot serve fails when the file is mapped, with the system's error.
func checkAccess(*os.File, Mode) error { return nil }
