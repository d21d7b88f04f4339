package compute

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAssemblyKernelsMatchGo checks that the assembly block kernels give
// the Go loops' results bit for bit, on blocks of ordinary, huge, tiny,
// infinite, NaN and signed-zero values: results must not depend on the
// machine a reduction runs on.
func TestAssemblyKernelsMatchGo(t *testing.T) {
	t.Parallel()
	if !hasAVX2 {
		t.Skip("no assembly kernels on this machine or build")
	}
	special := []float64{0, math.Copysign(0, -1), 1e308, -1e308, 5e-324, -5e-324, math.Inf(1), math.Inf(-1),
		math.NaN(), 1, -1, 0.1, 1e16, -1e16, 3}
	r := rand.New(rand.NewPCG(1, 2))
	value := func(kind int) float64 {
		switch kind {
		case 0:
			return r.NormFloat64()
		case 1:
			return r.NormFloat64() * math.Pow(10, float64(r.IntN(600)-300))
		case 2:
			return float64(r.IntN(5)) // ties and zeros
		default:
			return special[r.IntN(len(special))]
		}
	}
	for trial := range 20000 {
		kind := trial % 5
		var block [sumBlock]float64
		for i := range block {
			if kind == 4 {
				block[i] = value(r.IntN(4)) // a mix
			} else {
				block[i] = value(kind)
			}
		}
		sum, _ := plainBlockSumGo(&block)
		if got := plainBlockSumAVX2(&block); math.Float64bits(got) != math.Float64bits(sum) && !(got != got && sum != sum) {
			t.Fatalf("trial %d: plainBlockSumAVX2 = %v, Go %v", trial, got, sum)
		}
		sum, lo, hi := extremeBlockSumGo(&block)
		gotSum, gotLo, gotHi := extremeBlockSumAVX2(&block)
		if math.Float64bits(gotSum) != math.Float64bits(sum) && !(gotSum != gotSum && sum != sum) {
			t.Fatalf("trial %d: extremeBlockSumAVX2's sum = %v, Go %v", trial, gotSum, sum)
		}
		// A NaN makes the sum NaN, and the extremes are then not used.
		if sum == sum && (gotLo != lo || gotHi != hi) {
			t.Fatalf("trial %d: extremeBlockSumAVX2's extremes = %v, %v, Go %v, %v", trial, gotLo, gotHi, lo, hi)
		}
		n := 8 * r.IntN(sumBlock/8+1)
		mean := value(r.IntN(3))
		dev := squaredDeviationsGo(block[:n], mean)
		if got := squaredDeviationsAVX2(block[:n], mean); math.Float64bits(got) != math.Float64bits(dev) && !(got != got && dev != dev) {
			t.Fatalf("trial %d: squaredDeviationsAVX2 of %d = %v, Go %v", trial, n, got, dev)
		}
	}
}
