package mmarray

import (
	"errors"
	"fmt"
	"io"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/pagecache"
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
	checkMade(f)
	if f.isClosed() {
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
	n := copyInPieces(p, f.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// WriteAt copies p into the array's data bytes, starting at byte off of
// the data: io.WriterAt over the Header().DataSize() bytes of data, in the
// file's byte order and layout, for a File in ReadWrite or Write mode. On a
// mapped file it writes through the file (pwrite) rather than through the
// mapping; the two share the page cache, so every view sees the bytes at
// once, and Flush writes them to the disk with the views' changes. A page written this way costs no page fault and does not join
// the process's resident memory, which makes WriteAt the way to fill a new
// array larger than memory in pieces that are not in C order (compute's
// transposed copy does). On a File held in memory (OpenBytes) it copies into
// the image.
//
// Bytes past the end of the data are not written: WriteAt then returns the
// count written and an error wrapping ErrOffset, as it does for a negative
// off. ReadOnly and CopyOnWrite Files refuse it with ErrMode (CopyOnWrite
// changes must not reach the file), a closed File with memmap.ErrClosed; an
// error of the operating system (ENOSPC) is wrapped as it is.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	checkMade(f)
	if f.isClosed() {
		return 0, fmt.Errorf("write %s: %w", f.path, memmap.ErrClosed)
	}
	if f.mode != ReadWrite && f.mode != Write {
		return 0, fmt.Errorf("write %s: %w: the file is open in mode %s", f.path, ErrMode, f.mode)
	}
	size := int64(len(f.data))
	if off < 0 || off > size {
		return 0, fmt.Errorf("write %s at %d: %w: outside the %d bytes of data", f.path, off, ErrOffset, size)
	}
	q := p[:min(int64(len(p)), size-off)]
	var n int
	if f.mapping == nil {
		n = copy(f.data[off:], q)
	} else {
		var err error
		f.wroteAt.Store(true)
		n, err = f.osFile.WriteAt(q, f.header.DataOffset+off)
		if err != nil {
			return n, fmt.Errorf("write %s: %w", f.path, err)
		}
	}
	if n < len(p) {
		return n, fmt.Errorf("write %s at %d: %w: %d bytes past the %d bytes of data", f.path, off, ErrOffset, len(p)-n, size)
	}
	return n, nil
}

// WriteTo writes the whole .npy image to w, header then data, and returns
// the number of bytes written: np.save's bytes for an array Create made,
// the file's own header bytes for one Open, OpenFile or OpenBytes read, and
// for a raw file (OpenRaw) a header NumPy would write for the declared
// dtype, shape and order, so the result is always a valid .npy file. The
// data is written straight from the mapping (or image) in one Write,
// without a bounce buffer, changes made through views included, so a
// mapped array streams into a file, a socket or an archive. It implements
// io.WriterTo.
//
// Errors from w are returned as they are (io.ErrShortWrite for a short
// write without one); a closed File gives an error wrapping
// memmap.ErrClosed, and a file truncated from outside before its data
// starts one wrapping ErrFileSize. A file cut inside its data raises
// SIGBUS here as in any access to the lost pages (see the Caveats).
func (f *File) WriteTo(w io.Writer) (int64, error) {
	checkMade(f)
	if f.isClosed() {
		return 0, fmt.Errorf("write %s: %w", f.path, memmap.ErrClosed)
	}
	header, err := f.headerBytes()
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", f.path, err)
	}
	written, err := writeOnce(w, header)
	if err != nil {
		return written, err
	}
	data, err := f.WriteDataTo(w)
	return written + data, err
}

// WriteDataTo writes the array's data bytes, the Header().DataSize() bytes
// ReadAt reads, to w and returns the number of bytes written. Like WriteTo
// it writes them straight from the mapping (or image) in one Write, changes
// made through views included, so that a writer that wraps w, such as an
// .npz member, receives the mapped bytes without a bounce buffer; an array
// with no data makes no Write.
//
// Errors from w are returned as they are (io.ErrShortWrite for a short
// write without one); a closed File gives an error wrapping
// memmap.ErrClosed.
func (f *File) WriteDataTo(w io.Writer) (int64, error) {
	checkMade(f)
	if f.isClosed() {
		return 0, fmt.Errorf("write %s: %w", f.path, memmap.ErrClosed)
	}
	return writeOnce(w, f.data)
}

// writeOnce writes b to w in a single Write, reporting a short write that
// came without an error as io.ErrShortWrite; an empty b makes no Write.
func writeOnce(w io.Writer, b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, err := w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return int64(n), err
}

// headerBytes returns the bytes of the image before the data.
func (f *File) headerBytes() ([]byte, error) {
	switch {
	case f.prefix != nil:
		return f.prefix, nil
	case f.raw:
		h := f.header
		h.Version = npyheader.Version{} // choose as np.save does
		return h.Encode()
	}
	header := make([]byte, f.header.DataOffset-f.imageOffset)
	if _, err := f.osFile.ReadAt(header, f.imageOffset); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the header bytes are no longer in the file", ErrFileSize)
		}
		return nil, err
	}
	return header, nil
}

// copyPiece bounds each copy of copyInPieces: a memmove cannot be
// preempted, and one of a hundred megabytes of pages not yet mapped takes
// tens of milliseconds, all of which the garbage collector's other worker
// spends spinning until this goroutine reaches a safe point. A piece of
// 1 MiB takes well under a millisecond.
const copyPiece = 1 << 20

// copyInPieces is copy(dst, src) in pieces of copyPiece bytes.
func copyInPieces(dst, src []byte) int {
	n := min(len(dst), len(src))
	for done := 0; done < n; done += copyPiece {
		end := min(done+copyPiece, n)
		copy(dst[done:end], src[done:end])
	}
	return n
}

// OpenDirect opens the File's file for writes past the page cache
// (pagecache.DirectWriter): the way to fill the data of a new array larger
// than memory with no page of the page cache used for it. The writer's
// offsets are the file's: data byte i is at DataOffset()+i, and every
// write must be aligned to the writer's Align in the file, so the bytes
// before the first aligned offset and after the last one are written
// with WriteAt. Only ranges of the data that no view has touched and
// nobody else maps may be written this way (a File just made by Create):
// pages of the range already in the page cache would be written back over
// nothing, or go stale. Flush makes the writes durable with the rest;
// close the writer first.
//
// A File in ReadOnly or CopyOnWrite mode refuses with ErrMode, a File held
// in memory (OpenBytes) or a file system without direct I/O with an error
// wrapping memmap.ErrUnsupported, a closed File with memmap.ErrClosed.
func (f *File) OpenDirect() (*pagecache.DirectWriter, error) {
	checkMade(f)
	if f.isClosed() {
		return nil, fmt.Errorf("open %s for direct writes: %w", f.path, memmap.ErrClosed)
	}
	if f.mode != ReadWrite && f.mode != Write {
		return nil, fmt.Errorf("open %s for direct writes: %w: the file is open in mode %s", f.path, ErrMode, f.mode)
	}
	if f.mapping == nil {
		return nil, fmt.Errorf("open %s for direct writes: %w: the array is held in memory", f.path, memmap.ErrUnsupported)
	}
	// The very file mapped, not one reopened by name: it may have been
	// renamed or replaced since, or opened by OpenFile under any name.
	w, err := pagecache.OpenDirectFile(f.osFile)
	if err != nil {
		return nil, err
	}
	f.wroteAt.Store(true) // Flush syncs the file
	return w, nil
}
