package npz

import (
	"archive/zip"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/regular"
	"github.com/go-memmap/memmap/mmarray"
)

// Archive is an open .npz archive, from Open or NewReader. Its methods may
// be called concurrently.
type Archive struct {
	// Set by Open or NewReader and never changed: members holds the CRC-32s
	// as they were read then (crcs has the current ones).
	path string // the path given to Open, or NewReader's name for errors
	mode mmarray.Mode
	opts readOptions
	src  io.ReaderAt // every read of the archive goes through src
	// file is src when it is an *os.File: stored members are then mapped
	// in place from it. ownsFile: Open opened it, and Close closes it.
	file     *os.File
	ownsFile bool
	size     int64 // the archive's: it may end before the file does (NewReader)
	fileSize int64 // file's size when the Archive was made, which checkSize expects
	members  []Member
	layouts  []entryLayout
	byName   map[string]int // the last member of each name, as Python's zipfile

	// closeMu makes Close wait for the operations under way that read or
	// write the archive (each holds it for reading, from begin to its
	// end), so that none of them finds the file closed under it. It is
	// taken before syncMu and mu; closed is written under it.
	closeMu sync.RWMutex
	closed  bool

	// syncMu serializes what rewrites CRCs (Sync, Close) with the first r+
	// Archive.Open of each member, which checks the CRC before anything can be
	// written. It is taken before mu, and is held while members are read
	// through, which mu never is.
	syncMu  sync.Mutex
	written []bool // stored members opened r+, whose CRC Sync rewrites (under syncMu)

	mu           sync.Mutex
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
// Write ("w+") is refused with mmarray.ErrMode; use Create to make an archive.
// What is not a regular file (a named pipe, a directory, a device) is
// refused with memmap.ErrUnsupported before anything is read from it.
func Open(path string, mode mmarray.Mode, opts ...ReaderOption) (*Archive, error) {
	o := collectReaderOptions(opts)
	if err := mode.CheckOpen(); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	flag := os.O_RDONLY
	if mode == mmarray.ReadWrite {
		flag = os.O_RDWR // fail now, not at the first Archive.Open, without permission
	}
	file, st, err := regular.OpenStat(path, flag, 0)
	if err != nil {
		return nil, err // names the operation and path: a *fs.PathError, or memmap.ErrUnsupported
	}
	a := &Archive{path: path, mode: mode, opts: o, src: file, file: file, ownsFile: true, size: st.Size(), fileSize: st.Size()}
	if err := a.load(); err != nil {
		file.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return a, nil
}

// NewReader reads the archive of size bytes in r, as archive/zip.NewReader
// does: an archive in memory (a *bytes.Reader), embedded in a larger file
// (an *io.SectionReader) or anywhere else. It checks and lists the archive
// as Open does, and opens members in mode ReadOnly (Mode reports it): r
// is never written, and r+ needs Open.
//
// When r is an *os.File, stored members are mapped in place from it, as
// with Open. The archive is then the file's first size bytes: bytes after
// it are ignored, bytes before it are found as archive/zip finds them, and
// a size past the end of the file is ErrFormat. The file must keep the size
// it had, or members fail to open with ErrSizeMismatch. Close does not
// close it, and it must stay open while the Archive is (the Files of
// members do not need it: they map their own duplicate of its
// descriptor). Otherwise every member is read into memory
// (InMemory), or into a temporary file when larger than the memory limit
// (TempFile), its size and CRC-32 checked, as deflated members are; the
// ratio limit applies to deflated members only. Path reports "" for a
// reader that is not an *os.File.
func NewReader(r io.ReaderAt, size int64, opts ...ReaderOption) (*Archive, error) {
	if size < 0 {
		return nil, fmt.Errorf("read an archive of %d bytes: %w: the size is negative", size, ErrFormat)
	}
	a := &Archive{mode: mmarray.ReadOnly, opts: collectReaderOptions(opts), src: r, size: size}
	if f, ok := r.(*os.File); ok {
		a.file, a.path = f, f.Name()
		st, err := f.Stat()
		if err != nil {
			return nil, err // a *fs.PathError
		}
		if size > st.Size() {
			return nil, fmt.Errorf("read %s: %w: an archive of %d bytes in a file of %d", a.path, ErrFormat, size, st.Size())
		}
		a.fileSize = st.Size()
	}
	if err := a.load(); err != nil {
		if a.path == "" {
			return nil, fmt.Errorf("read archive: %w", err)
		}
		return nil, fmt.Errorf("read %s: %w", a.path, err)
	}
	return a, nil
}

func (a *Archive) load() error {
	zr, err := zip.NewReader(a.src, a.size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // names are never paths here
		return fmt.Errorf("%w: %w", ErrFormat, err)
	}
	a.members = make([]Member, len(zr.File))
	if a.layouts, err = layout(a.src, a.size, zr, a.members); err != nil {
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
		m.unreadable = fmt.Errorf("%w: the member is encrypted", memmap.ErrUnsupported)
	case zf.Method == zip.Store:
		m.Storage = a.copyStorage(m)
		if a.file != nil {
			m.Storage = InPlace
		}
		if m.CompressedSize != m.UncompressedSize {
			return fmt.Errorf("%w: stored member %q has compressed size %d but uncompressed size %d", ErrFormat, zf.Name, m.CompressedSize, m.UncompressedSize)
		}
	case zf.Method == zip.Deflate:
		m.Storage = a.copyStorage(m)
	default:
		m.unreadable = fmt.Errorf("%w: compression method %d", memmap.ErrUnsupported, zf.Method)
	}
	if m.unreadable != nil {
		m.Err = fmt.Errorf("member %q: %w", m.Name, m.unreadable)
	}
	a.probe(m, probes)
	return nil
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

// copyStorage is where member m goes when it cannot be mapped in place:
// into memory up to the memory limit, else into a temporary file.
func (a *Archive) copyStorage(m *Member) Storage {
	if m.UncompressedSize > a.opts.memoryLimit {
		return TempFile
	}
	return InMemory
}

// checkSize fails with ErrSizeMismatch when the archive file's size is no
// longer the one it had when it was read: members' bytes may be gone, and
// a write past the end would extend it with a hole. It compares the whole
// file's size, which NewReader's archive may end before.
func (a *Archive) checkSize() error {
	st, err := a.file.Stat()
	if err != nil {
		return err
	}
	return a.sizeMismatch(st.Size())
}

// sizeMismatch is checkSize's verdict on size, the archive file's size as
// just learned.
func (a *Archive) sizeMismatch(size int64) error {
	if size != a.fileSize {
		return fmt.Errorf("%w: the archive file was resized from %d to %d bytes since it was opened", ErrSizeMismatch, a.fileSize, size)
	}
	return nil
}

// begin starts an operation op that reads or writes the archive: it fails
// with memmap.ErrClosed once Close has begun, and otherwise keeps Close
// waiting until end is called.
func (a *Archive) begin(op string) (end func(), err error) {
	a.closeMu.RLock()
	if a.closed {
		a.closeMu.RUnlock()
		return nil, fmt.Errorf("%s %s: %w", op, a.path, memmap.ErrClosed)
	}
	return a.closeMu.RUnlock, nil
}

// Close closes the archive file (for Open; NewReader's reader is the
// caller's), after Sync in r+. It waits for the calls under way that read
// the archive (Open of a member, ReadBytes, Verify, Sync); those that begin
// after it fail with memmap.ErrClosed. Files from Archive.Open stay valid;
// temporary files that could not be unlinked while mapped (not on Unix)
// are removed now if their File has been closed. A second Close returns
// memmap.ErrClosed.
func (a *Archive) Close() error {
	a.closeMu.Lock()
	defer a.closeMu.Unlock()
	if a.closed {
		return fmt.Errorf("close %s: %w", a.path, memmap.ErrClosed)
	}
	a.closed = true
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	err := a.syncCRCs()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, p := range a.leftovers {
		os.Remove(p) // best effort: a File still open keeps its file
	}
	if a.ownsFile {
		if cerr := a.file.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close %s: %w", a.path, cerr)
		}
	}
	return err
}
