package npz

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"github.com/go-memmap/memmap"
)

// admit refuses a deflated member that the limits do not allow (refusal),
// before anything is allocated, created or decompressed for it. Otherwise
// it counts the member's size against the Archive's total.
func (a *Archive) admit(m *Member) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.refusal(m); err != nil {
		return err
	}
	if m.Method == zip.Deflate {
		a.decompressed += m.UncompressedSize
	}
	return nil
}

// refusal says why the limits refuse to decompress member m, or returns
// nil: it declares more than the ratio limit, or would take the Archive
// past its total. Stored members are read, not decompressed, and pass. The
// caller holds a.mu, or has the Archive to itself (load).
func (a *Archive) refusal(m *Member) error {
	if m.Method != zip.Deflate {
		return nil
	}
	if m.UncompressedSize > ratioFloor && float64(m.UncompressedSize) > a.opts.maxRatio*float64(m.CompressedSize) {
		return fmt.Errorf("%w: %d bytes declared from %d compressed is a ratio above %g (WithMaxRatio)",
			memmap.ErrTooLarge, m.UncompressedSize, m.CompressedSize, a.opts.maxRatio)
	}
	if m.UncompressedSize > a.opts.maxTotal-a.decompressed {
		return fmt.Errorf("%w: decompressing %d more bytes would pass the archive's total of %d (WithMaxTotal)",
			memmap.ErrTooLarge, m.UncompressedSize, a.opts.maxTotal)
	}
	return nil
}

// extract writes m's uncompressed bytes to w, checking that there are
// exactly as many as the directory declares and that their CRC-32 is crc.
// It never writes more than the declared size: one more byte is read, not
// written, to tell a longer stream from an exact one. The caller has
// admitted m. A member describe found unreadable fails with its reason.
func (a *Archive) extract(m *Member, crc uint32, w io.Writer) error {
	if m.unreadable != nil {
		return m.unreadable
	}
	n, got, err := a.memberCRC(m, w)
	if err != nil {
		return err
	}
	if n < m.UncompressedSize {
		return fmt.Errorf("%w: %d bytes declared, %d found", ErrSizeMismatch, m.UncompressedSize, n)
	}
	if got != crc {
		return fmt.Errorf("%w: CRC-32 %08x, the directory says %08x", ErrChecksum, got, crc)
	}
	return nil
}

// memberCRC copies the uncompressed bytes of m (stored or deflated) to w,
// at most the declared size, and returns how many there were and their
// CRC-32. A stream longer than declared is ErrSizeMismatch; corrupt
// compressed data is ErrFormat.
func (a *Archive) memberCRC(m *Member, w io.Writer) (n int64, crc uint32, err error) {
	var r io.Reader = io.NewSectionReader(a.src, m.ContentOffset, m.CompressedSize)
	if m.Method == zip.Deflate {
		fr := flate.NewReader(r)
		defer fr.Close()
		r = fr
	}
	sum := crc32.NewIEEE()
	n, err = io.Copy(io.MultiWriter(w, sum), io.LimitReader(r, m.UncompressedSize))
	if err == nil && n == m.UncompressedSize {
		var extra [1]byte
		if k, rerr := io.ReadFull(r, extra[:]); k > 0 {
			return n, 0, fmt.Errorf("%w: %d bytes declared, more found", ErrSizeMismatch, m.UncompressedSize)
		} else if rerr != io.EOF {
			err = rerr
		}
	}
	if err != nil {
		var corrupt flate.CorruptInputError
		if errors.As(err, &corrupt) || errors.Is(err, io.ErrUnexpectedEOF) {
			return n, 0, fmt.Errorf("%w: corrupt compressed data: %w", ErrFormat, err)
		}
		return n, 0, err
	}
	return n, sum.Sum32(), nil
}

// readToMemory admits m, then reads all its uncompressed bytes into a
// buffer of exactly the declared size, checked as extract checks them.
func (a *Archive) readToMemory(m *Member, crc uint32) ([]byte, error) {
	if err := a.admit(m); err != nil {
		return nil, err
	}
	if m.UncompressedSize > math.MaxInt {
		// Only on 32-bit platforms, with a memory limit raised past 2 GiB.
		return nil, fmt.Errorf("%w: %d bytes do not fit in memory on this platform", memmap.ErrTooLarge, m.UncompressedSize)
	}
	w := &fixedWriter{buf: make([]byte, 0, m.UncompressedSize)}
	if err := a.extract(m, crc, w); err != nil {
		return nil, err
	}
	return w.buf, nil
}

// fixedWriter appends into a buffer allocated at the declared size; it
// refuses to grow it, should extract ever pass it more.
type fixedWriter struct{ buf []byte }

func (w *fixedWriter) Write(p []byte) (int, error) {
	if len(p) > cap(w.buf)-len(w.buf) {
		return 0, fmt.Errorf("%w: more bytes than declared", ErrSizeMismatch)
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// ReadBytes returns the uncompressed bytes of any member ("x" or "x.npy"),
// as np.load returns a non-array member, after checking its size and CRC-32.
// Members larger than the memory limit (WithMemoryLimit) are refused with
// memmap.ErrTooLarge.
func (a *Archive) ReadBytes(name string) ([]byte, error) {
	i, err := a.lookup("read", name)
	if err != nil {
		return nil, err
	}
	end, err := a.begin("read")
	if err != nil {
		return nil, err
	}
	defer end()
	m := &a.members[i]
	if m.UncompressedSize > a.opts.memoryLimit {
		return nil, fmt.Errorf("read %s: member %q: %w: %d bytes is over the memory limit of %d (WithMemoryLimit)",
			a.path, m.Name, memmap.ErrTooLarge, m.UncompressedSize, a.opts.memoryLimit)
	}
	b, err := a.readToMemory(m, a.crc(i))
	if err != nil {
		return nil, fmt.Errorf("read %s: member %q: %w", a.path, m.Name, err)
	}
	return b, nil
}

// Verify reads the member ("x" or "x.npy") through and checks its size and
// CRC-32, as np.load does when it reads a member. Archive.Open does this for
// deflated members; stored members are mapped without reading them, so
// their CRC is only checked here (and by the first Archive.Open in mode r+). In
// mode r+, a member written through a view fails with ErrChecksum until
// Sync (or Close) records its new CRC.
func (a *Archive) Verify(name string) error {
	i, err := a.lookup("verify", name)
	if err != nil {
		return err
	}
	end, err := a.begin("verify")
	if err != nil {
		return err
	}
	defer end()
	m := &a.members[i]
	err = a.admit(m)
	if err == nil {
		err = a.extract(m, a.crc(i), io.Discard)
	}
	if err != nil {
		return fmt.Errorf("verify %s: member %q: %w", a.path, m.Name, err)
	}
	return nil
}
