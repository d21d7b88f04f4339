package codec

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
)

// testData is size bytes of the given kind, the same on every run:
// "smooth" (float64 values of a slow curve: compressible, and more so once
// shuffled), "walk" (float64 values of a random walk: once shuffled, the
// planes of the high bytes compress and those of the low bytes do not),
// "random" (incompressible), "periodic" (a random stretch of
// 10007 bytes repeated: long-distance matches), "zeros", or "small"
// (integers below 16 in every element width: highly compressible).
func testData(kind string, size int) []byte {
	data := make([]byte, size)
	rng := rand.New(rand.NewPCG(uint64(size), uint64(len(kind))))
	switch kind {
	case "smooth":
		var word [8]byte
		for i := 0; i < size; i += 8 {
			binary.LittleEndian.PutUint64(word[:], math.Float64bits(math.Sin(float64(i)/800)*1000))
			copy(data[i:], word[:])
		}
	case "walk":
		var word [8]byte
		x := 0.0
		for i := 0; i < size; i += 8 {
			x += rng.NormFloat64()
			binary.LittleEndian.PutUint64(word[:], math.Float64bits(x))
			copy(data[i:], word[:])
		}
	case "random":
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
	case "small":
		for i := range data {
			if i%4 == 0 {
				data[i] = byte(rng.IntN(16))
			}
		}
	case "periodic":
		// A random stretch repeated: matches at long distances.
		period := 10007
		for i := range data {
			if i < period {
				data[i] = byte(rng.Uint32())
			} else {
				data[i] = data[i-period]
			}
		}
	case "zeros":
	default:
		panic("unknown test data kind " + kind)
	}
	return data
}

// interopCase is one chunk checked against numcodecs both ways.
type interopCase struct {
	name     string
	config   map[string]any // what numcodecs.get_codec takes
	codec    Codec          // this package's codec for config
	itemSize int
	data     []byte
	// pythonEncodes: numcodecs encodes data too (it cannot when len(data)
	// is not a multiple of itemSize: it encodes NumPy arrays).
	pythonEncodes bool
	// pythonDecodes: numcodecs decodes ours (it cannot decode an empty
	// zstd, lz4 or blosc chunk).
	pythonDecodes bool
	// decodeOnly: this package does not encode with the codec (blosclz),
	// only decodes numcodecs' encoding.
	decodeOnly bool
}

// checkInterop encodes each case with this package and with numcodecs (one
// Python process for all), then checks that numcodecs decodes ours and this
// package decodes numcodecs' to the original bytes. It returns numcodecs'
// encodings, nil where it did not encode.
func checkInterop(t testing.TB, cases []interopCase) [][]byte {
	t.Helper()
	numpytest.RequireModule(t, "numcodecs")
	dir := t.TempDir()
	type pythonCase struct {
		Config   map[string]any `json:"config"`
		ItemSize int            `json:"itemsize"`
		Data     string         `json:"data"`
		Ours     string         `json:"ours"`
		Theirs   string         `json:"theirs"` // "" when Python does not encode
		Back     string         `json:"back"`   // "" when Python does not decode
	}
	in := make([]pythonCase, len(cases))
	for i, c := range cases {
		var ours []byte
		if !c.decodeOnly {
			var err error
			if ours, err = c.codec.Encode(nil, c.data, c.itemSize); err != nil {
				t.Fatalf("%s: Encode: %v", c.name, err)
			}
			// Our own round trip, with a dst too small to reuse.
			if back, err := c.codec.Decode(make([]byte, 0, 1), ours, len(c.data)); err != nil || string(back) != string(c.data) {
				t.Errorf("%s: our Decode of our Encode: %v, equal %v", c.name, err, string(back) == string(c.data))
			}
		}
		base := filepath.Join(dir, strconv.Itoa(i))
		p := pythonCase{Config: c.config, ItemSize: c.itemSize, Data: base + ".data", Ours: base + ".ours"}
		if c.pythonEncodes {
			p.Theirs = base + ".theirs"
		}
		if c.pythonDecodes && !c.decodeOnly {
			p.Back = base + ".back"
		}
		in[i] = p
		for path, content := range map[string][]byte{p.Data: c.data, p.Ours: ours} {
			if err := os.WriteFile(path, content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var failures []string
	numpytest.RunJSON(t, `
import numcodecs
from numcodecs.compat import ensure_bytes
dtypes = {1: "u1", 2: "<u2", 4: "<u4", 8: "<u8", 16: "<c16"}
failures = []
for i, c in enumerate(json.load(sys.stdin)):
    try:
        codec = numcodecs.get_codec(dict(c["config"]))
        data = open(c["data"], "rb").read()
        if c["theirs"]:
            arr = np.frombuffer(data, dtype=dtypes.get(c["itemsize"], "u1"))
            open(c["theirs"], "wb").write(ensure_bytes(codec.encode(arr)))
        if c["back"]:
            back = codec.decode(open(c["ours"], "rb").read())
            open(c["back"], "wb").write(ensure_bytes(back))
    except Exception as e:
        failures.append("case %d %r: %r" % (i, c["config"], e))
json.dump(failures, sys.stdout)
`, in, &failures)
	for _, f := range failures {
		t.Errorf("numcodecs: %s", f)
	}
	theirs := make([][]byte, len(cases))
	for i, c := range cases {
		if p := in[i]; p.Back != "" {
			back, err := os.ReadFile(p.Back)
			if err == nil && string(back) != string(c.data) {
				err = fmt.Errorf("%d bytes, want %d, equal %v", len(back), len(c.data), string(back) == string(c.data))
			}
			if err != nil {
				t.Errorf("%s: numcodecs decoding ours: %v", c.name, err)
			}
		}
		if p := in[i]; p.Theirs != "" {
			encoded, err := os.ReadFile(p.Theirs)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			theirs[i] = encoded
			// Decode into a dst large enough to be reused.
			got, err := c.codec.Decode(make([]byte, len(c.data)+3), encoded, len(c.data))
			if err != nil || string(got) != string(c.data) {
				t.Errorf("%s: our Decode of numcodecs' encoding: %v, equal %v", c.name, err, string(got) == string(c.data))
			}
		}
	}
	return theirs
}

// runDefaults runs a script that prints numcodecs' default configurations.
func runDefaults(t testing.TB, script string, out any) {
	t.Helper()
	numpytest.RequireModule(t, "numcodecs")
	numpytest.RunJSON(t, script, nil, out)
}
