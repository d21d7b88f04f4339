package codec

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
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

// TestGzipDecodeReadsMembersAsPythonDoes gives numcodecs and this package
// the same streams of gzip members, with zero bytes between and after them
// (padding, which Python's gzip skips) and other bytes after them: each
// must decode what numcodecs decodes, and refuse what it refuses.
func TestGzipDecodeReadsMembersAsPythonDoes(t *testing.T) {
	t.Parallel()
	data := testData("smooth", 3000)
	member := numpytest.Must(NewGzip(1).Encode(nil, data[:1000], 1))
	rest := numpytest.Must(NewGzip(9).Encode(nil, data[1000:], 1))
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	zeros := make([]byte, 9)
	streams := map[string][]byte{
		"one member":              member,
		"padded":                  join(member, zeros),
		"two members":             join(member, rest),
		"two members, padded":     join(member, zeros, rest, zeros[:1]),
		"garbage after":           join(member, []byte("xyz")),
		"garbage after padding":   join(member, zeros, []byte{1}),
		"padding, then truncated": join(member, zeros, rest[:10]),
		"padding only":            zeros,
	}
	in := map[string]string{}
	for name, stream := range streams {
		in[name] = hex.EncodeToString(stream)
	}
	var decoded map[string]*string // hex of numcodecs' decoding, nil when it fails
	numpytest.RequireModule(t, "numcodecs")
	numpytest.RunJSON(t, `
import numcodecs
out = {}
for name, stream in json.load(sys.stdin).items():
    try:
        out[name] = bytes(numcodecs.GZip().decode(bytes.fromhex(stream))).hex()
    except Exception:
        out[name] = None
print(json.dumps(out))
`, in, &decoded)
	for name, stream := range streams {
		want := decoded[name]
		size := len(data)
		if want != nil {
			size = len(*want) / 2
		}
		got, err := NewGzip(1).Decode(nil, stream, size)
		switch {
		case want == nil && err == nil:
			t.Errorf("%s: Decode gave %d bytes, numcodecs refuses it", name, len(got))
		case want == nil && !errors.Is(err, ErrCorrupt):
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		case want != nil && err != nil:
			t.Errorf("%s: %v, numcodecs decodes it", name, err)
		case want != nil && hex.EncodeToString(got) != *want:
			t.Errorf("%s: Decode gave other bytes than numcodecs", name)
		}
	}
}
