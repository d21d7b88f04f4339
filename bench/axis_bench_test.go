package bench

import (
	"context"
	"testing"

	"github.com/go-memmap/memmap/compute"
)

// BenchmarkAxis0 measures mmbench's axis0 workload at 256 MiB: MeanAxis
// and StdAxis along axis 0 of a (N, 16) float64 file in C order (makeFile's values i/2), where
// each row holds one element of each of the 16 results; sum, compute.Sum
// of the same file, is the speed they aim at.
func BenchmarkAxis0(b *testing.B) {
	const size, cols = 256 << 20, 16
	a := view(b, makeFile(b, size/8/cols, cols))
	ctx := context.Background()
	b.Run("sum", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			sink = sum(b, a, 0)
		}
	})
	b.Run("mean", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			r, err := compute.MeanAxis(ctx, a, 0)
			if err != nil {
				b.Fatal(err)
			}
			sink = r.Values[0]
		}
	})
	b.Run("std", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			r, err := compute.StdAxis(ctx, a, 0, 0)
			if err != nil {
				b.Fatal(err)
			}
			sink = r.Values[0]
		}
	})
}
