package bench

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/go-memmap/memmap/compute"
)

// BenchmarkTopK measures compute.TopK of the 100 largest of 8 Mi float64
// elements in ascending order (every element beats the ones kept so far,
// the adversarial order for a heap), in random order and in descending
// order (no element after the first hundred is kept).
func BenchmarkTopK(b *testing.B) {
	const n, k = 8 << 20, 100
	a := inMemory(b, n)
	s := contiguous(b, a)
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	for _, order := range []struct {
		name string
		at   func(i int) float64
	}{
		{"ascending", func(i int) float64 { return float64(i) }},
		{"random", func(int) float64 { return rng.Float64() }},
		{"descending", func(i int) float64 { return float64(n - i) }},
	} {
		for i := range s {
			s[i] = order.at(i)
		}
		b.Run(order.name, func(b *testing.B) {
			b.SetBytes(8 * n)
			for b.Loop() {
				r, err := compute.TopK(ctx, a, k)
				if err != nil {
					b.Fatal(err)
				}
				sink = r.Values[0]
			}
		})
	}
}
