package mmarray_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// These tests run NumPy both ways for the dtypes beyond plain numbers:
// float16, S, U, V, datetime64, timedelta64 and structured arrays. Both
// sides fill every leaf field with the same formula (pyLeafFormula and
// leafValue), numbered depth first in declaration order.

// pyLeafFormula is leafValue in Python: the values of a leaf field view of
// dtype dt and shape shape, numbered seed, element k in C order.
const pyLeafFormula = `
import ast

NAT = -2**63
TENTH = np.array([0x3DCCCCCD], np.uint32).view(np.float32)[0]

def dtype_of(descr):
    return np.lib.format.descr_to_dtype(ast.literal_eval(descr) if descr.startswith('[') else descr)

def leaf_values(dt, shape, seed):
    n = int(np.prod(shape, dtype=np.int64))
    k = np.arange(n, dtype=np.int64)
    x32 = k.astype(np.float32) * TENTH + np.float32(seed)
    kind = dt.kind
    if kind == 'b':
        v = (k + seed) % 3 == 0
    elif kind in 'iu':
        v = k * 0x0123456789AB + seed * 131 - 50
    elif kind == 'f':
        v = x32
    elif kind == 'c':
        v = x32.astype(np.float64) + 1j * (k * 0.25 + 1)
    elif kind == 'S':
        v = np.array([((b'\0' if i % 4 == 0 else b'') + ('%d.%d' % (seed, i)).encode())[:dt.itemsize]
                      for i in k.tolist()], dtype=dt)
    elif kind == 'U':
        picks = ['\u00e9', '\u65e5\u672c', '\U0001F600', 'a\0']
        v = np.array([(picks[i % 4] + str(seed * 100 + i))[:dt.itemsize // 4] for i in k.tolist()], dtype=dt)
    elif kind in 'Mm':
        ints = (k - 3) * 1000003 + seed * 7
        ints[k == 2] = NAT
        v = ints.astype(dt.str[0] + 'i8').view(dt)
    elif kind == 'V':
        v = np.array([bytes((i * 7 + seed + j) % 256 for j in range(dt.itemsize)) for i in k.tolist()], dtype=dt)
    else:
        raise ValueError(dt)
    with np.errstate(all='ignore'):
        return v.astype(dt).reshape(shape)

def leaves(a, prefix=()):
    """(path, view) of every leaf field, depth first; subarray axes included."""
    if a.dtype.names is None:
        return [(prefix, a)]
    out = []
    for name in a.dtype.names:
        out += leaves(a[name], prefix + (name,))
    return out

def fill(a, seed_offset=0):
    for seed, (path, v) in enumerate(leaves(a)):
        v[...] = leaf_values(v.dtype, v.shape, seed + seed_offset)

def same_bytes(got, want):
    return np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(want).tobytes()
`

// interopDTypeDescrs are the dtypes Go and NumPy exchange, plain and
// structured (packed, aligned with padding, nested, subarrays, big-endian,
// strings and times in records).
var interopDTypeDescrs = []string{
	"<f2", ">f2", "|S5", "<U4", ">U4", "<M8[ms]", ">m8[s]", "|V3", "|b1", ">M8[25s]",
	"[('a', '<i4'), ('b', '<f8'), ('c', '|u1'), ('d', '<f2')]",
	"[('a', '|i1'), ('', '|V3'), ('b', '<i4'), ('c', '|u1'), ('', '|V1'), ('d', '<f2'), ('', '|V2')]",
	"[('id', '<i4'), ('pos', [('x', '<f4'), ('y', '>f8')]), ('meta', [('flag', '|b1'), ('inner', [('k', '>i2'), ('t', '<M8[us]')])])]",
	"[('v', '<f4', (3,)), ('m', '>i2', (2, 3)), ('ss', ('<u2', (2,)), (3,)), ('recs', [('p', '<i4'), ('q', '|S3')], (2,))]",
	"[('a', '>i8'), ('b', '>f4'), ('c', '>c16'), ('d', '>U2'), ('e', '>m8[ns]'), ('f', '>u2'), ('g', '>f2')]",
	"[('name', '|S4'), ('label', '<U3'), ('when', '<M8[D]'), ('raw', '|V2'), ('z', '<c8')]",
}

// interopDTypeCase is one file both sides make or read.
type interopDTypeCase struct {
	Descr   string `json:"descr"`
	Shape   []int  `json:"shape"`
	Fortran bool   `json:"fortran"`
	File    string `json:"file"`
	Leaves  []leaf `json:"leaves"`
}

// leaf is one leaf field: its path of names (none for a plain dtype) and its
// number in the formula.
type leaf struct {
	Path []string `json:"path"`
	Seed int      `json:"seed"`
}

func interopDTypeCases(t *testing.T, dir string) []interopDTypeCase {
	var cases []interopDTypeCase
	for i, descr := range interopDTypeDescrs {
		dt, err := npyheader.ParseDescr(descr)
		require.NoError(t, err, descr)
		shapes := [][]int{{7}, {3, 4}}
		if dt.Structured() {
			shapes = [][]int{{5}, {2, 3}}
		}
		for j, shape := range shapes {
			cases = append(cases, interopDTypeCase{
				Descr: descr, Shape: shape, Fortran: j == 1,
				File:   filepath.Join(dir, fmt.Sprintf("dtype%d_%d.npy", i, j)),
				Leaves: leavesOf(dt),
			})
		}
	}
	return cases
}

// leavesOf lists the leaf fields of dt depth first, as Python's leaves().
func leavesOf(dt npyheader.DType) []leaf {
	var out []leaf
	var walk func(dt npyheader.DType, path []string)
	walk = func(dt npyheader.DType, path []string) {
		if !dt.Structured() {
			out = append(out, leaf{Path: path, Seed: len(out)})
			return
		}
		for _, f := range dt.Fields {
			walk(f.Type, append(append([]string{}, path...), f.Name))
		}
	}
	walk(dt, []string{})
	return out
}

// leafView is the view of one leaf: the whole array, or Field after Field
// (NumPy's a["recs"]["p"]) from the records.
func leafView[T mmarray.Element](t *testing.T, f *mmarray.File, path []string) *mmarray.Array[T] {
	t.Helper()
	if len(path) == 0 {
		a, err := mmarray.View[T](f)
		require.NoError(t, err)
		return a
	}
	rec, err := mmarray.View[[]byte](f)
	require.NoError(t, err)
	for _, name := range path[:len(path)-1] {
		rec, err = mmarray.Field[[]byte](rec, name)
		require.NoError(t, err, "record field %q of %v", name, path)
	}
	a, err := mmarray.Field[T](rec, path[len(path)-1])
	require.NoError(t, err, "field %v", path)
	return a
}

// tenth is float32(0.1) spelled as bits, as Python's TENTH.
var tenth = math.Float32frombits(0x3DCCCCCD)

// leafX32 is the float32 both formulas start from; the explicit
// conversions keep Go from fusing the multiply and add.
func leafX32(k, seed int) float32 { return float32(float32(k)*tenth) + float32(seed) }

func leafTime(k, seed int) int64 {
	if k == 2 {
		return mmarray.NaT
	}
	return int64(k-3)*1000003 + int64(seed)*7
}

var unicodePicks = []string{"é", "日本", "😀", "a\x00"}

// leafValue is element k (C order) of leaf number seed, of dtype dt, as T.
func leafValue[T mmarray.Element](dt npyheader.DType, k, seed int) T {
	var v any
	var zero T
	switch any(zero).(type) {
	case bool:
		v = (k+seed)%3 == 0
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64:
		n := int64(k)*0x0123456789AB + int64(seed)*131 - 50
		switch any(zero).(type) {
		case int8:
			v = int8(n)
		case int16:
			v = int16(n)
		case int32:
			v = int32(n)
		case int64:
			v = n
		case uint8:
			v = uint8(n)
		case uint16:
			v = uint16(n)
		case uint32:
			v = uint32(n)
		case uint64:
			v = uint64(n)
		}
	case mmarray.Float16:
		v = mmarray.Float16FromFloat32(leafX32(k, seed))
	case float32:
		v = leafX32(k, seed)
	case float64:
		v = float64(leafX32(k, seed))
	case complex64:
		v = complex(leafX32(k, seed), float32(k)*0.25+1)
	case complex128:
		v = complex(float64(leafX32(k, seed)), float64(k)*0.25+1)
	case mmarray.Datetime64:
		v = mmarray.Datetime64(leafTime(k, seed))
	case mmarray.Timedelta64:
		v = mmarray.Timedelta64(leafTime(k, seed))
	case string:
		if dt.Kind == npyheader.Unicode {
			r := []rune(unicodePicks[k%4] + strconv.Itoa(seed*100+k))
			// As NumPy reads it: a cut can leave a trailing NUL.
			v = strings.TrimRight(string(r[:min(len(r), dt.ItemSize/4)]), "\x00")
		} else {
			v = string(leafBytes(dt, k, seed))
		}
	case []byte:
		if dt.Kind == npyheader.Void {
			b := make([]byte, dt.ItemSize)
			for j := range b {
				b[j] = byte((k*7 + seed + j) % 256)
			}
			v = b
		} else {
			v = leafBytes(dt, k, seed)
		}
	}
	return v.(T)
}

func leafBytes(dt npyheader.DType, k, seed int) []byte {
	s := fmt.Sprintf("%d.%d", seed, k)
	if k%4 == 0 {
		s = "\x00" + s
	}
	return bytes.TrimRight([]byte(s[:min(len(s), dt.ItemSize)]), "\x00")
}

// leafOps fills or checks one leaf with the Go type its dtype calls for.
type leafOps struct {
	// fill sets every element of the leaf's view, taken through sel, to
	// the formula numbered seed.
	fill  func(t *testing.T, f *mmarray.File, path []string, sel []mmarray.Sel, seed int)
	check func(t *testing.T, f *mmarray.File, path []string, sel []mmarray.Sel, seed int)
	// tooLong checks that values that do not fit the leaf are refused (S,
	// U and V only; nil for the others).
	tooLong func(t *testing.T, f *mmarray.File, path []string)
}

func opsFor[T mmarray.Element](same func(a, b T) bool) leafOps {
	view := func(t *testing.T, f *mmarray.File, path []string, sel []mmarray.Sel) *mmarray.Array[T] {
		a := leafView[T](t, f, path)
		if sel != nil {
			a = a.Slice(sel...)
		}
		return a
	}
	return leafOps{
		fill: func(t *testing.T, f *mmarray.File, path []string, sel []mmarray.Sel, seed int) {
			a := view(t, f, path, sel)
			shape := a.Shape()
			for k := range a.Len() {
				v := leafValue[T](a.DType(), k, seed)
				require.NoError(t, a.Fits(v))
				a.Set(v, formula.Unravel(k, shape)...)
			}
		},
		check: func(t *testing.T, f *mmarray.File, path []string, sel []mmarray.Sel, seed int) {
			a := view(t, f, path, sel)
			shape := a.Shape()
			var bad []string
			for k := range a.Len() {
				want := leafValue[T](a.DType(), k, seed)
				if got := a.At(formula.Unravel(k, shape)...); !same(want, got) {
					bad = append(bad, fmt.Sprintf("element %d: want %v, got %v", k, want, got))
				}
			}
			if len(bad) > 0 {
				t.Errorf("%s field %v: %d of %d elements differ, first: %s", f.Path(), path, len(bad), a.Len(), strings.Join(bad[:min(len(bad), 5)], "; "))
			}
		},
	}
}

// stringOps adds the refusal checks to a string leaf: a value one
// character too long (or not UTF-8, for U) must not fit, Set must panic,
// and the item must keep its value.
func stringOps() leafOps {
	ops := opsFor[string](func(a, b string) bool { return a == b })
	ops.tooLong = func(t *testing.T, f *mmarray.File, path []string) {
		a := leafView[string](t, f, path)
		if a.Len() == 0 {
			return
		}
		dt := a.DType()
		idx := make([]int, a.Ndim())
		before := a.At(idx...)
		bad := []string{strings.Repeat("x", dt.ItemSize+1)}
		if dt.Kind == npyheader.Unicode {
			n := dt.ItemSize / 4
			bad = []string{strings.Repeat("日", n+1), strings.Repeat("😀", n+1), "\xff"}
			require.NoError(t, a.Fits(strings.Repeat("😀", n)), "%d characters fit U%d", n, n)
		} else {
			require.NoError(t, a.Fits(strings.Repeat("\xff", dt.ItemSize)), "%d bytes fit S%d", dt.ItemSize, dt.ItemSize)
			require.ErrorIs(t, a.Fits(strings.Repeat("é", dt.ItemSize/2+1)), mmarray.ErrValue, "S counts bytes, not characters")
		}
		for _, s := range bad {
			require.ErrorIs(t, a.Fits(s), mmarray.ErrValue, "%q in %s", s, dt)
			requireMisuse(t, "mmarray: Set: "+strings.TrimPrefix(a.Fits(s).Error(), mmarray.ErrValue.Error()+": "), func() { a.Set(s, idx...) }, "%q in %s", s, dt)
			require.Equal(t, before, a.At(idx...), "a refused Set leaves the item alone")
		}
	}
	return ops
}

// voidOps adds the refusal checks to a V<n> leaf: only exactly n bytes fit.
func voidOps() leafOps {
	ops := opsFor[[]byte](bytes.Equal)
	ops.tooLong = func(t *testing.T, f *mmarray.File, path []string) {
		a := leafView[[]byte](t, f, path)
		if a.Len() == 0 {
			return
		}
		n := a.DType().ItemSize
		idx := make([]int, a.Ndim())
		before := a.At(idx...)
		require.NoError(t, a.Fits(make([]byte, n)))
		for _, bad := range [][]byte{make([]byte, n+1), make([]byte, n-1), nil} {
			require.ErrorIs(t, a.Fits(bad), mmarray.ErrValue, "%d bytes in V%d", len(bad), n)
			requireMisuse(t, "", func() { a.Set(bad, idx...) }, "%d bytes in V%d", len(bad), n)
			require.Equal(t, before, a.At(idx...), "a refused Set leaves the item alone")
		}
	}
	return ops
}

func floatBitsEqual[T float32 | float64](a, b T) bool {
	return math.Float64bits(float64(a)) == math.Float64bits(float64(b)) || (a != a && b != b)
}

// opsForDType picks the Go type for a leaf's dtype.
func opsForDType(t *testing.T, dt npyheader.DType) leafOps {
	t.Helper()
	key := fmt.Sprintf("%c%d", dt.Kind, dt.ItemSize)
	switch {
	case dt.Kind == npyheader.Bytes || dt.Kind == npyheader.Unicode:
		return stringOps()
	case dt.Kind == npyheader.Void:
		return voidOps()
	}
	ops, ok := map[string]leafOps{
		"b1": opsFor[bool](equal[bool]),
		"i1": opsFor[int8](equal[int8]), "i2": opsFor[int16](equal[int16]),
		"i4": opsFor[int32](equal[int32]), "i8": opsFor[int64](equal[int64]),
		"u1": opsFor[uint8](equal[uint8]), "u2": opsFor[uint16](equal[uint16]),
		"u4": opsFor[uint32](equal[uint32]), "u8": opsFor[uint64](equal[uint64]),
		"f2":  opsFor[mmarray.Float16](func(a, b mmarray.Float16) bool { return a.Bits() == b.Bits() }),
		"f4":  opsFor[float32](floatBitsEqual[float32]),
		"f8":  opsFor[float64](floatBitsEqual[float64]),
		"c8":  opsFor[complex64](equal[complex64]),
		"c16": opsFor[complex128](equal[complex128]),
		"M8":  opsFor[mmarray.Datetime64](equal[mmarray.Datetime64]),
		"m8":  opsFor[mmarray.Timedelta64](equal[mmarray.Timedelta64]),
	}[key]
	require.True(t, ok, "no Go type for %s", dt)
	return ops
}

// leafDType is the dtype of a leaf field of f.
func leafDType(t *testing.T, f *mmarray.File, path []string) npyheader.DType {
	t.Helper()
	dt := f.DType()
	for _, name := range path {
		found := false
		for _, fl := range dt.Fields {
			if fl.Name == name {
				dt, found = fl.Type, true
				break
			}
		}
		require.True(t, found, "field %v", path)
	}
	return dt
}

// (a) Files Go creates and fills through views and Field views are what
// NumPy computes from the same formula, byte for byte, in C and Fortran
// order; values that do not fit were refused without touching the file.
func TestDTypeFilesGoWritesNumPyReads(t *testing.T) {
	t.Parallel()
	numpytest.Python(t)
	cases := interopDTypeCases(t, t.TempDir())
	for _, c := range cases {
		f, err := mmarray.Create(c.File, c.Descr, c.Shape, mmarray.WithFortranOrder(c.Fortran))
		require.NoError(t, err, c.Descr)
		for _, l := range c.Leaves {
			dt := leafDType(t, f, l.Path)
			ops := opsForDType(t, dt)
			ops.fill(t, f, l.Path, nil, l.Seed)
			if ops.tooLong != nil {
				ops.tooLong(t, f, l.Path)
			}
			ops.check(t, f, l.Path, nil, l.Seed)
		}
		require.NoError(t, f.Flush())
		require.NoError(t, f.Close())
	}
	out := numpytest.Run(t, pyLeafFormula+`
checked = 0
for c in json.loads(sys.argv[1]):
    for mode in (None, 'r'):
        a = np.load(c['file'], mmap_mode=mode)
        assert a.dtype == dtype_of(c['descr']), (c['file'], a.dtype, c['descr'])
        assert list(a.shape) == c['shape'], c
        assert a.flags.f_contiguous == c['fortran'] or a.ndim < 2, c
        ls = leaves(a)
        assert len(ls) == len(c['leaves']), (c['descr'], len(ls), len(c['leaves']))
        for (path, v), want in zip(ls, c['leaves']):
            assert list(path) == want['path'], (path, want)
            exp = leaf_values(v.dtype, v.shape, want['seed'])
            assert same_bytes(v, exp), (c['descr'], path, v.tolist(), exp.tolist())
            checked += 1
print(checked)
`, toJSON(t, cases))
	checked, err := strconv.Atoi(strings.TrimSpace(out))
	require.NoError(t, err, out)
	leaves := 0
	for _, c := range cases {
		leaves += len(c.Leaves)
	}
	require.Equal(t, 2*leaves, checked, "NumPy compared every leaf of every file, loaded and mapped")
}

// (b) Files NumPy writes read, leaf by leaf through Field views, as the
// formula's values in Go, in every mode.
func TestDTypeFilesNumPyWritesGoReads(t *testing.T) {
	t.Parallel()
	numpytest.Python(t)
	cases := interopDTypeCases(t, t.TempDir())
	numpytest.Run(t, pyLeafFormula+`
for c in json.loads(sys.argv[1]):
    a = np.zeros(c['shape'], dtype_of(c['descr']), order='F' if c['fortran'] else 'C')
    fill(a)
    np.save(c['file'], a)
`, toJSON(t, cases))
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.Descr, " ", "")+fmt.Sprint(c.Shape), func(t *testing.T) {
			for _, mode := range []mmarray.Mode{mmarray.ReadOnly, mmarray.CopyOnWrite, mmarray.ReadWrite} {
				f, err := mmarray.Open(c.File, mode)
				require.NoError(t, err)
				require.Equal(t, c.Fortran, f.FortranOrder())
				for _, l := range c.Leaves {
					opsForDType(t, leafDType(t, f, l.Path)).check(t, f, l.Path, nil, l.Seed)
				}
				require.NoError(t, f.Close())
			}
		})
	}
}

// (c) Field writes in r+ on a file NumPy wrote reach exactly the field's
// bytes: NumPy, making the same change with a[path][::2] = ..., gets the
// same file, padding bytes (0xEE) included. The same writes in c mode show
// in the view and never reach the file.
func TestDTypeFieldWritesNumPySees(t *testing.T) {
	t.Parallel()
	numpytest.Python(t)
	dir := t.TempDir()
	var cases []interopDTypeCase
	for i, descr := range interopDTypeDescrs {
		dt, err := npyheader.ParseDescr(descr)
		require.NoError(t, err)
		if !dt.Structured() {
			continue
		}
		cases = append(cases, interopDTypeCase{Descr: descr, Shape: []int{5}, File: filepath.Join(dir, fmt.Sprintf("struct%d.npy", i)), Leaves: leavesOf(dt)})
	}
	const changed = 100 // the changed values are the formula numbered seed+changed
	numpytest.Run(t, pyLeafFormula+`
import shutil
for c in json.loads(sys.argv[1]):
    a = np.zeros(c['shape'], dtype_of(c['descr']))
    a.view(np.uint8)[...] = 0xEE
    fill(a)
    np.save(c['file'], a)
    shutil.copy(c['file'], c['file'] + '.cow.npy')
`, toJSON(t, cases))
	every2nd := []mmarray.Sel{mmarray.Span(0, mmarray.Omit, 2)}
	for _, c := range cases {
		f, err := mmarray.Open(c.File, mmarray.ReadWrite)
		require.NoError(t, err)
		cow, err := mmarray.Open(c.File+".cow.npy", mmarray.CopyOnWrite)
		require.NoError(t, err)
		before, err := os.ReadFile(c.File + ".cow.npy")
		require.NoError(t, err)
		for _, l := range c.Leaves {
			ops := opsForDType(t, leafDType(t, f, l.Path))
			ops.fill(t, f, l.Path, every2nd, l.Seed+changed)
			ops.check(t, f, l.Path, every2nd, l.Seed+changed)
			ops.fill(t, cow, l.Path, every2nd, l.Seed+changed)
			ops.check(t, cow, l.Path, every2nd, l.Seed+changed)
		}
		require.NoError(t, f.Flush())
		require.NoError(t, f.Close())
		require.NoError(t, cow.Close())
		after, err := os.ReadFile(c.File + ".cow.npy")
		require.NoError(t, err)
		require.True(t, bytes.Equal(before, after), "c mode changed %s", c.File)
	}
	numpytest.Run(t, pyLeafFormula+`
for c in json.loads(sys.argv[1]):
    want = np.zeros(c['shape'], dtype_of(c['descr']))
    want.view(np.uint8)[...] = 0xEE
    fill(want)
    cow = np.load(c['file'] + '.cow.npy')
    assert same_bytes(cow, want), (c['descr'], 'c mode reached the file')
    for seed, (path, v) in enumerate(leaves(want)):
        v[::2] = leaf_values(v.dtype, v[::2].shape, seed + int(sys.argv[2]))
    got = np.load(c['file'])
    assert same_bytes(got, want), (c['descr'], got.view(np.uint8).tobytes().hex(), want.view(np.uint8).tobytes().hex())
`, toJSON(t, cases), strconv.Itoa(changed))
}
