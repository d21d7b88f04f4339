// Package parallel holds the summation loops that cmd/mmbench and the
// benchmarks in bench/ share, so that both measure the same loops. They are
// meant to give way to the compute package (issue 9), whose float sum now
// runs near this package's Sum (blocks added plainly, block sums
// compensated); the move is not made yet: see bench/README.md.
package parallel

import (
	"runtime"
	"sync"

	"github.com/go-memmap/memmap/mmarray"
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

// partAlign is the multiple of elements at which the parallel sums split
// their work: 512 float64s, 4 KiB, so that over contiguous data each part
// starts on a page of its own and two goroutines never fault on the same
// page. The split, and so the order of the additions, depends only on the
// number of elements and of parts, not on the layout.
const partAlign = 512

// ParallelSum sums s on p goroutines, each over a contiguous part of s;
// the partial sums are added in order.
func ParallelSum(s []float64, p int) float64 {
	partial := make([]float64, p)
	Parallel(len(s), p, partAlign, func(w, lo, hi int) { partial[w] = Sum(s[lo:hi]) })
	return SumInOrder(partial)
}

// ParallelSumView sums a view of any layout as ParallelSum sums a slice,
// each goroutine walking its part of the view's elements block by block
// (BlocksRange): a contiguous, native, aligned part is one block read in
// place, so the sum is ParallelSum's over the same slice, bit for bit;
// other layouts are staged through a buffer of viewChunk elements.
func ParallelSumView(v *mmarray.Array[float64], p int) float64 {
	partial := make([]float64, p)
	Parallel(v.Len(), p, partAlign, func(w, lo, hi int) {
		buf := make([]float64, viewChunk)
		var s float64
		for _, block := range v.BlocksRange(lo, hi, buf) {
			s += Sum(block)
		}
		partial[w] = s
	})
	return SumInOrder(partial)
}

// viewChunk is the number of elements ParallelSumView stages at a time:
// 32 KiB, which stays in the L1 cache.
const viewChunk = 4096

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
