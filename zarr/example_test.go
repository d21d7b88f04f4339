package zarr_test

import (
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
