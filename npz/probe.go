package npz

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"

	"github.com/go-memmap/memmap/internal/npyimage"
	"github.com/go-memmap/memmap/npyheader"
)

// headerProbe is how many bytes of a member probe reads first: enough for
// every header NumPy writes for a plain dtype.
const headerProbe = 4096

// probe reads the first bytes of m to tell whether it is an array, and its
// NPY header if so, without reading any array data. A header longer than
// the first headerProbe bytes (a wide structured dtype) is read on from the
// member's stream by npyheader itself, whose buffer grows only with the
// bytes that arrive: nothing is allocated for a declared length the member
// does not hold (at most two buffers of the header's length, as npyheader
// documents for a stream). A deflated member that the ratio or total
// limit refuses, and so could never be opened, is not decompressed past
// the first bytes: it is listed with that refusal as its Err.
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
	var header io.Reader = bytes.NewReader(head)
	var refused error
	if n == headerProbe && r.err == nil { // the member may go on
		if refused = a.refusal(m); refused == nil {
			header = io.MultiReader(header, r)
		}
	}
	h, err := npyheader.Read(header, npyheader.WithMaxHeaderSize(a.opts.maxHeaderSize))
	switch {
	case err == nil:
		_, err = npyimage.Check(h, m.UncompressedSize)
	case r.err != nil:
		err = r.err // the stream broke, not the header: say so without npyheader's words
	case refused != nil && errors.Is(err, npyheader.ErrTruncated) && !errors.Is(err, npyheader.ErrHeaderTooLarge):
		err = fmt.Errorf("its header is longer than %d bytes, and the limits refuse to decompress it: %w", headerProbe, refused)
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
		if p.flate == nil {
			p.flate = flate.NewReader(src)
		} else {
			_ = p.flate.(flate.Resetter).Reset(src, nil) // compress/flate's Reset always returns nil
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
