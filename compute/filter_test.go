package compute_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
)

// keepMultiplesOf3 keeps the rows whose column element is a multiple of 3.
func keepMultiplesOf3(keep []bool, col []float64) {
	for i, x := range col {
		keep[i] = int(x)%3 == 0
	}
}

// rowsWhere returns the elements, in C order, of the rows of a (N, K)
// view whose first element keep accepts: the expected file of a Filter
// on column 0.
func rowsWhere(a *mmarray.Array[float64], keep func(float64) bool) []float64 {
	shape := a.Shape()
	var out []float64
	for i := range shape[0] {
		if keep(a.At2(i, 0)) {
			for j := range shape[1] {
				out = append(out, a.At2(i, j))
			}
		}
	}
	return out
}

func TestFilterMisusePanics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newArray[float64](t, "<f8", []int{6, 4}, false)
	out := filepath.Join(t.TempDir(), "out.npy")
	col := a.Slice(mmarray.All(), mmarray.Index(0))
	scalar := a.Slice(mmarray.Index(0), mmarray.Index(0))
	other := newArray[float64](t, "<f8", []int{5, 4}, false)
	cases := map[string]func(){
		"0-d source":      func() { compute.Filter(ctx, scalar, col, keepMultiplesOf3, out) },
		"2-D column":      func() { compute.Filter(ctx, a, a, keepMultiplesOf3, out) },
		"short column":    func() { compute.Filter(ctx, other, col, keepMultiplesOf3, out) },
		"nil predicate":   func() { compute.Filter[float64, float64](ctx, a, col, nil, out) },
		"no views":        func() { compute.Concatenate[float64](ctx, nil, out) },
		"0-d concatenate": func() { compute.Concatenate(ctx, []*mmarray.Array[float64]{a, scalar}, out) },
		"rows differ":     func() { compute.Concatenate(ctx, []*mmarray.Array[float64]{a, a.Transpose()}, out) },
	}
	mask := newBoolMask(t, []bool{true, false, true, false, true})
	cases["short mask"] = func() { compute.Where(ctx, a, mask, out) }
	for name, fn := range cases {
		if text := panics(fn); !strings.HasPrefix(text, "compute: ") {
			t.Errorf("%s: panic %q, want a *memmap.Misuse from compute", name, text)
		}
	}
	noFile(t, out)
}

// newBoolMask creates a 1-D bool .npy file holding mask and views it.
func newBoolMask(t *testing.T, mask []bool) *mmarray.Array[bool] {
	t.Helper()
	f, err := mmarray.Create(filepath.Join(t.TempDir(), "mask.npy"), "|b1", []int{len(mask)})
	must(t, err)
	t.Cleanup(func() { f.Close() })
	m, err := mmarray.View[bool](f)
	must(t, err)
	m.SetRange(0, mask)
	return m
}

// TestConcatenateDTypeMismatch: views of one Go type but different dtypes
// (byte orders) are an error wrapping mmarray.ErrDTypeMismatch, and no
// file is made.
func TestConcatenateDTypeMismatch(t *testing.T) {
	t.Parallel()
	little := newArray[float32](t, "<f4", []int{3, 2}, false)
	big := newArray[float32](t, ">f4", []int{3, 2}, false)
	out := filepath.Join(t.TempDir(), "out.npy")
	_, err := compute.Concatenate(context.Background(), []*mmarray.Array[float32]{little, big}, out)
	if !errors.Is(err, mmarray.ErrDTypeMismatch) {
		t.Errorf("error %v, want one wrapping mmarray.ErrDTypeMismatch", err)
	}
	noFile(t, out)
}

// TestFilterEmpty: no rows give a file of shape (0, K); rows of no bytes
// cannot be written (the Writer's ErrShape); no rows kept give (0, K).
func TestFilterEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	a := newArray[float64](t, "<f8", []int{5, 3}, false)
	none := a.Slice(mmarray.Span(0, 0, 1))
	out := filepath.Join(dir, "none.npy")
	n, err := compute.Filter(ctx, none, none.Slice(mmarray.All(), mmarray.Index(0)), keepMultiplesOf3, out)
	must(t, err)
	if shape, _ := readBack[float64](t, out); n != 0 || !slices.Equal(shape, []int{0, 3}) {
		t.Errorf("empty view: %d rows, shape %v, want 0 and [0 3]", n, shape)
	}
	out = filepath.Join(dir, "nokeep.npy")
	n, err = compute.Filter(ctx, a, a.Slice(mmarray.All(), mmarray.Index(0)), func(keep []bool, col []float64) {}, out)
	must(t, err)
	if shape, _ := readBack[float64](t, out); n != 0 || !slices.Equal(shape, []int{0, 3}) {
		t.Errorf("nothing kept: %d rows, shape %v, want 0 and [0 3]", n, shape)
	}
	noCols := a.Slice(mmarray.All(), mmarray.Span(0, 0, 1))
	out = filepath.Join(dir, "nocols.npy")
	if _, err := compute.Filter(ctx, noCols, a.Slice(mmarray.All(), mmarray.Index(0)), keepMultiplesOf3, out); !errors.Is(err, mmarray.ErrShape) {
		t.Errorf("rows of no bytes: error %v, want one wrapping mmarray.ErrShape", err)
	}
	noFile(t, out)
}

// TestFilterStopsCleanly: a cancelled context returns context.Canceled
// and a predicate's panic reaches the caller; either way nothing is left
// at the path, a file already there stays as it was, and no worker hangs
// waiting for a chunk that will not be written.
func TestFilterStopsCleanly(t *testing.T) {
	t.Parallel()
	a := newArray[float64](t, "<f8", []int{20000, 4}, false)
	col := a.Slice(mmarray.All(), mmarray.Index(0))
	out := filepath.Join(t.TempDir(), "out.npy")
	must(t, os.WriteFile(out, []byte("before"), 0o644))
	opts := []compute.Option{compute.WithWorkers(3), compute.WithRowChunkBytes(1024)}

	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	_, err := compute.Filter(ctx, a, col, func(keep []bool, col []float64) {
		if calls.Add(1) == 40 {
			cancel()
		}
		keepMultiplesOf3(keep, col)
	}, out, opts...)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v, want context.Canceled", err)
	}

	var got any
	func() {
		defer func() { got = recover() }()
		calls.Store(0)
		compute.Filter(context.Background(), a, col, func(keep []bool, col []float64) {
			if calls.Add(1) == 40 {
				panic("predicate failed")
			}
		}, out, opts...)
	}()
	if got != "predicate failed" {
		t.Errorf("recovered %v, want the predicate's panic", got)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != "before" {
		t.Errorf("the file at the path is %q (%v), want it as it was", b, err)
	}
	entries, err := os.ReadDir(filepath.Dir(out))
	must(t, err)
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files, want the one there before (temporary files left?)", len(entries))
	}
}

// TestFilterWithinBudget filters a file larger than the memory budget, so
// that its pages are read ahead and released in a window of chunks: the
// rows and the progress reports are those of an unbounded run.
func TestFilterWithinBudget(t *testing.T) {
	t.Parallel()
	a := newArray[float64](t, "<f8", []int{40000, 4}, false) // 1.25 MiB
	col := a.Slice(mmarray.All(), mmarray.Index(0))
	want := rowsWhere(a, func(x float64) bool { return int(x)%3 == 0 })
	dir := t.TempDir()
	for _, workers := range workerCounts {
		out := filepath.Join(dir, "out.npy")
		var last, total int64
		var reports int
		n, err := compute.Filter(context.Background(), a, col, keepMultiplesOf3, out,
			compute.WithWorkers(workers), compute.WithMemory(256<<10),
			compute.WithProgress(func(done, all int64) {
				if done <= last {
					t.Errorf("progress %d after %d", done, last)
				}
				last, total = done, all
				reports++
			}))
		must(t, err)
		shape, got := readBack[float64](t, out)
		if n != len(want)/4 || !slices.Equal(shape, []int{len(want) / 4, 4}) || !slices.Equal(got, want) {
			t.Errorf("%d workers: %d rows, shape %v, not the rows kept", workers, n, shape)
		}
		if wantTotal := int64(40000 * 4 * 8); last != wantTotal || total != wantTotal || reports < 2 {
			t.Errorf("%d workers: progress ended at %d of %d after %d reports, want %d", workers, last, total, reports, wantTotal)
		}
	}
}
