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
