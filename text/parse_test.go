package text

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestParseFloat pins the cases where NumPy's float syntax and Go's
// strconv.ParseFloat disagree; TestCellsMatchNumPy checks many more cells
// against NumPy itself.
func TestParseFloat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.5", 1.5, true},
		{"  -2.5e3 \t", -2500, true},
		{"1e400", math.Inf(1), true}, // Go: +Inf with ErrRange
		{"-1e400", math.Inf(-1), true},
		{"1e-400", 0, true},
		{"1.", 1, true},
		{".5", 0.5, true},
		{"+.5e+1", 5, true},
		{"1e", 0, false},
		{"1_000", 0, false},  // Go accepts underscores
		{"0x1p-2", 0, false}, // Go accepts hexadecimal floats
		{"0x10", 0, false},
		{"Infinity", math.Inf(1), true},
		{"-iNF", math.Inf(-1), true},
		{"infinit", 0, false},
		{"NaNa", 0, false},
		{"", 0, false},
		{"   ", 0, false},
		{".", 0, false},
		{"1 2", 0, false},
		{"\u00a01.5\u3000", 1.5, true}, // Python's white space beyond ASCII
		{"\x1c1.5\x1f", 1.5, true},     // and its ASCII separators
		{"\ufeff1.5", 0, false},        // a BOM is not white space
		{"１", 0, false},                // nor are other digits digits
	}
	for _, tt := range tests {
		got, ok := parseFloat([]byte(tt.in))
		if ok != tt.ok || (ok && math.Float64bits(got) != math.Float64bits(tt.want)) {
			t.Errorf("parseFloat(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	// NaNs carry Python's bits, not Go's math.NaN().
	for in, bits := range map[string]uint64{"nan": 0x7ff8000000000000, "-NaN": 0xfff8000000000000, " +nan ": 0x7ff8000000000000} {
		got, ok := parseFloat([]byte(in))
		if !ok || math.Float64bits(got) != bits {
			t.Errorf("parseFloat(%q) = %#x, %v; want %#x", in, math.Float64bits(got), ok, bits)
		}
	}
}

func TestParseInt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		lo, hi int64
		want   int64
		ok     bool
	}{
		{" 42 ", math.MinInt64, math.MaxInt64, 42, true},
		{"-9223372036854775808", math.MinInt64, math.MaxInt64, math.MinInt64, true},
		{"9223372036854775807", math.MinInt64, math.MaxInt64, math.MaxInt64, true},
		{"9223372036854775808", math.MinInt64, math.MaxInt64, 0, false},
		{"-129", -128, 127, 0, false},
		{"-128", -128, 127, -128, true},
		{"+7", -128, 127, 7, true},
		{"1_0", -128, 127, 0, false},
		{"0x1", -128, 127, 0, false},
		{"-", -128, 127, 0, false},
		{"1.0", -128, 127, 0, false}, // the float fallback is intViaFloat's
	}
	for _, tt := range tests {
		got, ok := parseInt([]byte(tt.in), tt.lo, tt.hi)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseInt(%q, %d, %d) = %d, %v; want %d, %v", tt.in, tt.lo, tt.hi, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := parseUint([]byte("-0"), math.MaxUint64); ok {
		t.Error(`parseUint("-0") accepted a minus sign`)
	}
	if got, ok := parseUint([]byte("18446744073709551615"), math.MaxUint64); !ok || got != math.MaxUint64 {
		t.Errorf("parseUint(max) = %d, %v", got, ok)
	}
}

func TestIntViaFloat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.9", 1, true},
		{"-1.9", -1, true},
		{"1e2", 100, true},
		{"127.9", 127, true},
		{"128", 0, false}, // NumPy's C cast gives a machine-dependent value
		{"nan", 0, false},
		{"inf", 0, false},
	}
	for _, tt := range tests {
		got, ok := intViaFloat([]byte(tt.in), -128, 128)
		if ok != tt.ok || got != tt.want {
			t.Errorf("intViaFloat(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseComplex(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		re, im float64
		ok     bool
	}{
		{"1+2j", 1, 2, true},
		{" (1-2j) ", 1, -2, true},
		{"( 1.5j )", 0, 1.5, true},
		{"1+-2j", 1, -2, true},
		{"3", 3, 0, true},
		{"(3)", 3, 0, true},
		{"(3", 0, 0, false},
		{"1+2J", 0, 0, false},
		{"1 + 2j", 0, 0, false},
		{"1+j", 0, 0, false},
		{"inf-infj", math.Inf(1), math.Inf(-1), true},
		{"j", 0, 0, false},
		{"1+2", 0, 0, false},
	}
	for _, tt := range tests {
		re, im, ok := parseComplex([]byte(tt.in))
		if ok != tt.ok || re != tt.re || im != tt.im {
			t.Errorf("parseComplex(%q) = %v, %v, %v; want %v, %v, %v", tt.in, re, im, ok, tt.re, tt.im, tt.ok)
		}
	}
}

// FuzzParseFloat checks parseFloat against strconv.ParseFloat on the
// inputs where their syntaxes agree: trimmed ASCII without underscores,
// hexadecimal prefixes or Go-only spellings.
func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{"1.5", " -2e-3 ", "1e400", "nan", "-Infinity", "1_0", "0x1p3", ".5", "1.", "(1+2j)", "42", "1e-320"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parseFloat([]byte(s))
		re, im, cok := parseComplex([]byte(s))
		if ok && (!cok || math.Float64bits(re) != math.Float64bits(v) || im != 0) {
			t.Errorf("%q: float %v but complex %v%+vj, %v", s, v, re, im, cok)
		}
		trimmed := strings.Trim(s, " \t\n\r\v\f")
		if strings.ContainsAny(trimmed, "_xXpP \t\n\r\v\f") || strings.ContainsFunc(trimmed, func(r rune) bool { return r >= 0x80 || r < 0x20 }) {
			return
		}
		lower := strings.ToLower(strings.TrimLeft(trimmed, "+-"))
		if strings.HasPrefix(lower, "inf") || strings.HasPrefix(lower, "nan") {
			return // Go accepts "infinity" and "nan" too, but not "+nan"
		}
		g, err := strconv.ParseFloat(trimmed, 64)
		gok := err == nil || (err.(*strconv.NumError).Err == strconv.ErrRange)
		if ok != gok || (ok && math.Float64bits(v) != math.Float64bits(g)) {
			t.Errorf("parseFloat(%q) = %v, %v; strconv says %v, %v", s, v, ok, g, err)
		}
		if i, iok := parseInt([]byte(s), math.MinInt64, math.MaxInt64); iok {
			if gi, err := strconv.ParseInt(strings.TrimPrefix(trimmed, "+"), 10, 64); err != nil || gi != i {
				t.Errorf("parseInt(%q) = %d; strconv says %d, %v", s, i, gi, err)
			}
		}
	})
}

// TestFloatPrefixMatchesStrconv compares the fast paths (Clinger's and
// Eisel-Lemire's) with strconv on random mantissas of 1 to 19 digits and
// exponents over the whole range, in several spellings.
func TestFloatPrefixMatchesStrconv(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(19, 97))
	for range 300000 {
		digits := 1 + rng.IntN(19)
		var sb strings.Builder
		if rng.IntN(2) == 0 {
			sb.WriteByte('-')
		}
		point := rng.IntN(digits + 1)
		for d := range digits {
			if d == point {
				sb.WriteByte('.')
			}
			sb.WriteByte(byte('0' + rng.IntN(10)))
		}
		fmt.Fprintf(&sb, "e%d", rng.IntN(700)-350)
		s := sb.String()
		want, err := strconv.ParseFloat(s, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			t.Fatalf("strconv refused %q: %v", s, err)
		}
		got, ok := parseFloat([]byte(s))
		if !ok || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("parseFloat(%q) = %v (%#x), %v; strconv %v (%#x)", s, got, math.Float64bits(got), ok, want, math.Float64bits(want))
		}
	}
	// Halfway cases and the ends of the range, where Eisel-Lemire gives up.
	for _, s := range []string{"9007199254740993", "9007199254740993e0", "4.9406564584124654e-324", "2.2250738585072011e-308", "1.7976931348623157e308", "1.7976931348623158e308", "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999"} {
		want, _ := strconv.ParseFloat(s, 64)
		if got, ok := parseFloat([]byte(s)); !ok || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("parseFloat(%q) = %v, %v; strconv %v", s, got, ok, want)
		}
	}
}

// TestEiselLemireDecides checks that the Eisel-Lemire path answers for
// nearly every input (strconv is its fallback, so a path that always gave
// up would pass the other tests) and that its answers are strconv's.
func TestEiselLemireDecides(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	decided := 0
	const n = 100000
	for range n {
		man := rng.Uint64() % 1e19
		exp := rng.IntN(560) - 280 // inside the normal range
		got, ok := eiselLemire(man, exp, false)
		if !ok {
			continue
		}
		decided++
		want, _ := strconv.ParseFloat(fmt.Sprintf("%de%d", man, exp), 64)
		if got != want {
			t.Fatalf("eiselLemire(%d, %d) = %v; strconv %v", man, exp, got, want)
		}
	}
	if decided < n*99/100 {
		t.Errorf("Eisel-Lemire decided %d of %d", decided, n)
	}
}
