package compute_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
)

// TestCountsAndRanksIdenticalAcrossWorkers checks that histograms,
// bincounts (weighted sums of both bit for bit) and top-k results are the same
// with 1, 2, 3 and 8 workers, on views of several chunks, with few bins
// and with more bins than a chunk's elements (larger chunks, shorter
// waves), and that the histograms count every element in range.
func TestCountsAndRanksIdenticalAcrossWorkers(t *testing.T) {
	t.Parallel()
	const n = 600_000
	values := wideRandom(n, 3)
	_, w := createFloat64(t, values, n/500, 500)
	keyValues := make([]int64, n)
	for i, x := range values {
		keyValues[i] = int64(math.Float64bits(x)>>20) % 250_000
	}
	keys, err := createInt64(t, keyValues).Reshape(n/500, 500)
	must(t, err)
	wt := w.Transpose()
	results := func(workers int) []string {
		ctx, opt := context.Background(), compute.WithWorkers(workers)
		var out []string
		for _, bins := range []int{10, 200_000} {
			h, err := compute.HistogramRange(ctx, wt, bins, -1, 1, opt)
			must(t, err)
			out = append(out, fmt.Sprint(h.Counts))
		}
		h, err := compute.Histogram(ctx, w, 77, opt)
		must(t, err)
		var total int64
		for _, c := range h.Counts {
			total += c
		}
		if total != n {
			t.Errorf("Histogram with %d workers counted %d of %d elements", workers, total, n)
		}
		out = append(out, fmt.Sprint(h.Counts))
		e, err := compute.HistogramEdges(ctx, w, []float64{-1e6, -1, 0, 1e-9, 1, 1e6}, opt)
		must(t, err)
		out = append(out, fmt.Sprint(e.Counts))
		for _, bins := range []int{10, 200_000} {
			hw, err := compute.HistogramRangeWeighted(ctx, wt, wt, bins, -1, 1, opt)
			must(t, err)
			for _, x := range hw.Sums {
				out = append(out, strconv.FormatUint(math.Float64bits(x), 16))
			}
		}
		c, err := compute.Bincount(ctx, keys.Transpose(), 0, opt)
		must(t, err)
		out = append(out, fmt.Sprint(c))
		s, err := compute.BincountWeighted(ctx, keys.Transpose(), wt, 0, opt)
		must(t, err)
		for _, x := range s {
			out = append(out, strconv.FormatUint(math.Float64bits(x), 16))
		}
		for _, k := range []int{5, 100_000} {
			top, err := compute.TopK(ctx, wt, k, opt)
			must(t, err)
			bottom, err := compute.BottomK(ctx, w, k, opt)
			must(t, err)
			out = append(out, fmt.Sprint(top.Indices, top.Values, bottom.Indices, bottom.Values))
		}
		return out
	}
	want := results(1)
	for _, workers := range []int{2, 3, 8} {
		if got := results(workers); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%d workers: results differ from 1 worker's", workers)
		}
	}
}

// TestCountsAndRanksCancelled checks that every operation of this file
// returns the context's error when the context is cancelled, empty view or
// not.
func TestCountsAndRanksCancelled(t *testing.T) {
	t.Parallel()
	_, a := createFloat64(t, []float64{1, 2, 3}, 3)
	keys := createInt64(t, []int64{1, 2, 3})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, v := range []*mmarray.Array[float64]{a, a.Slice(mmarray.Span(0, 0, 1))} {
		k := keys.Slice(mmarray.Span(0, v.Len(), 1))
		_, err1 := compute.Histogram(ctx, v, 3)
		_, err2 := compute.HistogramRange(ctx, v, 3, 0, 1)
		_, err3 := compute.HistogramEdges(ctx, v, []float64{0, 1})
		_, err4 := compute.Bincount(ctx, k, 0)
		_, err5 := compute.BincountWeighted(ctx, k, v, 0)
		_, err6 := compute.TopK(ctx, v, 2)
		_, err7 := compute.BottomK(ctx, v, 2)
		_, err8 := compute.HistogramWeighted(ctx, v, k, 3)
		_, err9 := compute.HistogramRangeWeighted(ctx, v, k, 3, 0, 1)
		_, err10 := compute.HistogramEdgesWeighted(ctx, v, k, []float64{0, 1})
		for i, err := range []error{err1, err2, err3, err4, err5, err6, err7, err8, err9, err10} {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("operation %d on %d elements with a cancelled context: error %v, want context.Canceled", i+1, v.Len(), err)
			}
		}
	}
}

// TestHistogramMisuse checks the panics of bad arguments.
func TestHistogramMisuse(t *testing.T) {
	t.Parallel()
	_, a := createFloat64(t, []float64{1, 2}, 2)
	short := a.Slice(mmarray.Span(0, 1, 1))
	ctx := context.Background()
	for name, call := range map[string]func(){
		"zero bins":           func() { compute.Histogram(ctx, a, 0) },
		"zero bins in range":  func() { compute.HistogramRange(ctx, a, 0, 0, 1) },
		"reversed range":      func() { compute.HistogramRange(ctx, a, 2, 1, 0) },
		"NaN range":           func() { compute.HistogramRange(ctx, a, 2, math.NaN(), 1) },
		"infinite range":      func() { compute.HistogramRange(ctx, a, 2, 0, math.Inf(1)) },
		"no edges":            func() { compute.HistogramEdges(ctx, a, nil) },
		"decreasing edges":    func() { compute.HistogramEdges(ctx, a, []float64{0, 2, 1}) },
		"NaN edge":            func() { compute.HistogramEdges(ctx, a, []float64{0, math.NaN()}) },
		"zero weighted bins":  func() { compute.HistogramWeighted(ctx, a, a, 0) },
		"short weights":       func() { compute.HistogramWeighted(ctx, a, short, 2) },
		"short range weights": func() { compute.HistogramRangeWeighted(ctx, a, short, 2, 0, 1) },
		"short edge weights":  func() { compute.HistogramEdgesWeighted(ctx, a, short, []float64{0, 1}) },
		"decreasing weighted": func() { compute.HistogramEdgesWeighted(ctx, a, a, []float64{1, 0}) },
	} {
		if m := recoverMisuse(t, call); m != nil && !strings.HasPrefix(m.Error(), "compute: ") {
			t.Errorf("%s: panic %q, want one starting with \"compute: \"", name, m)
		}
	}
}
