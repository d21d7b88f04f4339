package zarr_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/zarr"
	"github.com/go-memmap/memmap/zarr/codec"
)

// An .npy file becomes a Zarr store with blosc-lz4 chunks, zarr-python's
// default compressor, and a region of the store reads back as a typed view.
func Example() {
	dir, _ := os.MkdirTemp("", "zarr-example")
	defer os.RemoveAll(dir)

	src, _ := mmarray.Create(filepath.Join(dir, "x.npy"), "<f8", []int{6, 4})
	x, _ := mmarray.View[float64](src)
	for i := range 6 {
		for j := range 4 {
			x.Set(float64(10*i+j), i, j)
		}
	}
	blosc, _ := codec.Parse("blosc-lz4")
	a, err := zarr.FromFile(src, filepath.Join(dir, "x.zarr"), zarr.WithChunks(4, 3), zarr.WithCodec(blosc))
	if err != nil {
		fmt.Println(err)
		return
	}
	src.Close()
	fmt.Println(a.Shape(), a.ChunkShape(), a.GridShape(), a.Descr(), a.Codec().ID())

	b, _ := a.ReadRegion([]int{3, 1}, []int{2, 3}, nil)
	f, _ := mmarray.OpenRawBytes("region", b, mmarray.ReadOnly, a.Descr(), []int{2, 3})
	v, _ := mmarray.View[float64](f)
	fmt.Println(v.At(0, 0), v.At(1, 2))

	// Each chunk opens as a File, as compute's chunk walks open them.
	var s compute.ChunkScratch
	chunk, _ := a.OpenChunk([]int{1, 1}, &s)
	c, _ := mmarray.View[float64](chunk)
	fmt.Println(chunk.Shape(), c.At(0, 0), c.At(3, 2)) // the last row and column lie past the edge: fill 0
	chunk.Close()
	// Output:
	// [6 4] [4 3] [2 2] <f8 blosc
	// 31 43
	// [4 3] 43 0
}

// TransformChunks writes a new store through the store's Sink: here a
// big-endian, Fortran-order array whose fill is NaN, which the kernel's
// C-order, native chunks are reordered, swapped and padded for.
func ExampleArray_Sink() {
	dir, _ := os.MkdirTemp("", "zarr-sink")
	defer os.RemoveAll(dir)

	src, _ := mmarray.Create(filepath.Join(dir, "x.npy"), "<f8", []int{5, 3})
	x, _ := mmarray.View[float64](src)
	for i := range 5 {
		for j := range 3 {
			x.Set(float64(10*i+j), i, j)
		}
	}
	a, _ := zarr.FromFile(src, filepath.Join(dir, "x.zarr"), zarr.WithChunks(2, 2))
	src.Close()

	nan := []byte{0x7f, 0xf8, 0, 0, 0, 0, 0, 0} // NumPy's NaN, big-endian
	dst, _ := zarr.Create(filepath.Join(dir, "y.zarr"), ">f8", a.Shape(), a.ChunkShape(),
		zarr.WithFortranOrder(true), zarr.WithFill(nan))
	sink, err := dst.Sink()
	if err != nil {
		fmt.Println(err)
		return
	}
	err = compute.TransformChunks(context.Background(), sink, a, func(d, s []float64) {
		for i, v := range s {
			d[i] = v*2 + 1
		}
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := dst.ReadRegion([]int{3, 1}, []int{2, 2}, nil)
	f, _ := mmarray.OpenRawBytes("region", b, mmarray.ReadOnly, dst.Descr(), []int{2, 2})
	v, _ := mmarray.View[float64](f)
	fmt.Println(v.At(0, 0), v.At(1, 1))

	// The edge chunk (2, 1) holds row 4 and column 2: the rest is the fill.
	var s compute.ChunkScratch
	chunk, _ := dst.OpenChunk([]int{2, 1}, &s)
	c, _ := mmarray.View[float64](chunk)
	fmt.Println(chunk.FortranOrder(), c.At(0, 0), c.At(0, 1), c.At(1, 0))
	chunk.Close()
	// Output:
	// 63 85
	// true 85 NaN NaN
}
