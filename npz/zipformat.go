package npz

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
)
