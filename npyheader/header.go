package npyheader

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/misuse"
)

// Magic is the 6-byte prefix of every NPY file.
const Magic = "\x93NUMPY"

// MagicLen is the length of the magic string plus the two version bytes.
const MagicLen = 8

// ArrayAlign is the alignment NumPy pads the header to.
const ArrayAlign = 64

// DefaultMaxHeaderSize is NumPy's default max_header_size.
const DefaultMaxHeaderSize = 10000

// growthAxisMaxDigits is NumPy's GROWTH_AXIS_MAX_DIGITS.
const growthAxisMaxDigits = 21

// Version is an NPY format version.
type Version struct{ Major, Minor uint8 }

// Common format versions.
var (
	Version1 = Version{1, 0}
	Version2 = Version{2, 0}
	Version3 = Version{3, 0}
)

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// lenFieldSize returns the size of the HEADER_LEN field, or 0 for an
// unsupported version.
func (v Version) lenFieldSize() int {
	switch v {
	case Version1:
		return 2
	case Version2, Version3:
		return 4
	}
	return 0
}

// Header is the decoded NPY header.
type Header struct {
	Version      Version // as read; on Encode the zero Version means "choose as NumPy does"
	DType        DType
	FortranOrder bool
	Shape        []int // nil or empty for a 0-d array; Read and Parse return a non-nil empty slice
	DataOffset   int64 // byte offset of the array data = 8 + len-field size + HEADER_LEN
}

// Clone returns a deep copy of h (its shape and dtype included).
func (h Header) Clone() Header {
	h.DType = h.DType.Clone()
	h.Shape = slices.Clone(h.Shape)
	return h
}

// Count returns the number of elements: the product of Shape (1 for 0-d).
// As in NumPy, the product of the non-zero dimensions must not overflow even
// when another dimension is 0.
func (h Header) Count() (int64, error) {
	n, nz, err := h.count()
	if err != nil {
		return 0, err
	}
	if nz {
		return 0, nil
	}
	return n, nil
}

func (h Header) count() (prod int64, hasZero bool, err error) {
	prod = 1
	for i, d := range h.Shape {
		if d < 0 {
			return 0, false, wrapf(ErrShape, "dimension %d is negative (%d)", i, d)
		}
		if d == 0 {
			hasZero = true
			continue
		}
		if prod > math.MaxInt64/int64(d) {
			return 0, false, wrapf(memmap.ErrTooLarge, "shape %s: element count overflows int64", tupleRepr(h.Shape))
		}
		prod *= int64(d)
	}
	return prod, hasZero, nil
}

// DataSize returns Count() * ItemSize, the number of data bytes. It fails
// with memmap.ErrTooLarge when that overflows int64 or does not fit in int
// on this platform.
func (h Header) DataSize() (int64, error) {
	n, hasZero, err := h.count()
	if err != nil {
		return 0, err
	}
	isz := int64(h.DType.ItemSize)
	if isz < 0 {
		return 0, wrapf(ErrDescr, "negative itemsize %d", isz)
	}
	if isz > 0 && n > math.MaxInt/isz {
		return 0, wrapf(memmap.ErrTooLarge, "shape %s with itemsize %d: byte size overflows int%d", tupleRepr(h.Shape), isz, strconv.IntSize)
	}
	if hasZero {
		return 0, nil
	}
	return n * isz, nil
}

// ReadOption configures Read and Parse.
type ReadOption interface {
	applyRead(*readConfig)
}

type readConfig struct {
	maxHeaderSize int
}

type maxHeaderSizeOption int

func (n maxHeaderSizeOption) applyRead(c *readConfig) { c.maxHeaderSize = int(n) }

// WithMaxHeaderSize sets the largest accepted header, in characters, as
// NumPy's max_header_size. Zero means DefaultMaxHeaderSize (10000, NumPy's
// default); a negative size panics with a *memmap.Misuse.
func WithMaxHeaderSize(n int) ReadOption {
	if n < 0 {
		misuse.Panicf("npyheader: WithMaxHeaderSize(%d): the size must not be negative", n)
	}
	return maxHeaderSizeOption(n)
}

// Parse decodes the NPY prefix at the start of b. Bytes after the header
// are ignored. The header text is parsed where it lies in b, not copied.
func Parse(b []byte, opts ...ReadOption) (Header, error) {
	return Read(&sliceReader{b: b}, opts...)
}

// Read reads exactly the NPY prefix (magic to the end of the header) from r
// and no further, and decodes it. A nil option is ignored.
func Read(r io.Reader, opts ...ReadOption) (Header, error) {
	var c readConfig
	for _, o := range opts {
		if o != nil { // a nil ReadOption compiles; it sets nothing
			o.applyRead(&c)
		}
	}
	maxSize := c.maxHeaderSize
	if maxSize == 0 {
		maxSize = DefaultMaxHeaderSize
	}
	var pre [MagicLen]byte
	n, err := io.ReadFull(r, pre[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return Header{}, fmt.Errorf("read magic string: %w", err)
	}
	if m := min(n, len(Magic)); string(pre[:m]) != Magic[:m] {
		if n < MagicLen {
			return Header{}, wrap2(ErrBadMagic, ErrTruncated, "at byte 0: expected %q, found %q and the end of the input", Magic, pre[:n])
		}
		return Header{}, wrapf(ErrBadMagic, "at byte 0: expected %q, found %q", Magic, pre[:len(Magic)])
	}
	if n < MagicLen {
		return Header{}, wrapf(ErrTruncated, "reading magic string: expected %d bytes got %d", MagicLen, n)
	}
	v := Version{pre[6], pre[7]}
	lf := v.lenFieldSize()
	if lf == 0 {
		return Header{}, wrapf(ErrVersion, "at byte 6: found version %d.%d, expected 1.0, 2.0 or 3.0", v.Major, v.Minor)
	}
	var lb [4]byte
	n, err = io.ReadFull(r, lb[:lf])
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return Header{}, wrapf(ErrTruncated, "at byte 8: reading array header length: expected %d bytes got %d", lf, n)
		}
		return Header{}, fmt.Errorf("read array header length: %w", err)
	}
	var hlen int64
	if lf == 2 {
		hlen = int64(binary.LittleEndian.Uint16(lb[:2]))
	} else {
		hlen = int64(binary.LittleEndian.Uint32(lb[:4]))
	}
	start := int64(MagicLen + lf)
	if int64(maxSize) < math.MaxInt64/4 && hlen > 4*int64(maxSize) {
		// Too large to read. NumPy reads first and so reports a file that
		// ends early as truncated; do the same when the remaining size can be
		// learned without reading (files, bytes.Reader).
		if left, ok := remainingBytes(r); ok && left < hlen {
			return Header{}, wrap2(ErrTruncated, ErrHeaderTooLarge, "at byte %d: reading array header: expected %d bytes got %d (and the length is more than allowed for %d characters)", start, hlen, left, maxSize)
		}
		return Header{}, wrapf(ErrHeaderTooLarge, "at byte 8: header length field is %d bytes, more than allowed for %d characters", hlen, maxSize)
	}
	raw, err := readHeaderBytes(r, hlen)
	if err != nil {
		return Header{}, fmt.Errorf("read array header: %w", err)
	}
	if int64(len(raw)) < hlen {
		return Header{}, wrapf(ErrTruncated, "at byte %d: reading array header: expected %d bytes got %d", start, hlen, len(raw))
	}
	// Count the characters before parsing, so that the limit is checked on
	// characters, as NumPy does, not on bytes.
	text := latin1Text(raw)
	if v == Version3 {
		if !utf8.Valid(raw) {
			return Header{}, wrapf(ErrSyntax, "header at byte %d: invalid UTF-8 in a version 3.0 header", start)
		}
		text = utf8Text(raw)
	}
	if chars := text.charIndex(len(raw)); chars > maxSize {
		return Header{}, wrapf(ErrHeaderTooLarge, "header at byte %d: header info length (%d) is larger than the maximum of %d", start, chars, maxSize)
	}
	h, err := interpret(text, v != Version3)
	if err != nil {
		return Header{}, withContext(err, "header at byte %d", start)
	}
	h.Version = v
	h.DataOffset = start + hlen
	return h, nil
}

// sliceReader is the reader Parse gives Read: readHeaderBytes takes the
// header from its slice instead of copying it.
type sliceReader struct{ b []byte }

func (s *sliceReader) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.b)
	s.b = s.b[n:]
	return n, nil
}

// firstChunk is how much readHeaderBytes allocates before the first byte
// arrives when the source's size is unknown. It holds any header that
// NumPy's default limit allows (10000 characters of up to 4 UTF-8 bytes), so
// that such a header costs one buffer of its own length.
const firstChunk = 64 << 10

// readHeaderBytes reads up to n bytes, fewer only at the end of the input.
// The length field is only a claim: a raised limit may allow 4 GiB in a
// file of a hundred bytes. So no more is allocated than the source holds:
// when its size is known (a file, a bytes.Reader, an io.SectionReader) one
// buffer of what it has left, at most n; otherwise chunks that double the
// bytes read so far as they arrive, joined once at the end. A long header
// thus costs one buffer of its length from a file and two from a stream.
func readHeaderBytes(r io.Reader, n int64) ([]byte, error) {
	if s, ok := r.(*sliceReader); ok {
		b := s.b[:min(n, int64(len(s.b)))]
		s.b = s.b[len(b):]
		return b, nil
	}
	if n <= firstChunk {
		// Asking for the size costs system calls: not worth it for a
		// buffer this small.
		return readChunk(r, int(n))
	}
	if left, ok := remainingBytes(r); ok {
		return readChunk(r, int(min(n, max(left, 0))))
	}
	var chunks [][]byte
	got := 0
	for size := firstChunk; int64(got) < n; size = got {
		b, err := readChunk(r, int(min(int64(size), n-int64(got))))
		if err != nil {
			return nil, err
		}
		chunks = append(chunks, b)
		got += len(b)
		if len(b) < cap(b) {
			break // the end of the input
		}
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	out := make([]byte, 0, got)
	for _, b := range chunks {
		out = append(out, b...)
	}
	return out, nil
}

// readChunk reads n bytes into a new buffer, fewer only at the end of the
// input; the buffer's capacity is n.
func readChunk(r io.Reader, n int) ([]byte, error) {
	b := make([]byte, n)
	got, err := io.ReadFull(r, b)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	return b[:got], nil
}

// remainingBytes returns how many bytes r holds from its current position
// when that can be learned without reading; ok is false otherwise (a pipe,
// a decompressor).
func remainingBytes(r io.Reader) (left int64, ok bool) {
	switch r := r.(type) {
	case *sliceReader:
		return int64(len(r.b)), true
	case *bytes.Reader:
		return int64(r.Len()), true
	case io.Seeker:
		cur, err := r.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0, false
		}
		end, err := r.Seek(0, io.SeekEnd)
		if _, serr := r.Seek(cur, io.SeekStart); err != nil || serr != nil {
			return 0, false
		}
		return end - cur, true
	}
	return 0, false
}

// interpret parses the header text and checks it as NumPy's
// _read_array_header does.
func interpret(text sourceText, allowLong bool) (Header, error) {
	d, err := parseLiteral(text, allowLong)
	if err != nil {
		return Header{}, err
	}
	if d.kind != pyDict {
		return Header{}, wrapf(ErrHeaderKeys, "header is not a dictionary: %s", d.shortRepr())
	}
	var descr, fortran, shape *pyValue
	ok := len(d.items) == 3
	for i, k := range d.items {
		if k.kind != pyStr {
			ok = false
			break
		}
		switch k.s {
		case "descr":
			descr = &d.vals[i]
		case "fortran_order":
			fortran = &d.vals[i]
		case "shape":
			shape = &d.vals[i]
		default:
			ok = false
		}
	}
	if !ok || descr == nil || fortran == nil || shape == nil {
		keys := make([]string, 0, len(d.items))
		for i, k := range d.items {
			if i >= 10 {
				keys = append(keys, "...")
				break
			}
			keys = append(keys, k.shortRepr())
		}
		sort.Strings(keys)
		return Header{}, wrapf(ErrHeaderKeys, "expected exactly 'descr', 'fortran_order', 'shape', found keys [%s]", strings.Join(keys, ", "))
	}
	var h Header
	if shape.kind != pyTuple {
		return Header{}, wrapf(ErrShape, "at header character %d: shape is not a tuple: %s", text.charIndex(shape.pos), shape.shortRepr())
	}
	if len(shape.items) > maxDims {
		return Header{}, wrapf(ErrShape, "shape has %d dimensions, more than %d", len(shape.items), maxDims)
	}
	h.Shape = make([]int, len(shape.items))
	for i, it := range shape.items {
		// Python's bool is an int, and literal_eval lets (True, 2) through,
		// but np.load refuses it ("an integer is required"): so does this.
		if it.kind != pyInt {
			return Header{}, wrapf(ErrShape, "at header character %d: shape element %d is a %s, not an int: %s", text.charIndex(it.pos), i, it.kind, shape.shortRepr())
		}
		n, ok := it.int64()
		if !ok {
			if it.neg {
				return Header{}, wrapf(ErrShape, "at header character %d: shape element %d is negative", text.charIndex(it.pos), i)
			}
			return Header{}, wrapf(memmap.ErrTooLarge, "at header character %d: shape element %d does not fit in int64", text.charIndex(it.pos), i)
		}
		if n < 0 {
			return Header{}, wrapf(ErrShape, "at header character %d: negative dimension %d in shape %s", text.charIndex(it.pos), n, shape.shortRepr())
		}
		if n > math.MaxInt {
			return Header{}, wrapf(memmap.ErrTooLarge, "at header character %d: shape element %d does not fit in int", text.charIndex(it.pos), i)
		}
		h.Shape[i] = int(n)
	}
	if fortran.kind != pyBool {
		return Header{}, wrapf(ErrFortranOrder, "at header character %d: found %s", text.charIndex(fortran.pos), fortran.shortRepr())
	}
	h.FortranOrder = fortran.b
	h.DType, err = descrFromValue(*descr, 0)
	if err != nil {
		return Header{}, withContext(err, "descr at header character %d", text.charIndex(descr.pos))
	}
	if _, err := h.DataSize(); err != nil {
		return Header{}, err
	}
	return h, nil
}

// Encode returns the full NPY prefix (magic, version, header length, header
// text, padding and the final '\n'), byte-identical to what NumPy 1.24+
// np.save writes for the same array. The zero h.Version chooses the version
// as NumPy does (1.0, else 2.0, else 3.0); a non-zero one is forced.
func (h Header) Encode() ([]byte, error) {
	b, _, err := h.Encoded()
	return b, err
}

// Encoded is Encode that also returns h with Version and DataOffset set to
// what was written.
func (h Header) Encoded() ([]byte, Header, error) {
	if h.DType.ItemSize < 0 {
		return nil, h, wrapf(ErrDescr, "negative itemsize %d", h.DType.ItemSize)
	}
	descr := h.DType.Repr()
	if back, err := ParseDescr(descr); err != nil {
		return nil, h, withContext(err, "encoding dtype")
	} else if !back.Equal(h.DType) {
		return nil, h, wrapf(ErrDescr, "dtype is not canonical: it would be written as %s, which reads back differently", truncate(descr, 200))
	}
	if len(h.Shape) > maxDims {
		return nil, h, wrapf(ErrShape, "shape has %d dimensions, more than %d", len(h.Shape), maxDims)
	}
	if _, err := h.DataSize(); err != nil {
		return nil, h, err
	}
	var t strings.Builder
	t.WriteString("{'descr': ")
	t.WriteString(descr)
	t.WriteString(", 'fortran_order': ")
	if h.FortranOrder {
		t.WriteString("True")
	} else {
		t.WriteString("False")
	}
	t.WriteString(", 'shape': ")
	t.WriteString(tupleRepr(h.Shape))
	t.WriteString(", }")
	if len(h.Shape) > 0 {
		axis := 0
		if h.FortranOrder {
			axis = len(h.Shape) - 1
		}
		pad := growthAxisMaxDigits - len(strconv.Itoa(h.Shape[axis]))
		t.WriteString(strings.Repeat(" ", max(pad, 0)))
	}
	text := t.String()

	var out []byte
	var err error
	if h.Version != (Version{}) {
		out, err = wrapHeader(text, h.Version)
	} else {
		// NumPy's choice: the first version whose length field and encoding
		// can hold the text. Version 3.0 can hold any text that fits in its
		// length field, so when it fails too its error is the one returned.
		for _, v := range []Version{Version1, Version2, Version3} {
			if out, err = wrapHeader(text, v); err == nil {
				h.Version = v
				break
			}
		}
	}
	if err != nil {
		return nil, h, err
	}
	h.DataOffset = int64(len(out))
	return out, h, nil
}

// wrapHeader is NumPy's _wrap_header.
func wrapHeader(text string, v Version) ([]byte, error) {
	lf := v.lenFieldSize()
	if lf == 0 {
		return nil, wrapf(ErrVersion, "cannot write version %s; expected 1.0, 2.0 or 3.0", v)
	}
	var enc []byte
	if v == Version3 {
		enc = []byte(text)
	} else {
		enc = make([]byte, 0, len(text))
		for i, r := range text {
			if r > 0xff {
				return nil, wrapf(ErrVersion, "header character %d (%q) is not latin1-encodable; version %s cannot hold it, 3.0 is needed", i, r, v)
			}
			enc = append(enc, byte(r))
		}
	}
	hl := len(enc) + 1
	pad := ArrayAlign - (MagicLen+lf+hl)%ArrayAlign
	total := int64(hl) + int64(pad)
	limit := int64(math.MaxUint32)
	if lf == 2 {
		limit = math.MaxUint16
	}
	if total > limit {
		return nil, wrapf(ErrHeaderTooLarge, "header length %d too big for version %s", hl, v)
	}
	out := make([]byte, 0, MagicLen+lf+int(total))
	out = append(out, Magic...)
	out = append(out, v.Major, v.Minor)
	if lf == 2 {
		out = binary.LittleEndian.AppendUint16(out, uint16(total))
	} else {
		out = binary.LittleEndian.AppendUint32(out, uint32(total))
	}
	out = append(out, enc...)
	out = append(out, strings.Repeat(" ", pad)...)
	out = append(out, '\n')
	return out, nil
}
