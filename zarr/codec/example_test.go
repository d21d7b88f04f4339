package codec_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"github.com/go-memmap/memmap/zarr/codec"
)

func Example() {
	// A chunk's codec, from the "compressor" of its array's .zarray (here
	// zarr-python's default).
	var compressor map[string]any
	err := json.Unmarshal([]byte(`{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}`), &compressor)
	if err != nil {
		panic(err)
	}
	c, err := codec.FromConfig(compressor)
	if err != nil {
		panic(err)
	}
	// A chunk of 1000 float64.
	chunk := make([]byte, 8*1000)
	for i := range 1000 {
		binary.LittleEndian.PutUint64(chunk[8*i:], math.Float64bits(float64(i)/4))
	}
	stored, err := c.Encode(nil, chunk, 8)
	if err != nil {
		panic(err)
	}
	back, err := c.Decode(nil, stored, len(chunk))
	fmt.Println(c.Config())
	fmt.Println(len(stored) < len(chunk)/4, bytes.Equal(back, chunk), err)
	// Output:
	// map[blocksize:0 clevel:5 cname:lz4 id:blosc shuffle:1]
	// true true <nil>
}

func ExampleParse() {
	for _, name := range []string{"none", "zstd", "blosc-zlib"} {
		c, err := codec.Parse(name)
		if c == nil {
			fmt.Println(name, "is no codec", err)
			continue
		}
		fmt.Println(name, c.Config(), err)
	}
	// Output:
	// none is no codec <nil>
	// zstd map[id:zstd level:1] <nil>
	// blosc-zlib map[blocksize:0 clevel:5 cname:zlib id:blosc shuffle:1] <nil>
}
