package text

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// formatCase is one value formatted with one format, in the form the
// Python side rebuilds it: the NumPy scalar type, and the value's exact
// text (a float's bits in hex, an integer in decimal, a string as is).
type formatCase struct {
	Fmt  string `json:"fmt"`
	Type string `json:"type"` // float64 float32 float16 complex128 complex64 int64 uint64 bool_ str_ bytes_
	V    string `json:"v"`
}

// numpyFormat formats each case as fmt % (scalar,) and prints the text, or
// "!" and the exception's class.
const numpyFormat = `
import struct
cases = json.load(sys.stdin)
out = []
for c in cases:
    t, v = c["type"], c["v"]
    if t == "float64":
        x = np.float64(struct.unpack(">d", bytes.fromhex(v))[0])
    elif t == "float32":
        x = np.frombuffer(bytes.fromhex(v), ">f4")[0]
    elif t == "float16":
        x = np.frombuffer(bytes.fromhex(v), ">f2")[0]
    elif t.startswith("complex"):
        x = getattr(np, t)(complex(*struct.unpack(">dd", bytes.fromhex(v))))
    elif t == "bool_":
        x = np.bool_(v == "1")
    elif t == "str_":
        x = np.str_(v)
    elif t == "bytes_":
        x = np.bytes_(v.encode())
    else:
        x = getattr(np, t)(int(v))
    try:
        out.append(c["fmt"] % (x,))
    except Exception as e:
        out.append("!" + type(e).__name__)
json.dump(out, sys.stdout)
`

// value is the value a case stands for, as savetxt's rows hand it
// to the formatter, with its string bytes.
func (c formatCase) value(t *testing.T) (value, []byte) {
	switch c.Type {
	case "float64", "float32", "float16":
		b, err := strconv.ParseUint(c.V, 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		switch c.Type {
		case "float64":
			return value{kind: kindFloat, bits: 64, f: math.Float64frombits(b)}, nil
		case "float32":
			return value{kind: kindFloat, bits: 32, f: float64(math.Float32frombits(uint32(b)))}, nil
		default:
			return value{kind: kindFloat, bits: 16, f: mmarray.Float16(b).Float64()}, nil
		}
	case "complex128", "complex64":
		re, _ := strconv.ParseUint(c.V[:16], 16, 64)
		im, _ := strconv.ParseUint(c.V[16:], 16, 64)
		v := value{kind: kindComplex, bits: 64, f: math.Float64frombits(re), im: math.Float64frombits(im)}
		if c.Type == "complex64" {
			v.bits, v.f, v.im = 32, float64(float32(v.f)), float64(float32(v.im))
		}
		return v, nil
	case "int64":
		i, _ := strconv.ParseInt(c.V, 10, 64)
		return value{kind: kindInt, i: i}, nil
	case "uint64":
		u, _ := strconv.ParseUint(c.V, 10, 64)
		return value{kind: kindUint, u: u}, nil
	case "bool_":
		v := value{kind: kindBool}
		if c.V == "1" {
			v.i = 1
		}
		return v, nil
	case "str_":
		return value{kind: kindStr, end: len(c.V)}, []byte(c.V)
	default:
		return value{kind: kindBytes, end: len(c.V)}, []byte(c.V)
	}
}

func floatCase(f string, x float64) formatCase {
	return formatCase{f, "float64", hex16(math.Float64bits(x), 16)}
}

func hex16(n uint64, digits int) string {
	s := strconv.FormatUint(n, 16)
	for len(s) < digits {
		s = "0" + s
	}
	return s
}

// formatCases builds the corpus: every format users pass to np.savetxt and
// random combinations of flags, widths and precisions, over edge values
// (zeros, denormals, extremes, nan, inf, values on rounding boundaries)
// and random bit patterns of each type.
func formatCases() []formatCase {
	rng := rand.New(rand.NewPCG(10, 4))
	common := []string{"%.18e", "%d", "%.6f", "%g", "%10.3f", "%s", "%x", "%r", "%e", "%f", "%G", "%E",
		"%#g", "%+e", "% .3g", "%-12.4e", "%012.5f", "%#x", "%#o", "%X", "%i", "%u", "%.0f", "%.0e", "%#.0e",
		"%#.0f", "%.3s", "%8s", "%-8s|", "%.1g", "%.0g", "%.17g", "%.25g", "%c", "%5c", "%08.3d", "%+05d",
		"%#08x", "%-#8o|", "%.300f", "%ld", "%hd", "%Lf", "x=%+.2e;"}
	verbs := "diuoxXeEfFgGsrc"
	random := func() string {
		f := "%"
		for _, fl := range []string{"-", "+", " ", "#", "0"} {
			if rng.IntN(4) == 0 {
				f += fl
			}
		}
		if rng.IntN(2) == 0 {
			f += strconv.Itoa(rng.IntN(30))
		}
		if rng.IntN(2) == 0 {
			f += "." + strconv.Itoa(rng.IntN(25))
		}
		return f + string(verbs[rng.IntN(len(verbs))])
	}
	var cases []formatCase
	add := func(c formatCase) {
		for _, f := range common {
			c.Fmt = f
			cases = append(cases, c)
		}
		for k := 0; k < 6; k++ {
			c.Fmt = random()
			cases = append(cases, c)
		}
	}
	floats := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1.5, 2.5, 0.1, 1e-5, 1e-4, 9.9999e-5, 123456,
		1234567, 999999.5, 9.9999995, 0.00001234, 1e16, 1e22, 1e300, -1e300, math.MaxFloat64,
		math.SmallestNonzeroFloat64, 2.2250738585072014e-308, 1 << 63, -(1 << 63), 1 << 64, 3.7, -3.7,
		math.NaN(), math.Copysign(math.NaN(), -1), math.Inf(1), math.Inf(-1), 65, 0.125, 1e21, 5e-324 * 3}
	for _, x := range floats {
		add(floatCase("", x))
	}
	for k := 0; k < 300; k++ {
		bits := rng.Uint64()
		if k%3 == 0 { // a float of a usual magnitude
			bits = math.Float64bits((rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(40)-20)))
		}
		add(floatCase("", math.Float64frombits(bits)))
	}
	for k := 0; k < 100; k++ {
		b := rng.Uint32()
		if k == 0 {
			b = math.Float32bits(0.1)
		}
		add(formatCase{"", "float32", hex16(uint64(b), 8)})
	}
	for k := 0; k < 60; k++ {
		b := uint16(rng.Uint32())
		add(formatCase{"", "float16", hex16(uint64(b), 4)})
	}
	for k := 0; k < 40; k++ {
		re, im := floats[rng.IntN(len(floats))], (rng.Float64()-0.5)*math.Pow(10, float64(rng.IntN(20)-10))
		if k%2 == 0 {
			re, im = im, re
		}
		typ := "complex128"
		if k%4 < 2 {
			typ = "complex64"
			re, im = float64(float32(re)), float64(float32(im))
		}
		add(formatCase{"", typ, hex16(math.Float64bits(re), 16) + hex16(math.Float64bits(im), 16)})
	}
	ints := []int64{0, 1, -1, 7, 65, 255, -255, 1 << 31, math.MaxInt64, math.MinInt64, 0x10ffff, 0x110000, 1 << 53, 1<<53 + 1}
	for k := 0; k < 60; k++ {
		ints = append(ints, int64(rng.Uint64())>>rng.IntN(64))
	}
	for _, i := range ints {
		add(formatCase{"", "int64", strconv.FormatInt(i, 10)})
	}
	for _, u := range []uint64{0, 1, math.MaxUint64, 1 << 63, 1<<64 - 1025, 1<<53 + 1, rng.Uint64(), rng.Uint64()} {
		add(formatCase{"", "uint64", strconv.FormatUint(u, 10)})
	}
	add(formatCase{"", "bool_", "1"})
	add(formatCase{"", "bool_", "0"})
	for _, s := range []string{"", "a", "abc", "é", "naïve text", "it's", "tab\there", "日本語"} {
		add(formatCase{"", "str_", s})
		add(formatCase{"", "bytes_", s})
	}
	return cases
}

// TestFormatMatchesPython formats thousands of values with Python's %
// operator on NumPy scalars and with this package's formatter: the texts,
// and the exception classes where Python refuses, must be the same.
func TestFormatMatchesPython(t *testing.T) {
	t.Parallel()
	cases := formatCases()
	var want []string
	numpytest.RunJSON(t, numpyFormat, cases, &want)
	if len(want) != len(cases) {
		t.Fatalf("NumPy formatted %d cases of %d", len(want), len(cases))
	}
	bad := 0
	for k, c := range cases {
		v, strs := c.value(t)
		got, err := formatOne(c.Fmt, v, strs)
		if err != nil {
			var pe *pyError
			if !errors.As(err, &pe) {
				t.Fatalf("%q %% %s(%s): %v", c.Fmt, c.Type, c.V, err)
			}
			got = "!" + pe.class
		}
		if got != want[k] {
			bad++
			if bad <= 30 {
				t.Errorf("%q %% %s(%s): got %q, Python %q", c.Fmt, c.Type, c.V, got, want[k])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d cases differ", bad, len(cases))
	}
	t.Logf("%d cases compared", len(cases))
}

// formatOne formats a single value with f.
func formatOne(f string, v value, strs []byte) (string, error) {
	pf, err := parsePyFormat(f)
	if err != nil {
		return "", err
	}
	out, err := pf.appendRow(nil, []value{v}, strs)
	return string(out), err
}
