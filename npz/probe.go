package npz

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// probe reads the first bytes of m to tell whether it is an array, and its
// NPY header if so, without reading any array data.
func (a *Archive) probe(m *Member, probes *prober) {
	if m.unreadable != nil {
		return
	}
	r := probes.reader(io.NewSectionReader(a.src, m.ContentOffset, m.CompressedSize), m)
	var magic [6]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil || string(magic[:]) != npyheader.Magic {
		return // too short, unreadable, or not an array: raw bytes to np.load
	}
	m.IsArray = true
	h, err := npyheader.Read(io.MultiReader(bytes.NewReader(magic[:]), r), npyheader.WithMaxHeaderSize(a.opts.maxHeaderSize))
	if err != nil && r.err != nil {
		err = r.err // the stream broke, not the header: say so without npyheader's words
	}
	if err == nil {
		_, err = mmarray.CheckImage(h, m.UncompressedSize)
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
type prober struct{ flate io.ReadCloser }

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
