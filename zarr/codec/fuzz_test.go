package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
)

// fuzzConfigs are the codecs FuzzDecode decodes with, picked by its first
// argument.
var fuzzConfigs = []map[string]any{
	{"id": "zlib", "level": 1},
	{"id": "gzip", "level": 1},
	{"id": "zstd", "level": 1},
	{"id": "lz4", "acceleration": 1},
	{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 256},
	{"id": "blosc", "cname": "zstd", "clevel": 5, "shuffle": 2, "blocksize": 0},
	{"id": "blosc", "cname": "zlib", "clevel": 5, "shuffle": 0, "blocksize": 0},
	{"id": "blosc", "cname": "blosclz", "clevel": 5, "shuffle": 1, "blocksize": 0},
}

// FuzzDecode feeds every decoder arbitrary bytes: it must return an error
// wrapping ErrCorrupt or exactly size bytes, and never panic. The seeds are
// numcodecs' encodings of several kinds and sizes of data (where numcodecs
// cannot encode, ours), with the sizes right and wrong.
func FuzzDecode(f *testing.F) {
	var cases []interopCase
	for _, config := range fuzzConfigs {
		codec, err := FromConfig(config)
		if err != nil {
			f.Fatal(err)
		}
		for _, size := range []int{1, 24, 1000} {
			for _, itemSize := range []int{1, 2, 8} {
				cases = append(cases, interopCase{
					name: fmt.Sprint(config, size, itemSize), config: config, codec: codec,
					itemSize: itemSize, data: testData("smooth", size), pythonEncodes: size%itemSize == 0,
					decodeOnly: config["cname"] == "blosclz",
				})
			}
		}
	}
	seeds := checkInterop(f, cases)
	for i, c := range cases {
		if seeds[i] == nil && !c.decodeOnly {
			seeds[i] = numpytest.Must(c.codec.Encode(nil, c.data, c.itemSize))
		}
		if seeds[i] == nil {
			continue
		}
		which := uint8(i / (len(cases) / len(fuzzConfigs)))
		f.Add(which, uint32(len(c.data)), seeds[i])
		f.Add(which, uint32(len(c.data)+1), seeds[i])
	}
	codecs := make([]Codec, len(fuzzConfigs))
	for i, config := range fuzzConfigs {
		codecs[i] = numpytest.Must(FromConfig(config))
	}
	f.Fuzz(func(t *testing.T, which uint8, size uint32, src []byte) {
		c := codecs[int(which)%len(codecs)]
		n := int(size % (1 << 20))
		got, err := c.Decode(nil, src, n)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s: error %v does not wrap ErrCorrupt", c.ID(), err)
			}
			return
		}
		if len(got) != n {
			t.Fatalf("%s: Decode gave %d bytes without an error, want %d", c.ID(), len(got), n)
		}
	})
}

// FuzzBloscRoundTrip encodes arbitrary bytes with arbitrary Blosc settings
// and item sizes (the edges numcodecs' arrays cannot reach: item sizes
// over 16 and up to 300, chunks not a whole number of items) and checks
// that they decode to themselves.
func FuzzBloscRoundTrip(f *testing.F) {
	f.Add(testData("smooth", 1000), uint16(8), uint8(1), uint8(5), uint16(0), uint8(0))
	f.Add(testData("periodic", 20000), uint16(3), uint8(2), uint8(9), uint16(300), uint8(1))
	f.Add(testData("small", 5000), uint16(200), uint8(1), uint8(1), uint16(0), uint8(2))
	f.Add(testData("random", 129), uint16(1), uint8(0), uint8(3), uint16(0), uint8(3))
	cnames := []string{"lz4", "zstd", "zlib", "lz4hc"}
	f.Fuzz(func(t *testing.T, data []byte, itemSize uint16, shuffle, clevel uint8, blocksize uint16, cname uint8) {
		c := NewBlosc(cnames[int(cname)%len(cnames)], int(clevel%10), Shuffle(int(shuffle%4)-1), int(blocksize))
		encoded, err := c.Encode(nil, data, int(itemSize%301))
		if err != nil {
			t.Fatalf("%v: Encode: %v", c.Config(), err)
		}
		got, err := c.Decode(nil, encoded, len(data))
		if err != nil || string(got) != string(data) {
			t.Fatalf("%v, item size %d: Decode of Encode: %v", c.Config(), itemSize%301, err)
		}
	})
}

// FuzzBloscDecode decodes arbitrary Blosc chunks into the size their header
// states (up to 128 KiB), so that mutations get past the header's checks to
// the block table, the splits, the inner decoders and the unshuffles:
// Decode must return an error wrapping ErrCorrupt or that many bytes, and
// never panic. The seeds are chunks of every inner encoder, shuffle, item
// size (split and not) and block size, with a last partial block.
func FuzzBloscDecode(f *testing.F) {
	data := testData("small", 9000)
	for _, cname := range []string{"lz4", "zstd", "zlib", "lz4hc"} {
		for _, shuffle := range []Shuffle{NoShuffle, ByteShuffle, BitShuffle} {
			for _, itemSize := range []int{1, 2, 3, 8, 16, 17} {
				for _, blocksize := range []int{0, 128, 1000} {
					for _, size := range []int{200, 3001, 9000} {
						f.Add(numpytest.Must(NewBlosc(cname, 5, shuffle, blocksize).Encode(nil, data[:size], itemSize)))
					}
				}
			}
		}
	}
	c := NewBlosc("lz4", 5, ByteShuffle, 0)
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) < bloscHeaderSize {
			return
		}
		size := int(binary.LittleEndian.Uint32(src[4:]))
		if size > 1<<17 {
			return
		}
		got, err := c.Decode(nil, src, size)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		if len(got) != size {
			t.Fatalf("Decode gave %d bytes without an error, want %d", len(got), size)
		}
	})
}
