package parallel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/parallel"
	"github.com/go-memmap/memmap/mmarray"
)

// TestParallelSumViewIsParallelSumOnAContiguousView checks ParallelSumView's
// documented claim: on a contiguous view of a mapped file it gives
// ParallelSum's result over the same elements bit for bit. The elements
// span many magnitudes, so that adding them in another order or grouping
// would change the last bits.
func TestParallelSumViewIsParallelSumOnAContiguousView(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(8, 4))
	var mismatches []string
	for _, n := range []int{0, 1, 7, 511, 512, 513, 4096 + 3, 3*4096 + 512*5 + 1, 100_003} {
		f, err := mmarray.Create(filepath.Join(dir, fmt.Sprintf("n%d.npy", n)), "<f8", []int{n})
		if err != nil {
			t.Fatal(err)
		}
		v, err := mmarray.View[float64](f)
		if err != nil {
			t.Fatal(err)
		}
		s, ok := v.Contiguous()
		if !ok {
			t.Fatalf("n=%d: a new file's view is not contiguous", n)
		}
		for i := range s {
			s[i] = (rng.Float64() - 0.5) * math.Ldexp(1, rng.IntN(60)-30)
		}
		for _, p := range []int{1, 2, 3, 4, 7, 16} {
			want := parallel.ParallelSum(s, p)
			if got := parallel.ParallelSumView(v, p); got != want {
				mismatches = append(mismatches, fmt.Sprintf("n=%d p=%d: ParallelSumView %v, ParallelSum %v", n, p, got, want))
			}
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if len(mismatches) > 0 {
		t.Errorf("ParallelSumView differs from ParallelSum on a contiguous view:\n%s", strings.Join(mismatches, "\n"))
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
