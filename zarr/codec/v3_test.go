package codec

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/go-memmap/memmap"
)

func TestV3ConfigRoundTripsThroughFromV3(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		config map[string]any
	}{
		{"gzip", map[string]any{"level": 6.0}},
		{"zstd", map[string]any{"level": 9.0, "checksum": true}},
		{"zstd", map[string]any{"level": 1.0, "checksum": false}},
		{"blosc", map[string]any{"cname": "zstd", "clevel": 3.0, "shuffle": "bitshuffle", "typesize": 4.0, "blocksize": 0.0}},
		{"blosc", map[string]any{"cname": "lz4", "clevel": 5.0, "shuffle": "noshuffle", "blocksize": 8192.0}},
		{"crc32c", nil},
	} {
		c, err := FromV3(tc.name, tc.config)
		if err != nil {
			t.Errorf("FromV3(%s, %v): %v", tc.name, tc.config, err)
			continue
		}
		name, config, err := V3Config(c)
		if err != nil || name != tc.name {
			t.Errorf("V3Config(FromV3(%s, %v)) = %s, %v", tc.name, tc.config, name, err)
		}
		var want map[string]any
		if tc.config != nil {
			want = map[string]any{}
			for k, v := range tc.config {
				if f, ok := v.(float64); ok {
					v = int(f)
				}
				want[k] = v
			}
		}
		if !reflect.DeepEqual(config, want) {
			t.Errorf("V3Config(FromV3(%s, %v)) configuration %v", tc.name, tc.config, config)
		}
	}
}

func TestFromV3AndV3ConfigRefuseWhatTheyDoNotKnow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		config map[string]any
	}{
		{"zlib", map[string]any{"level": 1.0}},
		{"bytes", map[string]any{"endian": "little"}},
		{"gzip", map[string]any{"level": 12.0}},
		{"zstd", map[string]any{"level": 3.0, "checksum": "yes"}},
		{"blosc", map[string]any{"cname": "lz4", "shuffle": 1.0}},
		{"blosc", map[string]any{"cname": "lz4", "shuffle": "byteshuffle"}},
		{"blosc", map[string]any{"cname": "lz4", "typesize": 256.0}},
		{"blosc", map[string]any{"cname": "snappy"}},
		{"crc32c", map[string]any{"seed": 1.0}},
	} {
		if c, err := FromV3(tc.name, tc.config); !errors.Is(err, memmap.ErrUnsupported) {
			t.Errorf("FromV3(%s, %v) = %v, %v; want memmap.ErrUnsupported", tc.name, tc.config, c, err)
		}
	}
	for _, c := range []Codec{NewZlib(1), NewLZ4(1), NewBlosc("lz4", 5, AutoShuffle, 0)} {
		if _, _, err := V3Config(c); !errors.Is(err, memmap.ErrUnsupported) {
			t.Errorf("V3Config(%v): %v, want memmap.ErrUnsupported", c.Config(), err)
		}
	}
}

func TestCRC32CAppendsTheCastagnoliChecksum(t *testing.T) {
	t.Parallel()
	c := NewCRC32C()
	// The check value of CRC-32C (the CRC catalogue's, and RFC 3720's
	// iSCSI), stored little-endian.
	encoded, err := c.Encode([]byte("x"), []byte("123456789"), 1)
	if want := "x123456789\x83\x92\x06\xe3"; err != nil || string(encoded) != want {
		t.Errorf("Encode = %q, %v; want %q", encoded, err, want)
	}
	data := testData("random", 1000)
	encoded, _ = c.Encode(nil, data, 1)
	if got, err := c.Decode(nil, encoded, len(data)); err != nil || string(got) != string(data) {
		t.Errorf("Decode of Encode: %v", err)
	}
	for i := range encoded {
		if _, err := c.Decode(nil, flipByte(encoded, i), len(data)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Decode with byte %d flipped: %v, want ErrCorrupt", i, err)
		}
	}
	if _, err := c.Decode(nil, encoded, len(data)-1); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Decode into one byte less: %v, want ErrCorrupt", err)
	}
}

func TestV3CodecsInteroperateWithNumcodecs(t *testing.T) {
	t.Parallel()
	// v3's blosc takes its typesize from the configuration, v3's zstd may
	// end its frames with a checksum; numcodecs' v2 codecs read both, and
	// its encodings at the same settings decode with the v3 codecs.
	var cases []interopCase
	for _, tc := range []struct {
		name        string
		config      map[string]any
		v2          map[string]any
		itemSize    int // given to Encode
		pythonTyped int // numcodecs' array's item size
	}{
		{"blosc", map[string]any{"cname": "lz4", "clevel": 5.0, "shuffle": "bitshuffle", "typesize": 8.0},
			map[string]any{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 2}, 1, 8},
		{"blosc", map[string]any{"cname": "zstd", "clevel": 5.0, "shuffle": "shuffle", "typesize": 4.0},
			map[string]any{"id": "blosc", "cname": "zstd", "clevel": 5, "shuffle": 1}, 1, 4},
		{"zstd", map[string]any{"level": 3.0, "checksum": true}, map[string]any{"id": "zstd", "level": 3}, 1, 1},
		{"gzip", map[string]any{"level": 5.0}, map[string]any{"id": "gzip", "level": 5}, 1, 1},
	} {
		codec, err := FromV3(tc.name, tc.config)
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{8, 4096, 200000} {
			data := testData("smooth", size)
			cases = append(cases, interopCase{
				name:   fmt.Sprintf("v3 %s %v, %d bytes", tc.name, tc.config, size),
				config: tc.v2, codec: codec, itemSize: tc.pythonTyped, data: data,
				pythonEncodes: true, pythonDecodes: true,
			})
		}
	}
	theirs := checkInterop(t, cases)
	for i, c := range cases {
		if c.config["id"] == "zstd" {
			ours, _ := c.codec.Encode(nil, c.data, 1)
			if ours[4]&0x04 == 0 { // the frame header's checksum flag
				t.Errorf("%s: the frame has no checksum", c.name)
			}
		}
		if c.config["cname"] != "lz4" {
			continue
		}
		// The typesize from the configuration, not from Encode's
		// itemSize, makes numcodecs' bytes.
		ours, _ := c.codec.Encode(nil, c.data, 1)
		if !sameBloscChunk(ours, theirs[i], len(c.data)) {
			t.Errorf("%s: our encoding (header % x) differs from numcodecs' (header % x)", c.name, ours[:16], theirs[i][:16])
		}
	}
}
