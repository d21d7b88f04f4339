package compute

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/mmarray"
)

// axisChunkPart is one chunk's partial along an axis: the accumulators of
// the results it holds (the chunk's extent without the reduced axis, in C
// order) and where they lie among the array's.
type axisChunkPart[A any] struct {
	origin, extent []int
	accs           []A
}

// reduceAxisSource runs op along axis of a chunked array: each chunk is
// reduced by one worker with reduceAxis, as a view of its own, and the
// chunks' accumulators are merged into the results they hold in the
// grid's C order, so each result's chunks in the order of the axis.
// shift, where set, adds the chunk's origin along the axis to an
// accumulator's indices along it.
func reduceAxisSource[T Real, K kernelType, A, R any](ctx context.Context, src ChunkSource, axis int, op axisOp[K, A, R],
	shift func(acc *A, by int), opts []Option) ([]A, axisPlan, error) {
	cfg := newConfig(opts)
	p, err := planChunks[T](src, &cfg)
	if err != nil {
		return nil, axisPlan{}, err
	}
	nd := len(p.shape)
	if axis < -nd || axis >= nd {
		misuse.Panicf("compute: axis %d is out of range for a chunked array of %d dimensions", axis, nd)
	}
	if axis < 0 {
		axis += nd
	}
	plan := axisPlan{axis: axis, kept: slices.Delete(slices.Clone(p.shape), axis, axis+1), outputs: 1, length: p.shape[axis]}
	chunkOutputs := 1
	for a, n := range p.shape {
		if a != axis {
			plan.outputs *= n
			chunkOutputs *= p.chunk[a]
		}
	}
	totals := make([]A, plan.outputs)
	if plan.outputs == 0 || plan.length == 0 {
		return totals, plan, ctx.Err()
	}
	// Each chunk runs on one worker (the workers take chunks), with no
	// window of its own: it is in memory already, within the budget.
	one := []Option{WithWorkers(1), WithMemory(math.MaxInt64)}
	// The partials of a wave hold a chunk's accumulators each.
	var acc A
	partBytes := int64(chunkOutputs) * int64(sizeOf(acc))
	err = walkSource(ctx, src, &p, cfg, partBytes, func(_ int, v *mmarray.Array[T], cur *chunkCursor, part *axisChunkPart[A]) error {
		accs, err := reduceAxis(ctx, v, planAxis(v, axis), op, one)
		if err != nil {
			return err
		}
		if shift != nil && cur.origin[axis] != 0 {
			for i := range accs {
				shift(&accs[i], cur.origin[axis])
			}
		}
		*part = axisChunkPart[A]{origin: slices.Clone(cur.origin), extent: slices.Clone(cur.extent), accs: accs}
		return nil
	}, func(part axisChunkPart[A]) {
		// The chunk's results in C order of its other axes, and their
		// flat indices among the array's results.
		pos := make([]int, nd)
		for _, acc := range part.accs {
			at := 0
			for a := range nd {
				if a != axis {
					at = at*p.shape[a] + part.origin[a] + pos[a]
				}
			}
			op.merge(&totals[at], acc)
			for a := nd - 1; a >= 0; a-- {
				if a == axis {
					continue
				}
				if pos[a]++; pos[a] < part.extent[a] {
					break
				}
				pos[a] = 0
			}
		}
	})
	return totals, plan, err
}

// SumAxisChunks is SumAxis over a chunked array (see the package
// documentation, Chunked stores): one Scalar per position of the other
// axes, with Sum's rules. T must be the element type of src.Descr(), else
// the error wraps mmarray.ErrDTypeMismatch. An axis out of range panics
// with a *memmap.Misuse.
func SumAxisChunks[T Real](ctx context.Context, src ChunkSource, axis int, opts ...Option) (Reduced[Scalar], error) {
	return sumAxisChunks[T](ctx, src, axis, false, opts)
}

// NanSumAxisChunks is NanSumAxis over a chunked array, as SumAxisChunks.
func NanSumAxisChunks[T Real](ctx context.Context, src ChunkSource, axis int, opts ...Option) (Reduced[Scalar], error) {
	return sumAxisChunks[T](ctx, src, axis, true, opts)
}

func sumAxisChunks[T Real](ctx context.Context, src ChunkSource, axis int, skipNaN bool, opts []Option) (Reduced[Scalar], error) {
	switch familyOf[T]() {
	case signedFamily:
		return mapAxisChunks[T](ctx, src, axis, sumIntOp[int64](), opts, func(s int64) Scalar { return scalarOf(s, false) })
	case unsignedFamily:
		isBool := familyIsBool[T]()
		return mapAxisChunks[T](ctx, src, axis, sumIntOp[uint64](), opts, func(s uint64) Scalar { return scalarOf(s, isBool) })
	}
	return mapAxisChunks[T](ctx, src, axis, sumFloatOp(skipNaN), opts, func(s fsum) Scalar { return scalarOf(s.value(), false) })
}

// mapAxisChunks reduces along axis with op and maps each result's
// accumulator to its value.
func mapAxisChunks[T Real, K kernelType, A, R, V any](ctx context.Context, src ChunkSource, axis int, op axisOp[K, A, R], opts []Option,
	value func(A) V) (Reduced[V], error) {
	accs, plan, err := reduceAxisSource[T](ctx, src, axis, op, nil, opts)
	if err != nil {
		return Reduced[V]{}, err
	}
	out := Reduced[V]{Shape: plan.kept, Values: make([]V, len(accs))}
	for i, a := range accs {
		out.Values[i] = value(a)
	}
	return out, nil
}

func momentsAxisChunks[T Real](ctx context.Context, src ChunkSource, axis int, skipNaN bool, opts []Option, value func(moments) float64) (Reduced[float64], error) {
	switch familyOf[T]() {
	case signedFamily:
		return mapAxisChunks[T](ctx, src, axis, momentsOp[int64](skipNaN), opts, value)
	case unsignedFamily:
		return mapAxisChunks[T](ctx, src, axis, momentsOp[uint64](skipNaN), opts, value)
	}
	return mapAxisChunks[T](ctx, src, axis, momentsOp[float64](skipNaN), opts, value)
}

// MeanAxisChunks is MeanAxis over a chunked array, as SumAxisChunks.
func MeanAxisChunks[T Real](ctx context.Context, src ChunkSource, axis int, opts ...Option) (Reduced[float64], error) {
	if familyOf[T]() != floatFamily {
		return momentsAxisChunks[T](ctx, src, axis, false, opts, moments.mean)
	}
	// Floats need only their sums, as MeanAxis takes them.
	var length float64
	r, err := mapAxisChunks[T](ctx, src, axis, sumFloatOp(false), opts, func(s fsum) float64 { return s.value() })
	if err == nil {
		shape := src.Shape()
		length = float64(shape[axisIndex(axis, len(shape))])
		for i := range r.Values {
			r.Values[i] /= length
		}
	}
	return r, err
}

// axisIndex is axis counted from the start, for an axis already checked.
func axisIndex(axis, nd int) int {
	if axis < 0 {
		return axis + nd
	}
	return axis
}

// NanMeanAxisChunks is NanMeanAxis over a chunked array, as SumAxisChunks.
func NanMeanAxisChunks[T Real](ctx context.Context, src ChunkSource, axis int, opts ...Option) (Reduced[float64], error) {
	return momentsAxisChunks[T](ctx, src, axis, true, opts, moments.mean)
}

// VarAxisChunks is VarAxis over a chunked array, as SumAxisChunks.
func VarAxisChunks[T Real](ctx context.Context, src ChunkSource, axis, ddof int, opts ...Option) (Reduced[float64], error) {
	return momentsAxisChunks[T](ctx, src, axis, false, opts, func(m moments) float64 { return m.variance(ddof) })
}

// NanVarAxisChunks is NanVarAxis over a chunked array, as SumAxisChunks.
func NanVarAxisChunks[T Real](ctx context.Context, src ChunkSource, axis, ddof int, opts ...Option) (Reduced[float64], error) {
	return momentsAxisChunks[T](ctx, src, axis, true, opts, func(m moments) float64 { return m.nanVariance(ddof) })
}

// StdAxisChunks is StdAxis over a chunked array, as SumAxisChunks.
func StdAxisChunks[T Real](ctx context.Context, src ChunkSource, axis, ddof int, opts ...Option) (Reduced[float64], error) {
	return momentsAxisChunks[T](ctx, src, axis, false, opts, func(m moments) float64 { return math.Sqrt(m.variance(ddof)) })
}

// NanStdAxisChunks is NanStdAxis over a chunked array, as SumAxisChunks.
func NanStdAxisChunks[T Real](ctx context.Context, src ChunkSource, axis, ddof int, opts ...Option) (Reduced[float64], error) {
	return momentsAxisChunks[T](ctx, src, axis, true, opts, func(m moments) float64 { return math.Sqrt(m.nanVariance(ddof)) })
}

// MinAxisChunks is MinAxis over a chunked array, as SumAxisChunks: an
// empty axis is ErrEmpty.
func MinAxisChunks[T Real](ctx context.Context, src ChunkSource, axis int, opts ...Option) (Reduced[T], error) {
	return extremeAxisChunks[T](ctx, opMin, src, axis, opts)
}

// MaxAxisChunks is MaxAxis over a chunked array, as MinAxisChunks.
func MaxAxisChunks[T Real](ctx context.Context, src ChunkSource, axis int, opts ...Option) (Reduced[T], error) {
	return extremeAxisChunks[T](ctx, opMax, src, axis, opts)
}

func extremeAxisChunks[T Real](ctx context.Context, op extremeOp, src ChunkSource, axis int, opts []Option) (Reduced[T], error) {
	switch familyOf[T]() {
	case signedFamily:
		return pickExtremeAxisChunks[T, int64](ctx, op, src, axis, opts)
	case unsignedFamily:
		return pickExtremeAxisChunks[T, uint64](ctx, op, src, axis, opts)
	}
	return pickExtremeAxisChunks[T, float64](ctx, op, src, axis, opts)
}

func pickExtremeAxisChunks[T Real, K kernelType](ctx context.Context, op extremeOp, src ChunkSource, axis int, opts []Option) (Reduced[T], error) {
	shape := src.Shape()
	if len(shape) > 0 && axis >= -len(shape) && axis < len(shape) && shape[axisIndex(axis, len(shape))] == 0 {
		return Reduced[T]{}, fmt.Errorf("%s along axis %d of a chunked array of shape %v: %w", op, axisIndex(axis, len(shape)), shape, ErrEmpty)
	}
	nat := isTimeType[T]()
	return mapAxisChunks[T](ctx, src, axis, extremesOp[K](nat), opts, func(e extremes[K]) T {
		switch {
		case e.nans > 0 && (op == opMin || op == opMax), e.valid == 0:
			return missing[T, K](nat)
		case op == opMin:
			return fromKernel[T](e.min)
		}
		return fromKernel[T](e.max)
	})
}

// DescribeAxisChunks is DescribeAxis over a chunked array, as
// SumAxisChunks: ArgMin and ArgMax are indices along the axis in the whole
// array, of the first occurrence.
func DescribeAxisChunks[T Real](ctx context.Context, src ChunkSource, axis int, opts ...Option) (Reduced[Stats], error) {
	switch familyOf[T]() {
	case signedFamily:
		return describeAxisChunks[T, int64](ctx, src, axis, opts)
	case unsignedFamily:
		return describeAxisChunks[T, uint64](ctx, src, axis, opts)
	}
	return describeAxisChunks[T, float64](ctx, src, axis, opts)
}

func describeAxisChunks[T Real, K kernelType](ctx context.Context, src ChunkSource, axis int, opts []Option) (Reduced[Stats], error) {
	isBool := familyIsBool[T]()
	accs, plan, err := reduceAxisSource[T](ctx, src, axis, describeOp[K](), func(d *describePart[K], by int) {
		d.extremes.argmin += by
		d.extremes.argmax += by
		d.extremes.firstNaN += by
	}, opts)
	if err != nil {
		return Reduced[Stats]{}, err
	}
	out := Reduced[Stats]{Shape: plan.kept, Values: make([]Stats, len(accs))}
	for i, d := range accs {
		out.Values[i] = statsOf(d, isBool)
	}
	return out, nil
}
