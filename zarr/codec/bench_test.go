package codec

import (
	"encoding/binary"
	"math"
	"testing"
)

// benchmarkBlosc encodes or decodes an 8 MiB chunk of float64 (typesize 8)
// or float32 (typesize 4) values of a slow curve with zarr-python's
// default compressor.
func benchmarkBlosc(b *testing.B, typesize int, decode bool) {
	data := testData("smooth", 8<<20)
	if typesize == 4 {
		for i := 0; i < len(data); i += 4 {
			binary.LittleEndian.PutUint32(data[i:], math.Float32bits(float32(math.Sin(float64(i)/400)*1000)))
		}
	}
	c := NewBlosc("lz4", 5, ByteShuffle, 0)
	encoded, err := c.Encode(nil, data, typesize)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]byte, 0, len(encoded)+len(data))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if decode {
			out, err = c.Decode(out, encoded, len(data))
		} else {
			out, err = c.Encode(out[:0], data, typesize)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBloscLZ4Encode(b *testing.B)  { benchmarkBlosc(b, 8, false) }
func BenchmarkBloscLZ4Decode(b *testing.B)  { benchmarkBlosc(b, 8, true) }
func BenchmarkBloscLZ4Encode4(b *testing.B) { benchmarkBlosc(b, 4, false) }
func BenchmarkBloscLZ4Decode4(b *testing.B) { benchmarkBlosc(b, 4, true) }

// BenchmarkByteShuffle8 shuffles a block of 1 MiB of 8-byte items, the
// size c-blosc's blocks reach, from and into the cache.
func BenchmarkByteShuffle8(b *testing.B) {
	src := testData("walk", 1<<20)
	dst := make([]byte, len(src))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		byteShuffle(dst, src, 8)
	}
}

// BenchmarkByteUnshuffle8 undoes BenchmarkByteShuffle8's shuffle.
func BenchmarkByteUnshuffle8(b *testing.B) {
	src := testData("walk", 1<<20)
	dst := make([]byte, len(src))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		byteUnshuffle(dst, src, 8)
	}
}
