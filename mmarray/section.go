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
	if err := checkMemoryMode(mode); err != nil {
		return nil, fmt.Errorf("open bytes %s: %w", name, err)
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

// checkMemoryMode refuses the modes that do not apply to bytes in memory:
// Write, which would create a file, and anything that is not a mode.
func checkMemoryMode(mode Mode) error {
	switch mode {
	case ReadOnly, ReadWrite, CopyOnWrite:
		return nil
	case Write:
		return fmt.Errorf("%w: w+ does not apply to bytes in memory", ErrMode)
	default:
		return fmt.Errorf("%w: %v", ErrMode, mode)
	}
}

// OpenRawBytes makes a File over raw array data held in memory, with no
// .npy header: the array of the given dtype descr and shape whose bytes
// start at data[0], as OpenRaw maps one from a file (a chunk of a chunked
// store, decompressed into a buffer, for example). name is what Path
// reports and what errors mention. shape nil infers a 1-D shape from
// len(data), which must then be a whole number of items; otherwise data
// must hold at least the array's bytes (ErrFileSize), and bytes after them
// are ignored. DataOffset is 0, FileSize is len(data), and Header describes
// the array as declared, as for OpenRaw.
//
// Modes, memory and methods are those of OpenBytes: ReadOnly and ReadWrite
// view data in place (the caller must not change it while the File is
// open, except through its views), CopyOnWrite copies the array's bytes
// first, and Write is refused with ErrMode. Options: WithFortranOrder, and
// WithAdvice, which does nothing here.
//
// Errors wrap: ErrMode, ErrShape (a negative dimension, or no shape for a
// zero-size dtype), ErrFileSize, npyheader's sentinels for a bad descr
// (npyheader.ErrObjectDType for an object dtype) and memmap.ErrTooLarge.
func OpenRawBytes(name string, data []byte, mode Mode, descr string, shape []int, opts ...RawOption) (*File, error) {
	o := collectOptions(opts, RawOption.applyRaw)
	if err := checkMemoryMode(mode); err != nil {
		return nil, fmt.Errorf("open raw bytes %s: %w", name, err)
	}
	f, err := openRawBytes(name, data, mode, descr, shape, o)
	if err != nil {
		return nil, fmt.Errorf("open raw bytes %s: %w", name, err)
	}
	return f, nil
}

func openRawBytes(name string, data []byte, mode Mode, descr string, shape []int, o options) (*File, error) {
	dt, err := parseMappableDescr(descr)
	if err != nil {
		return nil, err
	}
	if shape == nil {
		if shape, err = inferShape(dt, int64(len(data)), 0); err != nil {
			return nil, err
		}
	}
	h, nbytes, err := newHeader(dt, shape, o.fortran)
	if err != nil {
		return nil, err
	}
	if nbytes > int64(len(data)) {
		return nil, fmt.Errorf("%w: the array needs %d bytes, but %d are given", ErrFileSize, nbytes, len(data))
	}
	arrayBytes := data[:nbytes:nbytes]
	if mode == CopyOnWrite {
		arrayBytes = bytes.Clone(arrayBytes)
	}
	return &File{path: name, mode: mode, raw: true, header: h, fileSize: int64(len(data)), data: arrayBytes}, nil
}

// IsInMemory reports whether the File was made by OpenBytes or
// OpenRawBytes: its data is Go memory, not a mapping of a file.
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
