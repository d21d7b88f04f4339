package parallel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/parallel"
)

// TestSum checks Sum on lengths around its eight lanes, with integer
// values whose sums are exact in float64 whatever the order of addition,
// against a sum in int64.
func TestSum(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(8, 4))
	var mismatches []string
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 1000, 4099} {
		s := make([]float64, n)
		var want int64
		for i := range s {
			x := rng.Int64N(1<<40) - 1<<39
			s[i], want = float64(x), want+x
		}
		if got := parallel.Sum(s); got != float64(want) {
			mismatches = append(mismatches, fmt.Sprintf("n=%d: Sum %v, want %d", n, got, want))
		}
	}
	if len(mismatches) > 0 {
		t.Errorf("Sum:\n%s", strings.Join(mismatches, "\n"))
	}
}

// TestSumInOrder checks that SumInOrder adds left to right: 2^53 + 1 + 1
// rounds each 1 away, 1 + 1 + 2^53 does not.
func TestSumInOrder(t *testing.T) {
	t.Parallel()
	big := math.Ldexp(1, 53)
	if got := parallel.SumInOrder([]float64{big, 1, 1}); got != big {
		t.Errorf("SumInOrder(2^53, 1, 1) = %v, want 2^53", got)
	}
	if got := parallel.SumInOrder([]float64{1, 1, big}); got != big+2 {
		t.Errorf("SumInOrder(1, 1, 2^53) = %v, want 2^53+2", got)
	}
}

// TestParallelPartitionsTheRange checks Parallel's split: fn runs once for
// each of the p parts, the parts cover every index of [0, n) exactly once,
// and each boundary inside the range is a multiple of align.
func TestParallelPartitionsTheRange(t *testing.T) {
	t.Parallel()
	type part struct{ lo, hi, calls int }
	var mismatches []string
	bad := func(format string, args ...any) { mismatches = append(mismatches, fmt.Sprintf(format, args...)) }
	for _, n := range []int{0, 1, 5, 511, 512, 513, 1000, 4096, 10_007} {
		for _, p := range []int{1, 2, 3, 8, 33} {
			for _, align := range []int{1, 3, 512} {
				parts := make([]part, p)
				parallel.Parallel(n, p, align, func(w, lo, hi int) {
					parts[w].lo, parts[w].hi = lo, hi
					parts[w].calls++
				})
				covered := make([]int, n)
				for w, pt := range parts {
					if pt.calls != 1 {
						bad("n=%d p=%d align=%d: part %d ran %d times", n, p, align, w, pt.calls)
						continue
					}
					if pt.lo < 0 || pt.lo > pt.hi || pt.hi > n {
						bad("n=%d p=%d align=%d: part %d is [%d, %d)", n, p, align, w, pt.lo, pt.hi)
						continue
					}
					for _, b := range []int{pt.lo, pt.hi} {
						if b != n && b%align != 0 {
							bad("n=%d p=%d align=%d: part %d is [%d, %d), a boundary not a multiple of align", n, p, align, w, pt.lo, pt.hi)
						}
					}
					for i := pt.lo; i < pt.hi; i++ {
						covered[i]++
					}
				}
				for i, c := range covered {
					if c != 1 {
						bad("n=%d p=%d align=%d: index %d covered %d times", n, p, align, i, c)
						break
					}
				}
			}
		}
	}
	if len(mismatches) > 0 {
		t.Errorf("Parallel's parts:\n%s", strings.Join(mismatches, "\n"))
	}
}
