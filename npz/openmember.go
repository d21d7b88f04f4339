package npz

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/go-memmap/memmap/mmarray"
)

// Open opens the array member name ("x" or "x.npy") in the archive's mode.
//
//   - A stored member is mapped in place from the archive (Storage InPlace):
//     no copy, and in r+ writes reach the archive's bytes (see Sync for
//     the CRC). Its File's Path is the archive's, DataOffset absolute. In
//     r+ the first Archive.Open of a member reads it through to check its CRC-32
//     (ErrChecksum), since Sync will rewrite the CRC from its bytes.
//   - A deflated member is decompressed, checked (size, CRC-32, the ratio
//     and total limits), into memory (InMemory) or a temporary file
//     (TempFile). In c its view is writable and private; r+ is refused
//     with ErrCompressedWrite, since writes could never reach the archive.
//
// A member whose bytes cannot be read (encrypted, an unsupported method)
// fails with its Err, memmap.ErrUnsupported; one that is not an array with
// ErrNotArray. The File is independent of the Archive: it stays valid after
// Archive.Close, until it is closed itself.
func (a *Archive) Open(name string) (*mmarray.File, error) {
	i, err := a.lookup("open", name)
	if err != nil {
		return nil, err
	}
	end, err := a.begin("open")
	if err != nil {
		return nil, err
	}
	defer end()
	m := &a.members[i]
	if m.Err != nil { // first: a member whose bytes cannot be read may be an array
		return nil, fmt.Errorf("open %s: %w", a.path, m.Err)
	}
	if !m.IsArray {
		return nil, fmt.Errorf("open %s: member %q: %w", a.path, m.Name, ErrNotArray)
	}
	var f *mmarray.File
	switch {
	case m.Storage == InPlace && a.mode == mmarray.ReadWrite:
		f, err = a.mapForWriting(i)
	case m.Storage == InPlace:
		f, err = a.mapInPlace(i)
	default:
		if a.mode == mmarray.ReadWrite {
			return nil, fmt.Errorf("open %s: member %q: %w: it is deflated, so writes could never reach the archive; open the archive in mode c for a private writable copy",
				a.path, m.Name, ErrCompressedWrite)
		}
		if m.Storage == InMemory {
			f, err = a.inflateToMemory(m, a.crc(i))
		} else {
			f, err = a.inflateToTempFile(m, a.crc(i))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: member %q: %w", a.path, m.Name, err)
	}
	return f, nil
}

// mapInPlace maps stored member i from the archive file: through the file
// this Archive read, never by opening its path again, which could by then
// name another file.
//
// The archive's size is checked against the one it had when it was read
// with the size OpenFile's mapping saw (File.FileSize), not a stat of its
// own: a file resized since fails with ErrSizeMismatch, after the mapping
// or, if the member no longer fits, instead of it.
//
// The member's header is parsed a second time here (OpenFile reads it from
// the file; the listing parsed it when the archive was opened) on purpose:
// the archive may have been written since, and the File must describe the
// bytes it maps, so a header that no longer matches the listing is refused
// rather than trusted.
func (a *Archive) mapInPlace(i int) (*mmarray.File, error) {
	m := &a.members[i]
	f, err := mmarray.OpenFile(a.file, a.mode, mmarray.WithSection(m.ContentOffset, m.UncompressedSize), mmarray.WithMaxHeaderSize(a.opts.maxHeaderSize))
	if errors.Is(err, mmarray.ErrFileSize) {
		if serr := a.checkSize(); serr != nil {
			return nil, serr // it shrank: say so, rather than that the member is cut
		}
	}
	if err != nil {
		return nil, err
	}
	if err := a.sizeMismatch(f.FileSize()); err != nil {
		f.Close()
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

func (a *Archive) inflateToMemory(m *Member, crc uint32) (*mmarray.File, error) {
	b, err := a.readToMemory(m, crc)
	if err != nil {
		return nil, err
	}
	// b is the Archive's own: OpenBytes need not copy it for mode c.
	return mmarray.OpenBytes(a.path+":"+m.Name, b, a.mode, mmarray.WithMaxHeaderSize(a.opts.maxHeaderSize), mmarray.WithOwnedImage())
}
