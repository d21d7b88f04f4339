package zarr_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/zarr"
	"github.com/go-memmap/memmap/zarr/codec"
)

// benchSource is an 8 MiB float64 .npy file of smooth values.
func benchSource(b *testing.B) *mmarray.File {
	b.Helper()
	f, err := mmarray.Create(filepath.Join(b.TempDir(), "x.npy"), "<f8", []int{1 << 17, 8})
	if err != nil {
		b.Fatal(err)
	}
	v, _ := mmarray.View[float64](f)
	vals := make([]float64, v.Len())
	for i := range vals {
		vals[i] = math.Sin(float64(i) / 1000)
	}
	v.SetRange(0, vals)
	b.Cleanup(func() { f.Close() })
	return f
}

// BenchmarkFromFileBloscLZ4 converts 8 MiB of float64 into a store of
// blosc-lz4 chunks of 1 MiB.
func BenchmarkFromFileBloscLZ4(b *testing.B) {
	src := benchSource(b)
	blosc, _ := codec.Parse("blosc-lz4")
	b.SetBytes(src.NBytes())
	for i := 0; b.Loop(); i++ {
		path := filepath.Join(b.TempDir(), "x.zarr")
		if _, err := zarr.FromFile(src, path, zarr.WithChunks(1<<14, 8), zarr.WithCodec(blosc)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenChunkBloscLZ4 decodes 1 MiB blosc-lz4 chunks through
// OpenChunk, reusing one scratch.
func BenchmarkOpenChunkBloscLZ4(b *testing.B) {
	src := benchSource(b)
	blosc, _ := codec.Parse("blosc-lz4")
	a, err := zarr.FromFile(src, filepath.Join(b.TempDir(), "x.zarr"), zarr.WithChunks(1<<14, 8), zarr.WithCodec(blosc))
	if err != nil {
		b.Fatal(err)
	}
	var s compute.ChunkScratch
	b.SetBytes(int64(a.ChunkBytes()))
	for i := 0; b.Loop(); i++ {
		f, err := a.OpenChunk([]int{i % a.GridShape()[0], 0}, &s)
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
