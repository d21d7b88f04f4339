package compute

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/mmarray"
)

// Hist is a histogram: Counts[i] elements fell in [Edges[i], Edges[i+1]),
// the last bin [Edges[n-1], Edges[n]] closed, as np.histogram returns them.
type Hist struct {
	Counts []int64
	Edges  []float64
}

// Histogram counts the view's elements in bins equal-width bins spanning its
// smallest to its largest element, as np.histogram(a, bins): the range is
// the data's minimum and maximum (0 and 1 for an empty view; widened by 0.5
// either side where they are equal), the edges are NumPy's (np.linspace in
// float64, rounded to NumPy's bin dtype: the element type for Float16 and
// float32, float64 for integers), and each element's bin is computed as
// NumPy computes it, in the same precision, corrections included, so the
// counts are NumPy's exactly. NaN or an infinity in the view gives an error
// wrapping ErrNotFinite (NumPy raises ValueError). bins < 1 panics.
//
// Bool elements count as 0 and 1 (np.histogram refuses bools).
func Histogram[T Real](ctx context.Context, a *mmarray.Array[T], bins int, opts ...Option) (Hist, error) {
	if bins < 1 {
		misuse.Panicf("compute: Histogram with %d bins: bins must be positive", bins)
	}
	cfg := newConfig(opts)
	switch familyOf[T]() {
	case signedFamily:
		return autoHistogram[T, int64](ctx, a, bins, cfg)
	case unsignedFamily:
		return autoHistogram[T, uint64](ctx, a, bins, cfg)
	}
	return autoHistogram[T, float64](ctx, a, bins, cfg)
}

// HistogramRange is Histogram over the range [lo, hi] instead of the data's,
// as np.histogram(a, bins, range=(lo, hi)): elements outside it and NaNs are
// left out. The bin dtype is NumPy's for a range of Python floats: float64
// for integers, and for Float16 and float32 the element type unless lo or hi
// does not fit it (NumPy's value-based casting). lo > hi, a NaN or infinite
// bound, or bins < 1 panics.
func HistogramRange[T Real](ctx context.Context, a *mmarray.Array[T], bins int, lo, hi float64, opts ...Option) (Hist, error) {
	if bins < 1 {
		misuse.Panicf("compute: HistogramRange with %d bins: bins must be positive", bins)
	}
	if !(lo <= hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		misuse.Panicf("compute: HistogramRange over [%v, %v]: the range must be finite, with lo <= hi", lo, hi)
	}
	u := explicitBinning[T](bins, lo, hi)
	return countUniform[T](ctx, a, u, newConfig(opts))
}

// HistogramEdges counts the view's elements in the bins between consecutive
// edges, as np.histogram(a, bins=edges): edges must not decrease; the last
// bin includes its right edge; a bin between equal edges is empty except
// that the last one counts elements equal to its edge. Elements outside the
// edges and NaNs are left out. Elements are compared with the edges as
// float64s, as NumPy compares them. No edges, a NaN edge or decreasing
// edges panic; one edge makes no bins.
func HistogramEdges[T Real](ctx context.Context, a *mmarray.Array[T], edges []float64, opts ...Option) (Hist, error) {
	if len(edges) == 0 {
		misuse.Panicf("compute: HistogramEdges without edges")
	}
	for i, e := range edges {
		if math.IsNaN(e) || i > 0 && e < edges[i-1] {
			misuse.Panicf("compute: HistogramEdges: edges must increase monotonically (edge %d is %v)", i, e)
		}
	}
	h := Hist{Counts: make([]int64, len(edges)-1), Edges: slices.Clone(edges)}
	if len(h.Counts) == 0 {
		return h, ctx.Err()
	}
	cfg := newConfig(opts)
	var err error
	switch familyOf[T]() {
	case signedFamily:
		err = countBins(ctx, a, cfg, len(h.Counts), func(c []int64, xs []int64) { countEdges(c, h.Edges, xs) }, h.Counts)
	case unsignedFamily:
		err = countBins(ctx, a, cfg, len(h.Counts), func(c []int64, xs []uint64) { countEdges(c, h.Edges, xs) }, h.Counts)
	default:
		err = countBins(ctx, a, cfg, len(h.Counts), func(c []int64, xs []float64) { countEdges(c, h.Edges, xs) }, h.Counts)
	}
	if err != nil {
		return Hist{}, err
	}
	return h, nil
}

// countEdges adds each element's bin by binary search of the edges, with
// np.histogram's rule (np.searchsorted 'left' on every edge but the last,
// 'right' on the last).
func countEdges[K kernelType](counts []int64, edges []float64, xs []K) {
	last := len(edges) - 1
	lo, hi := edges[0], edges[last]
	for _, k := range xs {
		x := float64(k)
		if !(x >= lo && x <= hi) {
			continue
		}
		// Binary search for the number of edges <= x; less one, it is the
		// last edge at or below x (x >= edges[0], so one at least).
		i, j := 1, len(edges)
		for i < j {
			h := int(uint(i+j) >> 1)
			if edges[h] <= x {
				i = h + 1
			} else {
				j = h
			}
		}
		j = i - 1
		if j == last {
			j = last - 1 // x equals the last edge: the last bin is closed
		}
		counts[j]++
	}
}

// countBins walks the view in storage order (counts do not depend on the
// order) and adds each chunk's counts, made by count into a fresh slice of
// nbins counters, into total. A chunk holds at least nbins elements, so
// that adding its counts costs at most one addition per element, and the
// chunks in flight are limited so that their counters stay within
// partialsBudget bytes.
func countBins[T Real, K kernelType](ctx context.Context, a *mmarray.Array[T], cfg config, nbins int,
	count func(counts []int64, xs []K), total []int64) error {
	cfg = boundWave(cfg, int64(nbins)*8)
	return walkChunks(ctx, a.StorageOrder(), cfg, chunkElemsFor(nbins),
		func(p *[]int64, _ int, xs []K) {
			if *p == nil {
				*p = make([]int64, nbins)
			}
			count(*p, xs)
		},
		func(p []int64) {
			for i, c := range p {
				total[i] += c
			}
		})
}

// partialsBudget bounds the bytes of the per-chunk partial results that
// Histogram, Bincount, TopK and BottomK hold at once (beyond one chunk's,
// which every wave holds).
const partialsBudget = 64 << 20

// boundWave limits the chunks of a wave so that their partial results, of
// partialBytes each, stay within partialsBudget, with at least one chunk
// per wave. The number of workers does not enter: it changes no result,
// and a wave shorter than the workers only leaves some of them idle.
func boundWave(cfg config, partialBytes int64) config {
	if partialBytes > 0 {
		cfg.waveLen = int(max(1, min(int64(cfg.waveLen), partialsBudget/partialBytes)))
	}
	return cfg
}

// chunkElemsFor is the chunk size for a result of n bins: chunkLen, or n
// rounded up to a multiple of chunkLen where n is larger.
func chunkElemsFor(n int) int {
	return max(chunkLen, (n+chunkLen-1)/chunkLen*chunkLen)
}

// precision is a floating-point format NumPy computes a histogram in.
type precision uint8

const (
	half   precision = iota // float16
	single                  // float32
	double                  // float64
)

// round rounds v to p, as NumPy's cast to that dtype does.
func (p precision) round(v float64) float64 {
	switch p {
	case half:
		return mmarray.Float16FromFloat64(v).Float64()
	case single:
		return float64(float32(v))
	}
	return v
}

// minScalarPrecision is the precision np.min_scalar_type gives a float:
// half for magnitudes below 65000 (and for infinities and NaN), single
// below 3.4e38, else double. NumPy's value-based casting computes a float
// array with a float scalar in the wider of the array's dtype and this.
func minScalarPrecision(v float64) precision {
	switch {
	case v > -65000 && v < 65000 || math.IsInf(v, 0) || math.IsNaN(v):
		return half
	case v > -3.4e38 && v < 3.4e38:
		return single
	}
	return double
}

// elementPrecision is the precision of T's elements: half for Float16,
// single for float32, double for float64 and for the integers, which
// NumPy bins as float64.
func elementPrecision[T Real]() precision {
	t := reflect.TypeFor[T]()
	switch {
	case t == float16Type:
		return half
	case t.Kind() == reflect.Float32:
		return single
	}
	return double
}

// uniformBinning is np.histogram's arithmetic for equal bins: the edges,
// and the terms and precisions of its index computation
// (numpy/lib/histograms.py, the "fast algorithm for equal bins").
type uniformBinning struct {
	n       int
	edges   []float64 // n+1 edges in the bin precision, as np.linspace gives them
	keepLo  float64   // the range's ends in the precision NumPy compares elements with them
	keepHi  float64
	first   float64   // the first edge in the bin precision, subtracted from each element
	norm    float64   // bins per unit of range, in mulPrecision
	binPrec precision // the bin dtype: edges and differences
	mulPrec precision // the product's: the bin dtype, or wider for a norm out of its range
}

// newUniformBinning makes NumPy's binning for n bins from first to last,
// values of NumPy's first_edge and last_edge. typed says they are NumPy
// scalars of the element type (a float range taken from the data), in
// which case NumPy computes the norm n/(last-first) in that type;
// otherwise they are float64s (a range given, or widened by 0.5) and so is
// the norm.
func newUniformBinning[T Real](n int, first, last float64, typed bool) uniformBinning {
	elem := elementPrecision[T]()
	isFloat := familyOf[T]() == floatFamily
	u := uniformBinning{n: n, binPrec: double, keepLo: first, keepHi: last}
	if isFloat {
		// np.result_type(first_edge, last_edge, a), value-based; an
		// integer array with float scalars is float64.
		u.binPrec = max(elem, minScalarPrecision(first), minScalarPrecision(last))
		// a >= first_edge compares in the wider of a's dtype and the
		// scalar's minimal one.
		u.keepLo = max(elem, minScalarPrecision(first)).round(first)
		u.keepHi = max(elem, minScalarPrecision(last)).round(last)
	}
	if typed && isFloat {
		// n / _unsigned_subtract(last_edge, first_edge) in the element
		// type: the difference rounded to it, n converted to it, and the
		// quotient rounded to it (float16 arithmetic is float32 arithmetic
		// rounded to float16, as NumPy's).
		if elem == double {
			u.norm = float64(n) / (last - first)
		} else {
			diff := elem.round(float64(float32(last) - float32(first)))
			u.norm = elem.round(float64(float32(elem.round(float64(n))) / float32(diff)))
		}
		u.mulPrec = elem
	} else {
		u.norm = float64(n) / (last - first)
		u.mulPrec = max(u.binPrec, minScalarPrecision(u.norm))
		u.norm = u.mulPrec.round(u.norm)
	}
	u.first = u.binPrec.round(first)
	u.edges = linspaceEdges(first, last, n, u.binPrec)
	return u
}

// linspaceEdges is np.linspace(first, last, n+1).astype(p): computed in
// float64 as i*step + first, step = (last-first)/n (i/n*delta where the
// step underflows to zero), the last edge last itself, each rounded to p.
// The conversions keep each operation rounded by itself, not fused.
func linspaceEdges(first, last float64, n int, p precision) []float64 {
	edges := make([]float64, n+1)
	delta := last - first
	step := delta / float64(n)
	for i := range edges {
		var y float64
		if step == 0 {
			y = float64(float64(float64(i)/float64(n))*delta) + first
		} else {
			y = float64(float64(i)*step) + first
		}
		edges[i] = p.round(y)
	}
	edges[n] = p.round(last)
	return edges
}

// explicitBinning is NumPy's binning for a range given as Python floats.
func explicitBinning[T Real](bins int, lo, hi float64) uniformBinning {
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	return newUniformBinning[T](bins, lo, hi, false)
}

// autoHistogram is Histogram: the range from the data's extremes, then the
// counts.
func autoHistogram[T Real, K kernelType](ctx context.Context, a *mmarray.Array[T], bins int, cfg config) (Hist, error) {
	e, err := dataExtremes[T, K](ctx, a, cfg)
	if err != nil {
		return Hist{}, err
	}
	var u uniformBinning
	switch {
	case e.valid+e.nans == 0:
		// np.histogram of an empty array spans 0 to 1 (Python ints, which
		// do not widen the element type).
		u = newUniformBinning[T](bins, 0, 1, false)
	case e.nans > 0 || math.IsInf(float64(e.min), 0) || math.IsInf(float64(e.max), 0):
		lo, hi := float64(e.min), float64(e.max)
		if e.nans > 0 {
			lo, hi = math.NaN(), math.NaN()
		}
		return Hist{}, fmt.Errorf("histogram of shape %v: autodetected range of [%v, %v]: %w", a.Shape(), lo, hi, ErrNotFinite)
	case e.min == e.max:
		// first_edge - 0.5 on a NumPy scalar is a float64.
		u = newUniformBinning[T](bins, float64(e.min)-0.5, float64(e.max)+0.5, false)
	case familyOf[T]() == floatFamily:
		u = newUniformBinning[T](bins, float64(e.min), float64(e.max), true)
	default:
		// Integer extremes: NumPy subtracts them as unsigned integers,
		// exactly, and divides n by the difference in float64.
		u = newUniformBinning[T](bins, float64(e.min), float64(e.max), false)
		u.norm = float64(bins) / float64(uint64(e.max)-uint64(e.min))
	}
	return countUniform(ctx, a, u, cfg)
}

// dataExtremes reduces the view to its extremes, in storage order.
func dataExtremes[T Real, K kernelType](ctx context.Context, a *mmarray.Array[T], cfg config) (extremes[K], error) {
	var e extremes[K]
	err := reduceChunks(ctx, a, cfg, anyOrder, func(p *extremes[K], start int, xs []K) { p.scan(start, xs, false) }, e.merge)
	return e, err
}

// countUniform counts the view in u's bins.
func countUniform[T Real](ctx context.Context, a *mmarray.Array[T], u uniformBinning, cfg config) (Hist, error) {
	h := Hist{Counts: make([]int64, u.n), Edges: u.edges}
	var err error
	switch familyOf[T]() {
	case signedFamily:
		err = countBins(ctx, a, cfg, u.n, func(c []int64, xs []int64) { countUniformPiece(&u, c, xs) }, h.Counts)
	case unsignedFamily:
		err = countBins(ctx, a, cfg, u.n, func(c []int64, xs []uint64) { countUniformPiece(&u, c, xs) }, h.Counts)
	default:
		err = countBins(ctx, a, cfg, u.n, func(c []int64, xs []float64) { countUniformPiece(&u, c, xs) }, h.Counts)
	}
	if err != nil {
		return Hist{}, err
	}
	return h, nil
}

// countUniformPiece adds the elements' bins to counts. In each of the
// loops, specialised by precision, an element is kept if it is within the
// range, its bin is (x - first) * norm truncated, corrected against the
// edges once down and once up, as NumPy does (its arithmetic may be off by
// one within an ulp of an edge). Where NumPy's own index would leave the
// bins (it then raises IndexError or ValueError), the nearest bin is
// taken.
func countUniformPiece[K kernelType](u *uniformBinning, counts []int64, xs []K) {
	n, edges := u.n, u.edges
	lo, hi := u.keepLo, u.keepHi
	// fix corrects a computed bin i of element x as NumPy does.
	fix := func(x float64, i int) int {
		if i >= n {
			i = n - 1
		} else if i < 0 {
			i = 0
		}
		if x < edges[i] && i > 0 {
			i--
		}
		if i != n-1 && x >= edges[i+1] {
			i++
		}
		return i
	}
	switch {
	case u.binPrec == double:
		first, norm := u.first, u.norm
		for _, k := range xs {
			x := float64(k)
			if !(x >= lo && x <= hi) {
				continue
			}
			counts[fix(x, int(float64(x-first)*norm))]++
		}
	case u.binPrec == single && u.mulPrec == single:
		first, norm := float32(u.first), float32(u.norm)
		for _, k := range xs {
			x := float64(k)
			if !(x >= lo && x <= hi) {
				continue
			}
			counts[fix(x, int(float32(float32(x)-first)*norm))]++
		}
	default:
		for _, k := range xs {
			x := float64(k)
			if !(x >= lo && x <= hi) {
				continue
			}
			counts[fix(x, int(u.scaled(x)))]++
		}
	}
}

// scaled is (x - first) * norm for the precisions the fast loops of
// countUniformPiece leave out, each operation rounded as NumPy rounds it:
// float16 arithmetic is float32 arithmetic rounded to float16.
func (u *uniformBinning) scaled(x float64) float64 {
	var d float64
	if u.binPrec == double {
		d = x - u.first
	} else {
		d = u.binPrec.round(float64(float32(x) - float32(u.first)))
	}
	if u.mulPrec == double {
		return d * u.norm
	}
	return u.mulPrec.round(float64(float32(d) * float32(u.norm)))
}
