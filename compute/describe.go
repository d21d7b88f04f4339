package compute

import (
	"context"
	"math"

	"github.com/go-memmap/memmap/mmarray"
)

// Stats is what Describe reports about a view. NaNs are counted apart and
// left out of everything else, as pandas' describe does, so one NaN does not
// hide the statistics of the other elements.
type Stats struct {
	Count    int64   // elements that are not NaN
	NaNCount int64   // elements that are NaN
	Sum      float64 // sum of the Count elements in float64, compensated: np.nansum(a.astype(np.float64)), so integers do not wrap around
	Mean     float64 // np.nanmean; NaN when Count is 0
	Std      float64 // np.nanstd with ddof 0; NaN when Count is 0
	Min      float64 // np.nanmin; NaN when Count is 0
	Max      float64 // np.nanmax; NaN when Count is 0
	ArgMin   int     // flat C-order index of Min's first occurrence (np.nanargmin); -1 when Count is 0
	ArgMax   int     // flat C-order index of Max's first occurrence (np.nanargmax); -1 when Count is 0
}

// describePart is one chunk's partial Stats.
type describePart[K kernelType] struct {
	moments  moments
	extremes extremes[K]
}

// Describe computes Stats in one pass over the view, in C order (its
// indices are the view's). Integers and bools are reported as float64
// (exact up to 2⁵³). An empty view is not an error: Count is 0.
func Describe[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (Stats, error) {
	switch familyOf[T]() {
	case signedFamily:
		return describe[T, int64](ctx, a, opts)
	case unsignedFamily:
		return describe[T, uint64](ctx, a, opts)
	}
	return describe[T, float64](ctx, a, opts)
}

func describe[T Real, K kernelType](ctx context.Context, a *mmarray.Array[T], opts []Option) (Stats, error) {
	var d describePart[K]
	err := reduceChunks(ctx, a, newConfig(opts), cOrder, func(p *describePart[K], start int, xs []K) {
		nans := p.extremes.nans
		p.extremes.scan(start, xs)
		// The scan counted the piece's NaNs: without any, the moments take
		// the faster loops that need not test each element.
		p.moments.merge(momentsOf(xs, p.extremes.nans != nans))
	}, func(p describePart[K]) {
		d.moments.merge(p.moments)
		d.extremes.merge(p.extremes)
	})
	if err != nil {
		return Stats{}, err
	}
	s := Stats{
		Count:    d.moments.n,
		NaNCount: d.extremes.nans,
		Sum:      d.moments.sum.value(),
		Mean:     math.NaN(),
		Std:      math.NaN(),
		Min:      math.NaN(),
		Max:      math.NaN(),
		ArgMin:   -1,
		ArgMax:   -1,
	}
	if s.Count > 0 {
		s.Mean = d.moments.mean()
		s.Std = math.Sqrt(d.moments.variance(0))
		s.Min, s.Max = float64(d.extremes.min), float64(d.extremes.max)
		s.ArgMin, s.ArgMax = d.extremes.argmin, d.extremes.argmax
	}
	return s, nil
}
