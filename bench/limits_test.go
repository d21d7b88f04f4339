//go:build linux

package bench

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"

	"github.com/go-memmap/memmap/mmarray"
)

// BenchmarkMachine measures the machine's own limits that the mmbench
// workloads run into, with no file and no mapping involved: compute.Sum of
// 1 GiB of anonymous memory (Go memory opened as an .npy image: the memory
// bandwidth a scan can reach) and
// the first touch of fresh anonymous memory (the cost of a page fault that
// allocates, as copy-on-write and create pay), on 1 and on all cores. With
// MMBENCH_LIMITS_FILE naming a float64 .npy (bench/limits.sh sets it), it
// also sums that file through a fresh read-only mmap of it each time, made
// with a bare system call and no advice (the file read into the page cache
// first): what a scan of a warm file can reach with the page faults of a
// fresh mapping, which mmbench's sum pays too.
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
		if path := os.Getenv("MMBENCH_LIMITS_FILE"); path != "" {
			b.Run(fmt.Sprintf("op=sum-fresh-mapping/goroutines=%d", p), func(b *testing.B) {
				benchFreshMapping(b, path, p)
			})
		}
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

// benchFreshMapping sums the float64 .npy at path, read into the page cache
// first, through a fresh mmap of the whole file each time (syscall.Mmap,
// MAP_SHARED, no advice), on p goroutines with compute.Sum's kernel over
// the mapped bytes held as an in-memory array (mmarray.OpenRawBytes: no
// mapping layer of this module).
func benchFreshMapping(b *testing.B, path string, p int) {
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	if err != nil {
		b.Fatal(err)
	}
	off, n := f.DataOffset(), f.Len()
	f.Close()
	fd, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer fd.Close()
	if _, err := io.Copy(io.Discard, fd); err != nil { // into the page cache
		b.Fatal(err)
	}
	b.SetBytes(int64(n) * 8)
	for b.Loop() {
		m, err := syscall.Mmap(int(fd.Fd()), 0, int(off)+8*n, syscall.PROT_READ, syscall.MAP_SHARED)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := mmarray.OpenRawBytes(path, m[off:], mmarray.ReadOnly, "<f8", []int{n})
		if err != nil {
			b.Fatal(err)
		}
		a, err := mmarray.View[float64](raw)
		if err != nil {
			b.Fatal(err)
		}
		sink = sum(b, a, p)
		b.StopTimer() // unmapping is not part of the scan
		raw.Close()
		syscall.Munmap(m)
		b.StartTimer()
	}
}
