package compute

import (
	"context"
	"fmt"
	"math"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/mmarray"
)

// Integer is the set of element types Bincount accepts: bool and the
// integers (Datetime64 and Timedelta64 among them, as their int64 counts).
type Integer interface {
	~bool | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Bincount counts the occurrences of each value of a view of non-negative
// integers, as np.bincount(a.ravel(), minlength=minlength): the result has
// max(largest value + 1, minlength) counts (minlength counts for an empty
// view). A negative value is an error wrapping ErrNegative. The result's
// length is read from the file, so it is bounded: the result and one
// chunk's counters (twice its size) must fit in the memory budget (see
// WithMemory; the default budget is chosen for their size), else the
// error wraps memmap.ErrTooLarge. A negative minlength panics.
//
// The view is read twice: once for its largest value, once to count.
func Bincount[T Integer](ctx context.Context, a *mmarray.Array[T], minlength int, opts ...Option) ([]int64, error) {
	if minlength < 0 {
		misuse.Panicf("compute: Bincount with minlength %d: minlength must not be negative", minlength)
	}
	cfg := newConfig(opts)
	if familyOf[T]() == signedFamily {
		return bincount[T, int64](ctx, a, minlength, cfg)
	}
	return bincount[T, uint64](ctx, a, minlength, cfg)
}

// BincountWeighted sums the weights of each value of a view of non-negative
// integers, as np.bincount(a.ravel(), weights.ravel(), minlength): the
// result's element i is the sum, in float64, of the weights at the
// positions (in C order) where a holds i. The sums are added in C order
// within each chunk and the chunks' sums in chunk order, so they are the
// same bit for bit whatever the number of workers. Errors are Bincount's;
// weights of another length than a's, or a negative minlength, panic.
func BincountWeighted[T Integer, W Real](ctx context.Context, a *mmarray.Array[T], weights *mmarray.Array[W], minlength int, opts ...Option) ([]float64, error) {
	if minlength < 0 {
		misuse.Panicf("compute: BincountWeighted with minlength %d: minlength must not be negative", minlength)
	}
	checkWeights("BincountWeighted", a, weights)
	cfg := newConfig(opts)
	if familyOf[T]() == signedFamily {
		return bincountWeighted[T, int64](ctx, a, weights, minlength, cfg)
	}
	return bincountWeighted[T, uint64](ctx, a, weights, minlength, cfg)
}

// bincountLen is the length of Bincount's result for a view of a with
// values in the range r: an error where a value is negative or the
// result and one chunk's partial, (length+1)*8 bytes each, would not fit
// in the memory budget.
func bincountLen[T Integer, K int64 | uint64](a *mmarray.Array[T], r keyRange[K], minlength int, cfg *config) (int, error) {
	// Beyond 2^40 bins no budget will do; the bound keeps the byte count
	// below from overflowing, and a length from overflowing an int on
	// 32-bit platforms.
	const most = min(1<<40, math.MaxInt)
	n := minlength
	if r.n > 0 {
		if r.min < 0 {
			return 0, fmt.Errorf("bincount of shape %v: value %v: %w", a.Shape(), r.min, ErrNegative)
		}
		if uint64(r.max) >= most {
			return 0, fmt.Errorf("bincount of shape %v: largest value %v: %w", a.Shape(), r.max, memmap.ErrTooLarge)
		}
		n = max(n, int(r.max)+1)
	}
	if n >= most {
		return 0, fmt.Errorf("bincount of shape %v: minlength %d: %w", a.Shape(), n, memmap.ErrTooLarge)
	}
	need := 2 * (int64(n) + 1) * 8
	_, viewBytes := a.ByteRange(0, a.Len())
	if budget := cfg.resolveMemory(viewBytes + need); need > budget {
		return 0, fmt.Errorf("bincount of shape %v: %d bins need %d bytes, more than the memory budget of %d: %w",
			a.Shape(), n, need, budget, memmap.ErrTooLarge)
	}
	return n, nil
}

// keyRange is the partial result of Bincount's first reading: how many
// values there are, and the smallest and largest.
type keyRange[K int64 | uint64] struct {
	n        int64
	min, max K
}

func (r *keyRange[K]) merge(o keyRange[K]) {
	switch {
	case o.n == 0:
		return
	case r.n == 0:
		*r = o
		return
	}
	r.n += o.n
	r.min, r.max = min(r.min, o.min), max(r.max, o.max)
}

// keyRangeOf reads the view's smallest and largest values, in storage
// order, with branch-free min and max (integers have no NaN to test).
func keyRangeOf[T Integer, K int64 | uint64](ctx context.Context, a *mmarray.Array[T], cfg config) (keyRange[K], error) {
	var r keyRange[K]
	err := reduceChunks(ctx, a, cfg, anyOrder, func(p *keyRange[K], _ int, xs []K) {
		if len(xs) == 0 {
			return
		}
		lo, hi := integerRange(xs)
		p.merge(keyRange[K]{n: int64(len(xs)), min: lo, max: hi})
	}, r.merge)
	return r, err
}

// integerRange returns the least and the greatest of xs, which must not be
// empty, in two interleaved branch-free lanes.
func integerRange[K int64 | uint64](xs []K) (lo, hi K) {
	lo0, hi0, lo1, hi1 := xs[0], xs[0], xs[0], xs[0]
	i := 0
	for ; i+2 <= len(xs); i += 2 {
		lo0, hi0 = min(lo0, xs[i]), max(hi0, xs[i])
		lo1, hi1 = min(lo1, xs[i+1]), max(hi1, xs[i+1])
	}
	for _, x := range xs[i:] {
		lo0, hi0 = min(lo0, x), max(hi0, x)
	}
	return min(lo0, lo1), max(hi0, hi1)
}

// errChanged is the error of a bincount whose second pass found a value
// out of the range the first found: the file was written meanwhile.
func errChanged[T Integer](a *mmarray.Array[T]) error {
	return fmt.Errorf("bincount of shape %v: %w", a.Shape(), ErrChanged)
}

func bincount[T Integer, K int64 | uint64](ctx context.Context, a *mmarray.Array[T], minlength int, cfg config) ([]int64, error) {
	e, err := keyRangeOf[T, K](ctx, a, cfg)
	if err != nil {
		return nil, err
	}
	n, err := bincountLen(a, e, minlength, &cfg)
	if err != nil {
		return nil, err
	}
	if e.n == 0 {
		return make([]int64, n), nil
	}
	counts, err := countBins[T, K](ctx, a, cfg, keyBinner(n))
	if err != nil {
		return nil, err
	}
	// The counter past the bins has the values outside them: the file
	// changed since the first reading.
	if counts[n] != 0 {
		return nil, errChanged(a)
	}
	return counts[:n], nil
}

// keyBinner is Bincount's binner of n bins: a value is its own bin, and a
// value out of them (a negative one, as an unsigned integer, among them)
// gets the bin n, of none.
type keyBinner int

func (n keyBinner) bins() int                         { return int(n) }
func (n keyBinner) int64Bins(out []int, xs []int64)   { binKeys(int(n), out, xs) }
func (n keyBinner) uint64Bins(out []int, xs []uint64) { binKeys(int(n), out, xs) }

// float64Bins is never called: Bincount's values are integers.
func (n keyBinner) float64Bins(out []int, xs []float64) {
	panic("compute: unreachable float bincount")
}

func binKeys[K int64 | uint64](n int, out []int, xs []K) {
	for i, x := range xs {
		out[i] = int(min(uint64(x), uint64(n)))
	}
}

func bincountWeighted[T Integer, K int64 | uint64, W Real](ctx context.Context, a *mmarray.Array[T], weights *mmarray.Array[W], minlength int, cfg config) ([]float64, error) {
	e, err := keyRangeOf[T, K](ctx, a, cfg)
	if err != nil {
		return nil, err
	}
	n, err := bincountLen(a, e, minlength, &cfg)
	if err != nil {
		return nil, err
	}
	if e.n == 0 {
		return make([]float64, n), nil
	}
	sums, strays, err := sumBins[T, K](ctx, a, weights, cfg, keyBinner(n))
	if err != nil {
		return nil, err
	}
	if strays != 0 {
		return nil, errChanged(a)
	}
	return sums[:n], nil
}

// sumPart is one chunk's partial result of sumBins: a sum per bin (and
// one of the weights in no bin), how many elements were in none, and the
// chunk's buffers.
type sumPart[W Real] struct {
	sums   []float64
	strays int64
	bins   []int
	wbuf   []W
	fbuf   []float64
}

// sumBins walks the view and the weights together, in C order, and
// returns the sum in float64 of the weights of the elements in each of
// b's bins, last the sum of those in none, and how many were in none.
// Each chunk adds its weights in C order into sums of its own, and the
// chunks' sums are added in chunk order, so the sums do not depend on the
// number of workers. Chunks are sized and limited as countBins's.
func sumBins[T Real, K kernelType, W Real](ctx context.Context, a *mmarray.Array[T], weights *mmarray.Array[W], cfg config, b binner) ([]float64, int64, error) {
	n := b.bins()
	sums := make([]float64, n+1)
	var strays int64
	widen := widenerFor[W, float64]()
	// A partial holds its sums and buffers of bins, weights and their
	// float64s.
	var w W
	partBytes := int64(n+1)*8 + int64(stageLen)*(16+int64(sizeOf(w)))
	err := walkChunks(ctx, a, boundWave(cfg, a, partBytes), chunkElemsFor(n+1),
		func(p *sumPart[W], start int, xs []K) {
			if p.sums == nil {
				*p = sumPart[W]{sums: make([]float64, n+1), bins: make([]int, stageLen),
					wbuf: make([]W, stageLen), fbuf: make([]float64, stageLen)}
			}
			for len(xs) > 0 {
				m := min(len(xs), stageLen)
				kernelBins(b, p.bins[:m], xs[:m])
				bins := p.bins[:m]
				for _, bin := range bins {
					if bin == n {
						p.strays++
					}
				}
				// The weights of these elements, by BlocksRange over the same
				// flat range of the weights view.
				for _, block := range weights.BlocksRange(start, start+m, p.wbuf) {
					for len(block) > 0 {
						var ws []float64
						ws, block = widen(block, p.fbuf)
						for i, w := range ws {
							p.sums[bins[i]] += w
						}
						bins = bins[len(ws):]
					}
				}
				xs, start = xs[m:], start+m
			}
		},
		func(p sumPart[W]) {
			for i, s := range p.sums {
				sums[i] += s
			}
			strays += p.strays
		})
	return sums, strays, err
}
