package mmarray_test

import (
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/mmarray"
)

// BenchmarkAppend appends batches of 1000 rows of 16 float32 to an .npy
// file, with a Sync per batch (sync) or only at Close (buffered): the
// issue's append workload, one batch per iteration.
func BenchmarkAppend(b *testing.B) {
	batch := make([]float32, 1000*16)
	for i := range batch {
		batch[i] = float32(i)
	}
	for _, sync := range []bool{true, false} {
		name := "buffered"
		if sync {
			name = "sync"
		}
		b.Run(name, func(b *testing.B) {
			w, err := mmarray.NewWriter(filepath.Join(b.TempDir(), "bench.npy"), "<f4", []int{16})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(batch) * 4))
			for b.Loop() {
				if err := mmarray.Append(w, batch); err != nil {
					b.Fatal(err)
				}
				if sync {
					if err := w.Sync(); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}
