package compute_test

import (
	"context"
	"os"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/ciskip"
	"github.com/go-memmap/memmap/internal/pagemap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// faultAround is the most the kernel maps beyond a faulting page from the
// page cache on its own (fault_around_bytes, 64 KiB by default): pages a
// chunk does not read but that count in the process's memory.
const faultAround = 64 << 10

// TestBudgetBoundsMappedPages samples, after each chunk, how many pages of
// the file the process has mapped (what its RSS counts): with a budget
// they stay within it, and none is left mapped at the end; without one,
// every page read stays mapped.
func TestBudgetBoundsMappedPages(t *testing.T) {
	t.Parallel()
	path := createBudgetFile(t)
	ps := pagecache.PageSize()
	ctx := context.Background()
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
			for name, run := range map[string]func(...compute.Option) error{
				"Sum":      func(o ...compute.Option) error { _, err := compute.Sum(ctx, a, o...); return err },
				"MeanAxis": func(o ...compute.Option) error { _, err := compute.MeanAxis(ctx, a, 0, o...); return err },
				"Describe": func(o ...compute.Option) error { _, err := compute.Describe(ctx, a, o...); return err },
			} {
				peak = 0
				require.NoError(t, run(compute.WithMemory(budget), compute.WithWorkers(workers), sample))
				require.Positive(t, peak, name)
				// Each worker's faults may map a fault-around block of
				// cached pages beside its chunk, released ones included.
				require.LessOrEqual(t, int64(peak*ps), budget+int64(workers)*faultAround+int64(ps),
					"%s, budget %d KiB, %d workers: %d KiB mapped", name, budget>>10, workers, peak*ps>>10)
				n, err := pagemap.Present(data)
				require.NoError(t, err)
				require.Zero(t, n, "%s: pages left mapped", name)
			}
		}
	}
	_, a := openBudgetFile(t, path, mmarray.ReadOnly)
	_, err := compute.Sum(ctx, a)
	require.NoError(t, err)
	data, _ := a.Contiguous()
	n, err := pagemap.Present(data)
	require.NoError(t, err)
	require.Equal(t, (len(data)*4+ps-1)/ps, n, "pages mapped after a sum without a budget")
}

// TestStreamDropsTheCache checks with mincore that a streamed reduction
// leaves none of the file's pages in the page cache, and one without
// WithStream leaves them all.
func TestStreamDropsTheCache(t *testing.T) {
	// Not parallel: it counts the pages of a file in the page cache, and
	// the page cache is shared with every other test.
	path := createBudgetFile(t)
	osFile, err := os.Open(path)
	require.NoError(t, err)
	defer osFile.Close()
	var st unix.Statfs_t
	require.NoError(t, unix.Fstatfs(int(osFile.Fd()), &st))
	if fs := uint32(st.Type); fs == unix.TMPFS_MAGIC || fs == unix.RAMFS_MAGIC { // Type is an int32 on 32-bit platforms
		ciskip.Skipf(t, "%s is on tmpfs or ramfs, whose page cache is the only copy and cannot be dropped", path)
	}
	ctx := context.Background()
	for _, stream := range []bool{false, true} {
		f, a := openBudgetFile(t, path, mmarray.ReadOnly)
		opts := []compute.Option{compute.WithMemory(600 << 10), compute.WithWorkers(2)}
		if stream {
			opts = append(opts, compute.WithStream())
		}
		_, err := compute.Sum(ctx, a, opts...)
		require.NoError(t, err)
		res, total, err := f.Resident()
		require.NoError(t, err)
		if stream {
			require.Zero(t, res, "pages cached after a streamed sum, of %d", total)
		} else {
			require.Equal(t, total, res, "pages cached after a sum that was not streamed")
		}
		require.NoError(t, f.Close())
	}
}
