package compute

import (
	"context"

	"github.com/go-memmap/memmap/internal/misuse"
)

// TopKChunks is TopK over a chunked array (see the package documentation,
// Chunked stores): the k largest elements, largest first, with their flat
// C-order indices in the whole array, ties to the smaller index and NaN
// above every number, whatever the chunks. T must be the element type of
// src.Descr(), else the error wraps mmarray.ErrDTypeMismatch; a negative k
// panics.
func TopKChunks[T Real](ctx context.Context, src ChunkSource, k int, opts ...Option) (Ranked[T], error) {
	if k < 0 {
		misuse.Panicf("compute: TopKChunks(%d): k must not be negative", k)
	}
	return rankChunks[T](ctx, src, k, true, opts)
}

// BottomKChunks is BottomK over a chunked array, as TopKChunks: the k
// smallest elements, smallest first.
func BottomKChunks[T Real](ctx context.Context, src ChunkSource, k int, opts ...Option) (Ranked[T], error) {
	if k < 0 {
		misuse.Panicf("compute: BottomKChunks(%d): k must not be negative", k)
	}
	return rankChunks[T](ctx, src, k, false, opts)
}

func rankChunks[T Real](ctx context.Context, src ChunkSource, k int, largest bool, opts []Option) (Ranked[T], error) {
	switch familyOf[T]() {
	case signedFamily:
		return rankChunksAs[T, int64](ctx, src, k, largest, opts)
	case unsignedFamily:
		return rankChunksAs[T, uint64](ctx, src, k, largest, opts)
	}
	return rankChunksAs[T, float64](ctx, src, k, largest, opts)
}

// rankChunksAs is rankAs over the chunks: each chunk keeps its k best in a
// rankBuffer, fed in the array's C order run by run (a chunk's runs come in
// increasing flat order, as scan needs), and the chunks' k best are offered
// to the total in grid order; the ranking breaks ties by index, so the
// order the chunks come in does not change the result.
func rankChunksAs[T Real, K kernelType](ctx context.Context, src ChunkSource, k int, largest bool, opts []Option) (Ranked[T], error) {
	cfg := newConfig(opts)
	p, err := planChunks[T](src, &cfg)
	if err != nil {
		return Ranked[T]{}, err
	}
	n := 1
	for _, d := range p.shape {
		n *= d
	}
	k = min(k, n)
	if k == 0 {
		return Ranked[T]{Values: []T{}, Indices: []int{}}, ctx.Err()
	}
	perChunk := min(k, p.chunkElems)
	chunkCap := perChunk + min(max(3*perChunk, 1024), p.chunkElems)
	total := newRankBuffer[K](k, k+max(k, 1024), largest)
	kernel, fold := chunkRanker(perChunk, chunkCap, largest, &total)
	err = reduceSourcePlanned[T](ctx, src, cfg, &p, int64(chunkCap)*int64(sizeOf(rankItem[K]{})), cOrder, kernel, fold)
	if err != nil {
		return Ranked[T]{}, err
	}
	return rankedOf[T](&total), nil
}
