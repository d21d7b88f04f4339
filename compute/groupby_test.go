package compute_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
)

// groupRows is the number of rows of the group-by tests' files: three
// chunks of the engine and part of a fourth.
const groupRows = 3*(1<<16) + 777

// groupTable makes a structured file of groupRows records with an int32
// key of about 40000 distinct values, an S12 name, a datetime in ns and a
// float64 value holding NaNs (and one key whose values are all NaN).
func groupTable(t *testing.T) *mmarray.Array[[]byte] {
	t.Helper()
	f, err := mmarray.Create(filepath.Join(t.TempDir(), "t.npy"),
		"[('id', '>i4'), ('name', 'S12'), ('when', '<M8[ns]'), ('x', '<f8')]", []int{groupRows})
	must(t, err)
	t.Cleanup(func() { f.Close() })
	rows, err := mmarray.View[[]byte](f)
	must(t, err)
	id := numpyField[int32](t, rows, "id")
	name := numpyField[string](t, rows, "name")
	when := numpyField[mmarray.Datetime64](t, rows, "when")
	x := numpyField[float64](t, rows, "x")
	r := rand.New(rand.NewPCG(9, 9))
	for i := range groupRows {
		k := r.IntN(40000) - 20000
		id.Set1(int32(k), i)
		name.Set1(fmt.Sprintf("n%d-%d", k%97, k), i)
		when.Set1(mmarray.Datetime64(int64(k)*3_600_000_000_000+r.Int64N(1e12)), i)
		if i%1001 == 0 {
			when.Set1(mmarray.NaT, i)
		}
		v := math.Ldexp(r.Float64()-0.3, r.IntN(40)-20)
		if k == 77 || i%313 == 0 {
			v = math.NaN()
		}
		x.Set1(v, i)
	}
	return rows
}

func numpyField[T mmarray.Element](t *testing.T, rows *mmarray.Array[[]byte], name string) *mmarray.Array[T] {
	t.Helper()
	a, err := mmarray.Field[T](rows, name)
	must(t, err)
	return a
}

// sameGroups reports the first difference between two results, bit for
// bit ("" if none).
func sameGroups[Key mmarray.Element, V compute.Real](a, b *compute.Groups[Key, V]) string {
	if len(a.Groups) != len(b.Groups) || a.Dropped != b.Dropped {
		return fmt.Sprintf("%d groups and %d dropped against %d and %d", len(a.Groups), a.Dropped, len(b.Groups), b.Dropped)
	}
	bits := func(f float64) uint64 { return math.Float64bits(f) }
	same := func(x, y V) bool {
		if isFloatType[V]() {
			return bits(asFloat(x)) == bits(asFloat(y))
		}
		return x == y
	}
	for i, g := range a.Groups {
		h := b.Groups[i]
		if !reflect.DeepEqual(g.Key, h.Key) || g.Count != h.Count || bits(g.Sum) != bits(h.Sum) || bits(g.Mean) != bits(h.Mean) ||
			!same(g.Min, h.Min) || !same(g.Max, h.Max) {
			return fmt.Sprintf("group %d: %+v against %+v", i, g, h)
		}
	}
	return ""
}

// TestGroupByWorkersAndSpill checks that a group-by's result is the same
// bit for bit with 1, 2, 3 and 8 workers, and when its table spills to
// files under a tiny budget (split twice: 40000 groups in partitions of at
// most 1024), for integer, string and datetime keys; that the spill files
// are gone afterwards; and that the groups are sorted and account for every
// row.
func TestGroupByWorkersAndSpill(t *testing.T) {
	t.Parallel()
	rows := groupTable(t)
	x := numpyField[float64](t, rows, "x")
	ctx := context.Background()
	check := func(t *testing.T, groupBy func(opts ...compute.Option) (string, error)) {
		spill := t.TempDir()
		want, err := groupBy(compute.WithWorkers(1))
		must(t, err)
		if want != "" {
			t.Fatalf("the one-worker in-memory result: %s", want)
		}
		for _, workers := range []int{1, 2, 3, 8} {
			for _, budget := range []int64{0, 1} {
				got, err := groupBy(compute.WithWorkers(workers), compute.WithMemory(budget), compute.WithSpillDir(spill))
				must(t, err)
				if got != want {
					t.Errorf("%d workers, budget %d: %s", workers, budget, got)
				}
			}
		}
		if left, _ := os.ReadDir(spill); len(left) != 0 {
			t.Errorf("spill files left: %v", left)
		}
	}
	// Each groupBy compares its result with the one-worker in-memory one
	// kept in first, and returns the first difference.
	t.Run("int32", func(t *testing.T) {
		t.Parallel()
		keys := numpyField[int32](t, rows, "id")
		var first *compute.Groups[int32, float64]
		check(t, func(opts ...compute.Option) (string, error) {
			g, err := compute.GroupBy(ctx, keys, x, opts...)
			if err != nil {
				return "", err
			}
			if first == nil {
				first = g
				return checkGroups(g, rows.Len(), func(a, b int32) bool { return a < b }), nil
			}
			return sameGroups(first, g), nil
		})
	})
	t.Run("S12", func(t *testing.T) {
		t.Parallel()
		keys := numpyField[string](t, rows, "name")
		var first *compute.Groups[string, float64]
		check(t, func(opts ...compute.Option) (string, error) {
			g, err := compute.GroupByString(ctx, keys, x, opts...)
			if err != nil {
				return "", err
			}
			if first == nil {
				first = g
				return checkGroups(g, rows.Len(), func(a, b string) bool { return a < b }), nil
			}
			return sameGroups(first, g), nil
		})
	})
	t.Run("datetime", func(t *testing.T) {
		t.Parallel()
		keys := numpyField[mmarray.Datetime64](t, rows, "when")
		var first *compute.Groups[mmarray.Datetime64, float64]
		check(t, func(opts ...compute.Option) (string, error) {
			g, err := compute.GroupByTime(ctx, keys, "h", x, opts...)
			if err != nil {
				return "", err
			}
			if first == nil {
				first = g
				if g.Dropped == 0 {
					return "no NaT dropped", nil
				}
				return checkGroups(g, rows.Len(), func(a, b mmarray.Datetime64) bool { return a < b }), nil
			}
			return sameGroups(first, g), nil
		})
	})
}

// checkGroups checks that keys are strictly increasing and that the counts
// and the NaN rows (the all-NaN group's included) add up to the rows.
func checkGroups[Key mmarray.Element](g *compute.Groups[Key, float64], rows int, less func(a, b Key) bool) string {
	total := g.Dropped
	allNaN := 0
	for i, gr := range g.Groups {
		if i > 0 && !less(g.Groups[i-1].Key, gr.Key) {
			return fmt.Sprintf("keys %v, %v out of order", g.Groups[i-1].Key, gr.Key)
		}
		total += gr.Count
		if gr.Count == 0 {
			allNaN++
			if gr.Sum != 0 || !math.IsNaN(gr.Mean) || !math.IsNaN(gr.Min) || !math.IsNaN(gr.Max) {
				return fmt.Sprintf("all-NaN group %+v", gr)
			}
		}
	}
	if allNaN == 0 {
		return "no all-NaN group"
	}
	if total >= int64(rows) || total < int64(rows)-int64(rows/313)-int64(rows/200) {
		return fmt.Sprintf("counts add up to %d of %d rows", total, rows)
	}
	return ""
}

// TestGroupByErrors checks the errors and panics of the group-bys: a bad
// truncation unit, keys of a dtype that is not S or U, columns of different
// lengths, a cancelled context, and a spill directory that does not exist.
func TestGroupByErrors(t *testing.T) {
	t.Parallel()
	rows := groupTable(t)
	x := numpyField[float64](t, rows, "x")
	ctx := context.Background()
	when := numpyField[mmarray.Datetime64](t, rows, "when")
	if _, err := compute.GroupByTime(ctx, when, "fortnight", x); !errors.Is(err, mmarray.ErrUnit) {
		t.Errorf("GroupByTime to a bad unit: %v, want ErrUnit", err)
	}
	if _, err := compute.GroupByTime(ctx, when, "as", x); err != nil {
		t.Errorf("GroupByTime from ns to as: %v", err)
	}
	if _, err := compute.GroupByString(ctx, rows, x); !errors.Is(err, memmap.ErrUnsupported) {
		t.Errorf("GroupByString of records: %v, want ErrUnsupported", err)
	}
	func() {
		defer func() {
			if _, ok := recover().(*memmap.Misuse); !ok {
				t.Error("GroupBy of columns of different lengths did not panic with a *memmap.Misuse")
			}
		}()
		id := numpyField[int32](t, rows, "id")
		compute.GroupBy(ctx, id.Slice(mmarray.Span(1, mmarray.Omit, 1)), x)
	}()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := compute.GroupBy(cancelled, numpyField[int32](t, rows, "id"), x); !errors.Is(err, context.Canceled) {
		t.Errorf("GroupBy with a cancelled context: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	_, err := compute.GroupBy(ctx, numpyField[int32](t, rows, "id"), x, compute.WithMemory(1), compute.WithSpillDir(missing))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("GroupBy spilling into a missing directory: %v, want fs.ErrNotExist", err)
	}
}

// BenchmarkGroupBy groups 2^18 float64 values by int64 keys i % 1000 (the
// groupby workload of mmbench, small).
func BenchmarkGroupBy(b *testing.B) {
	const n = 1 << 18
	dir := b.TempDir()
	kf, err := mmarray.Create(filepath.Join(dir, "k.npy"), "<i8", []int{n})
	must(b, err)
	defer kf.Close()
	vf, err := mmarray.Create(filepath.Join(dir, "v.npy"), "<f8", []int{n})
	must(b, err)
	defer vf.Close()
	keys, err := mmarray.View[int64](kf)
	must(b, err)
	values, err := mmarray.View[float64](vf)
	must(b, err)
	for i := range n {
		keys.Set1(int64(i%1000), i)
		values.Set1(float64(i)/7, i)
	}
	b.SetBytes(2 * 8 * n)
	for b.Loop() {
		if _, err := compute.GroupBy(context.Background(), keys, values); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGroupByStringBytes checks that S keys viewed as []byte group as the
// same keys viewed as strings, each group's key its own slice.
func TestGroupByStringBytes(t *testing.T) {
	t.Parallel()
	rows := groupTable(t)
	x := numpyField[float64](t, rows, "x")
	ctx := context.Background()
	s, err := compute.GroupByString(ctx, numpyField[string](t, rows, "name"), x, compute.WithWorkers(3))
	must(t, err)
	b, err := compute.GroupByString(ctx, numpyField[[]byte](t, rows, "name"), x, compute.WithWorkers(2))
	must(t, err)
	if len(s.Groups) != len(b.Groups) || len(s.Groups) < 1000 {
		t.Fatalf("%d groups of strings, %d of []byte", len(s.Groups), len(b.Groups))
	}
	var bad []string
	for i, g := range s.Groups {
		h := b.Groups[i]
		if g.Key != string(h.Key) || g.Count != h.Count || math.Float64bits(g.Sum) != math.Float64bits(h.Sum) {
			bad = append(bad, fmt.Sprintf("group %d: %q %d %v against %q %d %v", i, g.Key, g.Count, g.Sum, h.Key, h.Count, h.Sum))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d groups differ, first %v", len(bad), bad[:min(len(bad), 5)])
	}
}

// TestGroupByEmpty checks that empty columns give no groups, and a file of
// no records.
func TestGroupByEmpty(t *testing.T) {
	t.Parallel()
	rows := groupTable(t).Slice(mmarray.Span(5, 5, 1))
	x := numpyField[float64](t, rows, "x")
	g, err := compute.GroupBy(context.Background(), numpyField[int32](t, rows, "id"), x)
	must(t, err)
	if len(g.Groups) != 0 || g.Dropped != 0 {
		t.Errorf("groups of empty columns: %+v", g)
	}
	path := filepath.Join(t.TempDir(), "empty.npy")
	must(t, g.WriteNPY(path))
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	must(t, err)
	defer f.Close()
	if f.Len() != 0 || len(f.DType().Fields) != 6 {
		t.Errorf("file of no groups: %d records of %s", f.Len(), f.DType())
	}
}

// TestGroupByFirstOfEqualExtremes checks that each group keeps the first
// of its equal extremes (-0 before +0, or the reverse), as pandas' min and
// max do, where a chunk's rows go first through the window of small keys
// and then, in a block whose keys are far apart, through the hash table,
// and back; with 1, 2 and 3 workers.
func TestGroupByFirstOfEqualExtremes(t *testing.T) {
	t.Parallel()
	const n = 3 * 4096
	negZero := math.Copysign(0, -1)
	keys := make([]int64, n)
	vals := make([]float64, n)
	for i := range n {
		keys[i] = int64(i % 10)
		// Blocks alternate signs of zero, so each group's first zero
		// is -0 and later ones +0.
		vals[i] = []float64{negZero, 0, negZero}[i/4096]
		if i/4096 == 1 && i%4096 == 0 {
			keys[i] = 1 << 40 // a far key: the middle block probes the table
		}
	}
	k := createInt64(t, keys)
	_, v := createFloat64(t, vals, n)
	for _, workers := range []int{1, 2, 3} {
		g, err := compute.GroupBy(context.Background(), k, v, compute.WithWorkers(workers))
		must(t, err)
		for _, gr := range g.Groups {
			if gr.Key == 1<<40 {
				continue
			}
			if !math.Signbit(gr.Min) || !math.Signbit(gr.Max) {
				t.Errorf("%d workers, key %d: min %v (sign %v), max %v (sign %v); want the first zero, -0, for both",
					workers, gr.Key, gr.Min, math.Signbit(gr.Min), gr.Max, math.Signbit(gr.Max))
			}
		}
	}
}

// TestGroupBySmallKeysSpill checks a group-by of int64 keys in a small
// range (every block's rows go to the window of small keys, and each chunk
// is merged from it directly) with 1, 2, 3 and 8 workers, in memory and
// spilled under a tiny budget: the same groups bit for bit, one for each of
// the 3001 keys, a key whose values are all NaN among them with a count
// of 0, and every row that is not NaN counted.
func TestGroupBySmallKeysSpill(t *testing.T) {
	t.Parallel()
	const n = 5*(1<<16) + 321
	const nanKey = 42
	keys := make([]int64, n)
	vals := wideRandom(n, 4)
	notNaN := int64(0)
	for i := range n {
		keys[i] = int64(i)*7919%3001 - 1500 // in int64: i*7919 overflows a 32-bit int
		switch {
		case keys[i] == nanKey || i%501 == 0:
			vals[i] = math.NaN()
		case i%7 == 0:
			vals[i] = math.Copysign(0, float64(i%2)-0.5)
		}
		if vals[i] == vals[i] {
			notNaN++
		}
	}
	k := createInt64(t, keys)
	_, v := createFloat64(t, vals, n)
	ctx := context.Background()
	want, err := compute.GroupBy(ctx, k, v, compute.WithWorkers(1))
	must(t, err)
	// Each key's own rows: its count, and its sum to within the rounding
	// of its absolute values.
	type rows struct {
		count    int64
		sum, abs float64
	}
	own := map[int64]*rows{}
	for i, key := range keys {
		r := own[key]
		if r == nil {
			r = &rows{}
			own[key] = r
		}
		if vals[i] == vals[i] {
			r.count++
			r.sum += vals[i]
			r.abs += math.Abs(vals[i])
		}
	}
	counted := int64(0)
	for _, g := range want.Groups {
		counted += g.Count
		r := own[g.Key]
		if r == nil || g.Count != r.count || math.Abs(g.Sum-r.sum) > 1e-12*r.abs || g.Key == nanKey && !math.IsNaN(g.Min) {
			t.Errorf("group %+v; want the key's rows %+v", g, r)
		}
	}
	if len(want.Groups) != 3001 || counted != notNaN {
		t.Fatalf("%d groups counting %d values; want 3001 counting %d", len(want.Groups), counted, notNaN)
	}
	spill := t.TempDir()
	for _, workers := range []int{1, 2, 3, 8} {
		for _, budget := range []int64{0, 1} {
			got, err := compute.GroupBy(ctx, k, v, compute.WithWorkers(workers), compute.WithMemory(budget), compute.WithSpillDir(spill))
			must(t, err)
			if diff := sameGroups(got, want); diff != "" {
				t.Errorf("%d workers, budget %d: %s", workers, budget, diff)
			}
		}
	}
}
