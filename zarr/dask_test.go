package zarr_test

import (
	"context"
	"encoding/binary"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/zarr"
	"github.com/go-memmap/memmap/zarr/codec"
)

// daskReduce has a Dask LocalCluster of two worker processes read the
// store given as {"store", "out"} on its input, compute mean, std and sum
// along axis 0 and write them, stacked, into a new store with Dask's
// to_zarr.
const daskReduce = `
from dask.distributed import LocalCluster, Client
import dask.array as da
cfg = json.load(sys.stdin)
with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster):
    x = da.from_zarr(cfg['store'])
    da.stack([x.mean(axis=0), x.std(axis=0), x.sum(axis=0)]).to_zarr(cfg['out'])
json.dump('ok', sys.stdout)
`

// A store this package writes (blosc-lz4 chunks, zarr-python's default)
// is computed on by a Dask cluster of worker processes, and the store Dask
// writes back reads here equal to compute's own mean, std and sum along
// axis 0 of the same data, within 1e-12 relative (Dask and compute add in
// different orders).
func TestDaskClusterComputesOnWrittenStore(t *testing.T) {
	t.Parallel()
	numpytest.RequireModule(t, "distributed")
	dir := t.TempDir()
	src, err := mmarray.Create(filepath.Join(dir, "x.npy"), "<f8", []int{20000, 8})
	require.NoError(t, err)
	defer src.Close()
	x, err := mmarray.View[float64](src)
	require.NoError(t, err)
	vals := make([]float64, x.Len())
	for i := range vals {
		vals[i] = math.Sin(float64(i)*0.37) * float64(1+i%8) * 1000
	}
	x.SetRange(0, vals)
	blosc, err := codec.Parse("blosc-lz4")
	require.NoError(t, err)
	store := filepath.Join(dir, "x.zarr")
	_, err = zarr.FromFile(src, store, zarr.WithCodec(blosc), zarr.WithChunks(3000, 8))
	require.NoError(t, err)

	out := filepath.Join(dir, "stats.zarr")
	var ok string
	numpytest.RunJSON(t, daskReduce, map[string]string{"store": store, "out": out}, &ok)
	require.Equal(t, "ok", ok)

	stats, err := zarr.Open(out)
	require.NoError(t, err)
	require.Equal(t, []int{3, 8}, stats.Shape())
	require.Equal(t, "<f8", stats.Descr())
	got, err := stats.ReadRegion([]int{0, 0}, []int{3, 8}, nil)
	require.NoError(t, err)
	ctx := context.Background()
	mean, err := compute.MeanAxis(ctx, x, 0)
	require.NoError(t, err)
	std, err := compute.StdAxis(ctx, x, 0, 0)
	require.NoError(t, err)
	sum, err := compute.SumAxis(ctx, x, 0)
	require.NoError(t, err)
	sums := make([]float64, len(sum.Values))
	for i, s := range sum.Values {
		sums[i] = s.Float64()
	}
	for row, want := range [][]float64{mean.Values, std.Values, sums} {
		for col, w := range want {
			g := math.Float64frombits(binary.LittleEndian.Uint64(got[8*(8*row+col):]))
			require.InDelta(t, 0, (g-w)/math.Max(math.Abs(w), 1), 1e-12, "row %d col %d: dask %v, compute %v", row, col, g, w)
		}
	}
}
