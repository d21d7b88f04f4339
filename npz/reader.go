package npz

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/pagecache"
)

// Storage says where the array of a member lives once Array opens it.
type Storage int

const (
	// InPlace: a stored (uncompressed) member, mapped straight from the
	// archive's bytes with no copy. r+ writes reach the archive.
	InPlace Storage = iota + 1
	// InMemory: a deflated member no larger than the memory limit,
	// decompressed into Go memory (mmarray.OpenBytes).
	InMemory
	// TempFile: a larger deflated member, decompressed into a temporary
	// file that is then mapped. The file is unlinked as soon as it is
	// mapped where the OS allows (Unix); elsewhere Archive.Close removes it
	// if its File has been closed by then.
	TempFile
)

// String returns "in place", "in memory" or "temp file".
func (s Storage) String() string {
	switch s {
	case InPlace:
		return "in place"
	case InMemory:
		return "in memory"
	case TempFile:
		return "temp file"
	}
	return fmt.Sprintf("Storage(%d)", int(s))
}

// Member describes one member of an archive, as listed by its central
// directory, with its NPY header when it holds an array.
type Member struct {
	// Name is the member's name exactly as stored. It is only a name: this
	// package never makes a path of it, whatever ".." or "/" it holds.
	Name string
	// Key is np.load's key for the member: Name without a trailing ".npy".
	Key string
	// IsArray: the member starts with the NPY magic, which is how np.load
	// decides to read an array rather than return raw bytes.
	IsArray bool
	// Header is the member's NPY header when IsArray and Err is nil. Its
	// DataOffset is relative to the member's first byte.
	Header npyheader.Header
	// Err is why Array cannot open the member, or nil: its bytes cannot be
	// read at all (encrypted, an unsupported compression method; IsArray is
	// then false, since its first bytes are unknown, and ReadBytes and
	// Verify fail too), or it IsArray with a bad NPY header, an object
	// dtype, or data longer than the member. Array returns it; np.load too
	// fails only on access.
	Err error
	// Method is the zip compression method: zip.Store or zip.Deflate (others
	// are listed, but cannot be read).
	Method uint16
	// CompressedSize and UncompressedSize are the central directory's sizes.
	CompressedSize, UncompressedSize int64
	// CRC32 is the central directory's checksum of the uncompressed bytes,
	// as it is now: in r+, Sync rewrites it after writes.
	CRC32 uint32
	// LocalHeaderOffset is where the member's local file header starts in
	// the archive (Python's ZipInfo.header_offset).
	LocalHeaderOffset int64
	// ContentOffset is where the member's stored bytes start in the
	// archive, after its local header: the NPY magic for a stored array,
	// the compressed stream for a deflated member.
	ContentOffset int64
	// DataOffset is where the array data starts in the archive for an
	// array mapped in place (ContentOffset + Header.DataOffset), or -1.
	DataOffset int64
	// Storage is what Array does with the member (meaningful when IsArray).
	Storage Storage

	// unreadable is why the member's bytes cannot be read at all, or nil:
	// set once by describe, returned by every read (Err wraps it). It is
	// kept apart from Err, which can also be a bad NPY header, since the
	// raw bytes of such a member still read.
	unreadable error
}

// Option configures Open.
type Option func(*readOptions)

type readOptions struct {
	memoryLimit   int64
	tempDir       string
	maxRatio      float64
	maxTotal      int64
	maxHeaderSize int
}

// Defaults of the options.
const (
	// DefaultMemoryLimit: deflated members up to this many bytes are
	// decompressed into memory, larger ones into a temporary file.
	DefaultMemoryLimit = 64 << 20
	// DefaultMaxRatio is the largest uncompressed/compressed size ratio a
	// deflated member may declare. Deflate itself cannot exceed about
	// 1032:1 (one 258-byte match per bit or so): np.savez_compressed of a
	// large all-zero array reaches about 1030:1. A higher ratio can only be
	// a forged size, refused before anything is decompressed.
	DefaultMaxRatio = 1100
	// DefaultMaxTotal caps the bytes one Archive decompresses over its
	// lifetime (all Array, ReadBytes and Verify calls together).
	DefaultMaxTotal = 16 << 30
	// ratioFloor: members that declare at most this many bytes skip the
	// ratio test; tiny members compress at odd ratios and cost nothing.
	ratioFloor = 64 << 10
)

// WithMemoryLimit sets the largest deflated member decompressed into
// memory (default DefaultMemoryLimit); larger ones go to a temporary file.
// It also bounds ReadBytes. Zero sends every deflated array to a temp file.
// A negative limit panics.
func WithMemoryLimit(n int64) Option {
	if n < 0 {
		panic(fmt.Sprintf("npz: WithMemoryLimit(%d): the limit must not be negative", n))
	}
	return func(o *readOptions) { o.memoryLimit = n }
}

// WithTempDir sets the folder for temporary files (default os.TempDir()).
func WithTempDir(dir string) Option { return func(o *readOptions) { o.tempDir = dir } }

// WithMaxRatio sets the largest uncompressed/compressed ratio a deflated
// member may declare (default DefaultMaxRatio); +Inf turns the test off. A
// ratio that is not positive (zero, negative or NaN) panics.
func WithMaxRatio(r float64) Option {
	if !(r > 0) {
		panic(fmt.Sprintf("npz: WithMaxRatio(%g): the ratio must be positive", r))
	}
	return func(o *readOptions) { o.maxRatio = r }
}

// WithMaxTotal sets how many bytes the Archive may decompress in all
// (default DefaultMaxTotal); zero allows none. A negative total panics.
func WithMaxTotal(n int64) Option {
	if n < 0 {
		panic(fmt.Sprintf("npz: WithMaxTotal(%d): the total must not be negative", n))
	}
	return func(o *readOptions) { o.maxTotal = n }
}

// WithMaxHeaderSize sets the largest NPY header accepted, like np.load's
// max_header_size (default npyheader.DefaultMaxHeaderSize). A size that is
// not positive panics.
func WithMaxHeaderSize(n int) Option {
	if n <= 0 {
		panic(fmt.Sprintf("npz: WithMaxHeaderSize(%d): the size must be positive", n))
	}
	return func(o *readOptions) { o.maxHeaderSize = n }
}

// Archive is an open .npz archive. Its methods may be called concurrently.
type Archive struct {
	// Set by Open and never changed: members holds the CRC-32s as Open
	// read them (crcs has the current ones).
	path    string
	mode    mmarray.Mode
	opts    readOptions
	file    *os.File
	info    os.FileInfo // of file at Open, to know it again by path
	size    int64
	members []Member
	layouts []entryLayout
	byName  map[string]int // the last member of each name, as Python's zipfile

	// syncMu serializes what rewrites CRCs (Sync, Close) with the first r+
	// Array of each member, which checks the CRC before anything can be
	// written. It is taken before mu, and is held while members are read
	// through, which mu never is.
	syncMu  sync.Mutex
	written []bool // stored members opened r+, whose CRC Sync rewrites (under syncMu)

	mu           sync.Mutex
	closed       bool
	crcs         []uint32 // each member's CRC-32 as the directory now says (Sync changes it)
	decompressed int64    // bytes decompressed so far, against maxTotal
	leftovers    []string // temp files that could not be unlinked while mapped
}

// Open opens the .npz archive at path in mode ReadOnly ("r"), CopyOnWrite
// ("c") or ReadWrite ("r+"), as np.load(path, mmap_mode=...) would if NumPy
// mapped npz members (it does not: np.load ignores mmap_mode for .npz, numpy
// issue #5976).
//
// Open reads the central directory (validated by archive/zip), every
// member's local header, and the NPY header of every member that starts
// with the NPY magic, but no array data. A broken archive fails here with
// ErrFormat; a member with a bad NPY header or an unsupported method is
// listed with its Err, and fails only when opened (as with np.load).
// Write ("w+") is refused with ErrMode; use Create to make an archive.
func Open(path string, mode mmarray.Mode, opts ...Option) (*Archive, error) {
	o := readOptions{
		memoryLimit:   DefaultMemoryLimit,
		tempDir:       os.TempDir(),
		maxRatio:      DefaultMaxRatio,
		maxTotal:      DefaultMaxTotal,
		maxHeaderSize: npyheader.DefaultMaxHeaderSize,
	}
	for _, opt := range opts {
		opt(&o)
	}
	flag := os.O_RDONLY
	switch mode {
	case mmarray.ReadOnly, mmarray.CopyOnWrite:
	case mmarray.ReadWrite:
		flag = os.O_RDWR // fail now, not at the first Array, without permission
	case mmarray.Write:
		return nil, wrapf(fmt.Errorf("%w: w+ would overwrite the archive; use Create", ErrMode), "open %s", path)
	default:
		return nil, wrapf(fmt.Errorf("%w: %v", ErrMode, mode), "open %s", path)
	}
	file, err := pagecache.OpenFile(path, flag, 0)
	if err != nil {
		return nil, wrapf(err, "open")
	}
	a := &Archive{path: path, mode: mode, opts: o, file: file}
	if err := a.load(); err != nil {
		file.Close()
		return nil, wrapf(err, "open %s", path)
	}
	return a, nil
}

func (a *Archive) load() error {
	st, err := a.file.Stat()
	if err != nil {
		return err
	}
	a.info, a.size = st, st.Size()
	zr, err := zip.NewReader(a.file, a.size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // names are never paths here
		return fmt.Errorf("%w: %w", ErrFormat, err)
	}
	a.members = make([]Member, len(zr.File))
	if a.layouts, err = layout(a.file, a.size, zr, a.members); err != nil {
		return err
	}
	a.byName = make(map[string]int, len(zr.File))
	var probes prober
	defer probes.close()
	for i, zf := range zr.File {
		if err := a.describe(zf, &a.members[i], &probes); err != nil {
			return err
		}
		a.byName[zf.Name] = i
	}
	a.crcs = make([]uint32, len(a.members))
	for i, m := range a.members {
		a.crcs[i] = m.CRC32
	}
	a.written = make([]bool, len(a.members))
	return checkOverlaps(a.members, a.layouts)
}

// describe fills in the Member m for zf, whose offsets layout set (having
// found its bytes to lie before the central directory).
func (a *Archive) describe(zf *zip.File, m *Member, probes *prober) error {
	m.Name = zf.Name
	m.Key = strings.TrimSuffix(zf.Name, ".npy")
	m.Method = zf.Method
	m.CRC32 = zf.CRC32
	m.DataOffset = -1
	if zf.CompressedSize64 > math.MaxInt64 || zf.UncompressedSize64 > math.MaxInt64 {
		return fmt.Errorf("%w: member %q declares sizes past 2^63", ErrFormat, zf.Name)
	}
	m.CompressedSize, m.UncompressedSize = int64(zf.CompressedSize64), int64(zf.UncompressedSize64)
	switch {
	case zf.Flags&flagEncrypted != 0:
		m.unreadable = fmt.Errorf("%w: the member is encrypted", ErrUnsupported)
	case zf.Method == zip.Store:
		m.Storage = InPlace
		if m.CompressedSize != m.UncompressedSize {
			return fmt.Errorf("%w: stored member %q has compressed size %d but uncompressed size %d", ErrFormat, zf.Name, m.CompressedSize, m.UncompressedSize)
		}
	case zf.Method == zip.Deflate:
		m.Storage = InMemory
		if m.UncompressedSize > a.opts.memoryLimit {
			m.Storage = TempFile
		}
	default:
		m.unreadable = fmt.Errorf("%w: compression method %d", ErrUnsupported, zf.Method)
	}
	if m.unreadable != nil {
		m.Err = wrapf(m.unreadable, "member %q", m.Name)
	}
	a.probe(m, probes)
	return nil
}

// probe reads the first bytes of m to tell whether it is an array, and its
// NPY header if so, without reading any array data.
func (a *Archive) probe(m *Member, probes *prober) {
	if m.unreadable != nil {
		return
	}
	r := probes.reader(io.NewSectionReader(a.file, m.ContentOffset, m.CompressedSize), m)
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
		m.Err = wrapf(err, "member %q", m.Name)
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

// checkOverlaps refuses members whose local header and data overlap
// another's: legitimate archives never do, and overlapping members are how a
// small archive declares an enormous total (the non-recursive zip bomb).
func checkOverlaps(members []Member, layouts []entryLayout) error {
	order := make([]int, len(members))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return cmp.Compare(members[x].LocalHeaderOffset, members[y].LocalHeaderOffset) })
	for k := 1; k < len(order); k++ {
		prev, cur := order[k-1], order[k]
		end := members[prev].ContentOffset + members[prev].CompressedSize + layouts[prev].descriptorLen
		if members[cur].LocalHeaderOffset < end {
			return fmt.Errorf("%w: member %q (local header at %d) overlaps member %q (bytes %d..%d)",
				ErrFormat, members[cur].Name, members[cur].LocalHeaderOffset, members[prev].Name, members[prev].ContentOffset, end)
		}
	}
	return nil
}

// Path is the archive's path as given to Open.
func (a *Archive) Path() string { return a.path }

// Mode is the mode the archive was opened in.
func (a *Archive) Mode() mmarray.Mode { return a.mode }

// Members lists every member in archive (central directory) order.
func (a *Archive) Members() []Member {
	out := make([]Member, len(a.members))
	for i := range a.members {
		out[i] = a.member(i)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range out {
		out[i].CRC32 = a.crcs[i]
	}
	return out
}

// member is a copy of member i that shares nothing with the Archive, with
// the CRC-32 Open read (Member sets the current one).
func (a *Archive) member(i int) Member {
	m := a.members[i]
	m.Header.Shape = slices.Clone(m.Header.Shape)
	m.Header.DType = cloneDType(m.Header.DType)
	return m
}

// cloneDType is a deep copy of d: its fields, their dtypes and shapes, so
// that a caller changing a Member changes nothing in the Archive.
func cloneDType(d npyheader.DType) npyheader.DType {
	if d.Fields == nil {
		return d
	}
	d.Fields = slices.Clone(d.Fields)
	for i := range d.Fields {
		f := &d.Fields[i]
		f.Type = cloneDType(f.Type)
		f.Shape = slices.Clone(f.Shape)
		if f.ShapeLevels != nil {
			f.ShapeLevels = slices.Clone(f.ShapeLevels)
			for k := range f.ShapeLevels {
				f.ShapeLevels[k] = slices.Clone(f.ShapeLevels[k])
			}
		}
	}
	return d
}

// crc is member i's current CRC-32.
func (a *Archive) crc(i int) uint32 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.crcs[i]
}

// Keys are np.load's keys (NpzFile.files) in archive order.
func (a *Archive) Keys() []string {
	keys := make([]string, len(a.members))
	for i, m := range a.members {
		keys[i] = m.Key
	}
	return keys
}

// Member looks a member up as np.load does: by its exact name, else by name
// + ".npy" (so "x" and "x.npy" both find x.npy). Of members sharing a name,
// the last wins, as in Python's zipfile.
func (a *Archive) Member(name string) (Member, error) {
	i, err := a.lookup(name)
	if err != nil {
		return Member{}, err
	}
	m := a.member(i)
	m.CRC32 = a.crc(i)
	return m, nil
}

func (a *Archive) lookup(name string) (int, error) {
	if i, ok := a.byName[name]; ok {
		return i, nil
	}
	if i, ok := a.byName[name+".npy"]; ok {
		return i, nil
	}
	return 0, wrapf(fmt.Errorf("%w: %q", ErrNotFound, name), "%s", a.path)
}

// Array opens the array member name ("x" or "x.npy") in the archive's mode.
//
//   - A stored member is mapped in place from the archive (Storage InPlace):
//     no copy, and in r+ writes reach the archive's bytes (see Sync for
//     the CRC). Its File's Path is the archive's, DataOffset absolute. In
//     r+ the first Array of a member reads it through to check its CRC-32
//     (ErrChecksum), since Sync will rewrite the CRC from its bytes.
//   - A deflated member is decompressed, checked (size, CRC-32, the ratio
//     and total limits), into memory (InMemory) or a temporary file
//     (TempFile). In c its view is writable and private; r+ is refused
//     with ErrCompressedWrite, since writes could never reach the archive.
//
// A member whose bytes cannot be read (encrypted, an unsupported method)
// fails with its Err, ErrUnsupported; one that is not an array with
// ErrNotArray. The File is independent of the Archive: it stays valid after
// Archive.Close, until it is closed itself.
func (a *Archive) Array(name string) (*mmarray.File, error) {
	i, err := a.lookup(name)
	if err != nil {
		return nil, err
	}
	if err := a.checkOpen("array"); err != nil {
		return nil, err
	}
	m := &a.members[i]
	if m.Err != nil { // first: a member whose bytes cannot be read may be an array
		return nil, wrapf(m.Err, "%s", a.path)
	}
	if !m.IsArray {
		return nil, wrapf(ErrNotArray, "%s: member %q", a.path, m.Name)
	}
	var f *mmarray.File
	switch {
	case m.Storage == InPlace && a.mode == mmarray.ReadWrite:
		f, err = a.mapForWriting(i)
	case m.Storage == InPlace:
		f, err = a.mapInPlace(i)
	default:
		if a.mode == mmarray.ReadWrite {
			return nil, wrapf(fmt.Errorf("%w: it is deflated, so writes could never reach the archive; open the archive in mode c for a private writable copy",
				ErrCompressedWrite), "%s: member %q", a.path, m.Name)
		}
		if m.Storage == InMemory {
			f, err = a.inflateToMemory(m, a.crc(i))
		} else {
			f, err = a.inflateToTempFile(m, a.crc(i))
		}
	}
	if err != nil {
		return nil, wrapf(err, "%s: member %q", a.path, m.Name)
	}
	return f, nil
}

func (a *Archive) checkOpen(op string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return wrapf(ErrClosed, "%s %s", op, a.path)
	}
	return nil
}

// mapInPlace maps stored member i from the archive file.
func (a *Archive) mapInPlace(i int) (*mmarray.File, error) {
	m := &a.members[i]
	// mmarray opens the archive again by path: make sure it is still the
	// file this Archive read, not one put in its place since.
	st, err := os.Stat(a.path)
	if err != nil {
		return nil, err
	}
	if !os.SameFile(st, a.info) || st.Size() != a.size {
		return nil, fmt.Errorf("%w: the archive was replaced or resized since it was opened", ErrFormat)
	}
	f, err := mmarray.Open(a.path, a.mode, mmarray.WithSection(m.ContentOffset, m.UncompressedSize), mmarray.WithMaxHeaderSize(a.opts.maxHeaderSize))
	if err != nil {
		return nil, err
	}
	if h := f.Header(); h.DataOffset != m.DataOffset || !h.DType.Equal(m.Header.DType) ||
		h.FortranOrder != m.Header.FortranOrder || !slices.Equal(h.Shape, m.Header.Shape) {
		f.Close()
		return nil, fmt.Errorf("%w: the member's header changed since the archive was opened", ErrFormat)
	}
	return f, nil
}

// mapForWriting maps stored member i in r+. The first time, it first reads
// the member through to check its CRC-32: Sync will rewrite the CRC from
// the bytes it finds, which would otherwise hide a member that was damaged
// before it was opened.
func (a *Archive) mapForWriting(i int) (*mmarray.File, error) {
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	if err := a.checkOpen("array"); err != nil { // Close may have run meanwhile
		return nil, err
	}
	if !a.written[i] {
		if err := a.extract(&a.members[i], a.crc(i), io.Discard); err != nil {
			return nil, err
		}
	}
	f, err := a.mapInPlace(i)
	if err != nil {
		return nil, err
	}
	a.written[i] = true
	return f, nil
}

// admit refuses a deflated member that the limits do not allow, before
// anything is allocated, created or decompressed for it: one that declares
// more than the ratio limit, or would take the Archive past its total.
// Otherwise it counts the member's size against the total. Stored members
// are read, not decompressed, and pass.
func (a *Archive) admit(m *Member) error {
	if m.Method != zip.Deflate {
		return nil
	}
	if m.UncompressedSize > ratioFloor && float64(m.UncompressedSize) > a.opts.maxRatio*float64(m.CompressedSize) {
		return fmt.Errorf("%w: %d bytes declared from %d compressed is a ratio above %g (WithMaxRatio)",
			ErrTooLarge, m.UncompressedSize, m.CompressedSize, a.opts.maxRatio)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if m.UncompressedSize > a.opts.maxTotal-a.decompressed {
		return fmt.Errorf("%w: decompressing %d more bytes would pass the archive's total of %d (WithMaxTotal)",
			ErrTooLarge, m.UncompressedSize, a.opts.maxTotal)
	}
	a.decompressed += m.UncompressedSize
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
	var r io.Reader = io.NewSectionReader(a.file, m.ContentOffset, m.CompressedSize)
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
		return nil, fmt.Errorf("%w: %d bytes do not fit in memory on this platform", ErrTooLarge, m.UncompressedSize)
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

func (a *Archive) inflateToMemory(m *Member, crc uint32) (*mmarray.File, error) {
	b, err := a.readToMemory(m, crc)
	if err != nil {
		return nil, err
	}
	// b is the Archive's own: OpenBytes need not copy it for mode c.
	return mmarray.OpenBytes(a.path+":"+m.Name, b, a.mode, mmarray.WithMaxHeaderSize(a.opts.maxHeaderSize), mmarray.WithOwnedImage())
}

func (a *Archive) inflateToTempFile(m *Member, crc uint32) (*mmarray.File, error) {
	if err := a.admit(m); err != nil { // before making a file
		return nil, err
	}
	tmp, err := os.CreateTemp(a.opts.tempDir, "npz-member-*.npy")
	if err != nil {
		return nil, err
	}
	path := tmp.Name()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	err = a.extract(m, crc, bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	f, err := mmarray.Open(path, a.mode, mmarray.WithMaxHeaderSize(a.opts.maxHeaderSize))
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	// On Unix the mapping outlives the name; elsewhere removal fails while
	// the file is mapped, and Close tries again.
	if os.Remove(path) != nil {
		a.leftovers = append(a.leftovers, path)
	}
	return f, nil
}

// ReadBytes returns the uncompressed bytes of any member ("x" or "x.npy"),
// as np.load returns a non-array member, after checking its size and CRC-32.
// Members larger than the memory limit (WithMemoryLimit) are refused with
// ErrTooLarge.
func (a *Archive) ReadBytes(name string) ([]byte, error) {
	i, err := a.lookup(name)
	if err != nil {
		return nil, err
	}
	if err := a.checkOpen("read"); err != nil {
		return nil, err
	}
	m := &a.members[i]
	if m.UncompressedSize > a.opts.memoryLimit {
		return nil, wrapf(fmt.Errorf("%w: %d bytes is over the memory limit of %d (WithMemoryLimit)",
			ErrTooLarge, m.UncompressedSize, a.opts.memoryLimit), "%s: member %q", a.path, m.Name)
	}
	b, err := a.readToMemory(m, a.crc(i))
	if err != nil {
		return nil, wrapf(err, "%s: member %q", a.path, m.Name)
	}
	return b, nil
}

// Verify reads the member ("x" or "x.npy") through and checks its size and
// CRC-32, as np.load does when it reads a member. Array does this for
// deflated members; stored members are mapped without reading them, so
// their CRC is only checked here (and by the first Array in mode r+). In
// mode r+, a member written through a view fails with ErrChecksum until
// Sync (or Close) records its new CRC.
func (a *Archive) Verify(name string) error {
	i, err := a.lookup(name)
	if err != nil {
		return err
	}
	if err := a.checkOpen("verify"); err != nil {
		return err
	}
	m := &a.members[i]
	err = a.admit(m)
	if err == nil {
		err = a.extract(m, a.crc(i), io.Discard)
	}
	if err != nil {
		return wrapf(err, "%s: member %q", a.path, m.Name)
	}
	return nil
}

// Sync recomputes the CRC-32 of every stored member opened with Array in
// r+ and writes it where the archive keeps it: always in the member's
// central directory record (the copy zipfile checks); in the local header
// only when flag bit 3 is clear (with it set, that field means nothing);
// in a data descriptor only when one verifiably follows the data. Nothing
// else in the archive changes. Sync then syncs the archive file. Python's
// zipfile, and so np.load, checks the CRC and rejects a member whose bytes
// changed without it. Flush (or Close) the member Files first on systems
// where mapped writes are not visible to reads (Linux and macOS share one
// page cache, so no flush is needed there). Close calls Sync in r+; nothing
// is written in r or c.
func (a *Archive) Sync() error {
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	if err := a.checkOpen("sync"); err != nil {
		return err
	}
	return a.syncCRCs()
}

// syncCRCs is Sync; the caller holds syncMu. Members are read through
// without mu, so that listing and verifying go on meanwhile, and a CRC is
// written only when it changed. Only r+ marks members written, so in r and
// c nothing is read or written.
func (a *Archive) syncCRCs() error {
	if !slices.Contains(a.written, true) {
		return nil
	}
	for i, written := range a.written {
		if !written {
			continue
		}
		m, l := &a.members[i], a.layouts[i]
		_, now, err := a.memberCRC(m, io.Discard)
		if err != nil {
			return wrapf(err, "sync %s: member %q", a.path, m.Name)
		}
		old := a.crc(i)
		if now == old {
			continue
		}
		// The directory's CRC is the one zipfile checks; the local header's
		// only counts without flag bit 3 (with it, the descriptor's does).
		at := []int64{l.central + centralCRCOffset}
		if !l.flagDescriptor {
			at = append(at, m.LocalHeaderOffset+localCRCOffset)
		}
		if l.descriptorCRC >= 0 {
			// Found at Open; rewrite it only if it still holds the old CRC.
			var found [4]byte
			if _, err := a.file.ReadAt(found[:], l.descriptorCRC); err == nil && binary.LittleEndian.Uint32(found[:]) == old {
				at = append(at, l.descriptorCRC)
			}
		}
		var crc [4]byte
		binary.LittleEndian.PutUint32(crc[:], now)
		for _, off := range at {
			if _, err := a.file.WriteAt(crc[:], off); err != nil {
				return wrapf(err, "sync %s: member %q", a.path, m.Name)
			}
		}
		a.mu.Lock()
		a.crcs[i] = now
		a.mu.Unlock()
	}
	if err := a.file.Sync(); err != nil {
		return wrapf(err, "sync %s", a.path)
	}
	return nil
}

// Close closes the archive file, after Sync in r+. Files from Array stay
// valid; temporary files that could not be unlinked while mapped (not on
// Unix) are removed now if their File has been closed. A second Close
// returns ErrClosed.
func (a *Archive) Close() error {
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	if err := a.checkOpen("close"); err != nil {
		return err
	}
	err := a.syncCRCs()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	for _, p := range a.leftovers {
		os.Remove(p) // best effort: a File still open keeps its file
	}
	if cerr := a.file.Close(); cerr != nil && err == nil {
		err = wrapf(cerr, "close %s", a.path)
	}
	return err
}
