package compute_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// numpyReductions writes one .npy file per dtype, byte order, memory order
// and value set into the folder named (in JSON) on its standard input, and
// prints, for each file and each of its views (whole, transposed,
// a[1::3, ::-2], empty), NumPy's results. Float
// results are computed in float64 (a.astype(np.float64)), as this package
// computes them; values are strings so that NaN, inf and 64-bit integers
// survive JSON.
const numpyReductions = `
import warnings, os
warnings.filterwarnings("ignore")
d = json.load(sys.stdin)
rng = np.random.default_rng(9)
shape = (70, 2001)  # 140070 elements: three chunks of the engine
out = {}
def f(x): return repr(float(x))
def stats(v, kind):
    r = {}
    w = v.astype(np.float64)
    fin = np.abs(w[np.isfinite(w)])
    r["scale"] = f(fin.max() if fin.size else 0.0)
    r["scale_sum"] = f(fin.sum())
    if kind == "f":
        r["sum"] = f(w.sum()); r["nansum"] = f(np.nansum(w))
    else:
        r["sum"] = str(int(np.sum(v))); r["nansum"] = r["sum"]
        r["exact_sum"] = str(sum(int(x) for x in v.flat))
    r["mean"] = f(np.mean(w)); r["nanmean"] = f(np.nanmean(w)) if v.size else "nan"
    for dd in (0, 1):
        r["var%d" % dd] = f(np.var(w, ddof=dd)); r["std%d" % dd] = f(np.std(w, ddof=dd))
        r["nanvar%d" % dd] = f(np.nanvar(w, ddof=dd)) if v.size else "nan"
    r["count_nonzero"] = str(int(np.count_nonzero(v)))
    r["any"] = bool(np.any(v)); r["all"] = bool(np.all(v))
    if v.size:
        conv = f if kind == "f" else (lambda x: str(int(x)))
        r["min"] = conv(np.min(v)); r["max"] = conv(np.max(v))
        r["nanmin"] = conv(np.nanmin(v)); r["nanmax"] = conv(np.nanmax(v))
        r["argmin"] = int(np.argmin(v)); r["argmax"] = int(np.argmax(v))
        if kind == "f" and np.isnan(w).all():
            r["d_argmin"] = -1; r["d_argmax"] = -1
        else:
            r["d_argmin"] = int(np.nanargmin(w)); r["d_argmax"] = int(np.nanargmax(w))
        r["d_sum"] = f(np.nansum(w)); r["d_std"] = f(np.nanstd(w)); r["d_nan"] = int(np.isnan(w).sum())
    return r
for code in ["b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"]:
    orders = "|" if code in ("b1", "i1", "u1") else "<>"
    for bo in orders:
        for mem in "CF":
            for special in ([False, True] if code[0] == "f" else [False]):
                dt = np.dtype(bo + code)
                n = shape[0] * shape[1]
                if code == "b1":
                    x = rng.random(n) < 0.5
                elif dt.kind in "iu":
                    info = np.iinfo(dt)
                    x = rng.integers(info.min, info.max, n, endpoint=True, dtype=dt.newbyteorder("="))
                else:
                    x = np.round(rng.standard_normal(n) * 100, 1)
                    x[n // 2] = x.max(); x[n - 7] = x.min()  # ties: the first occurrence must win
                    if special:
                        x[rng.integers(0, n, 12)] = np.nan
                        x[5] = np.inf; x[n - 3] = -np.inf
                        x[shape[1] + 4] = np.inf  # the only infinity of a[1::3, ::-2]: its sum is inf, its std NaN
                name = "%s%s_%s%s.npy" % ({"<": "le", ">": "be", "|": ""}[bo], code, mem, "_special" if special else "")
                a = np.lib.format.open_memmap(os.path.join(d, name), mode="w+", dtype=dt, shape=shape, fortran_order=(mem == "F"))
                a[...] = x.reshape(shape)
                a.flush(); del a
                a = np.load(os.path.join(d, name))
                views = [a, a.T, a[1::3, ::-2], a[3:3]]
                out[name] = {"kind": "f" if code[0] == "f" else ("b" if code == "b1" else "i"), "code": code,
                             "views": [stats(v, "f" if code[0] == "f" else "i") for v in views]}
print(json.dumps(out))
`

type numpyStats map[string]any

func (s numpyStats) float(t *testing.T, key string) float64 {
	str, ok := s[key].(string)
	if !ok {
		t.Fatalf("NumPy result %q missing", key)
	}
	v, err := strconv.ParseFloat(str, 64)
	if err != nil {
		t.Fatalf("NumPy result %q: %v", key, err)
	}
	return v
}

func (s numpyStats) int(key string) int { return int(s[key].(float64)) }

// views makes the views the NumPy script reduces, in its order.
func views[T compute.Real](a *mmarray.Array[T]) []*mmarray.Array[T] {
	return []*mmarray.Array[T]{
		a,
		a.Transpose(),
		a.Slice(mmarray.Span(1, mmarray.Omit, 3), mmarray.Span(mmarray.Omit, mmarray.Omit, -2)),
		a.Slice(mmarray.Span(3, 3, 1)),
	}
}

// TestReductionsMatchNumPy compares every reduction of every real dtype,
// both byte orders, C and Fortran files and strided, transposed and empty
// views with NumPy's results. Integer results and extremes are exact; float
// results are within 1e-12 of the data's scale (sums: of Σ|x|) for sums and
// means and 1e-9 for variances and standard deviations, where NumPy's
// pairwise float64 sums differ from this package's compensated ones.
func TestReductionsMatchNumPy(t *testing.T) {
	dir := t.TempDir()
	var files map[string]struct {
		Kind  string       `json:"kind"`
		Code  string       `json:"code"`
		Views []numpyStats `json:"views"`
	}
	numpytest.RunJSON(t, numpyReductions, dir, &files)
	// 12 dtypes: 3 of one byte in C and F order, 6 integers and 3 floats
	// in both byte orders and both orders, the floats with and without
	// NaN and infinities.
	if len(files) != 3*2+6*4+3*8 {
		t.Fatalf("NumPy wrote %d files, want %d", len(files), 3*2+6*4+3*8)
	}
	for name, file := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := mmarray.Open(filepath.Join(dir, name), mmarray.ReadOnly)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var bad []string
			switch file.Code {
			case "b1":
				bad = checkFile[bool](t, f, file.Views)
			case "i1":
				bad = checkFile[int8](t, f, file.Views)
			case "u1":
				bad = checkFile[uint8](t, f, file.Views)
			case "i2":
				bad = checkFile[int16](t, f, file.Views)
			case "u2":
				bad = checkFile[uint16](t, f, file.Views)
			case "i4":
				bad = checkFile[int32](t, f, file.Views)
			case "u4":
				bad = checkFile[uint32](t, f, file.Views)
			case "i8":
				bad = checkFile[int64](t, f, file.Views)
			case "u8":
				bad = checkFile[uint64](t, f, file.Views)
			case "f2":
				bad = checkFile[mmarray.Float16](t, f, file.Views)
			case "f4":
				bad = checkFile[float32](t, f, file.Views)
			case "f8":
				bad = checkFile[float64](t, f, file.Views)
			default:
				t.Fatalf("unknown code %q", file.Code)
			}
			if len(bad) > 0 {
				t.Errorf("%d results differ from NumPy's:\n%v", len(bad), bad)
			}
		})
	}
}

func checkFile[T compute.Real](t *testing.T, f *mmarray.File, want []numpyStats) []string {
	a, err := mmarray.View[T](f)
	if err != nil {
		t.Fatal(err)
	}
	isFloat := isFloatType[T]()
	ctx := context.Background()
	opt := compute.WithWorkers(3)
	var bad []string
	for vi, v := range views(a) {
		w := want[vi]
		scale, scaleSum := w.float(t, "scale"), w.float(t, "scale_sum")
		near := func(what string, got, want, tol float64) {
			if math.IsNaN(got) && math.IsNaN(want) || got == want {
				return
			}
			if !(math.Abs(got-want) <= tol) {
				bad = append(bad, fmt.Sprintf("view %d %s: got %v, NumPy %v (tolerance %g)", vi, what, got, want, tol))
			}
		}
		exact := func(what string, got, want any) {
			if got != want {
				bad = append(bad, fmt.Sprintf("view %d %s: got %v, NumPy %v", vi, what, got, want))
			}
		}
		sum, err := compute.Sum(ctx, v, opt)
		must(t, err)
		nansum, err := compute.NanSum(ctx, v, opt)
		must(t, err)
		if isFloat {
			near("sum", sum.Float64(), w.float(t, "sum"), 1e-12*scaleSum)
			near("nansum", nansum.Float64(), w.float(t, "nansum"), 1e-12*scaleSum)
		} else {
			exact("sum", sum.String(), w["sum"])
			exact("nansum", nansum.String(), w["nansum"])
		}
		mean, err := compute.Mean(ctx, v, opt)
		must(t, err)
		near("mean", mean, w.float(t, "mean"), 1e-12*scale)
		nanmean, err := compute.NanMean(ctx, v, opt)
		must(t, err)
		near("nanmean", nanmean, w.float(t, "nanmean"), 1e-12*scale)
		for _, ddof := range []int{0, 1} {
			vr, err := compute.Var(ctx, v, ddof, opt)
			must(t, err)
			near(fmt.Sprint("var", ddof), vr, w.float(t, fmt.Sprint("var", ddof)), 1e-9*scale*scale)
			sd, err := compute.Std(ctx, v, ddof, opt)
			must(t, err)
			near(fmt.Sprint("std", ddof), sd, w.float(t, fmt.Sprint("std", ddof)), 1e-9*scale)
			nv, err := compute.NanVar(ctx, v, ddof, opt)
			must(t, err)
			near(fmt.Sprint("nanvar", ddof), nv, w.float(t, fmt.Sprint("nanvar", ddof)), 1e-9*scale*scale)
			ns, err := compute.NanStd(ctx, v, ddof, opt)
			must(t, err)
			near(fmt.Sprint("nanstd", ddof), ns, math.Sqrt(w.float(t, fmt.Sprint("nanvar", ddof))), 1e-9*scale)
		}
		cnz, err := compute.CountNonzero(ctx, v, opt)
		must(t, err)
		exact("count_nonzero", strconv.FormatInt(cnz, 10), w["count_nonzero"])
		anyv, err := compute.Any(ctx, v, opt)
		must(t, err)
		exact("any", anyv, w["any"])
		allv, err := compute.All(ctx, v, opt)
		must(t, err)
		exact("all", allv, w["all"])

		// isEmpty reports whether v is empty, where an extreme's err must
		// wrap ErrEmpty.
		isEmpty := func(name string, err error) bool {
			if v.Len() != 0 {
				return false
			}
			if !errors.Is(err, compute.ErrEmpty) {
				bad = append(bad, fmt.Sprintf("view %d %s of an empty view: error %v, want ErrEmpty", vi, name, err))
			}
			return true
		}
		type extremeOp struct {
			name string
			fn   func(context.Context, *mmarray.Array[T], ...compute.Option) (T, error)
		}
		for _, op := range []extremeOp{{"min", compute.Min[T]}, {"max", compute.Max[T]}, {"nanmin", compute.NanMin[T]}, {"nanmax", compute.NanMax[T]}} {
			got, err := op.fn(ctx, v, opt)
			if isEmpty(op.name, err) {
				continue
			}
			must(t, err)
			if isFloat {
				near(op.name, asFloat(got), w.float(t, op.name), 0)
			} else {
				exact(op.name, intString(got), w[op.name])
			}
		}
		for _, op := range []struct {
			name string
			fn   func(context.Context, *mmarray.Array[T], ...compute.Option) (int, error)
		}{{"argmin", compute.ArgMin[T]}, {"argmax", compute.ArgMax[T]}} {
			got, err := op.fn(ctx, v, opt)
			if isEmpty(op.name, err) {
				continue
			}
			must(t, err)
			exact(op.name, got, w.int(op.name))
		}

		d, err := compute.Describe(ctx, v, opt)
		must(t, err)
		if !isFloat {
			exact("describe exact sum", d.SumScalar.String(), w["sum"])
			integerSum, ok := d.IntegerSum()
			exact("describe integer sum ok", ok, true)
			if ok {
				exact("describe integer sum", integerSum.String(), w["exact_sum"])
			}
		}
		if v.Len() == 0 {
			exact("describe count", d.Count, int64(0))
			exact("describe argmin", d.ArgMin, -1)
			near("describe mean", d.Mean, math.NaN(), 0)
			exact("describe exact min kind", d.MinScalar.Kind(), compute.Float64)
			near("describe exact min", d.MinScalar.Float64(), math.NaN(), 0)
			continue
		}
		if isFloat {
			exact("describe sum scalar kind", d.SumScalar.Kind(), compute.Float64)
			near("describe sum scalar", d.SumScalar.Float64(), d.Sum, 0)
			near("describe min scalar", d.MinScalar.Float64(), d.Min, 0)
			near("describe max scalar", d.MaxScalar.Float64(), d.Max, 0)
		} else {
			exact("describe exact min", d.MinScalar.String(), w["nanmin"])
			exact("describe exact max", d.MaxScalar.String(), w["nanmax"])
		}
		exact("describe count", d.Count, int64(v.Len()-w.int("d_nan")))
		exact("describe nan count", d.NaNCount, int64(w.int("d_nan")))
		near("describe sum", d.Sum, w.float(t, "d_sum"), 1e-12*scaleSum)
		near("describe mean", d.Mean, w.float(t, "nanmean"), 1e-12*scale)
		near("describe std", d.Std, w.float(t, "d_std"), 1e-9*scale)
		// Describe reports integers as float64, rounded as Go and Python
		// both round an integer beyond 2⁵³.
		near("describe min", d.Min, w.float(t, "nanmin"), 0)
		near("describe max", d.Max, w.float(t, "nanmax"), 0)
		exact("describe argmin", d.ArgMin, w.int("d_argmin"))
		exact("describe argmax", d.ArgMax, w.int("d_argmax"))
	}
	return bad
}

// TestDescribeExactIntegersMatchNumPy checks Describe's SumScalar,
// MinScalar and MaxScalar against np.sum, np.min and np.max on int64 and
// uint64 files whose values lie beyond 2⁵³, where float64 rounds them: the
// sum is exact and wraps around as NumPy's does, and IntegerSum is Python's
// sum of the values as ints, past the wrap-around.
func TestDescribeExactIntegersMatchNumPy(t *testing.T) {
	const script = `
d = json.load(sys.stdin)
big = 2**53
cases = {
    "i8_past_2_53.npy": np.array([big, 1, 1, 1], dtype="<i8"),
    "i8_wrapping.npy": np.array([2**63 - 1, big + 1, -(2**63) + 5, 2**63 - 3], dtype=">i8"),
    "u8_wrapping.npy": np.array([2**64 - 1, big + 1, big + 3], dtype="<u8"),
}
out = {}
for name, a in cases.items():
    np.save(d + "/" + name, a)
    out[name] = {"kind": a.dtype.kind, "sum": str(np.sum(a)), "min": str(np.min(a)), "max": str(np.max(a)),
                 "exact_sum": str(sum(int(x) for x in a))}
print(json.dumps(out))
`
	dir := t.TempDir()
	var want map[string]struct {
		Kind, Sum, Min, Max string
		ExactSum            string `json:"exact_sum"`
	}
	numpytest.RunJSON(t, script, dir, &want)
	if len(want) != 3 {
		t.Fatalf("NumPy reported %d files, want 3", len(want))
	}
	for name, w := range want {
		f, err := mmarray.Open(filepath.Join(dir, name), mmarray.ReadOnly)
		must(t, err)
		var d compute.Stats
		wantKind := compute.Int64
		if w.Kind == "u" {
			wantKind = compute.Uint64
			d, err = compute.Describe(context.Background(), numpytest.Must(mmarray.View[uint64](f)))
		} else {
			d, err = compute.Describe(context.Background(), numpytest.Must(mmarray.View[int64](f)))
		}
		f.Close()
		must(t, err)
		exactSum, ok := d.IntegerSum()
		got := []any{d.SumScalar.Kind(), d.SumScalar.String(), d.MinScalar.String(), d.MaxScalar.String(), exactSum, ok}
		if exp := []any{wantKind, w.Sum, w.Min, w.Max, w.ExactSum, true}; fmt.Sprint(got) != fmt.Sprint(exp) {
			t.Errorf("%s: Describe's kind, sum, min, max, IntegerSum are %v, NumPy's and Python's %v", name, got, exp)
		}
	}
}
