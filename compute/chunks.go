package compute

import "github.com/go-memmap/memmap/mmarray"

// ChunkSource is an array stored as a regular grid of chunks read one at a
// time (a Zarr array). Package zarr's arrays satisfy it; compute reduces any
// ChunkSource without importing the store that holds it.
type ChunkSource interface {
	Shape() []int      // the array's shape
	ChunkShape() []int // the grid's chunk shape (edge chunks are stored whole, as Zarr stores them)
	Descr() string     // NumPy descr of the elements, e.g. "<f8"
	// OpenChunk opens the chunk at grid coordinates idx as a read-only
	// *mmarray.File of ChunkShape, in the order it is stored (C or
	// Fortran): mapped in place where the chunk is stored uncompressed,
	// else decoded into s.Data (grown when too small; the File keeps using
	// it until closed); a missing chunk reads as the fill value. The
	// caller closes the File before using s again.
	OpenChunk(idx []int, s *ChunkScratch) (*mmarray.File, error)
}

// ChunkScratch is one worker's reusable buffers for OpenChunk; the zero
// value is ready.
type ChunkScratch struct{ Data, Stored []byte }
