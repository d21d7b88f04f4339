package mmarray

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"sync/atomic"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/internal/npyimage"
	"github.com/go-memmap/memmap/internal/regular"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/pagecache"
)

// File is an array file mapped into memory: an .npy file (Open, Create) or a
// raw binary file (OpenRaw). Typed views over it come from View. A File must
// be closed with Close; see the package documentation for what happens to
// views afterwards.
type File struct {
	path     string
	mode     Mode
	raw      bool
	osFile   *os.File
	header   npyheader.Header
	fileSize int64
	mapping  *pagecache.Mapping // nil for OpenBytes: no file, no mapping
	data     []byte             // exactly the array's bytes inside the mapping (or image)
	// imageOffset is where the .npy image starts in the file (WithSection's
	// offset, else 0): its header bytes lie between it and DataOffset.
	imageOffset int64
	// prefix holds the header bytes when the File has them at hand (Create,
	// OpenBytes); WriteTo reads them from the file otherwise.
	prefix []byte
	// closed is 1 once Close has run. Close sets it with
	// atomic.SwapUint32 and the methods read it with atomic.LoadUint32
	// (isClosed), but the element accessors' inlined fast paths read it
	// plainly (isOpen): an atomic load would not fit their inlining budget,
	// and a plain read is enough for what the flag is for. Using a view
	// while another goroutine closes its File is a race the caller must
	// not make (see the package documentation's Caveats); the flag turns
	// use after a Close that happened before, in the same goroutine or
	// one synchronized with it, into a panic.
	closed uint32
	// wroteAt is set once WriteAt has written through the file, or
	// OpenDirect opened it for writes past the page cache: Flush then
	// syncs the file as well as the mapping, for systems whose msync
	// writes only what was changed through the mapping.
	wroteAt atomic.Bool
}

// isClosed reports whether Close has run.
func (f *File) isClosed() bool { return atomic.LoadUint32(&f.closed) != 0 }

// Open maps an existing .npy file in mode ReadOnly ("r"), ReadWrite ("r+") or
// CopyOnWrite ("c"), as np.load(path, mmap_mode=...) does.
//
// Write ("w+") is refused with ErrMode: NumPy's np.load(mmap_mode="w+")
// truncates the file before it fails, losing the data; use Create to make a
// new file. Options: WithMaxHeaderSize, WithAdvice, WithSection.
//
// The header is checked completely, and the file must hold every byte the
// header declares, before anything is mapped; a bad or truncated file gives
// an error, never a crash. Bytes after the array are ignored, as NumPy does.
// In ReadWrite mode the holes of a sparse file are allocated before mapping,
// so a full disk gives an error wrapping ENOSPC here instead of a SIGBUS at
// the first write.
//
// Errors wrap: the operating system's error (*fs.PathError) when the file
// cannot be opened; memmap.ErrUnsupported when it is not a regular file (a
// named pipe, a directory, a device), found without reading or waiting;
// one of npyheader's sentinels for a bad header; ErrFileSize when the file
// is shorter than its header declares; memmap.ErrTooLarge when the array
// does not fit the address space or an int; ErrMode for a mode Open does
// not take.
func Open(path string, mode Mode, opts ...OpenOption) (*File, error) {
	o := collectOptions(opts, OpenOption.applyOpen)
	if err := mode.CheckOpen(); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	osFile, st, err := openForMode(path, mode)
	if err != nil {
		return nil, err
	}
	f := &File{path: path, mode: mode, osFile: osFile}
	if err := f.openNPY(o, st.Size()); err != nil {
		osFile.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return f, nil
}

// OpenFile maps the .npy image held in an already open file, as Open maps
// one by path: the whole file, or with WithSection the image inside it (a
// stored member of a zip archive the caller has open, for instance). The
// File keeps its own duplicate of f's descriptor, so the caller may close f
// whenever it likes, and nothing is reopened by name: the File maps the
// very file f is. Path reports f.Name(). Options and modes are Open's.
//
// The mode must be one f was opened for: ReadWrite needs f open for
// reading and writing, and every mode needs read access; otherwise the
// error wraps ErrMode (on Windows, which cannot tell, the mapping fails
// with the system's error instead). A file that is not a regular file is
// refused with memmap.ErrUnsupported before anything is read. Other errors
// are Open's. A nil f is misuse and panics.
func OpenFile(f *os.File, mode Mode, opts ...OpenOption) (*File, error) {
	if f == nil {
		misuse.Panicf("mmarray: OpenFile of a nil *os.File")
	}
	o := collectOptions(opts, OpenOption.applyOpen)
	path := f.Name()
	if err := mode.CheckOpen(); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	st, err := regular.Stat(f)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := checkAccess(f, mode); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	osFile, err := dupFile(f)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	file := &File{path: path, mode: mode, osFile: osFile}
	if err := file.openNPY(o, st.Size()); err != nil {
		osFile.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return file, nil
}

// openNPY reads and checks the header of the .npy image in f.osFile, a
// file of size bytes (from the fstat that found it regular: the one size
// every check here uses), and maps its data.
func (f *File) openNPY(o options, size int64) error {
	s, err := imageSection(o, size)
	if err != nil {
		return err
	}
	h, err := readHeader(f.osFile, s, npyheader.WithMaxHeaderSize(max(o.maxHeaderSize, 0)))
	if err != nil {
		return err
	}
	nbytes, err := npyimage.Check(h, s.length)
	if err != nil {
		return err
	}
	h.DataOffset += s.offset // from here on, the absolute offset in the file
	f.imageOffset = s.offset
	if f.mode == ReadWrite {
		// Allocate any holes of a sparse file now, so that a write to one
		// cannot SIGBUS later on a full disk. (The data lies inside the
		// file as its fstat found it, so Preallocate does not grow it,
		// unless another process truncates the file meanwhile: the
		// unsupported case of the package's Caveats, whose window was
		// only narrower when a second fstat came just before.)
		if err := pagecache.Preallocate(f.osFile, h.DataOffset+nbytes); err != nil {
			return err
		}
	}
	f.header = h
	// Map checks the range against the file's size again, as it is when
	// mapping (its own fstat): a file truncated since is refused there.
	err = f.mapData(h.DataOffset, nbytes, o)
	if errors.Is(err, pagecache.ErrBeyondEOF) {
		size, _ := fileSize(f.osFile)
		return fmt.Errorf("%w: the header declares %d data bytes at offset %d, but the file is now %d bytes long", ErrFileSize, nbytes, h.DataOffset, size)
	}
	return err
}

// headerProbe is how many bytes Open reads at once to find the header:
// enough for every header NumPy writes for a plain dtype, so that opening
// takes one read.
const headerProbe = 4096

// readHeader reads the NPY header at the start of section s of f, whose
// length is known (imageSection): with one positioned read of at most
// headerProbe bytes when the header fits in them, and otherwise reading on
// from where that read stopped, so that no byte is read twice. The header's
// DataOffset is relative to the section's start.
func readHeader(f *os.File, s section, opts ...npyheader.ReadOption) (npyheader.Header, error) {
	r := &probedReader{image: io.NewSectionReader(f, s.offset, s.length)}
	n, err := r.image.ReadAt(r.probe[:min(headerProbe, s.length)], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return npyheader.Header{}, err
	}
	r.probed = n
	return npyheader.Read(r, opts...)
}

// probedReader reads an image from its start: its first probed bytes from
// probe, which holds them already, the rest from the image. It is an
// io.Seeker, so that npyheader learns how many bytes the image holds
// without reading them (one buffer for a long header; a length field that
// claims more than the image has is reported as truncated, as NumPy does).
type probedReader struct {
	probe  [headerProbe]byte
	probed int
	image  *io.SectionReader
	pos    int64
}

func (r *probedReader) Read(b []byte) (n int, err error) {
	if r.pos < int64(r.probed) {
		n = copy(b, r.probe[r.pos:r.probed])
	} else {
		n, err = r.image.ReadAt(b, r.pos)
	}
	r.pos += int64(n)
	if n > 0 && errors.Is(err, io.EOF) {
		err = nil // the next Read says it
	}
	return n, err
}

func (r *probedReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.image.Size()
	default:
		return 0, fmt.Errorf("seek with whence %d: %w", whence, memmap.ErrUnsupported)
	}
	if offset < 0 {
		return 0, fmt.Errorf("seek to %d: %w", offset, ErrOffset)
	}
	r.pos = offset
	return offset, nil
}

// Create makes a new .npy file for the given dtype descr and shape and maps
// it for reading and writing, as np.lib.format.open_memmap(path, mode="w+")
// does. An existing file at path is overwritten. The array starts zeroed, and
// the finished file is byte-identical to np.save of the same array.
//
// The data region is preallocated, so a full disk is reported here rather
// than as a crash when a page is first written. If Create fails, no file is
// left at path (an existing one was truncated first, as NumPy does, and is
// gone too). Options: WithFortranOrder, WithVersion, WithAdvice.
//
// Errors wrap: npyheader's sentinels for a bad descr (an object dtype:
// npyheader.ErrObjectDType); ErrShape for a negative dimension;
// memmap.ErrTooLarge for an array too large to map; memmap.ErrUnsupported
// when path is not a regular file (the file is then left alone); the
// operating system's error for the file itself (ENOSPC when the disk cannot
// hold the array).
func Create(path string, descr string, shape []int, opts ...CreateOption) (*File, error) {
	o := collectOptions(opts, CreateOption.applyCreate)
	dt, err := parseMappableDescr(descr)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	h, nbytes, err := newHeader(dt, shape, o.fortran)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	h.Version = o.version
	prefix, err := h.Encode()
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	h.DataOffset = int64(len(prefix))
	osFile, _, err := openForMode(path, Write)
	if err != nil {
		return nil, err
	}
	f := &File{path: path, mode: Write, osFile: osFile, header: h, prefix: prefix}
	if err := f.createNPY(prefix, nbytes, o); err != nil {
		osFile.Close()
		os.Remove(path)
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return f, nil
}

func (f *File) createNPY(prefix []byte, nbytes int64, o options) error {
	if _, err := f.osFile.Write(prefix); err != nil {
		return err
	}
	if err := pagecache.Preallocate(f.osFile, int64(len(prefix))+nbytes); err != nil {
		return err
	}
	return f.mapData(int64(len(prefix)), nbytes, o)
}

// OpenRaw maps a raw binary file holding an array of the given dtype descr
// (for example "<f8" or "|u1") and shape, starting at byte offset, as
// np.memmap(path, dtype, mode, offset, shape) does.
//
//   - shape nil infers a 1-D shape from the file size; the bytes after offset
//     must be a whole number of items (ErrFileSize otherwise). Write needs a shape.
//   - offset need not be page- or item-aligned; unaligned data is read and
//     written correctly (element by element, without the zero-copy slice).
//   - ReadWrite and Write grow the file to offset + the array's size, as
//     NumPy does (the new bytes are zeros and preallocated); ReadOnly and
//     CopyOnWrite never change the file and fail with ErrFileSize if it is
//     too short. Write truncates an existing file first, as NumPy's w+ does.
//   - If growing fails (ENOSPC on a full disk), the file is truncated back
//     to the size it had: ReadWrite leaves it as it was, Write leaves it
//     empty, as its truncation made it.
//
// Options: WithFortranOrder, WithAdvice.
//
// Errors wrap: ErrMode, ErrShape, ErrFileSize (a file too short), ErrOffset
// (a negative offset), npyheader's sentinels for a bad descr, memmap.ErrTooLarge,
// memmap.ErrUnsupported for what is not a regular file, or the operating
// system's error for the file.
func OpenRaw(path string, mode Mode, descr string, shape []int, offset int64, opts ...RawOption) (*File, error) {
	o := collectOptions(opts, RawOption.applyRaw)
	if !mode.valid() {
		return nil, fmt.Errorf("open raw %s: %w: %v", path, ErrMode, mode)
	}
	if offset < 0 {
		return nil, fmt.Errorf("open raw %s at %d: %w", path, offset, ErrOffset)
	}
	if shape == nil && mode == Write {
		return nil, fmt.Errorf("open raw %s: %w: a shape must be given for mode w+", path, ErrShape)
	}
	dt, err := parseMappableDescr(descr)
	if err != nil {
		return nil, fmt.Errorf("open raw %s: %w", path, err)
	}
	osFile, st, err := openForMode(path, mode)
	if err != nil {
		return nil, err
	}
	f := &File{path: path, mode: mode, raw: true, osFile: osFile}
	if err := f.openRaw(dt, shape, offset, st.Size(), o); err != nil {
		osFile.Close()
		return nil, fmt.Errorf("open raw %s: %w", path, err)
	}
	return f, nil
}

// openRaw maps the raw array at offset in f.osFile, a file of size bytes
// (from the fstat that found it regular).
func (f *File) openRaw(dt npyheader.DType, shape []int, offset, size int64, o options) error {
	if shape == nil {
		if offset > size {
			return fmt.Errorf("%w: offset %d is past the end of the %d-byte file", ErrFileSize, offset, size)
		}
		var err error
		if shape, err = inferShape(dt, size-offset, offset); err != nil {
			return err
		}
	}
	h, nbytes, err := newHeader(dt, shape, o.fortran)
	if err != nil {
		return err
	}
	h.DataOffset = offset
	need := offset + nbytes
	if need < offset {
		return fmt.Errorf("%w: offset %d plus %d data bytes overflows", memmap.ErrTooLarge, offset, nbytes)
	}
	if f.mode.writesFile() {
		if err := growFile(f.osFile, size, need); err != nil {
			return err
		}
	} else if need > size {
		return fmt.Errorf("%w: the array needs bytes %d..%d, but the file is %d bytes long", ErrFileSize, offset, need, size)
	}
	f.header = h
	return f.mapData(offset, nbytes, o)
}

// inferShape is the 1-D shape of the items of dt that n bytes, found at
// offset, hold: they must be a whole number of items.
func inferShape(dt npyheader.DType, n, offset int64) ([]int, error) {
	if dt.ItemSize == 0 {
		return nil, fmt.Errorf("%w: cannot infer a shape for a zero-size dtype %s", ErrShape, dt)
	}
	if n%int64(dt.ItemSize) != 0 {
		return nil, fmt.Errorf("%w: the %d bytes after offset %d are not a multiple of the item size %d", ErrFileSize, n, offset, dt.ItemSize)
	}
	count := n / int64(dt.ItemSize)
	if count > math.MaxInt {
		return nil, fmt.Errorf("%w: %d items do not fit in an int on this platform", memmap.ErrTooLarge, count)
	}
	return []int{int(count)}, nil
}

// growFile makes f, now size bytes long, at least need bytes long with
// every block allocated. If that fails (a full disk), f is truncated back to
// size, so that it does not keep the bytes and the disk space of a grow that
// did not happen.
func growFile(f *os.File, size, need int64) error {
	err := pagecache.Preallocate(f, need)
	if err == nil {
		return nil
	}
	if terr := f.Truncate(size); terr != nil {
		return errors.Join(err, fmt.Errorf("restoring the size %d: %w", size, terr))
	}
	return err
}

// parseMappableDescr parses a descr given by the caller and refuses object
// dtypes, which hold pickles and are never mapped.
func parseMappableDescr(descr string) (npyheader.DType, error) {
	dt, err := npyheader.ParseDescr(descr)
	if err != nil {
		return npyheader.DType{}, err
	}
	return dt, dt.CheckMappable()
}

// newHeader validates a shape given by the caller for dt.
func newHeader(dt npyheader.DType, shape []int, fortran bool) (npyheader.Header, int64, error) {
	for axis, n := range shape {
		if n < 0 {
			return npyheader.Header{}, 0, fmt.Errorf("%w: dimension %d of shape %v is negative", ErrShape, axis, shape)
		}
	}
	h := npyheader.Header{DType: dt, FortranOrder: fortran, Shape: append([]int{}, shape...)}
	nbytes, err := h.DataSize()
	return h, nbytes, err
}

func (f *File) mapData(offset, nbytes int64, o options) error {
	m, err := pagecache.Map(f.osFile, offset, nbytes, f.mode.access())
	if err != nil {
		return err
	}
	if o.hasAdvice {
		if err := m.Advise(0, nbytes, o.advice); err != nil {
			m.Close()
			return err
		}
	}
	f.mapping, f.data, f.fileSize = m, m.Bytes(), m.FileSize()
	return nil
}

// openForMode opens path as mode needs, refusing what is not a regular
// file before anything reads it (regular.OpenStat), and returns its
// information from that fstat: for mode Write, after the truncation. Its
// errors name the operation and path: the system's *fs.PathError, or one
// wrapping memmap.ErrUnsupported.
func openForMode(path string, mode Mode) (*os.File, fs.FileInfo, error) {
	var flag int
	switch mode {
	case ReadWrite:
		flag = os.O_RDWR
	case Write:
		flag = os.O_RDWR | os.O_CREATE | os.O_TRUNC // a no-op on what is not a regular file
	default: // ReadOnly and CopyOnWrite never write the file.
		flag = os.O_RDONLY
	}
	return regular.OpenStat(path, flag, 0o644)
}

func fileSize(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// Path is the file's path as given to the constructor.
func (f *File) Path() string {
	checkMade(f)
	return f.path
}

// Mode is the mode the file was opened in.
func (f *File) Mode() Mode {
	checkMade(f)
	return f.mode
}

// Header is the file's NPY header. For a raw file (OpenRaw) it describes the
// array as the caller declared it, with DataOffset the given offset and a zero
// Version. It is a deep copy: editing it changes nothing in the File.
func (f *File) Header() npyheader.Header {
	checkMade(f)
	return f.header.Clone()
}

// DType is the array's parsed dtype, a deep copy: editing its fields
// changes nothing in the File.
func (f *File) DType() npyheader.DType {
	checkMade(f)
	return f.header.DType.Clone()
}

// Descr is the dtype as NumPy's descr text, e.g. "<f8".
func (f *File) Descr() string {
	checkMade(f)
	return f.header.DType.String()
}

// Shape is the array's shape (a copy); empty for a 0-d array.
func (f *File) Shape() []int {
	checkMade(f)
	return append([]int{}, f.header.Shape...)
}

// FortranOrder reports whether the data is in Fortran (column-major) order,
// as the header's fortran_order says.
func (f *File) FortranOrder() bool {
	checkMade(f)
	return f.header.FortranOrder
}

// DataOffset is the byte offset of the array data in the file (for
// WithSection, from the start of the file, not of the section; for
// OpenBytes, in the image).
func (f *File) DataOffset() int64 {
	checkMade(f)
	return f.header.DataOffset
}

// Len is the number of elements (1 for a 0-d array).
func (f *File) Len() int {
	checkMade(f)
	n, _ := f.header.Count() // validated when the file was opened
	return int(n)
}

// FileSize is the size in bytes of the file when it was opened (after any
// growth), the whole file even for WithSection; for OpenBytes, the image's
// length.
func (f *File) FileSize() int64 {
	checkMade(f)
	return f.fileSize
}

// NBytes is the size in bytes of the array's data, as NumPy's nbytes: Len()
// times the item size. ReadAt reads these bytes.
func (f *File) NBytes() int64 {
	checkMade(f)
	return int64(len(f.data))
}

// IsRaw reports whether the file was opened with OpenRaw or OpenRawBytes.
func (f *File) IsRaw() bool {
	checkMade(f)
	return f.raw
}

// Flush writes changes back to the file and waits until they are on stable
// storage (msync, then fdatasync). In ReadOnly and CopyOnWrite mode it does
// nothing, as NumPy's flush does: copy-on-write changes never reach the file.
// After Close it returns an error wrapping memmap.ErrClosed; a failed msync
// or fdatasync returns the operating system's error (EIO, ENOSPC).
func (f *File) Flush() error {
	checkMade(f)
	if f.isClosed() {
		return fmt.Errorf("flush %s: %w", f.path, memmap.ErrClosed)
	}
	if f.mapping == nil {
		return nil // OpenBytes: there is no file to write back to.
	}
	// The mapping's Flush does nothing for ReadOnly and CopyOnWrite.
	if err := f.mapping.Flush(); err != nil {
		return fmt.Errorf("flush %s: %w", f.path, err)
	}
	if f.wroteAt.Load() {
		if err := f.osFile.Sync(); err != nil {
			return fmt.Errorf("flush %s: %w", f.path, err)
		}
	}
	return nil
}

// Advise gives the kernel a hint about how the whole array will be read.
// An advice the operating system lacks gives an error wrapping
// memmap.ErrUnsupported (or pagecache's sentinel for it), a closed File one
// wrapping memmap.ErrClosed.
func (f *File) Advise(a Advice) error {
	checkMade(f)
	if f.isClosed() {
		return fmt.Errorf("advise %s: %w", f.path, memmap.ErrClosed)
	}
	if f.mapping == nil {
		return nil // OpenBytes: ordinary Go memory takes no hints.
	}
	if err := f.mapping.Advise(0, int64(len(f.data)), a); err != nil {
		return fmt.Errorf("advise %s: %w", f.path, err)
	}
	return nil
}

// Resident reports how many of the pages holding the array are in memory.
// After Close it returns an error wrapping memmap.ErrClosed.
func (f *File) Resident() (resident, total int, err error) {
	checkMade(f)
	if f.isClosed() {
		return 0, 0, fmt.Errorf("resident %s: %w", f.path, memmap.ErrClosed)
	}
	if f.mapping == nil {
		resident, total = f.residentInMemory()
		return resident, total, nil
	}
	resident, total, err = f.mapping.Resident(0, int64(len(f.data)))
	if err != nil {
		return 0, 0, fmt.Errorf("resident %s: %w", f.path, err)
	}
	return resident, total, nil
}

// Close unmaps the array and closes the file. It does not flush: call Flush
// first when the changes must be durable (the kernel still writes ReadWrite
// changes back eventually, as it does for any shared mapping). Views of the
// File must not be used after Close; see the package documentation. A second
// Close returns an error wrapping memmap.ErrClosed.
func (f *File) Close() error {
	checkMade(f)
	if atomic.SwapUint32(&f.closed, 1) != 0 {
		return fmt.Errorf("close %s: %w", f.path, memmap.ErrClosed)
	}
	if f.mapping == nil {
		f.data = nil // OpenBytes: let the image be collected once no view holds it.
		return nil
	}
	err := errors.Join(f.mapping.Close(), f.osFile.Close())
	if err != nil {
		return fmt.Errorf("close %s: %w", f.path, err)
	}
	return nil
}

// checkOpen panics unless f is an open File. It is nil-safe, so that the
// views' element paths report a zero Array (whose file is nil) as misuse.
//
// It is small enough to inline into every element access; the panics are
// out of line in panicNotOpen.
func (f *File) checkOpen() {
	if f == nil || f.isClosed() {
		panicNotOpen(f)
	}
}

// panicNotOpen panics for a nil File or a closed one.
func panicNotOpen(f *File) {
	if f == nil {
		panicUnmade()
	}
	panicClosed(f.path)
}

// checkMade panics unless f was made by one of this package's constructors:
// a nil or zero File has nothing to view.
func checkMade(f *File) {
	if f == nil || !f.mode.valid() {
		misuse.Panicf("mmarray: a nil or zero File: Files come from Open, OpenFile, Create, OpenRaw, OpenBytes or OpenRawBytes")
	}
}
