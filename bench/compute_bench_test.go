package bench

import (
	"context"
	"math"
	"strconv"
	"testing"

	"github.com/go-memmap/memmap/compute"
)

// BenchmarkCompute measures compute.Sum, compute.NanSum and
// compute.Describe over a 64 MiB float64 file with 1 and 2 workers, beside
// the plain loops over the same mapped slice that they compete with: a sum,
// and a mean/std/min/max pass.
func BenchmarkCompute(b *testing.B) {
	const size = 64 << 20
	a := view(b, makeFile(b, size/8))
	s, ok := a.Contiguous()
	if !ok {
		b.Fatal("the file's view is not contiguous")
	}
	ctx := context.Background()
	b.Run("slice-sum", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			var t float64
			for _, x := range s {
				t += x
			}
			sink = t
		}
	})
	b.Run("slice-describe", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			sink = plainDescribe(s)
		}
	})
	for _, workers := range []int{1, 2} {
		opt := compute.WithWorkers(workers)
		b.Run("sum/workers="+strconv.Itoa(workers), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				v, err := compute.Sum(ctx, a, opt)
				if err != nil {
					b.Fatal(err)
				}
				sink = v.Float64()
			}
		})
		b.Run("nansum/workers="+strconv.Itoa(workers), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				v, err := compute.NanSum(ctx, a, opt)
				if err != nil {
					b.Fatal(err)
				}
				sink = v.Float64()
			}
		})
		b.Run("describe/workers="+strconv.Itoa(workers), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				d, err := compute.Describe(ctx, a, opt)
				if err != nil {
					b.Fatal(err)
				}
				sink = d.Std
			}
		})
	}
}

// plainDescribe is the one-pass loop a user would write: sum, sum of
// squares, min and max (a less accurate variance than Describe's).
func plainDescribe(s []float64) float64 {
	var sum, sq float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range s {
		sum += x
		sq += x * x
		lo = min(lo, x)
		hi = max(hi, x)
	}
	n := float64(len(s))
	mean := sum / n
	return math.Sqrt(sq/n-mean*mean) + lo + hi
}
