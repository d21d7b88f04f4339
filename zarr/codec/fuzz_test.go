package codec

import (
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
