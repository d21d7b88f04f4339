package compute_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// numpyAxisReductions writes one 2-D and one 3-D .npy file per dtype, byte
// order and memory order into the folder named (in JSON) on its standard
// input, and prints NumPy's reductions along every axis of each of their
// views (whole, transposed, strided and reversed), float results computed
// in float64 as this package computes them. The 2-D shape has 69000 elements and the 3-D one 72000, more than
// one chunk of the engine.
const numpyAxisReductions = `
import warnings, os
warnings.filterwarnings("ignore")
d = json.load(sys.stdin)
rng = np.random.default_rng(19)
out = {}
def f(x): return repr(float(x))
def results(v, axis, kind):
    w = v.astype(np.float64)
    fin = np.abs(np.where(np.isfinite(w), w, 0))
    r = {"shape": list(np.sum(w, axis=axis).shape), "scale": f(fin.max() if fin.size else 0.0), "scale_sum": f(fin.sum())}
    if kind == "f":
        r["sum"] = [f(x) for x in np.sum(w, axis=axis).ravel()]
    else:
        r["sum"] = [str(int(x)) for x in np.sum(v, axis=axis).ravel()]
    r["mean"] = [f(x) for x in np.mean(w, axis=axis).ravel()]
    for dd in (0, 1):
        r["var%d" % dd] = [f(x) for x in np.var(w, axis=axis, ddof=dd).ravel()]
        r["std%d" % dd] = [f(x) for x in np.std(w, axis=axis, ddof=dd).ravel()]
    conv = f if kind == "f" else (lambda x: str(int(x)))
    isn = np.isnan(w)
    r["count"] = [int(x) for x in (~isn).sum(axis=axis).ravel()]
    r["nan_count"] = [int(x) for x in isn.sum(axis=axis).ravel()]
    r["nansum"] = [f(x) for x in np.nansum(w, axis=axis).ravel()]
    r["nanmean"] = [f(x) for x in np.nanmean(w, axis=axis).ravel()]
    for dd in (0, 1):
        r["nanvar%d" % dd] = [f(x) for x in np.nanvar(w, axis=axis, ddof=dd).ravel()]
        r["nanstd%d" % dd] = [f(x) for x in np.nanstd(w, axis=axis, ddof=dd).ravel()]
    r["count_nonzero"] = [int(x) for x in np.count_nonzero(v, axis=axis).ravel()]
    r["any"] = [bool(x) for x in np.any(v, axis=axis).ravel()]
    r["all"] = [bool(x) for x in np.all(v, axis=axis).ravel()]
    if v.shape[axis] > 0:
        r["min"] = [conv(x) for x in np.min(v, axis=axis).ravel()]
        r["max"] = [conv(x) for x in np.max(v, axis=axis).ravel()]
        r["nanmin"] = [conv(x) for x in np.nanmin(v, axis=axis).ravel()]
        r["nanmax"] = [conv(x) for x in np.nanmax(v, axis=axis).ravel()]
        r["argmin"] = [int(x) for x in np.argmin(v, axis=axis).ravel()]
        r["argmax"] = [int(x) for x in np.argmax(v, axis=axis).ravel()]
        # np.nanargmin raises on a slice of NaNs only, where Describe says -1.
        allnan = isn.all(axis=axis)
        safe = np.where(np.expand_dims(allnan, axis), 0, w)
        for name, fn in (("nanargmin", np.nanargmin), ("nanargmax", np.nanargmax)):
            i = fn(safe, axis=axis); i[allnan] = -1
            r[name] = [int(x) for x in i.ravel()]
    return r
for code, orders in [("b1", "|"), ("i1", "|"), ("u1", "|"), ("i2", "<>"), ("u4", "<>"), ("i8", "<"), ("u8", ">"),
                     ("f2", "<>"), ("f4", "<>"), ("f8", "<>")]:
    for bo in orders:
        for mem in "CF":
            for shape in [(300, 230), (40, 30, 60)]:
                dt = np.dtype(bo + code)
                n = int(np.prod(shape))
                if code == "b1":
                    x = rng.random(n) < 0.5
                elif dt.kind in "iu":
                    info = np.iinfo(dt)
                    x = rng.integers(info.min, info.max, n, endpoint=True, dtype=dt.newbyteorder("="))
                else:
                    x = np.round(rng.standard_normal(n) * 100, 1) + 1000
                    x[rng.integers(0, n, 12)] = np.nan
                    x[5] = np.inf; x[n - 3] = -np.inf; x[n // 3] = np.inf
                    # Lines of NaNs only along each axis, which every view keeps.
                    xs = x.reshape(shape)
                    if len(shape) == 2:
                        xs[7, :] = np.nan; xs[:, 11] = np.nan
                    else:
                        xs[:, 3, 5] = np.nan; xs[2, :, 7] = np.nan; xs[4, 6, :] = np.nan
                name = "%s%s_%s_%dd.npy" % ({"<": "le", ">": "be", "|": ""}[bo], code, mem, len(shape))
                a = np.lib.format.open_memmap(os.path.join(d, name), mode="w+", dtype=dt, shape=shape, fortran_order=(mem == "F"))
                a[...] = x.reshape(shape)
                a.flush(); del a
                a = np.load(os.path.join(d, name))
                if a.ndim == 2:
                    views = [a, a.T, a[1::3, ::-2]]
                else:
                    views = [a, a.transpose(1, 2, 0), a[::2, ::-1, 1::2]]
                kind = "f" if code[0] == "f" else "i"
                out[name] = {"code": code, "views": [[results(v, ax, kind) for ax in range(v.ndim)] for v in views]}
print(json.dumps(out))
`

type numpyAxis struct {
	Shape    []int    `json:"shape"`
	Scale    string   `json:"scale"`
	ScaleSum string   `json:"scale_sum"`
	Sum      []string `json:"sum"`
	Mean     []string `json:"mean"`
	Var0     []string `json:"var0"`
	Var1     []string `json:"var1"`
	Std0     []string `json:"std0"`
	Std1     []string `json:"std1"`
	Min      []string `json:"min"`
	Max      []string `json:"max"`

	Count        []int64  `json:"count"`
	NaNCount     []int64  `json:"nan_count"`
	NanSum       []string `json:"nansum"`
	NanMean      []string `json:"nanmean"`
	NanVar0      []string `json:"nanvar0"`
	NanVar1      []string `json:"nanvar1"`
	NanStd0      []string `json:"nanstd0"`
	NanStd1      []string `json:"nanstd1"`
	CountNonzero []int64  `json:"count_nonzero"`
	Any          []bool   `json:"any"`
	All          []bool   `json:"all"`
	NanMin       []string `json:"nanmin"`
	NanMax       []string `json:"nanmax"`
	ArgMin       []int    `json:"argmin"`
	ArgMax       []int    `json:"argmax"`
	NanArgMin    []int    `json:"nanargmin"`
	NanArgMax    []int    `json:"nanargmax"`
}

// axisViews makes the views the NumPy script reduces, in its order.
func axisViews[T compute.Real](a *mmarray.Array[T]) []*mmarray.Array[T] {
	if a.Ndim() == 2 {
		return []*mmarray.Array[T]{a, a.Transpose(),
			a.Slice(mmarray.Span(1, mmarray.Omit, 3), mmarray.Span(mmarray.Omit, mmarray.Omit, -2))}
	}
	return []*mmarray.Array[T]{a, a.Transpose(1, 2, 0),
		a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, 2), mmarray.Span(mmarray.Omit, mmarray.Omit, -1), mmarray.Span(1, mmarray.Omit, 2))}
}

// TestAxisReductionsMatchNumPy compares SumAxis, MeanAxis, VarAxis, StdAxis,
// MinAxis and MaxAxis along every axis (given once as a negative axis) of
// 2-D and 3-D views of C and Fortran files of several dtypes in both byte
// orders, with NaN and infinities among the floats. Integer sums and
// extremes are exact; float results are within the tolerances of
// TestReductionsMatchNumPy.
func TestAxisReductionsMatchNumPy(t *testing.T) {
	dir := t.TempDir()
	var files map[string]struct {
		Code  string        `json:"code"`
		Views [][]numpyAxis `json:"views"`
	}
	numpytest.RunJSON(t, numpyAxisReductions, dir, &files)
	// 10 dtypes in C and F order, each of two shapes: 3 of one byte, 2 in
	// one byte order each, 5 in both.
	if len(files) != 3*4+2*4+5*8 {
		t.Fatalf("NumPy wrote %d files, want %d", len(files), 3*4+2*4+5*8)
	}
	for name, file := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := mmarray.Open(filepath.Join(dir, name), mmarray.ReadOnly)
			must(t, err)
			defer f.Close()
			var bad []string
			switch file.Code {
			case "b1":
				bad = checkAxisFile[bool](t, f, file.Views)
			case "i1":
				bad = checkAxisFile[int8](t, f, file.Views)
			case "u1":
				bad = checkAxisFile[uint8](t, f, file.Views)
			case "i2":
				bad = checkAxisFile[int16](t, f, file.Views)
			case "u4":
				bad = checkAxisFile[uint32](t, f, file.Views)
			case "i8":
				bad = checkAxisFile[int64](t, f, file.Views)
			case "u8":
				bad = checkAxisFile[uint64](t, f, file.Views)
			case "f2":
				bad = checkAxisFile[mmarray.Float16](t, f, file.Views)
			case "f4":
				bad = checkAxisFile[float32](t, f, file.Views)
			case "f8":
				bad = checkAxisFile[float64](t, f, file.Views)
			default:
				t.Fatalf("unknown code %q", file.Code)
			}
			if len(bad) > 0 {
				t.Errorf("%d results differ from NumPy's, first ones:\n%v", len(bad), bad[:min(len(bad), 20)])
			}
		})
	}
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("NumPy result %q: %v", s, err)
	}
	return v
}

func checkAxisFile[T compute.Real](t *testing.T, f *mmarray.File, want [][]numpyAxis) []string {
	a, err := mmarray.View[T](f)
	must(t, err)
	isFloat := isFloatType[T]()
	ctx := context.Background()
	opt := compute.WithWorkers(3)
	var bad []string
	for vi, v := range axisViews(a) {
		for axis, w := range want[vi] {
			// Every other axis is given counted from the end.
			arg := axis
			if axis%2 == 1 {
				arg = axis - v.Ndim()
			}
			where := fmt.Sprintf("view %d axis %d", vi, arg)
			scale, scaleSum := parseFloat(t, w.Scale), parseFloat(t, w.ScaleSum)
			near := func(what string, got []float64, want []string, tol float64) {
				if len(got) != len(want) {
					bad = append(bad, fmt.Sprintf("%s %s: %d results, NumPy %d", where, what, len(got), len(want)))
					return
				}
				for i, g := range got {
					x := parseFloat(t, want[i])
					if math.IsNaN(g) && math.IsNaN(x) || g == x {
						continue
					}
					if !(math.Abs(g-x) <= tol) {
						bad = append(bad, fmt.Sprintf("%s %s[%d]: got %v, NumPy %v (tolerance %g)", where, what, i, g, x, tol))
					}
				}
			}
			exact := func(what string, got, want []string) {
				if !slices.Equal(got, want) {
					bad = append(bad, fmt.Sprintf("%s %s: got %v, NumPy %v", where, what, got, want))
				}
			}
			checkShape := func(what string, shape []int) {
				if !slices.Equal(shape, w.Shape) {
					bad = append(bad, fmt.Sprintf("%s %s: shape %v, NumPy %v", where, what, shape, w.Shape))
				}
			}

			sum, err := compute.SumAxis(ctx, v, arg, opt)
			must(t, err)
			checkShape("sum", sum.Shape)
			if isFloat {
				got := make([]float64, len(sum.Values))
				for i, s := range sum.Values {
					got[i] = s.Float64()
				}
				near("sum", got, w.Sum, 1e-12*scaleSum)
			} else {
				got := make([]string, len(sum.Values))
				for i, s := range sum.Values {
					got[i] = s.String()
				}
				exact("sum", got, w.Sum)
			}
			mean, err := compute.MeanAxis(ctx, v, arg, opt)
			must(t, err)
			checkShape("mean", mean.Shape)
			near("mean", mean.Values, w.Mean, 1e-12*scale)
			for ddof, wv := range [][]string{w.Var0, w.Var1} {
				vr, err := compute.VarAxis(ctx, v, arg, ddof, opt)
				must(t, err)
				near(fmt.Sprint("var", ddof), vr.Values, wv, 1e-9*scale*scale)
			}
			for ddof, ws := range [][]string{w.Std0, w.Std1} {
				sd, err := compute.StdAxis(ctx, v, arg, ddof, opt)
				must(t, err)
				near(fmt.Sprint("std", ddof), sd.Values, ws, 1e-9*scale)
			}
			for _, op := range []struct {
				name string
				fn   func(context.Context, *mmarray.Array[T], int, ...compute.Option) (compute.Reduced[T], error)
				want []string
			}{{"min", compute.MinAxis[T], w.Min}, {"max", compute.MaxAxis[T], w.Max}} {
				got, err := op.fn(ctx, v, arg, opt)
				if v.Shape()[axis] == 0 {
					if !errors.Is(err, compute.ErrEmpty) {
						bad = append(bad, fmt.Sprintf("%s %s along an empty axis: error %v, want ErrEmpty", where, op.name, err))
					}
					continue
				}
				must(t, err)
				checkShape(op.name, got.Shape)
				if isFloat {
					fs := make([]float64, len(got.Values))
					for i, x := range got.Values {
						fs[i] = asFloat(x)
					}
					near(op.name, fs, op.want, 0)
				} else {
					ss := make([]string, len(got.Values))
					for i, x := range got.Values {
						ss[i] = intString(x)
					}
					exact(op.name, ss, op.want)
				}
			}
			bad = append(bad, checkDescribeAxis(t, v, arg, w, where, isFloat)...)
			bad = append(bad, checkNanAxis(t, v, arg, w, where, isFloat)...)
		}
	}
	return bad
}

// checkDescribeAxis compares DescribeAxis along axis of v with NumPy's
// nan-functions along it: counts and indices exact, integer sums and
// extremes exact, float results within TestAxisReductionsMatchNumPy's
// tolerances.
func checkDescribeAxis[T compute.Real](t *testing.T, v *mmarray.Array[T], axis int, w numpyAxis, where string, isFloat bool) []string {
	got, err := compute.DescribeAxis(context.Background(), v, axis, compute.WithWorkers(3))
	must(t, err)
	if !slices.Equal(got.Shape, w.Shape) || len(got.Values) != len(w.Count) {
		return []string{fmt.Sprintf("%s describe: shape %v with %d results, NumPy %v with %d", where, got.Shape, len(got.Values), w.Shape, len(w.Count))}
	}
	scale, scaleSum := parseFloat(t, w.Scale), parseFloat(t, w.ScaleSum)
	var bad []string
	near := func(i int, what string, g float64, want string, tol float64) {
		x := parseFloat(t, want)
		if !(math.IsNaN(g) && math.IsNaN(x) || g == x || math.Abs(g-x) <= tol) {
			bad = append(bad, fmt.Sprintf("%s describe[%d] %s: got %v, NumPy %v (tolerance %g)", where, i, what, g, x, tol))
		}
	}
	for i, s := range got.Values {
		if s.Count != w.Count[i] || s.NaNCount != w.NaNCount[i] {
			bad = append(bad, fmt.Sprintf("%s describe[%d]: count %d, NaNs %d; NumPy %d, %d", where, i, s.Count, s.NaNCount, w.Count[i], w.NaNCount[i]))
		}
		near(i, "sum", s.Sum, w.NanSum[i], 1e-12*scaleSum)
		near(i, "mean", s.Mean, w.NanMean[i], 1e-12*scale)
		near(i, "std", s.Std, w.NanStd0[i], 1e-9*scale)
		if s.ArgMin != w.NanArgMin[i] || s.ArgMax != w.NanArgMax[i] {
			bad = append(bad, fmt.Sprintf("%s describe[%d]: argmin %d, argmax %d; NumPy %d, %d", where, i, s.ArgMin, s.ArgMax, w.NanArgMin[i], w.NanArgMax[i]))
		}
		if isFloat {
			near(i, "min", s.Min, w.NanMin[i], 0)
			near(i, "max", s.Max, w.NanMax[i], 0)
			continue
		}
		if s.SumScalar.String() != w.Sum[i] || s.MinScalar.String() != w.NanMin[i] || s.MaxScalar.String() != w.NanMax[i] {
			bad = append(bad, fmt.Sprintf("%s describe[%d]: sum %v, min %v, max %v; NumPy %s, %s, %s", where, i,
				s.SumScalar, s.MinScalar, s.MaxScalar, w.Sum[i], w.NanMin[i], w.NanMax[i]))
		}
	}
	return bad
}

// checkNanAxis compares the nan-variants, ArgMinAxis, ArgMaxAxis,
// CountNonzeroAxis, AnyAxis and AllAxis along axis of v with NumPy's:
// indices, counts, integer sums and extremes exact, float results within
// TestAxisReductionsMatchNumPy's tolerances.
func checkNanAxis[T compute.Real](t *testing.T, v *mmarray.Array[T], axis int, w numpyAxis, where string, isFloat bool) []string {
	ctx, opt := context.Background(), compute.WithWorkers(3)
	scale, scaleSum := parseFloat(t, w.Scale), parseFloat(t, w.ScaleSum)
	var bad []string
	sameLen := func(what string, shape []int, got, want int) bool {
		if slices.Equal(shape, w.Shape) && got == want {
			return true
		}
		bad = append(bad, fmt.Sprintf("%s %s: shape %v with %d results, NumPy %v with %d", where, what, shape, got, w.Shape, want))
		return false
	}
	near := func(what string, got []float64, want []string, tol float64) {
		for i, g := range got {
			x := parseFloat(t, want[i])
			if !(math.IsNaN(g) && math.IsNaN(x) || g == x || math.Abs(g-x) <= tol) {
				bad = append(bad, fmt.Sprintf("%s %s[%d]: got %v, NumPy %v (tolerance %g)", where, what, i, g, x, tol))
			}
		}
	}
	exact := func(what string, got, want any) {
		if fmt.Sprint(got) != fmt.Sprint(want) {
			bad = append(bad, fmt.Sprintf("%s %s: got %v, NumPy %v", where, what, got, want))
		}
	}

	sum, err := compute.NanSumAxis(ctx, v, axis, opt)
	must(t, err)
	if sameLen("nansum", sum.Shape, len(sum.Values), len(w.NanSum)) {
		fs, ss := make([]float64, len(sum.Values)), make([]string, len(sum.Values))
		for i, s := range sum.Values {
			fs[i], ss[i] = s.Float64(), s.String()
		}
		if isFloat {
			near("nansum", fs, w.NanSum, 1e-12*scaleSum)
		} else {
			exact("nansum", ss, w.Sum) // np.nansum of integers is np.sum
		}
	}
	mean, err := compute.NanMeanAxis(ctx, v, axis, opt)
	must(t, err)
	if sameLen("nanmean", mean.Shape, len(mean.Values), len(w.NanMean)) {
		near("nanmean", mean.Values, w.NanMean, 1e-12*scale)
	}
	for ddof, want := range [][]string{w.NanVar0, w.NanVar1} {
		vr, err := compute.NanVarAxis(ctx, v, axis, ddof, opt)
		must(t, err)
		if sameLen("nanvar", vr.Shape, len(vr.Values), len(want)) {
			near(fmt.Sprint("nanvar", ddof), vr.Values, want, 1e-9*scale*scale)
		}
	}
	for ddof, want := range [][]string{w.NanStd0, w.NanStd1} {
		sd, err := compute.NanStdAxis(ctx, v, axis, ddof, opt)
		must(t, err)
		if sameLen("nanstd", sd.Shape, len(sd.Values), len(want)) {
			near(fmt.Sprint("nanstd", ddof), sd.Values, want, 1e-9*scale)
		}
	}
	counts, err := compute.CountNonzeroAxis(ctx, v, axis, opt)
	must(t, err)
	anys, err := compute.AnyAxis(ctx, v, axis, opt)
	must(t, err)
	alls, err := compute.AllAxis(ctx, v, axis, opt)
	must(t, err)
	if sameLen("count_nonzero", counts.Shape, len(counts.Values), len(w.CountNonzero)) &&
		sameLen("any", anys.Shape, len(anys.Values), len(w.Any)) && sameLen("all", alls.Shape, len(alls.Values), len(w.All)) {
		exact("count_nonzero", counts.Values, w.CountNonzero)
		exact("any", anys.Values, w.Any)
		exact("all", alls.Values, w.All)
	}
	if len(w.NanMin) == 0 { // an empty axis: NumPy has no extremes
		return bad
	}
	for _, op := range []struct {
		name string
		fn   func(context.Context, *mmarray.Array[T], int, ...compute.Option) (compute.Reduced[T], error)
		want []string
	}{{"nanmin", compute.NanMinAxis[T], w.NanMin}, {"nanmax", compute.NanMaxAxis[T], w.NanMax}} {
		got, err := op.fn(ctx, v, axis, opt)
		must(t, err)
		if !sameLen(op.name, got.Shape, len(got.Values), len(op.want)) {
			continue
		}
		if isFloat {
			fs := make([]float64, len(got.Values))
			for i, x := range got.Values {
				fs[i] = asFloat(x)
			}
			near(op.name, fs, op.want, 0)
			continue
		}
		ss := make([]string, len(got.Values))
		for i, x := range got.Values {
			ss[i] = intString(x)
		}
		exact(op.name, ss, op.want)
	}
	for _, op := range []struct {
		name string
		fn   func(context.Context, *mmarray.Array[T], int, ...compute.Option) (compute.Reduced[int], error)
		want []int
	}{{"argmin", compute.ArgMinAxis[T], w.ArgMin}, {"argmax", compute.ArgMaxAxis[T], w.ArgMax}} {
		got, err := op.fn(ctx, v, axis, opt)
		must(t, err)
		if sameLen(op.name, got.Shape, len(got.Values), len(op.want)) {
			exact(op.name, got.Values, op.want)
		}
	}
	return bad
}

// numpyFewNanVar writes a (4, 3) float64 .npy whose columns hold 3, 2, 1
// and 0 elements that are not NaN into the folder named on its standard
// input, and prints np.nanvar and np.nanstd with ddof 0 to 3, whole, along
// each axis and of each column: NaN, not +Inf, where no more than ddof elements are
// not NaN.
const numpyFewNanVar = `
import warnings, os
warnings.filterwarnings("ignore")
d = json.load(sys.stdin)
a = np.array([[1.5, 2, 7, np.nan], [4, -1, np.nan, np.nan], [0.25, np.nan, np.nan, np.nan]]).T.copy()
np.save(os.path.join(d, "few.npy"), a)
out = {}
for ddof in range(4):
    for name, fn in (("var", np.nanvar), ("std", np.nanstd)):
        out["%s%d" % (name, ddof)] = [[repr(float(x)) for x in np.ravel(fn(a, axis=ax, ddof=ddof))] for ax in (None, 0, 1)] + \
            [[repr(float(fn(a[:, j], ddof=ddof)))] for j in range(3)]
print(json.dumps(out))
`

// TestNanVarFewElementsMatchNumPy checks NanVar, NanStd, NanVarAxis and
// NanStdAxis where ddof is as large as the number of elements that are not
// NaN or larger, against NumPy.
func TestNanVarFewElementsMatchNumPy(t *testing.T) {
	dir := t.TempDir()
	var want map[string][][]string
	numpytest.RunJSON(t, numpyFewNanVar, dir, &want)
	f, err := mmarray.Open(filepath.Join(dir, "few.npy"), mmarray.ReadOnly)
	must(t, err)
	defer f.Close()
	a, err := mmarray.View[float64](f)
	must(t, err)
	ctx := context.Background()
	var bad []string
	for ddof := range 4 {
		for _, op := range []struct {
			name  string
			whole func(context.Context, *mmarray.Array[float64], int, ...compute.Option) (float64, error)
			axis  func(context.Context, *mmarray.Array[float64], int, int, ...compute.Option) (compute.Reduced[float64], error)
		}{{"var", compute.NanVar[float64], compute.NanVarAxis[float64]}, {"std", compute.NanStd[float64], compute.NanStdAxis[float64]}} {
			w := want[fmt.Sprint(op.name, ddof)]
			if len(w) != 6 {
				t.Fatalf("NumPy gave no %s%d", op.name, ddof)
			}
			x, err := op.whole(ctx, a, ddof)
			must(t, err)
			got := [][]float64{{x}}
			for axis := range 2 {
				r, err := op.axis(ctx, a, axis, ddof)
				must(t, err)
				got = append(got, r.Values)
			}
			for j := range 3 {
				x, err := op.whole(ctx, a.Slice(mmarray.All(), mmarray.Index(j)), ddof)
				must(t, err)
				got = append(got, []float64{x})
			}
			for i := range got {
				if len(got[i]) != len(w[i]) {
					bad = append(bad, fmt.Sprintf("%s ddof %d (%d): %d results, NumPy %d", op.name, ddof, i, len(got[i]), len(w[i])))
					continue
				}
				for j, g := range got[i] {
					x := parseFloat(t, w[i][j])
					if !(math.IsNaN(g) && math.IsNaN(x) || math.Abs(g-x) <= 1e-12*math.Abs(x)) {
						bad = append(bad, fmt.Sprintf("%s ddof %d (%d)[%d]: got %v, NumPy %v", op.name, ddof, i, j, g, x))
					}
				}
			}
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d results differ from NumPy's:\n%v", len(bad), bad)
	}
}
