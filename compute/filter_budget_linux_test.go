package compute_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/pagemap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
	"github.com/stretchr/testify/require"
)

// TestFilterBudgetBoundsMappedPages samples, after each chunk, how many
// pages of the source file the process has mapped while Filter and
// Concatenate run with a budget: they stay within it, none is left mapped
// at the end, and the files are those of a run without a budget.
func TestFilterBudgetBoundsMappedPages(t *testing.T) {
	t.Parallel()
	path := createBudgetFile(t)
	ps := pagecache.PageSize()
	ctx := context.Background()
	dir := t.TempDir()
	positive := func(keep []bool, col []float32) {
		for i, x := range col {
			keep[i] = x > 0
		}
	}
	_, a := openBudgetFile(t, path, mmarray.ReadOnly)
	wantFilter, wantConcat := filepath.Join(dir, "filter.npy"), filepath.Join(dir, "concat.npy")
	_, err := compute.Filter(ctx, a, a.Slice(mmarray.All(), mmarray.Index(0)), positive, wantFilter)
	require.NoError(t, err)
	_, err = compute.Concatenate(ctx, []*mmarray.Array[float32]{a, a}, wantConcat)
	require.NoError(t, err)
	for _, budget := range []int64{300 << 10, 700 << 10} {
		for _, workers := range []int{1, 2} {
			_, a := openBudgetFile(t, path, mmarray.ReadOnly)
			data, _ := a.Contiguous()
			peak := 0
			sample := compute.WithProgress(func(done, total int64) {
				n, err := pagemap.Present(data)
				require.NoError(t, err)
				peak = max(peak, n)
			})
			out := filepath.Join(dir, "out.npy")
			for name, run := range map[string]func(...compute.Option) (int, error){
				"Filter": func(o ...compute.Option) (int, error) {
					return compute.Filter(ctx, a, a.Slice(mmarray.All(), mmarray.Index(0)), positive, out, o...)
				},
				"Concatenate": func(o ...compute.Option) (int, error) {
					return compute.Concatenate(ctx, []*mmarray.Array[float32]{a, a}, out, o...)
				},
			} {
				peak = 0
				_, err := run(compute.WithMemory(budget), compute.WithWorkers(workers), sample)
				require.NoError(t, err)
				require.Positive(t, peak, name)
				require.LessOrEqual(t, int64(peak*ps), budget+int64(workers)*faultAround+int64(ps),
					"%s, budget %d KiB, %d workers: %d KiB mapped", name, budget>>10, workers, peak*ps>>10)
				n, err := pagemap.Present(data)
				require.NoError(t, err)
				require.Zero(t, n, "%s: pages left mapped", name)
				want := wantFilter
				if name == "Concatenate" {
					want = wantConcat
				}
				got, err := os.ReadFile(out)
				require.NoError(t, err)
				wantBytes, err := os.ReadFile(want)
				require.NoError(t, err)
				require.True(t, bytes.Equal(got, wantBytes), "%s, budget %d KiB, %d workers: another file than without a budget", name, budget>>10, workers)
			}
		}
	}
}
