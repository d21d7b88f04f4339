package gonumview_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/gonumview"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// createIndexed makes a new .npy of the given dtype and shape in w+ mode
// whose element at flat C-order index k holds k, so a value read anywhere
// names the element it came from.
func createIndexed[T float32 | float64](t *testing.T, descr string, shape []int, opts ...mmarray.CreateOption) (*mmarray.File, *mmarray.Array[T]) {
	t.Helper()
	f, err := mmarray.Create(filepath.Join(t.TempDir(), "a.npy"), descr, shape, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	a, err := mmarray.View[T](f)
	require.NoError(t, err)
	if !a.IsContiguous() { // a Fortran-order file: set through the general index
		for k := range a.Len() {
			idx := make([]int, len(shape))
			rest := k
			for axis := len(shape) - 1; axis >= 0; axis-- {
				idx[axis] = rest % shape[axis]
				rest /= shape[axis]
			}
			a.Set(T(k), idx...)
		}
		return f, a
	}
	flat := numpytest.Must(a.Reshape(a.Len()))
	for k := range flat.Len() {
		flat.Set1(T(k), k)
	}
	return f, a
}

func TestDenseSharesMemory(t *testing.T) {
	t.Parallel()
	_, a := createIndexed[float64](t, "<f8", []int{6, 5})
	d, err := gonumview.Dense(a)
	require.NoError(t, err)

	full, ok := a.Contiguous()
	require.True(t, ok)
	raw := d.RawMatrix()
	require.Equal(t, []int{6, 5, 5}, []int{raw.Rows, raw.Cols, raw.Stride})
	require.Len(t, raw.Data, len(full))
	require.Same(t, &full[0], &raw.Data[0], "the Dense's data must be the mapping itself")

	var mismatches []string
	for i := range 6 {
		for j := range 5 {
			if got, want := d.At(i, j), a.At2(i, j); got != want {
				mismatches = append(mismatches, fmt.Sprintf("(%d,%d): Dense %v, view %v", i, j, got, want))
			}
		}
	}
	require.Empty(t, mismatches)

	a.Set2(-7.5, 2, 3)
	require.Equal(t, -7.5, d.At(2, 3), "a Set on the view is read by Dense.At")
	d.Set(4, 1, 12.25)
	require.Equal(t, 12.25, a.At2(4, 1), "a Dense.Set is read by the view")
}

// TestDenseWrites writes through the Dense of columns 1 and 2 and reads the
// file back from a fresh ReadOnly open: the writes reach it in ReadWrite
// mode, and only the private copy in CopyOnWrite mode.
func TestDenseWrites(t *testing.T) {
	t.Parallel()
	for _, mode := range []mmarray.Mode{mmarray.ReadWrite, mmarray.CopyOnWrite} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			f, _ := createIndexed[float64](t, "<f8", []int{3, 4})
			path := f.Path()
			require.NoError(t, f.Close())

			mapped, err := mmarray.Open(path, mode)
			require.NoError(t, err)
			a, err := mmarray.View[float64](mapped)
			require.NoError(t, err)
			d, err := gonumview.Dense(a.Slice(mmarray.All(), mmarray.Span(1, 3, 1)))
			require.NoError(t, err)
			d.Scale(10, d) // in place: the receiver is the view's memory
			require.Equal(t, 50.0, a.At2(1, 1), "the view sees the write")
			require.NoError(t, mapped.Flush())
			require.NoError(t, mapped.Close())

			reopened, err := mmarray.Open(path, mmarray.ReadOnly)
			require.NoError(t, err)
			defer reopened.Close()
			b, err := mmarray.View[float64](reopened)
			require.NoError(t, err)
			var mismatches []string
			for i := range 3 {
				for j := range 4 {
					want := float64(i*4 + j)
					if mode == mmarray.ReadWrite && (j == 1 || j == 2) {
						want *= 10
					}
					if got := b.At2(i, j); got != want {
						mismatches = append(mismatches, fmt.Sprintf("(%d,%d): %v, want %v", i, j, got, want))
					}
				}
			}
			require.Empty(t, mismatches)
		})
	}
}

// TestRowStridedViews checks every view gonum can address: each element of
// the matrix must be the view's element, at the very address of that
// element in the whole array (found through the element's value, its flat
// index).
func TestRowStridedViews(t *testing.T) {
	t.Parallel()
	_, a := createIndexed[float64](t, "<f8", []int{8, 6})
	full, ok := a.Contiguous()
	require.True(t, ok)
	sel := func(text string) *mmarray.Array[float64] {
		sels, err := mmarray.ParseIndex(text)
		require.NoError(t, err)
		return a.Slice(sels...)
	}
	tests := []struct {
		name       string
		view       *mmarray.Array[float64]
		wantStride int
	}{
		{"whole", a, 6},
		{"column block a[:, 2:5]", sel(":, 2:5"), 6},
		{"block a[1:4, 1:3]", sel("1:4, 1:3"), 6},
		{"every other row a[::2]", sel("::2"), 12},
		{"every third row, columns a[1::3, 3:]", sel("1::3, 3:"), 18},
		{"one column a[:, 4:5]", sel(":, 4:5"), 6},
		{"one row reversed rows a[::-1][2:3]", sel("::-1").Slice(mmarray.Span(2, 3, 1)), 6},
		{"one row of the transpose as a column a.T[:, 0:1]", a.Transpose().Slice(mmarray.All(), mmarray.Span(0, 1, 1)), 1},
		{"reshaped a.reshape(12, 4)", numpytest.Must(a.Reshape(12, 4)), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := gonumview.Dense(tt.view)
			require.NoError(t, err)
			raw := d.RawMatrix()
			shape := tt.view.Shape()
			require.Equal(t, shape, []int{raw.Rows, raw.Cols})
			require.Equal(t, tt.wantStride, raw.Stride)
			require.Equal(t, cap(raw.Data), len(raw.Data), "no capacity past the last element")
			var mismatches []string
			for i := range shape[0] {
				for j := range shape[1] {
					v := tt.view.At2(i, j)
					if got := d.At(i, j); got != v {
						mismatches = append(mismatches, fmt.Sprintf("(%d,%d): Dense %v, view %v", i, j, got, v))
						continue
					}
					if &raw.Data[i*raw.Stride+j] != &full[int(v)] {
						mismatches = append(mismatches, fmt.Sprintf("(%d,%d): not at the address of element %v", i, j, v))
					}
				}
			}
			require.Empty(t, mismatches)
		})
	}
}

// TestStructuredField shares a subarray field of records, whose rows are a
// record apart, with the other fields' bytes between them.
func TestStructuredField(t *testing.T) {
	t.Parallel()
	f, err := mmarray.Create(filepath.Join(t.TempDir(), "rec.npy"), "[('x', '<f8'), ('y', '<f8', (3,)), ('z', '<i8')]", []int{4})
	require.NoError(t, err)
	defer f.Close()
	rows, err := mmarray.View[[]byte](f)
	require.NoError(t, err)
	y, err := mmarray.Field[float64](rows, "y")
	require.NoError(t, err)
	z, err := mmarray.Field[int64](rows, "z")
	require.NoError(t, err)
	for i := range 4 {
		z.Set1(-1, i)
		for j := range 3 {
			y.Set2(float64(10*i+j), i, j)
		}
	}

	d, err := gonumview.Dense(y)
	require.NoError(t, err)
	require.Equal(t, 5, d.RawMatrix().Stride, "a 40-byte record is 5 float64s")
	var sum mat.VecDense
	sum.MulVec(d.T(), mat.NewVecDense(4, []float64{1, 1, 1, 1}))
	require.Equal(t, []float64{60, 64, 68}, sum.RawVector().Data, "column sums over the y field")

	d.Set(3, 2, 0.5)
	require.Equal(t, 0.5, y.At2(3, 2))
	for i := range 4 {
		require.Equal(t, int64(-1), z.At1(i), "the other fields are untouched")
	}
}

// TestRefusals checks that every view gonum cannot address in place is
// refused with ErrLayout, and says why.
func TestRefusals(t *testing.T) {
	t.Parallel()
	_, a := createIndexed[float64](t, "<f8", []int{4, 6})
	_, swapped := createIndexed[float64](t, nonNativeF8(), []int{4, 6})
	_, fortran := createIndexed[float64](t, "<f8", []int{4, 6}, mmarray.WithFortranOrder(true))
	_, cube := createIndexed[float64](t, "<f8", []int{2, 3, 4})
	_, short := createIndexed[float64](t, "<f8", []int{5})

	raw := filepath.Join(t.TempDir(), "raw.bin")
	rf, err := mmarray.OpenRaw(raw, mmarray.Write, "<f8", []int{3, 2}, 2)
	require.NoError(t, err)
	t.Cleanup(func() { rf.Close() })
	misaligned, err := mmarray.View[float64](rf)
	require.NoError(t, err)

	recf, err := mmarray.Create(filepath.Join(t.TempDir(), "rec.npy"), "[('y', '<f8', (2,)), ('t', '<i4')]", []int{3})
	require.NoError(t, err)
	t.Cleanup(func() { recf.Close() })
	recs, err := mmarray.View[[]byte](recf)
	require.NoError(t, err)
	oddRecord, err := mmarray.Field[float64](recs, "y")
	require.NoError(t, err)

	sel := func(text string) *mmarray.Array[float64] {
		sels, err := mmarray.ParseIndex(text)
		require.NoError(t, err)
		return a.Slice(sels...)
	}
	tests := []struct {
		name   string
		view   *mmarray.Array[float64]
		reason string
	}{
		{"1-D", short, "1-D, not 2-D"},
		{"3-D", cube, "3-D, not 2-D"},
		{"a row a[1] (1-D)", sel("1"), "1-D, not 2-D"},
		{"byte-swapped", swapped, "-endian data on a "},
		{"Fortran-order file", fortran, "elements of a row are 32 bytes apart, not 8"},
		{"transposed a.T", a.Transpose(), "elements of a row are 48 bytes apart, not 8"},
		{"skipping columns a[:, ::2]", sel(":, ::2"), "elements of a row are 16 bytes apart, not 8"},
		{"reversed columns a[:, ::-1]", sel(":, ::-1"), "elements of a row are -8 bytes apart, not 8"},
		{"reversed rows a[::-1]", sel("::-1"), "rows are -48 bytes apart"},
		{"misaligned raw data at offset 2", misaligned, "not aligned"},
		{"record of 20 bytes", oddRecord, "rows are 20 bytes apart, not a multiple of 8 bytes"},
		{"empty a[2:2]", sel("2:2"), "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := gonumview.Dense(tt.view)
			require.Nil(t, d)
			require.ErrorIs(t, err, gonumview.ErrLayout)
			require.ErrorContains(t, err, tt.reason)
			require.True(t, strings.HasPrefix(err.Error(), "dense matrix over Array[float64] shape "), err.Error())
			require.Equal(t, 1, strings.Count(err.Error(), "gonumview"), "the package is named once, by the sentinel: %v", err)

			_, err64 := gonumview.General64(tt.view)
			if tt.reason == "empty" {
				require.NoError(t, err64, "a blas64.General may be empty")
				return
			}
			require.ErrorIs(t, err64, gonumview.ErrLayout)
			require.ErrorContains(t, err64, tt.reason)
		})
	}
}

// nonNativeF8 is the float64 dtype in the byte order this machine does not
// use.
func nonNativeF8() string {
	if npyheader.NativeOrder() == npyheader.LittleEndian {
		return ">f8"
	}
	return "<f8"
}

func TestGeneral32(t *testing.T) {
	t.Parallel()
	_, a := createIndexed[float32](t, "<f4", []int{5, 4})
	full, ok := a.Contiguous()
	require.True(t, ok)
	cols := a.Slice(mmarray.All(), mmarray.Span(1, 3, 1))
	g, err := gonumview.General32(cols)
	require.NoError(t, err)
	require.Equal(t, []int{5, 2, 4}, []int{g.Rows, g.Cols, g.Stride})
	require.Same(t, &full[1], &g.Data[0])
	require.Len(t, g.Data, 4*4+2)

	g.Data[2*g.Stride+1] = 99
	require.Equal(t, float32(99), cols.At2(2, 1))

	_, err = gonumview.General32(a.Transpose())
	require.ErrorIs(t, err, gonumview.ErrLayout)
	require.True(t, strings.HasPrefix(err.Error(), "blas32 matrix over Array[float32] shape [4 5]"), err.Error())

	empty, err := gonumview.General32(a.Slice(mmarray.Span(0, 0, 1)))
	require.NoError(t, err)
	require.Equal(t, blas32.General{Rows: 0, Cols: 4, Stride: 4}, empty)
}

func TestMisusePanics(t *testing.T) {
	t.Parallel()
	f, a := createIndexed[float64](t, "<f8", []int{2, 2})
	require.NoError(t, f.Close())
	for name, view := range map[string]*mmarray.Array[float64]{"nil view": nil, "closed view": a} {
		value := recoverValue(func() { gonumview.Dense(view) })
		_, ok := value.(*memmap.Misuse)
		require.True(t, ok, "%s: panic value %#v is not a *memmap.Misuse", name, value)
	}
}

func recoverValue(f func()) (value any) {
	defer func() { value = recover() }()
	f()
	return nil
}

// TestAgainstNumPy multiplies strided views with gonum and compares with
// NumPy's results on the same file. The formula's values are multiples of
// 1/4 and the sums short, so every result is exact in any summation order.
func TestAgainstNumPy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f64 := filepath.Join(dir, "a64.npy")
	f32 := filepath.Join(dir, "a32.npy")
	var want struct {
		Gram    [][]float64 `json:"gram"`
		ColSum  []float64   `json:"colsum"`
		Product [][]float32 `json:"product"`
	}
	require.NoError(t, json.Unmarshal([]byte(numpytest.Run(t, `
a = formula_array('<f8', (7, 6))
np.save(sys.argv[1], a)
b = formula_array('<f4', (5, 8))
np.save(sys.argv[2], b)
w = np.load(sys.argv[1], mmap_mode='r')[:, 1:4]
v = np.load(sys.argv[2], mmap_mode='r')
x, y = v[::2, 2:5], v[1:4, 4:7]
print(json.dumps({
    "gram": (w.T @ w).tolist(),
    "colsum": w.sum(axis=0).tolist(),
    "product": (x @ y).astype(np.float64).tolist(),
}))
`, f64, f32)), &want))

	fa, err := mmarray.Open(f64, mmarray.ReadOnly)
	require.NoError(t, err)
	defer fa.Close()
	a, err := mmarray.View[float64](fa)
	require.NoError(t, err)
	w, err := gonumview.Dense(a.Slice(mmarray.All(), mmarray.Span(1, 4, 1)))
	require.NoError(t, err)
	var gram mat.Dense
	gram.Mul(w.T(), w)
	require.Equal(t, want.Gram, rowsOf(&gram))
	colSum := make([]float64, 3)
	for j := range colSum {
		colSum[j] = mat.Sum(w.ColView(j))
	}
	require.Equal(t, want.ColSum, colSum)

	fb, err := mmarray.Open(f32, mmarray.ReadOnly)
	require.NoError(t, err)
	defer fb.Close()
	b, err := mmarray.View[float32](fb)
	require.NoError(t, err)
	x, err := gonumview.General32(b.Slice(mmarray.Span(0, 5, 2), mmarray.Span(2, 5, 1)))
	require.NoError(t, err)
	y, err := gonumview.General32(b.Slice(mmarray.Span(1, 4, 1), mmarray.Span(4, 7, 1)))
	require.NoError(t, err)
	product := blas32.General{Rows: 3, Cols: 3, Stride: 3, Data: make([]float32, 9)}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, x, y, 0, product)
	got := make([][]float32, 3)
	for i := range got {
		got[i] = product.Data[i*3 : i*3+3]
	}
	require.Equal(t, want.Product, got)
}

func rowsOf(m *mat.Dense) [][]float64 {
	r, _ := m.Dims()
	rows := make([][]float64, r)
	for i := range rows {
		rows[i] = mat.Row(nil, i, m)
	}
	return rows
}
