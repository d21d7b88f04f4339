package npz

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// MemberAlign is the alignment, in bytes from the start of the archive, of
// the array data of every stored member a Writer writes. It equals
// npyheader.ArrayAlign, the alignment NumPy gives array data inside an .npy
// file, so that a mapped member is as well aligned as a mapped .npy file.
const MemberAlign = npyheader.ArrayAlign

// DeflateLevel is the compress/flate level of Compressed archives: zlib's
// default level, which np.savez_compressed uses through zipfile.ZIP_DEFLATED.
const DeflateLevel = 6

const (
	// copyBufferSize is the chunk in which WriteFrom streams array data:
	// large enough that per-call overhead vanishes, small enough to be
	// irrelevant next to the arrays.
	copyBufferSize    = 1 << 20
	minCopyBufferSize = 4 << 10

	// zipBufferSize is the size of archive/zip's output buffer
	// (bufio.NewWriter's default): a Write larger than it bypasses the
	// buffer when the buffer is empty.
	zipBufferSize = 4096
)

// Writer writes an .npz archive member by member, streaming each array's
// data: np.savez (stored members, the default) or np.savez_compressed (with
// the Compressed option). No array is held in memory; an archive of several
// multi-GiB arrays needs about a MiB of buffers. Zip64 records are written
// automatically for members and archives over 4 GiB and for more than 65535
// members.
//
// Members are named name + ".npy", exactly as NumPy names them, and np.load
// reads the archive unchanged. The data of every stored member starts at a
// multiple of MemberAlign bytes from the start of the archive: the local
// header is padded with an extra field, and the NPY header itself is a
// multiple of 64 bytes long. A reader that maps the archive can therefore
// view stored members in place.
//
// A Writer is not safe for concurrent use. It must be closed with Close,
// which writes the zip central directory; without it the archive is not
// readable.
//
// What differs from NumPy's own archives, none of which np.load notices:
//
//   - The member bytes (.npy header and data) are exactly np.savez's, but
//     the zip records around them are archive/zip's: since a member's CRC-32
//     is known only after its data has streamed, the local header holds zeros
//     and a data descriptor (flag bit 3) follows the data, with 8-byte sizes
//     when the member needs zip64. Readers that go by the central directory
//     (NumPy and Python's zipfile, Go's archive/zip, Info-ZIP) read it; a
//     reader that walks local headers only must understand data descriptors
//     on stored members, which java.util.zip.ZipInputStream does not.
//   - NumPy puts a zip64 extra field in every local header; this Writer puts
//     zip64 fields only in the central directory, and only where needed.
//   - Each stored member carries the padding extra field (ID 0xd935, also in
//     the central directory): 6 to 69 bytes.
//   - Compressed members are deflated by compress/flate at DeflateLevel,
//     whose output decompresses to the same bytes as zlib's but is not the
//     same compressed stream.
//   - Timestamps are 1980-01-01 and permissions 0600, as in NumPy's archives,
//     so the archive is reproducible.
type Writer struct {
	zw  *zip.Writer
	out *countingWriter // counts the bytes that reached the destination

	file *os.File // set by Create, closed by Close
	path string

	compressed bool
	// deflate is the compressor of the member being written, so that the
	// member can be finished (its last block written) before the next
	// header is placed.
	deflate    *deflateWriter
	flateState *flate.Writer // reused across members: a flate.Writer is large

	// pendingDescriptor is the size of the data descriptor archive/zip will
	// write for the last member when the next member (or the central
	// directory) is started; it is not in out.count yet.
	pendingDescriptor int64

	current   io.Writer // the zip writer of the member being written
	dataStart int64     // archive offset of that member's data

	names      map[string]struct{} // member names written so far
	positional int                 // how many names NextPositional gave out
	buf        []byte
	err        error // sticky: set when the archive can no longer be completed
	closed     bool
}

// NewWriter returns a Writer that writes an archive to w. Offsets, and so the
// alignment of stored members, count from the first byte written to w: if w
// is a file already holding data, the members are aligned within the
// archive, not within the file. Close does not close w.
func NewWriter(w io.Writer, opts ...WriterOption) *Writer {
	var o writerOptions
	for _, opt := range opts {
		opt(&o)
	}
	out := &countingWriter{w: w}
	nw := &Writer{
		zw:         zip.NewWriter(out),
		out:        out,
		compressed: o.compressed,
		names:      make(map[string]struct{}),
	}
	nw.zw.RegisterCompressor(zip.Deflate, nw.newDeflater)
	return nw
}

// Create creates (or truncates) the file at path and returns a Writer for an
// archive in it. Unlike np.savez, it does not append ".npz" to the path.
// Close closes the file; when any write failed, Close removes it, since the
// archive could not be completed.
func Create(path string, opts ...WriterOption) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return nil, err // a *fs.PathError, which names the operation and path
	}
	w := NewWriter(f, opts...)
	w.file = f
	w.path = path
	return w, nil
}

// NextPositional returns the name np.savez gives to its next positional
// argument: "arr_0" on the first call, then "arr_1", and so on, counting
// calls on this Writer. As in np.savez, a keyword name that equals a
// positional one is refused (with ErrDuplicateName), whichever comes first.
func (w *Writer) NextPositional() string {
	name := PositionalName(w.positional)
	w.positional++
	return name
}

// PositionalName is the name np.savez gives to its i-th positional argument
// (from 0): "arr_<i>".
func PositionalName(i int) string {
	return "arr_" + strconv.Itoa(i)
}

// WriteArray adds the array of f as member name + ".npy", with the header
// np.savez would write for it (same dtype, shape and memory order; the
// format version chosen as NumPy does) and f's data bytes unchanged. Any
// dtype is accepted, and a raw file (mmarray.OpenRaw) becomes an ordinary
// .npy member.
//
// The data is written from f's memory (File.WriteDataTo), not from the file
// on disk, so what is written is what f's views see: changes made in any
// mode, CopyOnWrite included, and Files with no file behind them
// (mmarray.OpenBytes, a decompressed member from Archive.Open) work too. It
// goes to the member in one Write of the mapped bytes, without a bounce
// buffer: for a stored member of more than a few KiB, that same slice
// reaches the destination once archive/zip has computed its CRC-32.
//
// A name that is already in the archive fails with ErrDuplicateName without
// writing anything, and the Writer stays usable; a closed File fails with
// memmap.ErrClosed.
func (w *Writer) WriteArray(name string, f *mmarray.File) error {
	if err := w.usable(); err != nil {
		return err
	}
	h := f.Header()
	h.Version = npyheader.Version{} // choose as np.savez does
	size, err := h.DataSize()
	if err != nil {
		return fmt.Errorf("write %q: %w", name, err)
	}
	// A zero-length read touches no data but fails on a closed File
	// (memmap.ErrClosed): refuse it before anything is written.
	if _, err := f.ReadAt(nil, 0); err != nil {
		return fmt.Errorf("write %q: %w", name, err)
	}
	return w.writeMember(name, h, f.WriteDataTo, size)
}

// WriteFrom adds member name + ".npy" holding the NPY header h (encoded
// exactly as np.save encodes it; h.DataOffset is ignored, and the zero
// h.Version chooses the version as NumPy does) followed by exactly
// h.DataSize() bytes streamed from data, which must be in the layout the
// header describes: h.DType's byte order, C order unless h.FortranOrder.
//
// data must end right after those bytes: WriteFrom reads once more to make
// sure, and fails with ErrDataSize when data is shorter or longer. Object
// dtypes are refused (npyheader.ErrObjectDType): their data is a pickle.
//
// A duplicate name (ErrDuplicateName) or a header that cannot be encoded
// writes nothing and leaves the Writer usable. A failure while the member is
// being written (short or long data, an error from data or from the
// destination) leaves a broken member behind: the Writer then refuses
// further calls, and Close returns that error.
func (w *Writer) WriteFrom(name string, h npyheader.Header, data io.Reader) error {
	if err := w.usable(); err != nil {
		return err
	}
	if err := h.DType.CheckMappable(); err != nil {
		return fmt.Errorf("write %q: %w", name, err)
	}
	size, err := h.DataSize()
	if err != nil {
		return fmt.Errorf("write %q: %w", name, err)
	}
	return w.writeMember(name, h, w.exactly(data, size), size)
}

// usable reports why no member can be written, if so.
func (w *Writer) usable() error {
	if w.closed {
		return fmt.Errorf("write: %w", memmap.ErrClosed)
	}
	if w.err != nil {
		return fmt.Errorf("write: an earlier write failed, the archive cannot be completed: %w", w.err)
	}
	return nil
}

// writeData writes a member's data to the member's writer and returns the
// number of data bytes it found: those it wrote, plus any it found beyond
// the size it was given, so that copyMember reports any size mismatch. It is
// a File's WriteDataTo for WriteArray, Writer.exactly for WriteFrom.
type writeData func(member io.Writer) (int64, error)

// writeMember writes one member: the local header (padded so that the data
// is aligned, for stored members), the encoded NPY header and the size
// bytes data writes.
func (w *Writer) writeMember(name string, h npyheader.Header, data writeData, size int64) error {
	member := name + ".npy"
	if len(member) > maxMemberName {
		return fmt.Errorf("write: %w: the member name is %d bytes long, more than the zip format's %d",
			ErrName, len(member), maxMemberName)
	}
	if _, dup := w.names[member]; dup {
		return fmt.Errorf("write %q: %w: %s is already in the archive", name, ErrDuplicateName, member)
	}
	prefix, err := h.Encode()
	if err != nil {
		return fmt.Errorf("write %q: %w", name, err)
	}
	if len(prefix)%MemberAlign != 0 {
		// npyheader always pads to npyheader.ArrayAlign; guard the assumption
		// the alignment rests on.
		panic(fmt.Sprintf("npz: internal error: an encoded NPY header of %d bytes is not a multiple of %d", len(prefix), MemberAlign))
	}

	// From here on, a failure leaves a partial member in the archive.
	if err := w.startMember(member); err != nil {
		w.err = fmt.Errorf("write %q: %w", name, err)
		return w.err
	}
	w.names[member] = struct{}{}
	if err := w.copyMember(prefix, data, size); err != nil {
		w.err = fmt.Errorf("write %q: %w", name, err)
		return w.err
	}
	return nil
}

// startMember writes the local header of member and checks that the member's
// data starts where the padding was computed for.
func (w *Writer) startMember(member string) error {
	// Bring out.count up to date: archive/zip buffers its output.
	if err := w.zw.Flush(); err != nil {
		return err
	}
	// archive/zip writes the previous member's data descriptor just before
	// this member's local header.
	headerOffset := w.out.count + w.pendingDescriptor
	fh := &zip.FileHeader{
		Name:         member,
		Method:       zip.Store,
		ModifiedDate: msdosDate1980,
	}
	fh.SetMode(memberMode)
	if w.compressed {
		fh.Method = zip.Deflate
	} else {
		fh.Extra = alignExtra(headerOffset + localHeaderLen + int64(len(member)))
	}
	fw, err := w.zw.CreateHeader(fh)
	if err != nil {
		return err
	}
	w.current = fw
	if err := w.zw.Flush(); err != nil {
		return err
	}
	dataStart := headerOffset + localHeaderLen + int64(len(member)) + int64(len(fh.Extra))
	if w.out.count != dataStart {
		// archive/zip laid the header out differently from what the
		// padding was computed for (a change in the standard library):
		// refuse to write a misaligned archive silently.
		return fmt.Errorf("%w: member data starts at byte %d instead of %d", ErrAlignment, w.out.count, dataStart)
	}
	w.dataStart = dataStart
	return nil
}

// copyMember writes the NPY prefix and the data into the member just
// started, checks that the data was exactly size bytes long, then finishes
// the member.
func (w *Writer) copyMember(prefix []byte, data writeData, size int64) error {
	if _, err := w.current.Write(prefix); err != nil {
		return err
	}
	if !w.compressed && size > zipBufferSize {
		// Empty archive/zip's buffer, so that the data slice goes through
		// it to the destination in one Write, uncopied. This costs no
		// extra Write: the buffer, once full, would be flushed anyway.
		// Smaller data is better copied into the buffer.
		if err := w.zw.Flush(); err != nil {
			return err
		}
	}
	written, err := data(w.current)
	if err != nil {
		return fmt.Errorf("copying array data after %d of %d bytes: %w", written, size, err)
	}
	switch {
	case written < size:
		return fmt.Errorf("%w: the data ended after %d of the %d bytes the header declares: %w",
			ErrDataSize, written, size, io.ErrUnexpectedEOF)
	case written > size:
		return fmt.Errorf("%w: the data is longer than the %d bytes the header declares", ErrDataSize, size)
	}
	return w.finishMember(int64(len(prefix)) + size)
}

// exactly returns the writeData of a member whose data is read from r: it
// copies up to size bytes through the Writer's buffer, then reads once more
// and counts a byte found there, so that copyMember reports data longer
// than size.
func (w *Writer) exactly(r io.Reader, size int64) writeData {
	return func(member io.Writer) (int64, error) {
		// The buffer grows with the largest member so far, up to
		// copyBufferSize: archives of small arrays need no megabyte.
		if want := min(max(size, minCopyBufferSize), copyBufferSize); int64(len(w.buf)) < want {
			w.buf = make([]byte, want)
		}
		copied, err := io.CopyBuffer(member, io.LimitReader(r, size), w.buf)
		if err != nil || copied < size {
			return copied, err
		}
		// The data must end here: one more read must say EOF.
		switch n, err := io.ReadFull(r, w.buf[:1]); {
		case n > 0:
			return copied + int64(n), nil
		case !errors.Is(err, io.EOF):
			return copied, fmt.Errorf("reading array data after its end: %w", err)
		}
		return copied, nil
	}
}

// finishMember ends the member just written, so that the bytes it occupies
// are known before the next header is placed.
func (w *Writer) finishMember(uncompressed int64) error {
	if w.deflate != nil {
		// archive/zip would close the compressor only when the next member
		// starts; close it now so that its last block is counted.
		if err := w.deflate.Close(); err != nil {
			return err
		}
		w.deflate = nil
	}
	if err := w.zw.Flush(); err != nil {
		return err
	}
	compressed := w.out.count - w.dataStart
	w.pendingDescriptor = dataDescriptorLen
	if compressed >= zip64Threshold || uncompressed >= zip64Threshold {
		w.pendingDescriptor = dataDescriptor64Len
	}
	w.current = nil
	return nil
}

// Close writes the zip central directory and, for a Writer made by Create,
// closes the file. After a failed write it returns that failure instead
// (and Create's file is removed). A second Close fails with memmap.ErrClosed.
func (w *Writer) Close() error {
	if w.closed {
		return fmt.Errorf("close: %w", memmap.ErrClosed)
	}
	w.closed = true
	err := w.err
	if err == nil {
		if zerr := w.zw.Close(); zerr != nil {
			err = fmt.Errorf("close: %w", zerr)
		}
	}
	if w.file != nil {
		if cerr := w.file.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close: %w", cerr)
		}
		if err != nil {
			if rerr := os.Remove(w.path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				err = errors.Join(err, fmt.Errorf("removing the incomplete archive: %w", rerr))
			}
		}
	}
	return err
}

// newDeflater is the Deflate compressor registered with the zip writer: it
// reuses one flate.Writer at DeflateLevel and remembers the member's
// compressor so that finishMember can close it.
func (w *Writer) newDeflater(out io.Writer) (io.WriteCloser, error) {
	if w.flateState == nil {
		fw, err := flate.NewWriter(out, DeflateLevel)
		if err != nil {
			return nil, err
		}
		w.flateState = fw
	} else {
		w.flateState.Reset(out)
	}
	w.deflate = &deflateWriter{fw: w.flateState}
	return w.deflate, nil
}

// deflateWriter is a flate.Writer whose Close may be called twice: by
// finishMember and later by archive/zip.
type deflateWriter struct {
	fw     *flate.Writer
	closed bool
}

func (d *deflateWriter) Write(p []byte) (int, error) { return d.fw.Write(p) }

func (d *deflateWriter) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	return d.fw.Close()
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w     io.Writer
	count int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.count += int64(n)
	return n, err
}
