package compute

import (
	"context"
	"fmt"
	"slices"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/mmarray"
)

// ChunkSink receives the chunks of a result stored in a grid of chunks (a
// Zarr array being written: package zarr's Array.Sink gives one for any
// array, in either order and byte order and with any fill value).
type ChunkSink interface {
	// WriteChunk stores the chunk at grid coordinates idx: data holds the
	// whole chunk's elements in C order, in the machine's byte order,
	// those past the array's bounds in an edge chunk zero. It is called
	// once per chunk, from several goroutines at once for different
	// chunks and in no particular order; data is valid only during the
	// call.
	WriteChunk(idx []int, data []byte) error
}

// TransformChunks stores kernel's results over the elements of a chunked
// array in dst, chunk by chunk in the source's grid (see the package
// documentation, Chunked stores): for every block of a chunk, kernel gets
// the result's elements there (to overwrite) and the source's at the same
// positions, and must set every dst[i] from src[i], as Transform's kernel
// does. T must be the element type of src.Descr(), else the error wraps
// mmarray.ErrDTypeMismatch; the sink's array must be of U in the
// machine's byte order, with src's shape and chunks.
//
// Each worker holds a chunk of the source and one of the result (U's
// size per element, reused chunk after chunk); the chunks in flight are
// min(workers, budget / (2 × source chunk + result chunk)), and a source
// and result chunk larger than the budget together is an error wrapping
// memmap.ErrTooLarge. kernel runs on several goroutines at once, on
// different blocks, and must not keep a block; a nil kernel panics with a
// *memmap.Misuse. An error of WriteChunk is returned wrapped with the
// chunk's coordinates and stops the walk; chunks already written stay
// written, as they do when the context is cancelled. WithProgress counts
// the source's decoded bytes.
func TransformChunks[T, U Real](ctx context.Context, dst ChunkSink, src ChunkSource, kernel func(dst []U, src []T), opts ...Option) error {
	if kernel == nil {
		misuse.Panicf("compute: TransformChunks: nil kernel")
	}
	cfg := newConfig(opts)
	p, err := planChunks[T](src, &cfg)
	if err != nil {
		return err
	}
	var u U
	outBytes := int64(p.chunkElems) * int64(sizeOf(u))
	if p.count > 0 && p.chunkBytes+outBytes > cfg.memory {
		return fmt.Errorf("chunks of shape %v and their results hold %d bytes, more than the memory budget of %d: %w",
			p.chunk, p.chunkBytes+outBytes, cfg.memory, memmap.ErrTooLarge)
	}
	p.inFlight = int(max(1, min(int64(cfg.workers), cfg.memory/(2*p.chunkBytes+outBytes))))
	outs := make([][]U, p.inFlight)
	bufs := make([][]T, p.inFlight)
	origin := make([]int, len(p.chunk)) // a chunk's own, in its buffer
	for g := range outs {
		bufs[g] = make([]T, stageLen)
	}
	return walkSource(ctx, src, &p, cfg, 0, func(g int, v *mmarray.Array[T], cur *chunkCursor, _ *struct{}) error {
		if outs[g] == nil {
			outs[g] = make([]U, p.chunkElems)
		}
		out := outs[g]
		if !slices.Equal(cur.extent, p.chunk) {
			clear(out) // an edge chunk's elements past the array
		}
		// The source chunk's elements in C order of its extent, and
		// where each run of them lies in the whole chunk's C order.
		boxRuns(cur.extent, p.chunk, origin, func(lo, hi, at int) {
			for start, block := range v.BlocksRange(lo, hi, bufs[g]) {
				i := at + start - lo
				kernel(out[i:i+len(block)], block)
			}
		})
		if err := dst.WriteChunk(cur.idx, bytesOf(out)); err != nil {
			return fmt.Errorf("writing chunk %v of an array of shape %v: %w", cur.idx, p.shape, err)
		}
		return nil
	}, func(struct{}) {})
}
