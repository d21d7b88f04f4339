//go:build unix

package mmarray

// TEMPORARY (branch h-npz): a minimal OpenFile, with the signature h-api is
// adding to mmarray, so that npz can map members from its open archive file.
// Drop this file when the real OpenFile is on main.

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// OpenFile maps the .npy image in the already-open file f, as Open does for
// a path. The File works on a duplicate of f's descriptor: the caller keeps
// f and may close it. Options: WithMaxHeaderSize, WithAdvice, WithSection.
func OpenFile(f *os.File, mode Mode, opts ...Option) (*File, error) {
	o, err := collectOptions("OpenFile", optMaxHeaderSize|optAdvice|optSection, opts)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", f.Name(), err)
	}
	switch mode {
	case ReadOnly, ReadWrite, CopyOnWrite:
	default:
		return nil, fmt.Errorf("open %s: %w: %v", f.Name(), ErrMode, mode)
	}
	raw, err := f.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", f.Name(), err)
	}
	dup := -1
	var dupErr error
	if err := raw.Control(func(fd uintptr) { dup, dupErr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return nil, fmt.Errorf("open %s: %w", f.Name(), err)
	}
	if dupErr != nil {
		return nil, fmt.Errorf("open %s: %w", f.Name(), dupErr)
	}
	file := &File{path: f.Name(), mode: mode, osFile: os.NewFile(uintptr(dup), f.Name())}
	if err := file.openNPY(o); err != nil {
		file.osFile.Close()
		return nil, fmt.Errorf("open %s: %w", f.Name(), err)
	}
	return file, nil
}
