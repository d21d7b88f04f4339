package zarr_test

import (
	"context"
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/zarr"
)

// computeOracle has zarr-python write, for each case, a float64 values
// store and an int32 keys store of the same grid (C or F order,
// uncompressed or blosc, (c, K) chunks spanning whole rows or (c, k)
// ones, edge chunks along both axes), and prints NumPy's results on the
// data it wrote. Floats go as repr strings, so NaN and infinities survive
// JSON.
const computeOracle = `
import zarr, numcodecs, os
out = json.load(sys.stdin)['out']
rng = np.random.default_rng(17)
blosc = numcodecs.Blosc(cname='lz4', clevel=5, shuffle=1)
f = lambda x: repr(float(x))
res = []
for name, chunks, order, comp, nans in [
        ('C_cK_none', (10, 6), 'C', None, False),
        ('C_ck_blosc', (10, 4), 'C', blosc, False),
        ('F_cK_blosc', (10, 6), 'F', blosc, False),
        ('F_ck_none', (10, 4), 'F', None, False),
        ('C_ck_blosc_nan', (10, 4), 'C', blosc, True),
        ('F_ck_none_nan', (7, 5), 'F', None, True)]:
    a = rng.standard_normal((53, 6)) * 100 + 3
    a[rng.integers(0, 53, 5), rng.integers(0, 6, 5)] = 42.5  # ties for TopK
    if nans:
        a[rng.integers(0, 53, 6), rng.integers(0, 6, 6)] = np.nan
        if order == 'C':  # NaN ranks above inf; the F case keeps finite statistics
            a[4, 2] = np.inf
    keys = rng.integers(0, 5, size=a.shape, dtype='<i4')
    vp, kp = os.path.join(out, name + '.zarr'), os.path.join(out, name + '_keys.zarr')
    zarr.array(a, store=vp, chunks=chunks, order=order, compressor=comp)
    zarr.array(keys, store=kp, chunks=chunks, order=order, compressor=comp)
    flat = a.ravel()
    isn = np.isnan(flat)
    top = np.lexsort((np.arange(flat.size), -np.where(isn, np.inf, flat), ~isn))[:7]
    groups = []
    for k in np.unique(keys):
        v = a[keys == k]
        v = v[~np.isnan(v)]
        groups.append(dict(key=int(k), count=int(v.size), sum=f(v.sum()), min=f(v.min()), max=f(v.max())))
    n = int((~isn).sum())
    res.append(dict(name=name, values=vp, keys=kp, sum=f(a.sum()),
        mean0=[f(x) for x in a.mean(axis=0)], mean1=[f(x) for x in a.mean(axis=1)],
        std0=[f(x) for x in a.std(axis=0, ddof=1)],
        describe=dict(count=n, nancount=int(isn.sum()), sum=f(np.nansum(a)), mean=f(np.nanmean(a)),
            std=f(np.nanstd(a)), min=f(np.nanmin(a)), max=f(np.nanmax(a)),
            argmin=int(np.nanargmin(a)), argmax=int(np.nanargmax(a))),
        top_values=[f(x) for x in flat[top]], top_indices=[int(i) for i in top], groups=groups))
json.dump(res, sys.stdout)
`

type computeCase struct {
	Name, Values, Keys string
	Sum                string
	Mean0, Mean1, Std0 []string
	Describe           struct {
		Count, NaNCount          int64
		Sum, Mean, Std, Min, Max string
		ArgMin, ArgMax           int
	}
	TopValues  []string `json:"top_values"`
	TopIndices []int    `json:"top_indices"`
	Groups     []struct {
		Key           int32
		Count         int64
		Sum, Min, Max string
	}
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err)
	return v
}

// requireClose asserts got is want within a relative tolerance of 1e-12
// (of the larger magnitude; an absolute 1e-12 near zero), NaN equal to
// NaN, infinities exact.
func requireClose(t *testing.T, want string, got float64, what string) {
	t.Helper()
	w := parseFloat(t, want)
	switch {
	case math.IsNaN(w) || math.IsInf(w, 0):
		require.True(t, math.IsNaN(got) && math.IsNaN(w) || got == w, "%s: got %v, NumPy %v", what, got, w)
	default:
		tol := 1e-12 * max(1, math.Abs(w))
		require.InDelta(t, w, got, tol, "%s: got %v, NumPy %v", what, got, w)
	}
}

func requireAllClose(t *testing.T, want []string, got []float64, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	for i := range want {
		requireClose(t, want[i], got[i], what+"["+strconv.Itoa(i)+"]")
	}
}

// compute's chunk reductions over zarr-python stores (C and F order, (c,
// K) and (c, k) grids with edge chunks, uncompressed chunks mapped in
// place and blosc ones decoded, with and without NaNs) agree with NumPy on
// the same data: sums, means and deviations within a relative 1e-12,
// extremes, counts and indices exact.
func TestComputeOverZarrPythonStores(t *testing.T) {
	t.Parallel()
	numpytest.RequireModule(t, "zarr")
	var cases []computeCase
	numpytest.RunJSON(t, computeOracle, map[string]string{"out": t.TempDir()}, &cases)
	require.Len(t, cases, 6)
	ctx := context.Background()
	opt := compute.WithWorkers(2)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			values, err := zarr.Open(c.Values)
			require.NoError(t, err)
			keys, err := zarr.Open(c.Keys)
			require.NoError(t, err)

			sum, err := compute.SumChunks[float64](ctx, values, opt)
			require.NoError(t, err)
			requireClose(t, c.Sum, sum.Float64(), "SumChunks")

			mean0, err := compute.MeanAxisChunks[float64](ctx, values, 0, opt)
			require.NoError(t, err)
			require.Equal(t, []int{6}, mean0.Shape)
			requireAllClose(t, c.Mean0, mean0.Values, "MeanAxisChunks(0)")
			mean1, err := compute.MeanAxisChunks[float64](ctx, values, 1, opt)
			require.NoError(t, err)
			requireAllClose(t, c.Mean1, mean1.Values, "MeanAxisChunks(1)")
			std0, err := compute.StdAxisChunks[float64](ctx, values, 0, 1, opt)
			require.NoError(t, err)
			requireAllClose(t, c.Std0, std0.Values, "StdAxisChunks(0, ddof 1)")

			d, err := compute.DescribeChunks[float64](ctx, values, opt)
			require.NoError(t, err)
			w := c.Describe
			require.Equal(t, w.Count, d.Count)
			require.Equal(t, w.NaNCount, d.NaNCount)
			requireClose(t, w.Sum, d.Sum, "Describe Sum")
			requireClose(t, w.Mean, d.Mean, "Describe Mean")
			requireClose(t, w.Std, d.Std, "Describe Std")
			require.Equal(t, parseFloat(t, w.Min), d.Min)
			require.Equal(t, parseFloat(t, w.Max), d.Max)
			require.Equal(t, w.ArgMin, d.ArgMin)
			require.Equal(t, w.ArgMax, d.ArgMax)

			top, err := compute.TopKChunks[float64](ctx, values, 7, opt)
			require.NoError(t, err)
			require.Equal(t, c.TopIndices, top.Indices)
			for i, v := range c.TopValues {
				requireClose(t, v, top.Values[i], "TopKChunks value") // exact: NaN or the element itself
				if !math.IsNaN(top.Values[i]) {
					require.Equal(t, parseFloat(t, v), top.Values[i])
				}
			}

			g, err := compute.GroupByChunks[int32, float64](ctx, keys, values, opt)
			require.NoError(t, err)
			require.Len(t, g.Groups, len(c.Groups))
			for i, want := range c.Groups {
				got := g.Groups[i]
				require.Equal(t, want.Key, got.Key)
				require.Equal(t, want.Count, got.Count)
				requireClose(t, want.Sum, got.Sum, "group sum")
				require.Equal(t, parseFloat(t, want.Min), got.Min)
				require.Equal(t, parseFloat(t, want.Max), got.Max)
			}
		})
	}
}
