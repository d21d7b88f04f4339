package npz

// All of the package's knowledge of the zip format is in this file: the
// records' layout, the walk of the central directory and local headers that
// archive/zip does not expose, and the alignment padding the Writer adds.
// archive/zip itself reads and writes the archives.

import (
	"archive/zip"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// The zip format's records, as the reader walks them and the Writer lays
// them out: signatures, fixed lengths, and the offsets of the fields used,
// from the start of each record (PKWARE APPNOTE.TXT, section 4.3). All
// fields are little-endian.
const (
	// Local file header: signature, versions, flags, method, time, date,
	// CRC-32, sizes, name and extra lengths; the name and extra field
	// follow, then the member's bytes.
	localSignature      = 0x04034b50
	localHeaderLen      = 30
	localMethodOffset   = 8
	localCRCOffset      = 14
	localNameLenOffset  = 26
	localExtraLenOffset = 28

	// Data descriptor, after a member's bytes when flag bit 3 is set: an
	// optional signature, CRC-32, and the two sizes in 4 bytes, or 8 when
	// the member needs zip64. archive/zip (and so the Writer) always writes
	// the signature.
	descriptorSignature   = 0x08074b50
	descriptorSigLen      = 4
	descriptorCRCLen      = 4
	descriptorSizesLen    = 8  // two 4-byte sizes
	descriptorSizes64Len  = 16 // two 8-byte sizes
	dataDescriptorLen     = descriptorSigLen + descriptorCRCLen + descriptorSizesLen
	dataDescriptor64Len   = descriptorSigLen + descriptorCRCLen + descriptorSizes64Len
	shortestDescriptorLen = descriptorCRCLen + descriptorSizesLen

	// Central directory record: like the local header, plus comment
	// length, disk, attributes and the local header's offset; name, extra
	// field and comment follow.
	centralSignature          = 0x02014b50
	centralRecordLen          = 46
	centralCRCOffset          = 16
	centralCompressedOffset   = 20
	centralUncompressedOffset = 24
	centralNameLenOffset      = 28
	centralExtraLenOffset     = 30
	centralCommentLenOffset   = 32
	centralLocalOffset        = 42

	// End of central directory record, at the end of the archive before
	// an optional comment.
	eocdSignature        = 0x06054b50
	eocdLen              = 22
	eocdRecordsOffset    = 10
	eocdDirSizeOffset    = 12
	eocdDirOffsetOffset  = 16
	eocdCommentLenOffset = 20

	// Zip64 end of central directory locator, just before the end record,
	// and the zip64 end record it points to.
	eocd64LocatorSig          = 0x07064b50
	eocd64LocatorLen          = 20
	eocd64LocatorDiskOffset   = 4
	eocd64LocatorRecordOffset = 8
	eocd64LocatorDisksOffset  = 16
	eocd64Signature           = 0x06064b50
	eocd64Len                 = 56
	eocd64DirSizeOffset       = 40
	eocd64DirOffsetOffset     = 48

	// Extra fields: a 2-byte ID and a 2-byte length, then the data.
	extraHeaderLen = 4
	zip64ExtraID   = 0x0001

	// General purpose flags.
	flagEncrypted      = 0x1
	flagDataDescriptor = 0x8

	// A 32-bit field holding this value means "see the zip64 extra field".
	zip64Marker32 = 0xffffffff
	// zip64Threshold: a member whose compressed or uncompressed size
	// reaches this needs zip64 (archive/zip's own test).
	zip64Threshold = 1<<32 - 1
	// maxMemberName is the longest member name a zip header can hold.
	maxMemberName = 1<<16 - 1

	// The extra field that pads stored members so that their data is
	// aligned. alignExtraID is its header ID: Android's alignment field
	// (apksigner, zipflinger), whose payload is the alignment as a uint16
	// followed by zero bytes. Readers that do not know the ID skip it, as
	// the zip format requires.
	alignExtraID = 0xd935
	// alignExtraMinLen is the smallest such field: its header (ID and
	// size), then 2 bytes of alignment.
	alignExtraMinLen = extraHeaderLen + 2
	// msdosDate1980 is 1980-01-01 in MS-DOS date format, the timestamp
	// NumPy's members carry (zipfile's default).
	msdosDate1980 = 1<<5 | 1
	// memberMode is the permission NumPy's members carry (zipfile's default).
	memberMode = 0o600
)

// archive/zip validates the central directory and finds each member's data,
// but does not expose where a member's local header and central directory
// record lie. The reader needs both: to compare the local header with the
// directory (a zip whose two copies of a name disagree shows different files
// to different tools), to refuse overlapping members (the non-recursive zip
// bomb), and to rewrite a stored member's CRC-32 after r+ writes, without
// which Python's zipfile, and so np.load, rejects the changed archive. The
// reader walks the directory a second time for those offsets, and checks what
// it reads against archive/zip's view: each record's name and extra field
// length, and the name and method of the local header each offset leads to
// (and, where the base offset was repaired, archive/zip's data offset).

// entryLayout is where one member's records lie in the archive, besides
// its local header and content, whose offsets its Member holds.
type entryLayout struct {
	central int64 // offset of the central directory record
	// flagDescriptor: flag bit 3 is set, so the local header's CRC and
	// sizes are not meant to be read (they are usually zero) and a data
	// descriptor may follow the data. Writers set the bit without writing
	// the descriptor, too, and zipfile reads such archives.
	flagDescriptor bool
	// descriptorCRC is the offset of the CRC-32 field of the data
	// descriptor after the data, or -1 when no descriptor is verifiably
	// there (see findDescriptor); descriptorLen is the descriptor's length.
	descriptorCRC, descriptorLen int64
}

// layout finds the records of every member of zr (an archive of size bytes
// read through r), in zr.File order, and checks them against archive/zip's
// view and against each other: every member's bytes lie before the central
// directory. It sets the LocalHeaderOffset and ContentOffset of members,
// one per member of zr, and returns the rest of each member's layout.
//
// The directory is read in one piece and each local header with its name
// in one read: archives can hold many thousand members.
func layout(r io.ReaderAt, size int64, zr *zip.Reader, members []Member) ([]entryLayout, error) {
	dir, err := findDirectory(r, size)
	if err != nil {
		return nil, err
	}
	records, err := readDirectory(r, size, dir)
	if err != nil {
		return nil, err
	}
	out := make([]entryLayout, len(zr.File))
	var localHeader []byte // reused: a local header and its name
	pos := dir.start
	for i, zf := range zr.File {
		fixed, err := records.at(pos, centralRecordLen)
		if err != nil {
			return nil, fmt.Errorf("%w: central directory record %d: %w", ErrFormat, i, err)
		}
		if binary.LittleEndian.Uint32(fixed) != centralSignature {
			return nil, fmt.Errorf("%w: central directory record %d has no signature", ErrFormat, i)
		}
		nameLen := int64(binary.LittleEndian.Uint16(fixed[centralNameLenOffset:]))
		extraLen := int64(binary.LittleEndian.Uint16(fixed[centralExtraLenOffset:]))
		commentLen := int64(binary.LittleEndian.Uint16(fixed[centralCommentLenOffset:]))
		local := int64(binary.LittleEndian.Uint32(fixed[centralLocalOffset:]))
		name, err := records.at(pos+centralRecordLen, int(nameLen))
		if err != nil {
			return nil, fmt.Errorf("%w: central directory record %d: %w", ErrFormat, i, err)
		}
		if string(name) != zf.Name || extraLen != int64(len(zf.Extra)) {
			return nil, fmt.Errorf("%w: central directory record %d names %q with %d bytes of extra field, archive/zip read %q with %d",
				ErrFormat, i, name, extraLen, zf.Name, len(zf.Extra))
		}
		if local == zip64Marker32 {
			// zf.Extra is this record's extra field, which archive/zip read.
			local, err = zip64LocalOffset(zf.Extra, fixed)
			if err != nil {
				return nil, fmt.Errorf("%w: member %q: %w", ErrFormat, zf.Name, err)
			}
		}
		local += dir.base
		localHeader = slices.Grow(localHeader[:0], localHeaderLen+len(zf.Name))[:localHeaderLen+len(zf.Name)]
		data, err := checkLocalHeader(r, local, localHeader, zf)
		if err != nil {
			return nil, err
		}
		if dir.rebased {
			// findDirectory's repair of the base offset is looser than
			// archive/zip's: make sure both found the same member here.
			zipData, err := zf.DataOffset()
			if err != nil {
				return nil, fmt.Errorf("%w: member %q: archive/zip cannot find its data: %w", ErrFormat, zf.Name, err)
			}
			if zipData != data {
				return nil, fmt.Errorf("%w: member %q: data offset %d disagrees with archive/zip's %d", ErrFormat, zf.Name, data, zipData)
			}
		}
		if data > dir.start || zf.CompressedSize64 > uint64(dir.start-data) {
			return nil, fmt.Errorf("%w: member %q: %d bytes at offset %d run past the start of the central directory at %d (archive size %d)",
				ErrFormat, zf.Name, zf.CompressedSize64, data, dir.start, size)
		}
		e := entryLayout{central: pos, flagDescriptor: zf.Flags&flagDataDescriptor != 0, descriptorCRC: -1}
		if e.flagDescriptor {
			e.descriptorCRC, e.descriptorLen = findDescriptor(r, data+int64(zf.CompressedSize64), dir.start, zf)
		}
		out[i] = e
		members[i].LocalHeaderOffset, members[i].ContentOffset = local, data
		pos += centralRecordLen + nameLen + extraLen + commentLen
	}
	return out, nil
}

// directory is where findDirectory found the central directory.
type directory struct {
	start int64 // offset of the first record
	size  int64 // the size the end record declares
	// base is what the records' local header offsets are relative to:
	// non-zero for archives with bytes prepended (self-extracting ones).
	base int64
	// rebased: the end record implied a positive base, but a record was
	// found at the stated offset, so the base was taken to be 0.
	rebased bool
}

// maxDirectoryRead caps the one read of the central directory. Beyond it
// (hundreds of thousands of members), records are read one by one.
const maxDirectoryRead = 64 << 20

// directoryBytes serves central directory records from one read of the
// declared directory, and reads the file for any record past that read:
// archive/zip walks the records without bounding them by the declared
// size, so neither does layout.
type directoryBytes struct {
	r     io.ReaderAt
	buf   []byte
	start int64 // offset of buf[0] in the archive
}

// readDirectory reads the directory dir of an archive of size bytes,
// as declared but never past the end of the archive nor maxDirectoryRead
// bytes, so that a forged size allocates nothing the file does not hold.
func readDirectory(r io.ReaderAt, size int64, dir directory) (*directoryBytes, error) {
	n := min(dir.size, size-dir.start, maxDirectoryRead)
	d := &directoryBytes{r: r, buf: make([]byte, n), start: dir.start}
	// A read that fills buf may still say io.EOF, at the end of the archive.
	if k, err := r.ReadAt(d.buf, dir.start); k < len(d.buf) {
		return nil, fmt.Errorf("%w: central directory of %d bytes at %d: %w", ErrFormat, n, dir.start, err)
	}
	return d, nil
}

// at returns the n bytes at offset off of the archive.
func (d *directoryBytes) at(off int64, n int) ([]byte, error) {
	if rel := off - d.start; rel >= 0 && rel+int64(n) <= int64(len(d.buf)) {
		return d.buf[rel : rel+int64(n)], nil
	}
	b := make([]byte, n)
	if _, err := d.r.ReadAt(b, off); err != nil {
		return nil, err
	}
	return b, nil
}

// findDirectory finds the central directory the way archive/zip's
// readDirectoryEnd does: the end of central directory record in the last
// 1 KiB, then the last 65 KiB; its zip64 form when a field is saturated
// (archive/zip's test, quirk included: a 0xffff directory size counts); and
// the base offset of archives with bytes prepended (self-extracting ones).
// It differs in two details, both only able to refuse an archive, never to
// read a different one, since layout cross-checks every record it then
// finds against archive/zip's: sizes and offsets past 2^62 are refused, and
// the repair of a wrong base offset checks only for a record's signature
// where archive/zip parses the whole record (so layout compares data
// offsets with archive/zip's when the base was repaired).
func findDirectory(r io.ReaderAt, size int64) (directory, error) {
	var rec []byte
	var end int64
	for i, n := range []int64{1024, 65 * 1024} {
		n = min(n, size)
		buf := make([]byte, n)
		if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
			return directory{}, fmt.Errorf("%w: reading the end of central directory: %w", ErrFormat, err)
		}
		if p := findEOCD(buf); p >= 0 {
			rec, end = buf[p:], size-n+int64(p)
			break
		}
		if i == 1 || n == size {
			return directory{}, fmt.Errorf("%w: no end of central directory record", ErrFormat)
		}
	}
	records := uint64(binary.LittleEndian.Uint16(rec[eocdRecordsOffset:]))
	dirSize := uint64(binary.LittleEndian.Uint32(rec[eocdDirSizeOffset:]))
	dirOffset := uint64(binary.LittleEndian.Uint32(rec[eocdDirOffsetOffset:]))
	if records == 0xffff || dirSize == 0xffff || dirOffset == zip64Marker32 {
		if end64, ok := findDirectory64End(r, end); ok {
			var rec64 [eocd64Len]byte
			if _, err := r.ReadAt(rec64[:], end64); err != nil || binary.LittleEndian.Uint32(rec64[:]) != eocd64Signature {
				return directory{}, fmt.Errorf("%w: no zip64 end of central directory record at %d", ErrFormat, end64)
			}
			dirSize = binary.LittleEndian.Uint64(rec64[eocd64DirSizeOffset:])
			dirOffset = binary.LittleEndian.Uint64(rec64[eocd64DirOffsetOffset:])
			end = end64
		}
	}
	if dirSize > 1<<62 || dirOffset > 1<<62 {
		return directory{}, fmt.Errorf("%w: central directory of %d bytes at %d is out of range", ErrFormat, dirSize, dirOffset)
	}
	dir := directory{size: int64(dirSize), base: end - int64(dirSize) - int64(dirOffset)}
	if o := dir.base + int64(dirOffset); o < 0 || o >= size {
		return directory{}, fmt.Errorf("%w: central directory offset %d is outside the archive", ErrFormat, o)
	}
	if dir.base > 0 {
		// archive/zip's repair: a directory found at the stated offset
		// means the stated base was wrong.
		var sig [4]byte
		if _, err := r.ReadAt(sig[:], int64(dirOffset)); err == nil && binary.LittleEndian.Uint32(sig[:]) == centralSignature {
			dir.base, dir.rebased = 0, true
		}
	}
	dir.start = dir.base + int64(dirOffset)
	return dir, nil
}

// findEOCD is the position of the last end of central directory signature
// in b, or -1; as archive/zip, a record whose comment runs past b ends the
// search.
func findEOCD(b []byte) int {
	for i := len(b) - eocdLen; i >= 0; i-- {
		if binary.LittleEndian.Uint32(b[i:]) == eocdSignature {
			if i+eocdLen+int(binary.LittleEndian.Uint16(b[i+eocdCommentLenOffset:])) > len(b) {
				return -1
			}
			return i
		}
	}
	return -1
}

// findDirectory64End returns the offset of the zip64 end of central
// directory record, read from the locator just before the classic record.
func findDirectory64End(r io.ReaderAt, eocd int64) (int64, bool) {
	if eocd < eocd64LocatorLen {
		return 0, false
	}
	var loc [eocd64LocatorLen]byte
	if _, err := r.ReadAt(loc[:], eocd-eocd64LocatorLen); err != nil {
		return 0, false
	}
	if binary.LittleEndian.Uint32(loc[:]) != eocd64LocatorSig ||
		binary.LittleEndian.Uint32(loc[eocd64LocatorDiskOffset:]) != 0 || binary.LittleEndian.Uint32(loc[eocd64LocatorDisksOffset:]) != 1 {
		return 0, false
	}
	off := binary.LittleEndian.Uint64(loc[eocd64LocatorRecordOffset:])
	if off > 1<<62 {
		return 0, false
	}
	return int64(off), true
}

// zip64LocalOffset reads the local header offset from a central record's
// zip64 extra field. Its fields appear in a fixed order, each only when the
// 32-bit field it replaces is 0xffffffff.
func zip64LocalOffset(extra, fixed []byte) (int64, error) {
	for len(extra) >= extraHeaderLen {
		id := binary.LittleEndian.Uint16(extra)
		n := int(binary.LittleEndian.Uint16(extra[2:]))
		if n > len(extra)-extraHeaderLen {
			break
		}
		field := extra[extraHeaderLen : extraHeaderLen+n]
		extra = extra[extraHeaderLen+n:]
		if id != zip64ExtraID {
			continue
		}
		skip := 0
		if binary.LittleEndian.Uint32(fixed[centralUncompressedOffset:]) == zip64Marker32 {
			skip += 8
		}
		if binary.LittleEndian.Uint32(fixed[centralCompressedOffset:]) == zip64Marker32 {
			skip += 8
		}
		if len(field) < skip+8 {
			break
		}
		off := binary.LittleEndian.Uint64(field[skip:])
		if off > 1<<62 {
			return 0, fmt.Errorf("local header offset %d is out of range", off)
		}
		return int64(off), nil
	}
	return 0, fmt.Errorf("the local header offset is 0xffffffff but there is no zip64 extra field for it")
}

// checkLocalHeader reads the local header of zf at off, with its name, into
// buf (localHeaderLen+len(zf.Name) bytes), and checks that it names the
// same member with the same method as the central directory. It returns
// the offset of the member's data, after the header's name and extra field.
func checkLocalHeader(r io.ReaderAt, off int64, buf []byte, zf *zip.File) (int64, error) {
	if _, err := r.ReadAt(buf, off); err != nil {
		return 0, fmt.Errorf("%w: member %q: local header at %d: %w", ErrFormat, zf.Name, off, err)
	}
	if binary.LittleEndian.Uint32(buf) != localSignature {
		return 0, fmt.Errorf("%w: member %q: no local header at offset %d", ErrFormat, zf.Name, off)
	}
	nameLen := int(binary.LittleEndian.Uint16(buf[localNameLenOffset:]))
	extraLen := int64(binary.LittleEndian.Uint16(buf[localExtraLenOffset:]))
	if nameLen != len(zf.Name) {
		return 0, fmt.Errorf("%w: member %q: its local header has a name of %d bytes", ErrFormat, zf.Name, nameLen)
	}
	if name := buf[localHeaderLen:]; string(name) != zf.Name {
		return 0, fmt.Errorf("%w: member %q: its local header names it %q", ErrFormat, zf.Name, name)
	}
	if method := binary.LittleEndian.Uint16(buf[localMethodOffset:]); method != zf.Method {
		return 0, fmt.Errorf("%w: member %q: local header says method %d, the central directory %d", ErrFormat, zf.Name, method, zf.Method)
	}
	return off + localHeaderLen + int64(nameLen) + extraLen, nil
}

// findDescriptor looks for zf's data descriptor at dataEnd, before limit
// (the central directory), and returns the offset of its CRC-32 field and
// its length, or -1 and 0 when there is none. A descriptor counts only when
// every field checks out: with the optional signature, the signature, the
// directory's CRC-32 and its two sizes (4 or 8 bytes each); without it, the
// CRC-32 and the sizes. Guessing from the signature alone would misread a
// member whose CRC-32 happens to equal the signature, and trusting flag bit
// 3 alone would overwrite whatever follows a member that has none.
func findDescriptor(r io.ReaderAt, dataEnd, limit int64, zf *zip.File) (crcOffset, length int64) {
	var buf [dataDescriptor64Len]byte
	n := min(int64(len(buf)), limit-dataEnd)
	if n < shortestDescriptorLen {
		return -1, 0
	}
	b := buf[:n]
	if _, err := r.ReadAt(b, dataEnd); err != nil {
		return -1, 0
	}
	// sizesAt: the two sizes, 4 bytes each (or 8 if wide), at b[at:].
	sizesAt := func(at int, wide bool) bool {
		if wide {
			return len(b) >= at+descriptorSizes64Len && binary.LittleEndian.Uint64(b[at:]) == zf.CompressedSize64 &&
				binary.LittleEndian.Uint64(b[at+8:]) == zf.UncompressedSize64
		}
		return len(b) >= at+descriptorSizesLen && uint64(binary.LittleEndian.Uint32(b[at:])) == zf.CompressedSize64 &&
			uint64(binary.LittleEndian.Uint32(b[at+4:])) == zf.UncompressedSize64
	}
	crcAt := func(at int) bool {
		return len(b) >= at+descriptorCRCLen && binary.LittleEndian.Uint32(b[at:]) == zf.CRC32
	}
	// The signature forms first (what writers emit, archive/zip and
	// zipfile included), 4-byte sizes before 8-byte ones.
	for _, start := range []int{descriptorSigLen, 0} {
		if (start == descriptorSigLen && binary.LittleEndian.Uint32(b) != descriptorSignature) || !crcAt(start) {
			continue
		}
		if sizesAt(start+descriptorCRCLen, false) {
			return dataEnd + int64(start), int64(start + descriptorCRCLen + descriptorSizesLen)
		}
		if sizesAt(start+descriptorCRCLen, true) {
			return dataEnd + int64(start), int64(start + descriptorCRCLen + descriptorSizes64Len)
		}
	}
	return -1, 0
}

// alignExtra returns the extra field that makes a stored member's data start
// at a multiple of MemberAlign, given where the extra field itself starts.
func alignExtra(extraStart int64) []byte {
	pad := (MemberAlign - (extraStart+alignExtraMinLen)%MemberAlign) % MemberAlign
	extra := make([]byte, alignExtraMinLen+pad)
	binary.LittleEndian.PutUint16(extra[0:], alignExtraID)
	binary.LittleEndian.PutUint16(extra[2:], uint16(len(extra)-extraHeaderLen))
	binary.LittleEndian.PutUint16(extra[extraHeaderLen:], MemberAlign)
	return extra
}

// crcFields are the offsets of the CRC-32 fields to rewrite for a member
// whose local header is at local: the central directory record's, the one
// zipfile checks, and the local header's, which only counts without flag
// bit 3 (with it, the data descriptor's does, at l.descriptorCRC when one
// was found).
func crcFields(local int64, l entryLayout) []int64 {
	at := []int64{l.central + centralCRCOffset}
	if !l.flagDescriptor {
		at = append(at, local+localCRCOffset)
	}
	return at
}
