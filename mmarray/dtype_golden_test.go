package mmarray_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
)

// expectedField is one entry of a golden file's "expect" list in
// testdata/manifest.json: the values NumPy reads from one field (format in
// testdata/README.md).
type expectedField struct {
	Path   string            `json:"path"`
	DType  string            `json:"dtype"`
	Shape  []int             `json:"shape"`
	Values []json.RawMessage `json:"values"`
	Bits   []json.RawMessage `json:"bits"`
	NS     []*string         `json:"ns"`
	UnixS  []*string         `json:"unix_s"`
	Title  string            `json:"title"`
}

type expectedFile struct {
	File   string          `json:"file"`
	Descr  string          `json:"descr"`
	Expect []expectedField `json:"expect"`
}

// loadExpected returns the golden files that carry expected values.
func loadExpected(t *testing.T) []expectedFile {
	t.Helper()
	raw, err := os.ReadFile(testdataPath("manifest.json"))
	require.NoError(t, err)
	var all []expectedFile
	require.NoError(t, json.Unmarshal(raw, &all))
	var out []expectedFile
	for _, e := range all {
		if len(e.Expect) > 0 {
			out = append(out, e)
		}
	}
	require.NotEmpty(t, out, "manifest.json has no expect entries: regenerate with testdata/gen_golden.py")
	return out
}

// Every golden file with expected values opens in r, c and r+ and reads,
// field by field, exactly what NumPy read from it: whole-array views for
// plain dtypes, Field views (by dotted path, and by title) for structured
// ones, each also through Values, CopyTo, Transpose, a reversed Slice and
// Reshape. In r+, writing every value back leaves the file byte for byte as
// it was (the encoders invert the decoders); in c, writes show in the view
// but never reach the file.
func TestGoldenDTypeValues(t *testing.T) {
	t.Parallel()
	files := loadExpected(t)
	kinds := map[byte]int{}
	for _, gf := range files {
		t.Run(gf.File, func(t *testing.T) {
			original, err := os.ReadFile(testdataPath(gf.File))
			require.NoError(t, err)
			for _, mode := range []mmarray.Mode{mmarray.ReadOnly, mmarray.CopyOnWrite, mmarray.ReadWrite} {
				path := testdataPath(gf.File)
				if mode != mmarray.ReadOnly {
					path = numpytest.CopyToTemp(t, path)
				}
				f, err := mmarray.Open(path, mode)
				require.NoError(t, err, "mode %v", mode)
				var records *mmarray.Array[[]byte]
				if f.DType().Structured() {
					records, err = mmarray.View[[]byte](f)
					require.NoError(t, err)
				}
				checks := make([]fieldCheck, len(gf.Expect))
				for i, e := range gf.Expect {
					checks[i] = checkFor(t, f, records, e)
					kinds[kindByte(t, e.DType)]++
				}
				// All reads first: a write to one field changes the record
				// bytes another entry describes.
				for i, c := range checks {
					c.check(t)
					if e := gf.Expect[i]; e.Title != "" {
						c.byTitle(t, e.Title)
					}
				}
				switch mode {
				case mmarray.ReadWrite:
					for _, c := range checks {
						c.writeBack(t)
					}
					require.NoError(t, f.Flush())
				case mmarray.CopyOnWrite:
					for _, c := range checks {
						c.writeZero(t)
					}
				}
				require.NoError(t, f.Close())
				after, err := os.ReadFile(path)
				require.NoError(t, err)
				require.True(t, bytes.Equal(original, after), "mode %v changed the file", mode)
			}
		})
	}
	for _, k := range []byte("biufcSUVMm") {
		require.Positive(t, kinds[k], "no golden field of kind %c was checked", k)
	}
}

// fieldCheck checks one expected field of an open file.
type fieldCheck struct {
	check func(t *testing.T)
	// byTitle checks that Field finds the same view by the field's title.
	byTitle func(t *testing.T, title string)
	// writeBack stores every element's own value again (bools excepted:
	// hand-patched bytes such as 2 read true and would be rewritten as 1).
	writeBack func(t *testing.T)
	// writeZero stores a zero value in the first element and reads it back.
	writeZero func(t *testing.T)
}

func kindByte(t *testing.T, dtype string) byte {
	t.Helper()
	s := strings.TrimLeft(dtype, "<>|=")
	require.NotEmpty(t, s, dtype)
	return s[0]
}

// itemSizeOf is the size in bytes of a simple dtype string ("<f2" → 2,
// ">U5" → 20, "|V3" → 3).
func itemSizeOf(t *testing.T, dtype string) int {
	t.Helper()
	s := strings.TrimLeft(dtype, "<>|=")
	s, _, _ = strings.Cut(s[1:], "[")
	n, err := strconv.Atoi(s)
	require.NoError(t, err, dtype)
	if kindByte(t, dtype) == 'U' {
		n *= 4
	}
	return n
}

// timeUnitOf is the unit inside "M8[unit]".
func timeUnitOf(dtype string) string {
	_, rest, _ := strings.Cut(dtype, "[")
	return strings.TrimSuffix(rest, "]")
}

// goldenView is the view an expected field describes: the whole array for
// path "", else Field of the records.
func goldenView[T mmarray.Element](t *testing.T, f *mmarray.File, records *mmarray.Array[[]byte], path string) *mmarray.Array[T] {
	t.Helper()
	if path == "" {
		a, err := mmarray.View[T](f)
		require.NoError(t, err, "View[%T] of %s", *new(T), f.Descr())
		return a
	}
	require.NotNil(t, records, "field %q of a file that is not structured", path)
	a, err := mmarray.Field[T](records, path)
	require.NoError(t, err, "Field[%T](%q)", *new(T), path)
	return a
}

// chainedField resolves a dotted path one name at a time, each step a Field
// of the previous record view.
func chainedField[T mmarray.Element](t *testing.T, records *mmarray.Array[[]byte], path string) *mmarray.Array[T] {
	t.Helper()
	names := strings.Split(path, ".")
	view := records
	for _, name := range names[:len(names)-1] {
		next, err := mmarray.Field[[]byte](view, name)
		require.NoError(t, err, "Field[[]byte](%q) on the way to %q", name, path)
		view = next
	}
	a, err := mmarray.Field[T](view, names[len(names)-1])
	require.NoError(t, err, "Field[%T](%q) of the %q record view", *new(T), names[len(names)-1], path)
	return a
}

// checkFor builds the checks of one expected field, with the Go type its
// dtype kind calls for.
func checkFor(t *testing.T, f *mmarray.File, records *mmarray.Array[[]byte], e expectedField) fieldCheck {
	t.Helper()
	size := itemSizeOf(t, e.DType)
	switch k := kindByte(t, e.DType); k {
	case 'b':
		a := goldenView[bool](t, f, records, e.Path)
		c := elementCheck(f, records, a, e, decodeEach(t, e.Values, func(r json.RawMessage) (v bool, err error) {
			return v, json.Unmarshal(r, &v)
		}), equal[bool], true)
		c.writeBack = func(*testing.T) {}
		return c
	case 'i':
		switch size {
		case 1:
			return intCheck[int8](t, f, records, e)
		case 2:
			return intCheck[int16](t, f, records, e)
		case 4:
			return intCheck[int32](t, f, records, e)
		case 8:
			return intCheck[int64](t, f, records, e)
		}
	case 'u':
		switch size {
		case 1:
			return uintCheck[uint8](t, f, records, e)
		case 2:
			return uintCheck[uint16](t, f, records, e)
		case 4:
			return uintCheck[uint32](t, f, records, e)
		case 8:
			return uintCheck[uint64](t, f, records, e)
		}
	case 'f':
		bits := decodeEach(t, e.Bits, parseUint64)
		values := decodeEach(t, e.Values, parseJSONFloat)
		switch size {
		case 2:
			want := make([]mmarray.Float16, len(bits))
			for i, b := range bits {
				want[i] = mmarray.Float16(b)
				requireSameFloat(t, values[i], float64(want[i].Float32()), "%s[%d]: bits and value disagree in the manifest", e.Path, i)
			}
			a := goldenView[mmarray.Float16](t, f, records, e.Path)
			return elementCheck(f, records, a, e, want, func(w, g mmarray.Float16) bool { return w.Bits() == g.Bits() }, true)
		case 4:
			want := make([]float32, len(bits))
			for i, b := range bits {
				want[i] = math.Float32frombits(uint32(b))
				requireSameFloat(t, values[i], float64(want[i]), "%s[%d]: bits and value disagree in the manifest", e.Path, i)
			}
			a := goldenView[float32](t, f, records, e.Path)
			return elementCheck(f, records, a, e, want, func(w, g float32) bool { return math.Float32bits(w) == math.Float32bits(g) }, true)
		case 8:
			want := make([]float64, len(bits))
			for i, b := range bits {
				want[i] = math.Float64frombits(b)
				requireSameFloat(t, values[i], want[i], "%s[%d]: bits and value disagree in the manifest", e.Path, i)
			}
			a := goldenView[float64](t, f, records, e.Path)
			return elementCheck(f, records, a, e, want, func(w, g float64) bool { return math.Float64bits(w) == math.Float64bits(g) }, true)
		}
	case 'c':
		pairs := decodeEach(t, e.Bits, func(r json.RawMessage) (p [2]uint64, err error) {
			return p, json.Unmarshal(r, &p)
		})
		switch size {
		case 8:
			want := make([]complex64, len(pairs))
			for i, p := range pairs {
				want[i] = complex(math.Float32frombits(uint32(p[0])), math.Float32frombits(uint32(p[1])))
			}
			a := goldenView[complex64](t, f, records, e.Path)
			return elementCheck(f, records, a, e, want, func(w, g complex64) bool {
				return math.Float32bits(real(w)) == math.Float32bits(real(g)) && math.Float32bits(imag(w)) == math.Float32bits(imag(g))
			}, true)
		case 16:
			want := make([]complex128, len(pairs))
			for i, p := range pairs {
				want[i] = complex(math.Float64frombits(p[0]), math.Float64frombits(p[1]))
			}
			a := goldenView[complex128](t, f, records, e.Path)
			return elementCheck(f, records, a, e, want, func(w, g complex128) bool {
				return math.Float64bits(real(w)) == math.Float64bits(real(g)) && math.Float64bits(imag(w)) == math.Float64bits(imag(g))
			}, true)
		}
	case 'S':
		want := decodeEach(t, e.Values, parseHex)
		asBytes := elementCheck(f, records, goldenView[[]byte](t, f, records, e.Path), e, want, bytes.Equal, true)
		wantText := make([]string, len(want))
		for i, b := range want {
			wantText[i] = string(b)
		}
		asText := elementCheck(f, records, goldenView[string](t, f, records, e.Path), e, wantText, equal[string], true)
		return both(asBytes, asText)
	case 'U':
		want := decodeEach(t, e.Values, func(r json.RawMessage) (s string, err error) {
			return s, json.Unmarshal(r, &s)
		})
		return elementCheck(f, records, goldenView[string](t, f, records, e.Path), e, want, equal[string], true)
	case 'V':
		want := decodeEach(t, e.Values, parseHex)
		var a *mmarray.Array[[]byte]
		if e.Path == "" && records != nil {
			a = records
		} else {
			a = goldenView[[]byte](t, f, records, e.Path)
		}
		c := elementCheck(f, records, a, e, want, bytes.Equal, false)
		c.writeZero = func(t *testing.T) {
			if a.Len() == 0 {
				return
			}
			idx := make([]int, a.Ndim())
			zeros := make([]byte, size)
			a.Set(zeros, idx...)
			require.Equal(t, zeros, a.At(idx...))
		}
		return c
	case 'M':
		return timeFieldCheck(t, f, records, e, checkTimes)
	case 'm':
		return timeFieldCheck(t, f, records, e, checkDurations)
	}
	t.Fatalf("no Go type for dtype %s (field %q)", e.DType, e.Path)
	return fieldCheck{}
}

func equal[T comparable](a, b T) bool { return a == b }

// timeFieldCheck checks a datetime or timedelta field's counts, then
// converts each with convert (checkTimes or checkDurations).
func timeFieldCheck[T mmarray.Datetime64 | mmarray.Timedelta64](t *testing.T, f *mmarray.File, records *mmarray.Array[[]byte], e expectedField,
	convert func(*testing.T, *mmarray.Array[T], expectedField, []T)) fieldCheck {
	counts := decodeEach(t, e.Values, parseTimeInt)
	want := make([]T, len(counts))
	for i, v := range counts {
		want[i] = T(v)
	}
	a := goldenView[T](t, f, records, e.Path)
	c := elementCheck(f, records, a, e, want, equal[T], true)
	values := c.check
	c.check = func(t *testing.T) {
		values(t)
		convert(t, a, e, want)
	}
	return c
}

func both(a, b fieldCheck) fieldCheck {
	return fieldCheck{
		check:     func(t *testing.T) { a.check(t); b.check(t) },
		byTitle:   func(t *testing.T, title string) { a.byTitle(t, title); b.byTitle(t, title) },
		writeBack: func(t *testing.T) { a.writeBack(t); b.writeBack(t) },
		writeZero: func(t *testing.T) { a.writeZero(t); b.writeZero(t) },
	}
}

func intCheck[T int8 | int16 | int32 | int64](t *testing.T, f *mmarray.File, records *mmarray.Array[[]byte], e expectedField) fieldCheck {
	bitSize := int(reflect.TypeFor[T]().Size()) * 8
	want := decodeEach(t, e.Values, func(r json.RawMessage) (T, error) {
		n, err := strconv.ParseInt(string(r), 10, bitSize)
		return T(n), err
	})
	return elementCheck(f, records, goldenView[T](t, f, records, e.Path), e, want, equal[T], true)
}

func uintCheck[T uint8 | uint16 | uint32 | uint64](t *testing.T, f *mmarray.File, records *mmarray.Array[[]byte], e expectedField) fieldCheck {
	bitSize := int(reflect.TypeFor[T]().Size()) * 8
	want := decodeEach(t, e.Values, func(r json.RawMessage) (T, error) {
		n, err := strconv.ParseUint(string(r), 10, bitSize)
		return T(n), err
	})
	return elementCheck(f, records, goldenView[T](t, f, records, e.Path), e, want, equal[T], true)
}

func decodeEach[T any](t *testing.T, raw []json.RawMessage, parse func(json.RawMessage) (T, error)) []T {
	t.Helper()
	out := make([]T, len(raw))
	for i, r := range raw {
		v, err := parse(r)
		require.NoError(t, err, "manifest value %s", r)
		out[i] = v
	}
	return out
}

func parseUint64(r json.RawMessage) (uint64, error) { return strconv.ParseUint(string(r), 10, 64) }

func parseHex(r json.RawMessage) ([]byte, error) {
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		return nil, err
	}
	return hex.DecodeString(s)
}

// parseJSONFloat reads a manifest float: a JSON number, or "nan", "inf",
// "-inf".
func parseJSONFloat(r json.RawMessage) (float64, error) {
	var s string
	if json.Unmarshal(r, &s) == nil {
		switch s {
		case "nan":
			return math.NaN(), nil
		case "inf":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		}
		return 0, errors.New("unknown float string " + s)
	}
	return strconv.ParseFloat(string(r), 64)
}

// parseTimeInt reads a datetime or timedelta: a decimal string, or "NaT".
func parseTimeInt(r json.RawMessage) (int64, error) {
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		return 0, err
	}
	if s == "NaT" {
		return mmarray.NaT, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

func requireSameFloat(t *testing.T, want, got float64, msg string, args ...any) {
	t.Helper()
	if math.IsNaN(want) {
		require.True(t, math.IsNaN(got), append([]any{msg + ": want NaN, got %v"}, append(args, got)...)...)
		return
	}
	require.Equal(t, want, got, append([]any{msg}, args...)...)
	require.Equal(t, math.Signbit(want), math.Signbit(got), append([]any{msg + " (sign of zero)"}, args...)...)
}

// elementCheck compares every element of a with want (C order) in every way
// a view can be read, and makes the write checks. zeroable says whether
// writeZero may store T's zero value.
func elementCheck[T mmarray.Element](f *mmarray.File, records *mmarray.Array[[]byte], a *mmarray.Array[T], e expectedField, want []T, same func(w, g T) bool, zeroable bool) fieldCheck {
	check := func(t *testing.T) {
		t.Helper()
		checkElements(t, a, e, want, same)
		if strings.Contains(e.Path, ".") {
			// NumPy's a["pos"]["x"]: Field of a record field's view.
			checkElements(t, chainedField[T](t, records, e.Path), e, want, same)
		}
	}
	return fieldCheck{
		check: check,
		byTitle: func(t *testing.T, title string) {
			t.Helper()
			byTitle, err := mmarray.Field[T](records, title)
			require.NoError(t, err, "Field by title %q (name %q)", title, e.Path)
			checkElements(t, byTitle, e, want, same)
		},
		writeBack: func(t *testing.T) {
			t.Helper()
			shape := a.Shape()
			for k := range want {
				idx := formula.Unravel(k, shape)
				a.Set(a.At(idx...), idx...)
			}
		},
		writeZero: func(t *testing.T) {
			t.Helper()
			if !zeroable || a.Len() == 0 {
				return
			}
			var zero T
			idx := make([]int, a.Ndim())
			require.NoError(t, a.Fits(zero))
			a.Set(zero, idx...)
			require.True(t, same(zero, a.At(idx...)), "%s: the zero value written in c mode reads back", e.Path)
		},
	}
}

func checkElements[T mmarray.Element](t *testing.T, a *mmarray.Array[T], e expectedField, want []T, same func(w, g T) bool) {
	t.Helper()
	require.Equal(t, e.Shape, a.Shape(), "shape of %q", e.Path)
	require.Equal(t, len(want), a.Len(), "length of %q", e.Path)
	if dt := a.DType(); dt.Structured() {
		require.Equal(t, byte('V'), kindByte(t, e.DType))
		require.Equal(t, itemSizeOf(t, e.DType), dt.ItemSize, "record size of %q", e.Path)
	} else {
		require.Equal(t, e.DType, dt.String(), "dtype of %q", e.Path)
	}
	shape := a.Shape()
	// Compared in plain Go, every way of reading, then reported once.
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	defer func() {
		if len(bad) > 0 {
			t.Errorf("%q: %d mismatches, first: %s", e.Path, len(bad), strings.Join(bad[:min(len(bad), 5)], "; "))
		}
	}()
	for k, w := range want {
		if got := a.At(formula.Unravel(k, shape)...); !same(w, got) {
			fail("element %d: want %v, got %v", k, w, got)
		}
	}
	k := 0
	for got := range a.Values() {
		if k < len(want) && !same(want[k], got) {
			fail("Values %d: want %v, got %v", k, want[k], got)
		}
		k++
	}
	require.Equal(t, len(want), k)
	dst := make([]T, len(want))
	require.Equal(t, len(want), a.CopyTo(dst))
	for k, got := range dst {
		if !same(want[k], got) {
			fail("CopyTo %d: want %v, got %v", k, want[k], got)
		}
	}
	if len(want) == 0 || a.Ndim() == 0 {
		return
	}
	last := a.Ndim() - 1
	transposed := a.Transpose()
	reversed := a.Slice(mmarray.Ellipsis(), mmarray.Span(mmarray.Omit, mmarray.Omit, -1))
	for k, w := range want {
		idx := formula.Unravel(k, shape)
		rev := slices.Clone(idx)
		slices.Reverse(rev)
		if !same(w, transposed.At(rev...)) {
			fail("transposed element %v", rev)
		}
		idx[last] = shape[last] - 1 - idx[last]
		if !same(w, reversed.At(idx...)) {
			fail("reversed element %v", idx)
		}
	}
	flat, err := a.Reshape(-1)
	if err != nil {
		// A strided field of a Fortran-order file cannot be flattened in C
		// order without a copy, as in NumPy.
		require.ErrorIs(t, err, mmarray.ErrReshape, "%q", e.Path)
		return
	}
	for k, w := range want {
		if !same(w, flat.At(k)) {
			fail("flattened element %d", k)
		}
	}
}

// checkTimes converts every datetime to time.Time and compares it with the
// instant NumPy computed.
func checkTimes(t *testing.T, a *mmarray.Array[mmarray.Datetime64], e expectedField, want []mmarray.Datetime64) {
	t.Helper()
	unit := a.DType().Unit
	require.Equal(t, timeUnitOf(e.DType), unit)
	require.Len(t, e.NS, len(want))
	require.Len(t, e.UnixS, len(want))
	converter, err := mmarray.ParseTimeUnit(unit)
	require.NoError(t, err)
	for k, d := range want {
		got, err := converter.Time(d)
		if d.IsNaT() {
			require.Nil(t, e.UnixS[k])
			require.ErrorIs(t, err, mmarray.ErrNaT, "%q element %d", e.Path, k)
			continue
		}
		require.NoError(t, err, "%q element %d: %d %s", e.Path, k, d, unit)
		require.Equal(t, time.UTC, got.Location())
		sec, err := strconv.ParseInt(*e.UnixS[k], 10, 64)
		require.NoError(t, err)
		require.Equal(t, sec, got.Unix(), "%q element %d: %d %s is %v", e.Path, k, d, unit, got)
		if e.NS[k] != nil {
			ns, err := strconv.ParseInt(*e.NS[k], 10, 64)
			require.NoError(t, err)
			require.Equal(t, ns, got.UnixNano(), "%q element %d: %d %s is %v", e.Path, k, d, unit, got)
			require.True(t, got.Equal(time.Unix(0, ns)))
		}
	}
}

// checkDurations converts every timedelta to time.Duration: equal to
// NumPy's nanoseconds where they fit, ErrNaT for NaT, ErrUnit for years
// and months, ErrValue for spans past ±292 years.
func checkDurations(t *testing.T, a *mmarray.Array[mmarray.Timedelta64], e expectedField, want []mmarray.Timedelta64) {
	t.Helper()
	unit := a.DType().Unit
	require.Equal(t, timeUnitOf(e.DType), unit)
	require.Len(t, e.NS, len(want))
	calendar := strings.HasSuffix(unit, "Y") || strings.HasSuffix(unit, "M")
	converter, err := mmarray.ParseTimeUnit(unit)
	require.NoError(t, err)
	for k, d := range want {
		got, err := converter.Duration(d)
		switch {
		case d.IsNaT():
			require.ErrorIs(t, err, mmarray.ErrNaT, "%q element %d", e.Path, k)
		case calendar:
			require.ErrorIs(t, err, mmarray.ErrUnit, "%q element %d: %d %s", e.Path, k, d, unit)
		case e.NS[k] == nil:
			require.ErrorIs(t, err, mmarray.ErrValue, "%q element %d: %d %s overflows a Duration", e.Path, k, d, unit)
		default:
			require.NoError(t, err)
			ns, err := strconv.ParseInt(*e.NS[k], 10, 64)
			require.NoError(t, err)
			require.Equal(t, time.Duration(ns), got, "%q element %d: %d %s", e.Path, k, d, unit)
		}
	}
}
