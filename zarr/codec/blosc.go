package codec

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/pierrec/lz4/v4"
)

// Shuffle is Blosc's filter, numcodecs' shuffle setting.
type Shuffle int

const (
	// AutoShuffle is BitShuffle for 1-byte items and ByteShuffle for larger
	// ones (numcodecs' AUTOSHUFFLE, -1), chosen at each Encode.
	AutoShuffle Shuffle = -1
	// NoShuffle compresses the bytes as they are.
	NoShuffle Shuffle = 0
	// ByteShuffle groups byte j of every element (numcodecs' SHUFFLE, the
	// default).
	ByteShuffle Shuffle = 1
	// BitShuffle groups bit b of byte j of every element.
	BitShuffle Shuffle = 2
)

// The Blosc 1 format, as c-blosc 1.21 (numcodecs 0.11's) writes it:
//
//	header, 16 bytes:
//	  0  format version (2)        1  compressor format version (1)
//	  2  flags                     3  typesize (1..255)
//	  4  nbytes, int32 LE          8  blocksize, int32 LE
//	  12 cbytes (whole chunk, header included), int32 LE
//	then, unless memcpyed, a table of nblocks int32 LE offsets (from the
//	chunk's start) of the blocks; a block is one stream, or typesize
//	streams (the "splits", one per byte plane) when split; a stream is its
//	compressed size as int32 LE, then that many bytes, or the stream's
//	bytes as they are when that size equals the stream's decoded size.
//	A memcpyed chunk is the header then the nbytes as they are.
const (
	bloscHeaderSize     = 16
	bloscFormatVersion  = 2
	bloscCompVersion    = 1
	bloscMinBufferSize  = 128 // smaller buffers are memcpyed
	bloscMaxSplits      = 16  // larger typesizes are never split
	bloscMaxTypesize    = 255
	bloscL1             = 32 << 10
	bloscMaxBufferSize  = math.MaxInt32 - bloscHeaderSize
	bloscMaxBlocksize   = (math.MaxInt32 - bloscMaxTypesize*4) / 3
	bloscDefaultCLevel  = 5
	bloscDefaultCName   = "lz4"
	bloscDefaultShuffle = ByteShuffle

	bloscFlagShuffle    = 0x01
	bloscFlagMemcpyed   = 0x02
	bloscFlagBitShuffle = 0x04
	bloscFlagFuture     = 0x08 // c-blosc 1.x refuses chunks with it set
	bloscFlagDontSplit  = 0x10
)

// bloscCompressor is one of Blosc's inner compressors: its code (c-blosc's
// compcode, which the block size rules use) and the format it writes into
// the flags' top 3 bits.
type bloscCompressor struct {
	name   string
	code   int
	format byte
	hcr    bool // meant for high compression ratios: larger blocks
}

var bloscCompressors = []bloscCompressor{
	{name: "blosclz", code: 0, format: 0},
	{name: "lz4", code: 1, format: 1},
	{name: "lz4hc", code: 2, format: 1, hcr: true}, // LZ4's format
	{name: "zlib", code: 4, format: 3, hcr: true},
	{name: "zstd", code: 5, format: 4, hcr: true},
}

// bloscSnappyFormat is the format snappy writes; this package cannot read
// it (no snappy dependency).
const bloscSnappyFormat = 2

func findBloscCompressor(name string) (bloscCompressor, bool) {
	for _, c := range bloscCompressors {
		if c.name == name {
			return c, true
		}
	}
	return bloscCompressor{}, false
}

// NewBlosc returns the codec numcodecs calls Blosc(cname, clevel, shuffle,
// blocksize): chunks in the Blosc 1 format of c-blosc 1.x. cname is the
// inner compressor: "lz4" (numcodecs' default), "lz4hc", "zstd", "zlib", or
// "blosclz", which decodes but does not encode. clevel is 0 (stored as it
// is) to 9, numcodecs' default 5. blocksize 0 (the default) is c-blosc's
// automatic choice; another is the block size in bytes. Any other setting
// panics. Decode reads any Blosc 1 chunk whatever the settings, except one
// compressed with snappy.
func NewBlosc(cname string, clevel int, shuffle Shuffle, blocksize int) Codec {
	c, err := newBlosc(cname, clevel, shuffle, blocksize)
	if err != nil {
		misuse.Panicf("codec: NewBlosc: %v", err)
	}
	return c
}

func newBlosc(cname string, clevel int, shuffle Shuffle, blocksize int) (*bloscCodec, error) {
	compressor, ok := findBloscCompressor(cname)
	switch {
	case !ok:
		return nil, fmt.Errorf("cname %q is not one of blosclz, lz4, lz4hc, zlib, zstd", cname)
	case clevel < 0 || clevel > 9:
		return nil, fmt.Errorf("clevel %d out of range 0..9", clevel)
	case shuffle < AutoShuffle || shuffle > BitShuffle:
		return nil, fmt.Errorf("shuffle %d out of range -1..2", shuffle)
	case blocksize < 0:
		return nil, fmt.Errorf("negative blocksize %d", blocksize)
	}
	return &bloscCodec{compressor: compressor, clevel: clevel, shuffle: shuffle, blocksize: blocksize}, nil
}

type bloscCodec struct {
	compressor bloscCompressor
	clevel     int
	shuffle    Shuffle
	blocksize  int // 0: automatic
	typesize   int // Zarr v3's "typesize", 0 when unset: Encode's itemSize
}

func (c *bloscCodec) ID() string { return "blosc" }

func (c *bloscCodec) Config() map[string]any {
	return map[string]any{"id": "blosc", "cname": c.compressor.name, "clevel": c.clevel,
		"shuffle": int(c.shuffle), "blocksize": c.blocksize}
}

// splitBlock is c-blosc's rule (its default "forward compatible" split
// mode) for writing a block as typesize streams: not for zstd, nor for
// typesizes above 16, nor for blocks of fewer than 128 elements.
func splitBlock(compressor bloscCompressor, typesize, blocksize int) bool {
	return compressor.name != "zstd" && typesize <= bloscMaxSplits && blocksize/typesize >= bloscMinBufferSize
}

// bloscBlocksize is c-blosc's compute_blocksize: the block size for a
// buffer of nbytes, from the level and compressor (forced is the codec's
// blocksize setting, 0 for automatic).
func bloscBlocksize(compressor bloscCompressor, clevel, typesize, nbytes, forced int) int {
	if nbytes < typesize {
		return 1
	}
	blocksize := nbytes
	if forced > 0 {
		blocksize = min(max(forced, bloscMinBufferSize), bloscMaxBlocksize)
	} else if nbytes >= bloscL1 {
		blocksize = bloscL1
		if compressor.hcr {
			blocksize *= 2
		}
		switch clevel {
		case 0:
			blocksize /= 4
		case 1:
			blocksize /= 2
		case 2:
		case 3:
			blocksize *= 2
		case 4, 5:
			blocksize *= 4
		case 6, 7, 8:
			blocksize *= 8
		case 9:
			blocksize *= 8
			if compressor.hcr {
				blocksize *= 2
			}
		}
	}
	if clevel > 0 && splitBlock(compressor, typesize, blocksize) {
		// Splitting codecs get larger blocks: 64 KiB to 1 MiB.
		blocksize = min(blocksize, 1<<18) * typesize
		blocksize = min(max(blocksize, 1<<16), 1<<20)
	}
	blocksize = min(blocksize, nbytes)
	if blocksize > typesize {
		blocksize = blocksize / typesize * typesize
	}
	return blocksize
}

func (c *bloscCodec) Encode(dst, src []byte, itemSize int) ([]byte, error) {
	return c.encode(dst, paddedChunk{head: src, size: len(src)}, itemSize)
}

// encode is Encode of a chunk given as its head and fill (EncodePadded):
// the blocks within the head are encoded from it, and only those past it
// are built, one at a time, in a block-sized buffer.
func (c *bloscCodec) encode(dst []byte, src paddedChunk, itemSize int) ([]byte, error) {
	nbytes := src.size
	if nbytes > bloscMaxBufferSize {
		return dst, fmt.Errorf("encode blosc chunk of %d bytes: over Blosc's limit of %d: %w", nbytes, bloscMaxBufferSize, memmap.ErrTooLarge)
	}
	if c.compressor.name == "blosclz" {
		return dst, fmt.Errorf("encode blosc chunk with blosclz: %w (only its decoder is here)", memmap.ErrUnsupported)
	}
	if c.typesize > 0 {
		itemSize = c.typesize
	}
	shuffle := c.shuffle
	if shuffle == AutoShuffle {
		shuffle = ByteShuffle
		if itemSize == 1 {
			shuffle = BitShuffle
		}
	}
	typesize := itemSize
	if typesize < 1 || typesize > bloscMaxTypesize {
		typesize = 1 // as c-blosc: a stream of bytes
	}
	blocksize := bloscBlocksize(c.compressor, c.clevel, typesize, nbytes, c.blocksize)
	flags := c.compressor.format << 5
	switch shuffle {
	case ByteShuffle:
		flags |= bloscFlagShuffle
	case BitShuffle:
		flags |= bloscFlagBitShuffle
	}
	split := splitBlock(c.compressor, typesize, blocksize)
	if !split {
		flags |= bloscFlagDontSplit
	}
	start := len(dst)
	header := [bloscHeaderSize]byte{0: bloscFormatVersion, 1: bloscCompVersion, 2: flags, 3: byte(typesize)}
	binary.LittleEndian.PutUint32(header[4:], uint32(nbytes))
	binary.LittleEndian.PutUint32(header[8:], uint32(blocksize))
	dst = append(dst, header[:]...)
	if c.clevel > 0 && nbytes >= bloscMinBufferSize {
		out, ok, err := c.encodeBlocks(dst, src, start, typesize, blocksize, shuffle, split)
		if err != nil {
			return dst[:start], fmt.Errorf("encode blosc chunk of %d bytes: %w", nbytes, err)
		}
		if ok {
			binary.LittleEndian.PutUint32(out[start+12:], uint32(len(out)-start))
			return out, nil
		}
		dst = out[:start+bloscHeaderSize] // did not compress: memcpy
	}
	dst[start+2] |= bloscFlagMemcpyed
	dst = src.appendTo(dst)
	binary.LittleEndian.PutUint32(dst[start+12:], uint32(len(dst)-start))
	return dst, nil
}

// bloscScratch pools the block-sized buffers that shuffling needs.
var bloscScratch sync.Pool // of *[]byte

func getScratch(n int) *[]byte {
	p, _ := bloscScratch.Get().(*[]byte)
	if p == nil || cap(*p) < n {
		b := make([]byte, n)
		return &b
	}
	*p = (*p)[:n]
	return p
}

// encodeBlocks appends the block offsets and the blocks of src after the
// header at dst[start:]. ok is false when the chunk would come out larger
// than its bytes and the header (c-blosc then memcpys it).
func (c *bloscCodec) encodeBlocks(dst []byte, src paddedChunk, start, typesize, blocksize int, shuffle Shuffle, split bool) (out []byte, ok bool, err error) {
	nbytes := src.size
	limit := nbytes + bloscHeaderSize // c-blosc's output buffer
	nblocks := (nbytes + blocksize - 1) / blocksize
	if bloscHeaderSize+4*nblocks > limit {
		return dst, false, nil
	}
	// The whole output fits in limit bytes or is given up. dst grows stream
	// by stream, never to the limit up front: fresh memory is cleared and
	// faulted in a page at a time, and a compressible chunk needs a small
	// part of it (a 128 MiB chunk of a sequence stores under 1 MiB). Every
	// stream is compressed in place, at the end of dst.
	offsets := len(dst)
	dst = grow(dst, 4*nblocks)
	scratch := getScratch(blocksize)
	defer bloscScratch.Put(scratch)
	var padded *[]byte // the blocks past src's head, built there
	if len(src.head) < nbytes {
		padded = getScratch(blocksize)
		defer bloscScratch.Put(padded)
	}
	for j := range nblocks {
		binary.LittleEndian.PutUint32(dst[offsets+4*j:], uint32(len(dst)-start))
		block := src.slice(j*blocksize, min((j+1)*blocksize, nbytes), padded)
		leftover := len(block) < blocksize
		filtered := block
		switch {
		case shuffle == ByteShuffle && typesize > 1:
			filtered = (*scratch)[:len(block)]
			byteShuffle(filtered, block, typesize)
		case shuffle == BitShuffle && len(block) >= typesize:
			filtered = (*scratch)[:len(block)]
			bitShuffle(filtered, block, typesize)
		}
		nsplits := 1
		if split && !leftover {
			nsplits = typesize
		}
		streamSize := len(filtered) / nsplits
		for s := range nsplits {
			stream := filtered[s*streamSize : (s+1)*streamSize]
			sizeAt := len(dst)
			dst = slices.Grow(dst, 4+len(stream)) // its size, then at most the stream as it is
			dst = append(dst, 0, 0, 0, 0)
			if c.compressor.name == "lz4" {
				// As c-blosc: LZ4 with its output bounded by the stream's
				// size and by what is left of the chunk's limit; 0 when it
				// does not fit.
				room := min(len(stream), start+limit-len(dst))
				if room <= 0 {
					return dst, false, nil
				}
				var n int
				if len(stream) >= lz4ConstantMin && isConstant(stream) {
					n = lz4ConstantBlock(dst[len(dst):len(dst)+room], stream[0], len(stream))
				} else {
					n = lz4CompressLimited(dst[len(dst):len(dst)+room], stream, 10-c.clevel)
				}
				dst = dst[:len(dst)+n]
			} else if dst, err = c.compressStream(dst, stream); err != nil {
				return dst, false, err
			}
			if n := len(dst) - sizeAt - 4; n == 0 || n >= len(stream) {
				// Did not compress: store the stream as it is.
				dst = append(dst[:sizeAt+4], stream...)
			}
			binary.LittleEndian.PutUint32(dst[sizeAt:], uint32(len(dst)-sizeAt-4))
			if len(dst)-start > limit {
				return dst, false, nil
			}
		}
	}
	return dst, true, nil
}

// compressStream appends the inner compressor's encoding of stream to dst,
// at c-blosc's settings for the codec's clevel.
func (c *bloscCodec) compressStream(dst, stream []byte) ([]byte, error) {
	switch c.compressor.name {
	case "lz4hc":
		return lz4hcAppendBlock(dst, stream, c.clevel)
	case "zlib":
		return zlibAppend(dst, stream, c.clevel)
	case "zstd":
		level := maxZstdLevel
		if c.clevel < 9 {
			level = 2*c.clevel - 1
		}
		e, err := zstdEncoder(level, false)
		if err != nil {
			return dst, err
		}
		return e.EncodeAll(stream, dst), nil
	}
	return dst, fmt.Errorf("no encoder for %s: %w", c.compressor.name, memmap.ErrUnsupported)
}

// lz4hcCompressors pools the high compression encoders, whose tables are
// large.
var lz4hcCompressors = sync.Pool{New: func() any { return new(lz4.CompressorHC) }}

// lz4hcDepth is how many earlier positions the high compression encoder
// tries for a match at clevel (1..9): LZ4HC's own number for that level
// (its nbSearches, 2 for levels 1 and 2, doubling up to 256 at 9), which
// c-blosc passes the clevel to. The Go encoder's named levels search
// 512 to 131072 positions, hundreds of times longer for little gain.
func lz4hcDepth(clevel int) lz4.CompressionLevel {
	return lz4.CompressionLevel(max(2, 1<<(clevel-1)))
}

// lz4hcAppendBlock appends the LZ4 block of src, compressed by the high
// compression encoder at clevel (1..9), to dst.
func lz4hcAppendBlock(dst, src []byte, clevel int) ([]byte, error) {
	start := len(dst)
	dst = grow(dst, lz4.CompressBlockBound(len(src)))
	compressor := lz4hcCompressors.Get().(*lz4.CompressorHC)
	compressor.Level = lz4hcDepth(clevel)
	n, err := compressor.CompressBlock(src, dst[start:])
	lz4hcCompressors.Put(compressor)
	if err != nil || (n == 0 && len(src) > 0) {
		return dst[:start], fmt.Errorf("lz4hc block of %d bytes: %v", len(src), err)
	}
	return dst[:start+n], nil
}

func (c *bloscCodec) Decode(dst, src []byte, size int) ([]byte, error) {
	buf := decodeBuffer(dst, size, "blosc")
	if err := bloscDecode(buf, src); err != nil {
		return dst, fmt.Errorf("decode blosc chunk of %d bytes: %w", size, err)
	}
	return buf, nil
}

// bloscDecode decodes the Blosc chunk src into buf, which it must fill
// exactly, checking every size and offset before it is used (c-blosc's
// checks, and that every block decodes whole). Errors wrap ErrCorrupt.
func bloscDecode(buf, src []byte) error {
	if len(src) < bloscHeaderSize {
		return fmt.Errorf("%w: %d bytes, shorter than a header", ErrCorrupt, len(src))
	}
	version, compVersion, flags := src[0], src[1], src[2]
	typesize := int(src[3])
	nbytes := int64(int32(binary.LittleEndian.Uint32(src[4:])))
	blocksize := int64(int32(binary.LittleEndian.Uint32(src[8:])))
	cbytes := int64(int32(binary.LittleEndian.Uint32(src[12:])))
	switch {
	case nbytes != int64(len(buf)):
		return fmt.Errorf("%w: the header says %d bytes", ErrCorrupt, nbytes)
	case cbytes < bloscHeaderSize || cbytes > int64(len(src)):
		return fmt.Errorf("%w: the header says %d bytes stored, of %d", ErrCorrupt, cbytes, len(src))
	case nbytes == 0:
		return nil // c-blosc reads nothing further
	case version != bloscFormatVersion:
		return fmt.Errorf("%w: Blosc format version %d, want %d: %w", ErrCorrupt, version, bloscFormatVersion, memmap.ErrUnsupported)
	case flags&bloscFlagFuture != 0:
		return fmt.Errorf("%w: flags %#x of a later Blosc: %w", ErrCorrupt, flags, memmap.ErrUnsupported)
	case blocksize <= 0 || blocksize > nbytes || typesize == 0:
		return fmt.Errorf("%w: blocksize %d, typesize %d", ErrCorrupt, blocksize, typesize)
	}
	src = src[:cbytes]
	if flags&bloscFlagMemcpyed != 0 {
		if cbytes != nbytes+bloscHeaderSize {
			return fmt.Errorf("%w: a copied chunk of %d bytes stored in %d", ErrCorrupt, nbytes, cbytes)
		}
		copy(buf, src[bloscHeaderSize:])
		return nil
	}
	decompress, err := bloscDecompressor(flags>>5, compVersion)
	if err != nil {
		return err
	}
	bsize := int(blocksize)
	nblocks := (len(buf) + bsize - 1) / bsize
	if int64(nblocks) > (cbytes-bloscHeaderSize)/4 {
		return fmt.Errorf("%w: %d blocks do not fit in %d bytes", ErrCorrupt, nblocks, cbytes)
	}
	doShuffle := flags&bloscFlagShuffle != 0 && typesize > 1
	doBitShuffle := flags&bloscFlagBitShuffle != 0
	dontSplit := flags&bloscFlagDontSplit != 0
	var scratch *[]byte
	if doShuffle || doBitShuffle {
		scratch = getScratch(bsize)
		defer bloscScratch.Put(scratch)
	}
	for j := range nblocks {
		block := buf[j*bsize : min((j+1)*bsize, len(buf))]
		leftover := len(block) < bsize
		bitShuffled := doBitShuffle && len(block) >= typesize
		target := block
		if doShuffle || bitShuffled {
			target = (*scratch)[:len(block)]
		}
		nsplits := 1
		if !dontSplit && typesize <= bloscMaxSplits && len(block)/typesize >= bloscMinBufferSize && !leftover {
			nsplits = typesize
		}
		streamSize := len(block) / nsplits
		if streamSize*nsplits != len(block) {
			return fmt.Errorf("%w: block of %d bytes in %d streams", ErrCorrupt, len(block), nsplits)
		}
		offset := int64(int32(binary.LittleEndian.Uint32(src[bloscHeaderSize+4*j:])))
		for s := range nsplits {
			if offset < bloscHeaderSize || offset > cbytes-4 {
				return fmt.Errorf("%w: block %d: stream at %d", ErrCorrupt, j, offset)
			}
			n := int64(int32(binary.LittleEndian.Uint32(src[offset:])))
			offset += 4
			if n < 0 || n > cbytes-offset {
				return fmt.Errorf("%w: block %d: stream of %d bytes at %d", ErrCorrupt, j, n, offset)
			}
			stream := src[offset : offset+n]
			out := target[s*streamSize : (s+1)*streamSize]
			if int(n) == streamSize {
				copy(out, stream)
			} else if err := decompress(out, stream); err != nil {
				return fmt.Errorf("block %d: %w", j, err)
			}
			offset += n
		}
		switch {
		case doShuffle:
			byteUnshuffle(block, target, typesize)
		case bitShuffled:
			bitUnshuffle(block, target, typesize)
		}
	}
	return nil
}

// bloscDecompressor is the decoder of an inner compressor's format, from
// the flags' top 3 bits.
func bloscDecompressor(format, version byte) (func(buf, src []byte) error, error) {
	if version != bloscCompVersion {
		return nil, fmt.Errorf("%w: compressor format version %d", ErrCorrupt, version)
	}
	switch format {
	case 0:
		return blosclzDecode, nil
	case 1:
		return lz4DecodeBlock, nil
	case 3:
		return zlibDecode, nil
	case 4:
		return func(buf, src []byte) error {
			_, err := zstdDecode(buf, src)
			return err
		}, nil
	case bloscSnappyFormat:
		return nil, fmt.Errorf("%w: compressed with snappy: %w", ErrCorrupt, memmap.ErrUnsupported)
	}
	return nil, fmt.Errorf("%w: unknown compressor format %d", ErrCorrupt, format)
}
