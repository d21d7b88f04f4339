package compute

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strconv"

	"github.com/go-memmap/memmap/mmarray"
)

// Kind is the type of a Scalar, NumPy's result dtype of a sum.
type Kind int

const (
	Int64   Kind = iota // sum of bool and signed integers
	Uint64              // sum of unsigned integers
	Float64             // sum of Float16, float32 and float64
)

// Scalar is a sum: an int64, a uint64 or a float64, by the element type
// summed, as NumPy's np.sum picks the result dtype.
type Scalar struct {
	kind Kind
	i    int64
	u    uint64
	f    float64
}

// Kind reports which of the value's types it holds.
func (s Scalar) Kind() Kind { return s.kind }

// Int64 returns the value converted to int64 (as Go converts).
func (s Scalar) Int64() int64 {
	switch s.kind {
	case Uint64:
		return int64(s.u)
	case Float64:
		return int64(s.f)
	}
	return s.i
}

// Uint64 returns the value converted to uint64 (as Go converts).
func (s Scalar) Uint64() uint64 {
	switch s.kind {
	case Int64:
		return uint64(s.i)
	case Float64:
		return uint64(s.f)
	}
	return s.u
}

// Float64 returns the value converted to float64, rounded for integers
// beyond 2⁵³.
func (s Scalar) Float64() float64 {
	switch s.kind {
	case Int64:
		return float64(s.i)
	case Uint64:
		return float64(s.u)
	}
	return s.f
}

// String formats the value as strconv does its type.
func (s Scalar) String() string {
	switch s.kind {
	case Int64:
		return strconv.FormatInt(s.i, 10)
	case Uint64:
		return strconv.FormatUint(s.u, 10)
	}
	return strconv.FormatFloat(s.f, 'g', -1, 64)
}

// Sum returns the sum of the view's elements, as np.sum: exact, wrapping
// around on overflow, as an Int64 for bool and signed integers and a Uint64
// for unsigned integers; as a Float64 for floating point, in 128-element
// blocks whose sums are added with compensation (see the package doc; a
// NaN anywhere makes it NaN). The sum of an empty view is zero.
func Sum[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (Scalar, error) {
	return sum(ctx, a, false, opts)
}

// NanSum is Sum with NaNs counted as zero, as np.nansum. For integers and
// bool it is Sum.
func NanSum[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (Scalar, error) {
	return sum(ctx, a, true, opts)
}

func sum[T Real](ctx context.Context, a *mmarray.Array[T], skipNaN bool, opts []Option) (Scalar, error) {
	cfg := newConfig(opts)
	switch familyOf[T]() {
	case signedFamily:
		var total int64
		err := reduceChunks(ctx, a, cfg, anyOrder, func(p *int64, _ int, xs []int64) { *p += sumWrapping(xs) },
			func(p int64) { total += p })
		if err != nil {
			return Scalar{}, err
		}
		return scalarOf(total, false), nil
	case unsignedFamily:
		var total uint64
		err := reduceChunks(ctx, a, cfg, anyOrder, func(p *uint64, _ int, xs []uint64) { *p += sumWrapping(xs) },
			func(p uint64) { total += p })
		if err != nil {
			return Scalar{}, err
		}
		return scalarOf(total, familyIsBool[T]()), nil
	}
	var total fsum
	err := reduceChunks(ctx, a, cfg, anyOrder, func(p *fsum, _ int, xs []float64) {
		if skipNaN {
			s, _ := sumNonNaN(xs)
			p.merge(s)
		} else {
			p.merge(sumFloats(xs))
		}
	}, total.merge)
	if err != nil {
		return Scalar{}, err
	}
	return scalarOf(total.value(), false), nil
}

func familyIsBool[T Real]() bool { return reflect.TypeFor[T]().Kind() == reflect.Bool }

// momentsOfView reduces the view to its moments, in any order.
func momentsOfView[T Real](ctx context.Context, a *mmarray.Array[T], skipNaN bool, opts []Option) (moments, error) {
	cfg := newConfig(opts)
	var m moments
	var err error
	switch familyOf[T]() {
	case signedFamily:
		err = reduceChunks(ctx, a, cfg, anyOrder, momentsKernel[int64](skipNaN), m.merge)
	case unsignedFamily:
		err = reduceChunks(ctx, a, cfg, anyOrder, momentsKernel[uint64](skipNaN), m.merge)
	default:
		err = reduceChunks(ctx, a, cfg, anyOrder, momentsKernel[float64](skipNaN), m.merge)
	}
	return m, err
}

func momentsKernel[K kernelType](skipNaN bool) func(p *moments, _ int, xs []K) {
	return func(p *moments, _ int, xs []K) { p.merge(momentsOf(xs, skipNaN)) }
}

// Mean returns the arithmetic mean of the view's elements as a float64, as
// np.mean (which accumulates integers in float64 too): NaN for an empty view
// or where any element is NaN.
func Mean[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (float64, error) {
	m, err := momentsOfView(ctx, a, false, opts)
	if err != nil {
		return 0, err
	}
	return m.mean(), nil
}

// NanMean is Mean of the elements that are not NaN, as np.nanmean: NaN when
// there are none.
func NanMean[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (float64, error) {
	m, err := momentsOfView(ctx, a, true, opts)
	if err != nil {
		return 0, err
	}
	return m.mean(), nil
}

// Var returns the variance of the view's elements with ddof delta degrees
// of freedom, as np.var(a, ddof=ddof): the sum of squared deviations from
// the mean divided by n-ddof. As in NumPy, an empty view gives NaN and
// n-ddof <= 0 gives +Inf (NaN if all elements are equal).
func Var[T Real](ctx context.Context, a *mmarray.Array[T], ddof int, opts ...Option) (float64, error) {
	m, err := momentsOfView(ctx, a, false, opts)
	if err != nil {
		return 0, err
	}
	return m.variance(ddof), nil
}

// NanVar is Var of the elements that are not NaN, as np.nanvar: NaN where
// no more than ddof of them are left, as in NumPy, not Var's +Inf.
func NanVar[T Real](ctx context.Context, a *mmarray.Array[T], ddof int, opts ...Option) (float64, error) {
	m, err := momentsOfView(ctx, a, true, opts)
	if err != nil {
		return 0, err
	}
	return m.nanVariance(ddof), nil
}

// Std is the square root of Var, as np.std.
func Std[T Real](ctx context.Context, a *mmarray.Array[T], ddof int, opts ...Option) (float64, error) {
	v, err := Var(ctx, a, ddof, opts...)
	return math.Sqrt(v), err
}

// NanStd is the square root of NanVar, as np.nanstd.
func NanStd[T Real](ctx context.Context, a *mmarray.Array[T], ddof int, opts ...Option) (float64, error) {
	v, err := NanVar(ctx, a, ddof, opts...)
	return math.Sqrt(v), err
}

// extremesOf reduces the view to its extremes. The indices are flat C-order
// indices of the view when order is cOrder. nat is extremes.scan's.
func extremesOf[T Real, K kernelType](ctx context.Context, a *mmarray.Array[T], order walkOrder, nat bool, opts []Option) (extremes[K], error) {
	var e extremes[K]
	err := reduceChunks(ctx, a, newConfig(opts), order, func(p *extremes[K], start int, xs []K) { p.scan(start, xs, nat) }, e.merge)
	return e, err
}

var (
	datetimeType  = reflect.TypeFor[mmarray.Datetime64]()
	timedeltaType = reflect.TypeFor[mmarray.Timedelta64]()
)

// isTimeType reports whether T is Datetime64 or Timedelta64, whose
// smallest count is NaT, a NaN to the extremes.
func isTimeType[T Real]() bool {
	t := reflect.TypeFor[T]()
	return t == datetimeType || t == timedeltaType
}

// missing is the extreme of elements that are NaN only, or of any holding
// a NaN: NaT for Datetime64 and Timedelta64 (nat), NaN for floats. No
// other type has one.
func missing[T Real, K kernelType](nat bool) T {
	if nat {
		return fromKernel[T](K(natCount))
	}
	return fromKernel[T](K(math.NaN()))
}

// extremeOp names which extreme a call computes, so that a misspelt one is
// a compile error rather than a switch case that never matches.
type extremeOp int

const (
	opMin extremeOp = iota
	opMax
	opNanMin
	opNanMax
	opArgMin
	opArgMax
)

// String is the NumPy function's name, for error messages.
func (op extremeOp) String() string {
	return [...]string{"min", "max", "nanmin", "nanmax", "argmin", "argmax"}[op]
}

// extreme computes one of Min, Max, NanMin, NanMax (a value) or ArgMin,
// ArgMax (an index).
func extreme[T Real](ctx context.Context, op extremeOp, a *mmarray.Array[T], opts []Option) (T, int, error) {
	order := anyOrder
	if op == opArgMin || op == opArgMax {
		order = cOrder
	}
	switch familyOf[T]() {
	case signedFamily:
		return pickExtreme[T, int64](ctx, op, a, order, opts)
	case unsignedFamily:
		return pickExtreme[T, uint64](ctx, op, a, order, opts)
	}
	return pickExtreme[T, float64](ctx, op, a, order, opts)
}

func pickExtreme[T Real, K kernelType](ctx context.Context, op extremeOp, a *mmarray.Array[T], order walkOrder, opts []Option) (T, int, error) {
	var zero T
	nat := isTimeType[T]()
	e, err := extremesOf[T, K](ctx, a, order, nat, opts)
	if err != nil {
		return zero, 0, err
	}
	if e.valid+e.nans == 0 {
		return zero, 0, fmt.Errorf("%s of shape %v: %w", op, a.Shape(), ErrEmpty)
	}
	v, i := extremeResult[T](op, e, nat)
	return v, i, nil
}

// extremeResult is op's result from the extremes of a non-empty array:
// the value (Min, Max and their nan-variants) or the index (ArgMin,
// ArgMax), with NumPy's NaN rules.
func extremeResult[T Real, K kernelType](op extremeOp, e extremes[K], nat bool) (T, int) {
	var zero T
	switch {
	case (op == opMin || op == opMax) && e.nans > 0, (op == opNanMin || op == opNanMax) && e.valid == 0:
		return missing[T, K](nat), 0
	case (op == opArgMin || op == opArgMax) && e.nans > 0:
		return zero, e.firstNaN
	}
	switch op {
	case opMin, opNanMin:
		return fromKernel[T](e.min), 0
	case opMax, opNanMax:
		return fromKernel[T](e.max), 0
	case opArgMin:
		return zero, e.argmin
	}
	return zero, e.argmax
}

// Min returns the smallest element, as np.min: NaN if any element is NaN
// (NaT if any Datetime64 or Timedelta64 element is NaT). An empty view has
// no minimum: the error wraps ErrEmpty.
func Min[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (T, error) {
	v, _, err := extreme(ctx, opMin, a, opts)
	return v, err
}

// Max returns the largest element, as np.max: NaN if any element is NaN.
// An empty view has no maximum: the error wraps ErrEmpty.
func Max[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (T, error) {
	v, _, err := extreme(ctx, opMax, a, opts)
	return v, err
}

// NanMin is Min of the elements that are not NaN (nor NaT), as np.nanmin.
// Where all elements are NaN it returns NaN (NaT) and no error (np.nanmin returns NaN with a
// RuntimeWarning); an empty view is ErrEmpty.
func NanMin[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (T, error) {
	v, _, err := extreme(ctx, opNanMin, a, opts)
	return v, err
}

// NanMax is Max of the elements that are not NaN, as np.nanmax, with
// NanMin's rule for all-NaN views.
func NanMax[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (T, error) {
	v, _, err := extreme(ctx, opNanMax, a, opts)
	return v, err
}

// ArgMin returns the flat C-order index of the smallest element, as
// np.argmin: the first one of equal minima, and the first NaN's (or NaT's)
// index if there is one. An empty view is ErrEmpty.
func ArgMin[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (int, error) {
	_, i, err := extreme(ctx, opArgMin, a, opts)
	return i, err
}

// ArgMax is ArgMin for the largest element, as np.argmax.
func ArgMax[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (int, error) {
	_, i, err := extreme(ctx, opArgMax, a, opts)
	return i, err
}

// CountNonzero returns the number of elements that are not zero (nor
// false), as np.count_nonzero; NaN is not zero.
func CountNonzero[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (int64, error) {
	cfg := newConfig(opts)
	var n int64
	add := func(p int64) { n += p }
	var err error
	switch familyOf[T]() {
	case signedFamily:
		err = reduceChunks(ctx, a, cfg, anyOrder, countKernel[int64], add)
	case unsignedFamily:
		err = reduceChunks(ctx, a, cfg, anyOrder, countKernel[uint64], add)
	default:
		err = reduceChunks(ctx, a, cfg, anyOrder, countKernel[float64], add)
	}
	return n, err
}

func countKernel[K kernelType](p *int64, _ int, xs []K) { *p += countNonzero(xs) }

// Any reports whether any element is nonzero (or true), as np.any: false for
// an empty view.
func Any[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (bool, error) {
	n, err := CountNonzero(ctx, a, opts...)
	return n > 0, err
}

// All reports whether every element is nonzero (or true), as np.all: true
// for an empty view.
func All[T Real](ctx context.Context, a *mmarray.Array[T], opts ...Option) (bool, error) {
	n, err := CountNonzero(ctx, a, opts...)
	return n == int64(a.Len()), err
}
