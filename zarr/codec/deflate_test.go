package codec

import (
	"fmt"
	"testing"
)

func TestDeflateCodecsInteroperateWithNumcodecs(t *testing.T) {
	t.Parallel()
	var cases []interopCase
	for _, id := range []string{"zlib", "gzip"} {
		for _, level := range []int{-1, 0, 1, 5, 9} {
			for _, size := range []int{0, 1, 7, 4096, 100003} {
				for _, kind := range []string{"smooth", "random"} {
					config := map[string]any{"id": id, "level": level}
					codec, err := FromConfig(config)
					if err != nil {
						t.Fatal(err)
					}
					cases = append(cases, interopCase{
						name:   fmt.Sprintf("%s level %d, %d bytes %s", id, level, size, kind),
						config: config, codec: codec, itemSize: 1, data: testData(kind, size),
						pythonEncodes: true, pythonDecodes: true,
					})
				}
			}
		}
	}
	checkInterop(t, cases)
}

func TestZstdAndLZ4InteroperateWithNumcodecs(t *testing.T) {
	t.Parallel()
	var cases []interopCase
	for _, config := range []map[string]any{
		{"id": "zstd", "level": 1}, {"id": "zstd", "level": 0}, {"id": "zstd", "level": 3},
		{"id": "zstd", "level": 9}, {"id": "zstd", "level": 22},
		{"id": "lz4", "acceleration": 1}, {"id": "lz4", "acceleration": 0}, {"id": "lz4", "acceleration": 10},
	} {
		codec, err := FromConfig(config)
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{0, 1, 7, 255, 256, 4096, 70000, 300001} {
			for _, kind := range []string{"smooth", "random", "zeros"} {
				cases = append(cases, interopCase{
					name:   fmt.Sprintf("%v, %d bytes %s", config, size, kind),
					config: config, codec: codec, itemSize: 1, data: testData(kind, size),
					pythonEncodes: true, pythonDecodes: size > 0,
				})
			}
		}
	}
	theirs := checkInterop(t, cases)
	// LZ4's encoder is the reference one: the bytes are numcodecs' own.
	for i, c := range cases {
		if c.codec.ID() == "lz4" {
			ours, _ := c.codec.Encode(nil, c.data, 1)
			if string(ours) != string(theirs[i]) {
				t.Errorf("%s: our encoding (%d bytes) differs from numcodecs' (%d bytes)", c.name, len(ours), len(theirs[i]))
			}
		}
	}
}
