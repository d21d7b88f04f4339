package bench

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// sizes is the sweep of array sizes in bytes for the scan and Create
// benchmarks: from cache-resident to well beyond the last-level cache.
var sizes = []int{64 << 10, 4 << 20, 64 << 20}

// makeFile creates a float64 .npy of the given shape in a temporary folder,
// filled with i*0.5, flushed, and returns it opened read-only.
func makeFile(b *testing.B, shape ...int) *mmarray.File {
	b.Helper()
	path := filepath.Join(b.TempDir(), "a.npy")
	f, err := mmarray.Create(path, "<f8", shape)
	if err != nil {
		b.Fatal(err)
	}
	a, err := mmarray.View[float64](f)
	if err != nil {
		b.Fatal(err)
	}
	s, ok := a.Contiguous()
	if !ok {
		b.Fatal("a new file's view is not contiguous")
	}
	for i := range s {
		s[i] = float64(i) * 0.5
	}
	if err := f.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	r, err := mmarray.Open(path, mmarray.ReadOnly)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	return r
}

func view(b *testing.B, f *mmarray.File) *mmarray.Array[float64] {
	b.Helper()
	a, err := mmarray.View[float64](f)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

var sink float64

// inMemory is a float64 array of n elements in Go memory (an .npy image
// opened with OpenBytes, read-write), zeroed, for the benchmarks that copy
// into a buffer or sum anonymous memory: compute reduces arrays, not slices.
func inMemory(b *testing.B, n int) *mmarray.Array[float64] {
	b.Helper()
	dt, err := npyheader.ParseDescr("<f8")
	if err != nil {
		b.Fatal(err)
	}
	prefix, err := npyheader.Header{DType: dt, Shape: []int{n}}.Encode()
	if err != nil {
		b.Fatal(err)
	}
	image := make([]byte, len(prefix)+8*n)
	copy(image, prefix)
	f, err := mmarray.OpenBytes("buffer.npy", image, mmarray.ReadWrite)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return view(b, f)
}

// contiguous is a's zero-copy slice.
func contiguous(b *testing.B, a *mmarray.Array[float64]) []float64 {
	b.Helper()
	s, ok := a.Contiguous()
	if !ok {
		b.Fatal("not contiguous")
	}
	return s
}

// sum is compute.Sum of a on the given number of workers (0: GOMAXPROCS).
func sum(b *testing.B, a *mmarray.Array[float64], workers int) float64 {
	s, err := compute.Sum(context.Background(), a, compute.WithWorkers(workers))
	if err != nil {
		b.Fatal(err)
	}
	return s.Float64()
}

// BenchmarkAt reads single elements on arrays of rank 1 to 4 (4096
// elements each), walking the indices in C order: through the general At
// (rank=*), where every op reads one element, and through At1 and At2 on
// native and byte-swapped float64 views (how=At1,At2), where every op
// sums the 4096 elements in a loop and ns/elem is the cost of one.
func BenchmarkAt(b *testing.B) {
	shapes := [][]int{{4096}, {64, 64}, {16, 16, 16}, {8, 8, 8, 8}}
	for _, shape := range shapes {
		b.Run(fmt.Sprintf("rank=%d", len(shape)), func(b *testing.B) {
			a := view(b, makeFile(b, shape...))
			b.SetBytes(8)
			idx := make([]int, len(shape))
			var s float64
			for b.Loop() {
				s += a.At(idx...)
				for ax := len(idx) - 1; ax >= 0; ax-- {
					idx[ax]++
					if idx[ax] < shape[ax] {
						break
					}
					idx[ax] = 0
				}
			}
			sink = s
		})
	}
	for _, order := range []string{"native", "swapped"} {
		var flat *mmarray.Array[float64]
		if order == "native" {
			flat = view(b, makeFile(b, 4096))
		} else {
			flat = viewOf[float64](b, createTable(b, ">f8", 4096, letters))
		}
		b.Run("how=At1/order="+order, func(b *testing.B) {
			b.SetBytes(int64(flat.Len()) * 8)
			for b.Loop() {
				sink = sumAt1(flat)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*flat.Len()), "ns/elem")
		})
		b.Run("how=At2/order="+order, func(b *testing.B) {
			mat, err := flat.Reshape(64, 64)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(mat.Len()) * 8)
			for b.Loop() {
				sink = sumAt2(mat)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*mat.Len()), "ns/elem")
		})
	}
}

// The loops over elements are in functions of their own, as they would
// be in a program: a loop written inside b.Loop's loop keeps every value
// alive and is compiled without inlining its closures.

//go:noinline
func sumAt1(a *mmarray.Array[float64]) (s float64) {
	for i := range a.Len() {
		s += a.At1(i)
	}
	return s
}

//go:noinline
func sumAt2(a *mmarray.Array[float64]) (s float64) {
	rows, cols := a.Shape()[0], a.Shape()[1]
	for i := range rows {
		for j := range cols {
			s += a.At2(i, j)
		}
	}
	return s
}

//go:noinline
func sumValues(a *mmarray.Array[float64]) (s float64) {
	for x := range a.Values() {
		s += x
	}
	return s
}

// BenchmarkScanContiguous sums a whole warm, mapped array: with compute.Sum
// on one worker and on all of them, and through the Values iterator and
// CopyTo (into Go memory, then compute.Sum on one worker) for comparison.
func BenchmarkScanContiguous(b *testing.B) {
	for _, size := range sizes {
		f := makeFile(b, size/8)
		a := view(b, f)
		b.Run(fmt.Sprintf("size=%s/how=sum", human(size)), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				sink = sum(b, a, 1)
			}
		})
		b.Run(fmt.Sprintf("size=%s/how=sum-parallel", human(size)), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				sink = sum(b, a, 0)
			}
		})
		b.Run(fmt.Sprintf("size=%s/how=values", human(size)), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				sink = sumValues(a)
			}
		})
		b.Run(fmt.Sprintf("size=%s/how=copyto", human(size)), func(b *testing.B) {
			b.SetBytes(int64(size))
			buf := inMemory(b, a.Len())
			dst := contiguous(b, buf)
			for b.Loop() {
				a.CopyTo(dst)
				sink = sum(b, buf, 1)
			}
		})
	}
}

// BenchmarkScanStrided sums a[::step] through Values and through CopyTo
// into a buffer in Go memory, summed by compute.Sum on one worker;
// SetBytes counts the elements read.
func BenchmarkScanStrided(b *testing.B) {
	for _, size := range sizes {
		f := makeFile(b, size/8)
		a := view(b, f)
		for _, step := range []int{2, 8, 512} {
			v := a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, step))
			b.Run(fmt.Sprintf("size=%s/step=%d/how=values", human(size), step), func(b *testing.B) {
				b.SetBytes(int64(v.Len()) * 8)
				for b.Loop() {
					sink = sumValues(v)
				}
			})
			b.Run(fmt.Sprintf("size=%s/step=%d/how=copyto", human(size), step), func(b *testing.B) {
				b.SetBytes(int64(v.Len()) * 8)
				buf := inMemory(b, v.Len())
				dst := contiguous(b, buf)
				for b.Loop() {
					v.CopyTo(dst)
					sink = sum(b, buf, 1)
				}
			})
		}
	}
}

// BenchmarkViews measures building views: Slice from parsed NumPy index
// text and from Sels, Transpose and Reshape, on a rank-3 array.
func BenchmarkViews(b *testing.B) {
	a := view(b, makeFile(b, 16, 32, 64))
	sels := []mmarray.Sel{mmarray.Span(1, 15, 2), mmarray.Index(3), mmarray.Span(mmarray.Omit, mmarray.Omit, -1)}
	b.Run("op=Slice", func(b *testing.B) {
		for b.Loop() {
			_ = a.Slice(sels...)
		}
	})
	b.Run("op=ParseIndex+Slice", func(b *testing.B) {
		for b.Loop() {
			s, err := mmarray.ParseIndex("1:15:2, 3, ::-1")
			if err != nil {
				b.Fatal(err)
			}
			_ = a.Slice(s...)
		}
	})
	b.Run("op=Transpose", func(b *testing.B) {
		for b.Loop() {
			_ = a.Transpose()
		}
	})
	b.Run("op=Transpose(2,0,1)", func(b *testing.B) {
		for b.Loop() {
			_ = a.Transpose(2, 0, 1)
		}
	})
	b.Run("op=Reshape", func(b *testing.B) {
		for b.Loop() {
			if _, err := a.Reshape(-1, 64); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHeader parses NPY headers: a simple one, a 4-D one and a
// structured dtype, from memory (Parse) and from a reader (Read).
func BenchmarkHeader(b *testing.B) {
	headers := map[string]npyheader.Header{}
	for name, descr := range map[string]string{"f8": "<f8", "struct": "[('x', '<f4'), ('y', '<i8'), ('name', '|S16')]"} {
		dt, err := npyheader.ParseDescr(descr)
		if err != nil {
			b.Fatal(err)
		}
		headers[name] = npyheader.Header{DType: dt, Shape: []int{1 << 20}}
	}
	dt, _ := npyheader.ParseDescr("<i4")
	headers["i4-4d"] = npyheader.Header{DType: dt, Shape: []int{10, 20, 30, 40}, FortranOrder: true}
	for _, name := range []string{"f8", "i4-4d", "struct"} {
		enc, err := headers[name].Encode()
		if err != nil {
			b.Fatal(err)
		}
		b.Run("how=Parse/header="+name, func(b *testing.B) {
			b.SetBytes(int64(len(enc)))
			for b.Loop() {
				if _, err := npyheader.Parse(enc); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("how=Read/header="+name, func(b *testing.B) {
			b.SetBytes(int64(len(enc)))
			r := bytes.NewReader(enc)
			for b.Loop() {
				r.Reset(enc)
				if _, err := npyheader.Read(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpen opens a warm .npy read-only, views it and closes it.
func BenchmarkOpen(b *testing.B) {
	f := makeFile(b, 1<<16)
	path := f.Path()
	for b.Loop() {
		g, err := mmarray.Open(path, mmarray.ReadOnly)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := mmarray.View[float64](g); err != nil {
			b.Fatal(err)
		}
		g.Close()
	}
}

// BenchmarkCreate creates a float64 .npy, fills it through the Contiguous
// slice and closes it; flush=true also waits for the data to reach the disk.
func BenchmarkCreate(b *testing.B) {
	dir := b.TempDir()
	for _, size := range sizes {
		for _, flush := range []bool{false, true} {
			b.Run(fmt.Sprintf("size=%s/flush=%v", human(size), flush), func(b *testing.B) {
				b.SetBytes(int64(size))
				path := filepath.Join(dir, "c.npy")
				for b.Loop() {
					f, err := mmarray.Create(path, "<f8", []int{size / 8})
					if err != nil {
						b.Fatal(err)
					}
					a, err := mmarray.View[float64](f)
					if err != nil {
						b.Fatal(err)
					}
					s, ok := a.Contiguous()
					if !ok {
						b.Fatal("a new file's view is not contiguous")
					}
					for i := range s {
						s[i] = float64(i) * 0.5
					}
					if flush {
						if err := f.Flush(); err != nil {
							b.Fatal(err)
						}
					}
					if err := f.Close(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func human(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
