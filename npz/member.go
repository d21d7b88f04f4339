package npz

import (
	"fmt"

	"github.com/go-memmap/memmap/npyheader"
)

// Storage says where the array of a member lives once Archive.Open opens it.
type Storage int

const (
	// InPlace: a stored (uncompressed) member, mapped straight from the
	// archive's bytes with no copy. r+ writes reach the archive.
	InPlace Storage = iota + 1
	// InMemory: a deflated member (or a stored one of a NewReader that is
	// not a file) no larger than the memory limit, decompressed or copied
	// into Go memory (mmarray.OpenBytes).
	InMemory
	// TempFile: a larger deflated member (or a stored one of a NewReader
	// that is not a file), decompressed into a temporary file that is then
	// mapped. No name reaches the file where the OS allows (Unix);
	// elsewhere Archive.Close removes it if its File has been closed by
	// then.
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
	// Err is why Archive.Open cannot open the member, or nil: its bytes cannot be
	// read at all (encrypted, an unsupported compression method; IsArray is
	// then false, since its first bytes are unknown, and ReadBytes and
	// Verify fail too), or it IsArray with a bad NPY header, an object
	// dtype, or data longer than the member, or a deflated header too long to
	// read within the ratio or total limit (memmap.ErrTooLarge).
	// Archive.Open returns it; np.load too fails only on access.
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
	// Storage is what Archive.Open does with the member (meaningful when IsArray).
	Storage Storage

	// unreadable is why the member's bytes cannot be read at all, or nil:
	// set once by describe, returned by every read (Err wraps it). It is
	// kept apart from Err, which can also be a bad NPY header, since the
	// raw bytes of such a member still read.
	unreadable error
}

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
	m.Header = m.Header.Clone()
	return m
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
	i, err := a.lookup("look up", name)
	if err != nil {
		return Member{}, err
	}
	m := a.member(i)
	m.CRC32 = a.crc(i)
	return m, nil
}

// lookup finds member name as Member does; op names the operation for the
// error.
func (a *Archive) lookup(op, name string) (int, error) {
	if i, ok := a.byName[name]; ok {
		return i, nil
	}
	if i, ok := a.byName[name+".npy"]; ok {
		return i, nil
	}
	return 0, fmt.Errorf("%s %s: %w: %q", op, a.path, ErrNotFound, name)
}
