package compute_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// newArray creates a .npy file of descr and shape in a temporary folder
// whose elements, in C order, are 0, 1, 2, ..., and returns a view of it.
func newArray[T ~int16 | ~uint8 | ~float32 | ~float64](t *testing.T, descr string, shape []int, fortran bool) *mmarray.Array[T] {
	t.Helper()
	f, err := mmarray.Create(filepath.Join(t.TempDir(), "a.npy"), descr, shape, mmarray.WithFortranOrder(fortran))
	must(t, err)
	t.Cleanup(func() { f.Close() })
	a, err := mmarray.View[T](f)
	must(t, err)
	vals := make([]T, a.Len())
	for i := range vals {
		vals[i] = T(i % 100)
	}
	a.SetRange(0, vals)
	return a
}

// readBack opens the .npy file at path and returns its shape and elements.
func readBack[T compute.Real](t *testing.T, path string) ([]int, []T) {
	t.Helper()
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	must(t, err)
	defer f.Close()
	a, err := mmarray.View[T](f)
	must(t, err)
	return a.Shape(), slices.Collect(a.Values())
}

func panics(fn func()) (text string) {
	defer func() {
		if m, ok := recover().(*memmap.Misuse); ok {
			text = m.Error()
		}
	}()
	fn()
	return ""
}

func noFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s left behind (stat: %v)", filepath.Base(path), err)
	}
}

func TestTransformMisusePanics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newArray[float64](t, "<f8", []int{4, 5}, false)
	b := newArray[float64](t, "<f8", []int{5, 4}, false)
	ident := func(dst []float64, src ...[]float64) { copy(dst, src[0]) }
	ro, err := mmarray.Open(a.File().Path(), mmarray.ReadOnly)
	must(t, err)
	defer ro.Close()
	roView, err := mmarray.View[float64](ro)
	must(t, err)
	out := filepath.Join(t.TempDir(), "out.npy")
	for _, c := range []struct {
		name, want string
		fn         func()
	}{
		{"no sources", "compute: Transform: no source views", func() { compute.Transform(ctx, a, nil, ident) }},
		{"shape", "compute: Transform: source 1 has shape [5 4], the destination [4 5]",
			func() { compute.Transform(ctx, a, []*mmarray.Array[float64]{a, b}, ident) }},
		{"read-only", "compute: Transform: the destination is read-only: " + a.File().Path() + " is open in mode r",
			func() { compute.Transform(ctx, roView, []*mmarray.Array[float64]{a}, ident) }},
		{"nil kernel", "compute: Transform: nil kernel", func() { compute.Transform(ctx, a, []*mmarray.Array[float64]{a}, nil) }},
		{"file without sources", "compute: TransformToFile: no source views", func() { compute.TransformToFile(ctx, out, "<f8", nil, ident) }},
		{"take out of range", "compute: Take: index 4 is out of bounds for axis 0 with size 4",
			func() { compute.Take(ctx, a, []int{0, -4, 4}, out) }},
		{"take below range", "compute: Take: index -5 is out of bounds for axis 0 with size 4",
			func() { compute.Take(ctx, a, []int{-5}, out) }},
		{"take of 0-d", "compute: Take of a 0-d view: it has no axis 0",
			func() { compute.Take(ctx, a.Slice(mmarray.Index(0), mmarray.Index(0)), nil, out) }},
		{"copy onto its source", "compute: copy: the output " + a.File().Path() + " is the file of a source view",
			func() { compute.Copy(ctx, a, a.File().Path()) }},
		{"transform onto a source", "compute: transform: the output " + b.File().Path() + " is the file of a source view",
			func() {
				compute.TransformToFile(ctx, b.File().Path(), "<f8", []*mmarray.Array[float64]{a, b.Transpose()}, ident)
			}},
	} {
		if got := panics(c.fn); got != c.want {
			t.Errorf("%s: panic %q, want %q", c.name, got, c.want)
		}
	}
	noFile(t, out)
}

func TestTransformErrorsLeaveNoFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newArray[int16](t, ">i2", []int{300, 400}, false) // 120000 elements: two chunks
	dir := t.TempDir()
	out := filepath.Join(dir, "out.npy")
	for _, c := range []struct {
		name string
		want error
		err  error
	}{
		{"bad descr", npyheader.ErrDescr, compute.Astype(ctx, a, out, "<q9")},
		{"complex", memmap.ErrUnsupported, compute.Astype(ctx, a, out, "<c16")},
		{"string", memmap.ErrUnsupported, compute.Astype(ctx, a, out, "|S3")},
		{"datetime", memmap.ErrUnsupported, compute.Astype(ctx, a, out, "<M8[s]")},
		{"descr not U", mmarray.ErrDTypeMismatch, compute.TransformToFile(ctx, out, "<f4", []*mmarray.Array[int16]{a},
			func(dst []float64, src ...[]int16) {})},
		{"no folder", fs.ErrNotExist, compute.Copy(ctx, a, filepath.Join(dir, "none", "out.npy"))},
	} {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: error %v, want one wrapping %v", c.name, c.err, c.want)
		}
		noFile(t, out)
	}
}

// TestTransformCancelled cancels the context before and during each
// operation: the error is the context's, and no file is left.
func TestTransformCancelled(t *testing.T) {
	t.Parallel()
	a := newArray[float32](t, "<f4", []int{600, 500}, true) // Fortran: Copy tiles
	out := filepath.Join(t.TempDir(), "out.npy")
	ops := map[string]func(context.Context, ...compute.Option) error{
		"TransformToFile": func(ctx context.Context, opts ...compute.Option) error {
			return compute.TransformToFile(ctx, out, "<f4", []*mmarray.Array[float32]{a},
				func(dst []float32, src ...[]float32) { copy(dst, src[0]) }, opts...)
		},
		"Astype": func(ctx context.Context, opts ...compute.Option) error {
			return compute.Astype(ctx, a, out, "<f8", opts...)
		},
		"Copy": func(ctx context.Context, opts ...compute.Option) error { return compute.Copy(ctx, a, out, opts...) },
		"Take": func(ctx context.Context, opts ...compute.Option) error {
			return compute.Take(ctx, a, make([]int, 300), out, opts...) // three chunks
		},
	}
	for name, op := range ops {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := op(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v", name, err)
		}
		noFile(t, out)
		ctx, cancel = context.WithCancel(context.Background())
		calls := 0
		err := op(ctx, compute.WithWorkers(1), compute.WithProgress(func(done, total int64) {
			calls++
			cancel()
		}))
		if calls != 1 || !errors.Is(err, context.Canceled) {
			t.Errorf("%s cancelled after its first chunk: %d progress calls, error %v", name, calls, err)
		}
		cancel()
		noFile(t, out)
	}
}

// TestTransformProgress checks that progress reaches the output's size in
// increasing steps, from one call at a time.
func TestTransformProgress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newArray[float64](t, "<f8", []int{700, 600}, false)
	dir := t.TempDir()
	ops := map[string]func(opt compute.Option) error{
		"Transform": func(opt compute.Option) error {
			return compute.TransformToFile(ctx, filepath.Join(dir, "t.npy"), "<f8", []*mmarray.Array[float64]{a},
				func(dst []float64, src ...[]float64) { copy(dst, src[0]) }, opt)
		},
		"Copy tiled": func(opt compute.Option) error {
			return compute.Copy(ctx, a.Transpose(), filepath.Join(dir, "c.npy"), opt)
		},
		"Take": func(opt compute.Option) error {
			return compute.Take(ctx, a, []int{1, 2, 3}, filepath.Join(dir, "k.npy"), opt)
		},
	}
	wantTotal := map[string]int64{"Transform": 700 * 600 * 8, "Copy tiled": 700 * 600 * 8, "Take": 3 * 600 * 8}
	for name, op := range ops {
		var steps []int64
		var totals []int64
		must(t, op(compute.WithProgress(func(done, total int64) {
			steps = append(steps, done)
			totals = append(totals, total)
		})))
		if len(steps) == 0 || !slices.IsSorted(steps) || steps[len(steps)-1] != wantTotal[name] {
			t.Errorf("%s: progress %v, want increasing steps to %d", name, steps, wantTotal[name])
		}
		for _, total := range totals {
			if total != wantTotal[name] {
				t.Errorf("%s: total %d, want %d", name, total, wantTotal[name])
				break
			}
		}
	}
}

// TestTransformKernelPanicReachesCaller: a kernel's panic is raised again
// in the caller's goroutine, and the new file is removed.
func TestTransformKernelPanicReachesCaller(t *testing.T) {
	t.Parallel()
	a := newArray[uint8](t, "|u1", []int{200000}, false)
	out := filepath.Join(t.TempDir(), "out.npy")
	var got any
	func() {
		defer func() { got = recover() }()
		compute.TransformToFile(context.Background(), out, "|u1", []*mmarray.Array[uint8]{a},
			func(dst []uint8, src ...[]uint8) { panic("kernel failed") }, compute.WithWorkers(3))
	}()
	if got != "kernel failed" {
		t.Errorf("recovered %v, want the kernel's panic", got)
	}
	noFile(t, out)
}

// TestCopyOfEveryPermutation copies every axis permutation of C and
// Fortran 3-D files, with tiles cut short at the edges, and compares the
// file with the view's elements in C order.
func TestCopyOfEveryPermutation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	var bad []string
	for _, fortran := range []bool{false, true} {
		a := newArray[uint8](t, "|u1", []int{3, 700, 530}, fortran) // tiles of 512 by 512
		for _, axes := range [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}} {
			v := a.Transpose(axes...)
			out := filepath.Join(dir, fmt.Sprintf("copy%v%v.npy", fortran, axes))
			must(t, compute.Copy(ctx, v, out, compute.WithWorkers(2)))
			shape, got := readBack[uint8](t, out)
			if !slices.Equal(shape, v.Shape()) || !slices.Equal(got, slices.Collect(v.Values())) {
				bad = append(bad, fmt.Sprintf("fortran %v, axes %v", fortran, axes))
			}
		}
	}
	if len(bad) > 0 {
		t.Errorf("copies differ from their views: %s", strings.Join(bad, "; "))
	}
}
