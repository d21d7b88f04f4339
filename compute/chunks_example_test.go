package compute_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// rowChunks is a ChunkSource over a float64 matrix in memory, stored in
// chunks of whole rows that OpenChunk "decodes" into the worker's scratch
// buffer as an .npy image: a stand-in for a compressed Zarr array. The
// last chunk is stored whole, its rows past the matrix zero.
type rowChunks struct {
	rows      [][]float64
	chunkRows int
}

func (r rowChunks) Shape() []int      { return []int{len(r.rows), len(r.rows[0])} }
func (r rowChunks) ChunkShape() []int { return []int{r.chunkRows, len(r.rows[0])} }
func (r rowChunks) Descr() string     { return "<f8" }

func (r rowChunks) OpenChunk(idx []int, s *compute.ChunkScratch) (*mmarray.File, error) {
	dt, err := npyheader.ParseDescr(r.Descr())
	if err != nil {
		return nil, err
	}
	header, err := npyheader.Header{DType: dt, Shape: r.ChunkShape()}.Encode()
	if err != nil {
		return nil, err
	}
	s.Data = append(s.Data[:0], header...)
	for i := range r.chunkRows {
		for j := range len(r.rows[0]) {
			x := 0.0
			if row := idx[0]*r.chunkRows + i; row < len(r.rows) {
				x = r.rows[row][j]
			}
			s.Data = binary.LittleEndian.AppendUint64(s.Data, math.Float64bits(x))
		}
	}
	return mmarray.OpenBytes(fmt.Sprintf("chunk %v", idx), s.Data, mmarray.ReadOnly)
}

func ExampleDescribeChunks() {
	ctx := context.Background()
	src := rowChunks{chunkRows: 2, rows: [][]float64{
		{1, 10, -5},
		{2, 20, 7},
		{3, 30, 7},
		{4, math.NaN(), 0},
		{5, 50, 1},
	}}
	s, err := compute.DescribeChunks[float64](ctx, src, compute.WithWorkers(2))
	if err != nil {
		panic(err)
	}
	fmt.Printf("count %d, NaNs %d, min %g at %d, max %g at %d\n", s.Count, s.NaNCount, s.Min, s.ArgMin, s.Max, s.ArgMax)

	cols, err := compute.MeanAxisChunks[float64](ctx, src, 0)
	if err != nil {
		panic(err)
	}
	fmt.Println("column means:", cols.Shape, cols.Values)

	top, err := compute.TopKChunks[float64](ctx, src, 2)
	if err != nil {
		panic(err)
	}
	fmt.Println("top 2:", top.Values, top.Indices)
	// Output:
	// count 14, NaNs 1, min -5 at 2, max 50 at 13
	// column means: [3] [3 NaN 2]
	// top 2: [NaN 50] [10 13]
}
