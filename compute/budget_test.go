package compute_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
	"github.com/stretchr/testify/require"
)

// budgetRows and budgetCols shape the (N, 16) float32 files of the budget
// tests: 1.8 MiB, a little over seven chunks.
const budgetRows, budgetCols = 30000, 16

// createBudgetFile writes a (budgetRows, budgetCols) float32 .npy whose
// sums depend on the order of additions, and returns its path.
func createBudgetFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "budget.npy")
	f, err := mmarray.Create(path, "<f4", []int{budgetRows, budgetCols})
	must(t, err)
	a, err := mmarray.View[float32](f)
	must(t, err)
	s, _ := a.Contiguous()
	for i, x := range wideRandom(len(s), 7) {
		s[i] = float32(x)
	}
	must(t, f.Flush())
	must(t, f.Close())
	rewriteInPages(t, path)
	return path
}

// rewriteInPages writes the file at path again, as a new file, one page per
// write. The page cache then holds it in single pages: pages a mapping
// wrote, or that read-ahead brought in, may be large folios, which a fault
// maps whole (Linux 6.x), so the pages a process maps would depend on how
// the file came into the cache rather than on the budget.
func rewriteInPages(t *testing.T, path string) {
	t.Helper()
	image, err := os.ReadFile(path)
	must(t, err)
	must(t, os.Remove(path))
	out, err := os.Create(path)
	must(t, err)
	defer out.Close()
	page := pagecache.PageSize()
	for off := 0; off < len(image); off += page {
		_, err := out.WriteAt(image[off:min(off+page, len(image))], int64(off))
		must(t, err)
	}
	// Written back, the pages are clean: a dirty page is not dropped from
	// the cache.
	must(t, out.Sync())
}

func openBudgetFile(t *testing.T, path string, mode mmarray.Mode) (*mmarray.File, *mmarray.Array[float32]) {
	t.Helper()
	f, err := mmarray.Open(path, mode)
	must(t, err)
	t.Cleanup(func() { _ = f.Close() })
	a, err := mmarray.View[float32](f)
	must(t, err)
	return f, a
}

// budgetResults runs the reductions the budget must not change and
// formats their results bit for bit.
func budgetResults(t *testing.T, v *mmarray.Array[float32], opts ...compute.Option) string {
	t.Helper()
	ctx := context.Background()
	var out strings.Builder
	bits := func(xs ...float64) {
		for _, x := range xs {
			out.WriteString(strconv.FormatUint(math.Float64bits(x), 16))
			out.WriteByte(' ')
		}
	}
	sum, err := compute.Sum(ctx, v, opts...)
	must(t, err)
	d, err := compute.Describe(ctx, v, opts...)
	must(t, err)
	argmax, err := compute.ArgMax(ctx, v, opts...)
	must(t, err)
	bits(sum.Float64(), d.Sum, d.Mean, d.Std, d.Min, d.Max)
	fmt.Fprint(&out, d.ArgMin, d.ArgMax, d.Count, argmax)
	if v.Ndim() == 2 {
		mean, err := compute.MeanAxis(ctx, v, 0, opts...)
		must(t, err)
		std, err := compute.StdAxis(ctx, v, 0, 1, opts...)
		must(t, err)
		rowSums, err := compute.SumAxis(ctx, v, -1, opts...)
		must(t, err)
		bits(mean.Values...)
		bits(std.Values...)
		for _, s := range rowSums.Values {
			bits(s.Float64())
		}
	}
	return out.String()
}

// TestBudgetKeepsResultsIdentical runs reductions over views of a file
// larger than the budget, where the engine reads ahead, bounds the chunks
// in flight and releases the pages behind it, and checks their results
// are bit for bit those of a run without a budget, with 1, 2, 3 and 8
// workers, in every mode (CopyOnWrite, whose pages are never released,
// and ReadWrite, whose are written back first).
func TestBudgetKeepsResultsIdentical(t *testing.T) {
	t.Parallel()
	path := createBudgetFile(t)
	views := func(a *mmarray.Array[float32]) map[string]*mmarray.Array[float32] {
		s := mmarray.Span
		return map[string]*mmarray.Array[float32]{
			"whole":      a,
			"transposed": a.Transpose(),
			"strided":    a.Slice(s(mmarray.Omit, mmarray.Omit, 3), s(1, mmarray.Omit, 2)),
			"reversed":   a.Slice(s(mmarray.Omit, mmarray.Omit, -1)),
			"column":     a.Slice(mmarray.All(), mmarray.Index(5)),
		}
	}
	_, base := openBudgetFile(t, path, mmarray.ReadOnly)
	want := map[string]string{}
	for name, v := range views(base) {
		want[name] = budgetResults(t, v, compute.WithWorkers(1))
	}
	budgets := map[string][]compute.Option{
		"1 byte":            {compute.WithMemory(1)},
		"600 KiB, streamed": {compute.WithMemory(600 << 10), compute.WithStream()},
	}
	for _, mode := range []mmarray.Mode{mmarray.ReadOnly, mmarray.ReadWrite, mmarray.CopyOnWrite} {
		_, a := openBudgetFile(t, path, mode)
		for name, v := range views(a) {
			for budget, opts := range budgets {
				for _, workers := range []int{1, 2, 3, 8} {
					got := budgetResults(t, v, append([]compute.Option{compute.WithWorkers(workers)}, opts...)...)
					if got != want[name] {
						t.Errorf("%v, %s view, budget %s, %d workers: results differ from those without a budget", mode, name, budget, workers)
					}
				}
			}
		}
	}
}

func TestWithMemoryNegativePanics(t *testing.T) {
	t.Parallel()
	defer func() {
		m, ok := recover().(*memmap.Misuse)
		require.True(t, ok, "WithMemory(-1) did not panic with a *memmap.Misuse")
		require.Equal(t, "compute: WithMemory(-1): negative memory budget", m.Error())
	}()
	compute.WithMemory(-1)
}

// TestBudgetCopyOnWriteKeepsChanges changes an element of a copy-on-write
// view and reduces it with a budget far smaller than the file: releasing
// its pages would lose the change, and the sum would not see it.
func TestBudgetCopyOnWriteKeepsChanges(t *testing.T) {
	t.Parallel()
	path := createBudgetFile(t)
	_, a := openBudgetFile(t, path, mmarray.CopyOnWrite)
	ctx := context.Background()
	before, err := compute.Sum(ctx, a)
	must(t, err)
	old := a.At2(12345, 3)
	a.Set2(old+1e6, 12345, 3)
	for _, workers := range []int{1, 3} {
		after, err := compute.Sum(ctx, a, compute.WithMemory(1), compute.WithWorkers(workers))
		must(t, err)
		require.InDelta(t, 1e6, after.Float64()-before.Float64(), 1e-3, "%d workers: the change is lost", workers)
		require.Equal(t, old+1e6, a.At2(12345, 3))
	}
}
