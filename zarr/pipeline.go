package zarr

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/zarr/codec"
)

// A pipeline is what turns a chunk's items into its stored bytes and
// back. In v2 it is one compressor (or none); in v3 the "codecs" list:
// array->array codecs (transpose), one array->bytes codec (bytes, or
// sharding_indexed, whose shards hold inner chunks with pipelines of their
// own) and bytes->bytes codecs (gzip, zstd, blosc, crc32c), applied in that
// order when encoding and backwards when decoding.
//
// The decoded chunk is the chunk's items in C order, or in Fortran order
// when the pipeline transposes by reversing the axes (v2's order "F", or
// v3's transpose with order [n-1, ..., 0]): the stored bytes are then the
// same as those of a Fortran-order chunk, so they are handed out, and
// mapped, in that order. Any other permutation is undone by moving the
// items into C order.
type pipeline struct {
	fortran bool  // the chunk is stored in Fortran order
	perm    []int // another transpose's order; nil for none
	shard   *sharding
	codecs  []codec.Codec // bytes->bytes, in encoding order
}

// sharding is a sharding_indexed codec: the chunk (a shard) holds a grid
// of inner chunks, each encoded with inner, and an index of their offsets
// and sizes, encoded as little- or big-endian uint64 pairs followed by
// crcs CRC-32C checksums.
type sharding struct {
	inner        []int // the inner chunk shape
	codecs       pipeline
	indexBig     bool
	indexCRCs    int
	indexAtStart bool
}

// raw reports whether the stored bytes are the decoded chunk itself: a
// chunk file that is mapped in place.
func (p *pipeline) raw() bool {
	return len(p.codecs) == 0 && p.shard == nil && p.perm == nil
}

// isCRC32C reports whether c is v3's crc32c codec, the one bytes->bytes
// codec whose encoded size is fixed (4 bytes more).
func isCRC32C(c codec.Codec) bool { return c.ID() == "crc32c" }

// encodedSizeBefore is the size of the bytes that enter codecs[i] when a
// chunk of n bytes is encoded, or -1 when it depends on the data (a
// compressor, or sharding, comes before).
func (p *pipeline) encodedSizeBefore(i, n int) int {
	if p.shard != nil {
		return -1
	}
	for _, c := range p.codecs[:i] {
		if !isCRC32C(c) {
			return -1
		}
		n += 4
	}
	return n
}

// decode decodes src, the stored bytes of a chunk of the given shape, into
// dst, the chunk's len(dst) bytes in the chunk's order; fill is the fill
// value of the items of a missing inner chunk. Damage is an error wrapping
// ErrFormat (and codec.ErrCorrupt where a codec found it).
func (p *pipeline) decode(dst, src []byte, shape []int, item int, fill []byte) error {
	cur := src
	for i := len(p.codecs) - 1; i >= 0; i-- {
		c := p.codecs[i]
		size := p.encodedSizeBefore(i, len(dst))
		if isCRC32C(c) {
			size = len(cur) - 4
			if size < 0 {
				return fmt.Errorf("%w: %d bytes hold no crc32c checksum", ErrFormat, len(cur))
			}
		}
		if size < 0 {
			return fmt.Errorf("%w: codec %s after a codec of variable size", memmap.ErrUnsupported, c.ID())
		}
		if size > len(dst)+len(src) {
			return fmt.Errorf("%w: codec %s stage of %d bytes in a chunk of %d", ErrFormat, c.ID(), size, len(dst))
		}
		var out []byte
		if i == 0 && p.shard == nil && p.perm == nil {
			out = dst
		}
		var err error
		if cur, err = c.Decode(out, cur, size); err != nil {
			return fmt.Errorf("%w: %w", ErrFormat, err)
		}
	}
	switch {
	case p.shard != nil:
		return p.shard.decode(dst, cur, shape, item, fill)
	case len(cur) != len(dst):
		return fmt.Errorf("%w: the chunk decodes to %d bytes, not %d", ErrFormat, len(cur), len(dst))
	case p.perm != nil:
		transposeInto(dst, cur, shape, p.perm, item)
	case len(cur) > 0 && &cur[0] != &dst[0]:
		copy(dst, cur)
	}
	return nil
}

// transposeInto moves the items of b, stored as v3's transpose codec
// encodes the array a of shape (b's shape is shape permuted by perm, in C
// order), into a in C order.
func transposeInto(a, b []byte, shape, perm []int, item int) {
	bShape := make([]int, len(perm))
	for i, axis := range perm {
		bShape[i] = shape[axis]
	}
	bStrides := layoutStrides(bShape, item, false)
	src := make([]int, len(shape)) // b's stride along each axis of a
	for i, axis := range perm {
		src[axis] = bStrides[i]
	}
	runs(shape, layoutStrides(shape, item, false), src, item, func(d, s, n int) {
		copy(a[d:d+n], b[s:s+n])
	})
}

// encode appends the stored bytes of data, a chunk in the chunk's order,
// to (*buf)[:0] and returns them (data itself for a raw pipeline).
func (p *pipeline) encode(buf *[]byte, data []byte, item int) ([]byte, error) {
	if p.shard != nil || p.perm != nil {
		return nil, fmt.Errorf("%w: writing sharded or transposed chunks", memmap.ErrUnsupported)
	}
	cur := data
	for i, c := range p.codecs {
		var dst []byte
		if i == len(p.codecs)-1 {
			dst = (*buf)[:0]
		}
		var err error
		if cur, err = c.Encode(dst, cur, item); err != nil {
			return nil, err
		}
	}
	if len(p.codecs) > 0 {
		*buf = cur
	}
	return cur, nil
}

// padded reports whether encodePadded can encode a chunk: the pipeline is
// one bytes->bytes codec.
func (p *pipeline) padded() bool {
	return len(p.codecs) == 1 && p.shard == nil && p.perm == nil
}

// encodePadded is encode of a chunk of size bytes that are head and then
// the fill item repeated (an edge chunk), which the codec encodes without
// the chunk written out (codec.EncodePadded). Only for a padded pipeline.
func (p *pipeline) encodePadded(buf *[]byte, head []byte, size int, fill []byte, item int) ([]byte, error) {
	stored, err := codec.EncodePadded(p.codecs[0], (*buf)[:0], head, size, fill, item)
	if err != nil {
		return nil, err
	}
	*buf = stored
	return stored, nil
}

// maxEncodedBytes caps maxEncoded, far above any chunk this package
// reads, so that a long list of codecs cannot overflow it.
const maxEncodedBytes = 1 << 62

// maxEncoded bounds the stored size of a chunk of n decoded bytes and the
// given shape: a shard's index (16 bytes per inner chunk, 4 per checksum)
// and its inner chunks' own bounds, then for each bytes->bytes codec 4
// bytes (crc32c) or a sixteenth and 256 bytes, more than any compressor
// here expands its input by, headers included.
func (p *pipeline) maxEncoded(n int64, shape []int) int64 {
	if s := p.shard; s != nil {
		count := int64(1)
		for axis, c := range s.inner {
			count *= int64(shape[axis] / c)
		}
		if count > 0 {
			perInner := s.codecs.maxEncoded(n/count, s.inner)
			n = min(maxEncodedBytes, count*min(perInner+16, maxEncodedBytes/count)+4*int64(s.indexCRCs))
		}
	}
	for _, c := range p.codecs {
		if isCRC32C(c) {
			n += 4
		} else {
			n += n/16 + 256
		}
		n = min(n, maxEncodedBytes)
	}
	return n
}

// indexBytes is the size of a shard's encoded index for n inner chunks,
// as an int64: on 32-bit platforms 16 bytes per inner chunk may not fit
// an int.
func (s *sharding) indexBytes(n int) int64 { return 16*int64(n) + 4*int64(s.indexCRCs) }

// decode decodes a shard: src holds its inner chunks and its index, dst
// receives the shard's items in C order.
func (s *sharding) decode(dst, src []byte, shape []int, item int, fill []byte) error {
	rank := len(shape)
	perShard := make([]int, rank)
	n := 1
	for axis := range rank {
		perShard[axis] = shape[axis] / s.inner[axis]
		n *= perShard[axis]
	}
	if int64(len(src)) < s.indexBytes(n) {
		return fmt.Errorf("%w: a shard of %d bytes has no room for its %d-byte index", ErrFormat, len(src), s.indexBytes(n))
	}
	isize := int(s.indexBytes(n))
	index := src[len(src)-isize:]
	if s.indexAtStart {
		index = src[:isize]
	}
	crc := codec.NewCRC32C()
	for range s.indexCRCs {
		var err error
		if index, err = crc.Decode(nil, index, len(index)-4); err != nil {
			return fmt.Errorf("%w: shard index: %w", ErrFormat, err)
		}
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if s.indexBig {
		order = binary.BigEndian
	}
	innerBytes := item
	for _, c := range s.inner {
		innerBytes *= c
	}
	inner := make([]byte, innerBytes)
	shardStrides := layoutStrides(shape, item, false)
	innerStrides := layoutStrides(s.inner, item, s.codecs.fortran)
	idx := make([]int, rank)
	lo := make([]int, rank)
	for j := range n {
		off, nbytes := order.Uint64(index[16*j:]), order.Uint64(index[16*j+8:])
		// The inner chunk's grid position, last axis fastest.
		for axis, k := rank-1, j; axis >= 0; axis-- {
			idx[axis] = k % perShard[axis]
			k /= perShard[axis]
			lo[axis] = idx[axis] * s.inner[axis]
		}
		switch {
		case off == math.MaxUint64 && nbytes == math.MaxUint64:
			fillItems(inner, fill)
		case off > uint64(len(src)) || nbytes > uint64(len(src))-off:
			return fmt.Errorf("%w: inner chunk %v at bytes [%d, %d+%d) outside the %d-byte shard", ErrFormat, idx, off, off, nbytes, len(src))
		default:
			if err := s.codecs.decode(inner, src[off:off+nbytes], s.inner, item, fill); err != nil {
				return fmt.Errorf("inner chunk %v: %w", idx, err)
			}
		}
		base := offset(lo, shardStrides)
		runs(s.inner, shardStrides, innerStrides, item, func(d, sOff, n int) {
			copy(dst[base+d:base+d+n], inner[sOff:sOff+n])
		})
	}
	return nil
}
