package compute

import (
	"context"
	"math"
	"math/bits"
	"slices"
	"sync"

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
// Each chunk keeps its own k best, and the chunks' k best are merged in
// chunk order; the ranking is total (ties broken by index), so the result
// does not depend on the number of workers. An element is compared with
// the worst of the k best so far and, if it beats it, appended to a buffer
// of candidates, which, when full, is cut to its k best by a selection:
// an element costs a comparison and a bounded share of a selection
// whatever the order of the elements. A chunk's first threshold is the
// k-th best of a sample of the first piece it is read in (the whole chunk
// of a contiguous float64, int64 or uint64 view; 4096 elements where they
// are converted or gathered): every s-th element, s the least power of
// two from 16 on that lets the sample fit in the candidate buffer (64 for
// a k of 100 and a chunk of 65536), when the sample has at least 2k
// elements. The chunk's k best cannot be worse, and on ascending input
// about k·s elements of a chunk become candidates rather than every one.
// A float64 piece that looks best at its end (the best of 32 elements
// spread over its last quarter beats that of its first) is read from its
// end instead, a block at a time until the buffer first fills, then from
// its start: on ascending input its first threshold is then its k-th best
// itself, and the rest of it takes the filter's time alone.
// Memory: the result and a merge buffer of k+max(k, 1024) items of 16
// bytes, plus m+min(max(3m, 1024), 65536) such items per chunk in flight,
// where m is min(k, 65536), as many chunks as fit in a quarter of the
// memory budget and 64 MiB, and at least one.
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
	if k == 0 {
		return Ranked[T]{Values: []T{}, Indices: []int{}}, ctx.Err()
	}
	// A chunk offers at most chunkLen elements: a larger buffer would
	// never fill. The merge's buffer holds as many candidates as it keeps,
	// so that each selection, linear in the buffer's length, comes after
	// at least k offers even for a k of millions.
	perChunk := min(k, chunkLen)
	chunkCap := perChunk + min(max(3*perChunk, 1024), chunkLen)
	total := newRankBuffer[K](k, k+max(k, 1024), largest)
	cfg := boundWave(newConfig(opts), a, int64(chunkCap)*int64(sizeOf(rankItem[K]{})))
	kernel, fold := chunkRanker(perChunk, chunkCap, largest, &total)
	if err := reduceChunks(ctx, a, cfg, cOrder, kernel, fold); err != nil {
		return Ranked[T]{}, err
	}
	return rankedOf[T](&total), nil
}

// chunkRanker returns the kernel that keeps a chunk's perChunk best in a
// rankBuffer of chunkCap items and the fold that offers them to total.
// A chunk's buffer goes back to spares once the chunk is merged, for a
// later chunk: a buffer per chunk would be garbage at the rate of the
// scan, and the heap the collector lets grow around it (several times
// larger under the race detector) would count in the process's memory
// beside the budget.
func chunkRanker[K kernelType](perChunk, chunkCap int, largest bool, total *rankBuffer[K]) (func(p *rankBuffer[K], start int, xs []K), func(rankBuffer[K])) {
	var spares sync.Pool
	kernel := func(p *rankBuffer[K], start int, xs []K) {
		if p.items == nil {
			if spare, ok := spares.Get().(*[]rankItem[K]); ok {
				*p = rankBuffer[K]{items: (*spare)[:0], k: perChunk, largest: largest}
			} else {
				*p = newRankBuffer[K](perChunk, chunkCap, largest)
			}
		}
		p.scan(start, xs)
	}
	fold := func(p rankBuffer[K]) {
		for _, it := range p.best() {
			total.offer(it)
		}
		if p.items != nil {
			spare := p.items[:0]
			spares.Put(&spare)
		}
	}
	return kernel, fold
}

// rankedOf is the result of the merged buffer total: its best items,
// ranked.
func rankedOf[T Real, K kernelType](total *rankBuffer[K]) Ranked[T] {
	best := total.best()
	slices.SortFunc(best, func(x, y rankItem[K]) int {
		if total.beats(x, y) {
			return -1
		}
		return 1 // items are never equal: their indices differ
	})
	r := Ranked[T]{Values: make([]T, len(best)), Indices: make([]int, len(best))}
	for i, it := range best {
		r.Values[i], r.Indices[i] = fromKernel[T](it.v), it.i
	}
	return r
}

// rankItem is an element and its flat index.
type rankItem[K kernelType] struct {
	v K
	i int
}

// rankBuffer keeps the k best items offered to it (the largest, or the
// smallest) among candidates: once it has seen k items, only those that
// beat the worst of its k best so far, the threshold, are appended, and
// when the buffer is full a selection keeps its k best and raises the
// threshold. Each item is compared once on its way in, and a selection,
// linear in the buffer's length, comes after at least as many appends as
// the buffer has room beyond k: whatever the order of the items (ascending
// ones all beat the threshold), the cost per item is bounded.
type rankBuffer[K kernelType] struct {
	items   []rankItem[K] // the candidates; cap is the buffer's length
	k       int
	largest bool
	// bounded is whether threshold is the worst of the k best items
	// offered so far; before the buffer first fills, every item is kept.
	bounded   bool
	threshold rankItem[K]
}

// newRankBuffer returns an empty buffer that keeps k best items in a
// buffer of capacity items, which must be larger than k.
func newRankBuffer[K kernelType](k, capacity int, largest bool) rankBuffer[K] {
	return rankBuffer[K]{items: make([]rankItem[K], 0, capacity), k: k, largest: largest}
}

// beats reports whether x ranks before y: larger (or smaller, for the
// smallest), NaN being larger than every number, and of equal values the
// smaller index.
func (h *rankBuffer[K]) beats(x, y rankItem[K]) bool {
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

// offer adds it to the candidates if it beats the threshold (or no item
// has been dropped yet).
func (h *rankBuffer[K]) offer(it rankItem[K]) {
	if h.bounded && !h.beats(it, h.threshold) {
		return
	}
	h.items = append(h.items, it)
	if len(h.items) == cap(h.items) {
		h.keepBest()
	}
}

// seedStride is the least distance between the elements of a piece whose
// k-th best seeds the threshold: about k times the distance elements of a
// piece in ascending order become candidates, for a selection over
// the sampled ones.
const seedStride = 16

// seed sets a first threshold, before any selection has, from the k-th
// best of every stride-th element of xs (at flat indices start, ...), the
// stride the least power of two from seedStride on that lets the sample fit in
// the free part of the buffer, where it is selected (a larger buffer
// would cost more to allocate and fill than it saves), if the sample has
// at least 2k elements (fewer would let most elements through). That k-th
// best, t, is never better than the k-th best of the piece (k sampled elements are at least as good as t), so every element
// among the k best is at least as good as t: the threshold is the value
// just worse than t, which an element must beat as scan's loops require,
// and ties with t stay candidates whatever their index. A NaN t (a
// sample whose k best are NaNs, or, for the smallest, with fewer than k
// numbers) or a t with no value just worse (the smallest value of K, or
// for the smallest, the largest) leaves the threshold unset.
func (h *rankBuffer[K]) seed(start int, xs []K) {
	free := max(1, cap(h.items)-len(h.items))
	// A power of two, so that sampled elements stay on one stride of 16
	// (as the tests expect) whatever the buffer's size.
	stride := 1 << bits.Len(uint(max(seedStride, (len(xs)+free-1)/free)-1))
	n := len(xs) / stride
	if n < 2*h.k || n > cap(h.items)-len(h.items) {
		return
	}
	sample := h.items[len(h.items) : len(h.items)+n]
	for i := range sample {
		j := i * stride
		sample[i] = rankItem[K]{xs[j], start + j}
	}
	h.selectBest(sample, h.k)
	t := sample[h.k-1].v
	if t != t {
		return
	}
	var worse K
	switch v := any(t).(type) {
	case float64:
		w := math.Nextafter(v, math.Inf(1))
		if h.largest {
			w = math.Nextafter(v, math.Inf(-1))
		}
		if w == v { // an infinity with nothing beyond it
			return
		}
		worse = K(w)
	default: // an integer, with wraparound at either end
		worse = t + 1
		if h.largest {
			worse = t - 1
		}
		if h.largest && worse > t || !h.largest && worse < t {
			return
		}
	}
	// The index is below every element's, so that one equal to the
	// threshold loses to it, as in scan's loops.
	h.threshold, h.bounded = rankItem[K]{worse, -1}, true
}

// scan offers the elements xs, at flat indices start, start+1, ...,
// which are above every index the buffer holds: an element equal to the
// threshold loses to it, so only a strictly better value (or a NaN over
// a number, for the largest) is a candidate. The tests for NaN are false
// for integers. The loops call nothing per element: the selection runs
// once per buffer's worth of candidates.
func (h *rankBuffer[K]) scan(start int, xs []K) {
	if !h.bounded {
		if floats, ok := any(xs).([]float64); ok && hasAVX2 && h.bestAtEnd(xs) {
			h.scanFromEnd(start, xs, floats)
			return
		}
		h.seed(start, xs)
	}
	j := 0
	for !h.bounded && j < len(xs) {
		room := min(cap(h.items)-len(h.items), len(xs)-j)
		for i, x := range xs[j : j+room] {
			h.items = append(h.items, rankItem[K]{x, start + j + i})
		}
		j += room
		if len(h.items) == cap(h.items) {
			h.keepBest()
		}
	}
	if j == len(xs) {
		return
	}
	buf, n, worst := h.items[:cap(h.items)], len(h.items), h.threshold.v
	// floats is xs where the assembly filter can skip groups of eight
	// elements none of which is a candidate (it flags NaNs either way,
	// for the loops below to decide).
	floats, _ := any(xs).([]float64)
	fast := hasAVX2 && floats != nil
	for j < len(xs) {
		end := len(xs)
		if fast {
			var skip int
			if h.largest {
				skip = groupAboveAVX2(floats[j:], float64(worst))
			} else {
				skip = groupBelowAVX2(floats[j:], float64(worst))
			}
			j += skip
			end = min(len(xs), j+8) // the group flagged, or the tail
		}
		if h.largest {
			for ; j < end; j++ {
				if x := xs[j]; x > worst || x != x && worst == worst {
					buf[n] = rankItem[K]{x, start + j}
					if n++; n == len(buf) {
						h.items = buf
						h.keepBest()
						n, worst = len(h.items), h.threshold.v
					}
				}
			}
		} else {
			for ; j < end; j++ {
				if x := xs[j]; x < worst || worst != worst && x == x {
					buf[n] = rankItem[K]{x, start + j}
					if n++; n == len(buf) {
						h.items = buf
						h.keepBest()
						n, worst = len(h.items), h.threshold.v
					}
				}
			}
		}
	}
	h.items = buf[:n]
}

// endProbe is how many elements of each end of a piece bestAtEnd
// compares, spread over the end's quarter.
const endProbe = 32

// bestAtEnd reports whether the piece xs looks best at its end: the best
// of endProbe elements spread over its last quarter beats the best of as
// many over its first. Ascending values (for the largest) are, and a scan
// from the end finds the k best at once, where one from the start would
// take every element as a candidate, each better than the last.
func (h *rankBuffer[K]) bestAtEnd(xs []K) bool {
	quarter := len(xs) / 4
	if quarter < endProbe || quarter < 2*h.k {
		return false
	}
	step := quarter / endProbe
	first, last := rankItem[K]{xs[0], 0}, rankItem[K]{xs[len(xs)-1], len(xs) - 1}
	for i := 0; i < quarter; i += step {
		if it := (rankItem[K]{xs[i], i}); h.beats(it, first) {
			first = it
		}
		if j := len(xs) - 1 - i; h.beats(rankItem[K]{xs[j], j}, last) {
			last = rankItem[K]{xs[j], j}
		}
	}
	return last.v != first.v && h.beats(last, first)
}

// backBlock is the span scanFromEnd moves back by until the buffer
// first fills.
const backBlock = 512

// scanFromEnd is scan of a piece that bestAtEnd chose: its last blocks of
// backBlock elements, the last first, go to the buffer until it fills and
// has a threshold, then the rest of the piece from its start (in the order
// memory is best read in). Elements then come in no order of index, so an
// element equal to the threshold is compared by index too (offer), and
// the assembly filter over float64 xs (the same as floats) flags elements
// at least as good as the threshold, not only better ones; where no
// float64 lies just past the threshold (an infinite or NaN one), every
// element is compared.
func (h *rankBuffer[K]) scanFromEnd(start int, xs []K, floats []float64) {
	hi := len(xs)
	for hi > 0 && !h.bounded {
		lo := max(0, hi-backBlock)
		for i, x := range xs[lo:hi] {
			h.offer(rankItem[K]{x, start + lo + i})
		}
		hi = lo
	}
	for j := 0; j < hi; {
		end := hi
		if bound, ok := h.filterBound(); ok {
			if h.largest {
				j += groupAboveAVX2(floats[j:hi], bound)
			} else {
				j += groupBelowAVX2(floats[j:hi], bound)
			}
			end = min(hi, j+8) // the group flagged, or the tail
		}
		for ; j < end; j++ {
			h.offer(rankItem[K]{xs[j], start + j})
		}
	}
}

// filterBound is the value the assembly filter compares with so that it
// flags every element that ties or beats the threshold: the float64 just
// worse than it. ok is false where there is none (an infinite or NaN
// threshold).
func (h *rankBuffer[K]) filterBound() (bound float64, ok bool) {
	t := float64(h.threshold.v)
	if math.IsInf(t, 0) || t != t {
		return 0, false
	}
	if h.largest {
		return math.Nextafter(t, math.Inf(-1)), true
	}
	return math.Nextafter(t, math.Inf(1)), true
}

// best returns the k best items offered (all of them if fewer), in no
// particular order.
func (h *rankBuffer[K]) best() []rankItem[K] {
	if len(h.items) > h.k {
		h.keepBest()
	}
	return h.items
}

// keepBest cuts the candidates, more than k, to their k best and makes the
// worst of these the threshold.
func (h *rankBuffer[K]) keepBest() {
	h.selectBest(h.items, h.k)
	h.items = h.items[:h.k]
	h.threshold, h.bounded = h.items[h.k-1], true
}

// selectBest reorders items so that its first k are the k best, the k-th
// best last of them (k ≥ 1): a quickselect on the median of three, which
// sorts what is left once it has partitioned four times the length
// of items (an adversarial order), keeping the time O(n log n) at worst.
func (h *rankBuffer[K]) selectBest(items []rankItem[K], k int) {
	lo, hi, budget := 0, len(items), 4*len(items)
	for hi-lo > 1 {
		if budget < 0 {
			slices.SortFunc(items[lo:hi], func(x, y rankItem[K]) int {
				if h.beats(x, y) {
					return -1
				}
				return 1
			})
			return
		}
		budget -= hi - lo
		p := h.partition(items[lo:hi]) + lo
		switch {
		case p == k-1:
			return
		case p < k-1:
			lo = p + 1
		default:
			hi = p
		}
	}
}

// partition moves the median of the first, middle and last items to the
// place it ranks among items, the ones that beat it before it, and
// returns that place.
func (h *rankBuffer[K]) partition(items []rankItem[K]) int {
	last := len(items) - 1
	a, b, c := 0, last/2, last
	if h.beats(items[b], items[a]) {
		a, b = b, a
	}
	if h.beats(items[c], items[b]) {
		b = c
		if h.beats(items[b], items[a]) {
			b = a
		}
	}
	items[b], items[last] = items[last], items[b]
	pivot, store := items[last], 0
	if pv, pi := pivot.v, pivot.i; pv == pv {
		// A number as the pivot: beats written as flags, and every item
		// swapped with the store whether it moves or not, so that the
		// loop has no branch to mispredict (half of them would be, in a
		// partition's nature). An item beats the pivot by its value, by
		// being NaN (for the largest only), or by its index on a tie.
		if h.largest {
			for i := range last {
				x := items[i]
				beats := flag(x.v > pv) | flag(x.v != x.v) | flag(x.v == pv)&flag(x.i < pi)
				items[i] = items[store]
				items[store] = x
				store += beats
			}
		} else {
			for i := range last {
				x := items[i]
				beats := flag(x.v < pv) | flag(x.v == pv)&flag(x.i < pi)
				items[i] = items[store]
				items[store] = x
				store += beats
			}
		}
	} else {
		for i := range last {
			if h.beats(items[i], pivot) {
				items[i], items[store] = items[store], items[i]
				store++
			}
		}
	}
	items[store], items[last] = items[last], items[store]
	return store
}

// flag is 1 for true and 0 for false, without a branch.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}
