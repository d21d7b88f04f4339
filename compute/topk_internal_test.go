package compute

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// rankPalette is the float64 values the rank buffer tests draw from:
// ties, both zeros, infinities, NaN and the extreme finite values, whose
// neighbours filterBound computes.
var rankPalette = []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 1, -1, 2,
	math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64}

// checkRankBuffer scans xs in pieces of the given lengths into a rank
// buffer of k and the given capacity, as a chunk's kernel does, and checks
// its k best against a sort of every element by the ranking.
func checkRankBuffer(t *testing.T, name string, xs []float64, pieces []int, k, capacity int, largest bool) {
	t.Helper()
	h := newRankBuffer[float64](k, capacity, largest)
	start := 0
	for _, n := range pieces {
		n = min(n, len(xs)-start)
		h.scan(start, xs[start:start+n])
		start += n
	}
	if start < len(xs) {
		h.scan(start, xs[start:])
	}
	all := make([]rankItem[float64], len(xs))
	for i, x := range xs {
		all[i] = rankItem[float64]{x, i}
	}
	order := func(x, y rankItem[float64]) int {
		if h.beats(x, y) {
			return -1
		}
		return 1
	}
	slices.SortFunc(all, order)
	want := all[:min(k, len(all))]
	got := slices.Clone(h.best())
	slices.SortFunc(got, order)
	if len(got) != len(want) {
		t.Fatalf("%s: %d best, want %d", name, len(got), len(want))
	}
	for i := range want {
		if got[i].i != want[i].i || math.Float64bits(got[i].v) != math.Float64bits(want[i].v) {
			t.Fatalf("%s: best %d is %v at %d, want %v at %d", name, i, got[i].v, got[i].i, want[i].v, want[i].i)
		}
	}
}

// The rank buffer keeps the k best of pieces that look best at their end
// (scanned from it) and of others, for the largest and the smallest, with
// ties across the blocks read backwards, infinities, NaNs and zeros of
// both signs as thresholds, the best values repeated at the start, and k
// near the buffer's and the piece's sizes.
func TestRankBufferAgainstASort(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := map[string]func(i, n int) float64{
		"ascending":       func(i, n int) float64 { return float64(i) },
		"ascending-ties":  func(i, n int) float64 { return float64(i / 7) },
		"descending":      func(i, n int) float64 { return float64(n - i) },
		"descending-ties": func(i, n int) float64 { return float64((n - i) / 5) },
		"palette":         func(i, n int) float64 { return rankPalette[rng.IntN(len(rankPalette))] },
		"ascending-palette-tail": func(i, n int) float64 {
			if i > n-n/8 {
				return rankPalette[rng.IntN(len(rankPalette))]
			}
			return float64(i)
		},
		"ascending-best-first": func(i, n int) float64 {
			if i < n/10 {
				return float64(n)
			}
			return float64(i)
		},
		"worst-first-best-last": func(i, n int) float64 {
			if i < n/10 {
				return float64(-n)
			}
			return float64(i % 3)
		},
		"ascending-nan-end": func(i, n int) float64 {
			if i >= n-3 {
				return math.NaN()
			}
			return float64(i)
		},
		"ascending-to-infinity": func(i, n int) float64 {
			if i >= n/2 {
				return math.Inf(1)
			}
			return float64(i)
		},
		"descending-to-minus-infinity": func(i, n int) float64 {
			if i >= n/2 {
				return math.Inf(-1)
			}
			return float64(-i)
		},
		"zeros-then-negative-zeros": func(i, n int) float64 {
			if i >= n/2 {
				return math.Copysign(0, -1)
			}
			return float64(i%2) - 1
		},
		"ascending-by-extremes": func(i, n int) float64 {
			return -math.MaxFloat64 + float64(i)*1e300
		},
	}
	for name, shape := range shapes {
		for _, n := range []int{100, 1024, 5000} {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = shape(i, n)
			}
			for _, k := range []int{1, 2, 7, 100, 256, 511, 512, 513, n / 8, n/8 + 1} {
				if k < 1 {
					continue
				}
				for _, capacity := range []int{k + max(3*k, 1024), k + 1, 2 * k} {
					for _, pieces := range [][]int{{n}, {n / 3, n / 3}, {4096}, {n - 1}} {
						for _, largest := range []bool{true, false} {
							checkRankBuffer(t, fmt.Sprintf("%s, %d elements in pieces %v, k %d, capacity %d, largest %v", name, n, pieces, k, capacity, largest),
								xs, pieces, k, capacity, largest)
						}
					}
				}
			}
		}
	}
}

// FuzzRankBuffer checks the rank buffer against a sort for arbitrary
// float64 pieces: each pair of bytes is a value of rankPalette or a small
// integer, ascending or descending with the position when asked, so that
// pieces look best at either end.
func FuzzRankBuffer(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, uint16(500), uint16(3), uint16(20), uint16(300), uint8(0))
	f.Add([]byte{0, 0, 255, 255, 17, 3}, uint16(4000), uint16(100), uint16(0), uint16(4000), uint8(1))
	f.Add([]byte{200, 1, 200, 2}, uint16(2000), uint16(250), uint16(1024), uint16(700), uint8(2))
	f.Fuzz(func(t *testing.T, seed []byte, n, k, extra, piece uint16, mode uint8) {
		if len(seed) < 2 {
			return
		}
		length := int(n % 6000)
		xs := make([]float64, length)
		for i := range xs {
			p := 2 * i % (len(seed) - len(seed)%2)
			v := binary.LittleEndian.Uint16(seed[p:])
			x := float64(v % 64)
			if int(v>>8)%4 == 0 {
				x = rankPalette[int(v)%len(rankPalette)]
			}
			switch mode % 3 {
			case 1:
				x += float64(i / 4)
			case 2:
				x -= float64(i / 4)
			}
			xs[i] = x
		}
		kk := 1 + int(k%1200)
		capacity := kk + 1 + int(extra%2048)
		size := 1 + int(piece%5000)
		var pieces []int
		for range length/size + 1 {
			pieces = append(pieces, size)
		}
		for _, largest := range []bool{true, false} {
			checkRankBuffer(t, fmt.Sprintf("k %d, capacity %d, pieces of %d, largest %v", kk, capacity, size, largest), xs, pieces, kk, capacity, largest)
		}
	})
}
