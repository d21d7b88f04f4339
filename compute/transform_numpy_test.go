package compute_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// workerCounts are the worker counts every transform runs with: the
// results must be the same file, byte for byte.
var workerCounts = []int{1, 2, 3, 8}

// sameFile compares the .npy file written at got with NumPy's at want, byte
// for byte, and describes the first difference.
func sameFile(t *testing.T, got, want string) string {
	t.Helper()
	g, err := os.ReadFile(got)
	must(t, err)
	w, err := os.ReadFile(want)
	must(t, err)
	if bytes.Equal(g, w) {
		return ""
	}
	if len(g) != len(w) {
		return fmt.Sprintf("%s: %d bytes, NumPy's %d", filepath.Base(want), len(g), len(w))
	}
	i := 0
	for g[i] == w[i] {
		i++
	}
	lo, hi := max(i-8, 0), min(i+8, len(g))
	return fmt.Sprintf("%s: byte %d differs: % x, NumPy's % x", filepath.Base(want), i, g[lo:hi], w[lo:hi])
}

// openView opens the .npy file at path read-only and views it as T.
func openView[T compute.Real](t *testing.T, path string) *mmarray.Array[T] {
	t.Helper()
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	must(t, err)
	t.Cleanup(func() { f.Close() })
	a, err := mmarray.View[T](f)
	must(t, err)
	return a
}

// byCode runs fn with the Go element type of a dtype code ("f8", "b1", ...).
func byCode(t *testing.T, code string, fn func(realType)) {
	t.Helper()
	types := map[string]realType{
		"b1": realOf[bool](), "i1": realOf[int8](), "u1": realOf[uint8](), "i2": realOf[int16](),
		"u2": realOf[uint16](), "i4": realOf[int32](), "u4": realOf[uint32](), "i8": realOf[int64](),
		"u8": realOf[uint64](), "f2": realOf[mmarray.Float16](), "f4": realOf[float32](), "f8": realOf[float64](),
	}
	rt, ok := types[code]
	if !ok {
		t.Fatalf("no Go type for dtype code %q", code)
	}
	fn(rt)
}

// realType runs the operations of these tests on a file of one element
// type, chosen at run time.
type realType struct {
	astype func(t *testing.T, src, view, path, descr string, workers int) error
	copy   func(t *testing.T, src, view, path string, workers int) error
	take   func(t *testing.T, src, view string, indices []int, path string, workers int) error
}

func realOf[T compute.Real]() realType {
	ctx := context.Background()
	return realType{
		astype: func(t *testing.T, src, view, path, descr string, workers int) error {
			return compute.Astype(ctx, viewOf(t, openView[T](t, src), view), path, descr, compute.WithWorkers(workers))
		},
		copy: func(t *testing.T, src, view, path string, workers int) error {
			return compute.Copy(ctx, viewOf(t, openView[T](t, src), view), path, compute.WithWorkers(workers))
		},
		take: func(t *testing.T, src, view string, indices []int, path string, workers int) error {
			return compute.Take(ctx, viewOf(t, openView[T](t, src), view), indices, path, compute.WithWorkers(workers))
		},
	}
}

// viewOf makes the view the NumPy scripts name view of a.
func viewOf[T compute.Real](t *testing.T, a *mmarray.Array[T], view string) *mmarray.Array[T] {
	all, rev := mmarray.All(), mmarray.Span(mmarray.Omit, mmarray.Omit, -1)
	switch view {
	case "whole":
		return a
	case "T":
		return a.Transpose()
	case "rev2": // a[::-2]
		return a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, -2))
	case "rev_step3": // a[::-1, ::3]
		return a.Slice(rev, mmarray.Span(mmarray.Omit, mmarray.Omit, 3))
	case "T201": // a.transpose(2, 0, 1)
		return a.Transpose(2, 0, 1)
	case "T120":
		return a.Transpose(1, 2, 0)
	case "mid": // a[:, ::-1, 5]
		return a.Slice(all, rev, mmarray.Index(5))
	case "col": // a[:, 3:4].T: a (1, n) row of a column
		return a.Slice(all, mmarray.Span(3, 4, 1)).Transpose()
	}
	t.Fatalf("unknown view %q", view)
	return nil
}

const numpyAstype = `
import os, warnings
warnings.filterwarnings("ignore")
d = json.load(sys.stdin)
rng = np.random.default_rng(11)
shape = (60, 50)
n = shape[0] * shape[1]
specials = [np.nan, np.inf, -np.inf, 1e20, -1e20, 3e9, -3e9, 5e9, 70000.7, -70000.7, 300.7, -300.7, -1.5, -0.7,
            0.5, 2.0**63, 2.0**64, 2.0**63 + 4096, -2.0**63, -2.0**63 - 4096, 4294967296.0, 4294967295.5,
            2147483648.0, 2147483647.9, -2147483649.0, -2147483648.5, 65504.0, 65519.9, 65520.0, 1e-8, -0.0,
            255.9, 256.0, -128.9, -129.0, 32767.9, 32768.0, 65535.9, 65536.0, 1.5, 2.5, -2.5]
codes = ["b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"]
def orders(code): return "|" if code in ("b1", "i1", "u1") else "<>"
cases = []
for code in codes:
    if code == "b1":
        x = rng.random(n) < 0.5
    elif code[0] in "iu":
        info = np.iinfo(code)
        x = rng.integers(info.min, info.max, n, endpoint=True, dtype=code)
        x[:41] = (np.arange(41) - 20).astype(code)
    else:
        big = np.sign(rng.standard_normal(n)) * 10.0 ** rng.uniform(-10, 25, n)
        x = np.concatenate([specials, np.round(rng.standard_normal(1000) * 1000, 2), big])[:n].astype(code)
        # NumPy's contiguous cast loops are vectorised, and its scalar loop
        # for the last few elements gives other results for floats out of
        # uint32's range: the last elements are in every range.
        x[-16:] = np.arange(16) - 8
    for bo in orders(code):
        src = "src_%s%s.npy" % ({"<": "le", ">": "be", "|": ""}[bo], code)
        a = x.reshape(shape).astype(np.dtype(code).newbyteorder(bo))
        np.save(os.path.join(d, src), a)
        for view in (["whole", "T"] if bo != ">" else ["whole"]):
            v = a if view == "whole" else a.T
            for target in codes:
                for tbo in orders(target):
                    descr = np.dtype(target).newbyteorder(tbo).str
                    ref = "ref_%s_%s_%s.npy" % (src[4:-4], view, descr.replace("<", "le").replace(">", "be").replace("|", ""))
                    np.save(os.path.join(d, ref), np.ascontiguousarray(v.astype(descr)))
                    cases.append({"src": src, "code": code, "view": view, "descr": descr, "ref": ref})
print(json.dumps(cases))
`

// TestAstypeMatchesNumPy converts every real dtype in both byte orders,
// whole and transposed, to every real dtype in both byte orders and
// compares the files with NumPy's astype's, byte for byte: special floats
// (NaN, infinities, values out of every integer range, halves, -0.0)
// included.
func TestAstypeMatchesNumPy(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	var cases []struct{ Src, Code, View, Descr, Ref string }
	numpytest.RunJSON(t, numpyAstype, dir, &cases)
	if len(cases) < 600 {
		t.Fatalf("NumPy wrote %d cases", len(cases))
	}
	var bad []string
	for i, c := range cases {
		got := filepath.Join(out, fmt.Sprintf("astype%d.npy", i))
		byCode(t, c.Code, func(rt realType) {
			if err := rt.astype(t, filepath.Join(dir, c.Src), c.View, got, c.Descr, workerCounts[i%len(workerCounts)]); err != nil {
				bad = append(bad, fmt.Sprintf("%s %s to %s: %v", c.Src, c.View, c.Descr, err))
				return
			}
			if diff := sameFile(t, got, filepath.Join(dir, c.Ref)); diff != "" {
				bad = append(bad, diff)
			}
			os.Remove(got)
		})
	}
	if len(bad) > 0 {
		t.Errorf("%d of %d conversions differ from NumPy's:\n%v", len(bad), len(cases), bad)
	}
}

const numpyCopyTake = `
import os
d = json.load(sys.stdin)
rng = np.random.default_rng(12)
def save(name, x, fortran=False):
    a = np.lib.format.open_memmap(os.path.join(d, name), mode="w+", dtype=x.dtype, shape=x.shape, fortran_order=fortran)
    a[...] = x; a.flush(); del a
    return np.load(os.path.join(d, name))
views = {
    "whole": lambda a: a, "T": lambda a: a.T, "rev2": lambda a: a[::-2], "rev_step3": lambda a: a[::-1, ::3],
    "T201": lambda a: a.transpose(2, 0, 1), "T120": lambda a: a.transpose(1, 2, 0), "mid": lambda a: a[:, ::-1, 5],
    "col": lambda a: a[:, 3:4].T,
}
files = [
    # name, code, data, fortran, copy views, take views
    ("c_f8.npy", "f8", rng.standard_normal((240, 1030)), False, ["whole", "T", "rev_step3", "col"], ["whole", "rev2"]),
    ("f_be_f4.npy", "f4", rng.standard_normal((600, 700)).astype(">f4"), True, ["whole", "T"], ["whole"]),
    ("c_i2.npy", "i2", rng.integers(-30000, 30000, (7, 30, 40)).astype("<i2"), False, ["T201", "T120", "mid"], ["whole", "rev2"]),
    ("f_i2.npy", "i2", rng.integers(-30000, 30000, (7, 30, 40)).astype(">i2"), True, ["whole", "T201"], ["whole"]),
    ("c_b1.npy", "b1", rng.random((50, 70)) < 0.3, False, ["T"], ["whole", "rev2"]),
    ("c_be_u8.npy", "u8", rng.integers(0, 2**63, 3000, dtype=np.uint64).astype(">u8"), False, ["whole", "rev2"], ["whole", "rev2"]),
    ("c_i4.npy", "i4", rng.integers(-2**31, 2**31, 5000).astype("<i4"), False, ["rev2"], ["whole", "rev2"]),
    ("f_f2.npy", "f2", rng.standard_normal((33, 9)).astype("<f2"), True, ["whole"], ["whole"]),
    ("zero_d.npy", "f8", np.array(2.5), False, ["whole"], []),
    ("empty.npy", "f8", np.zeros((0, 5)), False, ["T"], ["whole"]),
]
cases = []
for name, code, x, fortran, copy_views, take_views in files:
    a = save(name, x, fortran)
    for view in copy_views:
        ref = "copy_%s_%s" % (view, name)
        np.save(os.path.join(d, ref), views[view](a).copy(order="C"))  # 0-d stays 0-d, unlike ascontiguousarray
        cases.append({"op": "copy", "src": name, "code": code, "view": view, "ref": ref})
    for view in take_views:
        v = views[view](a)
        rows = v.shape[0]
        for k, idx in enumerate([rng.integers(-rows, rows, 1000).tolist() if rows else [], [rows - 1, -rows, 0] if rows else [], []]):
            ref = "take%d_%s_%s" % (k, view, name)
            np.save(os.path.join(d, ref), np.take(v, np.array(idx, dtype=np.intp), axis=0))
            cases.append({"op": "take", "src": name, "code": code, "view": view, "indices": idx, "ref": ref})
print(json.dumps(cases))
`

// TestCopyAndTakeMatchNumPy copies C, Fortran, transposed, permuted,
// strided, byte-swapped, 0-d and empty views into C-order files and takes
// rows of them, and compares the files with NumPy's
// a.copy(order="C") and np.take, byte for byte, with every worker
// count.
func TestCopyAndTakeMatchNumPy(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	var cases []struct {
		Op, Src, Code, View, Ref string
		Indices                  []int
	}
	numpytest.RunJSON(t, numpyCopyTake, dir, &cases)
	if len(cases) < 30 {
		t.Fatalf("NumPy wrote %d cases", len(cases))
	}
	var bad []string
	for i, c := range cases {
		for _, workers := range workerCounts {
			got := filepath.Join(out, fmt.Sprintf("%s%d_%d.npy", c.Op, i, workers))
			byCode(t, c.Code, func(rt realType) {
				var err error
				if c.Op == "copy" {
					err = rt.copy(t, filepath.Join(dir, c.Src), c.View, got, workers)
				} else {
					err = rt.take(t, filepath.Join(dir, c.Src), c.View, c.Indices, got, workers)
				}
				if err != nil {
					bad = append(bad, fmt.Sprintf("%s of %s %s: %v", c.Op, c.Src, c.View, err))
					return
				}
				if diff := sameFile(t, got, filepath.Join(dir, c.Ref)); diff != "" {
					bad = append(bad, fmt.Sprintf("%d workers: %s", workers, diff))
				}
				os.Remove(got)
			})
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d results differ from NumPy's:\n%v", len(bad), bad)
	}
}

const numpyTransform = `
import os
d = json.load(sys.stdin)
rng = np.random.default_rng(13)
shape = (300, 250)  # 75000 elements: two chunks
a = rng.standard_normal(shape)
b = rng.standard_normal(shape)
c = rng.standard_normal(shape[::-1])
i = rng.integers(-2**31, 2**31, shape).astype(">i4")
np.save(os.path.join(d, "a.npy"), a)
np.save(os.path.join(d, "b_be_fortran.npy"), np.asfortranarray(b.astype(">f8")))
np.save(os.path.join(d, "c.npy"), c)
np.save(os.path.join(d, "i_be.npy"), i)
np.save(os.path.join(d, "dst_be.npy"), np.full(shape[::-1], -7.0, dtype=">f8"))
np.save(os.path.join(d, "ref_affine.npy"), a * 2 + 1)
np.save(os.path.join(d, "ref_fma_be.npy"), (a * b + c.T).astype(">f8"))
np.save(os.path.join(d, "ref_third.npy"), i.astype(np.float32) / np.float32(3))
np.save(os.path.join(d, "ref_into_view.npy"), np.ascontiguousarray((a * 2 + 1).T).astype(">f8"))
print("{}")
`

// TestTransformMatchesNumPy runs elementwise kernels over sources of
// different layouts and byte orders into new files and into a strided,
// byte-swapped ReadWrite view, with every worker count, and compares the
// files with NumPy's results of the same expressions, byte for byte.
func TestTransformMatchesNumPy(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	var none struct{}
	numpytest.RunJSON(t, numpyTransform, dir, &none)
	ctx := context.Background()
	path := func(name string) string { return filepath.Join(dir, name) }
	a := openView[float64](t, path("a.npy"))
	b := openView[float64](t, path("b_be_fortran.npy"))
	c := openView[float64](t, path("c.npy")).Transpose()
	ints := openView[int32](t, path("i_be.npy"))
	affine := func(dst []float64, src ...[]float64) {
		for i, x := range src[0] {
			dst[i] = x*2 + 1
		}
	}
	var bad []string
	check := func(got, ref string) {
		if diff := sameFile(t, got, path(ref)); diff != "" {
			bad = append(bad, diff)
		}
	}
	for _, workers := range workerCounts {
		opt := compute.WithWorkers(workers)
		got := filepath.Join(out, fmt.Sprintf("affine%d.npy", workers))
		must(t, compute.TransformToFile(ctx, got, "<f8", []*mmarray.Array[float64]{a}, affine, opt))
		check(got, "ref_affine.npy")

		got = filepath.Join(out, fmt.Sprintf("fma%d.npy", workers))
		must(t, compute.TransformToFile(ctx, got, ">f8", []*mmarray.Array[float64]{a, b, c},
			func(dst []float64, src ...[]float64) {
				x, y, z := src[0], src[1], src[2]
				for i := range dst {
					dst[i] = float64(x[i]*y[i]) + z[i] // rounded twice, as NumPy does: no fused multiply-add
				}
			}, opt))
		check(got, "ref_fma_be.npy")

		got = filepath.Join(out, fmt.Sprintf("third%d.npy", workers))
		must(t, compute.TransformToFile(ctx, got, "<f4", []*mmarray.Array[int32]{ints},
			func(dst []float32, src ...[]int32) {
				for i, x := range src[0] {
					dst[i] = float32(x) / 3
				}
			}, opt))
		check(got, "ref_third.npy")

		// Into a strided, byte-swapped view of an existing file, opened r+.
		got = numpytest.CopyToTemp(t, path("dst_be.npy"))
		f, err := mmarray.Open(got, mmarray.ReadWrite)
		must(t, err)
		dst, err := mmarray.View[float64](f)
		must(t, err)
		must(t, compute.Transform(ctx, dst.Transpose(), []*mmarray.Array[float64]{a}, affine, opt))
		must(t, f.Close())
		check(got, "ref_into_view.npy")

		// In place: the source is the destination.
		got = numpytest.CopyToTemp(t, path("a.npy"))
		f, err = mmarray.Open(got, mmarray.ReadWrite)
		must(t, err)
		inPlace, err := mmarray.View[float64](f)
		must(t, err)
		must(t, compute.Transform(ctx, inPlace, []*mmarray.Array[float64]{inPlace}, affine, opt))
		must(t, f.Close())
		check(got, "ref_affine.npy")
	}
	if len(bad) > 0 {
		t.Errorf("%d results differ from NumPy's:\n%v", len(bad), bad)
	}
}
