package compute

import (
	"context"
	"math"
	"math/big"

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
	ArgMin   int     // flat C-order index of Min's first occurrence (np.nanargmin; DescribeAxis: the index along the axis); -1 when Count is 0
	ArgMax   int     // flat C-order index of Max's first occurrence (np.nanargmax; DescribeAxis: the index along the axis); -1 when Count is 0

	// SumScalar, MinScalar and MaxScalar are Sum, Min and Max exact in the
	// kinds Sum returns: for integers and bools, SumScalar is np.sum (an
	// Int64 for bool and signed integers, a Uint64 for unsigned ones,
	// wrapping around on overflow) and MinScalar and MaxScalar are np.min
	// and np.max in that kind (0 and 1 for bool), where the float64 fields
	// round beyond 2⁵³. For floating point they hold the float64 fields as
	// Float64s. MinScalar and MaxScalar are a Float64 NaN when Count is 0.
	SumScalar, MinScalar, MaxScalar Scalar
}

// IntegerSum returns the true sum of integer or bool elements, which
// SumScalar is only modulo 2⁶⁴ where it wrapped around: SumScalar plus the
// multiple of 2⁶⁴ nearest to Sum's distance from it. Sum is within far less
// than 2⁶³ of the true sum (for views of up to 2⁴² elements), so the
// multiple is exact. ok is false for floating point.
func (s Stats) IntegerSum() (sum *big.Int, ok bool) {
	switch s.SumScalar.kind {
	case Int64:
		sum = big.NewInt(s.SumScalar.i)
	case Uint64:
		sum = new(big.Int).SetUint64(s.SumScalar.u)
	default:
		return nil, false
	}
	const wrap = 1 << 64
	if k := math.Round((s.Sum - s.SumScalar.Float64()) / wrap); k != 0 {
		sum.Add(sum, new(big.Int).Lsh(big.NewInt(int64(k)), 64))
	}
	return sum, true
}

// describePart is one chunk's partial Stats.
type describePart[K kernelType] struct {
	moments  moments
	extremes extremes[K]
	wrapped  K // the integers' exact wrapping sum; unused for floats
}

// Describe computes Stats in one pass over the view, in C order (its
// indices are the view's). Integers and bools are reported as float64
// (exact up to 2⁵³) and exactly in SumScalar, MinScalar and MaxScalar. An
// empty view is not an error: Count is 0.
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
	err := reduceChunks(ctx, a, newConfig(opts), cOrder, func(p *describePart[K], start int, xs []K) { p.add(start, xs) }, d.merge)
	if err != nil {
		return Stats{}, err
	}
	return statsOf(d, familyIsBool[T]()), nil
}

// add adds the piece xs whose first element has index start, after the
// elements p holds.
func (p *describePart[K]) add(start int, xs []K) {
	if sum, ok := p.extremes.scanSum(start, xs); ok {
		p.moments.merge(withDeviations(moments{n: int64(len(xs)), sum: sum}, xs, false))
		p.wrapped += wrappingSum(xs)
		return
	}
	nans := p.extremes.nans
	p.extremes.scan(start, xs, false)
	// The scan counted the piece's NaNs: without any, the moments take
	// the faster loops that need not test each element.
	p.moments.merge(momentsOf(xs, p.extremes.nans != nans))
	p.wrapped += wrappingSum(xs)
}

// merge adds the partial of the elements after p's.
func (p *describePart[K]) merge(o describePart[K]) {
	p.moments.merge(o.moments)
	p.extremes.merge(o.extremes)
	p.wrapped += o.wrapped
}

// statsOf makes the Stats of a view's (or a result's) merged partial;
// isBool says the elements were bools, whose kernel type is uint64.
func statsOf[K kernelType](d describePart[K], isBool bool) Stats {
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
	s.SumScalar = scalarOf(d.wrapped, isBool)
	s.MinScalar = Scalar{kind: Float64, f: math.NaN()}
	s.MaxScalar = s.MinScalar
	if s.Count > 0 {
		s.Mean = d.moments.mean()
		s.Std = math.Sqrt(d.moments.variance(0))
		s.Min, s.Max = float64(d.extremes.min), float64(d.extremes.max)
		s.MinScalar, s.MaxScalar = scalarOf(d.extremes.min, isBool), scalarOf(d.extremes.max, isBool)
		s.ArgMin, s.ArgMax = d.extremes.argmin, d.extremes.argmax
	}
	if s.SumScalar.kind == Float64 {
		s.SumScalar.f = s.Sum
	}
	return s
}

// rowDescribe is one result's describePart in the outer walk along an
// axis, fed one element at a time.
type rowDescribe[K kernelType] struct {
	moments  rowMoments
	extremes extremes[K]
	wrapped  K // as describePart's; for floats a sum nobody reads
}

func describeOp[K kernelType]() axisOp[K, describePart[K], rowDescribe[K]] {
	return axisOp[K, describePart[K], rowDescribe[K]]{
		run: func(acc *describePart[K], at int, xs []K) { acc.add(at, xs) },
		row: func(accs []rowDescribe[K], xs []K, r int) {
			accs = accs[:len(xs)]
			if r%rowBlock == 0 {
				for i := range accs {
					accs[i].moments.sum.endBlock()
				}
			}
			for i, x := range xs {
				d := &accs[i]
				if d.extremes.within(x) {
					d.extremes.valid++
				} else {
					d.extremes.add(r, x, false)
				}
				d.wrapped += x
				if x == x {
					d.moments.add(float64(x))
				}
			}
		},
		finish: func(r rowDescribe[K]) describePart[K] {
			return describePart[K]{moments: r.moments.moments(), extremes: r.extremes, wrapped: r.wrapped}
		},
		merge: func(dst *describePart[K], src describePart[K]) { dst.merge(src) },
	}
}

// DescribeAxis is Describe along axis: one Stats per position of the
// other axes, each as Describe computes it of the elements along the axis
// there (NaNs counted apart and left out), in one pass over the view.
// ArgMin and ArgMax are indices along the axis, as np.nanargmin(a,
// axis=axis) gives them (-1 where Count is 0). An empty axis is not an
// error: its Stats have Count 0. Axes are as SumAxis's.
func DescribeAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[Stats], error) {
	switch familyOf[T]() {
	case signedFamily:
		return describeAxis[T, int64](ctx, a, axis, opts)
	case unsignedFamily:
		return describeAxis[T, uint64](ctx, a, axis, opts)
	}
	return describeAxis[T, float64](ctx, a, axis, opts)
}

func describeAxis[T Real, K kernelType](ctx context.Context, a *mmarray.Array[T], axis int, opts []Option) (Reduced[Stats], error) {
	p := planAxis(a, axis)
	parts, err := reduceAxis(ctx, a, p, describeOp[K](), opts)
	if err != nil {
		return Reduced[Stats]{}, err
	}
	out := Reduced[Stats]{Shape: p.kept, Values: make([]Stats, len(parts))}
	isBool := familyIsBool[T]()
	for i, d := range parts {
		out.Values[i] = statsOf(d, isBool)
	}
	return out, nil
}

// wrappingSum is the wrapping sum of integer kernel elements, and 0 for
// floats (whose sum the moments carry). The type switch is once a piece.
func wrappingSum[K kernelType](xs []K) K {
	switch xs := any(xs).(type) {
	case []int64:
		return K(sumWrapping(xs))
	case []uint64:
		return K(sumWrapping(xs))
	}
	return 0
}

// scalarOf is x as a Scalar of the kind Sum returns for its element type:
// Int64 for bool (isBool, whose kernel type is uint64) and signed integers.
func scalarOf[K kernelType](x K, isBool bool) Scalar {
	switch x := any(x).(type) {
	case int64:
		return Scalar{kind: Int64, i: x}
	case uint64:
		if isBool {
			return Scalar{kind: Int64, i: int64(x)}
		}
		return Scalar{kind: Uint64, u: x}
	}
	return Scalar{kind: Float64, f: float64(x)}
}
