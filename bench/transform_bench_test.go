package bench

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
)

// BenchmarkTransform measures compute's transforms over a 64 MiB float64
// file into a new file in a temporary folder, flushed (fdatasync) as the
// calls do: a*2+1 (TransformToFile), the C-order copy of the transposed
// (N/1024, 1024) view (Copy, tiled), a float32 Astype and a Take of 2^16
// random rows of a (N/16, 16) view, each with 1 and 2 workers.
func BenchmarkTransform(b *testing.B) {
	const size = 64 << 20
	n := size / 8
	a := view(b, makeFile(b, n/1024, 1024))
	ctx := context.Background()
	out := filepath.Join(b.TempDir(), "out.npy")
	rows, err := a.Reshape(n/16, 16)
	if err != nil {
		b.Fatal(err)
	}
	indices := make([]int, 1<<16)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range indices {
		indices[i] = rng.IntN(n / 16)
	}
	affine := func(dst []float64, src ...[]float64) {
		for i, x := range src[0] {
			dst[i] = x*2 + 1
		}
	}
	for _, workers := range []int{1, 2} {
		opt := compute.WithWorkers(workers)
		run := func(name string, bytes int64, fn func() error) {
			b.Run(name+"/workers="+strconv.Itoa(workers), func(b *testing.B) {
				b.SetBytes(bytes)
				for b.Loop() {
					if err := fn(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		run("affine", size, func() error {
			return compute.TransformToFile(ctx, out, "<f8", []*mmarray.Array[float64]{a}, affine, opt)
		})
		run("copy-transposed", size, func() error { return compute.Copy(ctx, a.Transpose(), out, opt) })
		run("astype-f4", size, func() error { return compute.Astype(ctx, a, out, "<f4", opt) })
		run("take", int64(len(indices))*16*8, func() error { return compute.Take(ctx, rows, indices, out, opt) })
	}
}
