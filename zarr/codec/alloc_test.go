package codec

import (
	"encoding/binary"
	"errors"
	"runtime"
	"testing"
)

var firstCall uint64

// allocatedBytes is the average number of bytes f allocates per call,
// after a first call that fills the pools; firstCall is that call's.
func allocatedBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	firstCall = after.TotalAlloc - before.TotalAlloc
	const runs = 20
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / runs
}

// TestDecodeOfLyingHeadersAllocatesLittle gives every decoder input whose
// headers claim far more than the chunk's size (a window, a content size,
// a block size): Decode must refuse it, allocating no more than a small
// constant when dst has room for the chunk.
func TestDecodeOfLyingHeadersAllocatesLittle(t *testing.T) {
	// Not parallel: it counts the process's allocations.
	const size = 1000
	huge := uint32(1 << 30)
	bloscHeader := func(nbytes, blocksize, cbytes uint32, flags byte) []byte {
		h := make([]byte, 16, 64)
		h[0], h[1], h[2], h[3] = 2, 1, flags, 8
		binary.LittleEndian.PutUint32(h[4:], nbytes)
		binary.LittleEndian.PutUint32(h[8:], blocksize)
		binary.LittleEndian.PutUint32(h[12:], cbytes)
		return append(h, make([]byte, 48)...)
	}
	lz4Lie := binary.LittleEndian.AppendUint32(nil, huge)
	lz4Lie = append(lz4Lie, 0xf0, 0xff, 0xff, 0xff, 0xff)
	// zstd frames: one claiming a content size of 1 GiB, one with no
	// content size and a 512 MiB window, each with a raw block.
	zstdFCS := []byte{0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0x40, 0x01, 0, 0, 'x'}
	zstdWindow := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x98, 0x09, 0, 0, 'x'}
	// A blosc chunk of one block, one stream: zstdFCS.
	bloscZstd := bloscHeader(size, size, 24+uint32(len(zstdFCS)), 0x84)[:16]
	bloscZstd = binary.LittleEndian.AppendUint32(bloscZstd, 20)
	bloscZstd = binary.LittleEndian.AppendUint32(bloscZstd, uint32(len(zstdFCS)))
	bloscZstd = append(bloscZstd, zstdFCS...)
	cases := []struct {
		codec Codec
		src   []byte
	}{
		{NewLZ4(1), lz4Lie},
		{NewZstd(1), zstdFCS},
		{NewZstd(1), zstdWindow},
		{NewBlosc("lz4", 5, ByteShuffle, 0), bloscHeader(huge, huge, 64, 0x21)},
		{NewBlosc("lz4", 5, ByteShuffle, 0), bloscHeader(size, huge, 64, 0x21)},
		{NewBlosc("lz4", 5, ByteShuffle, 0), bloscHeader(size, 1, 64, 0x21)},
		{NewBlosc("lz4", 5, ByteShuffle, 0), bloscHeader(size, size, huge, 0x21)},
		{NewBlosc("zstd", 5, BitShuffle, 0), bloscZstd},
		{NewZlib(1), []byte{0x78, 0x01, 0x01, 0xff, 0xff, 0x00, 0x00}},
		{NewGzip(1), []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0x01, 0xff, 0xff, 0x00, 0x00}},
	}
	dst := make([]byte, size)
	const limit = 96 << 10 // what a decoder's state may take (a flate reader's is 41 KiB)
	for i, c := range cases {
		var err error
		n := allocatedBytes(func() { _, err = c.codec.Decode(dst, c.src, size) })
		t.Logf("case %d, %s: %d bytes a call, %d the first: %v", i, c.codec.ID(), n, firstCall, err)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("case %d, %s: %v, want ErrCorrupt", i, c.codec.ID(), err)
		}
		if n > limit || firstCall > limit {
			t.Errorf("case %d, %s: Decode allocated %d bytes a call, %d the first, over %d", i, c.codec.ID(), n, firstCall, limit)
		}
	}
}
