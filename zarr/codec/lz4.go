package codec

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	"github.com/go-memmap/memmap"
	"github.com/pierrec/lz4/v4"
)

// numcodecs' default LZ4 acceleration, and the largest buffer its LZ4
// codec takes (LZ4's own limit, LZ4_MAX_INPUT_SIZE).
const (
	defaultLZ4Acceleration = 1
	maxLZ4Size             = 0x7E000000
)

// NewLZ4 returns the codec numcodecs calls LZ4(acceleration): the chunk's
// size as 4 little-endian bytes, then one LZ4 block, the same bytes as
// numcodecs writes. A larger acceleration compresses faster and less;
// numcodecs' default is 1, and it takes 0 or less as 1, which this codec
// does too.
func NewLZ4(acceleration int) Codec { return &lz4Codec{acceleration: acceleration} }

type lz4Codec struct{ acceleration int }

func (c *lz4Codec) ID() string { return "lz4" }

func (c *lz4Codec) Config() map[string]any {
	return map[string]any{"id": "lz4", "acceleration": c.acceleration}
}

// lz4Compressors pools the compressors: a CompressorCCompat holds a hash
// table and is not safe for concurrent use.
var lz4Compressors = sync.Pool{New: func() any { return new(lz4.CompressorCCompat) }}

// lz4AppendBlock appends the LZ4 block of src to dst (LZ4_compress_fast's
// output at that acceleration).
func lz4AppendBlock(dst, src []byte, acceleration int) ([]byte, error) {
	start := len(dst)
	dst = grow(dst, lz4.CompressBlockBound(len(src)))
	compressor := lz4Compressors.Get().(*lz4.CompressorCCompat)
	compressor.Acceleration = acceleration
	n, err := compressor.CompressBlock(src, dst[start:])
	lz4Compressors.Put(compressor)
	if err != nil || (n == 0 && len(src) > 0) {
		return dst[:start], fmt.Errorf("lz4 block of %d bytes: %v", len(src), err)
	}
	return dst[:start+n], nil
}

// lz4CompressLimited writes the LZ4 block of src into dst, as
// LZ4_compress_fast into a buffer of len(dst) bytes at that acceleration:
// its length, or 0 when it does not fit.
func lz4CompressLimited(dst, src []byte, acceleration int) int {
	compressor := lz4Compressors.Get().(*lz4.CompressorCCompat)
	compressor.Acceleration = acceleration
	n, err := compressor.CompressBlock(src, dst)
	lz4Compressors.Put(compressor)
	if err != nil {
		return 0
	}
	return n
}

// lz4ConstantMin is the shortest run of one byte value that
// lz4ConstantBlock encodes: LZ4 leaves anything shorter than its MFLIMIT
// (12) plus a byte as literals.
const lz4ConstantMin = 13

// lz4ConstantBlock writes into dst the LZ4 block LZ4_compress_fast makes of
// n (at least lz4ConstantMin) copies of byte b, at any acceleration: the
// first byte as a literal, a match at offset 1 up to LASTLITERALS (5) bytes
// before the end, and those five as literals. It returns the block's
// length, or 0 when dst is too short, as lz4CompressLimited does. Blosc's
// shuffle makes such streams of most numeric data (the planes of exponent
// bytes and of low bytes that are zero), and LZ4's match search takes as
// long over them as over any other data.
func lz4ConstantBlock(dst []byte, b byte, n int) int {
	matchCode := n - 10 // the match's length, n-6, less LZ4's minimum match of 4
	size := 1 + 1 + 2 + 1 + 5 + (matchCode-15)/255 + 1
	if matchCode < 15 {
		size = 1 + 1 + 2 + 1 + 5
	}
	if len(dst) < size {
		return 0
	}
	dst[0], dst[1], dst[2], dst[3] = 1<<4|byte(min(matchCode, 15)), b, 1, 0
	i := 4
	if matchCode >= 15 {
		rest := matchCode - 15
		for ; rest >= 255; rest -= 255 {
			dst[i] = 255
			i++
		}
		dst[i] = byte(rest)
		i++
	}
	dst[i] = 5 << 4
	for k := 1; k <= 5; k++ {
		dst[i+k] = b
	}
	return i + 6
}

// isConstant reports whether every byte of b (at least one) is b[0].
func isConstant(b []byte) bool { return bytes.Equal(b[1:], b[:len(b)-1]) }

func (c *lz4Codec) Encode(dst, src []byte, itemSize int) ([]byte, error) {
	if len(src) > maxLZ4Size {
		return dst, fmt.Errorf("encode lz4 chunk of %d bytes: over LZ4's limit of %d: %w", len(src), maxLZ4Size, memmap.ErrTooLarge)
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(src)))
	out, err := lz4AppendBlock(dst, src, max(c.acceleration, 1))
	if err != nil {
		return dst[:len(dst)-4], fmt.Errorf("encode %w", err)
	}
	return out, nil
}

func (c *lz4Codec) Decode(dst, src []byte, size int) ([]byte, error) {
	buf := decodeBuffer(dst, size, "lz4")
	if len(src) < 4 {
		return dst, fmt.Errorf("decode lz4 chunk of %d bytes: %w: %d bytes, no size", size, ErrCorrupt, len(src))
	}
	if stored := binary.LittleEndian.Uint32(src); uint64(stored) != uint64(size) {
		return dst, fmt.Errorf("decode lz4 chunk of %d bytes: %w: it says %d bytes", size, ErrCorrupt, stored)
	}
	if err := lz4DecodeBlock(buf, src[4:]); err != nil {
		return dst, fmt.Errorf("decode lz4 chunk of %d bytes: %w", size, err)
	}
	return buf, nil
}

// lz4DecodeBlock decodes the LZ4 block src into buf, which it must fill
// exactly. Errors wrap ErrCorrupt.
func lz4DecodeBlock(buf, src []byte) error {
	if len(src) == 0 {
		return fmt.Errorf("%w: no data", ErrCorrupt)
	}
	if len(buf) == 0 {
		// The one block of nothing is a token without literals (LZ4's
		// own decoder accepts only it). The decoder must not see a nil
		// buf: its fast path writes through it.
		if len(src) == 1 && src[0] == 0 {
			return nil
		}
		return fmt.Errorf("%w: %d bytes for an empty block", ErrCorrupt, len(src))
	}
	n, err := lz4.UncompressBlock(src, buf)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if n != len(buf) {
		return fmt.Errorf("%w: it holds %d bytes", ErrCorrupt, n)
	}
	return nil
}

// grow extends b by n bytes (of any value), reallocating only when its
// capacity is short.
func grow(b []byte, n int) []byte {
	b = slices.Grow(b, n)
	return b[:len(b)+n]
}
