package main

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/nprepr"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// statsScript writes arrays of several dtypes, layouts and containers (with
// NaN, infinities, ties and empty or all-NaN arrays) and prints, for each
// case, the arguments stats takes and the statistics NumPy computes for the
// array as NumPy maps it, with Describe's NaN-skipping semantics:
// np.nansum, np.nanmean and np.nanstd (ddof 0) of the array as float64,
// np.nanmin, np.nanmax, np.nanargmin and np.nanargmax of the array itself,
// and np.unravel_index of the arg-extremes. scale is the sum of the finite
// magnitudes, which the tolerances are relative to.
const statsScript = `
import os, warnings
d = json.load(sys.stdin)
p = lambda name: os.path.join(d, name)
rng = np.random.default_rng(9)
def with_nans(a, k):
    a = np.array(a, dtype=a.dtype)
    a.flat[rng.choice(a.size, k, replace=False)] = np.nan
    return a
cases = {}
def npy(name, a, *flags):
    np.save(p(name), a)
    cases[name] = ([*flags, p(name)], np.load(p(name), mmap_mode='r'))

npy('nan.npy', with_nans(rng.standard_normal((50, 7)) * 1e3 + 5, 9))
npy('inf.npy', np.array([1.0, np.inf, np.nan, -2.0, 3.0, -2.0]))
npy('both-inf.npy', np.array([np.inf, 2.0, -np.inf, np.nan], dtype='<f4'))
npy('f4be.npy', with_nans((rng.standard_normal(1000) * 100).astype('>f4'), 20), '--workers', '3')
npy('f2.npy', with_nans((rng.standard_normal((9, 9)) * 50).astype('<f2'), 5))
npy('fortran.npy', np.asfortranarray(with_nans(rng.standard_normal((30, 11)), 4)), '--workers', '1')
npy('i4.npy', rng.integers(-50, 50, size=(4, 5, 6), dtype='<i4'))
npy('i8.npy', np.array([2**62, -2**63, 7, 2**63 - 1, -2**63, 5], dtype='>i8'))
npy('u8.npy', rng.integers(0, 2**64 - 1, size=100, dtype='<u8', endpoint=True))
npy('u1.npy', rng.integers(0, 255, size=(7, 3), dtype='u1', endpoint=True))
npy('bool.npy', rng.random((11, 7)) > 0.5)
npy('scalar.npy', np.array(-2.5))
npy('empty.npy', np.zeros((0, 3)))
npy('all-nan.npy', np.full((2, 2), np.nan, dtype='<f4'))

members = {'a': rng.standard_normal((40, 3)), 'h': rng.integers(-9, 9, size=(6, 6)).astype('>i2')}
np.savez(p('z.npz'), **members)
np.savez_compressed(p('zc.npz'), **members)
for archive in ['z.npz', 'zc.npz']:
    for key in members:
        cases[archive + ':' + key] = ([p(archive) + ':' + key], np.load(p(archive))[key])

raw = with_nans(rng.standard_normal((20, 5)).astype('>f4'), 3)
with open(p('raw.bin'), 'wb') as f:
    f.write(b'\x01' * 13 + raw.tobytes(order='F'))  # an unaligned offset
cases['raw.bin'] = (['--dtype', '>f4', '--shape', '20,5', '--offset', '13', '--order', 'F', p('raw.bin')],
                    np.memmap(p('raw.bin'), dtype='>f4', mode='r', offset=13, shape=(20, 5), order='F'))

def enc(v):
    v = float(v)
    return 'nan' if np.isnan(v) else 'inf' if v == np.inf else '-inf' if v == -np.inf else v
out = {}
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    for name, (args, a) in cases.items():
        a = np.asarray(a)
        x = a.astype(np.float64)
        nan = np.isnan(x)
        count = int((~nan).sum())
        e = {'args': args, 'dtype': a.dtype.str, 'shape': list(a.shape), 'count': count,
             'nan_count': int(nan.sum()), 'sum': enc(np.nansum(x)),
             'mean': enc(np.nanmean(x) if count else np.nan), 'std': enc(np.nanstd(x) if count else np.nan),
             'min': enc(np.nanmin(a) if count else np.nan), 'max': enc(np.nanmax(a) if count else np.nan),
             'argmin': None, 'argmax': None, 'argmin_index': None, 'argmax_index': None,
             'scale': float(np.abs(x[np.isfinite(x)]).sum())}
        if count:
            for f, arg in [('argmin', np.nanargmin), ('argmax', np.nanargmax)]:
                e[f] = int(arg(a))
                e[f + '_index'] = [int(i) for i in np.unravel_index(e[f], a.shape)]
        out[name] = e
print(json.dumps(out))
`

// numpyStats is one case of statsScript's output.
type numpyStats struct {
	Args                     []string `json:"args"`
	DType                    string   `json:"dtype"`
	Shape                    []int    `json:"shape"`
	Count                    int64    `json:"count"`
	NaNCount                 int64    `json:"nan_count"`
	Sum, Mean, Std, Min, Max any      // a number, or "nan", "inf", "-inf"
	ArgMin                   *int     `json:"argmin"`
	ArgMax                   *int     `json:"argmax"`
	ArgMinIndex              []int    `json:"argmin_index"`
	ArgMaxIndex              []int    `json:"argmax_index"`
	Scale                    float64  `json:"scale"`
}

// jsonNumber reads a statistic as stats --json and statsScript write it:
// a JSON number, or one of the strings "nan", "inf" and "-inf".
func jsonNumber(v any) (float64, error) {
	switch v := v.(type) {
	case float64:
		return v, nil
	case string:
		switch v {
		case "nan":
			return math.NaN(), nil
		case "inf":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		}
	}
	return 0, fmt.Errorf("%#v is neither a number nor \"nan\", \"inf\", \"-inf\"", v)
}

// Tolerances of the comparison with NumPy. NumPy sums pairwise and
// Describe with compensation and per-chunk moments, so sums and moments
// differ by roundings: a sum may be off by sumTolerance of the sum of
// magnitudes, the mean and the std by momentTolerance of the mean
// magnitude. Counts, indices and extremes (elements of the array) must be
// exact.
const (
	sumTolerance    = 1e-12
	momentTolerance = 1e-12
)

// closeTo reports whether got is want within tol: the same non-finite
// value, or finite and at most tol apart.
func closeTo(got, want, tol float64) bool {
	if math.IsNaN(want) || math.IsInf(want, 0) {
		return math.IsNaN(got) && math.IsNaN(want) || got == want
	}
	return math.Abs(got-want) <= tol
}

func TestStatsMatchesNumPy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var cases map[string]numpyStats
	numpytest.RunJSON(t, statsScript, dir, &cases)
	if len(cases) < 19 {
		t.Fatalf("NumPy wrote %d cases", len(cases))
	}
	var mismatches []string
	bad := func(format string, args ...any) { mismatches = append(mismatches, fmt.Sprintf(format, args...)) }
	for name, want := range cases {
		code, out, errOut := runCLI(append([]string{"stats", "--json"}, want.Args...)...)
		if code != exitOK || errOut != "" {
			bad("%s: status %d, stderr %q", name, code, errOut)
			continue
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			bad("%s: %v in %q", name, err, out)
			continue
		}
		keys := mapKeys(got)
		if len(keys) != 13 {
			bad("%s: keys %v, want the 13 of the issue", name, keys)
		}
		file := want.Args[len(want.Args)-1]
		if got["file"] != file || got["dtype"] != want.DType || fmt.Sprint(got["shape"]) != fmt.Sprint(want.Shape) ||
			got["axis"] != nil {
			bad("%s: file %v dtype %v shape %v axis %v; want %s %s %v null", name,
				got["file"], got["dtype"], got["shape"], got["axis"], file, want.DType, want.Shape)
		}
		if got["count"] != float64(want.Count) || got["nan_count"] != float64(want.NaNCount) {
			bad("%s: count %v nan_count %v, NumPy %d %d", name, got["count"], got["nan_count"], want.Count, want.NaNCount)
		}
		for _, f := range []struct {
			key       string
			got, want any
			tol       float64
		}{
			{"sum", got["sum"], want.Sum, sumTolerance * want.Scale},
			{"mean", got["mean"], want.Mean, momentTolerance * want.Scale / float64(max(want.Count, 1))},
			{"std", got["std"], want.Std, momentTolerance * want.Scale / float64(max(want.Count, 1))},
			{"min", got["min"], want.Min, 0},
			{"max", got["max"], want.Max, 0},
		} {
			g, err := jsonNumber(f.got)
			if err != nil {
				bad("%s: %s: %v", name, f.key, err)
				continue
			}
			w, err := jsonNumber(f.want)
			if err != nil {
				t.Fatalf("%s: NumPy's %s: %v", name, f.key, err)
			}
			if !closeTo(g, w, f.tol) {
				bad("%s: %s %v, NumPy %v (tolerance %g)", name, f.key, g, w, f.tol)
			}
		}
		for _, f := range []struct {
			key  string
			want *int
		}{{"argmin", want.ArgMin}, {"argmax", want.ArgMax}} {
			if g := got[f.key]; f.want == nil && g != nil || f.want != nil && g != float64(*f.want) {
				bad("%s: %s %v, NumPy %v", name, f.key, g, ptrString(f.want))
			}
		}
		checkStatsText(t, name, want, bad)
	}
	if len(mismatches) > 0 {
		t.Errorf("stats disagrees with NumPy:\n%s", strings.Join(mismatches, "\n"))
	}
}

func ptrString(p *int) string {
	if p == nil {
		return "null"
	}
	return strconv.Itoa(*p)
}

// checkStatsText runs stats without --json on a case and checks its lines:
// the counts and arg-extremes (flat and np.unravel_index) exactly, the
// numbers against NumPy's as in the JSON comparison, the extremes of a
// float array read back at the array's precision.
func checkStatsText(t *testing.T, name string, want numpyStats, bad func(string, ...any)) {
	code, out, errOut := runCLI(append([]string{"stats"}, want.Args...)...)
	if code != exitOK || errOut != "" {
		bad("%s (text): status %d, stderr %q", name, code, errOut)
		return
	}
	lines := map[string]string{}
	var order []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		k, v, _ := strings.Cut(l, " ")
		lines[k] = strings.TrimSpace(v)
		order = append(order, k)
	}
	wantOrder := "[file dtype shape count nan_count sum mean std min max argmin argmax]"
	if fmt.Sprint(order) != wantOrder {
		bad("%s (text): lines %v, want %s", name, order, wantOrder)
		return
	}
	if lines["dtype"] != want.DType || lines["shape"] != nprepr.Shape(want.Shape) ||
		lines["count"] != strconv.FormatInt(want.Count, 10) || lines["nan_count"] != strconv.FormatInt(want.NaNCount, 10) {
		bad("%s (text): dtype %q shape %q count %q nan_count %q; NumPy %s %s %d %d", name,
			lines["dtype"], lines["shape"], lines["count"], lines["nan_count"],
			want.DType, nprepr.Shape(want.Shape), want.Count, want.NaNCount)
	}
	for _, f := range []struct {
		key   string
		flat  *int
		index []int
	}{{"argmin", want.ArgMin, want.ArgMinIndex}, {"argmax", want.ArgMax, want.ArgMaxIndex}} {
		w := "-"
		if f.flat != nil {
			w = fmt.Sprintf("%d %s", *f.flat, nprepr.Shape(f.index))
		}
		if lines[f.key] != w {
			bad("%s (text): %s %q, NumPy %q", name, f.key, lines[f.key], w)
		}
	}
	// Extremes print at the element's precision: read them back at it.
	roundToElement := func(x float64) float64 { return x }
	switch want.DType[1:] {
	case "f4":
		roundToElement = func(x float64) float64 { return float64(float32(x)) }
	case "f2":
		roundToElement = func(x float64) float64 { return mmarray.Float16FromFloat64(x).Float64() }
	}
	isInteger := regexp.MustCompile(`^-?\d+$`)
	integral := want.DType[1] != 'f'
	for _, f := range []struct {
		key     string
		want    any
		tol     float64
		element bool
	}{
		{"sum", want.Sum, sumTolerance * want.Scale, false},
		{"mean", want.Mean, momentTolerance * want.Scale / float64(max(want.Count, 1)), false},
		{"std", want.Std, momentTolerance * want.Scale / float64(max(want.Count, 1)), false},
		{"min", want.Min, 0, true},
		{"max", want.Max, 0, true},
	} {
		g, err := strconv.ParseFloat(lines[f.key], 64)
		if err != nil {
			bad("%s (text): %s %q: %v", name, f.key, lines[f.key], err)
			continue
		}
		if f.element {
			g = roundToElement(g)
		}
		w, err := jsonNumber(f.want)
		if err != nil {
			t.Fatalf("%s: NumPy's %s: %v", name, f.key, err)
		}
		if !closeTo(g, w, f.tol) {
			bad("%s (text): %s %q, NumPy %v (tolerance %g)", name, f.key, lines[f.key], w, f.tol)
		}
		if isInt := isInteger.MatchString(lines[f.key]); integral && f.key != "mean" && f.key != "std" && !isInt && !math.IsNaN(w) {
			bad("%s (text): %s %q of an integer dtype is not an integer", name, f.key, lines[f.key])
		}
	}
}

// TestStatsBadInput: what stats cannot describe, and bad flag values, are
// one line and status 2.
func TestStatsBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	numpytest.Run(t, `
import os
d = sys.argv[1]
np.save(os.path.join(d, 'good.npy'), np.arange(10.0))
np.save(os.path.join(d, 'scalar.npy'), np.array(1.5))
np.save(os.path.join(d, 'c16.npy'), np.zeros(3, dtype='<c16'))
np.save(os.path.join(d, 'dt.npy'), np.arange(3).astype('<M8[s]'))
np.save(os.path.join(d, 'u.npy'), np.array(['a', 'b']))
np.save(os.path.join(d, 'rec.npy'), np.zeros(2, dtype=[('x', '<f8'), ('y', '<i4')]))
np.save(os.path.join(d, 'f16.npy'), np.zeros(2, dtype=np.longdouble))
np.savez(os.path.join(d, 'z.npz'), a=np.arange(3))
data = open(os.path.join(d, 'good.npy'), 'rb').read()
open(os.path.join(d, 'truncated.npy'), 'wb').write(data[:-8])
`, dir)
	p := func(name string) string { return filepath.Join(dir, name) }
	cases := []struct {
		args []string
		want string // a part of the message
	}{
		{[]string{"stats", p("c16.npy")}, "<c16"},
		{[]string{"stats", p("dt.npy")}, "<M8[s]"},
		{[]string{"stats", p("u.npy")}, "u.npy"},
		{[]string{"stats", p("rec.npy")}, "rec.npy"},
		{[]string{"stats", p("f16.npy")}, "f16.npy"},
		{[]string{"stats", p("truncated.npy")}, "truncated.npy"},
		{[]string{"stats", p("missing.npy")}, "missing.npy"},
		{[]string{"stats", p("z.npz")}, "name one"},
		{[]string{"stats", p("z.npz") + ":nope"}, "nope"},
		{[]string{"stats", "--axis", "x", p("good.npy")}, "axis"},
		{[]string{"stats", "--axis", "1.5", p("good.npy")}, "axis"},
		{[]string{"stats", "--axis", "1", p("good.npy")}, "axis 1 is out of bounds for array of dimension 1"},
		{[]string{"stats", p("good.npy"), "-axis=-2"}, "axis -2 is out of bounds"},
		{[]string{"stats", "--axis", "0", p("scalar.npy")}, "dimension 0"},
		{[]string{"stats", "--axis", "0", p("c16.npy")}, "<c16"},
		{[]string{"stats", "--memory", "lots", p("good.npy")}, "--memory"},
		{[]string{"stats", "--memory", "0", p("good.npy")}, "--memory"},
		{[]string{"stats", "--memory=-1MiB", p("good.npy")}, "--memory"},
		{[]string{"stats", p("good.npy"), "--memory", "0.5"}, "--memory"},
		{[]string{"stats", "--memory", "256 parsecs", p("good.npy")}, "--memory"},
		{[]string{"stats", "--workers", "-1", p("good.npy")}, "--workers"},
		{[]string{"stats", "--workers", "two", p("good.npy")}, "workers"},
		{[]string{"stats", "--json=maybe", p("good.npy")}, "json"},
		{[]string{"stats", "--shape", "3", p("good.npy")}, "--dtype"},
		{[]string{"stats", "--dtype", "<f8", "--shape", "100", p("good.npy")}, "good.npy"},
		{[]string{"stats"}, "no file"},
		{[]string{"stats", p("good.npy"), p("good.npy")}, "one file"},
	}
	for _, c := range cases {
		code, out, errOut := runCLI(c.args...)
		if code != exitUsage || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "memmap: ") ||
			!strings.Contains(errOut, c.want) {
			t.Errorf("%v: status %d, stdout %q, stderr %q; want status 2, one line naming %q", c.args, code, out, errOut, c.want)
		}
	}
}

// TestStatsMemoryBudget: a budget far below the file's size (so that the
// engine releases what it has passed) gives the same statistics, in text
// and JSON, whole or along an axis, as the default budget, with any number
// of workers.
func TestStatsMemoryBudget(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "big.npy")
	const n = 200_000 // 1.6 MB
	f, err := mmarray.Create(path, "<f8", []int{n / 8, 8})
	if err != nil {
		t.Fatal(err)
	}
	a, err := mmarray.View[float64](f)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		x := math.Sin(float64(i)) * float64(i%977)
		if i%1013 == 0 {
			x = math.NaN()
		}
		a.Set(x, i/8, i%8)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, format := range [][]string{nil, {"--json"}, {"--axis", "0"}, {"--axis", "1", "--json"}} {
		args := append([]string{"stats"}, format...)
		code, want, errOut := runCLI(append(args, path)...)
		if code != exitOK || errOut != "" {
			t.Fatalf("%v: status %d, stderr %q", args, code, errOut)
		}
		for _, flags := range [][]string{
			{"--memory", "64KiB"}, {"--memory", "128KiB", "--workers", "1"}, {"--memory=100000", "--workers", "3"},
		} {
			code, got, errOut := runCLI(append(append(slices.Clone(args), flags...), path)...)
			if code != exitOK || errOut != "" || got != want {
				t.Errorf("%v %v: status %d, stderr %q, output\n%s\nwant\n%s", args, flags, code, errOut, got, want)
			}
		}
	}
}
