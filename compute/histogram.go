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
	u, err := dataBinning(ctx, a, bins, cfg)
	if err != nil {
		return Hist{}, err
	}
	return countUniform(ctx, a, u, cfg)
}

// HistogramWeighted is Histogram summing weights instead of counting, as
// np.histogram(a, bins, weights=weights): each bin's sum, in float64, of
// the weights at the positions (in C order) of its elements. weights is a
// view of any real dtype with as many elements as a (else it panics),
// read in C order as a is. The sums are added in C order in chunks of
// 65536 elements, and the chunks' sums in order, as NumPy adds them for
// equal bins (in blocks of 65536), so with float64 weights and up to 65535
// bins they are NumPy's bit for bit; NumPy returns them in the weights'
// dtype, this package in float64.
func HistogramWeighted[T, W Real](ctx context.Context, a *mmarray.Array[T], weights *mmarray.Array[W], bins int, opts ...Option) (WeightedHist, error) {
	if bins < 1 {
		misuse.Panicf("compute: HistogramWeighted with %d bins: bins must be positive", bins)
	}
	checkWeights("HistogramWeighted", a, weights)
	cfg := newConfig(opts)
	u, err := dataBinning(ctx, a, bins, cfg)
	if err != nil {
		return WeightedHist{}, err
	}
	return sumWith(ctx, a, weights, cfg, &u, u.edges)
}

// WeightedHist is a weighted histogram: Sums[i] is the sum of the weights
// of the elements in [Edges[i], Edges[i+1]), the last bin closed.
type WeightedHist struct {
	Sums  []float64
	Edges []float64
}

// checkWeights panics unless weights has as many elements as a.
func checkWeights[T, W Real](op string, a *mmarray.Array[T], weights *mmarray.Array[W]) {
	if weights.Len() != a.Len() {
		misuse.Panicf("compute: %s: %d weights for %d elements", op, weights.Len(), a.Len())
	}
}

// sumWith sums the weights in b's bins.
func sumWith[T, W Real](ctx context.Context, a *mmarray.Array[T], weights *mmarray.Array[W], cfg config, b binner, edges []float64) (WeightedHist, error) {
	var sums []float64
	var err error
	switch familyOf[T]() {
	case signedFamily:
		sums, _, err = sumBins[T, int64](ctx, a, weights, cfg, b)
	case unsignedFamily:
		sums, _, err = sumBins[T, uint64](ctx, a, weights, cfg, b)
	default:
		sums, _, err = sumBins[T, float64](ctx, a, weights, cfg, b)
	}
	if err != nil {
		return WeightedHist{}, err
	}
	return WeightedHist{Sums: sums[:b.bins()], Edges: edges}, nil
}

// HistogramRange is Histogram over the range [lo, hi] instead of the data's,
// as np.histogram(a, bins, range=(lo, hi)): elements outside it and NaNs are
// left out. The bin dtype is NumPy's for a range of Python floats: float64
// for integers, and for Float16 and float32 the element type unless lo or hi
// does not fit it (NumPy's value-based casting). lo > hi, a NaN or infinite
// bound, or bins < 1 panics.
func HistogramRange[T Real](ctx context.Context, a *mmarray.Array[T], bins int, lo, hi float64, opts ...Option) (Hist, error) {
	u := explicitBinning[T]("HistogramRange", bins, lo, hi)
	return countUniform[T](ctx, a, u, newConfig(opts))
}

// HistogramRangeWeighted is HistogramRange summing weights, with
// HistogramWeighted's rules.
func HistogramRangeWeighted[T, W Real](ctx context.Context, a *mmarray.Array[T], weights *mmarray.Array[W], bins int, lo, hi float64, opts ...Option) (WeightedHist, error) {
	u := explicitBinning[T]("HistogramRangeWeighted", bins, lo, hi)
	checkWeights("HistogramRangeWeighted", a, weights)
	return sumWith(ctx, a, weights, newConfig(opts), &u, u.edges)
}

// HistogramEdges counts the view's elements in the bins between consecutive
// edges, as np.histogram(a, bins=edges): edges must not decrease; the last
// bin includes its right edge; a bin between equal edges is empty except
// that the last one counts elements equal to its edge. Elements outside the
// edges and NaNs are left out. Elements are compared with the edges as
// float64s, as NumPy compares them. No edges, a NaN edge or decreasing
// edges panic; one edge makes no bins.
func HistogramEdges[T Real](ctx context.Context, a *mmarray.Array[T], edges []float64, opts ...Option) (Hist, error) {
	checkEdges("HistogramEdges", edges)
	h := Hist{Counts: []int64{}, Edges: slices.Clone(edges)}
	if len(edges) == 1 {
		return h, ctx.Err()
	}
	var err error
	h.Counts, err = countWith(ctx, a, newConfig(opts), edgeBinner{h.Edges})
	if err != nil {
		return Hist{}, err
	}
	return h, nil
}

// HistogramEdgesWeighted is HistogramEdges summing weights, with
// HistogramWeighted's rules (NumPy sums weights between given edges by
// another method, so the sums may differ from its in their last bits).
func HistogramEdgesWeighted[T, W Real](ctx context.Context, a *mmarray.Array[T], weights *mmarray.Array[W], edges []float64, opts ...Option) (WeightedHist, error) {
	checkEdges("HistogramEdgesWeighted", edges)
	checkWeights("HistogramEdgesWeighted", a, weights)
	edges = slices.Clone(edges)
	if len(edges) == 1 {
		return WeightedHist{Sums: []float64{}, Edges: edges}, ctx.Err()
	}
	return sumWith(ctx, a, weights, newConfig(opts), edgeBinner{edges}, edges)
}

// checkEdges panics unless edges are at least one, none NaN, none
// decreasing.
func checkEdges(op string, edges []float64) {
	if len(edges) == 0 {
		misuse.Panicf("compute: %s without edges", op)
	}
	for i, e := range edges {
		if math.IsNaN(e) || i > 0 && e < edges[i-1] {
			misuse.Panicf("compute: %s: edges must increase monotonically (edge %d is %v)", op, i, e)
		}
	}
}

// binner computes the bins of a view's elements, in the precision of
// their kernel type.
type binner interface {
	bins() int // the number of bins
	// binsOf sets out[i] to the bin of xs[i], or to bins() where xs[i] is
	// in none; len(out) == len(xs).
	int64Bins(out []int, xs []int64)
	uint64Bins(out []int, xs []uint64)
	float64Bins(out []int, xs []float64)
}

// kernelBins calls b's method for K: one call per piece of elements.
func kernelBins[K kernelType](b binner, out []int, xs []K) {
	switch xs := any(xs).(type) {
	case []int64:
		b.int64Bins(out, xs)
	case []uint64:
		b.uint64Bins(out, xs)
	case []float64:
		b.float64Bins(out, xs)
	}
}

// countWith counts the view's elements in b's bins.
func countWith[T Real](ctx context.Context, a *mmarray.Array[T], cfg config, b binner) ([]int64, error) {
	var counts []int64
	var err error
	switch familyOf[T]() {
	case signedFamily:
		counts, err = countBins[T, int64](ctx, a, cfg, b)
	case unsignedFamily:
		counts, err = countBins[T, uint64](ctx, a, cfg, b)
	default:
		counts, err = countBins[T, float64](ctx, a, cfg, b)
	}
	if err != nil {
		return nil, err
	}
	return counts[:b.bins()], nil
}

// edgeBinner bins by binary search of the edges, with np.histogram's rule
// (np.searchsorted 'left' on every edge but the last, 'right' on the
// last).
type edgeBinner struct{ edges []float64 }

func (e edgeBinner) bins() int                           { return len(e.edges) - 1 }
func (e edgeBinner) int64Bins(out []int, xs []int64)     { binEdges(e.edges, out, xs) }
func (e edgeBinner) uint64Bins(out []int, xs []uint64)   { binEdges(e.edges, out, xs) }
func (e edgeBinner) float64Bins(out []int, xs []float64) { binEdges(e.edges, out, xs) }

func binEdges[K kernelType](edges []float64, out []int, xs []K) {
	last := len(edges) - 1
	lo, hi := edges[0], edges[last]
	for n, k := range xs {
		x := float64(k)
		if !(x >= lo && x <= hi) {
			out[n] = last
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
		out[n] = min(i-1, last-1) // x equal to the last edge is in the last bin: it is closed
	}
}

// countBins walks the view in storage order (counts do not depend on the
// order) and returns the number of elements in each of b's bins, and
// last the number in none. Each chunk counts into counters of its own,
// added in chunk order. A chunk holds at least as many elements as there
// are bins, so that adding its counts costs at most one addition per
// element, and the chunks in flight are limited by boundWave.
func countBins[T Real, K kernelType](ctx context.Context, a *mmarray.Array[T], cfg config, b binner) ([]int64, error) {
	n := b.bins()
	total := make([]int64, n+1)
	type part struct {
		counts []int64
		bins   []int
	}
	// A partial holds its counters and a buffer of bins.
	err := walkChunks(ctx, a.StorageOrder(), boundWave(cfg, a, int64(n+1+stageLen)*8), chunkElemsFor(n+1),
		func(p *part, _ int, xs []K) {
			if p.counts == nil {
				p.counts, p.bins = make([]int64, n+1), make([]int, stageLen)
			}
			for len(xs) > 0 {
				m := min(len(xs), stageLen)
				kernelBins(b, p.bins[:m], xs[:m])
				for _, bin := range p.bins[:m] {
					p.counts[bin]++
				}
				xs = xs[m:]
			}
		},
		func(p part) {
			for i, c := range p.counts {
				total[i] += c
			}
		})
	return total, err
}

// boundWave sets the memory each chunk's partial result holds beyond its
// own size, partBytes, which walkChunks takes out of the memory budget for
// each partial of a wave, and limits the chunks of a wave so that their
// partials stay within a quarter of the budget and 64 MiB, as the row
// accumulators of a reduction along an axis do, with at least one chunk
// per wave. The number of workers does not enter: it changes no result,
// and a wave shorter than the workers only leaves some of them idle.
func boundWave[T Real](cfg config, a *mmarray.Array[T], partBytes int64) config {
	_, viewBytes := a.ByteRange(0, a.Len())
	cfg.partBytes = partBytes
	partsBudget := min(64<<20, cfg.resolveMemory(viewBytes)/4)
	cfg.waveLen = int(max(1, min(int64(cfg.waveLen), partsBudget/max(1, partBytes))))
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
	if isFloat && !typed {
		// np.result_type(first_edge, last_edge, a), value-based; an
		// integer array with float scalars is float64. (Scalars of the
		// element type, typed, never widen it: min_scalar_type does not
		// make a float16 scalar wider, nor a float32 one beyond float32.)
		u.binPrec = max(elem, minScalarPrecision(first), minScalarPrecision(last))
		// a >= first_edge compares in the wider of a's dtype and the
		// scalar's minimal one.
		u.keepLo = max(elem, minScalarPrecision(first)).round(first)
		u.keepHi = max(elem, minScalarPrecision(last)).round(last)
	}
	if typed && isFloat {
		u.binPrec = elem
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
// It panics where NumPy raises for the arguments.
func explicitBinning[T Real](op string, bins int, lo, hi float64) uniformBinning {
	if bins < 1 {
		misuse.Panicf("compute: %s with %d bins: bins must be positive", op, bins)
	}
	if !(lo <= hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		misuse.Panicf("compute: %s over [%v, %v]: the range must be finite, with lo <= hi", op, lo, hi)
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	return newUniformBinning[T](bins, lo, hi, false)
}

// dataBinning is NumPy's binning over the data's range.
func dataBinning[T Real](ctx context.Context, a *mmarray.Array[T], bins int, cfg config) (uniformBinning, error) {
	switch familyOf[T]() {
	case signedFamily:
		return dataBinningAs[T, int64](ctx, a, bins, cfg)
	case unsignedFamily:
		return dataBinningAs[T, uint64](ctx, a, bins, cfg)
	}
	return dataBinningAs[T, float64](ctx, a, bins, cfg)
}

func dataBinningAs[T Real, K kernelType](ctx context.Context, a *mmarray.Array[T], bins int, cfg config) (uniformBinning, error) {
	e, err := dataExtremes[T, K](ctx, a, cfg)
	if err != nil {
		return uniformBinning{}, err
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
		return uniformBinning{}, fmt.Errorf("histogram of shape %v: autodetected range of [%v, %v]: %w", a.Shape(), lo, hi, ErrNotFinite)
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
	return u, nil
}

// dataExtremes reduces the view to its extremes, in storage order.
func dataExtremes[T Real, K kernelType](ctx context.Context, a *mmarray.Array[T], cfg config) (extremes[K], error) {
	var e extremes[K]
	err := reduceChunks(ctx, a, cfg, anyOrder, func(p *extremes[K], start int, xs []K) { p.scan(start, xs, false) }, e.merge)
	return e, err
}

// countUniform counts the view in u's bins.
func countUniform[T Real](ctx context.Context, a *mmarray.Array[T], u uniformBinning, cfg config) (Hist, error) {
	counts, err := countWith(ctx, a, cfg, &u)
	if err != nil {
		return Hist{}, err
	}
	return Hist{Counts: counts, Edges: u.edges}, nil
}

func (u *uniformBinning) bins() int                           { return u.n }
func (u *uniformBinning) int64Bins(out []int, xs []int64)     { binUniform(u, out, xs) }
func (u *uniformBinning) uint64Bins(out []int, xs []uint64)   { binUniform(u, out, xs) }
func (u *uniformBinning) float64Bins(out []int, xs []float64) { binUniform(u, out, xs) }

// binUniform sets out[i] to the bin of xs[i], or to n where it is out of
// the range or NaN. In each of the loops, specialised by precision, an
// element is kept if it is within the range, its bin is (x - first) * norm truncated, corrected against the
// edges once down and once up, as NumPy does (its arithmetic may be off by
// one within an ulp of an edge). Where NumPy's own index would leave the
// bins (it then raises IndexError or ValueError), the nearest bin is
// taken.
func binUniform[K kernelType](u *uniformBinning, out []int, xs []K) {
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
		for j, k := range xs {
			x := float64(k)
			if !(x >= lo && x <= hi) {
				out[j] = n
				continue
			}
			out[j] = fix(x, int(float64(x-first)*norm))
		}
	case u.binPrec == single && u.mulPrec == single:
		first, norm := float32(u.first), float32(u.norm)
		for j, k := range xs {
			x := float64(k)
			if !(x >= lo && x <= hi) {
				out[j] = n
				continue
			}
			out[j] = fix(x, int(float32(float32(x)-first)*norm))
		}
	default:
		for j, k := range xs {
			x := float64(k)
			if !(x >= lo && x <= hi) {
				out[j] = n
				continue
			}
			out[j] = fix(x, int(u.scaled(x)))
		}
	}
}

// scaled is (x - first) * norm for the precisions the fast loops of
// binUniform leave out, each operation rounded as NumPy rounds it:
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
