package mmarray

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/atomicfile"
	"github.com/go-memmap/memmap/internal/regular"
	"github.com/go-memmap/memmap/npyheader"
)

// Recovery says what Recover did to a file.
type Recovery struct {
	Path string
	// OldRows and Rows are the row counts (along the growth axis) in the
	// header before and after.
	OldRows, Rows int
	// DroppedBytes is the size of the partial row cut off the end of the
	// file (0 when the rows were whole).
	DroppedBytes int64
}

// String says what was done in one line, naming the file: "x.npy: adopted
// 12 unsynced trailing rows (100 -> 112); dropped a partial row of 5
// bytes", "x.npy: nothing to recover: 100 rows, no bytes after them".
// Adopted rows are called unsynced: no Sync vouched for them (see
// Recover).
func (r Recovery) String() string {
	var what string
	switch {
	case r.Rows > r.OldRows:
		what = fmt.Sprintf("adopted %d unsynced trailing rows (%d -> %d)", r.Rows-r.OldRows, r.OldRows, r.Rows)
	case r.Rows < r.OldRows:
		what = fmt.Sprintf("the file holds only %d of the %d rows its header claimed: shape cut to them", r.Rows, r.OldRows)
	case r.DroppedBytes == 0:
		return fmt.Sprintf("%s: nothing to recover: %d rows, no bytes after them", r.Path, r.Rows)
	default:
		what = fmt.Sprintf("kept %d rows", r.Rows)
	}
	if r.DroppedBytes > 0 {
		unit := "bytes"
		if r.DroppedBytes == 1 {
			unit = "byte"
		}
		what += fmt.Sprintf("; dropped a partial row of %d %s", r.DroppedBytes, unit)
	}
	return r.Path + ": " + what
}

// Recover repairs an .npy file that an append left unfinished, in place:
// whole rows past the header's shape (written by an append that stopped
// before its Sync) are adopted into the shape, and a partial row at the end
// is cut off. A file shorter than its header declares (written by a writer
// that rewrites the header before the rows, as npy-append-array does, and
// then stopped) gets the shape of the whole rows it holds. The header is
// rewritten and synced before the file is cut, so Recover itself may be
// interrupted and run again. The Recovery says what was done; a file with
// nothing to repair is left untouched.
//
// Recover never cuts the file below the rows its header counted when it
// had them all, so Files open on it keep every mapped page.
//
// The rows Recover adopts were never synced: after a killed process they
// are the rows written (the page cache kept them), but after a power
// failure or a kernel crash the file's size may have reached the disk
// before its data (file systems and mount options differ), and adopted
// rows may then hold zeros or stale bytes.
// Check them, or drop them by opening the file with OpenAppend instead,
// when that matters.
//
// Errors wrap: the operating system's error; memmap.ErrUnsupported for
// what is not a regular file; npyheader's sentinels for a bad header;
// ErrShape for a 0-d array or rows of zero bytes; ErrNoRoom when the
// header cannot hold the new shape; memmap.ErrTooLarge for a row count
// beyond an int.
func Recover(path string) (Recovery, error) {
	r := Recovery{Path: path}
	file, st, err := regular.OpenStat(path, os.O_RDWR, 0)
	if err != nil {
		return r, fmt.Errorf("recover %s: %w", path, err)
	}
	err = recoverFile(file, st.Size(), &r)
	err = errors.Join(err, file.Close())
	if err != nil {
		return r, fmt.Errorf("recover %s: %w", path, err)
	}
	return r, nil
}

func recoverFile(file *os.File, size int64, r *Recovery) error {
	h, err := readHeader(file, section{0, size})
	if err != nil {
		return err
	}
	if err := h.DType.CheckMappable(); err != nil {
		return err
	}
	if len(h.Shape) == 0 {
		return fmt.Errorf("%w: a 0-d array has no rows to recover", ErrShape)
	}
	rowBytes := int64(rowBytesOf(h))
	if rowBytes == 0 {
		return fmt.Errorf("%w: rows of %s of shape %v hold no bytes, so no file size can count them", ErrShape, h.DType, h.Shape)
	}
	axis := growthAxis(h)
	r.OldRows, r.Rows = h.Shape[axis], h.Shape[axis]
	if size < h.DataOffset {
		return fmt.Errorf("%w: the file ends at byte %d, inside its header", ErrFileSize, size)
	}
	rows := (size - h.DataOffset) / rowBytes
	if int64(int(rows)) != rows {
		return fmt.Errorf("%w: %d rows", memmap.ErrTooLarge, rows)
	}
	end := h.DataOffset + rows*rowBytes
	if int(rows) != h.Shape[axis] {
		h.Shape[axis] = int(rows)
		if _, err := h.DataSize(); err != nil {
			return err
		}
		prefix, err := encodeInPlace(h, h.DataOffset)
		if err != nil {
			return err
		}
		if _, err := file.WriteAt(prefix, 0); err != nil {
			return err
		}
		if err := atomicfile.SyncData(file); err != nil {
			return err
		}
		r.Rows = int(rows)
	}
	if size > end {
		if err := file.Truncate(end); err != nil {
			return err
		}
		if err := atomicfile.SyncData(file); err != nil {
			return err
		}
		r.DroppedBytes = size - end
	}
	return nil
}

// MakeAppendable makes the .npy file at path appendable in place: when its
// header has no room to grow (ErrNoRoom from OpenAppend: a file of a writer
// older than NumPy 1.24), it writes the same array under a new header with
// NumPy's growth slack to a temporary file in the same folder, syncs it
// and renames it onto path, copying the data once. A file that has room
// already is left untouched, and MakeAppendable reports whether it
// rewrote. Bytes after the array are not copied. Files open on the old file
// keep reading it, not the new one.
//
// Errors wrap OpenAppend's (ErrNoRoom aside), and the operating system's
// for the new file (ENOSPC: the disk must hold the array twice for a
// moment), ErrFileSize too when the file shrinks while it is copied; after
// an error the file at path is unchanged.
func MakeAppendable(path string) (rewritten bool, err error) {
	src, st, err := regular.OpenStat(path, os.O_RDONLY, 0)
	if err != nil {
		return false, fmt.Errorf("make %s appendable: %w", path, err)
	}
	defer src.Close()
	h, err := readGrowingHeader(src, st.Size())
	if err != nil {
		return false, fmt.Errorf("make %s appendable: %w", path, err)
	}
	if checkRoom(h, h.DataOffset) == nil {
		return false, nil
	}
	if err := rewriteWithRoom(path, src, h, st.Mode().Perm()); err != nil {
		return false, fmt.Errorf("make %s appendable: %w", path, err)
	}
	return true, nil
}

// rewriteWithRoom writes src's array under h's shape with a fresh header
// to a temporary file and renames it onto path.
func rewriteWithRoom(path string, src *os.File, h npyheader.Header, perm os.FileMode) error {
	nbytes, _ := h.DataSize() // checked by readGrowingHeader
	fresh := h.Clone()
	fresh.Version = npyheader.Version{}
	prefix, err := fresh.Encode()
	if err != nil {
		return err
	}
	tmp, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer tmp.Abort() // after an error: the file at path stays as it was
	if _, err := tmp.Temp().Write(prefix); err != nil {
		return err
	}
	// CopyN, not Copy: a section that ends early (the file shrank since it
	// was checked) is an error, not a short array under a header that
	// claims all of it.
	n, err := io.CopyN(tmp.Temp(), io.NewSectionReader(src, h.DataOffset, nbytes), nbytes)
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: the file ended after %d of the array's %d bytes while it was copied", ErrFileSize, n, nbytes)
	}
	if err != nil {
		return err
	}
	if err := tmp.Temp().Chmod(perm); err != nil {
		return err
	}
	return tmp.Commit()
}
