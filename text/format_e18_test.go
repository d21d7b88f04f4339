package text

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// e18Values are doubles for appendE18's test: random bits, log-uniform
// values over its fast range and past both ends, powers of ten and their
// neighbours, and ties, doubles whose exact decimal has 20 significant
// digits ending in 5 (odd multiples of 2^-s with 20-s digits before the
// point), which only half-to-even rounding gets right.
func e18Values(n int) []float64 {
	rng := rand.New(rand.NewPCG(18, 19))
	var xs []float64
	for range n {
		xs = append(xs, math.Abs(math.Float64frombits(rng.Uint64())))
		xs = append(xs, math.Pow(10, rng.Float64()*70-25)*(1+rng.Float64()))
	}
	for k := -330; k <= 308; k++ {
		p, _ := strconv.ParseFloat("1e"+strconv.Itoa(k), 64)
		xs = append(xs, p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1)))
	}
	for s := 1; s <= 19; s++ {
		lo, hi := math.Pow(10, float64(19-s)), math.Pow(10, float64(20-s))
		hi = min(hi, math.Ldexp(1, 53-s))
		for range n / 100 {
			if lo >= hi {
				break
			}
			odd := uint64(lo*math.Ldexp(1, s)+rng.Float64()*(hi-lo)*math.Ldexp(1, s)) | 1
			xs = append(xs, math.Ldexp(float64(odd), -s))
		}
	}
	return append(xs, 0, math.SmallestNonzeroFloat64, math.MaxFloat64, 1, 9.999999999999999e18, 1e19, 2, 0.5)
}

// TestAppendE18 compares appendE18 with strconv's exact formatting.
func TestAppendE18(t *testing.T) {
	t.Parallel()
	n := 200000
	if testing.Short() {
		n = 20000
	}
	for _, x := range e18Values(n) {
		if got, want := appendE18(nil, x), strconv.AppendFloat(nil, x, 'e', 18, 64); string(got) != string(want) {
			t.Fatalf("%v (bits %#x): got %s, want %s", x, math.Float64bits(x), got, want)
		}
	}
}

func BenchmarkAppendE18(b *testing.B) {
	xs := e18Values(1000)[:2000:2000]
	for i := range xs {
		xs[i] = math.Pow(10, float64(i%40)-10) * (1 + float64(i)/3000)
	}
	buf := make([]byte, 0, 64)
	b.Run("appendE18", func(b *testing.B) {
		for b.Loop() {
			for _, x := range xs {
				buf = appendE18(buf[:0], x)
			}
		}
	})
	b.Run("strconv", func(b *testing.B) {
		for b.Loop() {
			for _, x := range xs {
				buf = strconv.AppendFloat(buf[:0], x, 'e', 18, 64)
			}
		}
	})
}
