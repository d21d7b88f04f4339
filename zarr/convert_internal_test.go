package zarr

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/internal/numpytest"
)

// guessChunks picks the chunks zarr-python's guess_chunks picks, for
// shapes small and large, of every rank, with zero lengths and items of
// several sizes.
func TestGuessChunksAsZarrPython(t *testing.T) {
	t.Parallel()
	numpytest.RequireModule(t, "zarr")
	type guess struct {
		Shape  []int `json:"shape"`
		Item   int   `json:"item"`
		Chunks []int `json:"chunks"`
	}
	cases := []guess{
		{Shape: []int{}, Item: 8}, {Shape: []int{0}, Item: 8}, {Shape: []int{10}, Item: 1},
		{Shape: []int{1000000}, Item: 8}, {Shape: []int{536870912}, Item: 8}, {Shape: []int{10000, 16}, Item: 8},
		{Shape: []int{1 << 20, 512}, Item: 8}, {Shape: []int{37, 23}, Item: 8}, {Shape: []int{100, 0, 7}, Item: 4},
		{Shape: []int{4096, 4096, 3}, Item: 2}, {Shape: []int{3}, Item: 100 << 20}, {Shape: []int{50, 60, 70, 80}, Item: 16},
	}
	var want []guess
	numpytest.RunJSON(t, `
import zarr.util
cases = json.load(sys.stdin)
for c in cases:
    c['chunks'] = list(zarr.util.guess_chunks(tuple(c['shape']), c['item']))
json.dump(cases, sys.stdout)
`, cases, &want)
	for _, w := range want {
		require.Equal(t, w.Chunks, nonNil(guessChunks(w.Shape, w.Item)), "shape %v item %d", w.Shape, w.Item)
	}
}

// An edge chunk filled only after filledBefore's bytes, then written with
// the box's runs, holds what a chunk filled whole first holds: the bytes
// filledBefore skips are all written by the copy.
func TestFilledBeforeSkipsOnlyCopiedBytes(t *testing.T) {
	t.Parallel()
	const item = 2
	fill := []byte{0xAB, 0xCD}
	cases := []struct {
		chunks, extent []int
	}{
		{[]int{6}, []int{4}},
		{[]int{5, 4}, []int{3, 4}},
		{[]int{5, 4}, []int{5, 3}},
		{[]int{5, 4}, []int{2, 1}},
		{[]int{1, 5}, []int{1, 3}},
		{[]int{5, 1}, []int{2, 1}},
		{[]int{3, 4, 2}, []int{1, 4, 2}},
		{[]int{3, 4, 2}, []int{3, 4, 1}},
		{[]int{3, 4, 2}, []int{3, 2, 2}},
	}
	for _, c := range cases {
		for _, fortran := range []bool{false, true} {
			strides := layoutStrides(c.chunks, item, fortran)
			srcStrides := layoutStrides(c.extent, item, fortran)
			bytes := item
			for _, n := range c.chunks {
				bytes *= n
			}
			copyBox := func(chunk []byte) {
				runs(c.extent, strides, srcStrides, item, func(d, _, n int) {
					for i := range n {
						chunk[d+i] = byte(d + i + 1) // never the fill's bytes
					}
				})
			}
			whole := make([]byte, bytes)
			fillItems(whole, fill)
			copyBox(whole)
			skipped := make([]byte, bytes)
			fillItems(skipped[filledBefore(c.extent, c.chunks, strides):], fill)
			copyBox(skipped)
			require.Equal(t, whole, skipped, "chunks %v, extent %v, fortran %v", c.chunks, c.extent, fortran)
		}
	}
}
