package mmarray

import (
	"bytes"
	"fmt"
	"math"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/internal/npyimage"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/pagecache"
)

// An .npy image need not be a file of its own: a stored (uncompressed)
// member of an .npz archive is a complete .npy image at some offset inside
// the zip file, and a deflated member becomes one in memory once it is
// decompressed. WithSection maps the first kind in place; OpenBytes wraps the
// second.

// section is the byte range [offset, offset+length) of a file that holds an
// .npy image, given with WithSection.
type section struct {
	offset, length int64
}

type sectionOption section

func (s sectionOption) applyOpen(o *options) { o.section, o.hasSection = section(s), true }

// WithSection tells Open or OpenFile that the .npy image lies in bytes
// [offset, offset+length) of the file, for example a stored member inside a
// zip archive. The header is read at offset and must lie inside the section,
// the data must too, and the section must lie inside the file (ErrFileSize
// otherwise); only the data is mapped. File.DataOffset and
// Header().DataOffset report the data's absolute offset in the file. In
// mode r+ writes reach the data bytes only: the file is never grown and no
// byte outside the section is changed, so a checksum kept elsewhere (a zip
// member's CRC-32) goes stale: npz.Archive.Sync rewrites it. Open and
// OpenFile only.
//
// Zero is not a default here: WithSection(0, 0) is an empty section, which
// holds no header. A negative offset or length is misuse and panics with a
// *memmap.Misuse; callers that take them from a file check them first.
func WithSection(offset, length int64) OpenOption {
	if offset < 0 || length < 0 {
		misuse.Panicf("mmarray: WithSection(%d, %d): the offset and length must not be negative", offset, length)
	}
	return sectionOption{offset, length}
}

type ownedImageOption struct{}

func (ownedImageOption) applyBytes(o *options) { o.ownedImage = true }

// WithOwnedImage tells OpenBytes that the caller hands image over and will
// not use it again (a buffer it just decompressed, say), so that mode
// CopyOnWrite writes into image instead of a copy of it. OpenBytes only.
func WithOwnedImage() BytesOption { return ownedImageOption{} }

// imageSection is the part of a file of size bytes that holds the .npy
// image: the section given with WithSection, checked against size, or the
// whole file.
func imageSection(o options, size int64) (section, error) {
	if !o.hasSection {
		return section{0, size}, nil
	}
	s := o.section
	if s.length > math.MaxInt64-s.offset {
		return s, fmt.Errorf("%w: invalid section: offset %d length %d", ErrFileSize, s.offset, s.length)
	}
	if s.offset+s.length > size {
		return s, fmt.Errorf("%w: the section at offset %d of length %d runs past the end of the %d-byte file", ErrFileSize, s.offset, s.length, size)
	}
	return s, nil
}

// OpenBytes makes a File over a complete .npy image held in memory, for
// example a member of an .npz archive after decompression. name is what Path
// reports and what errors mention; nothing is read from or written to a file
// of that name.
//
// The header is checked exactly as Open checks it (object dtypes are
// refused, and the image must hold every data byte the header declares;
// bytes after the data are ignored), with Open's errors: npyheader's
// sentinels for a bad header, ErrFileSize for a short image.
//
// Modes, as NumPy's: ReadOnly and ReadWrite keep image and view its data in
// place, without copying; the caller must not change image while the File
// is open, except through the File's views. ReadOnly views refuse Set as
// usual; ReadWrite views write into image itself. CopyOnWrite copies the
// data first, so that writes go to private memory and image never changes,
// unless WithOwnedImage hands image over. Nothing ever reaches a file.
// Write is refused with ErrMode. Data at an offset not aligned for its element type
// works, element by element, as for unaligned files.
//
// Flush does nothing and returns nil, Advise does nothing and returns nil
// (the bytes are ordinary Go memory), Resident reports every page resident,
// and Close drops the File's reference to image. Options: WithMaxHeaderSize,
// WithOwnedImage, and WithAdvice, which does nothing here.
func OpenBytes(name string, image []byte, mode Mode, opts ...BytesOption) (*File, error) {
	o := collectOptions(opts, BytesOption.applyBytes)
	switch mode {
	case ReadOnly, ReadWrite, CopyOnWrite:
	case Write:
		return nil, fmt.Errorf("open bytes %s: %w: w+ does not apply to an image in memory", name, ErrMode)
	default:
		return nil, fmt.Errorf("open bytes %s: %w: %v", name, ErrMode, mode)
	}
	h, err := npyheader.Parse(image, npyheader.WithMaxHeaderSize(max(o.maxHeaderSize, 0)))
	var nbytes int64
	if err == nil {
		nbytes, err = npyimage.Check(h, int64(len(image)))
	}
	if err != nil {
		return nil, fmt.Errorf("open bytes %s: %w", name, err)
	}
	end := h.DataOffset + nbytes
	data := image[h.DataOffset:end:end]
	if mode == CopyOnWrite && !o.ownedImage {
		data = bytes.Clone(data)
	}
	return &File{
		path:     name,
		mode:     mode,
		header:   h,
		fileSize: int64(len(image)),
		data:     data,
		prefix:   bytes.Clone(image[:h.DataOffset]), // small; image itself may be let go
	}, nil
}

// IsInMemory reports whether the File was made by OpenBytes: its data is Go
// memory, not a mapping of a file.
func (f *File) IsInMemory() bool {
	checkMade(f)
	return f.mapping == nil
}

// residentInMemory is Resident for a File made by OpenBytes: Go memory is
// reported as resident, page by page of the data's span.
func (f *File) residentInMemory() (resident, total int) {
	if len(f.data) == 0 {
		return 0, 0
	}
	page := pagecache.PageSize()
	total = (len(f.data) + page - 1) / page
	return total, total
}
