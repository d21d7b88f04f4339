package compute_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// numpyComplexReductions writes (70, 1001) complex64 and complex128 .npy
// files (two chunks of the engine), in both byte orders and memory orders,
// plain, with NaN parts, and with NaN parts and an infinity, into the folder named
// (in JSON) on its standard input, and prints NumPy's sums, means,
// variances and deviations and their nan-variants of each view (whole,
// transposed, strided, empty), computed in complex128 as this package
// computes them; complex results as [real, imaginary] pairs of strings.
const numpyComplexReductions = `
import warnings, os
warnings.filterwarnings("ignore")
d = json.load(sys.stdin)
rng = np.random.default_rng(29)
shape = (70, 1001)
out = {}
def f(x): return repr(float(x))
def c(z): return [f(z.real), f(z.imag)]
def results(v):
    w = v.astype(np.complex128)
    parts = np.concatenate([w.real.ravel(), w.imag.ravel()])
    fin = np.abs(parts[np.isfinite(parts)])
    r = {"scale": f(fin.max() if fin.size else 0.0), "scale_sum": f(fin.sum())}
    r["sum"] = c(np.sum(w)); r["nansum"] = c(np.nansum(w))
    r["mean"] = c(np.mean(w)); r["nanmean"] = c(np.nanmean(w))
    for dd in (0, 1):
        r["var%d" % dd] = f(np.var(w, ddof=dd)); r["std%d" % dd] = f(np.std(w, ddof=dd))
        r["nanvar%d" % dd] = f(np.nanvar(w, ddof=dd)); r["nanstd%d" % dd] = f(np.nanstd(w, ddof=dd))
    return r
for code in ("c8", "c16"):
    for bo in "<>":
        for mem in "CF":
            for special in ("", "nan", "inf"):
                dt = np.dtype(bo + code)
                n = shape[0] * shape[1]
                x = np.round(rng.standard_normal(n) * 100, 1) + 1j * np.round(rng.standard_normal(n) * 100, 1) + (50 - 20j)
                if special:
                    x.real[rng.integers(0, n, 6)] = np.nan
                    x.imag[rng.integers(0, n, 6)] = np.nan
                if special == "inf":
                    x[shape[1] + 4] = complex(np.inf, 1)  # the only infinity of a[1::3, ::-2]
                name = "%s%s_%s%s.npy" % ("le" if bo == "<" else "be", code, mem, special)
                a = np.lib.format.open_memmap(os.path.join(d, name), mode="w+", dtype=dt, shape=shape, fortran_order=(mem == "F"))
                a[...] = x.reshape(shape)
                a.flush(); del a
                a = np.load(os.path.join(d, name))
                out[name] = {"code": code, "views": [results(v) for v in (a, a.T, a[1::3, ::-2], a[3:3])]}
print(json.dumps(out))
`

type numpyComplex struct {
	Scale    string    `json:"scale"`
	ScaleSum string    `json:"scale_sum"`
	Sum      [2]string `json:"sum"`
	NanSum   [2]string `json:"nansum"`
	Mean     [2]string `json:"mean"`
	NanMean  [2]string `json:"nanmean"`
	Var0     string    `json:"var0"`
	Var1     string    `json:"var1"`
	Std0     string    `json:"std0"`
	Std1     string    `json:"std1"`
	NanVar0  string    `json:"nanvar0"`
	NanVar1  string    `json:"nanvar1"`
	NanStd0  string    `json:"nanstd0"`
	NanStd1  string    `json:"nanstd1"`
}

// TestComplexReductionsMatchNumPy compares SumComplex, MeanComplex,
// VarComplex, StdComplex and their nan-variants over complex64 and
// complex128 files in both byte orders, C and Fortran, whole, transposed,
// strided and empty, with NaN parts and an infinity among them, with
// NumPy's, within the tolerances of TestReductionsMatchNumPy (NaN parts
// where NumPy has them, as its complex division makes them).
func TestComplexReductionsMatchNumPy(t *testing.T) {
	dir := t.TempDir()
	var files map[string]struct {
		Code  string         `json:"code"`
		Views []numpyComplex `json:"views"`
	}
	numpytest.RunJSON(t, numpyComplexReductions, dir, &files)
	if len(files) != 24 {
		t.Fatalf("NumPy wrote %d files, want 24", len(files))
	}
	for name, file := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := mmarray.Open(filepath.Join(dir, name), mmarray.ReadOnly)
			must(t, err)
			defer f.Close()
			var bad []string
			if file.Code == "c8" {
				bad = checkComplexFile[complex64](t, f, file.Views)
			} else {
				bad = checkComplexFile[complex128](t, f, file.Views)
			}
			if len(bad) > 0 {
				t.Errorf("%d results differ from NumPy's:\n%v", len(bad), bad)
			}
		})
	}
}

func checkComplexFile[T compute.Complex](t *testing.T, f *mmarray.File, want []numpyComplex) []string {
	a, err := mmarray.View[T](f)
	must(t, err)
	views := []*mmarray.Array[T]{a, a.Transpose(),
		a.Slice(mmarray.Span(1, mmarray.Omit, 3), mmarray.Span(mmarray.Omit, mmarray.Omit, -2)), a.Slice(mmarray.Span(3, 3, 1))}
	ctx := context.Background()
	var bad []string
	for vi, v := range views {
		w := want[vi]
		scale, scaleSum := parseFloat(t, w.Scale), parseFloat(t, w.ScaleSum)
		near := func(what string, got float64, want string, tol float64) {
			x := parseFloat(t, want)
			if !(math.IsNaN(got) && math.IsNaN(x) || got == x || math.Abs(got-x) <= tol) {
				bad = append(bad, fmt.Sprintf("view %d %s: got %v, NumPy %v (tolerance %g)", vi, what, got, x, tol))
			}
		}
		nearComplex := func(what string, got complex128, want [2]string, tol float64) {
			near(what+" real", real(got), want[0], tol)
			near(what+" imag", imag(got), want[1], tol)
		}
		for _, workers := range []int{1, 3} {
			opt := compute.WithWorkers(workers)
			sum, err := compute.SumComplex(ctx, v, opt)
			must(t, err)
			nearComplex("sum", sum, w.Sum, 1e-12*scaleSum)
			nansum, err := compute.NanSumComplex(ctx, v, opt)
			must(t, err)
			nearComplex("nansum", nansum, w.NanSum, 1e-12*scaleSum)
			mean, err := compute.MeanComplex(ctx, v, opt)
			must(t, err)
			nearComplex("mean", mean, w.Mean, 1e-12*scale)
			nanmean, err := compute.NanMeanComplex(ctx, v, opt)
			must(t, err)
			nearComplex("nanmean", nanmean, w.NanMean, 1e-12*scale)
			for ddof, want := range [][4]string{{w.Var0, w.Std0, w.NanVar0, w.NanStd0}, {w.Var1, w.Std1, w.NanVar1, w.NanStd1}} {
				vr, err := compute.VarComplex(ctx, v, ddof, opt)
				must(t, err)
				sd, err := compute.StdComplex(ctx, v, ddof, opt)
				must(t, err)
				nanvr, err := compute.NanVarComplex(ctx, v, ddof, opt)
				must(t, err)
				nansd, err := compute.NanStdComplex(ctx, v, ddof, opt)
				must(t, err)
				near(fmt.Sprint("var", ddof), vr, want[0], 1e-9*scale*scale)
				near(fmt.Sprint("std", ddof), sd, want[1], 1e-9*scale)
				near(fmt.Sprint("nanvar", ddof), nanvr, want[2], 1e-9*scale*scale)
				near(fmt.Sprint("nanstd", ddof), nansd, want[3], 1e-9*scale)
			}
		}
	}
	return bad
}

// TestComplexIdenticalAcrossWorkers checks that the complex reductions are
// the same bit for bit with 1, 2, 3 and 8 workers, over a contiguous, a
// transposed and a strided view of data whose sums depend on the order of
// their additions.
func TestComplexIdenticalAcrossWorkers(t *testing.T) {
	t.Parallel()
	const rows, cols = 301, 1000
	re, im := wideRandom(rows*cols, 31), wideRandom(rows*cols, 32)
	f, err := mmarray.Create(filepath.Join(t.TempDir(), "z.npy"), "<c16", []int{rows, cols})
	must(t, err)
	defer f.Close()
	a, err := mmarray.View[complex128](f)
	must(t, err)
	for i := range re {
		a.Set(complex(re[i], im[i]), i/cols, i%cols)
	}
	ctx := context.Background()
	results := func(v *mmarray.Array[complex128], workers int) string {
		opt := compute.WithWorkers(workers)
		sum, err := compute.SumComplex(ctx, v, opt)
		must(t, err)
		mean, err := compute.NanMeanComplex(ctx, v, opt)
		must(t, err)
		vr, err := compute.VarComplex(ctx, v, 1, opt)
		must(t, err)
		bits := func(x float64) string { return strconv.FormatUint(math.Float64bits(x), 16) }
		return fmt.Sprint(bits(real(sum)), bits(imag(sum)), bits(real(mean)), bits(imag(mean)), bits(vr))
	}
	for _, v := range []*mmarray.Array[complex128]{a, a.Transpose(), a.Slice(mmarray.Span(1, mmarray.Omit, 2), mmarray.Span(mmarray.Omit, mmarray.Omit, -3))} {
		want := results(v, 1)
		for _, workers := range []int{2, 3, 8} {
			if got := results(v, workers); got != want {
				t.Errorf("view %v: results with %d workers %s, with 1 %s", v.Shape(), workers, got, want)
			}
		}
	}
}
