package codec

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/go-memmap/memmap"
)

// allCodecs is every codec Parse names, and the v3 ones, for the tests
// that every codec must pass.
func allCodecs(t testing.TB) []Codec {
	var codecs []Codec
	for _, name := range parseNames {
		c, err := Parse(name)
		if err != nil {
			t.Fatalf("Parse(%q): %v", name, err)
		}
		if c != nil {
			codecs = append(codecs, c)
		}
	}
	checksummedZstd, err := FromV3("zstd", map[string]any{"level": 3.0, "checksum": true})
	if err != nil {
		t.Fatal(err)
	}
	return append(codecs, NewCRC32C(), checksummedZstd)
}

func TestConfigRoundTripsThroughFromConfig(t *testing.T) {
	t.Parallel()
	for _, c := range allCodecs(t) {
		if c.ID() == "crc32c" {
			continue // v3 only: V3Config's test
		}
		config := c.Config()
		if config["id"] != c.ID() {
			t.Errorf("%s: Config()[\"id\"] = %v", c.ID(), config["id"])
		}
		// As encoding/json gives it: numbers as float64.
		asJSON := map[string]any{}
		for k, v := range config {
			if n, ok := v.(int); ok {
				v = float64(n)
			}
			asJSON[k] = v
		}
		again, err := FromConfig(asJSON)
		if err != nil {
			t.Errorf("%s: FromConfig(%v): %v", c.ID(), asJSON, err)
			continue
		}
		if !reflect.DeepEqual(again.Config(), config) {
			t.Errorf("%s: FromConfig(Config()).Config() = %v, want %v", c.ID(), again.Config(), config)
		}
	}
}

func TestFromConfigAndParseRefuseWhatTheyDoNotKnow(t *testing.T) {
	t.Parallel()
	for _, config := range []map[string]any{
		{"id": "bz2", "level": 1.0},
		{"level": 1.0},
		{"id": 3.0},
		{"id": "zlib", "level": 10.0},
		{"id": "zlib", "level": 1.5},
		{"id": "zlib", "level": "1"},
		{"id": "gzip", "level": -2.0},
		{"id": "zlib", "level": 1.0, "wbits": 15.0},
		{"id": "blosc", "cname": "snappy"},
		{"id": "blosc", "cname": "lz4", "clevel": 10.0},
		{"id": "blosc", "shuffle": 3.0},
		{"id": "blosc", "blocksize": -1.0},
		{"id": "blosc", "typesize": 8.0},
	} {
		if c, err := FromConfig(config); !errors.Is(err, memmap.ErrUnsupported) {
			t.Errorf("FromConfig(%v) = %v, %v; want memmap.ErrUnsupported", config, c, err)
		}
	}
	for _, name := range []string{"", "blosc", "Zlib", "bz2", "blosc-snappy"} {
		if c, err := Parse(name); !errors.Is(err, memmap.ErrUnsupported) {
			t.Errorf("Parse(%q) = %v, %v; want memmap.ErrUnsupported", name, c, err)
		}
	}
	if c, err := FromConfig(nil); c != nil || err != nil {
		t.Errorf("FromConfig(nil) = %v, %v; want nil, nil", c, err)
	}
	if c, err := Parse("none"); c != nil || err != nil {
		t.Errorf("Parse(none) = %v, %v; want nil, nil", c, err)
	}
}

func TestDefaultsAreNumcodecs(t *testing.T) {
	t.Parallel()
	numcodecsDefaults := map[string]any{}
	checkDefaults := `
import numcodecs
json.dump({c.codec_id: c.get_config() for c in [numcodecs.Zlib(), numcodecs.GZip(), numcodecs.Zstd(), numcodecs.LZ4(), numcodecs.Blosc()]}, sys.stdout)
`
	runDefaults(t, checkDefaults, &numcodecsDefaults)
	parseName := map[string]string{"blosc": "blosc-lz4"} // else the id
	for id, want := range numcodecsDefaults {
		name := id
		if n, ok := parseName[id]; ok {
			name = n
		}
		c, err := Parse(name)
		if err != nil {
			t.Errorf("Parse(%q): %v", name, err)
			continue
		}
		if got := fmt.Sprint(c.Config()); got != fmt.Sprint(want) {
			t.Errorf("Parse(%q).Config() = %s, numcodecs' default is %s", name, got, want)
		}
	}
	if len(numcodecsDefaults) != 5 {
		t.Errorf("numcodecs gave %d defaults, want 5", len(numcodecsDefaults))
	}
}

func TestDecodeRefusesDamage(t *testing.T) {
	t.Parallel()
	data := testData("smooth", 5000)
	for _, c := range allCodecs(t) {
		encoded, err := c.Encode(nil, data, 8)
		if err != nil {
			t.Fatalf("%s: %v", c.ID(), err)
		}
		damaged := map[string][]byte{
			"empty":         nil,
			"truncated":     encoded[:len(encoded)/2],
			"one byte less": encoded[:len(encoded)-1],
			"flipped":       flipByte(encoded, len(encoded)/2),
			"flipped last":  flipByte(encoded, len(encoded)-1),
			"flipped first": flipByte(encoded, 0),
		}
		for what, src := range damaged {
			if got, err := c.Decode(nil, src, len(data)); err == nil {
				// Without a checksum, a flipped byte among literals
				// decodes to other bytes of the right size.
				checksummed := c.ID() == "zlib" || c.ID() == "gzip" || c.ID() == "crc32c"
				if len(got) != len(data) || (checksummed && string(got) != string(data)) {
					t.Errorf("%s, %s: Decode gave wrong bytes without an error", c.ID(), what)
				}
			} else if !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s, %s: %v, want ErrCorrupt", c.ID(), what, err)
			}
		}
		for _, size := range []int{0, len(data) - 1, len(data) + 1, 2 * len(data)} {
			if _, err := c.Decode(nil, encoded, size); !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s: Decode into %d bytes of an encoding of %d: %v, want ErrCorrupt", c.ID(), size, len(data), err)
			}
		}
	}
}

func flipByte(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x5a
	return c
}

func TestDecodeReusesDstAndEncodeAppends(t *testing.T) {
	t.Parallel()
	data := testData("smooth", 3000)
	for _, c := range allCodecs(t) {
		prefix := []byte("prefix")
		encoded, err := c.Encode(prefix, data, 8)
		if err != nil || !strings.HasPrefix(string(encoded), "prefix") {
			t.Fatalf("%s: Encode did not append to dst: %v", c.ID(), err)
		}
		dst := make([]byte, 10, len(data)+10)
		got, err := c.Decode(dst, encoded[len(prefix):], len(data))
		if err != nil || string(got) != string(data) {
			t.Fatalf("%s: Decode: %v", c.ID(), err)
		}
		if &got[0] != &dst[:1][0] {
			t.Errorf("%s: Decode did not reuse a dst of enough capacity", c.ID())
		}
	}
}

func TestMisusePanics(t *testing.T) {
	t.Parallel()
	mustPanic := func(what string, f func()) {
		t.Helper()
		defer func() {
			if _, ok := recover().(*memmap.Misuse); !ok {
				t.Errorf("%s did not panic with a *memmap.Misuse", what)
			}
		}()
		f()
	}
	mustPanic("NewZlib(10)", func() { NewZlib(10) })
	mustPanic("NewGzip(-2)", func() { NewGzip(-2) })
	mustPanic("NewBlosc(snappy)", func() { NewBlosc("snappy", 5, ByteShuffle, 0) })
	mustPanic("NewBlosc(clevel -1)", func() { NewBlosc("lz4", -1, ByteShuffle, 0) })
	mustPanic("NewBlosc(shuffle 3)", func() { NewBlosc("lz4", 5, 3, 0) })
	mustPanic("NewBlosc(blocksize -1)", func() { NewBlosc("lz4", 5, NoShuffle, -1) })
	for _, c := range allCodecs(t) {
		mustPanic(c.ID()+" Decode with size -1", func() { c.Decode(nil, nil, -1) })
	}
}

func TestCodecsAreSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	for _, c := range allCodecs(t) {
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				data := testData("smooth", 20000+1000*g)
				for range 5 {
					encoded, err := c.Encode(nil, data, 8)
					if err != nil {
						t.Errorf("%s: Encode: %v", c.ID(), err)
						return
					}
					got, err := c.Decode(nil, encoded, len(data))
					if err != nil || string(got) != string(data) {
						t.Errorf("%s: Decode of Encode: %v", c.ID(), err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
}

// TestFromConfigTakesLaterNumcodecsZstd reads the zstd object numcodecs
// 0.13 and later write, with its "checksum" setting: a store they wrote
// must open. The frames then end with a checksum; Config leaves the
// setting out, as numcodecs 0.11 refuses it.
func TestFromConfigTakesLaterNumcodecsZstd(t *testing.T) {
	t.Parallel()
	data := testData("smooth", 1000)
	for _, checksum := range []bool{false, true} {
		c, err := FromConfig(map[string]any{"id": "zstd", "level": 1.0, "checksum": checksum})
		if err != nil {
			t.Fatalf("checksum %v: %v", checksum, err)
		}
		encoded, err := c.Encode(nil, data, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := encoded[4]&0x04 != 0; got != checksum { // the frame header's checksum flag
			t.Errorf("checksum %v: the frame's checksum flag is %v", checksum, got)
		}
		if got, err := c.Decode(nil, encoded, len(data)); err != nil || string(got) != string(data) {
			t.Errorf("checksum %v: Decode: %v", checksum, err)
		}
		if config := c.Config(); !reflect.DeepEqual(config, map[string]any{"id": "zstd", "level": 1}) {
			t.Errorf("checksum %v: Config() = %v", checksum, config)
		}
	}
	if _, err := FromConfig(map[string]any{"id": "zstd", "checksum": "yes"}); !errors.Is(err, memmap.ErrUnsupported) {
		t.Errorf("FromConfig of a string checksum: %v, want memmap.ErrUnsupported", err)
	}
}
