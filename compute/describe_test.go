package compute_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/go-memmap/memmap/compute"
)

// TestDescribeExtremesMatchLoop checks Describe's count, NaN count,
// extremes and their first occurrences against a plain loop, on data made
// to catch a block-wise scan out: ties of the extremes in several blocks,
// signed zeros, blocks of infinities of one or both signs, NaNs at the
// start, middle and end of blocks, and lengths that end mid-block, with
// 1, 2, 3 and 8 workers.
func TestDescribeExtremesMatchLoop(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	inf := math.Inf(1)
	cases := map[string]func(i int) float64{
		"ties":        func(i int) float64 { return float64(r.IntN(5)) },
		"signed-zero": func(i int) float64 { return []float64{0, math.Copysign(0, -1), 1}[r.IntN(3)] },
		"inf-blocks": func(i int) float64 {
			switch (i / 128) % 4 {
			case 0:
				return inf
			case 1:
				return -inf
			case 2:
				return []float64{inf, -inf}[i%2]
			}
			return r.NormFloat64()
		},
		"nans": func(i int) float64 {
			if i%128 == 0 || i%128 == 127 || i%1000 == 500 {
				return math.NaN()
			}
			return r.NormFloat64()
		},
		"rising":  func(i int) float64 { return float64(i) * 0.5 },
		"falling": func(i int) float64 { return -float64(i) },
	}
	ctx := context.Background()
	for name, value := range cases {
		for _, n := range []int{1, 127, 128, 129, 70000 + 77} {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = value(i)
			}
			_, a := createFloat64(t, xs, n)
			// The loop: first occurrences by strict comparisons, NaNs
			// left out of the extremes and counted.
			argmin, argmax, nans := -1, -1, 0
			for i, x := range xs {
				switch {
				case x != x:
					nans++
				case argmin < 0:
					argmin, argmax = i, i
				case x < xs[argmin]:
					argmin = i
				case x > xs[argmax]:
					argmax = i
				}
			}
			for _, workers := range []int{1, 2, 3, 8} {
				d, err := compute.Describe(ctx, a, compute.WithWorkers(workers))
				must(t, err)
				where := fmt.Sprintf("%s, %d elements, %d workers", name, n, workers)
				if d.Count != int64(n-nans) || d.NaNCount != int64(nans) || d.ArgMin != argmin || d.ArgMax != argmax {
					t.Errorf("%s: count %d, NaNs %d, argmin %d, argmax %d; want %d, %d, %d, %d",
						where, d.Count, d.NaNCount, d.ArgMin, d.ArgMax, n-nans, nans, argmin, argmax)
					continue
				}
				if argmin >= 0 && (math.Float64bits(d.Min) != math.Float64bits(xs[argmin]) || math.Float64bits(d.Max) != math.Float64bits(xs[argmax])) {
					t.Errorf("%s: min %v, max %v; want %v, %v (bit for bit)", where, d.Min, d.Max, xs[argmin], xs[argmax])
				}
			}
		}
	}
}
