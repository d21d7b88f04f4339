package compute

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/mmarray"
)

// TestWaves checks that splitting the chunks into waves changes nothing:
// Describe's partials folded with waves of 1 and 2 chunks are the same, bit
// for bit, as with one wave, on a view of five chunks.
func TestWaves(t *testing.T) {
	t.Parallel()
	const n = 4*chunkLen + 123
	f, err := mmarray.Create(filepath.Join(t.TempDir(), "x.npy"), ">f8", []int{n})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := mmarray.View[float64](f)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		a.Set1(math.Ldexp(r.Float64()-0.5, r.IntN(60)-30), i)
	}
	describeWith := func(wave int) describePart[float64] {
		cfg := newConfig([]Option{WithWorkers(3)})
		cfg.waveLen = wave
		var d describePart[float64]
		calls := 0
		err := reduceChunks(context.Background(), a, cfg, cOrder, func(p *describePart[float64], start int, xs []float64) {
			p.extremes.scan(start, xs, false)
			p.moments.merge(momentsOf(xs, false))
		}, func(p describePart[float64]) {
			calls++
			d.moments.merge(p.moments)
			d.extremes.merge(p.extremes)
		})
		if err != nil {
			t.Fatal(err)
		}
		if calls != 5 {
			t.Errorf("waves of %d: %d partials folded, want 5", wave, calls)
		}
		return d
	}
	want := describeWith(waveLen)
	for _, wave := range []int{1, 2} {
		if got := describeWith(wave); got != want {
			t.Errorf("waves of %d chunks: %+v, one wave: %+v", wave, got, want)
		}
	}
}
