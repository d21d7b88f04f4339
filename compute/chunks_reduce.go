package compute

import (
	"context"
	"fmt"
	"math"
)

// SumChunks is Sum over a chunked array: the sum of its elements, of Sum's
// kind and with Sum's rules, its chunks decoded one at a time (see the
// package documentation, Chunked stores). T must be the element type of
// src.Descr(), else the error wraps mmarray.ErrDTypeMismatch.
func SumChunks[T Real](ctx context.Context, src ChunkSource, opts ...Option) (Scalar, error) {
	return sumChunks[T](ctx, src, false, opts)
}

// NanSumChunks is NanSum over a chunked array, as SumChunks.
func NanSumChunks[T Real](ctx context.Context, src ChunkSource, opts ...Option) (Scalar, error) {
	return sumChunks[T](ctx, src, true, opts)
}

func sumChunks[T Real](ctx context.Context, src ChunkSource, skipNaN bool, opts []Option) (Scalar, error) {
	switch familyOf[T]() {
	case signedFamily:
		var total int64
		err := reduceSource[T](ctx, src, opts, anyOrder, func(p *int64, _ int, xs []int64) { *p += sumWrapping(xs) },
			func(p int64) { total += p })
		return scalarOf(total, false), err
	case unsignedFamily:
		var total uint64
		err := reduceSource[T](ctx, src, opts, anyOrder, func(p *uint64, _ int, xs []uint64) { *p += sumWrapping(xs) },
			func(p uint64) { total += p })
		return scalarOf(total, familyIsBool[T]()), err
	}
	var total fsum
	err := reduceSource[T](ctx, src, opts, anyOrder, func(p *fsum, _ int, xs []float64) {
		if skipNaN {
			s, _ := sumNonNaN(xs)
			p.merge(s)
		} else {
			p.merge(sumFloats(xs))
		}
	}, total.merge)
	return scalarOf(total.value(), false), err
}

// momentsOfSource reduces a chunked array to its moments.
func momentsOfSource[T Real](ctx context.Context, src ChunkSource, skipNaN bool, opts []Option) (moments, error) {
	var m moments
	var err error
	switch familyOf[T]() {
	case signedFamily:
		err = reduceSource[T](ctx, src, opts, anyOrder, momentsKernel[int64](skipNaN), m.merge)
	case unsignedFamily:
		err = reduceSource[T](ctx, src, opts, anyOrder, momentsKernel[uint64](skipNaN), m.merge)
	default:
		err = reduceSource[T](ctx, src, opts, anyOrder, momentsKernel[float64](skipNaN), m.merge)
	}
	return m, err
}

// MeanChunks is Mean over a chunked array, as SumChunks.
func MeanChunks[T Real](ctx context.Context, src ChunkSource, opts ...Option) (float64, error) {
	m, err := momentsOfSource[T](ctx, src, false, opts)
	if err != nil {
		return 0, err
	}
	return m.mean(), nil
}

// NanMeanChunks is NanMean over a chunked array, as SumChunks.
func NanMeanChunks[T Real](ctx context.Context, src ChunkSource, opts ...Option) (float64, error) {
	m, err := momentsOfSource[T](ctx, src, true, opts)
	if err != nil {
		return 0, err
	}
	return m.mean(), nil
}

// VarChunks is Var over a chunked array, as SumChunks.
func VarChunks[T Real](ctx context.Context, src ChunkSource, ddof int, opts ...Option) (float64, error) {
	m, err := momentsOfSource[T](ctx, src, false, opts)
	if err != nil {
		return 0, err
	}
	return m.variance(ddof), nil
}

// NanVarChunks is NanVar over a chunked array, as SumChunks.
func NanVarChunks[T Real](ctx context.Context, src ChunkSource, ddof int, opts ...Option) (float64, error) {
	m, err := momentsOfSource[T](ctx, src, true, opts)
	if err != nil {
		return 0, err
	}
	return m.nanVariance(ddof), nil
}

// StdChunks is the square root of VarChunks, as np.std.
func StdChunks[T Real](ctx context.Context, src ChunkSource, ddof int, opts ...Option) (float64, error) {
	v, err := VarChunks[T](ctx, src, ddof, opts...)
	return math.Sqrt(v), err
}

// NanStdChunks is the square root of NanVarChunks, as np.nanstd.
func NanStdChunks[T Real](ctx context.Context, src ChunkSource, ddof int, opts ...Option) (float64, error) {
	v, err := NanVarChunks[T](ctx, src, ddof, opts...)
	return math.Sqrt(v), err
}

// MinChunks is Min over a chunked array, as SumChunks: ErrEmpty for an
// empty one.
func MinChunks[T Real](ctx context.Context, src ChunkSource, opts ...Option) (T, error) {
	v, _, err := extremeChunks[T](ctx, opMin, src, opts)
	return v, err
}

// MaxChunks is Max over a chunked array, as MinChunks.
func MaxChunks[T Real](ctx context.Context, src ChunkSource, opts ...Option) (T, error) {
	v, _, err := extremeChunks[T](ctx, opMax, src, opts)
	return v, err
}

// NanMinChunks is NanMin over a chunked array, as MinChunks.
func NanMinChunks[T Real](ctx context.Context, src ChunkSource, opts ...Option) (T, error) {
	v, _, err := extremeChunks[T](ctx, opNanMin, src, opts)
	return v, err
}

// NanMaxChunks is NanMax over a chunked array, as MinChunks.
func NanMaxChunks[T Real](ctx context.Context, src ChunkSource, opts ...Option) (T, error) {
	v, _, err := extremeChunks[T](ctx, opNanMax, src, opts)
	return v, err
}

// ArgMinChunks is ArgMin over a chunked array: the flat C-order index in
// the whole array of the first smallest element (of the first NaN, if
// any), whatever the chunks; ErrEmpty for an empty array.
func ArgMinChunks[T Real](ctx context.Context, src ChunkSource, opts ...Option) (int, error) {
	_, i, err := extremeChunks[T](ctx, opArgMin, src, opts)
	return i, err
}

// ArgMaxChunks is ArgMinChunks for the largest element, as ArgMax.
func ArgMaxChunks[T Real](ctx context.Context, src ChunkSource, opts ...Option) (int, error) {
	_, i, err := extremeChunks[T](ctx, opArgMax, src, opts)
	return i, err
}

func extremeChunks[T Real](ctx context.Context, op extremeOp, src ChunkSource, opts []Option) (T, int, error) {
	switch familyOf[T]() {
	case signedFamily:
		return pickExtremeChunks[T, int64](ctx, op, src, opts)
	case unsignedFamily:
		return pickExtremeChunks[T, uint64](ctx, op, src, opts)
	}
	return pickExtremeChunks[T, float64](ctx, op, src, opts)
}

func pickExtremeChunks[T Real, K kernelType](ctx context.Context, op extremeOp, src ChunkSource, opts []Option) (T, int, error) {
	var zero T
	nat := isTimeType[T]()
	order := anyOrder
	if op == opArgMin || op == opArgMax {
		order = cOrder
	}
	var e extremes[K]
	err := reduceSource[T](ctx, src, opts, order, func(p *extremes[K], start int, xs []K) { p.scan(start, xs, nat) }, e.merge)
	if err != nil {
		return zero, 0, err
	}
	if e.valid+e.nans == 0 {
		return zero, 0, fmt.Errorf("%s of a chunked array of shape %v: %w", op, src.Shape(), ErrEmpty)
	}
	v, i := extremeResult[T](op, e, nat)
	return v, i, nil
}

// DescribeChunks is Describe over a chunked array, as SumChunks: ArgMin
// and ArgMax are flat C-order indices in the whole array, of the first
// occurrence whatever the chunks.
func DescribeChunks[T Real](ctx context.Context, src ChunkSource, opts ...Option) (Stats, error) {
	switch familyOf[T]() {
	case signedFamily:
		return describeChunks[T, int64](ctx, src, opts)
	case unsignedFamily:
		return describeChunks[T, uint64](ctx, src, opts)
	}
	return describeChunks[T, float64](ctx, src, opts)
}

func describeChunks[T Real, K kernelType](ctx context.Context, src ChunkSource, opts []Option) (Stats, error) {
	var d describePart[K]
	err := reduceSource[T](ctx, src, opts, cOrder, func(p *describePart[K], start int, xs []K) { p.add(start, xs) }, d.merge)
	if err != nil {
		return Stats{}, err
	}
	return statsOf(d, familyIsBool[T]()), nil
}
