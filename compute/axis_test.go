package compute_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
)

// axisCase is a view and an axis to reduce it along.
type axisCase struct {
	name string
	view *mmarray.Array[float64]
	axis int
}

// axisCases covers both walks of the axis reductions with chunks that
// split rows and results: axis 0 of a C-order view (rows read in order, an
// accumulator per column), the last axis (a run per result), results wider
// than a chunk (70000 columns, a chunk per row) and runs longer than one
// (70000 elements per result, chunks ending inside a run), transposed,
// strided and 3-D views.
func axisCases(t *testing.T) []axisCase {
	_, a := createFloat64(t, wideRandom(301*1000, 11), 301, 1000)
	_, wide := createFloat64(t, wideRandom(3*70000, 12), 3, 70000)
	_, cube := createFloat64(t, wideRandom(20*30*170, 13), 20, 30, 170)
	strided := a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, 2), mmarray.Span(1, mmarray.Omit, 3))
	cases := []axisCase{
		{"whole", a, 0}, {"whole", a, 1},
		{"transposed", a.Transpose(), 0}, {"transposed", a.Transpose(), -1},
		{"strided", strided, 0}, {"strided", strided, 1},
		{"wide", wide, 0}, {"wide", wide, 1},
		{"wide transposed", wide.Transpose(), 0},
	}
	for axis := range 3 {
		cases = append(cases, axisCase{"cube", cube, axis}, axisCase{"cube transposed", cube.Transpose(2, 0, 1), axis})
	}
	return cases
}

// along returns the elements of each result of reducing v along axis, in
// the results' C order, read one by one with At.
func along(v *mmarray.Array[float64], axis int) [][]float64 {
	shape := v.Shape()
	if axis < 0 {
		axis += len(shape)
	}
	var groups [][]float64
	idx := make([]int, len(shape))
	var walk func(d int)
	walk = func(d int) {
		if d == len(shape) {
			g := make([]float64, shape[axis])
			for i := range g {
				idx[axis] = i
				g[i] = v.At(idx...)
			}
			groups = append(groups, g)
			return
		}
		if d == axis {
			walk(d + 1)
			return
		}
		for i := range shape[d] {
			idx[d] = i
			walk(d + 1)
		}
	}
	walk(0)
	return groups
}

// TestAxisReductionsMatchLoop checks every axis reduction of float64 data
// whose sums depend on the order of additions against a plain loop over
// each result's elements: sums within Sum's documented bound of the exact
// sum (a rounding, 19·ε·Σ|x| for the plain additions of a block, n·ε²·Σ|x|), variances within 1e-12 of the two-pass variance's scale, extremes
// exact.
func TestAxisReductionsMatchLoop(t *testing.T) {
	t.Parallel()
	ctx, opt := context.Background(), compute.WithWorkers(3)
	for _, c := range axisCases(t) {
		sum, err := compute.SumAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		mean, err := compute.MeanAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		vr, err := compute.VarAxis(ctx, c.view, c.axis, 1, opt)
		must(t, err)
		lo, err := compute.MinAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		hi, err := compute.MaxAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		desc, err := compute.DescribeAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		// Without NaNs, the nan-variants are the plain reductions, bit for
		// bit: the same additions in the same order.
		nansum, err := compute.NanSumAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		nanvar, err := compute.NanVarAxis(ctx, c.view, c.axis, 1, opt)
		must(t, err)
		if fmt.Sprint(nansum.Values) != fmt.Sprint(sum.Values) || fmt.Sprint(nanvar.Values) != fmt.Sprint(vr.Values) {
			t.Errorf("%s axis %d: NanSumAxis and NanVarAxis differ from SumAxis and VarAxis without NaNs", c.name, c.axis)
		}
		argmins, err := compute.ArgMinAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		argmaxs, err := compute.ArgMaxAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		nonzero, err := compute.CountNonzeroAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		groups := along(c.view, c.axis)
		if len(desc.Values) != len(groups) {
			t.Fatalf("%s axis %d: %d Stats, want %d", c.name, c.axis, len(desc.Values), len(groups))
		}
		if len(sum.Values) != len(groups) || len(mean.Values) != len(groups) || len(vr.Values) != len(groups) ||
			len(lo.Values) != len(groups) || len(hi.Values) != len(groups) {
			t.Fatalf("%s axis %d: %d results, want %d", c.name, c.axis, len(sum.Values), len(groups))
		}
		var bad []string
		for i, g := range groups {
			exact := exactSum(g)
			var sumAbs float64
			gmin, gmax := g[0], g[0]
			zeros := 0
			for _, x := range g {
				if x == 0 {
					zeros++
				}
				sumAbs += math.Abs(x)
				gmin, gmax = min(gmin, x), max(gmax, x)
			}
			const eps = 0x1p-52
			bound := eps*math.Abs(exact) + 19*eps*sumAbs + 4*float64(len(g))*eps*eps*sumAbs
			if d := math.Abs(sum.Values[i].Float64() - exact); !(d <= bound) {
				bad = append(bad, fmt.Sprintf("sum[%d] %v, exact %v", i, sum.Values[i], exact))
			}
			m := exact / float64(len(g))
			if d := math.Abs(mean.Values[i] - m); !(d <= 2*eps*math.Abs(m)+bound/float64(len(g))) {
				bad = append(bad, fmt.Sprintf("mean[%d] %v, want %v", i, mean.Values[i], m))
			}
			var ss, scale float64
			for _, x := range g {
				ss += (x - m) * (x - m)
				scale = max(scale, (x-m)*(x-m))
			}
			want := ss / float64(len(g)-1)
			if len(g) == 1 {
				want = math.NaN() // 0/0
			}
			if d := math.Abs(vr.Values[i] - want); !(d <= 1e-12*scale) && !(math.IsNaN(want) && math.IsNaN(vr.Values[i])) {
				bad = append(bad, fmt.Sprintf("var[%d] %v, want %v", i, vr.Values[i], want))
			}
			if lo.Values[i] != gmin || hi.Values[i] != gmax {
				bad = append(bad, fmt.Sprintf("min, max[%d] %v, %v, want %v, %v", i, lo.Values[i], hi.Values[i], gmin, gmax))
			}
			d := desc.Values[i]
			argmin, argmax := slices.Index(g, gmin), slices.Index(g, gmax)
			if argmins.Values[i] != argmin || argmaxs.Values[i] != argmax || nonzero.Values[i] != int64(len(g)-zeros) {
				bad = append(bad, fmt.Sprintf("argmin, argmax, count_nonzero[%d] %d, %d, %d, want %d, %d, %d", i,
					argmins.Values[i], argmaxs.Values[i], nonzero.Values[i], argmin, argmax, len(g)-zeros))
			}
			if d.Count != int64(len(g)) || d.NaNCount != 0 || d.Sum != sum.Values[i].Float64() || d.Min != gmin || d.Max != gmax ||
				d.ArgMin != argmin || d.ArgMax != argmax || !(math.Abs(d.Std*d.Std-ss/float64(len(g))) <= 1e-12*scale) {
				bad = append(bad, fmt.Sprintf("describe[%d] %+v, want count %d, min %v at %d, max %v at %d", i, d, len(g), gmin, argmin, gmax, argmax))
			}
		}
		if len(bad) > 0 {
			t.Errorf("%s axis %d: %d results wrong, first ones: %v", c.name, c.axis, len(bad), bad[:min(len(bad), 5)])
		}
	}
}

// TestAxisResultsIdenticalAcrossWorkers checks that every axis reduction is
// the same bit for bit with 1, 2, 3 and 8 workers.
func TestAxisResultsIdenticalAcrossWorkers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	results := func(c axisCase, workers int) string {
		opt := compute.WithWorkers(workers)
		var bits []string
		add := func(xs []float64) {
			for _, x := range xs {
				bits = append(bits, strconv.FormatUint(math.Float64bits(x), 16))
			}
		}
		sum, err := compute.SumAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		for _, s := range sum.Values {
			add([]float64{s.Float64()})
		}
		mean, err := compute.MeanAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		add(mean.Values)
		sd, err := compute.StdAxis(ctx, c.view, c.axis, 0, opt)
		must(t, err)
		add(sd.Values)
		lo, err := compute.MinAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		add(lo.Values)
		d, err := compute.DescribeAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		for _, s := range d.Values {
			add([]float64{s.Sum, s.Mean, s.Std, s.Min, s.Max, float64(s.Count), float64(s.ArgMin), float64(s.ArgMax)})
		}
		nansum, err := compute.NanSumAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		for _, s := range nansum.Values {
			add([]float64{s.Float64()})
		}
		nanstd, err := compute.NanStdAxis(ctx, c.view, c.axis, 1, opt)
		must(t, err)
		add(nanstd.Values)
		nanmax, err := compute.NanMaxAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		add(nanmax.Values)
		argmax, err := compute.ArgMaxAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		counts, err := compute.CountNonzeroAxis(ctx, c.view, c.axis, opt)
		must(t, err)
		return fmt.Sprint(bits, argmax.Values, counts.Values)
	}
	for _, c := range axisCases(t) {
		want := results(c, 1)
		for _, workers := range []int{2, 3, 8} {
			if got := results(c, workers); got != want {
				t.Errorf("%s axis %d: results with %d workers differ from those with 1", c.name, c.axis, workers)
			}
		}
	}
}

// TestAxisEmpty checks NumPy's results where the reduced axis or the
// others are empty: sums of nothing are zero, means NaN, and a minimum
// along an empty axis is ErrEmpty even when there are no results.
func TestAxisEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, a := createFloat64(t, make([]float64, 12), 3, 4)
	noRows := a.Slice(mmarray.Span(0, 0, 1))                      // (0, 4)
	noCols := a.Slice(mmarray.All(), mmarray.Span(0, 0, 1))       // (3, 0)
	neither := noRows.Slice(mmarray.All(), mmarray.Span(0, 0, 1)) // (0, 0)
	for _, c := range []struct {
		name      string
		view      *mmarray.Array[float64]
		axis      int
		results   int
		minErrors bool
	}{
		{"(0,4) axis 0", noRows, 0, 4, true},
		{"(0,4) axis 1", noRows, 1, 0, false},
		{"(3,0) axis 0", noCols, 0, 0, false},
		{"(3,0) axis 1", noCols, 1, 3, true},
		{"(0,0) axis 0", neither, 0, 0, true},
	} {
		sum, err := compute.SumAxis(ctx, c.view, c.axis)
		must(t, err)
		mean, err := compute.MeanAxis(ctx, c.view, c.axis)
		must(t, err)
		if len(sum.Values) != c.results || len(mean.Values) != c.results {
			t.Errorf("%s: %d sums, %d means, want %d", c.name, len(sum.Values), len(mean.Values), c.results)
			continue
		}
		for i := range c.results {
			if sum.Values[i].Float64() != 0 || !math.IsNaN(mean.Values[i]) {
				t.Errorf("%s: sum %v and mean %v at %d, want 0 and NaN", c.name, sum.Values[i], mean.Values[i], i)
			}
		}
		_, err = compute.MinAxis(ctx, c.view, c.axis)
		if got := errors.Is(err, compute.ErrEmpty); got != c.minErrors {
			t.Errorf("%s: MinAxis error %v, want ErrEmpty: %v", c.name, err, c.minErrors)
		}
		_, err = compute.NanMaxAxis(ctx, c.view, c.axis)
		_, err2 := compute.ArgMinAxis(ctx, c.view, c.axis)
		if errors.Is(err, compute.ErrEmpty) != c.minErrors || errors.Is(err2, compute.ErrEmpty) != c.minErrors {
			t.Errorf("%s: NanMaxAxis error %v, ArgMinAxis error %v, want ErrEmpty: %v", c.name, err, err2, c.minErrors)
		}
		nanmean, err := compute.NanMeanAxis(ctx, c.view, c.axis)
		must(t, err)
		anys, err := compute.AnyAxis(ctx, c.view, c.axis)
		must(t, err)
		alls, err := compute.AllAxis(ctx, c.view, c.axis)
		must(t, err)
		if len(nanmean.Values) != c.results || len(anys.Values) != c.results || len(alls.Values) != c.results {
			t.Errorf("%s: %d nan-means, %d anys, %d alls, want %d", c.name, len(nanmean.Values), len(anys.Values), len(alls.Values), c.results)
			continue
		}
		for i := range c.results {
			// The view holds zeros: only an empty axis makes All true.
			if !math.IsNaN(nanmean.Values[i]) || anys.Values[i] || !alls.Values[i] {
				t.Errorf("%s: nanmean %v, any %v, all %v at %d, want NaN, false, true", c.name, nanmean.Values[i], anys.Values[i], alls.Values[i], i)
			}
		}
		// Describe of nothing is no error: a count of 0, as Describe's.
		d, err := compute.DescribeAxis(ctx, c.view, c.axis)
		must(t, err)
		if len(d.Values) != c.results {
			t.Errorf("%s: %d Stats, want %d", c.name, len(d.Values), c.results)
		}
		for i, s := range d.Values {
			if s.Count != 0 || s.Sum != 0 || !math.IsNaN(s.Mean) || !math.IsNaN(s.Min) || s.ArgMin != -1 {
				t.Errorf("%s: Stats %d are %+v, want a count of 0", c.name, i, s)
			}
		}
	}
}

func TestAxisMisuse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, a := createFloat64(t, make([]float64, 12), 3, 4)
	scalar := a.Slice(mmarray.Index(0), mmarray.Index(0))
	for _, c := range []struct {
		view *mmarray.Array[float64]
		axis int
		want string
	}{
		{a, 2, "compute: axis 2 is out of range for a view of 2 dimensions"},
		{a, -3, "compute: axis -3 is out of range for a view of 2 dimensions"},
		{scalar, 0, "compute: axis 0 is out of range for a view of 0 dimensions"},
	} {
		m := recoverMisuse(t, func() { _, _ = compute.SumAxis(ctx, c.view, c.axis) })
		if m != nil && m.Error() != c.want {
			t.Errorf("SumAxis along axis %d panicked with %q, want %q", c.axis, m.Error(), c.want)
		}
	}
}

func TestAxisContextAndProgress(t *testing.T) {
	t.Parallel()
	const rows, cols = 1000, 300
	_, a := createFloat64(t, wideRandom(rows*cols, 14), rows, cols)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := compute.VarAxis(ctx, a, 0, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("VarAxis with a cancelled context: error %v, want context.Canceled", err)
	}
	for _, axis := range []int{0, 1} {
		var calls int
		var last int64
		var bad []string
		_, err := compute.MeanAxis(context.Background(), a, axis, compute.WithWorkers(3), compute.WithProgress(func(done, total int64) {
			calls++
			if total != 8*rows*cols || done <= last || done > total {
				bad = append(bad, fmt.Sprintf("progress(%d, %d) after %d", done, total, last))
			}
			last = done
		}))
		must(t, err)
		if len(bad) > 0 || last != 8*rows*cols || calls < 2 {
			t.Errorf("axis %d: %d calls, last done %d of %d; bad calls: %v", axis, calls, last, 8*rows*cols, bad)
		}
	}
}

// TestInfinities checks NumPy's results for sums holding an infinity, whole
// and along both walks of an axis: the sum and mean are that infinity (NaN
// with both signs), the variance NaN. Compensated addition alone would make
// every one of them NaN.
func TestInfinities(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inf := math.Inf(1)
	// Column 0 holds +Inf, column 1 +Inf and -Inf, column 2 is finite.
	_, a := createFloat64(t, []float64{1, inf, 2, inf, -inf, 3, 4, 5, 6}, 3, 3)
	sum, err := compute.Sum(ctx, a.Slice(mmarray.All(), mmarray.Index(0)))
	must(t, err)
	mean, err := compute.Mean(ctx, a.Slice(mmarray.All(), mmarray.Index(0)))
	must(t, err)
	vr, err := compute.Var(ctx, a.Slice(mmarray.All(), mmarray.Index(0)), 0)
	must(t, err)
	if sum.Float64() != inf || mean != inf || !math.IsNaN(vr) {
		t.Errorf("whole column 0: sum %v, mean %v, var %v; want +Inf, +Inf, NaN", sum, mean, vr)
	}
	for _, v := range []*mmarray.Array[float64]{a, a.Transpose()} {
		axis := 0
		if v != a {
			axis = 1 // the same columns, read as runs
		}
		sums, err := compute.SumAxis(ctx, v, axis)
		must(t, err)
		means, err := compute.MeanAxis(ctx, v, axis)
		must(t, err)
		vars, err := compute.VarAxis(ctx, v, axis, 0)
		must(t, err)
		isInf, isNaN := func(x float64) bool { return x == inf }, math.IsNaN
		if !isInf(sums.Values[0].Float64()) || !isNaN(sums.Values[1].Float64()) ||
			!isInf(means.Values[0]) || !isNaN(means.Values[1]) || !isNaN(vars.Values[0]) || !isNaN(vars.Values[1]) {
			t.Errorf("along axis %d: sums %v, means %v, vars %v; want +Inf, NaN; +Inf, NaN; NaN, NaN in columns 0, 1",
				axis, sums.Values, means.Values, vars.Values)
		}
		// The finite column is untouched by the others (its variance may
		// differ in the last bits: the additions are grouped otherwise).
		col := a.Slice(mmarray.All(), mmarray.Index(2))
		s2, err := compute.Sum(ctx, col)
		must(t, err)
		v2, err := compute.Var(ctx, col, 0)
		must(t, err)
		if sums.Values[2] != s2 || !(math.Abs(vars.Values[2]-v2) <= 1e-12*v2) {
			t.Errorf("along axis %d: column 2 sum %v, var %v; whole %v, %v", axis, sums.Values[2], vars.Values[2], s2, v2)
		}
	}
}

// TestNanMomentsAxisChunksWithAndWithoutNaNs checks NanMeanAxis and
// NanVarAxis along axis 0 of a (30000, 7) view, about three chunks of whole
// rows, where only the second chunk holds NaNs: that chunk is read row by
// row, the others a chunk at a time (seven results, one past a multiple of
// the four taken together), and the merged results must match a two-pass
// loop over each column's non-NaN values and be the same bits on 1, 2, 3
// and 8 workers.
func TestNanMomentsAxisChunksWithAndWithoutNaNs(t *testing.T) {
	t.Parallel()
	const rows, cols = 30000, 7
	r := rand.New(rand.NewPCG(5, 6))
	values := make([]float64, rows*cols)
	for i := range values {
		values[i] = 100 + 3*r.NormFloat64()
	}
	for _, at := range [][2]int{{10000, 2}, {10001, 2}, {12345, 5}, {15000, 0}} {
		values[at[0]*cols+at[1]] = math.NaN()
	}
	_, a := createFloat64(t, values, rows, cols)
	ctx := context.Background()
	var want [2][]float64 // means, variances with ddof 1
	for c := range cols {
		var xs []float64
		for i := range rows {
			if x := values[i*cols+c]; !math.IsNaN(x) {
				xs = append(xs, x)
			}
		}
		var s, d float64
		for _, x := range xs {
			s += x
		}
		mean := s / float64(len(xs))
		for _, x := range xs {
			d += (x - mean) * (x - mean)
		}
		want[0] = append(want[0], mean)
		want[1] = append(want[1], d/float64(len(xs)-1))
	}
	var first string
	for _, workers := range []int{1, 2, 3, 8} {
		opt := compute.WithWorkers(workers)
		mean, err := compute.NanMeanAxis(ctx, a, 0, opt)
		must(t, err)
		vr, err := compute.NanVarAxis(ctx, a, 0, 1, opt)
		must(t, err)
		var bad []string
		for c := range cols {
			if math.Abs(mean.Values[c]-want[0][c]) > 1e-12*want[0][c] || math.Abs(vr.Values[c]-want[1][c]) > 1e-10*want[1][c] {
				bad = append(bad, fmt.Sprintf("column %d: mean %v var %v, want %v and %v", c, mean.Values[c], vr.Values[c], want[0][c], want[1][c]))
			}
		}
		if len(bad) > 0 {
			t.Errorf("%d workers: %v", workers, bad)
		}
		got := fmt.Sprint(mean.Values, vr.Values)
		if first == "" {
			first = got
		} else if got != first {
			t.Errorf("%d workers: %s, want %s as with 1", workers, got, first)
		}
	}
}

// TestMeanStdAxisIsMeanAxisAndStdAxis checks the one-pass MeanStdAxis
// against the two calls it stands for on every axis case: the standard
// deviations bit for bit, the means within both sums' error bound (their
// blocks differ; the data's magnitudes span 2^80, so the bound scales with
// the mean of the magnitudes, not the mean).
func TestMeanStdAxisIsMeanAxisAndStdAxis(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const eps = 0x1p-52
	for _, c := range axisCases(t) {
		groups := along(c.view, c.axis)
		for _, ddof := range []int{0, 1} {
			means, stds, err := compute.MeanStdAxis(ctx, c.view, c.axis, ddof)
			must(t, err)
			wantMeans, err := compute.MeanAxis(ctx, c.view, c.axis)
			must(t, err)
			wantStds, err := compute.StdAxis(ctx, c.view, c.axis, ddof)
			must(t, err)
			if !slices.Equal(means.Shape, wantMeans.Shape) || !slices.Equal(stds.Shape, wantStds.Shape) {
				t.Fatalf("%s along %d: shapes %v and %v, want %v and %v", c.name, c.axis, means.Shape, stds.Shape, wantMeans.Shape, wantStds.Shape)
			}
			for i, want := range wantStds.Values {
				if math.Float64bits(stds.Values[i]) != math.Float64bits(want) {
					t.Fatalf("%s along %d, ddof %d: std %d is %v, StdAxis %v", c.name, c.axis, ddof, i, stds.Values[i], want)
				}
				var meanAbs float64
				for _, x := range groups[i] {
					meanAbs += math.Abs(x) / float64(len(groups[i]))
				}
				if m, w := means.Values[i], wantMeans.Values[i]; !(math.Abs(m-w) <= 40*eps*meanAbs) {
					t.Fatalf("%s along %d: mean %d is %v, MeanAxis %v", c.name, c.axis, i, m, w)
				}
			}
		}
	}
}
