package mmarray

import (
	"fmt"
	"io"

	"github.com/go-memmap/memmap"
)

// ReadAt copies the array's data bytes, starting at byte off of the data,
// into p: io.ReaderAt over the Header().DataSize() bytes of data, exactly as
// they lie in memory (the file's byte order and C or Fortran layout),
// changes made through views included, in every mode. It lets an array be
// streamed elsewhere, into an .npz archive for example, from what is
// mapped rather than from the file on disk. It returns io.EOF when fewer
// than len(p) bytes remain, an error wrapping ErrOffset for a negative off,
// and one wrapping memmap.ErrClosed after Close.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if f.closed.Load() {
		return 0, fmt.Errorf("read %s: %w", f.path, memmap.ErrClosed)
	}
	if off < 0 {
		return 0, fmt.Errorf("read %s at %d: %w", f.path, off, ErrOffset)
	}
	if off >= int64(len(f.data)) {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	n := copy(p, f.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
