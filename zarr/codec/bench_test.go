package codec

import "testing"

// benchmarkBlosc encodes or decodes an 8 MiB chunk of float64 with
// zarr-python's default compressor.
func benchmarkBlosc(b *testing.B, decode bool) {
	data := testData("smooth", 8<<20)
	c := NewBlosc("lz4", 5, ByteShuffle, 0)
	encoded, err := c.Encode(nil, data, 8)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]byte, 0, len(encoded)+len(data))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if decode {
			out, err = c.Decode(out, encoded, len(data))
		} else {
			out, err = c.Encode(out[:0], data, 8)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBloscLZ4Encode(b *testing.B) { benchmarkBlosc(b, false) }
func BenchmarkBloscLZ4Decode(b *testing.B) { benchmarkBlosc(b, true) }
