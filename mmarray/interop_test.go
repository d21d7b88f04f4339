package mmarray_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
)

// interopCase is one array both sides make.
type interopCase struct {
	Descr   string `json:"descr"`
	Shape   []int  `json:"shape"`
	Fortran bool   `json:"fortran"`
	File    string `json:"file"`
}

func (c interopCase) name() string {
	order := "C"
	if c.Fortran {
		order = "F"
	}
	return fmt.Sprintf("%s_%v_%s", c.Descr, c.Shape, order)
}

var interopShapes = []struct {
	shape   []int
	fortran bool
}{
	{[]int{}, false}, {[]int{0}, false}, {[]int{7}, false}, {[]int{3, 4}, false},
	{[]int{2, 3, 4}, false}, {[]int{0, 3}, false}, {[]int{3, 4}, true}, {[]int{2, 3, 4}, true},
}

func interopCases(dir string, descrs []string) []interopCase {
	var cases []interopCase
	for _, d := range descrs {
		for _, s := range interopShapes {
			c := interopCase{Descr: d, Shape: s.shape, Fortran: s.fortran}
			name := strings.NewReplacer("<", "le_", ">", "be_", "|", "na_", "[", "", "]", "", " ", "x").Replace(c.name())
			c.File = filepath.Join(dir, name+".npy")
			cases = append(cases, c)
		}
	}
	return cases
}

func toJSON(t *testing.T, v any) string {
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return string(raw)
}

// Create (w+) must give exactly the bytes np.save writes for the same array
// (zeros), for every dtype, shape and order, structured and string dtypes too.
func TestCreateIsByteIdenticalToNumPySave(t *testing.T) {
	t.Parallel()
	numpytest.Python(t)
	dir := t.TempDir()
	descrs := append(append([]string{}, numericDescrs...),
		"<f2", "|S5", "<U3", ">U3", "|V4", "<M8[ns]", ">m8[s]",
		"[('x', '<i4', (2,)), ('y', '>f8'), ('z', '|u1')]",
		"[('a', '|i1'), ('', '|V3'), ('b', '<i4')]")
	cases := interopCases(dir, descrs)
	numpytest.Run(t, `
for c in json.loads(sys.argv[1]):
    dt = np.lib.format.descr_to_dtype(eval(c['descr']) if c['descr'].startswith('[') else c['descr'])
    a = np.zeros(c['shape'], dtype=dt, order='F' if c['fortran'] else 'C')
    np.save(c['file'] + '.numpy', a)
`, toJSON(t, cases))
	for _, c := range cases {
		t.Run(c.name(), func(t *testing.T) {
			f, err := mmarray.Create(c.File, c.Descr, c.Shape, mmarray.WithFortranOrder(c.Fortran))
			require.NoError(t, err)
			require.NoError(t, f.Flush())
			require.NoError(t, f.Close())
			got, err := os.ReadFile(c.File)
			require.NoError(t, err)
			want, err := os.ReadFile(c.File + ".numpy.npy")
			require.NoError(t, err)
			require.True(t, bytes.Equal(want, got), "Create wrote\n%q\nnp.save wrote\n%q", got[:min(len(got), 256)], want[:min(len(want), 256)])
		})
	}
}

// Go creates and fills arrays through views; NumPy must load equal values,
// with the same dtype, shape and memory order.
func TestGoWritesNumPyReads(t *testing.T) {
	t.Parallel()
	numpytest.Python(t)
	cases := interopCases(t.TempDir(), numericDescrs)
	for _, c := range cases {
		f, err := mmarray.Create(c.File, c.Descr, c.Shape, mmarray.WithFortranOrder(c.Fortran))
		require.NoError(t, err)
		formula.ByKind[formula.KindOf(c.Descr)].Fill(t, f)
		require.NoError(t, f.Flush())
		require.NoError(t, f.Close())
	}
	out := numpytest.Run(t, `
bad = []
for c in json.loads(sys.argv[1]):
    a = np.load(c['file'])
    want = formula_array(c['descr'], c['shape'], 'F' if c['fortran'] else 'C')
    ok = (a.dtype == want.dtype and a.dtype.str == np.dtype(c['descr']).str and a.shape == want.shape
          and np.array_equal(a, want) and (not c['fortran'] or a.ndim < 2 or not a.flags.c_contiguous))
    if not ok:
        bad.append(c['file'])
print(json.dumps(bad))
`, toJSON(t, cases))
	require.JSONEq(t, "[]", out, "NumPy read different arrays from these files")
}

// NumPy writes arrays; Go must read equal values in every mode.
func TestNumPyWritesGoReads(t *testing.T) {
	t.Parallel()
	numpytest.Python(t)
	cases := interopCases(t.TempDir(), numericDescrs)
	numpytest.Run(t, `
for c in json.loads(sys.argv[1]):
    np.save(c['file'], formula_array(c['descr'], c['shape'], 'F' if c['fortran'] else 'C'))
`, toJSON(t, cases))
	for _, c := range cases {
		for _, mode := range []mmarray.Mode{mmarray.ReadOnly, mmarray.CopyOnWrite, mmarray.ReadWrite} {
			t.Run(c.name()+"_"+mode.String(), func(t *testing.T) {
				f, err := mmarray.Open(c.File, mode)
				require.NoError(t, err)
				defer f.Close()
				require.Equal(t, c.Descr, f.Descr())
				require.Equal(t, c.Shape, f.Shape())
				require.Equal(t, c.Fortran && len(c.Shape) > 1, f.FortranOrder())
				formula.ByKind[formula.KindOf(c.Descr)].Check(t, f)
			})
		}
	}
}

// Edits in r+ through Set, Fill on a slice and the zero-copy slice must be
// seen by NumPy after Flush.
func TestReadWriteEditsReachNumPy(t *testing.T) {
	t.Parallel()
	numpytest.Python(t)
	dir := t.TempDir()
	le, be := filepath.Join(dir, "le.npy"), filepath.Join(dir, "be.npy")
	numpytest.Run(t, `
np.save(sys.argv[1], np.arange(12, dtype='<f8').reshape(3, 4))
np.save(sys.argv[2], np.arange(12, dtype='>i4').reshape(3, 4))
`, le, be)

	f, err := mmarray.Open(le, mmarray.ReadWrite)
	require.NoError(t, err)
	a, err := mmarray.View[float64](f)
	require.NoError(t, err)
	a.Set(42, 1, 2)
	a.Slice(mmarray.Index(2)).Fill(-1)
	flat, ok := a.Contiguous()
	require.True(t, ok)
	flat[0] = 100
	require.NoError(t, f.Flush())
	require.NoError(t, f.Close())

	g, err := mmarray.Open(be, mmarray.ReadWrite)
	require.NoError(t, err)
	b, err := mmarray.View[int32](g)
	require.NoError(t, err)
	_, ok = b.Contiguous()
	require.False(t, ok, "big-endian data must not be handed out as a native slice")
	b.Slice(mmarray.All(), mmarray.Span(mmarray.Omit, mmarray.Omit, -3)).Fill(-7) // columns 3 and 0
	require.NoError(t, g.Flush())
	require.NoError(t, g.Close())

	out := numpytest.Run(t, `
a = np.load(sys.argv[1]); b = np.load(sys.argv[2])
print(json.dumps([a.tolist(), b.dtype.str, b.tolist()]))
`, le, be)
	require.JSONEq(t, `[[[100,1,2,3],[4,5,42,7],[-1,-1,-1,-1]], ">i4", [[-7,1,2,-7],[-7,5,6,-7],[-7,9,10,-7]]]`, out)
}

// Writes in mode c change memory only: the file's bytes stay the same and
// NumPy still reads the original values.
func TestCopyOnWriteNeverReachesFile(t *testing.T) {
	t.Parallel()
	numpytest.Python(t)
	path := filepath.Join(t.TempDir(), "cow.npy")
	numpytest.Run(t, `np.save(sys.argv[1], np.arange(4096, dtype='<i8'))`, path)
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	f, err := mmarray.Open(path, mmarray.CopyOnWrite)
	require.NoError(t, err)
	a, err := mmarray.View[int64](f)
	require.NoError(t, err)
	a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, 512)).Fill(-1)
	require.Equal(t, int64(-1), a.At(512))
	require.Equal(t, int64(513), a.At(513))
	require.NoError(t, f.Flush())
	g, err := mmarray.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	b, err := mmarray.View[int64](g)
	require.NoError(t, err)
	require.Equal(t, int64(512), b.At(512), "a second mapping must not see copy-on-write changes")
	require.NoError(t, g.Close())
	require.NoError(t, f.Close())

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, bytes.Equal(before, after), "copy-on-write changes reached the file")
	out := numpytest.Run(t, `print(bool((np.load(sys.argv[1]) == np.arange(4096)).all()))`, path)
	require.Equal(t, "True\n", out)
}

// OpenRaw in w+ with an unaligned offset and Fortran order must give what
// np.memmap reads with the same arguments, and r reads what np.memmap wrote.
func TestRawFilesMatchNumPyMemmap(t *testing.T) {
	t.Parallel()
	numpytest.Python(t)
	dir := t.TempDir()
	type rawCase struct {
		Descr   string `json:"descr"`
		Shape   []int  `json:"shape"`
		Offset  int64  `json:"offset"`
		Fortran bool   `json:"fortran"`
		File    string `json:"file"`
	}
	var cases []rawCase
	for i, d := range []string{"<f8", ">i2", "<c16", "|u1", ">f4", "|b1"} {
		cases = append(cases, rawCase{d, []int{5, 4}, int64(3 + i), i%2 == 0, filepath.Join(dir, fmt.Sprintf("go%d.dat", i))})
	}
	for _, c := range cases {
		f, err := mmarray.OpenRaw(c.File, mmarray.Write, c.Descr, c.Shape, c.Offset, mmarray.WithFortranOrder(c.Fortran))
		require.NoError(t, err)
		require.Equal(t, c.Offset+int64(20*f.DType().ItemSize), f.FileSize())
		formula.ByKind[formula.KindOf(c.Descr)].Fill(t, f)
		require.NoError(t, f.Flush())
		require.NoError(t, f.Close())
	}
	out := numpytest.Run(t, `
bad = []
for c in json.loads(sys.argv[1]):
    order = 'F' if c['fortran'] else 'C'
    a = np.memmap(c['file'], dtype=c['descr'], mode='r', offset=c['offset'], shape=tuple(c['shape']), order=order)
    if not np.array_equal(a, formula_array(c['descr'], c['shape'])):
        bad.append(c['file'])
    # NumPy writes a raw file of its own for Go to read back, 1-D, shape inferred.
    b = np.memmap(c['file'] + '.numpy', dtype=c['descr'], mode='w+', offset=c['offset'], shape=(20,))
    b[:] = formula_array(c['descr'], (20,))
    b.flush()
print(json.dumps(bad))
`, toJSON(t, cases))
	require.JSONEq(t, "[]", out)
	for _, c := range cases {
		f, err := mmarray.OpenRaw(c.File+".numpy", mmarray.ReadOnly, c.Descr, nil, c.Offset)
		require.NoError(t, err)
		require.Equal(t, []int{20}, f.Shape())
		formula.ByKind[formula.KindOf(c.Descr)].Check(t, f)
		require.NoError(t, f.Close())
	}
}

// Slice, Transpose and Reshape must select exactly what NumPy selects, with
// NumPy's shapes and byte strides, for C and Fortran files.
func TestViewsMatchNumPyIndexing(t *testing.T) {
	t.Parallel()
	numpytest.Python(t)
	dir := t.TempDir()
	exprs := []string{
		"", "1", "-1", "1:3", "::-1", "::2, 1", "..., 2", "1, ..., ::-1", ":, :, 1:4:2, -2",
		"-1:-4:-1, ::-2", "5:100", "-100:2", "3:1", "::-3, 2:, :1", "0, 0, 0, 0", "::7",
		"1:2, :, 3:0:-1", "..., ::-1, ::2", ":, -1", "10:0:-4",
	}
	type op struct {
		Expr      string `json:"expr"`
		Transpose []int  `json:"transpose"`
		Reshape   []int  `json:"reshape"`
	}
	var ops []op
	for _, e := range exprs {
		ops = append(ops, op{Expr: e})
	}
	ops = append(ops,
		op{Expr: "", Transpose: []int{}}, op{Expr: "::-1", Transpose: []int{2, 0, 3, 1}},
		op{Expr: "1", Transpose: []int{1, -1, 0}},
		op{Expr: "", Reshape: []int{6, -1}}, op{Expr: "", Reshape: []int{120}},
		op{Expr: "1", Reshape: []int{-1}}, op{Expr: ":, 1:3", Reshape: []int{2, 2, 20}},
		op{Expr: ":, 1:3", Reshape: []int{4, 20}}, op{Expr: "::-1", Reshape: []int{2, 60}},
		op{Expr: "..., ::2", Reshape: []int{2, 3, 4, 3}}, op{Expr: "..., ::2", Reshape: []int{-1}},
		op{Expr: "0", Reshape: []int{3, 1, 20}}, op{Expr: "", Reshape: []int{7, -1}},
	)
	for _, order := range []string{"C", "F"} {
		path := filepath.Join(dir, order+".npy")
		out := numpytest.Run(t, `
a = np.arange(120, dtype='<i8').reshape(2, 3, 4, 5)
if sys.argv[3] == 'F':
    a = np.asfortranarray(a)
np.save(sys.argv[1], a)
a = np.load(sys.argv[1], mmap_mode='r')
res = []
for op in json.loads(sys.argv[2]):
    v = eval('a[' + op['expr'] + ']') if op['expr'] else a
    r = {'ok': True}
    try:
        if op['transpose'] is not None:
            v = v.transpose(op['transpose']) if op['transpose'] else v.T
        if op['reshape'] is not None:
            w = v.reshape(op['reshape'])
            if w.size and not np.shares_memory(w, a):
                r['ok'] = False   # NumPy had to copy: Go must refuse
            v = w
    except ValueError:
        r['ok'] = False
    r.update(shape=list(v.shape), strides=list(v.strides), values=np.ravel(v).tolist())
    res.append(r)
print(json.dumps(res))
`, path, toJSON(t, ops), order)
		var want []struct {
			OK      bool    `json:"ok"`
			Shape   []int   `json:"shape"`
			Strides []int   `json:"strides"`
			Values  []int64 `json:"values"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &want))
		f, err := mmarray.Open(path, mmarray.ReadOnly)
		require.NoError(t, err)
		a, err := mmarray.View[int64](f)
		require.NoError(t, err)
		for i, o := range ops {
			t.Run(fmt.Sprintf("%s/%q/T%v/R%v", order, o.Expr, o.Transpose, o.Reshape), func(t *testing.T) {
				sels, err := mmarray.ParseIndex(o.Expr)
				require.NoError(t, err)
				v := a.Slice(sels...)
				if o.Transpose != nil {
					v = v.Transpose(o.Transpose...)
				}
				if o.Reshape != nil {
					r, err := v.Reshape(o.Reshape...)
					if !want[i].OK {
						require.ErrorIs(t, err, mmarray.ErrReshape)
						return
					}
					require.NoError(t, err)
					v = r
				}
				require.True(t, want[i].OK)
				require.Equal(t, want[i].Shape, v.Shape())
				require.Equal(t, want[i].Strides, v.Strides())
				got := make([]int64, v.Len())
				v.CopyTo(got)
				require.Equal(t, want[i].Values, got)
				if flat, ok := v.Contiguous(); ok {
					require.Equal(t, want[i].Values, append([]int64{}, flat...))
				}
			})
		}
		require.NoError(t, f.Close())
	}
}
