package compute_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// aggregateSets are the subsets of aggregates the tests ask for.
var aggregateSets = []compute.Aggregates{
	compute.GroupSum, compute.GroupCount, compute.GroupCount | compute.GroupSum, compute.GroupMean,
	compute.GroupMin | compute.GroupMax, compute.GroupAll, compute.GroupMin, compute.GroupMax | compute.GroupSum,
	compute.GroupMean | compute.GroupMax, compute.GroupCount | compute.GroupMin, 0,
}

// askedGroups reports the first difference ("" if none) between the
// groups of a group-by asked for aggs (got) and those of GroupAll (all):
// the same keys and Dropped, each field in aggs the same bit for bit, the
// others zero (+0 for floats). It is sameGroups against all with the
// fields not asked for zeroed.
func askedGroups[Key mmarray.Element, V compute.Real](all, got *compute.Groups[Key, V], aggs compute.Aggregates) string {
	if aggs == 0 {
		aggs = compute.GroupAll
	}
	want := &compute.Groups[Key, V]{Groups: slices.Clone(all.Groups), Dropped: all.Dropped}
	var zero V
	for i := range want.Groups {
		g := &want.Groups[i]
		if aggs&compute.GroupCount == 0 {
			g.Count = 0
		}
		if aggs&compute.GroupSum == 0 {
			g.Sum = 0
		}
		if aggs&compute.GroupMean == 0 {
			g.Mean = 0
		}
		if aggs&compute.GroupMin == 0 {
			g.Min = zero
		}
		if aggs&compute.GroupMax == 0 {
			g.Max = zero
		}
	}
	return sameGroups(got, want)
}

// checkAggregates runs groupBy with every GroupAll and with each set of
// aggregateSets, with 1, 2, 3 and 8 workers and with 2 under a budget of
// spill bytes (its table spilled), and reports each difference from
// askedGroups. GroupAll's result must have a group whose values are all
// NaN (Count 0) where nanGroup says the data have one.
func checkAggregates[Key mmarray.Element, V compute.Real](t *testing.T, spill int64, nanGroup bool, groupBy func(...compute.Option) (*compute.Groups[Key, V], error)) {
	t.Helper()
	all, err := groupBy(compute.WithWorkers(1))
	must(t, err)
	allNaN := 0
	for _, g := range all.Groups {
		if g.Count == 0 {
			allNaN++
		}
	}
	if len(all.Groups) < 100 || nanGroup != (allNaN != 0) {
		t.Fatalf("%d groups, %d of NaN values only: the data do not test what they should", len(all.Groups), allNaN)
	}
	dir := t.TempDir()
	for _, aggs := range aggregateSets {
		for _, run := range []struct {
			workers int
			budget  int64
		}{{1, 0}, {2, 0}, {3, 0}, {8, 0}, {2, spill}} {
			got, err := groupBy(compute.WithAggregates(aggs), compute.WithWorkers(run.workers),
				compute.WithMemory(run.budget), compute.WithSpillDir(dir))
			must(t, err)
			if diff := askedGroups(all, got, aggs); diff != "" {
				t.Errorf("aggregates %#x, %d workers, budget %d: %s", aggs, run.workers, run.budget, diff)
			}
		}
	}
}

// TestGroupByAggregates checks that a group-by asked for a subset of the
// aggregates gives GroupAll's groups with those fields bit for bit and the
// others zero, whatever the number of workers and spilled: for small int
// keys (the window of small keys, with its lean kernel where neither Min
// nor Max is asked for), keys that drift with far keys among them (the
// window moves, some blocks go to the hash table), wide keys (the hash
// table), S keys, datetime keys and over chunked arrays; float values with
// NaN, a group of NaN values only, -0 and +0, and integer values.
func TestGroupByAggregates(t *testing.T) {
	t.Parallel()
	const n = 3*(1<<16) + 4321
	ctx := context.Background()
	small, drift, wide := make([]int64, n), make([]int64, n), make([]int64, n)
	vals, ints := wideRandom(n, 21), make([]float64, n)
	for i := range n {
		small[i] = int64(i)*7919%3001 - 1500
		drift[i] = int64(i/3 - 9000)
		if i%4999 == 17 {
			drift[i] = int64(i) << 33
		}
		wide[i] = (int64(i)*2654435761%40009 - 20000) << 20
		switch {
		case small[i] == 42 || i%313 == 0:
			vals[i] = math.NaN() // key 42's values are all NaN
		case i%11 == 0:
			vals[i] = math.Copysign(0, float64(i%3)-1)
		case small[i] == 43:
			vals[i] = math.Copysign(0, -1) // key 43's values are all -0
		}
		ints[i] = float64(i%201 - 100)
	}
	// The rows of a drifting key and of a wide one are NaN too, so that
	// they make groups of NaN values only.
	for i := range n {
		if drift[i] == 7 || wide[i] == (17-20000)<<20 {
			vals[i] = math.NaN()
		}
	}
	_, values := createFloat64(t, vals, n)
	intPath := filepath.Join(t.TempDir(), "ints.npy")
	_, intFloats := createFloat64(t, ints, n)
	must(t, compute.Astype(ctx, intFloats, intPath, "<i2"))
	intFile, err := mmarray.Open(intPath, mmarray.ReadOnly)
	must(t, err)
	t.Cleanup(func() { intFile.Close() })
	intValues, err := mmarray.View[int16](intFile)
	must(t, err)
	for _, c := range []struct {
		name string
		keys []int64
	}{{"small int keys", small}, {"drifting keys", drift}, {"wide keys", wide}} {
		keys := createInt64(t, c.keys)
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkAggregates(t, 1, true, func(opts ...compute.Option) (*compute.Groups[int64, float64], error) {
				return compute.GroupBy(ctx, keys, values, opts...)
			})
		})
		t.Run(c.name+", int16 values", func(t *testing.T) {
			t.Parallel()
			checkAggregates(t, 1, false, func(opts ...compute.Option) (*compute.Groups[int64, int16], error) {
				return compute.GroupBy(ctx, keys, intValues, opts...)
			})
		})
	}
	smallKeys := createInt64(t, small)
	t.Run("small int keys, float64 values without NaN", func(t *testing.T) {
		// Every block free of NaN: the window's assembly kernels, where
		// there is AVX2.
		t.Parallel()
		checkAggregates(t, 1, false, func(opts ...compute.Option) (*compute.Groups[int64, float64], error) {
			return compute.GroupBy(ctx, smallKeys, intFloats, opts...)
		})
	})
	t.Run("chunked", func(t *testing.T) {
		t.Parallel()
		keySrc := chunked(t, smallKeys, "<i8", []int{4096}, false, false)
		valueSrc := chunked(t, values, "<f8", []int{4096}, false, true)
		// Half of 256 KiB holds 1170 groups of the 3001.
		checkAggregates(t, 256<<10, true, func(opts ...compute.Option) (*compute.Groups[int64, float64], error) {
			return compute.GroupByChunks[int64, float64](ctx, keySrc, valueSrc, opts...)
		})
	})
	rows := groupTable(t)
	x := numpyField[float64](t, rows, "x")
	t.Run("S12 keys", func(t *testing.T) {
		t.Parallel()
		keys := numpyField[string](t, rows, "name")
		checkAggregates(t, 1, true, func(opts ...compute.Option) (*compute.Groups[string, float64], error) {
			return compute.GroupByString(ctx, keys, x, opts...)
		})
	})
	t.Run("datetime keys", func(t *testing.T) {
		t.Parallel()
		keys := numpyField[mmarray.Datetime64](t, rows, "when")
		checkAggregates(t, 1, true, func(opts ...compute.Option) (*compute.Groups[mmarray.Datetime64, float64], error) {
			return compute.GroupByTime(ctx, keys, "h", x, opts...)
		})
	})
}

// TestWithAggregatesMisuse checks that a set with bits beyond GroupAll
// panics with a *memmap.Misuse at the With call, and that GroupAll and
// zero do not.
func TestWithAggregatesMisuse(t *testing.T) {
	t.Parallel()
	for _, bad := range []compute.Aggregates{1 << 7, 1 << 5, compute.GroupAll | 1<<6} {
		if m := recoverMisuse(t, func() { compute.WithAggregates(bad) }); m != nil {
			want := fmt.Sprintf("compute: WithAggregates(%#x): bits beyond GroupAll (0x1f)", uint8(bad))
			if m.Error() != want {
				t.Errorf("WithAggregates(%#x): %q, want %q", bad, m.Error(), want)
			}
		}
	}
	compute.WithAggregates(0)
	compute.WithAggregates(compute.GroupAll)
}

// numpyGroupFields loads the groups files the test wrote and prints, for
// each, its fields with their dtypes and values (floats as repr, which
// round-trips).
const numpyGroupFields = `
import os
d = json.load(sys.stdin)
out = {}
for name in d["names"]:
    a = np.load(os.path.join(d["dir"], name + ".npy"))
    out[name] = {"fields": list(a.dtype.names), "dtypes": [a.dtype[f].str for f in a.dtype.names],
                 "values": {f: [repr(x.item()) for x in a[f]] for f in a.dtype.names}}
print(json.dumps(out))
`

// TestGroupsWriteNPYAggregates checks that WriteNPY of a group-by asked
// for some aggregates writes a file NumPy loads with the key field and
// exactly the fields asked for, in Group's order, with their dtypes
// (int16 keys, float32 values), and the groups' values, NaN and -0
// included.
func TestGroupsWriteNPYAggregates(t *testing.T) {
	t.Parallel()
	const n = 5000
	ctx := context.Background()
	ks, xs := make([]float64, n), make([]float64, n)
	for i := range n {
		ks[i] = float64(i*37%211 - 105)
		switch {
		case ks[i] == 5 || i%97 == 0:
			xs[i] = math.NaN()
		case ks[i] == 6:
			xs[i] = math.Copysign(0, -1)
		default:
			xs[i] = float64(i%1000)/8 - 50
		}
	}
	dir := t.TempDir()
	_, kf := createFloat64(t, ks, n)
	_, xf := createFloat64(t, xs, n)
	must(t, compute.Astype(ctx, kf, filepath.Join(dir, "k.npy"), "<i2"))
	must(t, compute.Astype(ctx, xf, filepath.Join(dir, "x.npy"), "<f4"))
	keys, values := openColumn[int16](t, dir, [2]string{"k.npy"}), openColumn[float32](t, dir, [2]string{"x.npy"})
	sets := []struct {
		aggs   compute.Aggregates
		fields []string
	}{
		{compute.GroupSum, []string{"key", "sum"}},
		{compute.GroupCount | compute.GroupMax, []string{"key", "count", "max"}},
		{compute.GroupMin | compute.GroupMean, []string{"key", "mean", "min"}},
		{compute.GroupAll, []string{"key", "count", "sum", "mean", "min", "max"}},
	}
	results := map[string]*compute.Groups[int16, float32]{}
	var names []string
	for _, s := range sets {
		g, err := compute.GroupBy(ctx, keys, values, compute.WithAggregates(s.aggs))
		must(t, err)
		name := fmt.Sprintf("groups_%x", uint8(s.aggs))
		must(t, g.WriteNPY(filepath.Join(dir, name+".npy")))
		results[name] = g
		names = append(names, name)
	}
	type file struct {
		Fields []string            `json:"fields"`
		DTypes []string            `json:"dtypes"`
		Values map[string][]string `json:"values"`
	}
	var got map[string]file
	numpytest.RunJSON(t, numpyGroupFields, map[string]any{"dir": dir, "names": names}, &got)
	dtypes := map[string]string{"key": "<i2", "count": "<i8", "sum": "<f8", "mean": "<f8", "min": "<f4", "max": "<f4"}
	for i, s := range sets {
		name := names[i]
		f, g := got[name], results[name]
		if !reflect.DeepEqual(f.Fields, s.fields) {
			t.Errorf("aggregates %#x: NumPy sees fields %v, want %v", s.aggs, f.Fields, s.fields)
			continue
		}
		for j, field := range f.Fields {
			if want := dtypes[field]; f.DTypes[j] != want {
				t.Errorf("aggregates %#x: field %s of dtype %s, want %s", s.aggs, field, f.DTypes[j], want)
			}
			col := f.Values[field]
			if len(col) != len(g.Groups) {
				t.Fatalf("aggregates %#x: %d values of %s, %d groups", s.aggs, len(col), field, len(g.Groups))
			}
			for k, gr := range g.Groups {
				want := map[string]float64{"key": float64(gr.Key), "count": float64(gr.Count), "sum": gr.Sum, "mean": gr.Mean,
					"min": float64(gr.Min), "max": float64(gr.Max)}[field]
				v, err := strconv.ParseFloat(col[k], 64)
				if err != nil || math.Float64bits(v) != math.Float64bits(want) && !(math.IsNaN(v) && math.IsNaN(want)) {
					t.Errorf("aggregates %#x: group %d's %s is %s to NumPy, want %v", s.aggs, k, field, col[k], want)
					break
				}
			}
		}
	}
}
