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

// numpyAxis0 writes an (N, K) float64 array (values near 1000: the means
// are large against the deviations) and an int32 one, and prints NumPy's
// mean and standard deviations (ddof 0 and 1) along axis 0, as Dask's
// a.mean(axis=0) and a.std(axis=0) of the same array compute them.
const numpyAxis0 = `
d = json.load(sys.stdin)
rng = np.random.default_rng(7)
arrays = {
    "f8.npy": rng.normal(1000.0, 3.0, size=(2003, 7)),
    "i4.npy": rng.integers(-30000, 30000, size=(2003, 7), dtype=np.int32),
}
out = {}
for name, a in arrays.items():
    np.save(d + "/" + name, a)
    out[name] = {
        "mean": [repr(float(x)) for x in a.mean(axis=0)],
        "std0": [repr(float(x)) for x in a.std(axis=0)],
        "std1": [repr(float(x)) for x in a.std(axis=0, ddof=1)],
        "scale": float(np.abs(a).max()),
    }
print(json.dumps(out))
`

// TestAxis0ChunksMatchNumPy compares MeanAxisChunks and StdAxisChunks along
// axis 0 of (N, K) arrays chunked (c, K) and (c, k), C and Fortran,
// mapped and decoded, with NumPy's mean and std along axis 0: means within
// 1e-12 of the data's scale, deviations within 1e-9 of it (NumPy's pairwise
// sums against this package's compensated ones), as the view's reductions
// are held to in TestAxisReductionsMatchNumPy.
func TestAxis0ChunksMatchNumPy(t *testing.T) {
	dir := t.TempDir()
	var want map[string]struct {
		Mean, Std0, Std1 []string
		Scale            float64
	}
	numpytest.RunJSON(t, numpyAxis0, dir, &want)
	if len(want) != 2 {
		t.Fatalf("NumPy wrote %d arrays, want 2", len(want))
	}
	for name, w := range want {
		f, err := mmarray.Open(filepath.Join(dir, name), mmarray.ReadOnly)
		must(t, err)
		t.Cleanup(func() { f.Close() })
		var bad []string
		switch name {
		case "f8.npy":
			bad = checkAxis0Chunks[float64](t, f, w.Mean, w.Std0, w.Std1, w.Scale)
		case "i4.npy":
			bad = checkAxis0Chunks[int32](t, f, w.Mean, w.Std0, w.Std1, w.Scale)
		}
		for _, b := range bad {
			t.Errorf("%s: %s", name, b)
		}
	}
}

func checkAxis0Chunks[T compute.Real](t *testing.T, f *mmarray.File, mean, std0, std1 []string, scale float64) []string {
	ctx := context.Background()
	a, err := mmarray.View[T](f)
	must(t, err)
	var bad []string
	near := func(where string, got []float64, want []string, tol float64) {
		if len(got) != len(want) {
			bad = append(bad, fmt.Sprintf("%s: %d results, NumPy %d", where, len(got), len(want)))
			return
		}
		for i, s := range want {
			x, err := strconv.ParseFloat(s, 64)
			must(t, err)
			if math.Abs(got[i]-x) > tol {
				bad = append(bad, fmt.Sprintf("%s[%d]: %v, NumPy %v (tolerance %g)", where, i, got[i], x, tol))
			}
		}
	}
	for i, l := range []struct {
		chunk   []int
		fortran bool
	}{{[]int{100, 7}, false}, {[]int{100, 3}, false}, {[]int{256, 2}, true}, {[]int{2003, 7}, false}} {
		src := chunked(t, a, f.Descr(), l.chunk, l.fortran, i%2 == 1)
		where := fmt.Sprintf("chunks %v fortran=%v", l.chunk, l.fortran)
		m, err := compute.MeanAxisChunks[T](ctx, src, 0)
		must(t, err)
		near(where+" mean", m.Values, mean, 1e-12*scale)
		for ddof, want := range [][]string{std0, std1} {
			s, err := compute.StdAxisChunks[T](ctx, src, 0, ddof)
			must(t, err)
			near(fmt.Sprintf("%s std ddof=%d", where, ddof), s.Values, want, 1e-9*scale)
		}
	}
	return bad
}
