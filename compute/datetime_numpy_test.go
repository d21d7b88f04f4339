package compute_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// numpyTimeExtremes writes (300, 230) datetime64 and timedelta64 .npy
// files, in both byte orders and memory orders, with and without NaT (at
// random places and on a line along each axis), into the folder named (in
// JSON) on its standard input, and prints NumPy's min, max, nanmin,
// nanmax, argmin and argmax of each view (whole, transposed, strided),
// whole and along each axis, counts as decimal strings (NaT is the
// smallest int64), of a native-order copy of the view.
const numpyTimeExtremes = `
import warnings, os
warnings.filterwarnings("ignore")
d = json.load(sys.stdin)
rng = np.random.default_rng(23)
shape = (300, 230)
out = {}
def counts(x): return [str(int(c)) for c in np.asarray(x).astype(np.int64).ravel()]
def results(v, axis):
    r = {}
    # NumPy 1.24's argmin and argmax of a byte-swapped datetime64 or
    # timedelta64 array return indices of elements that are not extremes:
    # the oracle reduces a native copy.
    v = v.astype(v.dtype.newbyteorder("="))
    for name, fn in (("min", np.min), ("max", np.max), ("nanmin", np.nanmin), ("nanmax", np.nanmax),
                     ("argmin", np.argmin), ("argmax", np.argmax)):
        r[name] = counts(fn(v, axis=axis))
    return r
for dt in ("<M8[s]", ">M8[s]", "<m8[ms]", ">m8[ms]"):
    for mem in "CF":
        for nat in (False, True):
            n = shape[0] * shape[1]
            x = rng.integers(-1000, 1000, n).astype(np.int64)  # ties: the first occurrence must win
            if nat:
                x[rng.integers(0, n, 40)] = np.iinfo(np.int64).min
                xs = x.reshape(shape)
                xs[7, :] = np.iinfo(np.int64).min; xs[:, 11] = np.iinfo(np.int64).min
            name = "%s%s_%s%s.npy" % ("le" if dt[0] == "<" else "be", dt[1], mem, "_nat" if nat else "")
            a = np.lib.format.open_memmap(os.path.join(d, name), mode="w+", dtype=np.dtype(dt), shape=shape, fortran_order=(mem == "F"))
            a[...] = x.reshape(shape).view(np.dtype(dt).newbyteorder("="))
            a.flush(); del a
            a = np.load(os.path.join(d, name))
            views = [a, a.T, a[1::3, ::-2]]
            out[name] = {"datetime": dt[1] == "M",
                         "views": [{"whole": results(v, None), "axes": [results(v, ax) for ax in range(v.ndim)]} for v in views]}
print(json.dumps(out))
`

type numpyTime map[string][]string

// TestTimeExtremesMatchNumPy compares Min, Max, NanMin, NanMax, ArgMin and
// ArgMax of Datetime64 and Timedelta64 views, whole and along each axis,
// with NumPy's, which take NaT as NaN: min, max, argmin and argmax
// propagate it, nanmin and nanmax skip it (NaT where all are NaT).
func TestTimeExtremesMatchNumPy(t *testing.T) {
	dir := t.TempDir()
	var files map[string]struct {
		Datetime bool `json:"datetime"`
		Views    []struct {
			Whole numpyTime   `json:"whole"`
			Axes  []numpyTime `json:"axes"`
		} `json:"views"`
	}
	numpytest.RunJSON(t, numpyTimeExtremes, dir, &files)
	if len(files) != 16 {
		t.Fatalf("NumPy wrote %d files, want 16", len(files))
	}
	for name, file := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := mmarray.Open(filepath.Join(dir, name), mmarray.ReadOnly)
			must(t, err)
			defer f.Close()
			var bad []string
			for vi, want := range file.Views {
				if file.Datetime {
					bad = append(bad, checkTimeView[mmarray.Datetime64](t, f, vi, want.Whole, want.Axes)...)
				} else {
					bad = append(bad, checkTimeView[mmarray.Timedelta64](t, f, vi, want.Whole, want.Axes)...)
				}
			}
			if len(bad) > 0 {
				t.Errorf("%d results differ from NumPy's, first ones:\n%v", len(bad), bad[:min(len(bad), 10)])
			}
		})
	}
}

func checkTimeView[T mmarray.Datetime64 | mmarray.Timedelta64](t *testing.T, f *mmarray.File, vi int, whole numpyTime, axes []numpyTime) []string {
	a, err := mmarray.View[T](f)
	must(t, err)
	v := axisViews(a)[vi]
	ctx, opt := context.Background(), compute.WithWorkers(3)
	var bad []string
	check := func(where string, got []string, want []string) {
		if !slices.Equal(got, want) {
			bad = append(bad, fmt.Sprintf("view %d %s: got %v, NumPy %v", vi, where, got, want))
		}
	}
	str := func(x T) string { return strconv.FormatInt(int64(x), 10) }
	values := []struct {
		name string
		fn   func(context.Context, *mmarray.Array[T], ...compute.Option) (T, error)
		axis func(context.Context, *mmarray.Array[T], int, ...compute.Option) (compute.Reduced[T], error)
	}{
		{"min", compute.Min[T], compute.MinAxis[T]}, {"max", compute.Max[T], compute.MaxAxis[T]},
		{"nanmin", compute.NanMin[T], compute.NanMinAxis[T]}, {"nanmax", compute.NanMax[T], compute.NanMaxAxis[T]},
	}
	for _, op := range values {
		x, err := op.fn(ctx, v, opt)
		must(t, err)
		check(op.name, []string{str(x)}, whole[op.name])
		for axis, want := range axes {
			r, err := op.axis(ctx, v, axis, opt)
			must(t, err)
			got := make([]string, len(r.Values))
			for i, x := range r.Values {
				got[i] = str(x)
			}
			check(fmt.Sprintf("%s axis %d", op.name, axis), got, want[op.name])
		}
	}
	indices := []struct {
		name string
		fn   func(context.Context, *mmarray.Array[T], ...compute.Option) (int, error)
		axis func(context.Context, *mmarray.Array[T], int, ...compute.Option) (compute.Reduced[int], error)
	}{{"argmin", compute.ArgMin[T], compute.ArgMinAxis[T]}, {"argmax", compute.ArgMax[T], compute.ArgMaxAxis[T]}}
	for _, op := range indices {
		i, err := op.fn(ctx, v, opt)
		must(t, err)
		check(op.name, []string{strconv.Itoa(i)}, whole[op.name])
		for axis, want := range axes {
			r, err := op.axis(ctx, v, axis, opt)
			must(t, err)
			got := make([]string, len(r.Values))
			for i, x := range r.Values {
				got[i] = strconv.Itoa(x)
			}
			check(fmt.Sprintf("%s axis %d", op.name, axis), got, want[op.name])
		}
	}
	_, err = compute.NanMin(ctx, v.Slice(mmarray.Span(0, 0, 1)))
	if !errors.Is(err, compute.ErrEmpty) {
		bad = append(bad, fmt.Sprintf("view %d: NanMin of an empty view: error %v, want ErrEmpty", vi, err))
	}
	return bad
}
