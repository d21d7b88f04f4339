package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
)

// statsAxisScript writes arrays of several dtypes, layouts and shapes
// (NaNs, a column of NaNs only, empty axes) and prints, for each case, the
// arguments stats takes and NumPy's statistics along the axis with
// Describe's NaN-skipping semantics, each as a nested list of the other
// axes' shape (.tolist(): one value for a 1-D array): np.nansum, np.nanmean,
// np.nanstd of the array as float64, np.nanmin, np.nanmax, np.nanargmin and
// np.nanargmax of the array itself (None where a line has no number), and
// the count and NaN count lines as NumPy's str prints them. scale is the sum
// of the finite magnitudes of the whole array, which the tolerances are
// relative to, and min_count the fewest numbers of a line.
const statsAxisScript = `
import os, warnings
d = json.load(sys.stdin)
p = lambda name: os.path.join(d, name)
rng = np.random.default_rng(11)
def with_nans(a, k):
    a = np.array(a, dtype=a.dtype)
    a.flat[rng.choice(a.size, k, replace=False)] = np.nan
    return a
cases = {}
def npy(name, a, axis, *flags):
    if not os.path.exists(p(name)):
        np.save(p(name), a)
    cases['%s axis %d' % (name, axis)] = (['--axis', str(axis), *flags, p(name)], np.load(p(name), mmap_mode='r'), axis)

nan2d = with_nans(rng.standard_normal((50, 7)) * 1e3 + 5, 9)
nan2d[:, 2] = np.nan
for axis in [0, 1, -1, -2]:
    npy('nan2d.npy', nan2d, axis)
npy('fortran.npy', np.asfortranarray(with_nans(rng.standard_normal((30, 11)), 4)), 0, '--workers', '1')
npy('fortran.npy', None, 1, '--workers', '3')
for axis in [0, 1, 2]:
    npy('i4.npy', rng.integers(-50, 50, size=(4, 5, 6), dtype='<i4'), axis)
npy('u8.npy', rng.integers(0, 2**64 - 1, size=100, dtype='<u8', endpoint=True), 0)
npy('i8.npy', np.array([[2**62, -2**63], [7, 2**63 - 1], [-2**63, 5]], dtype='>i8'), 0)
npy('bool.npy', rng.random((11, 7)) > 0.5, 1)
npy('f2.npy', with_nans((rng.standard_normal((9, 9)) * 50).astype('<f2'), 5), 0)
npy('f4be.npy', with_nans((rng.standard_normal((40, 25)) * 100).astype('>f4'), 20), 1, '--workers', '3')
npy('empty.npy', np.zeros((0, 3)), 0)
npy('empty.npy', None, 1)
npy('wide.npy', rng.standard_normal((3, 1200)), 0)
members = {'a': rng.standard_normal((40, 3))}
np.savez_compressed(p('zc.npz'), **members)
cases['zc.npz:a axis 0'] = (['--axis', '0', p('zc.npz') + ':a'], members['a'], 0)

def enc(v):
    v = float(v)
    return 'nan' if np.isnan(v) else 'inf' if v == np.inf else '-inf' if v == -np.inf else v
def lst(a, f=lambda v: v):
    return np.vectorize(f, otypes=[object])(a).tolist() if np.ndim(a) else f(a)
def line(a):
    s = np.array2string(np.asarray(a), formatter={'int': str}, max_line_width=10**9)
    return re.sub(r'\n\s*', ' ', s)
import re
out = {}
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    for name, (args, a, axis) in cases.items():
        a = np.asarray(a)
        x = a.astype(np.float64)
        nan = np.isnan(x)
        count = (~nan).sum(axis=axis)
        none = count == 0
        e = {'args': args, 'axis': axis % a.ndim, 'kept': [n for i, n in enumerate(a.shape) if i != axis % a.ndim],
             'count': lst(count, int), 'nan_count': lst(nan.sum(axis=axis), int),
             'count_line': line(count), 'nan_count_line': line(nan.sum(axis=axis)),
             'sum': lst(np.nansum(x, axis=axis), enc), 'mean': lst(np.nanmean(x, axis=axis), enc),
             'std': lst(np.nanstd(x, axis=axis), enc),
             'scale': float(np.abs(x[np.isfinite(x)]).sum()),
             'min_count': int(count[~none].min()) if np.any(~none) else 1}
        if a.shape[axis] == 0:
            e['min'] = e['max'] = lst(np.full(count.shape, np.nan), enc)
            e['argmin'] = e['argmax'] = lst(np.full(count.shape, 0), lambda v: None)
        else:
            for f, red, arg in [('min', np.nanmin, np.nanargmin), ('max', np.nanmax, np.nanargmax)]:
                r = red(a, axis=axis)
                e[f] = lst(r, int) if a.dtype.kind in 'iub' else lst(r, enc)
                filled = np.where(np.expand_dims(none, axis), 0, a) if a.dtype.kind == 'f' else a
                i = np.where(none, -1, arg(filled, axis=axis))
                e['arg' + f] = lst(i, lambda v: None if v < 0 else int(v))
                e['arg' + f + '_line'] = line(i).replace('-1', '-')
        out[name] = e
print(json.dumps(out))
`

// numpyAxisStats is one case of statsAxisScript's output: the statistics
// are nested lists (or single values) as JSON decodes them.
type numpyAxisStats struct {
	Args                     []string `json:"args"`
	Axis                     int      `json:"axis"`
	Kept                     []int    `json:"kept"`
	Count                    any
	NaNCount                 any    `json:"nan_count"`
	CountLine                string `json:"count_line"`
	NaNCountLine             string `json:"nan_count_line"`
	ArgMinLine               string `json:"argmin_line"`
	ArgMaxLine               string `json:"argmax_line"`
	Sum, Mean, Std, Min, Max any
	ArgMin                   any     `json:"argmin"`
	ArgMax                   any     `json:"argmax"`
	Scale                    float64 `json:"scale"`
	MinCount                 int64   `json:"min_count"`
}

// flatten returns the values of nested lists in C order and the lists'
// shape; a value that is not a list is one value of shape [].
func flatten(v any) (values []any, shape []int) {
	list, ok := v.([]any)
	if !ok {
		return []any{v}, []int{}
	}
	shape = []int{len(list)}
	for i, item := range list {
		vs, sub := flatten(item)
		if i == 0 && len(list) > 0 {
			if _, isList := item.([]any); isList {
				shape = append(shape, sub...)
			}
		}
		values = append(values, vs...)
	}
	return values, shape
}

func TestStatsAxisMatchesNumPy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var cases map[string]numpyAxisStats
	numpytest.RunJSON(t, statsAxisScript, dir, &cases)
	if len(cases) < 18 {
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
		if len(got) != 13 || got["axis"] != float64(want.Axis) {
			bad("%s: keys %v, axis %v; want the 13 of the issue, axis %d", name, mapKeys(got), got["axis"], want.Axis)
		}
		sumTol := sumTolerance * want.Scale
		momentTol := momentTolerance * want.Scale / float64(max(want.MinCount, 1))
		for _, f := range []struct {
			key  string
			want any
			tol  float64 // -1: compare exactly, as JSON values
		}{
			{"count", want.Count, -1}, {"nan_count", want.NaNCount, -1},
			{"argmin", want.ArgMin, -1}, {"argmax", want.ArgMax, -1},
			{"sum", want.Sum, sumTol}, {"mean", want.Mean, momentTol}, {"std", want.Std, momentTol},
			{"min", want.Min, 0}, {"max", want.Max, 0},
		} {
			g, gShape := flatten(got[f.key])
			w, wShape := flatten(f.want)
			if !slices.Equal(gShape, want.Kept) || !slices.Equal(wShape, want.Kept) {
				bad("%s: %s has shape %v (NumPy's %v), want the kept axes %v", name, f.key, gShape, wShape, want.Kept)
				continue
			}
			for i := range w {
				if f.tol < 0 {
					if fmt.Sprint(g[i]) != fmt.Sprint(w[i]) {
						bad("%s: %s[%d] %v, NumPy %v", name, f.key, i, g[i], w[i])
					}
					continue
				}
				gv, err := jsonNumber(g[i])
				if err != nil {
					bad("%s: %s[%d]: %v", name, f.key, i, err)
					continue
				}
				wv, err := jsonNumber(w[i])
				if err != nil {
					t.Fatalf("%s: NumPy's %s[%d]: %v", name, f.key, i, err)
				}
				if !closeTo(gv, wv, f.tol) {
					bad("%s: %s[%d] %v, NumPy %v (tolerance %g)", name, f.key, i, gv, wv, f.tol)
				}
			}
		}
		checkStatsAxisText(name, want, bad)
	}
	if len(mismatches) > 0 {
		t.Errorf("stats --axis disagrees with NumPy:\n%s", strings.Join(mismatches, "\n"))
	}
}

// checkStatsAxisText runs stats --axis without --json on a case and checks
// its lines: their order, the axis, and the count, NaN count and
// arg-extreme arrays as NumPy's str prints them ("-" for no index).
func checkStatsAxisText(name string, want numpyAxisStats, bad func(string, ...any)) {
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
	wantOrder := "[file dtype shape axis count nan_count sum mean std min max argmin argmax]"
	if fmt.Sprint(order) != wantOrder {
		bad("%s (text): lines %v, want %s", name, order, wantOrder)
		return
	}
	for key, w := range map[string]string{
		"axis": fmt.Sprint(want.Axis), "count": want.CountLine, "nan_count": want.NaNCountLine,
		"argmin": want.ArgMinLine, "argmax": want.ArgMaxLine,
	} {
		if w != "" && lines[key] != w {
			bad("%s (text): %s %q, NumPy %q", name, key, lines[key], w)
		}
	}
}
