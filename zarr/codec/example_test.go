package codec_test

import (
	"bytes"
	"fmt"

	"github.com/go-memmap/memmap/zarr/codec"
)

func Example() {
	// A chunk's codec, from the "compressor" of its array's .zarray.
	c, err := codec.FromConfig(map[string]any{"id": "zlib", "level": 1.0})
	if err != nil {
		panic(err)
	}
	chunk := bytes.Repeat([]byte("zarr"), 1000)
	stored, err := c.Encode(nil, chunk, 1)
	if err != nil {
		panic(err)
	}
	back, err := c.Decode(nil, stored, len(chunk))
	fmt.Println(c.Config(), len(stored) < len(chunk), bytes.Equal(back, chunk), err)
	// Output: map[id:zlib level:1] true true <nil>
}
