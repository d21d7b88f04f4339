package compute

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/mmarray"
)

// Reduced is the result of a reduction along one axis: one value for each
// position of the view's other axes, as NumPy's a.sum(axis=k) returns an
// array of the other axes' shape.
type Reduced[V any] struct {
	// Shape is the view's shape without the reduced axis (empty for a 1-D
	// view, whose result is a single value).
	Shape []int
	// Values holds the result at each position of Shape, in C order:
	// Values[i] belongs to the flat C-order index i of Shape.
	Values []V
}

// axisPlan says how a view is walked for a reduction along one axis.
type axisPlan struct {
	axis    int   // the reduced axis, non-negative
	kept    []int // the other axes' shape: the result's shape
	outputs int   // the number of results, the product of kept
	length  int   // the reduced axis's length: elements per result
	// inner is true when the reduced axis is the one whose elements lie
	// closest together in memory: each result is then a run of its own,
	// read with the reduced axis last. Otherwise the reduced axis is read
	// first, row by row, each row holding one element of every result.
	inner bool
}

// planAxis normalises axis as NumPy does (negative counts from the end)
// and chooses the walk. An axis out of range is a caller's bug, as NumPy's
// AxisError: it panics with a *memmap.Misuse.
func planAxis[T Real](a *mmarray.Array[T], axis int) axisPlan {
	shape, strides := a.Shape(), a.Strides()
	nd := len(shape)
	if axis < -nd || axis >= nd {
		misuse.Panicf("compute: axis %d is out of range for a view of %d dimensions", axis, nd)
	}
	if axis < 0 {
		axis += nd
	}
	p := axisPlan{axis: axis, outputs: 1, length: shape[axis], inner: true}
	for i, n := range shape {
		if i == axis {
			continue
		}
		p.kept = append(p.kept, n)
		p.outputs *= n
		if n > 1 && abs(strides[i]) < abs(strides[axis]) {
			p.inner = false
		}
	}
	if p.kept == nil {
		p.kept = []int{}
	}
	return p
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// permuted returns the view with the reduced axis moved first (first) or
// last, the other axes keeping their order.
func permuted[T Real](a *mmarray.Array[T], axis int, first bool) *mmarray.Array[T] {
	nd := a.Ndim()
	axes := make([]int, 0, nd)
	if first {
		axes = append(axes, axis)
	}
	for i := range nd {
		if i != axis {
			axes = append(axes, i)
		}
	}
	if !first {
		axes = append(axes, axis)
	}
	return a.Transpose(axes...)
}

// axisOp is one reduction along an axis, over kernel values K. A is the
// per-result accumulator. The inner walk feeds runs of one result's
// elements to run, at being the index along the axis of xs[0] (runs of a
// result come in order); the outer walk feeds row r of the reduced axis,
// one element per result, to row, whose accumulators become A by finish at
// the end of a chunk. Both combine chunks' accumulators with merge, in
// chunk order.
type axisOp[K kernelType, A any, R any] struct {
	run func(acc *A, at int, xs []K)
	row func(accs []R, xs []K, r int)
	// rows, when set, may take the whole rows of a piece at once (xs
	// holds len(xs)/len(accs) rows from row on, each of one element per
	// result): one call per piece, not per row, so that it can keep
	// accumulators in registers over many rows. It reports whether it
	// took them; rows it declines, and rows split across pieces, go to row.
	rows   func(accs []R, xs []K, row int) bool
	finish func(r R) A
	merge  func(dst *A, src A)
}

// innerPart is the partial of one chunk of the inner walk: the
// accumulators of the results first, first+1, ... that the chunk touches.
type innerPart[A any] struct {
	first int
	accs  []A
}

// reduceAxis runs op along p.axis of a and returns the merged accumulator
// of every result, in C order of the kept axes.
func reduceAxis[T Real, K kernelType, A, R any](ctx context.Context, a *mmarray.Array[T], p axisPlan, op axisOp[K, A, R],
	opts []Option) ([]A, error) {
	cfg := newConfig(opts)
	totals := make([]A, p.outputs)
	if p.outputs == 0 || p.length == 0 {
		return totals, ctx.Err()
	}
	if p.inner {
		v := permuted(a, p.axis, false)
		length := p.length
		most := (chunkLen+length-1)/length + 1 // results a chunk can touch
		var acc A
		cfg.partBytes = int64(most) * int64(sizeOf(acc))
		err := walkChunks(ctx, v, cfg, chunkLen, func(part *innerPart[A], start int, xs []K) {
			if part.accs == nil {
				part.first = start / length
				part.accs = make([]A, 0, most)
			}
			for len(xs) > 0 {
				out := start / length
				n := min(len(xs), (out+1)*length-start)
				slot := out - part.first
				if slot == len(part.accs) {
					var zero A
					part.accs = append(part.accs, zero)
				}
				op.run(&part.accs[slot], start-out*length, xs[:n])
				xs, start = xs[n:], start+n
			}
		}, func(part innerPart[A]) {
			for i, acc := range part.accs {
				op.merge(&totals[part.first+i], acc)
			}
		})
		return totals, err
	}

	// The outer walk: chunks of whole rows, each with an accumulator per
	// result; the number of chunks held at once is bounded so that their
	// accumulators stay near a quarter of the memory budget, at most
	// 64 MiB, or one per worker.
	v := permuted(a, p.axis, true)
	k := p.outputs
	rows := max(1, chunkLen/k)
	var r R
	accSize := int64(sizeOf(r))
	cfg.partBytes = int64(k) * accSize
	_, viewBytes := v.ByteRange(0, v.Len())
	accBudget := min(64<<20, cfg.resolveMemory(viewBytes)/4)
	cfg.waveLen = max(cfg.workers, int(min(int64(cfg.waveLen), accBudget/max(1, cfg.partBytes))))
	var (
		mu   sync.Mutex // guards free
		free [][]R      // row accumulators of folded chunks, for reuse
	)
	err := walkChunks(ctx, v, cfg, rows*k, func(part *[]R, start int, xs []K) {
		if *part == nil {
			mu.Lock()
			if n := len(free); n > 0 {
				*part, free = free[n-1], free[:n-1]
			}
			mu.Unlock()
			if *part == nil {
				*part = make([]R, k)
			} else {
				clear(*part)
			}
		}
		accs := *part
		if op.rows != nil && start%k == 0 && len(xs) >= k {
			if whole := len(xs) / k * k; op.rows(accs, xs[:whole], start/k) {
				xs, start = xs[whole:], start+whole
			}
		}
		for len(xs) > 0 {
			col := start % k
			n := min(len(xs), k-col)
			op.row(accs[col:col+n], xs[:n], start/k)
			xs, start = xs[n:], start+n
		}
	}, func(part []R) {
		for i, r := range part {
			op.merge(&totals[i], op.finish(r))
		}
		mu.Lock()
		free = append(free, part)
		mu.Unlock()
	})
	return totals, err
}

// sumIntOp is the integer sum along an axis: exact, wrapping around.
func sumIntOp[K int64 | uint64]() axisOp[K, K, K] {
	return axisOp[K, K, K]{
		run: func(acc *K, _ int, xs []K) { *acc += sumWrapping(xs) },
		row: func(accs []K, xs []K, _ int) {
			accs = accs[:len(xs)]
			for i, x := range xs {
				accs[i] += x
			}
		},
		finish: func(r K) K { return r },
		merge:  func(dst *K, src K) { *dst += src },
	}
}

// rowBlock is the number of rows whose elements a result's rowSum adds
// plainly before adding their sum to its compensated total: 16, so that
// the plain additions' error stays within Sum's bound (fewer roundings
// than a block of sumFloats) while most additions are one instruction.
const rowBlock = 16

// rowSum is a float sum fed one element per row in the outer walk: plain
// additions within blocks of rowBlock rows, compensated across them.
type rowSum struct {
	total fsum
	block float64
}

// endBlock adds the block's sum to the total and starts a new block. The
// outer walk ends blocks at rows that are multiples of rowBlock: each
// result sees one element per row, and rows do not depend on the workers.
func (s *rowSum) endBlock() {
	s.total.add(s.block)
	s.block = 0
}

func (s rowSum) sum() fsum {
	s.endBlock()
	return s.total
}

// sumFloatOp is the compensated float sum along an axis; with skipNaN,
// NaNs count as zero (np.nansum).
func sumFloatOp(skipNaN bool) axisOp[float64, fsum, rowSum] {
	return axisOp[float64, fsum, rowSum]{
		run: func(acc *fsum, _ int, xs []float64) {
			if skipNaN {
				s, _ := sumNonNaN(xs)
				acc.merge(s)
			} else {
				acc.merge(sumFloats(xs))
			}
		},
		row: func(accs []rowSum, xs []float64, r int) {
			accs = accs[:len(xs)]
			if r%rowBlock == 0 {
				for i := range accs {
					accs[i].endBlock()
				}
			}
			if skipNaN {
				for i, x := range xs {
					if x == x {
						accs[i].block += x
					}
				}
				return
			}
			for i, x := range xs {
				accs[i].block += x
			}
		},
		rows: func(accs []rowSum, xs []float64, row int) bool {
			// As momentsOp's: without NaNs, the nan-variant's path and
			// result are the plain one's.
			if skipNaN && slices.ContainsFunc(xs, math.IsNaN) {
				return false
			}
			addRowSums(accs, xs, row)
			return true
		},
		finish: rowSum.sum,
		merge:  func(dst *fsum, src fsum) { dst.merge(src) },
	}
}

// addRowSums adds the whole rows in xs (len(accs) elements each, from row
// on) to the sums, with the additions row's walk would make: plain
// additions within blocks of rowBlock rows that start at multiples of
// rowBlock, each block added to the total when the next starts. So
// SumAxis is the same whichever path its rows take.
func addRowSums(accs []rowSum, xs []float64, row int) {
	k := len(accs)
	// The rows before the first block's start continue the open block.
	for ; row%rowBlock != 0 && len(xs) >= k; row++ {
		for c, x := range xs[:k] {
			accs[c].block += x
		}
		xs = xs[k:]
	}
	sums := make([]float64, k) // once a piece
	for len(xs) > 0 {
		n := min(len(xs), rowBlock*k)
		addRowBlockSums(sums, xs[:n])
		for c, b := range sums {
			accs[c].endBlock()
			accs[c].block = b
		}
		xs = xs[n:]
	}
}

// rowMoments accumulates one result's elements one at a time in the outer
// walk: their sum, for the mean, and the sums of their deviations from a
// shift, the first of them, for the squared deviations from their mean in
// one pass without the cancellation of Σx²-(Σx)²/n.
type rowMoments struct {
	sum    rowSum
	n      int64
	shift  float64
	s1, s2 float64
	// whole holds the moments of the pieces of whole rows that
	// addRowMoments took, merged in order; piece is its scratch, the
	// current piece's sum.
	whole moments
	piece fsum
}

// add adds one element; the caller ends the sum's blocks.
func (r *rowMoments) add(x float64) {
	if r.n == 0 {
		r.shift = x
	}
	r.n++
	r.sum.block += x
	d := x - r.shift
	r.s1 += d
	r.s2 += d * d
}

func (r rowMoments) moments() moments {
	m := moments{n: r.n, sum: r.sum.sum()}
	if r.n > 0 {
		// Rounding may leave the difference a little below zero; max keeps
		// a NaN.
		m.m2 = max(r.s2-r.s1*r.s1/float64(r.n), 0)
	}
	whole := r.whole
	whole.merge(m)
	return whole
}

// addRowMoments merges into each result's whole moments those of its
// elements in xs, whole rows of len(accs) elements, in two passes over
// the piece (at most a chunk, in cache) as momentsOf: each result's sum,
// plain within blocks of rowBlock rows and compensated across them (in
// the result's piece), then its squared deviations from the piece's mean.
// The first pass, the one that brings the piece from memory, reads it in
// order, block after block; within a block, results are taken four at a
// time, each in its own register over the block's rows, so that both
// loops do one addition per element and call nothing.
func addRowMoments[K kernelType](accs []rowMoments, xs []K) {
	k := len(accs)
	rows := len(xs) / k
	for c := range accs {
		accs[c].piece = fsum{}
	}
	sums := make([]float64, k) // once a piece
	for r0 := 0; r0 < rows; r0 += rowBlock {
		addRowBlockSums(sums, xs[r0*k:min(rows, r0+rowBlock)*k])
		for c, b := range sums {
			accs[c].piece.add(b)
		}
	}
	n := float64(rows)
	c := 0
	if f, ok := any(xs).([]float64); ok && hasAVX2 {
		for ; c+8 <= k; c += 8 {
			a := accs[c : c+8 : c+8]
			var m, d [8]float64
			for j := range m {
				m[j] = a[j].piece.value() / n
			}
			columnDeviations8AVX2(columns8(f[c:], k, rows), k, rows, &m, &d)
			for j := range d {
				a[j].whole.merge(moments{n: int64(rows), sum: a[j].piece, m2: d[j]})
			}
		}
	}
	for ; c+8 <= k; c += 8 {
		a := accs[c : c+8 : c+8]
		var m [8]float64
		for j := range m {
			m[j] = a[j].piece.value() / n
		}
		var d0, d1, d2, d3, d4, d5, d6, d7 float64
		for i := c; i < rows*k; i += k {
			x := xs[i : i+8 : i+8]
			e0, e1, e2, e3 := float64(x[0])-m[0], float64(x[1])-m[1], float64(x[2])-m[2], float64(x[3])-m[3]
			d0 += e0 * e0
			d1 += e1 * e1
			d2 += e2 * e2
			d3 += e3 * e3
			e4, e5, e6, e7 := float64(x[4])-m[4], float64(x[5])-m[5], float64(x[6])-m[6], float64(x[7])-m[7]
			d4 += e4 * e4
			d5 += e5 * e5
			d6 += e6 * e6
			d7 += e7 * e7
		}
		for j, d := range [8]float64{d0, d1, d2, d3, d4, d5, d6, d7} {
			a[j].whole.merge(moments{n: int64(rows), sum: a[j].piece, m2: d})
		}
	}
	for ; c+4 <= k; c += 4 {
		a := accs[c : c+4 : c+4]
		m0, m1, m2, m3 := a[0].piece.value()/n, a[1].piece.value()/n, a[2].piece.value()/n, a[3].piece.value()/n
		var d0, d1, d2, d3 float64
		for i := c; i < rows*k; i += k {
			x := xs[i : i+4 : i+4]
			e0, e1, e2, e3 := float64(x[0])-m0, float64(x[1])-m1, float64(x[2])-m2, float64(x[3])-m3
			d0 += e0 * e0
			d1 += e1 * e1
			d2 += e2 * e2
			d3 += e3 * e3
		}
		a[0].whole.merge(moments{n: int64(rows), sum: a[0].piece, m2: d0})
		a[1].whole.merge(moments{n: int64(rows), sum: a[1].piece, m2: d1})
		a[2].whole.merge(moments{n: int64(rows), sum: a[2].piece, m2: d2})
		a[3].whole.merge(moments{n: int64(rows), sum: a[3].piece, m2: d3})
	}
	for ; c < k; c++ {
		m := accs[c].piece.value() / n
		var d float64
		for i := c; i < rows*k; i += k {
			e := float64(xs[i]) - m
			d += e * e
		}
		accs[c].whole.merge(moments{n: int64(rows), sum: accs[c].piece, m2: d})
	}
}

// addRowBlockSums sets sums to the plain sums of each column of the rows in
// xs (len(sums) columns; at most rowBlock rows). Columns are taken eight, then four at a time, each in
// its own register over the rows, so that the additions of different
// columns overlap and nothing is called per element.
func addRowBlockSums[K kernelType](sums []float64, xs []K) {
	k := len(sums)
	c := 0
	if f, ok := any(xs).([]float64); ok && hasAVX2 && k >= 8 {
		rows := len(f) / k
		for ; c+8 <= k; c += 8 {
			columnSums8AVX2(columns8(f[c:], k, rows), k, rows, (*[8]float64)(sums[c:c+8]))
		}
	}
	for ; c+8 <= k; c += 8 {
		var b0, b1, b2, b3, b4, b5, b6, b7 float64
		for i := c; i < len(xs); i += k {
			x := xs[i : i+8 : i+8]
			b0 += float64(x[0])
			b1 += float64(x[1])
			b2 += float64(x[2])
			b3 += float64(x[3])
			b4 += float64(x[4])
			b5 += float64(x[5])
			b6 += float64(x[6])
			b7 += float64(x[7])
		}
		s := sums[c : c+8 : c+8]
		s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7] = b0, b1, b2, b3, b4, b5, b6, b7
	}
	for ; c+4 <= k; c += 4 {
		var b0, b1, b2, b3 float64
		for i := c; i < len(xs); i += k {
			x := xs[i : i+4 : i+4]
			b0 += float64(x[0])
			b1 += float64(x[1])
			b2 += float64(x[2])
			b3 += float64(x[3])
		}
		s := sums[c : c+4 : c+4]
		s[0], s[1], s[2], s[3] = b0, b1, b2, b3
	}
	for ; c < k; c++ {
		var b float64
		for i := c; i < len(xs); i += k {
			b += float64(xs[i])
		}
		sums[c] = b
	}
}

// columns8 returns xs cut to the eight elements at the start of each of
// rows rows stride elements apart, what the eight-column assembly loops
// read, and panics (as an index out of range) if xs does not hold them.
func columns8(xs []float64, stride, rows int) []float64 {
	if rows == 0 {
		return xs[:0]
	}
	return xs[:(rows-1)*stride+8]
}

// momentsOp gives each result's moments; with skipNaN, NaNs are left out
// (np.nanmean, np.nanvar).
func momentsOp[K kernelType](skipNaN bool) axisOp[K, moments, rowMoments] {
	rows := func(accs []rowMoments, xs []K, _ int) bool {
		// Without NaNs, the nan-variants take the same path as the plain
		// ones, and so the same result bit for bit; a piece with a NaN
		// goes row by row, leaving the NaNs out.
		if skipNaN {
			for _, x := range xs {
				if x != x {
					return false
				}
			}
		}
		addRowMoments(accs, xs)
		return true
	}
	return axisOp[K, moments, rowMoments]{
		rows: rows,
		run:  func(acc *moments, _ int, xs []K) { acc.merge(momentsOf(xs, skipNaN)) },
		row: func(accs []rowMoments, xs []K, row int) {
			accs = accs[:len(xs)]
			if row%rowBlock == 0 {
				for i := range accs {
					accs[i].sum.endBlock()
				}
			}
			if skipNaN {
				for i, x := range xs {
					if x == x {
						accs[i].add(float64(x))
					}
				}
				return
			}
			for i, x := range xs {
				accs[i].add(float64(x))
			}
		},
		finish: rowMoments.moments,
		merge:  func(dst *moments, src moments) { dst.merge(src) },
	}
}

// extremesOp gives each result's extremes, with their indices along the
// axis; nat is extremes.scan's.
func extremesOp[K kernelType](nat bool) axisOp[K, extremes[K], extremes[K]] {
	return axisOp[K, extremes[K], extremes[K]]{
		run: func(acc *extremes[K], at int, xs []K) { acc.scan(at, xs, nat) },
		row: func(accs []extremes[K], xs []K, r int) {
			accs = accs[:len(xs)]
			for i, x := range xs {
				if e := &accs[i]; e.within(x) {
					e.valid++
				} else {
					e.add(r, x, nat)
				}
			}
		},
		finish: func(e extremes[K]) extremes[K] { return e },
		merge:  func(dst *extremes[K], src extremes[K]) { dst.merge(src) },
	}
}

// SumAxis sums the view along axis, as np.sum(a, axis=axis): one Scalar per
// position of the other axes, of Sum's kind and with Sum's rules (exact,
// wrapping integers; compensated floats; zero where the axis is empty).
// A negative axis counts from the end; an axis out of range panics with a
// *memmap.Misuse, as NumPy raises AxisError.
func SumAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[Scalar], error) {
	return sumAxis(ctx, a, axis, false, opts)
}

func sumAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, skipNaN bool, opts []Option) (Reduced[Scalar], error) {
	p := planAxis(a, axis)
	out := Reduced[Scalar]{Shape: p.kept, Values: make([]Scalar, p.outputs)}
	switch familyOf[T]() {
	case signedFamily:
		totals, err := reduceAxis(ctx, a, p, sumIntOp[int64](), opts)
		if err != nil {
			return Reduced[Scalar]{}, err
		}
		for i, s := range totals {
			out.Values[i] = scalarOf(s, false)
		}
	case unsignedFamily:
		totals, err := reduceAxis(ctx, a, p, sumIntOp[uint64](), opts)
		if err != nil {
			return Reduced[Scalar]{}, err
		}
		isBool := familyIsBool[T]()
		for i, s := range totals {
			out.Values[i] = scalarOf(s, isBool)
		}
	default:
		totals, err := reduceAxis(ctx, a, p, sumFloatOp(skipNaN), opts)
		if err != nil {
			return Reduced[Scalar]{}, err
		}
		for i, s := range totals {
			out.Values[i] = scalarOf(s.value(), false)
		}
	}
	return out, nil
}

// momentsAlong reduces the view along axis to each result's moments,
// leaving NaNs out with skipNaN.
func momentsAlong[T Real](ctx context.Context, a *mmarray.Array[T], axis int, skipNaN bool, opts []Option) ([]moments, []int, error) {
	p := planAxis(a, axis)
	var ms []moments
	var err error
	switch familyOf[T]() {
	case signedFamily:
		ms, err = reduceAxis(ctx, a, p, momentsOp[int64](skipNaN), opts)
	case unsignedFamily:
		ms, err = reduceAxis(ctx, a, p, momentsOp[uint64](skipNaN), opts)
	default:
		ms, err = reduceAxis(ctx, a, p, momentsOp[float64](skipNaN), opts)
	}
	return ms, p.kept, err
}

func mapMoments[T Real](ctx context.Context, a *mmarray.Array[T], axis int, skipNaN bool, opts []Option, f func(moments) float64) (Reduced[float64], error) {
	ms, kept, err := momentsAlong(ctx, a, axis, skipNaN, opts)
	if err != nil {
		return Reduced[float64]{}, err
	}
	out := Reduced[float64]{Shape: kept, Values: make([]float64, len(ms))}
	for i, m := range ms {
		out.Values[i] = f(m)
	}
	return out, nil
}

// MeanAxis is Mean along axis, as np.mean(a, axis=axis): NaN where the axis
// is empty or holds a NaN. Axes are as SumAxis's.
func MeanAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[float64], error) {
	if familyOf[T]() != floatFamily {
		return mapMoments(ctx, a, axis, false, opts, moments.mean)
	}
	// Floats need only their sums, as SumAxis adds them: one pass without
	// the deviations the moments add.
	p := planAxis(a, axis)
	totals, err := reduceAxis(ctx, a, p, sumFloatOp(false), opts)
	if err != nil {
		return Reduced[float64]{}, err
	}
	out := Reduced[float64]{Shape: p.kept, Values: make([]float64, len(totals))}
	for i, s := range totals {
		out.Values[i] = s.value() / float64(p.length)
	}
	return out, nil
}

// VarAxis is Var along axis with ddof delta degrees of freedom, as
// np.var(a, axis=axis, ddof=ddof), with Var's rules for n-ddof <= 0. Axes
// are as SumAxis's.
func VarAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis, ddof int, opts ...Option) (Reduced[float64], error) {
	return mapMoments(ctx, a, axis, false, opts, func(m moments) float64 { return m.variance(ddof) })
}

// StdAxis is the square root of VarAxis, as np.std(a, axis=axis, ddof=ddof).
func StdAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis, ddof int, opts ...Option) (Reduced[float64], error) {
	return mapMoments(ctx, a, axis, false, opts, func(m moments) float64 { return math.Sqrt(m.variance(ddof)) })
}

// MeanStdAxis is MeanAxis and StdAxis together, in one pass over the view
// where the two calls make two: the per-column mean and standard deviation
// of a table, the analytics user's first question. The standard deviations
// are StdAxis's bit for bit; the means are each result's moments' sum over
// its count, which may differ from MeanAxis's in the last bit for floats
// (MeanAxis adds the same elements without the moments' deviations, in its
// own blocks). Axes and ddof are as StdAxis's.
func MeanStdAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis, ddof int, opts ...Option) (means, stds Reduced[float64], err error) {
	ms, kept, err := momentsAlong(ctx, a, axis, false, opts)
	if err != nil {
		return Reduced[float64]{}, Reduced[float64]{}, err
	}
	means = Reduced[float64]{Shape: kept, Values: make([]float64, len(ms))}
	stds = Reduced[float64]{Shape: slices.Clone(kept), Values: make([]float64, len(ms))}
	for i, m := range ms {
		means.Values[i] = m.mean()
		stds.Values[i] = math.Sqrt(m.variance(ddof))
	}
	return means, stds, nil
}

// MinAxis is Min along axis, as np.min(a, axis=axis): NaN where the axis
// holds a NaN (NaT where it holds a NaT). An empty axis has no minimum: the error wraps ErrEmpty, as
// NumPy raises ValueError, even where there are no results. Axes are as
// SumAxis's.
func MinAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[T], error) {
	return extremeAxis(ctx, opMin, a, axis, opts)
}

// MaxAxis is MinAxis for the largest element, as np.max(a, axis=axis).
func MaxAxis[T Real](ctx context.Context, a *mmarray.Array[T], axis int, opts ...Option) (Reduced[T], error) {
	return extremeAxis(ctx, opMax, a, axis, opts)
}

func extremeAxis[T Real](ctx context.Context, op extremeOp, a *mmarray.Array[T], axis int, opts []Option) (Reduced[T], error) {
	switch familyOf[T]() {
	case signedFamily:
		return pickExtremeAxis[T, int64](ctx, op, a, axis, opts)
	case unsignedFamily:
		return pickExtremeAxis[T, uint64](ctx, op, a, axis, opts)
	}
	return pickExtremeAxis[T, float64](ctx, op, a, axis, opts)
}

func pickExtremeAxis[T Real, K kernelType](ctx context.Context, op extremeOp, a *mmarray.Array[T], axis int, opts []Option) (Reduced[T], error) {
	p := planAxis(a, axis)
	if p.length == 0 {
		return Reduced[T]{}, fmt.Errorf("%s along axis %d of shape %v: %w", op, p.axis, a.Shape(), ErrEmpty)
	}
	nat := isTimeType[T]()
	es, err := reduceAxis(ctx, a, p, extremesOp[K](nat), opts)
	if err != nil {
		return Reduced[T]{}, err
	}
	out := Reduced[T]{Shape: p.kept, Values: make([]T, len(es))}
	for i, e := range es {
		switch {
		case e.nans > 0 && (op == opMin || op == opMax), e.valid == 0:
			out.Values[i] = missing[T, K](nat)
		case op == opMin || op == opNanMin:
			out.Values[i] = fromKernel[T](e.min)
		default:
			out.Values[i] = fromKernel[T](e.max)
		}
	}
	return out, nil
}
