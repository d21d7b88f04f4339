package compute_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
)

// fakeSource is a ChunkSource over chunk files in a directory, each a
// .npy file of the whole chunk shape (edge chunks too, their elements
// beyond the array's bounds holding the array's first element, so that a
// walk reading them is caught), in C or Fortran order. Mapped chunks are
// opened in place, as a Zarr store's uncompressed ones; otherwise a
// chunk's image is read into the scratch buffer and opened from memory,
// as a decoded one.
type fakeSource struct {
	shape, chunk []int
	descr        string
	dir          string
	mapped       bool
	// failAt, where set, makes OpenChunk of that chunk fail with errFake.
	failAt []int
	// opened counts OpenChunk calls; grown counts the scratch buffers
	// allocated (or grown) for decoded chunks.
	opened, grown atomic.Int64
	// onOpen, where set, is called at each OpenChunk.
	onOpen func()
	// files are the Files OpenChunk returned, when keepFiles is set.
	keepFiles bool
	mu        sync.Mutex
	files     []*mmarray.File
}

var errFake = errors.New("fake chunk store: cannot read")

func (s *fakeSource) Shape() []int      { return s.shape }
func (s *fakeSource) ChunkShape() []int { return s.chunk }
func (s *fakeSource) Descr() string     { return s.descr }

func (s *fakeSource) path(idx []int) string {
	parts := make([]string, len(idx))
	for i, x := range idx {
		parts[i] = fmt.Sprint(x)
	}
	return filepath.Join(s.dir, strings.Join(append([]string{"c"}, parts...), ".")+".npy")
}

func (s *fakeSource) OpenChunk(idx []int, scratch *compute.ChunkScratch) (*mmarray.File, error) {
	s.opened.Add(1)
	if s.onOpen != nil {
		s.onOpen()
	}
	if s.failAt != nil && slices.Equal(idx, s.failAt) {
		return nil, fmt.Errorf("chunk %v: %w", idx, errFake)
	}
	f, err := s.open(idx, scratch)
	if err == nil && s.keepFiles {
		s.mu.Lock()
		s.files = append(s.files, f)
		s.mu.Unlock()
	}
	return f, err
}

func (s *fakeSource) open(idx []int, scratch *compute.ChunkScratch) (*mmarray.File, error) {
	if s.mapped {
		return mmarray.Open(s.path(idx), mmarray.ReadOnly)
	}
	f, err := os.Open(s.path(idx))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	n := int(st.Size())
	if cap(scratch.Data) < n {
		scratch.Data = make([]byte, n)
		s.grown.Add(1)
	}
	data := scratch.Data[:n]
	if _, err := f.ReadAt(data, 0); err != nil {
		return nil, err
	}
	return mmarray.OpenBytes(s.path(idx), data, mmarray.ReadOnly)
}

// eachIndex calls fn with every index of shape, in C order.
func eachIndex(shape []int, fn func(idx []int)) {
	for _, n := range shape {
		if n == 0 {
			return
		}
	}
	idx := make([]int, len(shape))
	for {
		fn(idx)
		a := len(shape) - 1
		for ; a >= 0; a-- {
			if idx[a]++; idx[a] < shape[a] {
				break
			}
			idx[a] = 0
		}
		if a < 0 {
			return
		}
	}
}

// chunked writes the view a, of dtype descr, as chunk files of shape chunk (Fortran order
// with fortran) and returns the source over them.
func chunked[T compute.Real](t testing.TB, a *mmarray.Array[T], descr string, chunk []int, fortran, mapped bool) *fakeSource {
	t.Helper()
	s := &fakeSource{shape: a.Shape(), chunk: chunk, descr: descr, dir: t.TempDir(), mapped: mapped}
	grid := make([]int, len(chunk))
	for i, n := range s.shape {
		grid[i] = (n + chunk[i] - 1) / chunk[i]
	}
	var first T
	if a.Len() > 0 {
		first = a.At(make([]int, a.Ndim())...)
	}
	eachIndex(grid, func(c []int) {
		f, err := mmarray.Create(s.path(c), s.descr, chunk, mmarray.WithFortranOrder(fortran))
		must(t, err)
		defer f.Close()
		v, err := mmarray.View[T](f)
		must(t, err)
		at := make([]int, len(c))
		eachIndex(chunk, func(i []int) {
			inside := true
			for k := range i {
				at[k] = c[k]*chunk[k] + i[k]
				inside = inside && at[k] < s.shape[k]
			}
			if inside {
				v.Set(a.At(at...), i...)
			} else {
				v.Set(first, i...)
			}
		})
	})
	return s
}

// chunkLayout is a shape and the grid of chunks it is stored in.
type chunkLayout struct {
	name         string
	shape, chunk []int
	fortran      bool
}

var chunkLayouts = []chunkLayout{
	{"1-D, edge chunk", []int{1000}, []int{64}, false},
	{"(c,K)", []int{37, 11}, []int{8, 11}, false},
	{"(c,k) Fortran", []int{37, 11}, []int{8, 4}, true},
	{"(c,k) C", []int{37, 11}, []int{5, 3}, false},
	{"3-D (c,k,K)", []int{9, 7, 5}, []int{4, 3, 5}, false},
	{"3-D (c,K,k) Fortran", []int{9, 7, 5}, []int{4, 7, 2}, true},
	{"one chunk larger than the array", []int{5, 3}, []int{8, 8}, false},
}

// chunkTestFile makes a .npy file of shape and dtype descr of values with
// many ties (and NaNs at every 37th element from the 5th, with nans),
// whose first element is not zero.
func chunkTestFile(t *testing.T, descr string, shape []int, nans bool) *mmarray.File {
	t.Helper()
	n := 1
	for _, d := range shape {
		n *= d
	}
	signed := strings.ContainsAny(descr[1:2], "if")
	xs := make([]float64, n)
	for i := range xs {
		v := ((i + 1) * 7919) % 201
		if signed {
			v -= 100
		}
		xs[i] = float64(v)
		if descr[1] == 'f' {
			xs[i] /= 4
			if nans && i%37 == 5 {
				xs[i] = math.NaN()
			}
		}
	}
	_, src := createFloat64(t, xs, shape...)
	path := filepath.Join(t.TempDir(), "whole.npy")
	must(t, compute.Astype(context.Background(), src, path, descr))
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	must(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// chunkCheck runs the chunk functions of T against the view functions.
type chunkCheck func(t *testing.T, f *mmarray.File, l chunkLayout, mapped bool)

func chunkChecks() map[string]chunkCheck {
	return map[string]chunkCheck{
		"|b1": checkChunks[bool], "|i1": checkChunks[int8], "|u1": checkChunks[uint8], "<i2": checkChunks[int16],
		"<u2": checkChunks[uint16], ">i4": checkChunks[int32], "<u4": checkChunks[uint32], "<i8": checkChunks[int64],
		">u8": checkChunks[uint64], "<f2": checkChunks[mmarray.Float16], "<f4": checkChunks[float32],
		"<f8": checkChunks[float64], ">f8": checkChunks[float64],
	}
}

// TestChunksMatchView checks every reduction over a chunked array against
// the same reduction of the array as one view, for every real dtype (floats
// with and without NaNs), over edge chunks, C and Fortran chunks, grids of
// whole rows and of parts of rows in 1-D, 2-D and 3-D, with chunks mapped
// and decoded: integers, extremes and indices exactly, float sums, means
// and deviations to 1e-12 of their size (the additions are grouped by
// chunk); and that the results are the same bit for bit with 1, 2, 3 and
// 8 workers.
func TestChunksMatchView(t *testing.T) {
	t.Parallel()
	for descr, check := range chunkChecks() {
		for _, nans := range []bool{false, true} {
			if nans && descr[1] != 'f' {
				continue
			}
			for i, l := range chunkLayouts {
				name := fmt.Sprintf("%s/NaNs=%v/%s", descr, nans, l.name)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					check(t, chunkTestFile(t, descr, l.shape, nans), l, i%2 == 0)
				})
			}
		}
	}
}

// sameFloat reports whether got is want to within 1e-12 of scale, NaN
// being NaN and infinities equal.
func sameFloat(got, want, scale float64) bool {
	if math.IsNaN(want) || math.IsInf(want, 0) {
		return math.IsNaN(got) && math.IsNaN(want) || got == want
	}
	return math.Abs(got-want) <= 1e-12*max(1, math.Abs(scale))
}

// sameStats compares Describe's results: counts, extremes, indices and
// exact scalars exactly, sums and moments by sameFloat.
func sameStats(got, want compute.Stats, isFloat bool) bool {
	exact := got.Count == want.Count && got.NaNCount == want.NaNCount && got.ArgMin == want.ArgMin && got.ArgMax == want.ArgMax &&
		sameFloat(got.Min, want.Min, 0) && sameFloat(got.Max, want.Max, 0)
	if !isFloat {
		exact = exact && got.SumScalar == want.SumScalar && got.MinScalar == want.MinScalar && got.MaxScalar == want.MaxScalar
	}
	return exact && sameFloat(got.Sum, want.Sum, want.Sum) && sameFloat(got.Mean, want.Mean, want.Mean) && sameFloat(got.Std, want.Std, want.Std)
}

func checkChunks[T compute.Real](t *testing.T, f *mmarray.File, l chunkLayout, mapped bool) {
	ctx := context.Background()
	a, err := mmarray.View[T](f)
	must(t, err)
	src := chunked(t, a, f.Descr(), l.chunk, l.fortran, mapped)
	isFloat := isFloatType[T]()
	w3 := compute.WithWorkers(3)

	// Whole-array reductions: one result each, printed for comparison.
	type pair struct {
		name       string
		view, chnk func() (any, error)
		float      bool // compared by sameFloat, not exactly
	}
	scalar := func(s compute.Scalar, err error) (any, error) {
		if s.Kind() == compute.Float64 {
			return s.Float64(), err
		}
		return s, err
	}
	pairs := []pair{
		{"Sum", func() (any, error) { return scalar(compute.Sum(ctx, a)) }, func() (any, error) { return scalar(compute.SumChunks[T](ctx, src, w3)) }, isFloat},
		{"NanSum", func() (any, error) { return scalar(compute.NanSum(ctx, a)) }, func() (any, error) { return scalar(compute.NanSumChunks[T](ctx, src, w3)) }, isFloat},
		{"Mean", func() (any, error) { return compute.Mean(ctx, a) }, func() (any, error) { return compute.MeanChunks[T](ctx, src, w3) }, true},
		{"NanMean", func() (any, error) { return compute.NanMean(ctx, a) }, func() (any, error) { return compute.NanMeanChunks[T](ctx, src, w3) }, true},
		{"Var", func() (any, error) { return compute.Var(ctx, a, 1) }, func() (any, error) { return compute.VarChunks[T](ctx, src, 1, w3) }, true},
		{"NanVar", func() (any, error) { return compute.NanVar(ctx, a, 1) }, func() (any, error) { return compute.NanVarChunks[T](ctx, src, 1, w3) }, true},
		{"Std", func() (any, error) { return compute.Std(ctx, a, 0) }, func() (any, error) { return compute.StdChunks[T](ctx, src, 0, w3) }, true},
		{"NanStd", func() (any, error) { return compute.NanStd(ctx, a, 0) }, func() (any, error) { return compute.NanStdChunks[T](ctx, src, 0, w3) }, true},
		{"Min", func() (any, error) { return compute.Min(ctx, a) }, func() (any, error) { return compute.MinChunks[T](ctx, src, w3) }, false},
		{"Max", func() (any, error) { return compute.Max(ctx, a) }, func() (any, error) { return compute.MaxChunks[T](ctx, src, w3) }, false},
		{"NanMin", func() (any, error) { return compute.NanMin(ctx, a) }, func() (any, error) { return compute.NanMinChunks[T](ctx, src, w3) }, false},
		{"NanMax", func() (any, error) { return compute.NanMax(ctx, a) }, func() (any, error) { return compute.NanMaxChunks[T](ctx, src, w3) }, false},
		{"ArgMin", func() (any, error) { return compute.ArgMin(ctx, a) }, func() (any, error) { return compute.ArgMinChunks[T](ctx, src, w3) }, false},
		{"ArgMax", func() (any, error) { return compute.ArgMax(ctx, a) }, func() (any, error) { return compute.ArgMaxChunks[T](ctx, src, w3) }, false},
	}
	for _, p := range pairs {
		want, err := p.view()
		must(t, err)
		got, err := p.chnk()
		must(t, err)
		if p.float {
			if !sameFloat(got.(float64), want.(float64), want.(float64)) {
				t.Errorf("%s: %v over chunks, %v over the view", p.name, got, want)
			}
		} else if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v over chunks, %v over the view", p.name, got, want)
		}
	}
	wantStats, err := compute.Describe(ctx, a)
	must(t, err)
	stats, err := compute.DescribeChunks[T](ctx, src, w3)
	must(t, err)
	if !sameStats(stats, wantStats, isFloat) {
		t.Errorf("Describe: %+v over chunks, %+v over the view", stats, wantStats)
	}

	// Reductions along each axis, counted from the end too.
	for axis := -1; axis < a.Ndim(); axis++ {
		checkAxisChunks(t, a, src, axis, isFloat)
	}

	// The same bit for bit whatever the number of workers.
	results := func(workers int) string {
		o := compute.WithWorkers(workers)
		d, err := compute.DescribeChunks[T](ctx, src, o)
		must(t, err)
		v, err := compute.NanVarChunks[T](ctx, src, 0, o)
		must(t, err)
		s, err := compute.SumChunks[T](ctx, src, o)
		must(t, err)
		da, err := compute.DescribeAxisChunks[T](ctx, src, 0, o)
		must(t, err)
		ma, err := compute.MeanAxisChunks[T](ctx, src, 0, o)
		must(t, err)
		sa, err := compute.StdAxisChunks[T](ctx, src, 0, 0, o)
		must(t, err)
		return fmt.Sprintf("%#v %x %#v %#v %#v %#v", d, math.Float64bits(v), s, da, ma, sa)
	}
	one := results(1)
	for _, workers := range []int{2, 3, 8} {
		if got := results(workers); got != one {
			t.Errorf("%d workers: %s\n1 worker: %s", workers, got, one)
		}
	}
}

// checkAxisChunks compares the reductions along axis over the chunks with
// those of the view.
func checkAxisChunks[T compute.Real](t *testing.T, a *mmarray.Array[T], src *fakeSource, axis int, isFloat bool) {
	ctx := context.Background()
	w2 := compute.WithWorkers(2)
	where := fmt.Sprintf("axis %d", axis)
	sameShape := func(name string, got, want []int) bool {
		if !slices.Equal(got, want) {
			t.Errorf("%s %s: shape %v over chunks, %v over the view", name, where, got, want)
			return false
		}
		return true
	}
	floats := map[string][2]func() (compute.Reduced[float64], error){
		"MeanAxis": {func() (compute.Reduced[float64], error) { return compute.MeanAxis(ctx, a, axis) },
			func() (compute.Reduced[float64], error) { return compute.MeanAxisChunks[T](ctx, src, axis, w2) }},
		"NanMeanAxis": {func() (compute.Reduced[float64], error) { return compute.NanMeanAxis(ctx, a, axis) },
			func() (compute.Reduced[float64], error) { return compute.NanMeanAxisChunks[T](ctx, src, axis, w2) }},
		"VarAxis": {func() (compute.Reduced[float64], error) { return compute.VarAxis(ctx, a, axis, 1) },
			func() (compute.Reduced[float64], error) { return compute.VarAxisChunks[T](ctx, src, axis, 1, w2) }},
		"NanVarAxis": {func() (compute.Reduced[float64], error) { return compute.NanVarAxis(ctx, a, axis, 1) },
			func() (compute.Reduced[float64], error) { return compute.NanVarAxisChunks[T](ctx, src, axis, 1, w2) }},
		"StdAxis": {func() (compute.Reduced[float64], error) { return compute.StdAxis(ctx, a, axis, 0) },
			func() (compute.Reduced[float64], error) { return compute.StdAxisChunks[T](ctx, src, axis, 0, w2) }},
		"NanStdAxis": {func() (compute.Reduced[float64], error) { return compute.NanStdAxis(ctx, a, axis, 0) },
			func() (compute.Reduced[float64], error) { return compute.NanStdAxisChunks[T](ctx, src, axis, 0, w2) }},
	}
	for name, fns := range floats {
		want, err := fns[0]()
		must(t, err)
		got, err := fns[1]()
		must(t, err)
		if sameShape(name, got.Shape, want.Shape) {
			for i := range want.Values {
				if !sameFloat(got.Values[i], want.Values[i], want.Values[i]) {
					t.Errorf("%s %s [%d]: %v over chunks, %v over the view", name, where, i, got.Values[i], want.Values[i])
				}
			}
		}
	}
	sums := map[string][2]func() (compute.Reduced[compute.Scalar], error){
		"SumAxis": {func() (compute.Reduced[compute.Scalar], error) { return compute.SumAxis(ctx, a, axis) },
			func() (compute.Reduced[compute.Scalar], error) { return compute.SumAxisChunks[T](ctx, src, axis, w2) }},
		"NanSumAxis": {func() (compute.Reduced[compute.Scalar], error) { return compute.NanSumAxis(ctx, a, axis) },
			func() (compute.Reduced[compute.Scalar], error) {
				return compute.NanSumAxisChunks[T](ctx, src, axis, w2)
			}},
	}
	for name, fns := range sums {
		want, err := fns[0]()
		must(t, err)
		got, err := fns[1]()
		must(t, err)
		if sameShape(name, got.Shape, want.Shape) {
			for i, w := range want.Values {
				g := got.Values[i]
				if g.Kind() != w.Kind() || (w.Kind() == compute.Float64 && !sameFloat(g.Float64(), w.Float64(), w.Float64())) ||
					(w.Kind() != compute.Float64 && g != w) {
					t.Errorf("%s %s [%d]: %v over chunks, %v over the view", name, where, i, g, w)
				}
			}
		}
	}
	extremes := map[string][2]func() (compute.Reduced[T], error){
		"MinAxis": {func() (compute.Reduced[T], error) { return compute.MinAxis(ctx, a, axis) },
			func() (compute.Reduced[T], error) { return compute.MinAxisChunks[T](ctx, src, axis, w2) }},
		"MaxAxis": {func() (compute.Reduced[T], error) { return compute.MaxAxis(ctx, a, axis) },
			func() (compute.Reduced[T], error) { return compute.MaxAxisChunks[T](ctx, src, axis, w2) }},
	}
	for name, fns := range extremes {
		want, err := fns[0]()
		must(t, err)
		got, err := fns[1]()
		must(t, err)
		if sameShape(name, got.Shape, want.Shape) && fmt.Sprint(got.Values) != fmt.Sprint(want.Values) {
			t.Errorf("%s %s: %v over chunks, %v over the view", name, where, got.Values, want.Values)
		}
	}
	want, err := compute.DescribeAxis(ctx, a, axis)
	must(t, err)
	got, err := compute.DescribeAxisChunks[T](ctx, src, axis, w2)
	must(t, err)
	if sameShape("DescribeAxis", got.Shape, want.Shape) {
		for i := range want.Values {
			if !sameStats(got.Values[i], want.Values[i], isFloat) {
				t.Errorf("DescribeAxis %s [%d]: %+v over chunks, %+v over the view", where, i, got.Values[i], want.Values[i])
			}
		}
	}
}

// TestChunksFirstOccurrence checks that ArgMinChunks, ArgMaxChunks and
// DescribeChunks report the first occurrence in the whole array's C order
// of extremes and NaNs tied across chunks whose grid order is not the
// array's (the chunks of one band of rows: the later chunk holds the
// earlier first row), as ArgMin, ArgMax and Describe of the view.
func TestChunksFirstOccurrence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(11, 12))
	for _, nan := range []bool{false, true} {
		for _, l := range []chunkLayout{
			{"(c,k)", []int{13, 10}, []int{4, 3}, false},
			{"(c,k) Fortran", []int{13, 10}, []int{5, 4}, true},
			{"3-D", []int{5, 6, 7}, []int{2, 4, 3}, false},
		} {
			n := 1
			for _, d := range l.shape {
				n *= d
			}
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = float64(r.IntN(3))
				if nan && r.IntN(20) == 0 {
					xs[i] = math.NaN()
				}
			}
			// An extreme and a NaN in the first row of a chunk that
			// comes after others of its band of rows.
			last := l.shape[len(l.shape)-1] - 1
			xs[last], xs[last-1] = -1, 9
			xs[2*l.shape[len(l.shape)-1]], xs[3*l.shape[len(l.shape)-1]] = -1, 9
			if nan {
				xs[last-2] = math.NaN()
			}
			_, a := createFloat64(t, xs, l.shape...)
			src := chunked(t, a, "<f8", l.chunk, l.fortran, false)
			where := fmt.Sprintf("NaNs=%v %s", nan, l.name)
			for _, workers := range []int{1, 3} {
				o := compute.WithWorkers(workers)
				wantMin, err := compute.ArgMin(ctx, a)
				must(t, err)
				wantMax, err := compute.ArgMax(ctx, a)
				must(t, err)
				gotMin, err := compute.ArgMinChunks[float64](ctx, src, o)
				must(t, err)
				gotMax, err := compute.ArgMaxChunks[float64](ctx, src, o)
				must(t, err)
				if gotMin != wantMin || gotMax != wantMax {
					t.Errorf("%s: argmin %d, argmax %d over chunks; %d, %d over the view", where, gotMin, gotMax, wantMin, wantMax)
				}
				want, err := compute.Describe(ctx, a)
				must(t, err)
				got, err := compute.DescribeChunks[float64](ctx, src, o)
				must(t, err)
				if got.ArgMin != want.ArgMin || got.ArgMax != want.ArgMax || got.NaNCount != want.NaNCount {
					t.Errorf("%s: Describe %+v over chunks, %+v over the view", where, got, want)
				}
				for axis := range l.shape {
					want, err := compute.DescribeAxis(ctx, a, axis)
					must(t, err)
					got, err := compute.DescribeAxisChunks[float64](ctx, src, axis, o)
					must(t, err)
					for i := range want.Values {
						if got.Values[i].ArgMin != want.Values[i].ArgMin || got.Values[i].ArgMax != want.Values[i].ArgMax {
							t.Errorf("%s: DescribeAxis %d [%d]: %+v over chunks, %+v over the view", where, axis, i, got.Values[i], want.Values[i])
						}
					}
				}
			}
		}
	}
}

// float64Chunks makes a (37, 11) float64 array chunked (8, 4) (15 chunks
// of 256 bytes) and returns its view and source.
func float64Chunks(t *testing.T, mapped bool) (*mmarray.Array[float64], *fakeSource) {
	t.Helper()
	_, a := createFloat64(t, wideRandom(37*11, 5), 37, 11)
	return a, chunked(t, a, "<f8", []int{8, 4}, false, mapped)
}

// TestChunksErrors checks the errors of the walk: an OpenChunk error
// wrapped with the chunk's coordinates, a T other than the source's dtype,
// a chunk larger than the memory budget, a grid of another rank than the
// array, and a cancelled context, before and during the walk (which then
// stops without opening every chunk).
func TestChunksErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, src := float64Chunks(t, false)

	src.failAt = []int{1, 2}
	_, err := compute.SumChunks[float64](ctx, src, compute.WithWorkers(2))
	if !errors.Is(err, errFake) || !strings.Contains(err.Error(), "chunk [1 2]") {
		t.Errorf("OpenChunk failing: %v, want an error naming chunk [1 2] and wrapping %v", err, errFake)
	}
	_, err = compute.DescribeAxisChunks[float64](ctx, src, 0)
	if !errors.Is(err, errFake) {
		t.Errorf("OpenChunk failing along an axis: %v, want it wrapped", err)
	}
	src.failAt = nil

	if _, err := compute.MeanChunks[float32](ctx, src); !errors.Is(err, mmarray.ErrDTypeMismatch) {
		t.Errorf("float32 over <f8 chunks: %v, want mmarray.ErrDTypeMismatch", err)
	}
	// An array with no chunks refuses a wrong element type too, without
	// a chunk to open, in each kind of walk.
	empty := &fakeSource{shape: []int{0, 11}, chunk: []int{8, 4}, descr: "<f8", dir: t.TempDir()}
	if _, err := compute.SumChunks[float32](ctx, empty); !errors.Is(err, mmarray.ErrDTypeMismatch) {
		t.Errorf("float32 over an empty <f8 array: %v, want mmarray.ErrDTypeMismatch", err)
	}
	if _, err := compute.MeanAxisChunks[int64](ctx, empty, 1); !errors.Is(err, mmarray.ErrDTypeMismatch) {
		t.Errorf("int64 along an axis of an empty <f8 array: %v, want mmarray.ErrDTypeMismatch", err)
	}
	if _, err := compute.TopKChunks[float32](ctx, empty, 3); !errors.Is(err, mmarray.ErrDTypeMismatch) {
		t.Errorf("top-k of float32 over an empty <f8 array: %v, want mmarray.ErrDTypeMismatch", err)
	}
	emptyKeys := &fakeSource{shape: []int{0, 11}, chunk: []int{8, 4}, descr: "<i8", dir: t.TempDir()}
	if _, err := compute.GroupByChunks[int32, float64](ctx, emptyKeys, empty); !errors.Is(err, mmarray.ErrDTypeMismatch) {
		t.Errorf("int32 keys over empty <i8 keys: %v, want mmarray.ErrDTypeMismatch", err)
	}
	if _, err := compute.SumChunks[float64](ctx, empty); err != nil {
		t.Errorf("float64 over an empty <f8 array: %v", err)
	}
	// A chunk holds 8·4·8 = 256 bytes.
	if _, err := compute.SumChunks[float64](ctx, src, compute.WithMemory(255)); !errors.Is(err, memmap.ErrTooLarge) {
		t.Errorf("256-byte chunks in a 255-byte budget: %v, want memmap.ErrTooLarge", err)
	}
	if _, err := compute.SumAxisChunks[float64](ctx, src, 0, compute.WithMemory(255)); !errors.Is(err, memmap.ErrTooLarge) {
		t.Errorf("256-byte chunks in a 255-byte budget along an axis: %v, want memmap.ErrTooLarge", err)
	}
	bad := &fakeSource{shape: []int{37, 11}, chunk: []int{8}, descr: "<f8", dir: src.dir}
	if _, err := compute.SumChunks[float64](ctx, bad); !errors.Is(err, memmap.ErrUnsupported) {
		t.Errorf("a 1-D grid over a 2-D array: %v, want memmap.ErrUnsupported", err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := compute.StdChunks[float64](cancelled, src, 0); err != context.Canceled {
		t.Errorf("cancelled context: %v, want context.Canceled as it is", err)
	}
	running, stop := context.WithCancel(ctx)
	defer stop()
	src.opened.Store(0)
	src.onOpen = func() {
		if src.opened.Load() == 3 {
			stop()
		}
	}
	_, err = compute.DescribeChunks[float64](running, src, compute.WithWorkers(1))
	if err != context.Canceled || src.opened.Load() != 3 {
		t.Errorf("context cancelled at the third chunk: %v after %d chunks, want context.Canceled after 3", err, src.opened.Load())
	}
}

// TestChunksBudgetAndBuffers checks that a budget with room for a single
// chunk gives the same results as the default one, that WithProgress
// reports every chunk's decoded bytes, up to the total, that each worker's
// scratch buffer is allocated once and reused, and that every chunk opened
// is closed by the walk, mapped or decoded.
func TestChunksBudgetAndBuffers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, mapped := range []bool{false, true} {
		a, src := float64Chunks(t, mapped)
		src.keepFiles = true
		want, err := compute.Describe(ctx, a)
		must(t, err)
		var last, total int64
		calls := 0
		progress := compute.WithProgress(func(done, all int64) {
			if done <= last {
				t.Errorf("progress went from %d to %d", last, done)
			}
			last, total = done, all
			calls++
		})
		got, err := compute.DescribeChunks[float64](ctx, src, compute.WithMemory(256), compute.WithWorkers(4), progress)
		must(t, err)
		if !sameStats(got, want, true) {
			t.Errorf("mapped=%v, a budget of one chunk: %+v, want %+v", mapped, got, want)
		}
		if calls != 15 || last != 15*256 || total != 15*256 {
			t.Errorf("mapped=%v: %d progress calls, last %d of %d; want 15, %d of %d", mapped, calls, last, total, 15*256, 15*256)
		}
		src.grown.Store(0)
		_, err = compute.VarAxisChunks[float64](ctx, src, 0, 0, compute.WithWorkers(3))
		must(t, err)
		if g := src.grown.Load(); g > 3 {
			t.Errorf("mapped=%v: %d scratch buffers allocated for 15 chunks on 3 workers, want at most 3", mapped, g)
		}
		for _, f := range src.files {
			if err := f.Close(); !errors.Is(err, memmap.ErrClosed) {
				t.Errorf("mapped=%v: a chunk's File was left open (Close: %v)", mapped, err)
			}
		}
	}
}

// TestChunksEmptyAndMisuse checks an empty chunked array against the same
// empty view (zero sums, NaN means, ErrEmpty extremes) and the panic for
// an axis out of range.
func TestChunksEmptyAndMisuse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, a := createFloat64(t, nil, 0, 5)
	src := chunked(t, a, "<f8", []int{4, 5}, false, true)
	sum, err := compute.SumChunks[float64](ctx, src)
	must(t, err)
	mean, err := compute.MeanChunks[float64](ctx, src)
	must(t, err)
	if sum.Float64() != 0 || !math.IsNaN(mean) {
		t.Errorf("empty: sum %v, mean %v; want 0, NaN", sum, mean)
	}
	if _, err := compute.MinChunks[float64](ctx, src); !errors.Is(err, compute.ErrEmpty) {
		t.Errorf("empty: MinChunks %v, want ErrEmpty", err)
	}
	if _, err := compute.MaxAxisChunks[float64](ctx, src, 0); !errors.Is(err, compute.ErrEmpty) {
		t.Errorf("empty axis: MaxAxisChunks %v, want ErrEmpty", err)
	}
	want, err := compute.SumAxis(ctx, a, 0)
	must(t, err)
	got, err := compute.SumAxisChunks[float64](ctx, src, 0)
	must(t, err)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("empty axis: SumAxisChunks %v, SumAxis %v", got, want)
	}
	d, err := compute.DescribeChunks[float64](ctx, src)
	must(t, err)
	if d.Count != 0 || d.ArgMin != -1 {
		t.Errorf("empty: Describe %+v, want a Count of 0", d)
	}
	if m := recoverMisuse(t, func() { _, _ = compute.SumAxisChunks[float64](ctx, src, 2) }); m != nil && !strings.HasPrefix(m.Error(), "compute: axis 2") {
		t.Errorf("axis 2 of a 2-D array: %v", m)
	}
}

// TestTopKChunksMatchView checks TopKChunks and BottomKChunks against TopK
// and BottomK of the same array as one view, values and flat indices
// exactly, on data with many ties (and NaNs among floats) over grids whose
// order is not the array's, for k from 0 to beyond the array's length,
// with 1 and 3 workers; and the panic for a negative k.
func TestTopKChunksMatchView(t *testing.T) {
	t.Parallel()
	layouts := []chunkLayout{chunkLayouts[0], chunkLayouts[2], chunkLayouts[3], chunkLayouts[5]}
	for _, descr := range []string{"<f8", "<f4", "<i2", "|u1"} {
		for i, l := range layouts {
			t.Run(descr+"/"+l.name, func(t *testing.T) {
				t.Parallel()
				f := chunkTestFile(t, descr, l.shape, true)
				switch descr {
				case "<f8":
					checkRankChunks[float64](t, f, l, i%2 == 0)
				case "<f4":
					checkRankChunks[float32](t, f, l, i%2 == 0)
				case "<i2":
					checkRankChunks[int16](t, f, l, i%2 == 0)
				case "|u1":
					checkRankChunks[uint8](t, f, l, i%2 == 0)
				}
			})
		}
	}
	_, src := float64Chunks(t, true)
	if m := recoverMisuse(t, func() { _, _ = compute.TopKChunks[float64](context.Background(), src, -1) }); m != nil && !strings.HasPrefix(m.Error(), "compute: TopKChunks(-1)") {
		t.Errorf("TopKChunks(-1): %v", m)
	}
	if m := recoverMisuse(t, func() { _, _ = compute.BottomKChunks[float64](context.Background(), src, -1) }); m != nil && !strings.HasPrefix(m.Error(), "compute: BottomKChunks(-1)") {
		t.Errorf("BottomKChunks(-1): %v", m)
	}
}

func checkRankChunks[T compute.Real](t *testing.T, f *mmarray.File, l chunkLayout, mapped bool) {
	ctx := context.Background()
	a, err := mmarray.View[T](f)
	must(t, err)
	src := chunked(t, a, f.Descr(), l.chunk, l.fortran, mapped)
	for _, k := range []int{0, 1, 5, 50, a.Len() + 3} {
		for _, workers := range []int{1, 3} {
			o := compute.WithWorkers(workers)
			top, err := compute.TopK(ctx, a, k)
			must(t, err)
			gotTop, err := compute.TopKChunks[T](ctx, src, k, o)
			must(t, err)
			bottom, err := compute.BottomK(ctx, a, k)
			must(t, err)
			gotBottom, err := compute.BottomKChunks[T](ctx, src, k, o)
			must(t, err)
			if fmt.Sprint(gotTop) != fmt.Sprint(top) || fmt.Sprint(gotBottom) != fmt.Sprint(bottom) {
				t.Errorf("k=%d, %d workers: top %v, bottom %v over chunks; %v, %v over the view", k, workers, gotTop, gotBottom, top, bottom)
			}
		}
	}
}

// TestGroupByChunksMatchView checks GroupByChunks against GroupBy of the
// same columns as views (a 2-D pair flattened in C order): keys, counts,
// extremes and dropped rows exactly, sums and means to 1e-12 of the sum
// of the magnitudes; the same result bit for bit with 1, 2, 3 and 8
// workers and when the merged table of 2000 groups spills under a 4 KiB
// budget (spill files removed); keys and values of another shape or grid
// panic.
func TestGroupByChunksMatchView(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for i, l := range []chunkLayout{
		{"1-D, 2000 groups", []int{5000}, []int{300}, false}, chunkLayouts[2], chunkLayouts[4],
	} {
		n := 1
		for _, d := range l.shape {
			n *= d
		}
		ks := make([]float64, n)
		for j := range ks {
			ks[j] = float64((j*7919)%2001 - 1000)
		}
		_, keyFloats := createFloat64(t, ks, l.shape...)
		keyPath := filepath.Join(t.TempDir(), "keys.npy")
		must(t, compute.Astype(ctx, keyFloats, keyPath, "<i2"))
		keyFile, err := mmarray.Open(keyPath, mmarray.ReadOnly)
		must(t, err)
		t.Cleanup(func() { keyFile.Close() })
		keys, err := mmarray.View[int16](keyFile)
		must(t, err)
		xs := wideRandom(n, 8)
		for j := range xs {
			if j%13 == 4 {
				xs[j] = math.NaN()
			}
		}
		_, values := createFloat64(t, xs, l.shape...)
		keySrc := chunked(t, keys, "<i2", l.chunk, l.fortran, i%2 == 0)
		valueSrc := chunked(t, values, "<f8", l.chunk, !l.fortran, i%2 == 1)
		flatKeys, err := keys.Reshape(n)
		must(t, err)
		flatValues, err := values.Reshape(n)
		must(t, err)
		want, err := compute.GroupBy(ctx, flatKeys, flatValues)
		must(t, err)
		got, err := compute.GroupByChunks[int16, float64](ctx, keySrc, valueSrc)
		must(t, err)
		if len(got.Groups) != len(want.Groups) || got.Dropped != want.Dropped {
			t.Fatalf("%s: %d groups, %d dropped over chunks; %d, %d over the view", l.name, len(got.Groups), got.Dropped, len(want.Groups), want.Dropped)
		}
		var scale float64
		for _, x := range xs {
			if x == x {
				scale += math.Abs(x)
			}
		}
		for j, w := range want.Groups {
			g := got.Groups[j]
			if g.Key != w.Key || g.Count != w.Count || !sameFloat(g.Min, w.Min, 0) || !sameFloat(g.Max, w.Max, 0) ||
				!sameFloat(g.Sum, w.Sum, scale) || !sameFloat(g.Mean, w.Mean, scale) {
				t.Errorf("%s: group %d: %+v over chunks, %+v over the view", l.name, j, g, w)
			}
		}
		spill := t.TempDir()
		for _, workers := range []int{1, 2, 3, 8} {
			for _, budget := range []int64{0, 4096} {
				other, err := compute.GroupByChunks[int16, float64](ctx, keySrc, valueSrc, compute.WithWorkers(workers),
					compute.WithMemory(budget), compute.WithSpillDir(spill))
				must(t, err)
				if diff := sameGroups(got, other); diff != "" {
					t.Errorf("%s, %d workers, budget %d: %s", l.name, workers, budget, diff)
				}
			}
		}
		if left, _ := os.ReadDir(spill); len(left) != 0 {
			t.Errorf("spill files left: %v", left)
		}
	}
	_, src := float64Chunks(t, true)
	other := &fakeSource{shape: []int{37, 11}, chunk: []int{8, 11}, descr: "<i2"}
	if m := recoverMisuse(t, func() { _, _ = compute.GroupByChunks[int16, float64](ctx, other, src) }); m != nil && !strings.HasPrefix(m.Error(), "compute: GroupByChunks: ") {
		t.Errorf("keys in another grid: %v", m)
	}
}

// TestGroupByChunksTableBudget checks that a chunk of more rows than a
// chunk table of GroupBy's holds counts the table its rows can fill: four
// chunks of 2¹⁷ rows (int8 keys, uint8 values: 256 KiB each, keys and
// values) with tables of up to 2¹⁷ groups fit one at a time in half of a
// 28 MiB budget, where a table of 2¹⁶ groups would let two in. Each worker
// given a chunk grows its scratch buffer once, so the buffers count the
// chunks in flight.
func TestGroupByChunksTableBudget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const rows, chunk = 4 << 17, 1 << 17
	kf, err := mmarray.Create(filepath.Join(t.TempDir(), "keys.npy"), "|i1", []int{rows})
	must(t, err)
	defer kf.Close()
	keys, err := mmarray.View[int8](kf)
	must(t, err)
	vf, err := mmarray.Create(filepath.Join(t.TempDir(), "values.npy"), "|u1", []int{rows})
	must(t, err)
	defer vf.Close()
	values, err := mmarray.View[uint8](vf)
	must(t, err)
	keySrc := chunked(t, keys, "|i1", []int{chunk}, false, false)
	valueSrc := chunked(t, values, "|u1", []int{chunk}, false, false)
	g, err := compute.GroupByChunks[int8, uint8](ctx, keySrc, valueSrc, compute.WithWorkers(2), compute.WithMemory(28<<20))
	must(t, err)
	if len(g.Groups) != 1 || g.Groups[0].Count != rows {
		t.Errorf("groups %+v, want one of %d rows", g.Groups, rows)
	}
	if k, v := keySrc.grown.Load(), valueSrc.grown.Load(); k != 1 || v != 1 {
		t.Errorf("%d keys and %d values scratch buffers grown: chunks of %d rows and their tables do not fit two at a time", k, v, chunk)
	}
}

// chunkSink keeps the chunks written to it, by coordinates.
type chunkSink struct {
	mu     sync.Mutex
	chunks map[string][]byte
	failAt string // WriteChunk of these coordinates fails with errFake
}

func (s *chunkSink) WriteChunk(idx []int, data []byte) error {
	key := fmt.Sprint(idx)
	if key == s.failAt {
		return errFake
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chunks == nil {
		s.chunks = map[string][]byte{}
	}
	s.chunks[key] = slices.Clone(data)
	return nil
}

// TestTransformChunks checks that TransformChunks writes every chunk of
// the grid, each holding the kernel's results (float64 of 2x+1 over int16
// elements, in C order) where the array has elements and zero past its
// bounds, the same bytes with 1, 3 and 8 workers, over C and Fortran
// chunks; that a WriteChunk error comes back wrapped with the chunk's
// coordinates; that source and result chunks larger than the budget are
// refused; and that a nil kernel panics.
func TestTransformChunks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	kernel := func(dst []float64, src []int16) {
		for i, x := range src {
			dst[i] = 2*float64(x) + 1
		}
	}
	for _, l := range []chunkLayout{chunkLayouts[0], chunkLayouts[2], chunkLayouts[5]} {
		f := chunkTestFile(t, "<i2", l.shape, false)
		a, err := mmarray.View[int16](f)
		must(t, err)
		src := chunked(t, a, "<i2", l.chunk, l.fortran, true)
		var first map[string][]byte
		for _, workers := range []int{1, 3, 8} {
			sink := &chunkSink{}
			must(t, compute.TransformChunks(ctx, sink, src, kernel, compute.WithWorkers(workers)))
			if first == nil {
				first = sink.chunks
				checkTransformedChunks(t, l, a, sink.chunks)
			} else if !reflect.DeepEqual(sink.chunks, first) {
				t.Errorf("%s: %d workers wrote other chunks than 1", l.name, workers)
			}
		}
	}
	_, src := float64Chunks(t, false)
	double := func(dst, src []float64) {
		for i, x := range src {
			dst[i] = 2 * x
		}
	}
	err := compute.TransformChunks(ctx, &chunkSink{failAt: "[2 1]"}, src, double, compute.WithWorkers(2))
	if !errors.Is(err, errFake) || !strings.Contains(err.Error(), "chunk [2 1]") {
		t.Errorf("WriteChunk failing: %v, want an error naming chunk [2 1] and wrapping %v", err, errFake)
	}
	// A chunk is 256 bytes, its result 256 more.
	if err := compute.TransformChunks(ctx, &chunkSink{}, src, double, compute.WithMemory(511)); !errors.Is(err, memmap.ErrTooLarge) {
		t.Errorf("512 bytes of chunks in a 511-byte budget: %v, want memmap.ErrTooLarge", err)
	}
	must(t, compute.TransformChunks(ctx, &chunkSink{}, src, double, compute.WithMemory(512)))
	if m := recoverMisuse(t, func() { _ = compute.TransformChunks[float64, float64](ctx, &chunkSink{}, src, nil) }); m != nil && m.Error() != "compute: TransformChunks: nil kernel" {
		t.Errorf("nil kernel: %v", m)
	}
}

// checkTransformedChunks checks each chunk written against 2x+1 of the
// array's elements, zero past its bounds.
func checkTransformedChunks(t *testing.T, l chunkLayout, a *mmarray.Array[int16], chunks map[string][]byte) {
	t.Helper()
	grid := make([]int, len(l.shape))
	count := 1
	for i, n := range l.shape {
		grid[i] = (n + l.chunk[i] - 1) / l.chunk[i]
		count *= grid[i]
	}
	if len(chunks) != count {
		t.Errorf("%s: %d chunks written, want %d", l.name, len(chunks), count)
	}
	eachIndex(grid, func(c []int) {
		data := chunks[fmt.Sprint(c)]
		j := 0
		at := make([]int, len(c))
		eachIndex(l.chunk, func(i []int) {
			want := 0.0
			inside := true
			for k := range i {
				at[k] = c[k]*l.chunk[k] + i[k]
				inside = inside && at[k] < l.shape[k]
			}
			if inside {
				want = 2*float64(a.At(at...)) + 1
			}
			if j+8 > len(data) {
				t.Fatalf("%s: chunk %v holds %d bytes", l.name, c, len(data))
			}
			if got := math.Float64frombits(binary.NativeEndian.Uint64(data[j:])); got != want {
				t.Errorf("%s: chunk %v at %v: %v, want %v", l.name, c, i, got, want)
			}
			j += 8
		})
	})
}

// BenchmarkMeanAxis0Chunks compares MeanAxis along axis 0 of a (65536, 16)
// float64 array (8 MiB) as one view with MeanAxisChunks over it in
// (4096, 16) chunks, mapped in place and decoded (read into the scratch
// buffer), for the engine's own overhead per chunk.
func BenchmarkMeanAxis0Chunks(b *testing.B) {
	path := filepath.Join(b.TempDir(), "x.npy")
	f, err := mmarray.Create(path, "<f8", []int{1 << 16, 16})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	a, err := mmarray.View[float64](f)
	if err != nil {
		b.Fatal(err)
	}
	xs, _ := a.Contiguous()
	copy(xs, wideRandom(len(xs), 3))
	ctx := context.Background()
	b.Run("view", func(b *testing.B) {
		b.SetBytes(int64(8 * len(xs)))
		for b.Loop() {
			if _, err := compute.MeanAxis(ctx, a, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, mapped := range []bool{true, false} {
		src := chunked(b, a, "<f8", []int{4096, 16}, false, mapped)
		b.Run(fmt.Sprintf("mapped=%v", mapped), func(b *testing.B) {
			b.SetBytes(int64(8 * len(xs)))
			for b.Loop() {
				if _, err := compute.MeanAxisChunks[float64](ctx, src, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
