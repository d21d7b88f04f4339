package compute

import "math"

// fsum is a float64 sum with its rounding error carried separately
// (Knuth's TwoSum): hi is the rounded running sum and lo collects what each
// addition rounded away, so hi+lo is the sum to within about n·ε² of
// Σ|x|, far closer than NumPy's pairwise summation on cancelling data.
type fsum struct{ hi, lo float64 }

func (s *fsum) add(x float64) {
	t := s.hi + x
	bp := t - s.hi
	s.lo += (s.hi - (t - bp)) + (x - bp)
	s.hi = t
}

func (s *fsum) merge(o fsum) {
	s.add(o.hi)
	s.lo += o.lo
}

// value is the compensated sum. Where the running sum is infinite or NaN
// (an infinity was added, or the sum overflowed), the carried error is NaN
// (inf - inf) and meaningless, and hi alone is the result, as in NumPy:
// 1 + inf is inf, inf + -inf is NaN.
func (s fsum) value() float64 {
	if math.IsInf(s.hi, 0) || math.IsNaN(s.hi) {
		return s.hi
	}
	return s.hi + s.lo
}

// sumFloats sums xs as float64s: blocks of sumBlock elements are added
// plainly in eight independent lanes (the additions' latencies overlap,
// so this runs at memory speed), and the block sums are added with
// compensation (fsum). Within a block the error is NumPy's pairwise
// sum's (its blocks are 128 elements in eight lanes too); across blocks
// nothing is lost, where NumPy's pairwise tree adds log2(n/128) more
// roundings. A NaN makes the sum NaN, as in NumPy.
func sumFloats[K kernelType](xs []K) fsum {
	s, _, tail := sumBlocks(xs, plainBlockSum[K])
	for _, x := range tail {
		s.add(float64(x))
	}
	return s
}

// sumNonNaN is sumFloats leaving NaNs out; it also returns how many
// elements were summed.
func sumNonNaN[K kernelType](xs []K) (fsum, int64) {
	s, nans, tail := sumBlocks(xs, nonNaNBlockSum[K])
	for _, x := range tail {
		if x == x {
			s.add(float64(x))
		} else {
			nans++
		}
	}
	return s, int64(len(xs) - nans)
}

// sumBlock is how many elements sumFloats adds plainly before one
// compensated addition: NumPy's pairwise block.
const sumBlock = 128

// sumBlocks adds the block sums that blockSum returns for each whole
// block of xs with compensation, and returns the sum, the NaNs blockSum
// left out, and the elements after the last whole block. blockSum is
// called once per block, so its indirect call costs nothing per element.
func sumBlocks[K kernelType](xs []K, blockSum func(*[sumBlock]K) (float64, int)) (s fsum, nans int, tail []K) {
	for len(xs) >= sumBlock {
		sum, n := blockSum((*[sumBlock]K)(xs))
		s.add(sum)
		nans += n
		xs = xs[sumBlock:]
	}
	return s, nans, xs
}

// plainBlockSum adds a block in eight lanes; it leaves no NaN out.
func plainBlockSum[K kernelType](block *[sumBlock]K) (float64, int) {
	if hasAVX2 {
		if b, ok := any(block).(*[sumBlock]float64); ok {
			return plainBlockSumAVX2(b), 0
		}
	}
	return plainBlockSumGo(block)
}

// plainBlockSumGo is plainBlockSum in Go.
func plainBlockSumGo[K kernelType](block *[sumBlock]K) (float64, int) {
	var a0, a1, a2, a3, a4, a5, a6, a7 float64
	for i := 0; i < sumBlock; i += 8 {
		a0 += float64(block[i])
		a1 += float64(block[i+1])
		a2 += float64(block[i+2])
		a3 += float64(block[i+3])
		a4 += float64(block[i+4])
		a5 += float64(block[i+5])
		a6 += float64(block[i+6])
		a7 += float64(block[i+7])
	}
	return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)), 0
}

// nonNaNBlockSum is plainBlockSum with each NaN added as 0 and counted.
// NaNs are rare, so the tests are predicted right, and the lanes keep
// plainBlockSum's overlap.
func nonNaNBlockSum[K kernelType](block *[sumBlock]K) (float64, int) {
	var a0, a1, a2, a3, a4, a5, a6, a7 float64
	nans := 0
	for i := 0; i < sumBlock; i += 8 {
		a0 += nonNaN(block[i], &nans)
		a1 += nonNaN(block[i+1], &nans)
		a2 += nonNaN(block[i+2], &nans)
		a3 += nonNaN(block[i+3], &nans)
		a4 += nonNaN(block[i+4], &nans)
		a5 += nonNaN(block[i+5], &nans)
		a6 += nonNaN(block[i+6], &nans)
		a7 += nonNaN(block[i+7], &nans)
	}
	return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)), nans
}

// nonNaN is x as a float64, or 0 if x is NaN, which it counts in *nans.
func nonNaN[K kernelType](x K, nans *int) float64 {
	if x != x {
		*nans++
		return 0
	}
	return float64(x)
}

// sumWrapping adds integers with two's-complement wrap-around, as NumPy's
// int64 and uint64 sums do.
func sumWrapping[K int64 | uint64](xs []K) K {
	var s0, s1, s2, s3 K
	i := 0
	for ; i+4 <= len(xs); i += 4 {
		s0 += xs[i]
		s1 += xs[i+1]
		s2 += xs[i+2]
		s3 += xs[i+3]
	}
	for _, x := range xs[i:] {
		s0 += x
	}
	return s0 + s1 + s2 + s3
}

// moments is the partial result of a variance: the number of elements, their
// compensated sum and the sum of squared deviations from their mean. Two are
// combined by Chan, Golub and LeVeque's pairwise update.
type moments struct {
	n   int64
	sum fsum
	m2  float64
}

func (m moments) mean() float64 { return m.sum.value() / float64(m.n) }

func (m *moments) merge(o moments) {
	switch {
	case o.n == 0:
		return
	case m.n == 0:
		*m = o
		return
	}
	delta := o.mean() - m.mean()
	na, nb := float64(m.n), float64(o.n)
	m.m2 += o.m2 + delta*delta*na*nb/(na+nb)
	m.n += o.n
	m.sum.merge(o.sum)
}

// variance is m2/(n-ddof) with NumPy's rule for n-ddof <= 0: the divisor
// is clamped to zero, giving +Inf (or NaN where m2 is zero or NaN).
func (m moments) variance(ddof int) float64 {
	if m.n == 0 {
		return math.NaN()
	}
	return m.m2 / float64(max(m.n-int64(ddof), 0))
}

// nanVariance is variance with np.nanvar's rule for n-ddof <= 0: NaN (with
// a RuntimeWarning in NumPy), where np.var gives +Inf.
func (m moments) nanVariance(ddof int) float64 {
	if m.n-int64(ddof) <= 0 {
		return math.NaN()
	}
	return m.variance(ddof)
}

// momentsOf computes a piece's moments in two passes over it (the piece is
// at most a chunk, in cache): the sum, then squared deviations from the
// piece's mean. With skipNaN, NaNs are left out.
func momentsOf[K kernelType](xs []K, skipNaN bool) moments {
	var m moments
	if skipNaN {
		m.sum, m.n = sumNonNaN(xs)
		// Without NaNs, the deviations take the faster loop that need not
		// test each element, and the result is the plain variance's.
		skipNaN = m.n < int64(len(xs))
	} else {
		m.sum, m.n = sumFloats(xs), int64(len(xs))
	}
	return withDeviations(m, xs, skipNaN)
}

// withDeviations is m, the count and sum of xs (of its non-NaN elements
// with skipNaN), with the sum of squared deviations from their mean.
func withDeviations[K kernelType](m moments, xs []K, skipNaN bool) moments {
	if m.n == 0 {
		return m
	}
	mean := m.mean()
	var d0, d1 float64
	i := 0
	if skipNaN {
		for _, x := range xs {
			// The test is on x, not on the deviation: an infinite element
			// with an infinite mean deviates by NaN, which must stay in m2
			// (np.nanstd of [1, inf] is NaN), not be skipped as a NaN element.
			if x == x {
				d := float64(x) - mean
				d0 += d * d
			}
		}
	} else {
		i = len(xs) &^ 7
		d0 = squaredDeviations(xs[:i], mean)
		for _, x := range xs[i:] {
			d := float64(x) - mean
			d0 += d * d
		}
	}
	m.m2 = d0 + d1
	return m
}

// squaredDeviations is the sum of the squared deviations of xs from mean,
// len(xs) a multiple of 8, added in eight lanes (each every eighth element)
// combined as the block sums' lanes are.
func squaredDeviations[K kernelType](xs []K, mean float64) float64 {
	if hasAVX2 {
		if xs, ok := any(xs).([]float64); ok {
			return squaredDeviationsAVX2(xs, mean)
		}
	}
	return squaredDeviationsGo(xs, mean)
}

// squaredDeviationsGo is squaredDeviations in Go.
func squaredDeviationsGo[K kernelType](xs []K, mean float64) float64 {
	var a0, a1, a2, a3, a4, a5, a6, a7 float64
	for i := 0; i+8 <= len(xs); i += 8 {
		d0, d1, d2, d3 := float64(xs[i])-mean, float64(xs[i+1])-mean, float64(xs[i+2])-mean, float64(xs[i+3])-mean
		d4, d5, d6, d7 := float64(xs[i+4])-mean, float64(xs[i+5])-mean, float64(xs[i+6])-mean, float64(xs[i+7])-mean
		a0 += d0 * d0
		a1 += d1 * d1
		a2 += d2 * d2
		a3 += d3 * d3
		a4 += d4 * d4
		a5 += d5 * d5
		a6 += d6 * d6
		a7 += d7 * d7
	}
	return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
}

// extremes is the partial result of Min, Max, ArgMin and ArgMax: the
// smallest and largest non-NaN elements with the index of each one's first
// occurrence, how many elements are not NaN, and the first NaN's index.
type extremes[K kernelType] struct {
	valid, nans    int64
	min, max       K
	argmin, argmax int
	firstNaN       int
}

// natCount is NaT, Not a Time, as a Datetime64 or Timedelta64 count: the
// smallest int64. A variable, so that it converts to any kernel type.
var natCount int64 = math.MinInt64

// scan adds the piece xs whose first element has index start, after the
// elements e holds. With nat (the elements are Datetime64 or Timedelta64
// counts) NaT counts as a NaN, as NumPy's min, max, argmin and argmax
// take it since NumPy 1.18.
func (e *extremes[K]) scan(start int, xs []K, nat bool) {
	natK := K(natCount)
	i := 0
	for e.valid == 0 && i < len(xs) {
		if x := xs[i]; x == x && !(nat && x == natK) {
			e.min, e.max, e.argmin, e.argmax = x, x, start+i, start+i
			e.valid++
		} else {
			e.noteNaN(start + i)
		}
		i++
	}
	if i == len(xs) {
		return
	}
	// Locals, so that the loop keeps them in registers; a NaN fails both
	// comparisons and is caught by the third test only. NaT, the smallest
	// count, is always below lo (lo is never NaT), so it is tested for only
	// where a new minimum is found: NaT costs nothing where there is none.
	lo, hi, argLo, argHi := e.min, e.max, e.argmin-start, e.argmax-start
	nans := e.nans
	for j := i; j < len(xs); j++ {
		x := xs[j]
		if x < lo {
			if !nat || x != natK {
				lo, argLo = x, j
				continue
			}
			if nans == 0 {
				e.firstNaN = start + j
			}
			nans++
		} else if x > hi {
			hi, argHi = x, j
		} else if x != x {
			if nans == 0 {
				e.firstNaN = start + j
			}
			nans++
		}
	}
	e.valid += int64(len(xs)-i) - (nans - e.nans)
	e.min, e.max, e.argmin, e.argmax, e.nans = lo, hi, argLo+start, argHi+start, nans
}

// scanSum is scan (without NaT) and sumFloats in one pass over xs, for a
// piece without NaN: it returns the sum and true, or false and leaves e
// as it was if xs holds a NaN. Each block's extremes are found with its
// sum, in lanes with no test for NaN per element; then the block's first
// element equal to each (the first occurrence the element-wise scan
// finds), which replaces e's where it beats it.
func (e *extremes[K]) scanSum(start int, xs []K) (fsum, bool) {
	var s fsum
	c := *e
	off := 0
	for ; off+sumBlock <= len(xs); off += sumBlock {
		b := (*[sumBlock]K)(xs[off:])
		sum, lo, hi := extremeBlockSum(b)
		if sum != sum {
			// A NaN, or infinities of both signs: the exact path
			// decides.
			return fsum{}, false
		}
		s.add(sum)
		// The block's extremes are looked for only where they beat the
		// extremes so far, which in most data soon stops happening: the
		// search reads the block again.
		if c.valid == 0 || lo < c.min {
			i := firstEqual(b, lo)
			c.min, c.argmin = b[i], start+off+i
		}
		if c.valid == 0 || hi > c.max {
			i := firstEqual(b, hi)
			c.max, c.argmax = b[i], start+off+i
		}
		c.valid += sumBlock
	}
	tail := xs[off:]
	c.scan(start+off, tail, false)
	if c.nans != e.nans {
		return fsum{}, false
	}
	for _, x := range tail {
		s.add(float64(x))
	}
	*e = c
	return s, true
}

// extremeBlockSum is plainBlockSum (the same lanes, so the same sum) with
// the block's least and greatest elements; a NaN is in neither, but makes
// the sum NaN. The extremes are kept in two lanes with a branch each, well
// predicted once the first elements are in: Go's min and max builtins on
// floats handle NaN and signed zeros at several instructions each.
func extremeBlockSum[K kernelType](block *[sumBlock]K) (sum float64, lo, hi K) {
	if hasAVX2 {
		if b, ok := any(block).(*[sumBlock]float64); ok {
			sum, lo, hi := extremeBlockSumAVX2(b)
			return sum, K(lo), K(hi)
		}
	}
	return extremeBlockSumGo(block)
}

// extremeBlockSumGo is extremeBlockSum in Go.
func extremeBlockSumGo[K kernelType](block *[sumBlock]K) (sum float64, lo, hi K) {
	var a0, a1, a2, a3, a4, a5, a6, a7 float64
	lo0, lo1, hi0, hi1 := block[0], block[1], block[0], block[1]
	for i := 0; i < sumBlock; i += 8 {
		x0, x1, x2, x3 := block[i], block[i+1], block[i+2], block[i+3]
		a0 += float64(x0)
		a1 += float64(x1)
		a2 += float64(x2)
		a3 += float64(x3)
		lo0, hi0 = lower(lo0, x0), higher(hi0, x0)
		lo1, hi1 = lower(lo1, x1), higher(hi1, x1)
		lo0, hi0 = lower(lo0, x2), higher(hi0, x2)
		lo1, hi1 = lower(lo1, x3), higher(hi1, x3)
		x4, x5, x6, x7 := block[i+4], block[i+5], block[i+6], block[i+7]
		a4 += float64(x4)
		a5 += float64(x5)
		a6 += float64(x6)
		a7 += float64(x7)
		lo0, hi0 = lower(lo0, x4), higher(hi0, x4)
		lo1, hi1 = lower(lo1, x5), higher(hi1, x5)
		lo0, hi0 = lower(lo0, x6), higher(hi0, x6)
		lo1, hi1 = lower(lo1, x7), higher(hi1, x7)
	}
	lo, hi = lo0, hi0
	if lo1 < lo {
		lo = lo1
	}
	if hi1 > hi {
		hi = hi1
	}
	return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)), lo, hi
}

// lower is x if it is below lo, else lo (NaN never is).
func lower[K kernelType](lo, x K) K {
	if x < lo {
		return x
	}
	return lo
}

// higher is x if it is above hi, else hi (NaN never is).
func higher[K kernelType](hi, x K) K {
	if x > hi {
		return x
	}
	return hi
}

// firstEqual is the index of the first element of block equal to x, which
// it holds.
func firstEqual[K kernelType](block *[sumBlock]K, x K) int {
	if hasAVX2 {
		if b, ok := any(block).(*[sumBlock]float64); ok {
			return firstEqualAVX2(b, float64(x))
		}
	}
	for i, y := range block {
		if y == x {
			return i
		}
	}
	return 0
}

// add adds the element x at index at, after the elements e holds: the
// element-at-a-time scan of the outer walk along an axis. nat is scan's.
// It is too large to be inlined: the loops that call it count the common
// case, an element within the extremes so far, themselves (e.within), and
// call it for the others only, NaN, NaT and new extremes.
func (e *extremes[K]) add(at int, x K, nat bool) {
	switch {
	case x != x:
		e.noteNaN(at)
	case e.valid == 0:
		if nat && x == K(natCount) {
			e.noteNaN(at)
			return
		}
		e.min, e.max, e.argmin, e.argmax, e.valid = x, x, at, at, 1
	case x < e.min:
		if nat && x == K(natCount) {
			e.noteNaN(at)
			return
		}
		e.min, e.argmin = x, at
		e.valid++
	case x > e.max:
		e.max, e.argmax = x, at
		e.valid++
	default:
		e.valid++
	}
}

// within reports whether x lies within the extremes of at least one
// element: false for NaN and NaT.
func (e *extremes[K]) within(x K) bool { return e.valid > 0 && e.min <= x && x <= e.max }

func (e *extremes[K]) noteNaN(at int) {
	if e.nans == 0 {
		e.firstNaN = at
	}
	e.nans++
}

// merge adds the partial o of other elements: of equal extremes, and of
// NaNs, the one with the smaller index is kept, so partials may be merged
// in any order (the chunks of a grid that do not span the trailing axes
// come out of flat order); merged in walk order, that is the first.
func (e *extremes[K]) merge(o extremes[K]) {
	if o.nans > 0 && (e.nans == 0 || o.firstNaN < e.firstNaN) {
		e.firstNaN = o.firstNaN
	}
	e.nans += o.nans
	if o.valid == 0 {
		return
	}
	if e.valid == 0 {
		e.min, e.max, e.argmin, e.argmax = o.min, o.max, o.argmin, o.argmax
	} else {
		if o.min < e.min || (o.min == e.min && o.argmin < e.argmin) {
			e.min, e.argmin = o.min, o.argmin
		}
		if o.max > e.max || (o.max == e.max && o.argmax < e.argmax) {
			e.max, e.argmax = o.max, o.argmax
		}
	}
	e.valid += o.valid
}

func countNonzero[K kernelType](xs []K) int64 {
	var n int64
	for _, x := range xs {
		if x != 0 {
			n++
		}
	}
	return n
}
