package mmarray

import (
	"errors"
	"fmt"
	"os"
	"reflect"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/atomicfile"
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/internal/npyimage"
	"github.com/go-memmap/memmap/internal/regular"
	"github.com/go-memmap/memmap/npyheader"
)

// defaultBufferSize is how many bytes of rows a Writer gathers before it
// writes them: large enough that a write costs little per row.
const defaultBufferSize = 1 << 20

// Writer appends rows to an array file whose length is not known in
// advance: a new .npy file (NewWriter), an existing one (OpenAppend) or a
// raw file (OpenAppendRaw). A row is the array without its growth axis (the
// first axis in C order, the last in Fortran order): WriteRows and Append
// take whole rows, gathered in a buffer and written in large writes.
//
// Sync makes the rows written so far durable and part of the array, in
// the order that keeps the file loadable whenever the process or the
// machine stops: the rows' blocks are reserved, the rows are written and
// synced (fdatasync), then the shape in the header is rewritten in place
// and synced again. The header never claims a row the file does not hold,
// so NumPy loads the file at any moment with a prefix of the rows; rows
// written after the last Sync lie past the header's shape, where np.load
// ignores them and Recover adopts them.
//
// Every 16 MiB of rows written, the Writer starts their write-back to the
// disk without waiting for it (sync_file_range on Linux), so that the disk
// writes while more rows are made and the fdatasync of Sync or Close finds
// little left to do.
//
// A Writer is not safe for concurrent use. It never maps the file.
type Writer struct {
	path   string
	tmp    *atomicfile.File // NewWriter: the file renamed onto path at Close
	file   *os.File
	header npyheader.Header // Shape[axis] is the row count in the file's header
	axis   int              // the growth axis
	raw    bool
	// dataOffset is where the rows start in the file.
	dataOffset int64
	rowBytes   int
	// written is how many row bytes are in the file (not the buffer).
	written int64
	// flushing is the offset of the rows (relative to dataOffset) up to
	// which write-back has been started: see writeOut.
	flushing int64
	buf      []byte
	err      error // the first write or sync error: the Writer is then broken
	// syncData is atomicfile.SyncData; a test replaces it to inject a
	// failure.
	syncData func(*os.File) error
	closed   bool
}

// NewWriter starts a new .npy file at path for an array of the given dtype
// descr whose rows have shape rowShape (empty for a 1-D array): the file
// grows along axis 0, or along the last axis with WithFortranOrder, as
// NumPy's header slack intends. Options: WithFortranOrder, WithBufferSize.
//
// The rows are written to a temporary file in path's folder (named
// ".BASE.tmp-RANDOM"), which Close renames onto path once every row and
// the final shape are on stable storage. An interrupted run (a crash, an
// error, Abort) therefore never leaves at path a file whose rows are wrong
// or missing: an existing file at path stays as it was until Close. The
// finished file is byte-identical to np.save of the same array: its header
// has NumPy's slack, so its length does not depend on the row count.
//
// Errors wrap npyheader's sentinels for a bad descr, ErrShape for a
// negative dimension or rows of zero bytes (whose number no file size can
// tell), memmap.ErrTooLarge, memmap.ErrUnsupported when path is not a
// regular file (a device, a named pipe, a folder; a symbolic link is
// followed), or the operating system's error.
func NewWriter(path, descr string, rowShape []int, opts ...WriterOption) (*Writer, error) {
	o := collectOptions(opts, WriterOption.applyWriter)
	dt, err := parseMappableDescr(descr)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	h, err := newGrowingHeader(dt, rowShape, o.fortran)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	prefix, h, err := h.Encoded()
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	tmp, err := atomicfile.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	w := newWriter(path, tmp.Temp(), h, false, o)
	w.tmp = tmp
	if _, err := tmp.Temp().Write(prefix); err != nil {
		tmp.Abort()
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return w, nil
}

// newGrowingHeader is the header of an array of zero rows of rowShape.
func newGrowingHeader(dt npyheader.DType, rowShape []int, fortran bool) (npyheader.Header, error) {
	shape := append([]int{0}, rowShape...)
	if fortran {
		shape = append(append([]int{}, rowShape...), 0)
	}
	h, _, err := newHeader(dt, shape, fortran)
	if err != nil {
		return h, err
	}
	if rowBytesOf(h) == 0 {
		return h, fmt.Errorf("%w: rows of shape %v of %s hold no bytes, so no file size can count them", ErrShape, rowShape, dt)
	}
	return h, nil
}

// rowBytesOf is the size of one row of h's array: the item size times the
// product of the other axes; 0 when the row is empty. (The header is
// valid, so the product fits.)
func rowBytesOf(h npyheader.Header) int {
	n := h.DType.ItemSize
	for i, d := range h.Shape {
		if i != growthAxis(h) {
			n *= d
		}
	}
	return n
}

func newWriter(path string, file *os.File, h npyheader.Header, raw bool, o options) *Writer {
	size := o.bufferSize
	if size == 0 {
		size = defaultBufferSize
	}
	w := &Writer{path: path, file: file, header: h, axis: growthAxis(h), raw: raw, dataOffset: h.DataOffset, rowBytes: rowBytesOf(h), syncData: atomicfile.SyncData}
	w.written = int64(h.Shape[w.axis]) * int64(w.rowBytes)
	w.buf = make([]byte, 0, bufferCapacity(size, w.rowBytes))
	return w
}

// minBufferSize is the least a Writer's buffer holds when its rows are
// larger than the size asked for: an item of every numeric dtype (Append
// swaps whole items into the buffer), and a row of up to this size whole.
const minBufferSize = 64

// bufferCapacity is the size of the buffer for rows of rowBytes when size
// bytes are asked for. It holds a whole number of rows when a row fits, so
// that a row is never split between two writes unless the rows given at
// once are larger than the buffer. A larger row is written in pieces: the
// capacity never follows the row's size, which a valid header may make a
// TiB (shape (0, 2**37) of '<f8'). The file's size counts bytes and Sync
// whole rows, so a piece of a row is never counted.
func bufferCapacity(size, rowBytes int) int {
	if rowBytes <= size {
		return size / rowBytes * rowBytes
	}
	return min(rowBytes, max(size, minBufferSize))
}

// OpenAppend opens an existing .npy file to append rows to it in place,
// along its growth axis (axis 0 for C order, the last for Fortran order).
// The shape is rewritten inside the existing header at each Sync, so the
// header must have room for a 19-digit row count: every file that NumPy
// 1.24+ np.save or this package writes has it. A file without room (older
// writers) is refused with ErrNoRoom and never rewritten silently: call
// MakeAppendable first. Bytes after the header's rows (the rows of an
// append that crashed before its Sync) are dropped: call Recover first to
// adopt them. Options: WithBufferSize.
//
// Errors wrap: the operating system's error when the file cannot be
// opened; memmap.ErrUnsupported for what is not a regular file; npyheader's
// sentinels for a bad header; ErrFileSize when the file is shorter than its
// header declares; ErrShape for a 0-d array or rows of zero bytes;
// ErrNoRoom.
func OpenAppend(path string, opts ...AppendOption) (*Writer, error) {
	o := collectOptions(opts, AppendOption.applyAppend)
	file, st, err := regular.OpenStat(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s for append: %w", path, err)
	}
	h, err := readGrowingHeader(file, st.Size())
	if err == nil {
		err = checkRoom(h, h.DataOffset)
	}
	if err != nil {
		file.Close()
		return nil, fmt.Errorf("open %s for append: %w", path, err)
	}
	w := newWriter(path, file, h, false, o)
	if end := w.dataOffset + w.written; st.Size() > end {
		if err := file.Truncate(end); err != nil {
			file.Close()
			return nil, fmt.Errorf("open %s for append: dropping the bytes after the rows: %w", path, err)
		}
	}
	return w, nil
}

// readGrowingHeader reads and checks the header of the .npy file f of
// size bytes, and refuses an array that cannot grow.
func readGrowingHeader(f *os.File, size int64) (npyheader.Header, error) {
	h, err := readHeader(f, section{0, size})
	if err != nil {
		return h, err
	}
	if _, err := npyimage.Check(h, size); err != nil {
		return h, err
	}
	if len(h.Shape) == 0 {
		return h, fmt.Errorf("%w: a 0-d array has no axis to grow along", ErrShape)
	}
	if rowBytesOf(h) == 0 {
		return h, fmt.Errorf("%w: rows of %s of shape %v hold no bytes, so no file size can count them", ErrShape, h.DType, h.Shape)
	}
	return h, nil
}

// OpenAppendRaw opens a raw binary file to append rows of the given dtype
// descr and rowShape to it, as np.memmap(mode="r+") with a larger shape
// grows one: the array starts at byte offset, and the rows already there
// are the whole rows after it (the file is created when it does not exist,
// empty). Rows grow axis 0, or the last axis with WithFortranOrder. A raw
// file has no header: Sync makes the rows durable, and the file's size is
// the row count. Options: WithFortranOrder, WithBufferSize.
//
// Errors wrap: ErrOffset for a negative offset; ErrShape as for NewWriter;
// ErrFileSize when the file is shorter than offset or ends in a partial
// row (the error says where; truncate the file there to drop it);
// npyheader's sentinels for a bad descr; memmap.ErrUnsupported for what is
// not a regular file; the operating system's error.
func OpenAppendRaw(path, descr string, rowShape []int, offset int64, opts ...WriterOption) (*Writer, error) {
	o := collectOptions(opts, WriterOption.applyWriter)
	if offset < 0 {
		return nil, fmt.Errorf("open raw %s for append at %d: %w", path, offset, ErrOffset)
	}
	dt, err := parseMappableDescr(descr)
	if err != nil {
		return nil, fmt.Errorf("open raw %s for append: %w", path, err)
	}
	h, err := newGrowingHeader(dt, rowShape, o.fortran)
	if err != nil {
		return nil, fmt.Errorf("open raw %s for append: %w", path, err)
	}
	file, st, err := regular.OpenStat(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open raw %s for append: %w", path, err)
	}
	size := st.Size()
	rowBytes := int64(rowBytesOf(h))
	if size < offset || (size-offset)%rowBytes != 0 {
		file.Close()
		whole := offset + max(size-offset, 0)/rowBytes*rowBytes
		return nil, fmt.Errorf("open raw %s for append: %w: %d bytes from offset %d are not whole rows of %d bytes (whole rows end at byte %d)", path, ErrFileSize, size-offset, offset, rowBytes, whole)
	}
	rows := (size - offset) / rowBytes
	if int64(int(rows)) != rows {
		file.Close()
		return nil, fmt.Errorf("open raw %s for append: %w: %d rows", path, memmap.ErrTooLarge, rows)
	}
	h.Shape[growthAxis(h)] = int(rows)
	h.DataOffset = offset
	return newWriter(path, file, h, true, o), nil
}

// Path is the path the Writer writes (for NewWriter, the name the file
// gets at Close, not the temporary one).
func (w *Writer) Path() string { w.checkMade(); return w.path }

// Header is the header the file will have after the next Sync: the shape
// counts every row given so far (a deep copy). For a raw file it describes
// the array, with DataOffset the offset given.
func (w *Writer) Header() npyheader.Header {
	w.checkMade()
	h := w.header.Clone()
	h.Shape[w.axis] = w.Rows()
	return h
}

// RowBytes is the size of one row in bytes.
func (w *Writer) RowBytes() int { w.checkMade(); return w.rowBytes }

// Rows is the number of rows given so far, buffered or written, the rows
// the file had included.
func (w *Writer) Rows() int {
	w.checkMade()
	return int((w.written + int64(len(w.buf))) / int64(w.rowBytes))
}

// SyncedRows is the number of rows the last successful Sync (or the file,
// when opened) made part of the array on stable storage.
func (w *Writer) SyncedRows() int { w.checkMade(); return w.header.Shape[w.axis] }

// WriteRows appends rows given as their bytes in the file's layout (the
// dtype's byte order; C order inside a row, Fortran order for a Fortran
// array): len(b) must be a whole number of rows, or WriteRows panics. The
// bytes are copied; b may be reused at once. An error from writing (a full
// disk: ENOSPC) breaks the Writer: this call and every later one return it,
// and the rows since the last Sync are lost.
func (w *Writer) WriteRows(b []byte) error {
	w.checkUsable()
	if len(b)%w.rowBytes != 0 {
		misuse.Panicf("mmarray: WriteRows of %d bytes, not a whole number of %d-byte rows", len(b), w.rowBytes)
	}
	if w.err != nil {
		return w.err
	}
	for len(b) > 0 {
		if len(w.buf) == 0 && len(b) >= cap(w.buf) {
			// At least a buffer's worth: write it without copying.
			n := len(b) - len(b)%cap(w.buf)
			if err := w.writeOut(b[:n]); err != nil {
				return err
			}
			b = b[n:]
			continue
		}
		n := copy(w.buf[len(w.buf):cap(w.buf)], b)
		w.buf = w.buf[:len(w.buf)+n]
		b = b[n:]
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Append appends rows given as elements of T, which must be the Go type of
// the file's dtype (Element's table; bool, numbers, Float16, Datetime64,
// Timedelta64), in the file's layout: len(rows) must be a whole number of
// rows, or Append panics. Byte-swapped dtypes are swapped while copying,
// with no call per element. S, U, V and structured dtypes are written
// with WriteRows; for them, and any other type that is not the dtype's,
// Append returns an error wrapping ErrDTypeMismatch. Errors from writing
// are WriteRows'.
func Append[T Element](w *Writer, rows []T) error {
	w.checkUsable()
	info, err := elementInfoFor(reflect.TypeFor[T](), w.header.DType)
	if err == nil && info.codec != codecNone {
		err = fmt.Errorf("%w: Append takes numbers, bools and times; write %s items with WriteRows", ErrDTypeMismatch, w.header.DType)
	}
	if err != nil {
		return fmt.Errorf("append to %s: %w", w.path, err)
	}
	if (len(rows)*info.size)%w.rowBytes != 0 {
		misuse.Panicf("mmarray: Append of %d elements, not a whole number of %d-element rows", len(rows), w.rowBytes/info.size)
	}
	if w.header.DType.IsNative() || info.partSize == 1 {
		return w.WriteRows(elementBytes(rows))
	}
	if w.err != nil {
		return w.err
	}
	// Byte-swapped: swap into the buffer, a buffer's worth at a time.
	perBuffer := cap(w.buf) / info.size
	for len(rows) > 0 {
		n := min(len(rows), (cap(w.buf)-len(w.buf))/info.size)
		if n == 0 {
			if err := w.flush(); err != nil {
				return err
			}
			n = min(len(rows), perBuffer)
		}
		start := len(w.buf)
		w.buf = w.buf[:start+n*info.size]
		storeSwapped(w.buf[start:], rows[:n], info.partSize)
		rows = rows[n:]
	}
	if len(w.buf) == cap(w.buf) {
		return w.flush()
	}
	return nil
}

// flush writes the buffer out.
func (w *Writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	err := w.writeOut(w.buf)
	w.buf = w.buf[:0]
	return err
}

// writeOut writes b after the rows in the file, its blocks reserved first.
// On an error the file is cut back to the rows the header counts, and the
// Writer is broken.
func (w *Writer) writeOut(b []byte) error {
	off := w.dataOffset + w.written
	err := reserve(w.file, off, int64(len(b)))
	if err == nil {
		_, err = w.file.WriteAt(b, off)
	}
	if err != nil {
		return w.fail("append to", err, w.header.Shape[w.axis])
	}
	w.written += int64(len(b))
	if w.written-w.flushing >= writebackStep {
		// Start writing the rows back to the disk now, without waiting:
		// the disk works while more rows are made, and the fdatasync of
		// the next Sync or of Close finds little left to write.
		startWriteback(w.file, w.dataOffset+w.flushing, w.written-w.flushing)
		w.flushing = w.written
	}
	return nil
}

// writebackStep is how many written bytes a Writer gathers before it
// starts their write-back.
const writebackStep = 16 << 20

// fail breaks the Writer with err, after cutting the file back to its
// first keepRows rows (freeing what a full disk needs most). keepRows is
// never below the rows the header on disk or in the page cache may claim,
// so no mapping of the file loses a page and no reader finds the file
// shorter than its header.
func (w *Writer) fail(op string, err error, keepRows int) error {
	committed := w.dataOffset + int64(keepRows)*int64(w.rowBytes)
	if terr := w.file.Truncate(committed); terr != nil {
		err = errors.Join(err, fmt.Errorf("cutting back to %d bytes: %w", committed, terr))
	}
	w.written = committed - w.dataOffset
	w.buf = w.buf[:0]
	w.err = fmt.Errorf("%s %s: %w", op, w.path, err)
	return w.err
}

// Sync writes the buffered rows, makes them durable (fdatasync), then
// rewrites the shape in the header in place and makes that durable too:
// the rows become part of the array for every reader that opens the file
// from now on. For a raw file it writes and syncs the rows. A failure
// breaks the Writer as WriteRows' do; the file then holds the rows of the
// last successful Sync, and also this Sync's rows when the failure came
// after they were synced (while rewriting the header): the header may
// claim them already, so they stay, and Recover adopts them if it does
// not. After Close or Abort it returns an error wrapping memmap.ErrClosed.
func (w *Writer) Sync() error {
	w.checkMade()
	if w.closed {
		return fmt.Errorf("sync %s: %w", w.path, memmap.ErrClosed)
	}
	if w.err != nil {
		return w.err
	}
	if err := w.flush(); err != nil {
		return err
	}
	if err := w.syncData(w.file); err != nil {
		return w.fail("sync", err, w.header.Shape[w.axis])
	}
	rows := int(w.written / int64(w.rowBytes))
	if w.raw || rows == w.header.Shape[w.axis] {
		w.header.Shape[w.axis] = rows
		return nil
	}
	h := w.header.Clone()
	h.Shape[w.axis] = rows
	prefix, err := encodeInPlace(h, w.dataOffset)
	if err == nil {
		_, err = w.file.WriteAt(prefix, 0)
	}
	if err == nil {
		err = w.syncData(w.file)
	}
	if err != nil {
		// The rows are on stable storage, and the header in the page cache
		// (and on disk, should the failed sync have written it) may claim
		// them already: cutting them off would leave a header longer than
		// the file, and a mapping of it would fault (SIGBUS). They stay;
		// the header claims them or Recover adopts them.
		return w.fail("sync", err, rows)
	}
	w.header = h
	return nil
}

// Close syncs (as Sync) and closes the file; for NewWriter it then renames
// the file onto its path and syncs the folder, so that the file appears
// there whole. The folder sync is best effort: the file is complete and in
// place by then, so a folder that cannot be synced is no error (after a
// power failure the path may then show the old file, or none). After a
// failure nothing appears at the path (NewWriter; the temporary file is
// removed) or the file keeps the rows of the last successful Sync
// (OpenAppend, OpenAppendRaw), and Close returns the error. A second Close
// returns an error wrapping memmap.ErrClosed.
func (w *Writer) Close() error {
	w.checkMade()
	if w.closed {
		return fmt.Errorf("close %s: %w", w.path, memmap.ErrClosed)
	}
	err := w.Sync()
	w.closed = true
	switch {
	case w.tmp == nil:
		err = errors.Join(err, w.file.Close())
	case err != nil:
		w.tmp.Abort()
	default:
		err = w.tmp.Commit()
	}
	if err != nil {
		return fmt.Errorf("close %s: %w", w.path, err)
	}
	return nil
}

// Abort closes the Writer without syncing what is buffered. For NewWriter
// the temporary file is removed and nothing appears at the path; an
// appended file keeps the rows of the last Sync in its header (rows
// written since may lie past them, for Recover; OpenAppend drops them). A
// second Abort, or Abort after Close, returns an error wrapping
// memmap.ErrClosed.
func (w *Writer) Abort() error {
	w.checkMade()
	if w.closed {
		return fmt.Errorf("abort %s: %w", w.path, memmap.ErrClosed)
	}
	w.closed = true
	var err error
	if w.tmp != nil {
		err = w.tmp.Abort()
	} else {
		err = w.file.Close()
	}
	if err != nil {
		return fmt.Errorf("abort %s: %w", w.path, err)
	}
	return nil
}

// checkMade panics for a nil or zero Writer.
func (w *Writer) checkMade() {
	if w == nil || w.file == nil {
		misuse.Panicf("mmarray: a nil or zero Writer: Writers come from NewWriter, OpenAppend or OpenAppendRaw")
	}
}

// checkUsable panics for a Writer that cannot take rows: nil, zero or
// closed.
func (w *Writer) checkUsable() {
	w.checkMade()
	if w.closed {
		misuse.Panicf("mmarray: Writer of %s used after Close or Abort", w.path)
	}
}
