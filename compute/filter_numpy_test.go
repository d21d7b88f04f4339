package compute_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// filterCase is one row selection checked against NumPy: op (where,
// filter, concat) over the view View of the input file Input.
type filterCase struct {
	Input, View, Op string
}

const numpyFilterInputs = `
import os
d = json.load(sys.stdin)
out = d["dir"]
rng = np.random.default_rng(5)
def normal(shape, dt):
    return rng.standard_normal(shape).astype(dt)
def comp(shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype("<c16")
def recs(n):
    r = np.zeros(n, dtype=[("x", "<f8"), ("n", ">i4"), ("s", "S3")])
    r["x"] = rng.standard_normal(n); r["n"] = rng.integers(-9, 9, n)
    r["s"] = [b"ab"[: i % 3] + b"z" for i in range(n)]
    return r
def strs(n):
    return np.array(["", "a", "bcd", "\u00e9t\u00e9", "xyzw"] * (n // 5), dtype="<U4")
make = {
    "f4": lambda: normal((1000, 7), "<f4"),
    "f8F": lambda: np.asfortranarray(normal((300, 4, 5), ">f8")),
    "i2": lambda: rng.integers(-100, 100, 2000).astype("<i2"),
    "c16": lambda: comp((500, 3)),
    "U4": lambda: strs(600),
    "rec": lambda: recs(800),
    "b1": lambda: rng.random((600, 2)) < 0.5,
}
files = {}
for name, fn in make.items():
    for suffix in ("", "_2"):
        np.save(os.path.join(out, name + suffix + ".npy"), fn())
    files[name] = np.load(os.path.join(out, name + ".npy"), mmap_mode="r")
    files[name + "_2"] = np.load(os.path.join(out, name + "_2.npy"), mmap_mode="r")
views = {"whole": lambda a: a, "rev": lambda a: a[::-1], "step": lambda a: a[1::3],
         "T": lambda a: a.T, "cols": lambda a: a[:, ::2]}
columns = {
    "f4": lambda v: v[:, 2] > 0,
    "f8F": lambda v: v[:, 1, 2] > 0,
    "i2": lambda v: v % 3 == 0,
    "rec": lambda v: v["x"] > 0,
    "b1": lambda v: v[:, 0],
}
for i, c in enumerate(d["cases"]):
    v = views[c["View"]](files[c["Input"]])
    if c["Op"] == "where":
        m = rng.random(len(v)) < 0.3
        np.save(os.path.join(out, "mask%d.npy" % i), m)
        r = v[m]
    elif c["Op"] == "filter":
        r = v[columns[c["Input"]](v)]
    else:
        w = views[c["View"]](files[c["Input"] + "_2"])
        # np.concatenate makes the dtype native ('>f8' becomes '<f8');
        # Concatenate keeps the views' own, with the same values.
        r = np.concatenate([v, v[::2], v[:0], w]).astype(v.dtype)
    # np.concatenate of Fortran views is Fortran; our files are C order.
    np.save(os.path.join(out, "want%d.npy" % i), np.ascontiguousarray(r))
print(json.dumps(len(d["cases"])))
`

const numpyFilterCheck = `
import os
d = json.load(sys.stdin)
bad = []
for got, want in d:
    g, w = np.load(got), np.load(want)
    if g.dtype != w.dtype or g.shape != w.shape or g.tobytes() != w.tobytes():
        bad.append("%s: %s %s, NumPy's %s %s" % (os.path.basename(got), g.dtype, g.shape, w.dtype, w.shape))
print(json.dumps(bad))
`

// TestFilterMatchesNumPy checks Where, Filter and Concatenate over views of
// every layout, byte order and several dtypes (records, strings, complex)
// against NumPy's a[mask], a[pred(a[:, j])] and np.concatenate: byte for
// byte against np.save of NumPy's result, whatever the number of workers,
// with chunks of a few rows; and NumPy loads our files to the same arrays.
func TestFilterMatchesNumPy(t *testing.T) {
	t.Parallel()
	numpytest.Python(t)
	var cases []filterCase
	for _, in := range []string{"f4", "f8F", "i2", "c16", "U4", "rec", "b1"} {
		views := []string{"whole", "rev", "step"}
		if in != "i2" && in != "U4" && in != "rec" {
			views = append(views, "T", "cols")
		}
		for _, view := range views {
			ops := []string{"where", "concat"}
			if in != "c16" && in != "U4" {
				ops = append(ops, "filter")
			}
			for _, op := range ops {
				cases = append(cases, filterCase{in, view, op})
			}
		}
	}
	dir := t.TempDir()
	var n int
	numpytest.RunJSON(t, numpyFilterInputs, map[string]any{"dir": dir, "cases": cases}, &n)
	if n != len(cases) {
		t.Fatalf("NumPy made %d cases of %d", n, len(cases))
	}
	var pairs [][2]string
	for i, c := range cases {
		want := filepath.Join(dir, fmt.Sprintf("want%d.npy", i))
		for _, workers := range workerCounts {
			got := filepath.Join(dir, fmt.Sprintf("got%d_w%d.npy", i, workers))
			opts := []compute.Option{compute.WithWorkers(workers), compute.WithRowChunkBytes(100)}
			var rows int
			var err error
			run := func(e filterRunner) { rows, err = e(t, dir, i, c, got, opts) }
			runnerFor(c.Input, run)
			if err != nil {
				t.Fatalf("%+v, %d workers: %v", c, workers, err)
			}
			if diff := sameFile(t, got, want); diff != "" {
				t.Errorf("%+v, %d workers: %s", c, workers, diff)
			}
			if wantRows := openFile(t, want).Shape()[0]; rows != wantRows {
				t.Errorf("%+v, %d workers: %d rows reported, NumPy's result has %d", c, workers, rows, wantRows)
			}
			pairs = append(pairs, [2]string{got, want})
		}
	}
	var bad []string
	numpytest.RunJSON(t, numpyFilterCheck, pairs, &bad)
	for _, b := range bad {
		t.Error(b)
	}
}

// filterRunner runs case i's operation into out and returns the rows
// written.
type filterRunner func(t *testing.T, dir string, i int, c filterCase, out string, opts []compute.Option) (int, error)

// runnerFor calls run with the runner for the Go type of input's dtype.
func runnerFor(input string, run func(filterRunner)) {
	switch input {
	case "f4":
		run(filterRun(func(v *mmarray.Array[float32]) *mmarray.Array[float32] {
			return v.Slice(mmarray.All(), mmarray.Index(2))
		}, func(keep []bool, col []float32) {
			for i, x := range col {
				keep[i] = x > 0
			}
		}))
	case "f8F":
		run(filterRun(func(v *mmarray.Array[float64]) *mmarray.Array[float64] {
			return v.Slice(mmarray.All(), mmarray.Index(1), mmarray.Index(2))
		}, func(keep []bool, col []float64) {
			for i, x := range col {
				keep[i] = x > 0
			}
		}))
	case "i2":
		run(filterRun(func(v *mmarray.Array[int16]) *mmarray.Array[int16] { return v },
			func(keep []bool, col []int16) {
				for i, x := range col {
					keep[i] = x%3 == 0
				}
			}))
	case "rec":
		run(filterRun(func(v *mmarray.Array[[]byte]) *mmarray.Array[float64] {
			x, err := mmarray.Field[float64](v, "x")
			if err != nil {
				panic(err)
			}
			return x
		}, func(keep []bool, col []float64) {
			for i, x := range col {
				keep[i] = x > 0
			}
		}))
	case "b1":
		run(filterRun(func(v *mmarray.Array[bool]) *mmarray.Array[bool] {
			return v.Slice(mmarray.All(), mmarray.Index(0))
		}, func(keep []bool, col []bool) { copy(keep, col) }))
	case "c16":
		run(filterRun[complex128, bool](nil, nil))
	case "U4":
		run(filterRun[string, bool](nil, nil))
	}
}

// filterRun returns the runner of views of E whose filter column is
// column(view), kept by pred.
func filterRun[E mmarray.Element, T compute.Real](column func(*mmarray.Array[E]) *mmarray.Array[T],
	pred func([]bool, []T)) filterRunner {
	return func(t *testing.T, dir string, i int, c filterCase, out string, opts []compute.Option) (int, error) {
		ctx := context.Background()
		v := elementViewOf(t, openElements[E](t, filepath.Join(dir, c.Input+".npy")), c.View)
		switch c.Op {
		case "where":
			mask := openElements[bool](t, filepath.Join(dir, fmt.Sprintf("mask%d.npy", i)))
			return compute.Where(ctx, v, mask, out, opts...)
		case "filter":
			return compute.Filter(ctx, v, column(v), pred, out, opts...)
		}
		w := elementViewOf(t, openElements[E](t, filepath.Join(dir, c.Input+"_2.npy")), c.View)
		srcs := []*mmarray.Array[E]{v, v.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, 2)), v.Slice(mmarray.Span(0, 0, 1)), w}
		return compute.Concatenate(ctx, srcs, out, opts...)
	}
}

// openElements opens the .npy file at path read-only and views it as E.
func openElements[E mmarray.Element](t *testing.T, path string) *mmarray.Array[E] {
	t.Helper()
	a, err := mmarray.View[E](openFile(t, path))
	must(t, err)
	return a
}

func openFile(t *testing.T, path string) *mmarray.File {
	t.Helper()
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	must(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// elementViewOf makes the view numpyFilterInputs names view of a.
func elementViewOf[E mmarray.Element](t *testing.T, a *mmarray.Array[E], view string) *mmarray.Array[E] {
	t.Helper()
	switch view {
	case "whole":
		return a
	case "rev":
		return a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, -1))
	case "step":
		return a.Slice(mmarray.Span(1, mmarray.Omit, 3))
	case "T":
		return a.Transpose()
	case "cols":
		return a.Slice(mmarray.All(), mmarray.Span(mmarray.Omit, mmarray.Omit, 2))
	}
	t.Fatalf("unknown view %q", view)
	return nil
}
