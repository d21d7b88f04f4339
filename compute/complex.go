package compute

import (
	"context"
	"math"
	"reflect"

	"github.com/go-memmap/memmap/mmarray"
)

// Complex is the set of complex element types the complex reductions
// accept: complex64 and complex128, in both byte orders.
type Complex interface {
	~complex64 | ~complex128
}

// element is every element type the engine walks.
type element interface {
	Real | Complex
}

// complexWidener turns complex elements into pairs of float64 kernel
// values, real and imaginary parts: a complex128 block in place, a
// complex64 one converted into the buffer. K is float64.
func complexWidener[T element, K kernelType](kind reflect.Kind) widener[T, K] {
	if kind == reflect.Complex128 {
		return func(b []T, _ []K) ([]K, []T) { return pairsAs[K](b), nil }
	}
	return func(b []T, buf []K) ([]K, []T) {
		src := sliceAs[complex64](b)
		n := min(len(buf)/2, len(src))
		for i, z := range src[:n] {
			buf[2*i], buf[2*i+1] = K(real(z)), K(imag(z))
		}
		return buf[:2*n], b[n:]
	}
}

// complexMoments is the partial result of a complex reduction: the moments
// of the real and of the imaginary parts of the same elements. The squared
// modulus of a deviation is the sum of its parts' squares, so a complex
// variance, NumPy's mean of |x-mean|², is (re.m2+im.m2)/(n-ddof).
type complexMoments struct{ re, im moments }

func (m *complexMoments) merge(o complexMoments) {
	m.re.merge(o.re)
	m.im.merge(o.im)
}

// variance is the complex variance with ddof, with the rules of
// moments.variance, or of moments.nanVariance with skipNaN.
func (m complexMoments) variance(ddof int, skipNaN bool) float64 {
	both := moments{n: m.re.n, m2: m.re.m2 + m.im.m2}
	if skipNaN {
		return both.nanVariance(ddof)
	}
	return both.variance(ddof)
}

// mean is the complex mean as NumPy computes it: the sum divided by the
// count as complex division by n+0i (Smith's method, multiplying by 1/n),
// where a part that is infinite or NaN makes the other one NaN (the mean
// of [inf+0j, 1+1j] is inf+nanj). The sums are compensated, where NumPy's
// are pairwise.
func (m complexMoments) mean() complex128 {
	re, im := m.re.sum.value(), m.im.sum.value()
	scale := 1 / float64(m.re.n)
	return complex((re+im*0)*scale, (im-re*0)*scale)
}

// complexMomentsOf computes a piece's moments: xs holds pairs of real and
// imaginary parts. With skipNaN, an element with a NaN part is left out,
// as np.isnan of a complex number is true where either part is NaN. The
// squared deviations are summed only with deviations.
func complexMomentsOf(xs []float64, skipNaN, deviations bool) complexMoments {
	var m complexMoments
	nans := 0
	rest := xs
	for len(rest) >= sumBlock {
		re, im, n := complexBlockSum((*[sumBlock]float64)(rest), skipNaN)
		m.re.sum.add(re)
		m.im.sum.add(im)
		nans += n
		rest = rest[sumBlock:]
	}
	for i := 0; i+1 < len(rest); i += 2 {
		re, im := complexPart(rest[i], rest[i+1], skipNaN, &nans)
		m.re.sum.add(re)
		m.im.sum.add(im)
	}
	n := int64(len(xs)/2 - nans)
	m.re.n, m.im.n = n, n
	if n == 0 || !deviations {
		return m
	}
	meanRe, meanIm := m.re.mean(), m.im.mean()
	var dRe, dIm float64
	for i := 0; i+1 < len(xs); i += 2 {
		re, im := xs[i], xs[i+1]
		if nans > 0 && (re != re || im != im) {
			continue
		}
		re, im = re-meanRe, im-meanIm
		dRe += re * re
		dIm += im * im
	}
	m.re.m2, m.im.m2 = dRe, dIm
	return m
}

// complexBlockSum adds a block of sumBlock/2 complex elements in eight
// lanes, four for each part, as plainBlockSum does; with skipNaN, an
// element with a NaN part is added as 0 and counted.
func complexBlockSum(block *[sumBlock]float64, skipNaN bool) (re, im float64, nans int) {
	var r0, i0, r1, i1, r2, i2, r3, i3 float64
	for j := 0; j < sumBlock; j += 8 {
		a, b := complexPart(block[j], block[j+1], skipNaN, &nans)
		c, d := complexPart(block[j+2], block[j+3], skipNaN, &nans)
		e, f := complexPart(block[j+4], block[j+5], skipNaN, &nans)
		g, h := complexPart(block[j+6], block[j+7], skipNaN, &nans)
		r0, i0, r1, i1 = r0+a, i0+b, r1+c, i1+d
		r2, i2, r3, i3 = r2+e, i2+f, r3+g, i3+h
	}
	return (r0 + r1) + (r2 + r3), (i0 + i1) + (i2 + i3), nans
}

// complexPart is the element re+im·i as it is summed: as it is, or with
// skipNaN, as 0 if a part is NaN, which it counts in *nans.
func complexPart(re, im float64, skipNaN bool, nans *int) (float64, float64) {
	if skipNaN && (re != re || im != im) {
		*nans++
		return 0, 0
	}
	return re, im
}

// complexMomentsOfView reduces a complex view to its moments, in any order.
func complexMomentsOfView[T Complex](ctx context.Context, a *mmarray.Array[T], skipNaN, deviations bool, opts []Option) (complexMoments, error) {
	var m complexMoments
	err := reduceChunks(ctx, a, newConfig(opts), anyOrder, func(p *complexMoments, _ int, xs []float64) {
		p.merge(complexMomentsOf(xs, skipNaN, deviations))
	}, m.merge)
	return m, err
}

// SumComplex returns the sum of a complex view's elements, as np.sum,
// each part accumulated in float64 as Sum's floats are (complex64 input
// too, which NumPy adds in complex64): a NaN or infinite part affects that
// part only, as in NumPy. The sum of an empty view is zero.
func SumComplex[T Complex](ctx context.Context, a *mmarray.Array[T], opts ...Option) (complex128, error) {
	m, err := complexMomentsOfView(ctx, a, false, false, opts)
	return complex(m.re.sum.value(), m.im.sum.value()), err
}

// NanSumComplex is SumComplex with the elements that have a NaN part
// counted as zero, as np.nansum.
func NanSumComplex[T Complex](ctx context.Context, a *mmarray.Array[T], opts ...Option) (complex128, error) {
	m, err := complexMomentsOfView(ctx, a, true, false, opts)
	return complex(m.re.sum.value(), m.im.sum.value()), err
}

// MeanComplex returns the mean of a complex view's elements, as np.mean,
// divided as NumPy divides (see the package doc): NaN+NaNi for an empty
// view.
func MeanComplex[T Complex](ctx context.Context, a *mmarray.Array[T], opts ...Option) (complex128, error) {
	m, err := complexMomentsOfView(ctx, a, false, false, opts)
	if err != nil {
		return 0, err
	}
	return m.mean(), nil
}

// NanMeanComplex is MeanComplex of the elements without a NaN part, as
// np.nanmean: NaN+NaNi where there are none.
func NanMeanComplex[T Complex](ctx context.Context, a *mmarray.Array[T], opts ...Option) (complex128, error) {
	m, err := complexMomentsOfView(ctx, a, true, false, opts)
	if err != nil {
		return 0, err
	}
	return m.mean(), nil
}

// VarComplex returns the variance of a complex view's elements with ddof
// delta degrees of freedom, as np.var: the real sum of the squared moduli
// of the deviations from the mean, |x-mean|², divided by n-ddof, with
// Var's rules for empty views and n-ddof <= 0.
func VarComplex[T Complex](ctx context.Context, a *mmarray.Array[T], ddof int, opts ...Option) (float64, error) {
	m, err := complexMomentsOfView(ctx, a, false, true, opts)
	if err != nil {
		return 0, err
	}
	return m.variance(ddof, false), nil
}

// NanVarComplex is VarComplex of the elements without a NaN part, as
// np.nanvar, with NanVar's rules.
func NanVarComplex[T Complex](ctx context.Context, a *mmarray.Array[T], ddof int, opts ...Option) (float64, error) {
	m, err := complexMomentsOfView(ctx, a, true, true, opts)
	if err != nil {
		return 0, err
	}
	return m.variance(ddof, true), nil
}

// StdComplex is the square root of VarComplex, as np.std.
func StdComplex[T Complex](ctx context.Context, a *mmarray.Array[T], ddof int, opts ...Option) (float64, error) {
	v, err := VarComplex(ctx, a, ddof, opts...)
	return math.Sqrt(v), err
}

// NanStdComplex is the square root of NanVarComplex, as np.nanstd.
func NanStdComplex[T Complex](ctx context.Context, a *mmarray.Array[T], ddof int, opts ...Option) (float64, error) {
	v, err := NanVarComplex(ctx, a, ddof, opts...)
	return math.Sqrt(v), err
}
