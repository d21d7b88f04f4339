package codec

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"sync"

	"github.com/go-memmap/memmap/internal/misuse"
)

// numcodecs' default levels of Zlib and GZip.
const (
	defaultZlibLevel = 1
	defaultGzipLevel = 1
)

// validDeflateLevel: the levels Python's zlib takes, -1 being its default (6).
func validDeflateLevel(level int) bool { return level >= -1 && level <= 9 }

// NewZlib returns the codec numcodecs calls Zlib(level): a zlib stream
// (RFC 1950). Level is -1 (zlib's default, 6) or 0 (stored) to 9 (best);
// numcodecs' default is 1. Another level panics.
func NewZlib(level int) Codec {
	if !validDeflateLevel(level) {
		misuse.Panicf("codec: zlib level %d out of range -1..9", level)
	}
	return &zlibCodec{level: level}
}

// NewGzip returns the codec numcodecs calls GZip(level): one gzip member
// (RFC 1952). Level is as NewZlib's; numcodecs' default is 1. Another level
// panics.
func NewGzip(level int) Codec {
	if !validDeflateLevel(level) {
		misuse.Panicf("codec: gzip level %d out of range -1..9", level)
	}
	return &gzipCodec{level: level}
}

// appendWriter is an io.Writer that appends to a slice, so that a
// compressor writes straight into the caller's dst.
type appendWriter struct{ buf []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// The compressors' states are large (hundreds of KiB for deflate), so they
// are pooled: writers by level (index level+1), readers shared.
var (
	zlibWriters [11]sync.Pool // of *zlib.Writer
	gzipWriters [11]sync.Pool // of *gzip.Writer
	zlibReaders sync.Pool     // of io.ReadCloser that is also a zlib.Resetter
	gzipReaders sync.Pool     // of *gzip.Reader
)

type zlibCodec struct{ level int }

func (c *zlibCodec) ID() string { return "zlib" }

func (c *zlibCodec) Config() map[string]any {
	return map[string]any{"id": "zlib", "level": c.level}
}

func (c *zlibCodec) Encode(dst, src []byte, itemSize int) ([]byte, error) {
	out, err := zlibAppend(dst, src, c.level)
	if err != nil {
		return dst, fmt.Errorf("encode zlib chunk of %d bytes: %w", len(src), err)
	}
	return out, nil
}

// zlibAppend appends the zlib stream of src at level (-1..9) to dst; it is
// blosc's inner zlib encoder too.
func zlibAppend(dst, src []byte, level int) ([]byte, error) {
	out := &appendWriter{buf: dst}
	pool := &zlibWriters[level+1]
	w, _ := pool.Get().(*zlib.Writer)
	if w == nil {
		var err error
		if w, err = zlib.NewWriterLevel(out, level); err != nil {
			return dst, err // unreachable: the level was checked
		}
	} else {
		w.Reset(out)
	}
	defer pool.Put(w)
	if _, err := w.Write(src); err != nil {
		return dst, err
	}
	if err := w.Close(); err != nil {
		return dst, err
	}
	return out.buf, nil
}

func (c *zlibCodec) Decode(dst, src []byte, size int) ([]byte, error) {
	buf := decodeBuffer(dst, size, "zlib")
	if err := zlibDecode(buf, src); err != nil {
		return dst, fmt.Errorf("decode zlib chunk of %d bytes: %w", size, err)
	}
	return buf, nil
}

// zlibDecode decodes the zlib stream src into buf, which it must fill
// exactly; it is blosc's inner zlib decoder too. Errors wrap ErrCorrupt.
func zlibDecode(buf, src []byte) error {
	in := bytes.NewReader(src)
	r, _ := zlibReaders.Get().(io.ReadCloser)
	var err error
	if r == nil {
		r, err = zlib.NewReader(in)
	} else {
		err = r.(zlib.Resetter).Reset(in, nil)
	}
	if err != nil {
		if r != nil {
			zlibReaders.Put(r)
		}
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	defer zlibReaders.Put(r)
	return readExactly(r, buf)
}

type gzipCodec struct{ level int }

func (c *gzipCodec) ID() string { return "gzip" }

func (c *gzipCodec) Config() map[string]any {
	return map[string]any{"id": "gzip", "level": c.level}
}

func (c *gzipCodec) Encode(dst, src []byte, itemSize int) ([]byte, error) {
	out := &appendWriter{buf: dst}
	pool := &gzipWriters[c.level+1]
	w, _ := pool.Get().(*gzip.Writer)
	if w == nil {
		var err error
		if w, err = gzip.NewWriterLevel(out, c.level); err != nil {
			return dst, err // unreachable: the level was checked
		}
	} else {
		w.Reset(out)
	}
	defer pool.Put(w)
	if _, err := w.Write(src); err != nil {
		return dst, fmt.Errorf("encode gzip chunk of %d bytes: %w", len(src), err)
	}
	if err := w.Close(); err != nil {
		return dst, fmt.Errorf("encode gzip chunk of %d bytes: %w", len(src), err)
	}
	return out.buf, nil
}

// Decode reads every member, and skips zero padding after one, as Python's
// gzip module does.
func (c *gzipCodec) Decode(dst, src []byte, size int) ([]byte, error) {
	buf := decodeBuffer(dst, size, "gzip")
	in := bytes.NewReader(src)
	r, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if r == nil {
		r, err = gzip.NewReader(in)
	} else {
		err = r.Reset(in)
	}
	if err != nil {
		if r != nil {
			gzipReaders.Put(r)
		}
		return dst, fmt.Errorf("decode gzip chunk: %w: %w", ErrCorrupt, err)
	}
	defer gzipReaders.Put(r)
	r.Multistream(false)
	if err := readExactly(&gzipMembers{r: r, in: in}, buf); err != nil {
		return dst, fmt.Errorf("decode gzip chunk of %d bytes: %w", size, err)
	}
	return buf, nil
}

// gzipMembers reads the members of a gzip stream one after the other as
// Python's gzip module does: zero bytes after a member are padding, and
// the stream ends at the end of a member or of its padding (Go's
// multistream reader takes padding for a damaged header). r reads one
// member (Multistream(false)) from in, which it reads byte by byte, so in
// is left just after the member.
type gzipMembers struct {
	r  *gzip.Reader
	in *bytes.Reader
}

func (m *gzipMembers) Read(p []byte) (int, error) {
	for {
		n, err := m.r.Read(p)
		if err != io.EOF || n > 0 {
			if err == io.EOF {
				err = nil // the next Read sees the member's end again
			}
			return n, err
		}
		for {
			b, err := m.in.ReadByte()
			if err != nil {
				return 0, io.EOF
			}
			if b != 0 {
				m.in.UnreadByte()
				break
			}
		}
		if err := m.r.Reset(m.in); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
		m.r.Multistream(false)
	}
}

// readExactly fills buf from r and checks that r ends there (its reading
// the end is also where zlib and gzip check their checksums). Any problem
// wraps ErrCorrupt.
func readExactly(r io.Reader, buf []byte) error {
	if n, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return fmt.Errorf("%w: it holds only %d bytes", ErrCorrupt, n)
		}
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	var extra [1]byte
	for {
		n, err := r.Read(extra[:])
		if n > 0 {
			return fmt.Errorf("%w: it holds more bytes", ErrCorrupt)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
	}
}
