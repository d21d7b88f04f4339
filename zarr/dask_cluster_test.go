//go:build !race

// The race detector makes the 1 GiB compute of this test take minutes: it
// runs in CI's pass without -race (linux/386), and in any plain go test.

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

// daskCluster is run by TestDaskClusterReadsAndWritesStores: a
// distributed.LocalCluster of two worker processes reads the store
// sys.argv[1] with da.from_zarr, and writes its mean, std and sum along
// axis 0 as the arrays "mean", "std" and "sum" of a new group sys.argv[2]
// (da.to_zarr: the workers write the chunks). It prints the number of
// workers that ran.
const daskCluster = `
import dask, dask.array as da, zarr
from distributed import Client, LocalCluster
if __name__ == '__main__':
    src, out = sys.argv[1], sys.argv[2]
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=None, silence_logs=40) as cluster, Client(cluster) as client:
        x = da.from_zarr(src)
        zarr.open_group(out, mode='w')
        dask.compute(*[da.to_zarr(r, out, component=name, compute=False)
                       for name, r in (('mean', x.mean(axis=0)), ('std', x.std(axis=0)), ('sum', x.sum(axis=0)))])
        print(len(client.scheduler_info()['workers']))
`

// TestDaskClusterReadsAndWritesStores is the round trip with a real Dask
// cluster: a 1 GiB float64 (N, 16) array written by FromFile with
// blosc-lz4 is reduced along axis 0 by two Dask worker processes, whose
// result store is read here and compared with compute's reductions over the
// same store (MeanAxisChunks, StdAxisChunks, SumAxisChunks).
//
// The tolerance is a relative 1e-12: both sides add the same 8 million
// values per column, NumPy pairwise within each Dask chunk and the chunks'
// sums in a tree, compute with compensation, so each result is within a few
// ulps (log2 of n roundings at most, about 1e-14 relative) of the exact sum;
// std combines per-chunk moments on both sides (Chan's formula here, Dask's
// moment aggregation there), stable for data whose mean is not large
// against its spread, as here. A wrong element, chunk or column moves a
// result by far more than that.
func TestDaskClusterReadsAndWritesStores(t *testing.T) {
	numpytest.RequireModule(t, "zarr")
	numpytest.RequireModule(t, "distributed")
	if testing.Short() {
		t.Skip("a 1 GiB store and a Dask cluster: not with -short")
	}
	const cols = 16
	const rows = 1 << 30 / 8 / cols
	dir := t.TempDir()
	src, err := mmarray.Create(filepath.Join(dir, "x.npy"), "<f8", []int{rows, cols})
	require.NoError(t, err)
	// x[i, j] is a hashed fraction of (i, j) scaled by column: columns of
	// different means and spreads, no two rows alike.
	buf := make([]byte, 1<<20)
	for off := 0; off < rows*cols*8; off += len(buf) {
		for k := 0; k < len(buf); k += 8 {
			n := (off + k) / 8
			j := n % cols
			v := float64(uint64(n)*2654435761%1000003)/1000003*float64(j+1) + float64(j)
			binary.LittleEndian.PutUint64(buf[k:], math.Float64bits(v))
		}
		_, err := src.WriteAt(buf, int64(off))
		require.NoError(t, err)
	}
	blosc, err := codec.Parse("blosc-lz4")
	require.NoError(t, err)
	store, err := zarr.FromFile(src, filepath.Join(dir, "x.zarr"), zarr.WithCodec(blosc), zarr.WithChunks(1000000, cols))
	require.NoError(t, err)
	require.NoError(t, src.Close())

	out := filepath.Join(dir, "result.zarr")
	require.Equal(t, "2\n", numpytest.Run(t, daskCluster, store.Path(), out))

	ctx := context.Background()
	mean, err := compute.MeanAxisChunks[float64](ctx, store, 0)
	require.NoError(t, err)
	std, err := compute.StdAxisChunks[float64](ctx, store, 0, 0)
	require.NoError(t, err)
	sum, err := compute.SumAxisChunks[float64](ctx, store, 0)
	require.NoError(t, err)
	sums := make([]float64, cols)
	for j, s := range sum.Values {
		sums[j] = s.Float64()
	}
	g, err := zarr.OpenGroup(out)
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		want []float64
	}{{"mean", mean.Values}, {"std", std.Values}, {"sum", sums}} {
		a, err := g.Open(c.name)
		require.NoError(t, err)
		require.Equal(t, []int{cols}, a.Shape(), c.name)
		f, err := mmarray.OpenRawBytes(c.name, numpytest.Must(a.ReadRegion([]int{0}, []int{cols}, nil)), mmarray.ReadOnly, a.Descr(), []int{cols})
		require.NoError(t, err)
		v, err := mmarray.View[float64](f)
		require.NoError(t, err)
		worst := 0.0
		for j := range cols {
			got := v.At(j)
			require.InEpsilon(t, c.want[j], got, 1e-12, "%s of column %d: Dask %v, compute %v", c.name, j, got, c.want[j])
			worst = max(worst, math.Abs(got-c.want[j])/math.Abs(c.want[j]))
		}
		t.Logf("%s: largest relative difference %.2g", c.name, worst)
		require.NoError(t, f.Close())
	}
}
