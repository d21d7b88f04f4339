package compute

import (
	"context"
	"slices"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/mmarray"
)

// Ranked is what TopK and BottomK return: the elements chosen, first the
// one ranked first, and the flat C-order index in the view of each.
type Ranked[T Real] struct {
	Values  []T
	Indices []int
}

// TopK returns the k largest elements of the view with their flat C-order
// indices, largest first; of equal elements the one with the smaller index
// ranks first. NaN ranks above every number, as np.sort places it after
// every number: TopK returns NaNs first, as np.argsort(a)[::-1] would (but
// with ties in index order). k larger than the view's length returns every
// element; a negative k panics.
//
// Each chunk keeps its own k best in a heap, and the chunks' heaps are
// merged in chunk order; the ranking is total (ties broken by index), so
// the result does not depend on the number of workers. Memory: the result,
// plus min(k, 65536) items of 16 bytes per chunk in flight, as many chunks
// as fit in a quarter of the memory budget and 64 MiB, and at least one.
func TopK[T Real](ctx context.Context, a *mmarray.Array[T], k int, opts ...Option) (Ranked[T], error) {
	if k < 0 {
		misuse.Panicf("compute: TopK(%d): k must not be negative", k)
	}
	return rank(ctx, a, k, true, opts)
}

// BottomK returns the k smallest elements of the view with their flat
// C-order indices, smallest first, with TopK's rules: ties in index order,
// NaN above every number (so BottomK returns NaNs only after every number,
// as np.argsort(a, kind="stable")[:k] does), k larger than the view's
// length returns every element, a negative k panics.
func BottomK[T Real](ctx context.Context, a *mmarray.Array[T], k int, opts ...Option) (Ranked[T], error) {
	if k < 0 {
		misuse.Panicf("compute: BottomK(%d): k must not be negative", k)
	}
	return rank(ctx, a, k, false, opts)
}

func rank[T Real](ctx context.Context, a *mmarray.Array[T], k int, largest bool, opts []Option) (Ranked[T], error) {
	switch familyOf[T]() {
	case signedFamily:
		return rankAs[T, int64](ctx, a, k, largest, opts)
	case unsignedFamily:
		return rankAs[T, uint64](ctx, a, k, largest, opts)
	}
	return rankAs[T, float64](ctx, a, k, largest, opts)
}

func rankAs[T Real, K kernelType](ctx context.Context, a *mmarray.Array[T], k int, largest bool, opts []Option) (Ranked[T], error) {
	k = min(k, a.Len())
	total := rankHeap[K]{k: k, largest: largest}
	if k == 0 {
		return Ranked[T]{Values: []T{}, Indices: []int{}}, ctx.Err()
	}
	total.items = make([]rankItem[K], 0, k)
	perChunk := min(k, chunkLen)
	cfg := boundWave(newConfig(opts), a, int64(perChunk)*int64(sizeOf(rankItem[K]{})))
	err := reduceChunks(ctx, a, cfg, cOrder,
		func(p *rankHeap[K], start int, xs []K) {
			if p.items == nil {
				*p = rankHeap[K]{items: make([]rankItem[K], 0, perChunk), k: k, largest: largest}
			}
			p.scan(start, xs)
		},
		func(p rankHeap[K]) {
			for _, it := range p.items {
				total.offer(it)
			}
		})
	if err != nil {
		return Ranked[T]{}, err
	}
	slices.SortFunc(total.items, func(x, y rankItem[K]) int {
		if total.beats(x, y) {
			return -1
		}
		return 1 // items are never equal: their indices differ
	})
	r := Ranked[T]{Values: make([]T, len(total.items)), Indices: make([]int, len(total.items))}
	for i, it := range total.items {
		r.Values[i], r.Indices[i] = fromKernel[T](it.v), it.i
	}
	return r, nil
}

// rankItem is an element and its flat index.
type rankItem[K kernelType] struct {
	v K
	i int
}

// rankHeap keeps the k best items offered to it (the largest, or the
// smallest), in a binary heap whose root is the worst of them, the first
// to go when a better one comes.
type rankHeap[K kernelType] struct {
	items   []rankItem[K]
	k       int
	largest bool
}

// beats reports whether x ranks before y: larger (or smaller, for the
// smallest), NaN being larger than every number, and of equal values the
// smaller index.
func (h *rankHeap[K]) beats(x, y rankItem[K]) bool {
	xNaN, yNaN := x.v != x.v, y.v != y.v
	switch {
	case xNaN && yNaN:
		return x.i < y.i
	case xNaN:
		return h.largest
	case yNaN:
		return !h.largest
	case x.v != y.v:
		return x.v > y.v == h.largest
	}
	return x.i < y.i
}

// offer adds it if the heap is not full or it beats the worst item.
func (h *rankHeap[K]) offer(it rankItem[K]) {
	if len(h.items) < h.k {
		h.items = append(h.items, it)
		h.up(len(h.items) - 1)
	} else if h.beats(it, h.items[0]) {
		h.items[0] = it
		h.down(0)
	}
}

// scan offers the elements xs, at flat indices start, start+1, ...,
// which are above every index the heap holds: an element equal to the
// worst item loses to it, so only a strictly better value (or a NaN over
// a number, for the largest) replaces it. The tests for NaN are false for
// integers.
func (h *rankHeap[K]) scan(start int, xs []K) {
	i := 0
	for ; i < len(xs) && len(h.items) < h.k; i++ {
		h.offer(rankItem[K]{xs[i], start + i})
	}
	if i == len(xs) {
		return
	}
	worst := h.items[0].v
	if h.largest {
		for j := i; j < len(xs); j++ {
			if x := xs[j]; x > worst || x != x && worst == worst {
				h.items[0] = rankItem[K]{x, start + j}
				h.down(0)
				worst = h.items[0].v
			}
		}
		return
	}
	for j := i; j < len(xs); j++ {
		if x := xs[j]; x < worst || worst != worst && x == x {
			h.items[0] = rankItem[K]{x, start + j}
			h.down(0)
			worst = h.items[0].v
		}
	}
}

// up moves item j towards the root while it is worse than its parent.
func (h *rankHeap[K]) up(j int) {
	for j > 0 {
		parent := (j - 1) / 2
		if !h.beats(h.items[parent], h.items[j]) {
			return
		}
		h.items[parent], h.items[j] = h.items[j], h.items[parent]
		j = parent
	}
}

// down moves item j away from the root while a child is worse than it.
func (h *rankHeap[K]) down(j int) {
	n := len(h.items)
	for {
		worst := j
		for _, c := range [2]int{2*j + 1, 2*j + 2} {
			if c < n && h.beats(h.items[worst], h.items[c]) {
				worst = c
			}
		}
		if worst == j {
			return
		}
		h.items[worst], h.items[j] = h.items[j], h.items[worst]
		j = worst
	}
}
