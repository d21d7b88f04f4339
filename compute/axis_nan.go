package compute

import (
	"context"
	"fmt"
	"math"

	"github.com/go-memmap/memmap/mmarray"
)

// This file holds the nan-variants of the reductions along an axis, and
// the indices and counts along one.

// NanSumAxis is NanSum along axis, as np.nansum(a, axis=axis): SumAxis
// with NaNs counted as zero. For integers and bool it is SumAxis.
func NanSumAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[Scalar], error) {
	return sumAxis(ctx, a, axis, true, opts)
}

// NanMeanAxis is NanMean along axis, as np.nanmean(a, axis=axis): the mean
// of the elements that are not NaN, NaN where there are none.
func NanMeanAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[float64], error) {
	return mapMoments(ctx, a, axis, true, opts, moments.mean)
}

// NanVarAxis is NanVar along axis, as np.nanvar(a, axis=axis, ddof=ddof):
// VarAxis of the elements that are not NaN, NaN where there are no more
// than ddof of them.
func NanVarAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis, ddof int, opts ...Option) (Reduced[float64], error) {
	return mapMoments(ctx, a, axis, true, opts, func(m moments) float64 { return m.nanVariance(ddof) })
}

// NanStdAxis is the square root of NanVarAxis, as np.nanstd(a, axis=axis,
// ddof=ddof).
func NanStdAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis, ddof int, opts ...Option) (Reduced[float64], error) {
	return mapMoments(ctx, a, axis, true, opts, func(m moments) float64 { return math.Sqrt(m.nanVariance(ddof)) })
}

// NanMinAxis is NanMin along axis, as np.nanmin(a, axis=axis): the
// smallest element that is not NaN, NaN where all are (NumPy warns). An
// empty axis is ErrEmpty, as for MinAxis.
func NanMinAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[T], error) {
	return extremeAxis(ctx, opNanMin, a, axis, opts)
}

// NanMaxAxis is NanMinAxis for the largest element, as np.nanmax(a,
// axis=axis).
func NanMaxAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[T], error) {
	return extremeAxis(ctx, opNanMax, a, axis, opts)
}

// ArgMinAxis is ArgMin along axis, as np.argmin(a, axis=axis): at each
// position of the other axes, the index along the axis of the smallest
// element, the first one of equal minima, and the first NaN's index if
// there is a NaN. An empty axis has none: the error wraps ErrEmpty, as
// NumPy raises ValueError. Axes are as SumAxis's.
func ArgMinAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[int], error) {
	return argAxis(ctx, opArgMin, a, axis, opts)
}

// ArgMaxAxis is ArgMinAxis for the largest element, as np.argmax(a,
// axis=axis).
func ArgMaxAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[int], error) {
	return argAxis(ctx, opArgMax, a, axis, opts)
}

func argAxis[T Real](ctx context.Context, op extremeOp, a *mmarray.Array[T], axis int, opts []Option) (Reduced[int], error) {
	switch familyOf[T]() {
	case signedFamily:
		return pickArgAxis[T, int64](ctx, op, a, axis, opts)
	case unsignedFamily:
		return pickArgAxis[T, uint64](ctx, op, a, axis, opts)
	}
	return pickArgAxis[T, float64](ctx, op, a, axis, opts)
}

func pickArgAxis[T Real, K kernelType](ctx context.Context, op extremeOp, a *mmarray.Array[T], axis int, opts []Option) (Reduced[int], error) {
	p := planAxis(a, axis)
	if p.length == 0 {
		return Reduced[int]{}, fmt.Errorf("%s along axis %d of shape %v: %w", op, p.axis, a.Shape(), ErrEmpty)
	}
	es, err := reduceAxis(ctx, a, p, extremesOp[K](isTimeType[T]()), opts)
	if err != nil {
		return Reduced[int]{}, err
	}
	out := Reduced[int]{Shape: p.kept, Values: make([]int, len(es))}
	for i, e := range es {
		switch {
		case e.nans > 0:
			out.Values[i] = e.firstNaN
		case op == opArgMin:
			out.Values[i] = e.argmin
		default:
			out.Values[i] = e.argmax
		}
	}
	return out, nil
}

// countOp counts each result's nonzero elements.
func countOp[K kernelType]() axisOp[K, int64, int64] {
	return axisOp[K, int64, int64]{
		run: func(acc *int64, _ int, xs []K) { *acc += countNonzero(xs) },
		row: func(accs []int64, xs []K, _ int) {
			accs = accs[:len(xs)]
			for i, x := range xs {
				if x != 0 {
					accs[i]++
				}
			}
		},
		finish: func(n int64) int64 { return n },
		merge:  func(dst *int64, src int64) { *dst += src },
	}
}

// CountNonzeroAxis is CountNonzero along axis, as np.count_nonzero(a,
// axis=axis): the number of elements along the axis that are not zero (nor
// false; NaN is not zero). Axes are as SumAxis's.
func CountNonzeroAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[int64], error) {
	p := planAxis(a, axis)
	var counts []int64
	var err error
	switch familyOf[T]() {
	case signedFamily:
		counts, err = reduceAxis(ctx, a, p, countOp[int64](), opts)
	case unsignedFamily:
		counts, err = reduceAxis(ctx, a, p, countOp[uint64](), opts)
	default:
		counts, err = reduceAxis(ctx, a, p, countOp[float64](), opts)
	}
	if err != nil {
		return Reduced[int64]{}, err
	}
	return Reduced[int64]{Shape: p.kept, Values: counts}, nil
}

// AnyAxis is Any along axis, as np.any(a, axis=axis): false where the axis
// is empty. Axes are as SumAxis's.
func AnyAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[bool], error) {
	return countsTo(ctx, a, axis, opts, func(n int64, _ int) bool { return n > 0 })
}

// AllAxis is All along axis, as np.all(a, axis=axis): true where the axis
// is empty. Axes are as SumAxis's.
func AllAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[bool], error) {
	return countsTo(ctx, a, axis, opts, func(n int64, length int) bool { return n == int64(length) })
}

// countsTo maps CountNonzeroAxis's counts with f, which also gets the
// axis's length.
func countsTo[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts []Option, f func(n int64, length int) bool) (Reduced[bool], error) {
	counts, err := CountNonzeroAxis(ctx, a, axis, opts...)
	if err != nil {
		return Reduced[bool]{}, err
	}
	length := a.Shape()[planAxis(a, axis).axis]
	out := Reduced[bool]{Shape: counts.Shape, Values: make([]bool, len(counts.Values))}
	for i, n := range counts.Values {
		out.Values[i] = f(n, length)
	}
	return out, nil
}
