package npz

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/go-memmap/memmap/internal/npyimage"
	"github.com/go-memmap/memmap/npyheader"
)

// headerProbe is how many bytes of a member probe reads first: enough for
// every header NumPy writes for a plain dtype.
const headerProbe = 4096

// probe reads the first bytes of m to tell whether it is an array, and its
// NPY header if so, without reading any array data. It never allocates
// more than the member holds, whatever header length it declares: the
// header is read into a buffer that grows only with the bytes that arrive,
// up to the member's size.
func (a *Archive) probe(m *Member, probes *prober) {
	if m.unreadable != nil {
		return
	}
	r := probes.reader(io.NewSectionReader(a.src, m.ContentOffset, m.CompressedSize), m)
	head := probes.buf[:min(headerProbe, m.UncompressedSize)]
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	if n < len(npyheader.Magic) || string(head[:len(npyheader.Magic)]) != npyheader.Magic {
		return // too short, unreadable, or not an array: raw bytes to np.load
	}
	m.IsArray = true
	h, err := a.parseHeader(head)
	if errors.Is(err, npyheader.ErrTruncated) && n == headerProbe && r.err == nil {
		// A long header (a wide structured dtype): read on, as far as the
		// member and the header size limit allow.
		limit := min(m.UncompressedSize, headerPrefixMax+4*int64(a.opts.maxHeaderSize)) - int64(n)
		rest, _ := io.ReadAll(io.LimitReader(r, limit))
		h, err = a.parseHeader(append(slices.Clone(head), rest...))
	}
	if err != nil && r.err != nil {
		err = r.err // the stream broke, not the header: say so without npyheader's words
	}
	if err == nil {
		_, err = npyimage.Check(h, m.UncompressedSize)
	}
	if err != nil {
		m.Err = fmt.Errorf("member %q: %w", m.Name, err)
		return
	}
	m.Header = h
	if m.Storage == InPlace {
		m.DataOffset = m.ContentOffset + h.DataOffset
	}
}

// headerPrefixMax is the longest NPY prefix before the header text: the
// magic, the version and a 4-byte length.
const headerPrefixMax = 12

// parseHeader parses the NPY header at the start of b, which holds all the
// member's bytes read so far. The limit given to npyheader is also capped
// at len(b): a header that b holds has at most len(b) characters, so the
// cap refuses nothing the option allows, but it keeps npyheader from
// allocating for a declared length far beyond the bytes there are.
func (a *Archive) parseHeader(b []byte) (npyheader.Header, error) {
	return npyheader.Parse(b, npyheader.WithMaxHeaderSize(min(a.opts.maxHeaderSize, max(len(b), 1))))
}

// prober streams the first bytes of members at Open, reusing one flate
// reader for all deflated members: its state is tens of KiB, and archives
// can have many thousand members.
type prober struct {
	flate io.ReadCloser
	buf   [headerProbe]byte // the first bytes of the member being probed
}

// reader streams the uncompressed bytes of m from its stored bytes src,
// without checks: at most UncompressedSize bytes. A read error (corrupt
// compressed data, I/O) is ErrFormat, wrapping the cause.
func (p *prober) reader(src io.Reader, m *Member) *formatErrors {
	if m.Method == zip.Deflate {
		if p.flate == nil || p.flate.(flate.Resetter).Reset(src, nil) != nil {
			p.flate = flate.NewReader(src) // (Reset never fails in compress/flate)
		}
		src = io.LimitReader(p.flate, m.UncompressedSize)
	}
	return &formatErrors{r: src}
}

func (p *prober) close() {
	if p.flate != nil {
		p.flate.Close()
	}
}

// formatErrors turns the errors of a member's stream, other than its end,
// into ErrFormat, and keeps the first.
type formatErrors struct {
	r   io.Reader
	err error
}

func (f *formatErrors) Read(b []byte) (int, error) {
	n, err := f.r.Read(b)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: reading the member: %w", ErrFormat, err)
		if f.err == nil {
			f.err = err
		}
	}
	return n, err
}
