// Package parallel holds the few loops cmd/mmbench and bench/ need where the
// compute package does not do the job: splitting a range across goroutines
// (mmbench's gather, copy-on-write and fill workloads, which read through
// the element API or write as they go) and a plain sum of a slice (the
// copy-on-write workload's fused write-and-sum, and BenchmarkBlocks, which
// measures block iteration itself). Scans of arrays use compute.Sum.
package parallel

import (
	"runtime"
	"sync"
)

// Workers is the number of goroutines the parallel helpers use by default:
// one per core Go may run on.
func Workers() int { return runtime.GOMAXPROCS(0) }

// Parallel splits [0, n) into p contiguous parts whose boundaries are
// multiples of align, and runs fn on each in its own goroutine. Part w is
// [lo, hi); parts may be empty.
func Parallel(n, p, align int, fn func(w, lo, hi int)) {
	per := (n + p - 1) / p
	per = (per + align - 1) / align * align
	var wg sync.WaitGroup
	for w := range p {
		lo, hi := min(w*per, n), min((w+1)*per, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(w, lo, hi)
		}()
	}
	wg.Wait()
}

// SumInOrder adds xs left to right, so that partial sums combine the same
// way every time.
func SumInOrder(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

// Sum adds s with eight independent accumulators, so that the loop is
// bound by memory rather than by the latency of one chain of additions.
func Sum(s []float64) float64 {
	var a0, a1, a2, a3, a4, a5, a6, a7 float64
	i := 0
	for ; i+8 <= len(s); i += 8 {
		c := s[i : i+8 : i+8]
		a0 += c[0]
		a1 += c[1]
		a2 += c[2]
		a3 += c[3]
		a4 += c[4]
		a5 += c[5]
		a6 += c[6]
		a7 += c[7]
	}
	for ; i < len(s); i++ {
		a0 += s[i]
	}
	return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
}
