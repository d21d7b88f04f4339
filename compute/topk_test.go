package compute_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// numpyRanks writes one (120, 701) .npy file per real dtype and byte order,
// C or Fortran order, into the folder named on its standard input, with
// few distinct values (many ties) and, for floats, NaNs, infinities and
// signed zeros, and prints for each of the views (whole, transposed,
// a[1::3, ::-2], empty) and each k the k smallest and largest elements'
// flat indices by a stable np.argsort: ascending for BottomK, and for TopK
// descending with ties in index order (the reversed view's stable argsort,
// reversed). NaN sorts after every number.
const numpyRanks = `
import os
d = json.load(sys.stdin)
rng = np.random.default_rng(21)
shape = (120, 701)  # 84120 elements: two chunks of the engine
out = {}
for i, code in enumerate(["|b1", "|i1", "|u1", "<i2", ">u2", ">i4", "<u4", "<i8", ">u8", "<f2", ">f2", "<f4", ">f4", "<f8", ">f8"]):
    dt = np.dtype(code)
    mem = "CF"[i % 2]
    if dt.kind == "b":
        x = rng.random(shape) < 0.5
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        x = rng.integers(info.min, info.max, shape, endpoint=True, dtype=dt.newbyteorder("="))
        x.flat[rng.integers(0, x.size, 3000)] = info.max
        x.flat[rng.integers(0, x.size, 3000)] = info.min
    else:
        x = np.round(rng.standard_normal(shape) * 10)
        x.flat[rng.integers(0, x.size, 50)] = np.nan
        x.flat[rng.integers(0, x.size, 20)] = np.inf
        x.flat[rng.integers(0, x.size, 20)] = -np.inf
        x.flat[rng.integers(0, x.size, 2000)] = -0.0
    name = "%s%s_%s.npy" % ({"<": "le", ">": "be", "|": ""}[code[0]], code[1:], mem)
    a = np.lib.format.open_memmap(os.path.join(d, name), mode="w+", dtype=dt, shape=shape, fortran_order=(mem == "F"))
    a[...] = x; a.flush(); del a
    a = np.load(os.path.join(d, name))
    res = []
    for vi, v in enumerate((a, a.T, a[1::3, ::-2], a[3:3])):
        f = v.ravel()
        n = f.size
        up = np.argsort(f, kind="stable")
        down = (n - 1 - np.argsort(f[::-1], kind="stable"))[::-1]
        r = {}
        ks = [0, 1, 7, 100, 5000]
        if vi == 2:
            ks.append(n + 3)  # all of the strided view's elements
        if vi == 0 and i % 5 == 0:
            ks.append(70000)  # more than a chunk: each chunk keeps all of it
        for k in ks:
            r[str(k)] = {"bottom": [int(j) for j in up[:k]], "top": [int(j) for j in down[:k]]}
        res.append(r)
    out[name] = {"code": code[1:], "views": res}
print(json.dumps(out))
`

// TestRankMatchesNumPy compares TopK's and BottomK's indices with a stable
// np.argsort for every real dtype in both byte orders, C and Fortran
// files, whole, transposed, strided and empty views, and k from 0 to
// beyond the view's length; the values must be the view's elements at
// those indices, bit for bit.
func TestRankMatchesNumPy(t *testing.T) {
	dir := t.TempDir()
	var files map[string]struct {
		Code  string
		Views []map[string]struct{ Bottom, Top []int }
	}
	numpytest.RunJSON(t, numpyRanks, dir, &files)
	if len(files) != 15 {
		t.Fatalf("NumPy wrote %d files, want 15", len(files))
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
				bad = checkRanks[bool](t, f, file.Views)
			case "i1":
				bad = checkRanks[int8](t, f, file.Views)
			case "u1":
				bad = checkRanks[uint8](t, f, file.Views)
			case "i2":
				bad = checkRanks[int16](t, f, file.Views)
			case "u2":
				bad = checkRanks[uint16](t, f, file.Views)
			case "i4":
				bad = checkRanks[int32](t, f, file.Views)
			case "u4":
				bad = checkRanks[uint32](t, f, file.Views)
			case "i8":
				bad = checkRanks[int64](t, f, file.Views)
			case "u8":
				bad = checkRanks[uint64](t, f, file.Views)
			case "f2":
				bad = checkRanks[mmarray.Float16](t, f, file.Views)
			case "f4":
				bad = checkRanks[float32](t, f, file.Views)
			case "f8":
				bad = checkRanks[float64](t, f, file.Views)
			default:
				t.Fatalf("unknown code %q", file.Code)
			}
			if len(bad) > 0 {
				t.Errorf("%d results differ from NumPy's; the first ones:\n%v", len(bad), bad[:min(len(bad), 5)])
			}
		})
	}
}

func checkRanks[T compute.Real](t *testing.T, f *mmarray.File, want []map[string]struct{ Bottom, Top []int }) []string {
	a, err := mmarray.View[T](f)
	must(t, err)
	ctx, opt := context.Background(), compute.WithWorkers(3)
	var bad []string
	for vi, v := range views(a) {
		flat := make([]T, v.Len())
		v.CopyTo(flat)
		for ks, w := range want[vi] {
			var k int
			fmt.Sscan(ks, &k)
			for _, c := range []struct {
				name string
				fn   func(context.Context, *mmarray.Array[T], int, ...compute.Option) (compute.Ranked[T], error)
				want []int
			}{{"TopK", compute.TopK[T], w.Top}, {"BottomK", compute.BottomK[T], w.Bottom}} {
				r, err := c.fn(ctx, v, k, opt)
				must(t, err)
				if !slices.Equal(r.Indices, c.want) {
					bad = append(bad, fmt.Sprintf("view %d %s(%d): indices %v, NumPy's %v", vi, c.name, k, r.Indices[:min(len(r.Indices), 20)], c.want[:min(len(c.want), 20)]))
					continue
				}
				for i, j := range r.Indices {
					if !sameElement(r.Values[i], flat[j]) {
						bad = append(bad, fmt.Sprintf("view %d %s(%d): value %d is %v, element %d %v", vi, c.name, k, i, r.Values[i], j, flat[j]))
					}
				}
			}
		}
	}
	return bad
}

// sameElement reports whether x and y are the same element bit for bit
// (a NaN is the same NaN, -0 is not 0).
func sameElement[T compute.Real](x, y T) bool {
	if isFloatType[T]() {
		fx, fy := asFloat(x), asFloat(y)
		return fx == fy && (fx != 0 || 1/fx == 1/fy) || fx != fx && fy != fy
	}
	return x == y
}

// TestRankMisuse checks that a negative k panics with a *memmap.Misuse.
func TestRankMisuse(t *testing.T) {
	t.Parallel()
	_, a := createFloat64(t, []float64{1, 2}, 2)
	for name, call := range map[string]func(){
		"TopK":    func() { compute.TopK(context.Background(), a, -1) },
		"BottomK": func() { compute.BottomK(context.Background(), a, -1) },
	} {
		if m := recoverMisuse(t, call); m != nil && !strings.HasPrefix(m.Error(), "compute: ") {
			t.Errorf("%s: panic %q, want one starting with \"compute: \"", name, m)
		}
	}
}

// TestRankOrders checks TopK and BottomK over orders that once made them
// slow or that stress their candidate buffers or the seeding of their
// thresholds (ascending and descending values, all equal, ascending runs,
// NaNs among ascending values, the best off the sampling stride, ties with
// the seed, infinite and NaN seeds, random values with ties, NaNs and
// signed zeros) against a stable sort in plain
// Go, for k from 1 to beyond a chunk and 1, 2, 3 and 8 workers. 200000
// elements are four chunks, whose k best the merge cuts down too.
func TestRankOrders(t *testing.T) {
	t.Parallel()
	const n = 200000
	rng := rand.New(rand.NewPCG(5, 8))
	for _, c := range []struct {
		name string
		at   func(i int) float64
	}{
		{"ascending", func(i int) float64 { return float64(i) }},
		{"descending", func(i int) float64 { return float64(n - i) }},
		{"equal", func(int) float64 { return 3 }},
		{"runs", func(i int) float64 { return float64(i % 1000) }},
		{"ascending-nans", func(i int) float64 {
			if i%3 == 0 {
				return math.NaN()
			}
			return float64(i)
		}},
		// Ascending values but for those on the stride that seeds a
		// chunk's threshold (every 16th element), a little lower (so that
		// a chunk's largest are all off the stride) or higher (its
		// smallest): a seed better than the k-th best sampled would drop
		// some of them.
		{"sampled-low", func(i int) float64 {
			if i%16 == 0 {
				return float64(i) - 20
			}
			return float64(i)
		}},
		{"sampled-high", func(i int) float64 {
			if i%16 == 0 {
				return float64(i) + 20
			}
			return float64(i)
		}},
		// Every sampled element equal to the seed, as are earlier
		// elements off the stride, which rank before the sampled ones.
		{"seed-ties", func(i int) float64 {
			if i%16 == 0 || i%3 == 0 {
				return 5
			}
			return float64(i % 5)
		}},
		// Pieces best at their end, scanned from it, with ties across
		// blocks (runs of seven equal values), with infinities and NaNs
		// as thresholds, and with their best values repeated at the
		// start, where the smaller indices must win the ties.
		{"ascending-ties", func(i int) float64 { return float64(i / 7) }},
		{"ascending-infinite-tail", func(i int) float64 {
			if i%65536 >= 60000 {
				return math.Inf(1)
			}
			return float64(i)
		}},
		{"ascending-nan-tail", func(i int) float64 {
			if i%65536 >= 65000 {
				return math.NaN()
			}
			return float64(i % 65536)
		}},
		{"ascending-best-repeated-first", func(i int) float64 {
			if i%65536 < 300 {
				return 65536
			}
			return float64(i % 65536)
		}},
		{"descending-ties", func(i int) float64 { return float64((n - i) / 7) }},
		// Seeds that are infinite or NaN, with finite values between.
		{"infinities", func(i int) float64 {
			switch {
			case i%4096 == 32:
				return math.NaN()
			case i%64 == 0:
				return math.Inf(-1)
			case i%64 == 16:
				return math.Inf(1)
			}
			return float64(i % 101)
		}},
		{"random", func(int) float64 {
			switch r := rng.IntN(100); {
			case r == 0:
				return math.NaN()
			case r < 10:
				return math.Copysign(0, -1)
			default:
				return float64(rng.IntN(50) - 25)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			values := make([]float64, n)
			for i := range values {
				values[i] = c.at(i)
			}
			_, a := createFloat64(t, values, n)
			top, bottom := stableRanks(values, true), stableRanks(values, false)
			var bad []string
			for _, k := range []int{1, 7, 100, 700, 5000, 70000} {
				for _, workers := range []int{1, 2, 3, 8} {
					opt := compute.WithWorkers(workers)
					for _, f := range []struct {
						name string
						fn   func(context.Context, *mmarray.Array[float64], int, ...compute.Option) (compute.Ranked[float64], error)
						want []int
					}{{"TopK", compute.TopK[float64], top[:k]}, {"BottomK", compute.BottomK[float64], bottom[:k]}} {
						r, err := f.fn(context.Background(), a, k, opt)
						must(t, err)
						if !slices.Equal(r.Indices, f.want) {
							bad = append(bad, fmt.Sprintf("%s(%d) on %d workers: indices %v, want %v", f.name, k, workers, r.Indices[:min(len(r.Indices), 10)], f.want[:min(len(f.want), 10)]))
							continue
						}
						for i, j := range r.Indices {
							if !sameElement(r.Values[i], values[j]) {
								bad = append(bad, fmt.Sprintf("%s(%d) on %d workers: value %d is %v, element %d %v", f.name, k, workers, i, r.Values[i], j, values[j]))
								break
							}
						}
					}
				}
			}
			if len(bad) > 0 {
				t.Errorf("%d results differ from a stable sort's; the first ones:\n%s", len(bad), strings.Join(bad[:min(len(bad), 5)], "\n"))
			}
		})
	}
}

// stableRanks returns the indices of values from the largest (or the
// smallest) on, NaN above every number and ties in index order.
func stableRanks(values []float64, largest bool) []int {
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	rankOf := func(j int) (nan bool, v float64) { return math.IsNaN(values[j]), values[j] }
	slices.SortStableFunc(idx, func(x, y int) int {
		xNaN, xv := rankOf(x)
		yNaN, yv := rankOf(y)
		var c int
		switch {
		case xNaN && yNaN:
			c = 0
		case xNaN:
			c = 1
		case yNaN:
			c = -1
		case xv < yv:
			c = -1
		case xv > yv:
			c = 1
		}
		if largest {
			return -c
		}
		return c
	})
	return idx
}
