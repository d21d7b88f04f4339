package compute

import (
	"context"
	"fmt"
	"slices"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// GroupByChunks is GroupBy over chunked arrays (see the package
// documentation, Chunked stores): values aggregated by keys, two arrays of
// one shape stored in one grid of chunks (two Zarr arrays written
// together), read chunk by chunk in step. Rows are the arrays' elements,
// in the grid's order and each chunk's C order. Key and V must be the
// element types of the sources' dtypes, else the error wraps
// mmarray.ErrDTypeMismatch; sources of different shapes or grids panic
// with a *memmap.Misuse.
//
// Each chunk is aggregated into a hash table of its own, and the chunks'
// tables are merged in grid order (spilled beyond half the memory budget,
// as GroupBy's), so the result is the same whatever the number of
// workers. A chunk counts its keys' and its values' bytes, stored and
// decoded, and its table, in the half of the budget the walk has.
func GroupByChunks[Key GroupKey, V Real](ctx context.Context, keys, values ChunkSource, opts ...Option) (*Groups[Key, V], error) {
	if !slices.Equal(keys.Shape(), values.Shape()) || !slices.Equal(keys.ChunkShape(), values.ChunkShape()) {
		misuse.Panicf("compute: GroupByChunks: keys of shape %v in chunks of %v and values of shape %v in chunks of %v: they must have one shape and one grid",
			keys.Shape(), keys.ChunkShape(), values.Shape(), values.ChunkShape())
	}
	switch familyOf[V]() {
	case signedFamily:
		return groupChunksAs[Key, V, int64](ctx, keys, values, opts)
	case unsignedFamily:
		return groupChunksAs[Key, V, uint64](ctx, keys, values, opts)
	}
	return groupChunksAs[Key, V, float64](ctx, keys, values, opts)
}

func groupChunksAs[Key GroupKey, V Real, K kernelType](ctx context.Context, keys, values ChunkSource, opts []Option) (*Groups[Key, V], error) {
	// The words of keys as GroupBy packs them: signed keys with the sign
	// bit flipped, so that the words sort as the keys.
	if familyOf[Key]() == signedFamily {
		return groupChunksWith[Key, V, K, int64](ctx, keys, values, 1<<63,
			func(w []uint64) Key { return fromKernel[Key](int64(w[0] ^ 1<<63)) }, opts)
	}
	return groupChunksWith[Key, V, K, uint64](ctx, keys, values, 0, func(w []uint64) Key { return fromKernel[Key](w[0]) }, opts)
}

func groupChunksWith[Key GroupKey, V Real, K kernelType, W int64 | uint64](ctx context.Context, keys, values ChunkSource, flip uint64,
	decode func([]uint64) Key, opts []Option) (*Groups[Key, V], error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	keyDType, err := npyheader.ParseDescr(keys.Descr())
	if err != nil {
		return nil, fmt.Errorf("group by keys of dtype %q: %w", keys.Descr(), err)
	}
	if err := checkElement[Key](keys); err != nil {
		return nil, err
	}
	valueDType, err := npyheader.ParseDescr(values.Descr())
	if err != nil {
		return nil, fmt.Errorf("group values of dtype %q: %w", values.Descr(), err)
	}
	cfg := newConfig(opts)
	p, err := planChunks[V](values, &cfg, keys)
	if err != nil {
		return nil, err
	}
	// Half the budget is the merged table's, half the walk's: the chunks
	// in flight, stored and decoded, and their tables.
	budget := cfg.memory
	// chunkTableBytes bounds a table of chunkLen rows' groups; a store's
	// chunk may hold many more rows, each of which may be a group.
	tableBytes := chunkTableBytes(1) * int64((p.chunkElems+chunkLen-1)/chunkLen)
	p.inFlight = int(max(1, min(int64(cfg.workers), (budget-budget/2)/(2*p.chunkBytes+tableBytes))))
	cfg.waveLen = groupWaveLen * p.inFlight
	agg := newGroupAggregator[K](1, budget/2, cfg.group.spillDir)
	defer agg.close()

	spec := groupSpec{words: 1}
	extremes := cfg.group.aggregates.extremes()
	widen := widenerFor[V, K]()
	loaders := make([]*intKeys[Key, W], p.inFlight)
	bufs, kbufs := make([][]V, p.inFlight), make([][]K, p.inFlight)
	for g := range loaders {
		loaders[g] = newIntKeys[Key, W](nil, flip)
		bufs[g], kbufs[g] = make([]V, stageLen), make([]K, stageLen)
	}
	var (
		spare   groupChunks[K]
		dropped int64
	)
	err = walkSource(ctx, values, &p, cfg, tableBytes, func(g int, v *mmarray.Array[V], cur *chunkCursor, part **groupChunk[K]) error {
		kf, kv, err := openView[Key](keys, &p, cur, &cur.along)
		if err != nil {
			return fmt.Errorf("keys chunk %v of a chunked array of shape %v: %w", cur.idx, p.shape, err)
		}
		defer kf.Close()
		c := spare.get(func() *groupChunk[K] { return newGroupChunk[K](1, nil, extremes) })
		loaders[g].setView(kv)
		c.loader = loaders[g]
		*part = c
		for start, block := range v.BlocksRange(0, v.Len(), bufs[g]) {
			for len(block) > 0 {
				piece, rest := widen(block, kbufs[g])
				c.add(start, piece, spec)
				start += len(block) - len(rest)
				block = rest
			}
		}
		c.loader = nil
		loaders[g].setView(nil)
		if err := kf.Close(); err != nil {
			return fmt.Errorf("closing keys chunk %v of a chunked array of shape %v: %w", cur.idx, p.shape, err)
		}
		return nil
	}, func(c *groupChunk[K]) { dropped += spare.fold(c, agg, cancel) })
	res, dropped, err := finishGroups(agg, dropped, err)
	if err != nil {
		return nil, err
	}
	return groupsOf[Key, V](res, dropped, 1, decode, keyDType, valueDType, cfg.group.aggregates), nil
}
