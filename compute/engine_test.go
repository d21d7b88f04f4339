package compute_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// createFloat64 makes a .npy file of the values in shape (C order) and
// returns it open read-write with its view.
func createFloat64(t *testing.T, values []float64, shape ...int) (*mmarray.File, *mmarray.Array[float64]) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.npy")
	f, err := mmarray.Create(path, "<f8", shape)
	must(t, err)
	t.Cleanup(func() { f.Close() })
	a, err := mmarray.View[float64](f)
	must(t, err)
	s, ok := a.Contiguous()
	if !ok {
		t.Fatal("a new C-order <f8 file is not contiguous")
	}
	copy(s, values)
	return f, a
}

// wideRandom returns n values of random sign and magnitudes spread over
// 2^-40 to 2^40, so that the order of float additions changes their sum.
func wideRandom(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 9))
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Ldexp(r.Float64()-0.5, r.IntN(81)-40)
	}
	return x
}

// TestResultsIdenticalAcrossWorkers checks that every float result is the
// same bit for bit with 1, 2, 3 and 8 workers, on a contiguous, a
// transposed and a strided view of data whose sum depends on the order of
// its additions.
func TestResultsIdenticalAcrossWorkers(t *testing.T) {
	t.Parallel()
	const rows, cols = 301, 1000 // 301000 elements: five chunks, the last short
	_, a := createFloat64(t, wideRandom(rows*cols, 1), rows, cols)
	viewsOf := map[string]*mmarray.Array[float64]{
		"whole":      a,
		"transposed": a.Transpose(),
		"strided":    a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, 2), mmarray.Span(1, mmarray.Omit, 3)),
	}
	results := func(v *mmarray.Array[float64], workers int) []string {
		ctx, opt := context.Background(), compute.WithWorkers(workers)
		sum, err := compute.Sum(ctx, v, opt)
		must(t, err)
		mean, err := compute.Mean(ctx, v, opt)
		must(t, err)
		vr, err := compute.Var(ctx, v, 1, opt)
		must(t, err)
		d, err := compute.Describe(ctx, v, opt)
		must(t, err)
		bits := func(x float64) string { return strconv.FormatUint(math.Float64bits(x), 16) }
		return []string{bits(sum.Float64()), bits(mean), bits(vr), bits(d.Sum), bits(d.Mean), bits(d.Std),
			fmt.Sprint(d.ArgMin, d.ArgMax, d.Count)}
	}
	for name, v := range viewsOf {
		want := results(v, 1)
		for _, workers := range []int{2, 3, 8} {
			if got := results(v, workers); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s view, %d workers: results %v, with 1 worker %v", name, workers, got, want)
			}
		}
	}
}

// exactSum is the exact sum of xs, rounded once to float64.
func exactSum[F float32 | float64](xs []F) float64 {
	s := new(big.Float).SetPrec(4096)
	for _, x := range xs {
		s.Add(s, new(big.Float).SetFloat64(float64(x)))
	}
	f, _ := s.Float64()
	return f
}

// TestSumAccuracy sums adversarial data and compares with the exact sum:
// the error must stay within a rounding of the result, plus 19·ε·Σ|x| for
// the plain additions inside the 128-element blocks (16 per lane, then
// three to join the eight lanes), plus n·ε²·Σ|x| for the compensated
// additions of the blocks; and, where NumPy runs, be no larger than the
// error of NumPy's own sum of the same file.
func TestSumAccuracy(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 7))
	cancelling := make([]float64, 0, 200000)
	for range 50000 {
		x := math.Ldexp(r.Float64(), r.IntN(100)-50)
		cancelling = append(cancelling, x, -x*(1+1e-15), 1e-3*r.Float64(), -x*1e-15)
	}
	r.Shuffle(len(cancelling), func(i, j int) { cancelling[i], cancelling[j] = cancelling[j], cancelling[i] })
	tinyAndHuge := make([]float64, 1<<20)
	for i := range tinyAndHuge {
		tinyAndHuge[i] = 1e-3 * (1 + r.Float64())
	}
	tinyAndHuge[10], tinyAndHuge[500000], tinyAndHuge[len(tinyAndHuge)-1] = 1e16, -1e16, 3e15
	float32s := make([]float32, 300000)
	for i := range float32s {
		float32s[i] = float32(math.Ldexp(r.Float64()-0.5, r.IntN(60)-30))
	}

	type result struct{ got, exact, sumAbs float64 }
	results := map[string]result{}
	dir := t.TempDir()
	for name, xs := range map[string][]float64{"cancelling": cancelling, "tiny_and_huge": tinyAndHuge} {
		path := filepath.Join(dir, name+".npy")
		f, err := mmarray.Create(path, "<f8", []int{len(xs)})
		must(t, err)
		a, err := mmarray.View[float64](f)
		must(t, err)
		s, _ := a.Contiguous()
		copy(s, xs)
		must(t, f.Flush())
		got, err := compute.Sum(context.Background(), a)
		must(t, err)
		var sumAbs float64
		for _, x := range xs {
			sumAbs += math.Abs(x)
		}
		results[name] = result{got.Float64(), exactSum(xs), sumAbs}
		must(t, f.Close())
	}
	{
		path := filepath.Join(dir, "float32.npy")
		f, err := mmarray.Create(path, ">f4", []int{len(float32s)})
		must(t, err)
		a, err := mmarray.View[float32](f)
		must(t, err)
		for i, x := range float32s {
			a.Set1(x, i)
		}
		must(t, f.Flush())
		got, err := compute.Sum(context.Background(), a)
		must(t, err)
		var sumAbs float64
		for _, x := range float32s {
			sumAbs += math.Abs(float64(x))
		}
		results["float32"] = result{got.Float64(), exactSum(float32s), sumAbs}
		must(t, f.Close())
	}
	const eps = 0x1p-52
	for name, res := range results {
		bound := eps*math.Abs(res.exact) + 19*eps*res.sumAbs + 4*float64(1<<20)*eps*eps*res.sumAbs
		if err := math.Abs(res.got - res.exact); !(err <= bound) {
			t.Errorf("%s: sum %v, exact %v: error %g beyond %g", name, res.got, res.exact, err, bound)
		}
	}

	// NumPy's float64 sum of the same files, for "at least as accurate".
	var numpySums map[string]string
	numpytest.RunJSON(t, `
d = json.load(sys.stdin)
print(json.dumps({n: repr(float(np.load(d + "/" + n + ".npy").astype(np.float64).sum())) for n in ["cancelling", "tiny_and_huge", "float32"]}))
`, dir, &numpySums)
	for name, res := range results {
		np, err := strconv.ParseFloat(numpySums[name], 64)
		must(t, err)
		ours, theirs := math.Abs(res.got-res.exact), math.Abs(np-res.exact)
		t.Logf("%s: exact %v, error %g here, %g in NumPy", name, res.exact, ours, theirs)
		if ours > theirs {
			t.Errorf("%s: our error %g is larger than NumPy's %g (exact %v)", name, ours, theirs, res.exact)
		}
	}
}

func TestContextCancellation(t *testing.T) {
	t.Parallel()
	_, a := createFloat64(t, wideRandom(400000, 2), 400000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := compute.Sum(ctx, a); !errors.Is(err, context.Canceled) {
		t.Errorf("Sum with a cancelled context: error %v, want context.Canceled", err)
	}

	// Cancelled after the first chunk: the remaining chunks are not read.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	var calls int
	var lastDone, total int64
	_, err := compute.Describe(ctx, a, compute.WithWorkers(1), compute.WithProgress(func(done, tot int64) {
		calls++
		lastDone, total = done, tot
		cancel()
	}))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Describe cancelled after its first chunk: error %v, want context.Canceled", err)
	}
	if calls != 1 || lastDone >= total {
		t.Errorf("Describe cancelled after its first chunk went on: %d progress calls, %d of %d bytes", calls, lastDone, total)
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	const n = 300007
	_, a := createFloat64(t, wideRandom(n, 3), n)
	for _, workers := range []int{1, 3} {
		var calls int
		var last int64
		var bad []string
		_, err := compute.Mean(context.Background(), a, compute.WithWorkers(workers), compute.WithProgress(func(done, total int64) {
			calls++
			if total != 8*n || done <= last || done > total {
				bad = append(bad, fmt.Sprintf("progress(%d, %d) after %d", done, total, last))
			}
			last = done
		}))
		must(t, err)
		if len(bad) > 0 || last != 8*n || calls < 2 {
			t.Errorf("%d workers: %d calls, last done %d of %d; bad calls: %v", workers, calls, last, 8*n, bad)
		}
	}
}

// recoverMisuse runs fn and returns the *memmap.Misuse it panicked with.
func recoverMisuse(t *testing.T, fn func()) (m *memmap.Misuse) {
	t.Helper()
	defer func() {
		p := recover()
		var ok bool
		if m, ok = p.(*memmap.Misuse); !ok {
			t.Errorf("panic value %#v, want a *memmap.Misuse", p)
		}
	}()
	fn()
	return nil
}

func TestMisuse(t *testing.T) {
	t.Parallel()
	if m := recoverMisuse(t, func() { compute.WithWorkers(-1) }); m != nil && m.Error() != "compute: WithWorkers(-1): negative worker count" {
		t.Errorf("WithWorkers(-1) panicked with %q", m.Error())
	}
	// A view used after Close panics in mmarray inside a worker; the panic
	// reaches the caller's goroutine.
	f, a := createFloat64(t, wideRandom(200000, 4), 200000)
	must(t, f.Close())
	recoverMisuse(t, func() { _, _ = compute.Sum(context.Background(), a, compute.WithWorkers(2)) })
}

// TestAllNaN checks the documented results for a view of NaNs only, which
// the NumPy comparison does not cover: NumPy warns there, and its
// nanargmin raises.
func TestAllNaN(t *testing.T) {
	t.Parallel()
	nans := make([]float64, 70000)
	for i := range nans {
		nans[i] = math.NaN()
	}
	_, a := createFloat64(t, nans, len(nans))
	ctx := context.Background()
	var bad []string
	check := func(what string, got float64, err error) {
		if err != nil || !math.IsNaN(got) {
			bad = append(bad, fmt.Sprintf("%s: %v, %v; want NaN, nil", what, got, err))
		}
	}
	v, err := compute.NanMin(ctx, a)
	check("NanMin", v, err)
	v, err = compute.NanMax(ctx, a)
	check("NanMax", v, err)
	v, err = compute.NanMean(ctx, a)
	check("NanMean", v, err)
	v, err = compute.NanStd(ctx, a, 0)
	check("NanStd", v, err)
	s, err := compute.NanSum(ctx, a)
	if err != nil || s.Float64() != 0 {
		bad = append(bad, fmt.Sprintf("NanSum: %v, %v; want 0, nil", s, err))
	}
	if i, err := compute.ArgMax(ctx, a); err != nil || i != 0 {
		bad = append(bad, fmt.Sprintf("ArgMax: %v, %v; want 0 (the first NaN), nil", i, err))
	}
	d, err := compute.Describe(ctx, a)
	if err != nil || d.Count != 0 || d.NaNCount != int64(len(nans)) || d.ArgMin != -1 || d.ArgMax != -1 || !math.IsNaN(d.Mean) || !math.IsNaN(d.Min) || d.Sum != 0 {
		bad = append(bad, fmt.Sprintf("Describe: %+v, %v", d, err))
	}
	if len(bad) > 0 {
		t.Error(bad)
	}
}

// TestScalarKinds checks Sum's result type by element type, and the
// Scalar's conversions.
func TestScalarKinds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	sumOf := func(descr string, fill func(f *mmarray.File)) compute.Scalar {
		f, err := mmarray.Create(filepath.Join(dir, "x"+descr[1:]+".npy"), descr, []int{3})
		must(t, err)
		defer f.Close()
		fill(f)
		var s compute.Scalar
		switch descr {
		case "|b1":
			s, err = compute.Sum(ctx, numpytest.Must(mmarray.View[bool](f)))
		case "<i2":
			s, err = compute.Sum(ctx, numpytest.Must(mmarray.View[int16](f)))
		case ">u8":
			s, err = compute.Sum(ctx, numpytest.Must(mmarray.View[uint64](f)))
		case "<f2":
			s, err = compute.Sum(ctx, numpytest.Must(mmarray.View[mmarray.Float16](f)))
		}
		must(t, err)
		return s
	}
	cases := []struct {
		descr  string
		fill   func(f *mmarray.File)
		kind   compute.Kind
		i      int64
		u      uint64
		f      float64
		String string
	}{
		{"|b1", func(f *mmarray.File) { a := numpytest.Must(mmarray.View[bool](f)); a.Set1(true, 0); a.Set1(true, 2) },
			compute.Int64, 2, 2, 2, "2"},
		{"<i2", func(f *mmarray.File) {
			a := numpytest.Must(mmarray.View[int16](f))
			a.Set1(-30000, 0)
			a.Set1(-30000, 1)
		},
			compute.Int64, -60000, 1<<64 - 60000, -60000, "-60000"},
		{">u8", func(f *mmarray.File) {
			a := numpytest.Must(mmarray.View[uint64](f))
			a.Set1(1<<63, 0)
			a.Set1(1<<63+5, 1)
		},
			compute.Uint64, 5, 5, 5, "5"}, // wraps around, as NumPy's uint64 sum
		{"<f2", func(f *mmarray.File) {
			a := numpytest.Must(mmarray.View[mmarray.Float16](f))
			a.Set1(mmarray.Float16FromFloat64(1.5), 0)
			a.Set1(mmarray.Float16FromFloat64(-4), 1)
		}, compute.Float64, -2, 1<<64 - 2, -2.5, "-2.5"},
	}
	for _, c := range cases {
		s := sumOf(c.descr, c.fill)
		if s.Kind() != c.kind || s.Int64() != c.i || s.Float64() != c.f || s.String() != c.String || ((c.kind != compute.Float64 || c.f >= 0) && s.Uint64() != c.u) {
			t.Errorf("%s: Sum %v (kind %v, Int64 %d, Uint64 %d, Float64 %v), want kind %v, %d, %d, %v, %q",
				c.descr, s, s.Kind(), s.Int64(), s.Uint64(), s.Float64(), c.kind, c.i, c.u, c.f, c.String)
		}
	}
}

// TestLayouts sums int32 data (exact, so any order must agree) in layouts
// the NumPy files do not have: a raw file at an odd offset (unaligned, read
// through the staging buffer), a 0-d array, and a reversed 3-D view, against
// a plain loop over Values.
func TestLayouts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(5, 5))

	raw := filepath.Join(dir, "raw.bin")
	f, err := mmarray.OpenRaw(raw, mmarray.Write, "<i4", []int{3, 50001}, 1)
	must(t, err)
	defer f.Close()
	unaligned := numpytest.Must(mmarray.View[int32](f))
	for i := range 3 {
		for j := range 50001 {
			unaligned.Set2(r.Int32(), i, j)
		}
	}
	scalarFile, err := mmarray.Create(filepath.Join(dir, "scalar.npy"), ">i4", []int{})
	must(t, err)
	defer scalarFile.Close()
	scalar := numpytest.Must(mmarray.View[int32](scalarFile))
	scalar.Set(-7)

	cube := numpytest.Must(unaligned.Reshape(3, 3, 16667)).
		Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, -1), mmarray.All(), mmarray.Span(mmarray.Omit, mmarray.Omit, -3)).
		Transpose(2, 0, 1)
	for name, v := range map[string]*mmarray.Array[int32]{"unaligned": unaligned, "0-d": scalar, "reversed 3-D": cube} {
		var want int64
		var wantMin int32 = math.MaxInt32
		wantArg, i := 0, 0
		for x := range v.Values() {
			want += int64(x)
			if x < wantMin {
				wantMin, wantArg = x, i
			}
			i++
		}
		got, err := compute.Sum(context.Background(), v, compute.WithWorkers(2))
		must(t, err)
		arg, err := compute.ArgMin(context.Background(), v, compute.WithWorkers(2))
		must(t, err)
		if got.Int64() != want || arg != wantArg {
			t.Errorf("%s: Sum %v, ArgMin %d; the loop over Values: %d, %d", name, got, arg, want, wantArg)
		}
	}
}
