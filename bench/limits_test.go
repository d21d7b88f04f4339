//go:build linux

package bench

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
)

// BenchmarkMachine measures the machine's own limits that the mmbench
// workloads run into, with no file and no mapping involved: compute.Sum of
// 1 GiB of anonymous memory (Go memory opened as an .npy image: the memory
// bandwidth a scan can reach) and
// the first touch of fresh anonymous memory (the cost of a page fault that
// allocates, as copy-on-write and create pay), on 1 and on all cores.
func BenchmarkMachine(b *testing.B) {
	const size = 1 << 30
	for _, p := range slices.Compact([]int{1, runtime.GOMAXPROCS(0)}) {
		b.Run(fmt.Sprintf("op=sum-anon-1GiB/goroutines=%d", p), func(b *testing.B) {
			a := inMemory(b, size/8)
			s := contiguous(b, a)
			for i := range s {
				s[i] = float64(i)
			}
			b.SetBytes(size)
			for b.Loop() {
				sink = sum(b, a, p)
			}
		})
		b.Run(fmt.Sprintf("op=first-touch-anon-256MiB/goroutines=%d", p), func(b *testing.B) {
			const n = 256 << 20
			b.SetBytes(n)
			for b.Loop() {
				// Fresh pages from the kernel each time (the Go heap would
				// reuse its own).
				buf, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
				if err != nil {
					b.Fatal(err)
				}
				var wg sync.WaitGroup
				for w := range p {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := w * n / p; i < (w+1)*n/p; i += 4096 {
							buf[i] = 1
						}
					}()
				}
				wg.Wait()
				b.StopTimer() // returning the pages is not part of first touch
				syscall.Munmap(buf)
				b.StartTimer()
			}
		})
	}
}
