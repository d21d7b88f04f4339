package compute

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/go-memmap/memmap/internal/ciskip"
)

// requireAVX2 skips a test of the assembly kernels where they do not run:
// in a build without them (not amd64, or purego), or on an amd64 machine
// without AVX2, where under CI the test fails instead (ciskip), since the
// kernels are built there and would go untested.
func requireAVX2(t *testing.T) {
	t.Helper()
	switch {
	case hasAVX2:
	case asmBuilt:
		ciskip.Skipf(t, "no AVX2 on this machine: the assembly kernels are not run")
	default:
		t.Skip("no assembly kernels in this build")
	}
}

// TestAssemblyKernelsMatchGo checks that the assembly block kernels give
// the Go loops' results bit for bit (firstEqualAVX2 the same index), on
// blocks of ordinary, huge, tiny, infinite, NaN and signed-zero values:
// results must not depend on the machine a reduction runs on.
func TestAssemblyKernelsMatchGo(t *testing.T) {
	t.Parallel()
	requireAVX2(t)
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
		for _, x := range []float64{block[r.IntN(sumBlock)], block[sumBlock-1], value(r.IntN(4))} {
			want := 0 // firstEqual's Go loop, 0 where no element is x
			for i, y := range block {
				if y == x {
					want = i
					break
				}
			}
			if got := firstEqualAVX2(&block, x); got != want {
				t.Fatalf("trial %d: firstEqualAVX2 of %v = %d, Go %d", trial, x, got, want)
			}
		}
		n := 8 * r.IntN(sumBlock/8+1)
		mean := value(r.IntN(3))
		dev := squaredDeviationsGo(block[:n], mean)
		if got := squaredDeviationsAVX2(block[:n], mean); math.Float64bits(got) != math.Float64bits(dev) && !(got != got && dev != dev) {
			t.Fatalf("trial %d: squaredDeviationsAVX2 of %d = %v, Go %v", trial, n, got, dev)
		}
	}
}

// TestColumnAssemblyKernelsMatchGo checks the eight-column assembly loops
// of the axis reductions against the Go loops' additions, column by column
// in row order, bit for bit.
func TestColumnAssemblyKernelsMatchGo(t *testing.T) {
	t.Parallel()
	requireAVX2(t)
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 5000 {
		k := 8 + r.IntN(13)
		rows := r.IntN(40)
		xs := make([]float64, max(rows, 1)*k) // a row to slice at c when there are none
		for i := range xs {
			xs[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
		}
		c := r.IntN(k - 7)
		var means, sums, devs [8]float64
		for j := range means {
			means[j] = r.NormFloat64()
		}
		sums[0], devs[0] = math.NaN(), math.NaN() // set, not added to, even without rows
		columnSums8AVX2(columns8(xs[c:], k, rows), k, rows, &sums)
		columnDeviations8AVX2(columns8(xs[c:], k, rows), k, rows, &means, &devs)
		for j := range 8 {
			var sum, dev float64
			for row := range rows {
				x := xs[row*k+c+j]
				sum += x
				d := x - means[j]
				dev += d * d
			}
			if math.Float64bits(sums[j]) != math.Float64bits(sum) || math.Float64bits(devs[j]) != math.Float64bits(dev) {
				t.Fatalf("trial %d, column %d of %d, %d rows: sums %v and %v, want %v and %v", trial, c+j, k, rows, sums[j], devs[j], sum, dev)
			}
		}
	}
}

// TestGroupFilterKernels checks the top-k filters against their definition:
// the first group of eight holding an element that is not at most (not at
// least) the bound, NaNs flagged, over lengths that are not multiples of 8.
func TestGroupFilterKernels(t *testing.T) {
	t.Parallel()
	requireAVX2(t)
	r := rand.New(rand.NewPCG(5, 6))
	first := func(xs []float64, flagged func(x float64) bool) int {
		n := len(xs) &^ 7
		for g := 0; g < n; g += 8 {
			for _, x := range xs[g : g+8] {
				if flagged(x) {
					return g
				}
			}
		}
		return n
	}
	for trial := range 20000 {
		xs := make([]float64, r.IntN(70))
		for i := range xs {
			switch r.IntN(50) {
			case 0:
				xs[i] = math.NaN()
			case 1:
				xs[i] = math.Inf(1 - 2*r.IntN(2))
			default:
				xs[i] = r.NormFloat64()
			}
		}
		bound := 1.5 + r.NormFloat64()
		if trial%100 == 0 {
			bound = math.NaN()
		}
		above := first(xs, func(x float64) bool { return !(x <= bound) })
		if got := groupAboveAVX2(xs, bound); got != above {
			t.Fatalf("trial %d: groupAboveAVX2(%v, %v) = %d, want %d", trial, xs, bound, got, above)
		}
		below := first(xs, func(x float64) bool { return !(x >= -bound) })
		if got := groupBelowAVX2(xs, -bound); got != below {
			t.Fatalf("trial %d: groupBelowAVX2(%v, %v) = %d, want %d", trial, xs, -bound, got, below)
		}
	}
}
