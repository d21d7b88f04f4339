package npyheader

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// saveCase describes an array for NumPy to save: dtype is Python source
// evaluated by NumPy (so it can build wide or aligned dtypes).
type saveCase struct {
	Name    string `json:"name"`
	DType   string `json:"dtype"`
	Shape   []int  `json:"shape"`
	Fortran bool   `json:"fortran"`
}

const saveScript = `
import sys, json, io, base64, numpy as np
out = []
for c in json.load(sys.stdin):
    dt = eval(c["dtype"], {"np": np})
    a = np.zeros(tuple(c["shape"]), dtype=dt, order="F" if c["fortran"] else "C")
    b = io.BytesIO()
    np.save(b, a)
    out.append({"name": c["name"], "bytes": base64.b64encode(b.getvalue()).decode(),
                "descr": repr(np.lib.format.dtype_to_descr(a.dtype)), "nbytes": a.nbytes})
json.dump(out, sys.stdout)
`

func TestInteropSaveBytes(t *testing.T) {
	t.Parallel()
	wide := "np.dtype([(('%d' % i) * 100, '<f8') for i in range(500)])"
	cases := []saveCase{
		{"f8 2d", "'<f8'", []int{3, 4}, false},
		{"f8 fortran", "'<f8'", []int{3, 4}, true},
		{"f8 fortran 3d", "'>f4'", []int{2, 3, 5}, true},
		{"0-d", "'<i8'", []int{}, false},
		{"0-d fortran flag", "'<i8'", []int{}, true},
		{"zero size", "'<f4'", []int{0}, false},
		{"zero size 2d", "'<f4'", []int{0, 5}, false},
		{"1d fortran", "'<i4'", []int{7}, true},
		{"big endian", "'>i8'", []int{1500}, false},
		{"bool", "'?'", []int{2}, false},
		{"u1", "'u1'", []int{10}, false},
		{"c16", "'<c16'", []int{1}, false},
		{"f2", "'<f2'", []int{1}, false},
		{"S5", "'S5'", []int{2}, false},
		{"U3", "'<U3'", []int{2}, false},
		{"U3 big", "'>U3'", []int{2}, false},
		{"V7", "'V7'", []int{2}, false},
		{"datetime", "'<M8[ns]'", []int{2}, false},
		{"timedelta", "'>m8[10s]'", []int{2}, false},
		{"generic datetime", "'<M8'", []int{2}, false},
		{"object", "'O'", []int{2}, false},
		{"structured", "[('x', '<i4', (2,)), ('y', '>f8', (2, 2)), ('z', 'u1')]", []int{4}, false},
		{"aligned", "np.dtype('i1,i4,i1', align=True)", []int{3}, false},
		{"offsets", "np.dtype({'names': ['a', 'b'], 'formats': ['<i4', '<i4'], 'offsets': [1, 6], 'itemsize': 12})", []int{2}, false},
		{"titles", "np.dtype([(('title', 'a'), '<i4'), ('b', 'S3')])", []int{2}, false},
		{"nested", "[('a', '<i4', (2, 3)), ('b', [('c', '>f4'), ('d', [('e', 'U2')])])]", []int{3}, false},
		{"nested subarray of struct", "np.dtype([('c', ('<f8', (5,)), (2,))])", []int{1}, false},
		{"empty struct", "np.dtype({'names': [], 'formats': [], 'itemsize': 8})", []int{2}, false},
		{"quote in name", `np.dtype([("it's", '<i4'), ('a"b', '<i4'), ('back\\slash', 'u1'), ('tab\tnl\n', 'u1'), ('é', 'u1')])`, []int{1}, false},
		{"v2 wide", wide, []int{1}, false},
		{"v3 non-latin1", "np.dtype([('名前', '<i4'), ('値', '<f8')])", []int{3}, false},
		{"v3 non-latin1 0-d", "np.dtype([('名前', '<i4')])", []int{}, false},
		{"big dims", "'<f8'", []int{0, min(math.MaxInt/16, 1<<40)}, false},
	}
	var got []struct {
		Name   string `json:"name"`
		Bytes  []byte `json:"bytes"`
		Descr  string `json:"descr"`
		NBytes int64  `json:"nbytes"`
	}
	numpytest.RunJSON(t, saveScript, cases, &got)
	require.Len(t, got, len(cases))
	for i, c := range cases {
		g := got[i]
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			// (3) Read back what NumPy wrote.
			h, err := Parse(g.Bytes, WithMaxHeaderSize(1<<20))
			require.NoError(t, err)
			assert.Equal(t, c.Fortran && len(c.Shape) > 1, h.FortranOrder)
			assert.Equal(t, c.Shape, append([]int{}, h.Shape...))
			assert.Equal(t, g.Descr, h.DType.Repr())
			size, err := h.DataSize()
			require.NoError(t, err)
			assert.Equal(t, g.NBytes, size)
			if !h.DType.HasObject() {
				assert.Equal(t, int64(len(g.Bytes))-size, h.DataOffset, "data offset")
			}
			assert.Zero(t, h.DataOffset%ArrayAlign)
			// Read consumes exactly the prefix.
			r := bytes.NewReader(g.Bytes)
			h2, err := Read(r, WithMaxHeaderSize(1<<20))
			require.NoError(t, err)
			assert.Equal(t, h.DataOffset, int64(len(g.Bytes)-r.Len()))
			assertHeaderEqual(t, h, h2)

			// (1) Encode byte-for-byte.
			enc, err := Header{DType: h.DType, FortranOrder: h.FortranOrder, Shape: h.Shape}.Encode()
			require.NoError(t, err)
			require.Equal(t, string(g.Bytes[:h.DataOffset]), string(enc))
			// Forcing the version that was read gives the same bytes.
			enc2, out, err := h.Encoded()
			require.NoError(t, err)
			assert.Equal(t, enc, enc2)
			assert.Equal(t, h.Version, out.Version)
			assert.Equal(t, h.DataOffset, out.DataOffset)
		})
	}
	// The version each case needs.
	for i, c := range cases {
		h, err := Parse(got[i].Bytes, WithMaxHeaderSize(1<<20))
		require.NoError(t, err)
		want := Version1
		if strings.HasPrefix(c.Name, "v2") {
			want = Version2
		} else if strings.HasPrefix(c.Name, "v3") {
			want = Version3
		}
		assert.Equal(t, want, h.Version, c.Name)
	}
}

func assertHeaderEqual(t *testing.T, want, got Header) {
	t.Helper()
	assert.Equal(t, want.Version, got.Version)
	assert.True(t, want.DType.Equal(got.DType), "dtype %s != %s", want.DType, got.DType)
	assert.Equal(t, want.FortranOrder, got.FortranOrder)
	assert.True(t, slices.Equal(want.Shape, got.Shape), "shape %v != %v", want.Shape, got.Shape)
	assert.Equal(t, want.DataOffset, got.DataOffset)
}

const descrScript = `
import sys, json, numpy as np
def native(d):
    if d.names is not None:
        return all(native(d.fields[n][0]) for n in d.names)
    if d.subdtype is not None:
        return native(d.subdtype[0])
    return d.isnative
out = []
for s in json.load(sys.stdin):
    try:
        if s.startswith('['):
            import ast
            d = np.lib.format.descr_to_dtype(ast.literal_eval(s))
        else:
            d = np.dtype(s)
        out.append({"ok": True, "descr": repr(d.descr) if d.names is not None else d.str,
                    "itemsize": d.itemsize, "native": native(d), "object": bool(d.hasobject)})
    except Exception as e:
        out.append({"ok": False, "err": str(e)})
json.dump(out, sys.stdout)
`

// TestInteropDescr compares String() with NumPy's dtype.descr / dtype.str.
func TestInteropDescr(t *testing.T) {
	t.Parallel()
	descrs := []string{
		"<f8", ">f8", "f8", "=i4", "|i4", "<i1", ">u1", "u2", ">u8", "?", "b1", "|b1", "<f2", "f16", "c32", ">c8",
		"|S5", "S", "S0", "U", "<U0", ">U7", "|V16", "V", "O", "|O", "O8", "M8", "<M8[ns]", ">m8[us]",
		"<M8[10s]", "<M8[μs]", "<M8[2D]", "<M8[1s]", "<M8[05s]", "<m8[Y]", "<m8[W]", "<M8[as]", "S05", "i04",
		"[('a', '<i4')]",
		"[('x', '<i4', (2,)), ('y', '>f8', (2, 2)), ('z', '|u1')]",
		"[('f0', '|i1'), ('', '|V3'), ('f1', '<i4'), ('f2', '|i1'), ('', '|V3')]",
		"[('', '|V1'), ('a', '<i4'), ('', '|V1'), ('b', '<i4')]",
		"[(('aa', 'a'), '<i4'), ('b', '>U3')]",
		"[('', '|V8')]",
		"[]",
		"[('a', '<i4', (2, 3)), ('b', [('c', '>f4')])]",
		"[('a', [('b', '<i4', (2,)), ('', '|V4')], (3,))]",
		"[('', '<i4'), ('', '|V4'), ('b', '<f8')]",
		"[('', '<i4', (2,)), ('b', '<f8')]",
		"[('a', '<i4', 3), ('b', '<i4', 1), ('c', '<i4', ()), ('d', '<i4', (0,))]",
		"[('a', '|O'), ('b', [('c', 'O')])]",
		"[('名前', '<i4'), ('é', '>f8')]",
		`[("it's", '<i4'), ('a"b', '<i4'), ('\\', '|u1'), ('\t\x00\x7f\xa0\u200b', '|u1')]`,
		"[('a', '<M8[ns]'), ('b', '|S0'), ('c', '<U0')]",
		"[('', [])]",
		// Rejected by both.
		"x", "i3", "f3", "<b2", "i0", "?1", "u", "<M8[]", "M4", "[('a', '<i4'), ('a', '<f8')]",
		"[(('t', 't'), '<i4')]", "[(('t', 'a'), '<i4'), ('t', '<i4')]", "[('a', '<i4', (-1,))]",
		"[('', '<i4'), ('', '<f8')]", "i8[ns]", "<M8[ns",
	}
	var got []struct {
		OK       bool   `json:"ok"`
		Descr    string `json:"descr"`
		ItemSize int    `json:"itemsize"`
		Native   bool   `json:"native"`
		Object   bool   `json:"object"`
		Err      string `json:"err"`
	}
	numpytest.RunJSON(t, descrScript, descrs, &got)
	require.Len(t, got, len(descrs))
	for i, s := range descrs {
		g := got[i]
		d, err := ParseDescr(s)
		if !g.OK {
			assert.ErrorIs(t, err, ErrDescr, "%s: NumPy rejects it (%s)", s, g.Err)
			continue
		}
		if !assert.NoError(t, err, s) {
			continue
		}
		assert.Equal(t, g.Descr, d.String(), s)
		assert.Equal(t, g.ItemSize, d.ItemSize, s)
		assert.Equal(t, g.Object, d.HasObject(), s)
		assert.Equal(t, g.Native, d.IsNative(), s)
		back, err := ParseDescr(d.String())
		require.NoError(t, err, s)
		assert.True(t, back.Equal(d), s)
	}
}

const loadScript = `
import sys, json, io, base64, numpy as np
out = []
for b64 in json.load(sys.stdin):
    b = base64.b64decode(b64)
    try:
        a = np.load(io.BytesIO(b + bytes(4096)))
        f = io.BytesIO(b)
        shape, fortran, _ = np.lib.format._read_array_header(f, np.lib.format.read_magic(f))
        out.append({"ok": True, "shape": list(a.shape), "fortran": fortran})
    except Exception as e:
        out.append({"ok": False, "err": type(e).__name__ + ": " + str(e)})
json.dump(out, sys.stdout)
`

// TestInteropShapes gives crafted headers to np.load and to Parse: both
// must accept the same ones (with the same shape) and refuse the others.
// Python's literal_eval takes more than np.load does (a bool is an int to
// it), so the reference is np.load, not the header reader alone.
func TestInteropShapes(t *testing.T) {
	t.Parallel()
	shapes := []string{
		"(True, 2)", "(False,)", "(2, True)", "(True,)", "(0, False)", "(True, False)",
		"()", "(3,)", "(2, 3)", "(0x10,)", "(+3,)", "(-0,)", "(1_0,)", "(0o7, 0b1)", "(2, 3,)",
		"(-1,)", "(1.0,)", "(3j,)", "(None,)", "('3',)", "[2]", "3", "((2,),)",
	}
	var headers [][]byte
	for _, shape := range shapes {
		for _, fortran := range []string{"False", "True"} {
			headers = append(headers, v1("{'descr': '<f8', 'fortran_order': "+fortran+", 'shape': "+shape+", }"))
		}
	}
	// Python 2 long integers, which only versions 1.0 and 2.0 accept, and
	// only with an upper-case L.
	for _, shape := range []string{"(2L, 3L)", "(2 L,)", "(2L L,)", "(0x1fL,)", "(3l,)", "(3Lx,)", "(3\nL,)"} {
		for _, major := range []byte{1, 2, 3} {
			headers = append(headers, npyPrefix(major, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': "+shape+", }"))
		}
	}
	var got []struct {
		OK      bool   `json:"ok"`
		Shape   []int  `json:"shape"`
		Fortran bool   `json:"fortran"`
		Err     string `json:"err"`
	}
	numpytest.RunJSON(t, loadScript, headers, &got)
	require.Len(t, got, len(headers))
	var mismatches []string
	for i, b := range headers {
		g := got[i]
		h, err := Parse(b)
		text := string(b[6:])
		switch {
		case g.OK && err != nil:
			mismatches = append(mismatches, fmt.Sprintf("%q: NumPy loads shape %v, Parse fails: %v", text, g.Shape, err))
		case !g.OK && err == nil:
			mismatches = append(mismatches, fmt.Sprintf("%q: NumPy refuses (%s), Parse returns shape %v", text, g.Err, h.Shape))
		case g.OK && (!slices.Equal(g.Shape, h.Shape) || g.Fortran != h.FortranOrder):
			mismatches = append(mismatches, fmt.Sprintf("%q: NumPy loads shape %v fortran %v, Parse returns %v fortran %v",
				text, g.Shape, g.Fortran, h.Shape, h.FortranOrder))
		}
	}
	assert.Empty(t, mismatches)
}

const headerScript = `
import sys, json, io, base64, numpy as np
out = []
for c in json.load(sys.stdin):
    descr = np.lib.format.dtype_to_descr(eval(c["dtype"], {"np": np}))
    b = io.BytesIO()
    np.lib.format._write_array_header(b, {"descr": descr, "fortran_order": c["fortran"], "shape": tuple(c["shape"])})
    out.append({"bytes": base64.b64encode(b.getvalue()).decode(), "descr": repr(descr)})
json.dump(out, sys.stdout)
`

// structuredOfTextLen returns a NumPy dtype expression whose header, for the
// C-order shape (1,), has exactly textLen characters before NumPy's
// alignment padding (the growth slack included).
func structuredOfTextLen(t *testing.T, textLen int) string {
	t.Helper()
	// "{'descr': " + descr + ", 'fortran_order': False, 'shape': (1,), }" +
	// 20 spaces of growth slack; each field ('f00000', '|u1') is 17
	// characters and 2 more for the separator, the brackets 2 in all.
	fixed := len("{'descr': ") + len(", 'fortran_order': False, 'shape': (1,), }") + 20
	descrLen := textLen - fixed
	n, extra := descrLen/19, descrLen%19
	require.Positive(t, n)
	var b strings.Builder
	b.WriteString("np.dtype([")
	for i := range n {
		name := fmt.Sprintf("f%05d", i)
		if i == n-1 {
			name += strings.Repeat("x", extra)
		}
		fmt.Fprintf(&b, "(%q, '|u1'), ", name)
	}
	b.WriteString("])")
	return b.String()
}

// TestInteropEncodeHeaderOnly compares Encode with NumPy's header writer
// (np.lib.format._write_array_header, which np.save uses) byte for byte,
// for headers whose arrays would be too large to save: the version chosen
// at the edges of version 1.0's 65535-byte length field, and the growth
// slack taken from the last axis in Fortran order, the first in C order.
func TestInteropEncodeHeaderOnly(t *testing.T) {
	t.Parallel()
	type headerCase struct {
		DType   string `json:"dtype"`
		Shape   []int  `json:"shape"`
		Fortran bool   `json:"fortran"`
		version Version
	}
	var cases []headerCase
	// Text lengths: well inside version 1.0 (above 32767, the int16 limit),
	// the longest text that fits (its length field is 65526, the data
	// starts at 65536), and the first ones that need version 2.0.
	for _, c := range []struct {
		textLen int
		version Version
	}{{40000, Version1}, {65524, Version1}, {65525, Version2}, {65535, Version2}, {65536, Version2}} {
		cases = append(cases, headerCase{structuredOfTextLen(t, c.textLen), []int{1}, false, c.version})
	}
	// The growth slack (21 - digits of the growth axis) is only visible when
	// it moves the text across a 64-byte boundary: sweep the text length
	// over every residue for shapes whose first and last axes differ in
	// digit count.
	shapes := [][]int{{1, 1, 10000, 100000}, {100000, 10000, 1, 1}, {1, 100000}, {100000, 1}, {7, 1234567}}
	for pad := range ArrayAlign {
		dtype := fmt.Sprintf("np.dtype([(%q, '|u1')])", "a"+strings.Repeat("b", pad))
		for _, shape := range shapes {
			for _, fortran := range []bool{false, true} {
				cases = append(cases, headerCase{dtype, shape, fortran, Version1})
			}
		}
	}
	var got []struct {
		Bytes []byte `json:"bytes"`
		Descr string `json:"descr"`
	}
	numpytest.RunJSON(t, headerScript, cases, &got)
	require.Len(t, got, len(cases))
	var mismatches []string
	for i, c := range cases {
		g := got[i]
		name := fmt.Sprintf("case %d (shape %v, fortran %v, header of %d bytes)", i, c.Shape, c.Fortran, len(g.Bytes))
		if v := (Version{g.Bytes[6], g.Bytes[7]}); v != c.version {
			// The case does not test what it is meant to.
			mismatches = append(mismatches, fmt.Sprintf("%s: NumPy wrote version %s, the case expects %s", name, v, c.version))
			continue
		}
		d, err := ParseDescr(g.Descr)
		if err != nil {
			mismatches = append(mismatches, fmt.Sprintf("%s: ParseDescr: %v", name, err))
			continue
		}
		enc, err := Header{DType: d, FortranOrder: c.Fortran, Shape: c.Shape}.Encode()
		if err != nil {
			mismatches = append(mismatches, fmt.Sprintf("%s: Encode: %v", name, err))
			continue
		}
		if !bytes.Equal(enc, g.Bytes) {
			mismatches = append(mismatches, fmt.Sprintf("%s: Encode wrote %d bytes, version %d.%d; NumPy %d bytes, version %d.%d",
				name, len(enc), enc[6], enc[7], len(g.Bytes), g.Bytes[6], g.Bytes[7]))
		}
	}
	assert.Empty(t, mismatches)
}
