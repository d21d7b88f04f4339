package compute_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// numpyHistograms writes, into the folder named on its standard input, one
// .npy file per dtype and byte order holding random values and, for float
// dtypes, adversarial ones: every edge NumPy makes for the ranges and bin
// counts below (in the file's dtype) and the neighbouring floats either
// side of each. It prints the files with np.histogram's counts and edges
// for each bin count and range (or none: the data's range) and for
// explicit edge lists, or "error" where NumPy raises.
const numpyHistograms = `
import warnings, os
warnings.filterwarnings("ignore")
d = json.load(sys.stdin)
rng = np.random.default_rng(11)
ranges = [(0.0, 1.0), (-3.3, 7.1), (0.1, 0.7), (-1e-3, 1e-3), (2.5, 2.5), (1e4, 7e4), (-100.0, 1e5), (0.0, 0.01), (0.1, 70000.0)]
binss = [1, 2, 3, 7, 10, 33, 100, 1000]
edge_lists = [[0.0, 0.5, 1.0], [-3.0, -1.0, -1.0, 0.0, 0.1, 2.0, 2.0], [-np.inf, 0.0, np.inf], [1.0], [0.25, 0.25], [-1e9, 1e-3, 1e9]]
out = []
def hist(a, **kw):
    try:
        c, e = np.histogram(a, **kw)
        return {"counts": [int(x) for x in c], "edges": [repr(float(x)) for x in e]}
    except Exception as ex:
        return {"error": type(ex).__name__}
for code in ["f2", "f4", "f8", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"]:
    for bo in ("|" if code in ("i1", "u1") else "<>"):
        dt = np.dtype(bo + code)
        ndt = dt.newbyteorder("=")
        parts = []
        if dt.kind == "f":
            parts.append(rng.standard_normal(20000) * 3)
            parts.append(rng.uniform(-0.01, 0.01, 5000))
            for lo, hi in ranges:
                for b in binss:
                    lo2, hi2 = (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)
                    with np.errstate(all="ignore"):
                        e = np.linspace(lo2, hi2, b + 1).astype(ndt)
                    e = e[np.isfinite(e)]
                    parts += [e, np.nextafter(e, ndt.type(np.inf)), np.nextafter(e, ndt.type(-np.inf))]
        else:
            info = np.iinfo(ndt)
            parts.append(rng.integers(info.min, info.max, 20000, endpoint=True, dtype=ndt))
            parts.append(rng.integers(max(info.min, -20), min(info.max, 200), 20000, dtype=ndt))
        x = np.concatenate([p.astype(ndt) for p in parts])
        x = x[np.isfinite(x)] if dt.kind == "f" else x
        rng.shuffle(x)
        name = "%s%s.npy" % ({"<": "le", ">": "be", "|": ""}[bo], code)
        np.save(os.path.join(d, name), x.astype(dt))
        small = x[np.abs(x.astype(np.float64)) < 300]  # so that integer files have many elements in the ranges
        np.save(os.path.join(d, "small_" + name), small.astype(dt))
        for fname, a in ((name, x), ("small_" + name, small)):
            for b in binss:
                out.append({"file": fname, "code": code, "bins": b, "auto": True, **hist(a, bins=b)})
                for lo, hi in ranges:
                    out.append({"file": fname, "code": code, "bins": b, "lo": lo, "hi": hi, **hist(a, bins=b, range=(lo, hi))})
            for el in edge_lists:
                out.append({"file": fname, "code": code, "edge_list": [repr(e) for e in el], **hist(a, bins=np.array(el))})
print(json.dumps(out))
`

type numpyHistogram struct {
	File     string
	Code     string
	Bins     int
	Auto     bool
	Lo, Hi   float64
	EdgeList []string `json:"edge_list"`
	edgeList []float64
	Counts   []int64
	Edges    []string
	Error    string
}

// TestHistogramMatchesNumPy compares Histogram, HistogramRange and
// HistogramEdges with np.histogram on every real dtype in both byte orders,
// with many bin counts and ranges, over values that lie on NumPy's edges
// and one ulp either side of them: counts and edges must be NumPy's
// exactly. Cases where NumPy raises (its index arithmetic leaving the
// bins, for float16 ranges wider than float16) are counted and must be
// rare.
func TestHistogramMatchesNumPy(t *testing.T) {
	dir := t.TempDir()
	var cases []numpyHistogram
	numpytest.RunJSON(t, numpyHistograms, dir, &cases)
	if len(cases) < 1000 {
		t.Fatalf("NumPy reported %d cases", len(cases))
	}
	files := map[string]*mmarray.File{}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	var bad []string
	numpyErrors := 0
	for _, c := range cases {
		if c.Error != "" {
			numpyErrors++
			continue
		}
		c.edgeList = parseFloats(t, c.EdgeList)
		f := files[c.File]
		if f == nil {
			var err error
			f, err = mmarray.Open(filepath.Join(dir, c.File), mmarray.ReadOnly)
			must(t, err)
			files[c.File] = f
		}
		var h compute.Hist
		var err error
		switch c.Code {
		case "i1":
			h, err = histogramCase[int8](f, c)
		case "u1":
			h, err = histogramCase[uint8](f, c)
		case "i2":
			h, err = histogramCase[int16](f, c)
		case "u2":
			h, err = histogramCase[uint16](f, c)
		case "i4":
			h, err = histogramCase[int32](f, c)
		case "u4":
			h, err = histogramCase[uint32](f, c)
		case "i8":
			h, err = histogramCase[int64](f, c)
		case "u8":
			h, err = histogramCase[uint64](f, c)
		case "f2":
			h, err = histogramCase[mmarray.Float16](f, c)
		case "f4":
			h, err = histogramCase[float32](f, c)
		case "f8":
			h, err = histogramCase[float64](f, c)
		default:
			t.Fatalf("unknown code %q", c.Code)
		}
		what := fmt.Sprintf("%s bins %d auto %v range [%v, %v] edges %v", c.File, c.Bins, c.Auto, c.Lo, c.Hi, c.EdgeList)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", what, err))
			continue
		}
		if fmt.Sprint(h.Counts) != fmt.Sprint(c.Counts) {
			bad = append(bad, fmt.Sprintf("%s: counts\n%v, NumPy's\n%v", what, h.Counts, c.Counts))
		}
		if want := parseFloats(t, c.Edges); !sameBits(h.Edges, want) {
			bad = append(bad, fmt.Sprintf("%s: edges\n%v, NumPy's\n%v", what, h.Edges, want))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d of %d histograms differ from NumPy's; the first ones:\n%v", len(bad), len(cases), bad[:min(len(bad), 10)])
	}
	t.Logf("%d cases, NumPy raised in %d", len(cases), numpyErrors)
	if numpyErrors > len(cases)/50 {
		t.Errorf("NumPy raised in %d of %d cases: the cases no longer test what they should", numpyErrors, len(cases))
	}
}

func histogramCase[T compute.Real](f *mmarray.File, c numpyHistogram) (compute.Hist, error) {
	a, err := mmarray.View[T](f)
	if err != nil {
		return compute.Hist{}, err
	}
	ctx, opt := context.Background(), compute.WithWorkers(3)
	switch {
	case c.edgeList != nil:
		return compute.HistogramEdges(ctx, a, c.edgeList, opt)
	case c.Auto:
		return compute.Histogram(ctx, a, c.Bins, opt)
	}
	return compute.HistogramRange(ctx, a, c.Bins, c.Lo, c.Hi, opt)
}

// parseFloats parses NumPy's repr strings.
func parseFloats(t *testing.T, ss []string) []float64 {
	if ss == nil {
		return nil
	}
	xs := make([]float64, len(ss))
	for i, s := range ss {
		var err error
		if xs[i], err = strconv.ParseFloat(s, 64); err != nil {
			t.Fatalf("NumPy value %q: %v", s, err)
		}
	}
	return xs
}

// sameBits reports whether xs and ys hold the same float64s bit for bit.
func sameBits(xs, ys []float64) bool {
	if len(xs) != len(ys) {
		return false
	}
	for i := range xs {
		if math.Float64bits(xs[i]) != math.Float64bits(ys[i]) {
			return false
		}
	}
	return true
}

// TestHistogramNotFinite checks that a NaN or an infinity in a view whose
// range Histogram takes from the data is an error wrapping ErrNotFinite, as
// NumPy raises, and that HistogramRange leaves them out.
func TestHistogramNotFinite(t *testing.T) {
	t.Parallel()
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, a := createFloat64(t, []float64{1, 2, bad, 3}, 4)
		_, err := compute.Histogram(context.Background(), a, 3)
		if !errors.Is(err, compute.ErrNotFinite) {
			t.Errorf("Histogram of [1 2 %v 3]: error %v, want ErrNotFinite", bad, err)
		}
		h, err := compute.HistogramRange(context.Background(), a, 2, 1, 3)
		must(t, err)
		if fmt.Sprint(h.Counts) != "[1 2]" {
			t.Errorf("HistogramRange of [1 2 %v 3] over [1, 3] in 2 bins: %v, want [1 2]", bad, h.Counts)
		}
	}
}

// numpyWeightedHistograms writes (350, 400) .npy files of several dtypes,
// byte orders and memory orders, with values on and beside NumPy's edges,
// and a weight file for each, into the folder named on its standard input,
// and prints np.histogram of each file's whole and transposed view with
// the weights (as float64, the precision this package sums in) for bin
// counts, ranges and edge lists, with the sums of the weights' magnitudes
// per bin.
const numpyWeightedHistograms = `
import os
d = json.load(sys.stdin)
rng = np.random.default_rng(13)
shape = (350, 400)  # 140000 elements: three chunks, as NumPy's blocks of 65536
ranges = [None, (-3.3, 7.1), (0.1, 0.7), (2.5, 2.5), (1e4, 7e4)]
binss = [1, 7, 100, 1000]
edge_lists = [[-3.0, -1.0, -1.0, 0.0, 0.1, 2.0, 2.0], [-np.inf, 0.0, np.inf]]
out = []
for i, (code, wcode) in enumerate([("<f2", "<f8"), (">f4", ">f4"), ("<f8", "<i4"), (">i2", "<f2"), ("<u8", ">f8"), ("<f8", "<f8")]):
    dt, wdt = np.dtype(code), np.dtype(wcode)
    ndt = dt.newbyteorder("=")
    n = shape[0] * shape[1]
    if dt.kind == "f":
        parts = [rng.standard_normal(n // 2) * 3]
        for r in ranges[1:]:
            lo, hi = (r[0] - 0.5, r[1] + 0.5) if r[0] == r[1] else r
            for b in binss:
                e = np.linspace(lo, hi, b + 1).astype(ndt)
                parts += [e, np.nextafter(e, ndt.type(np.inf)), np.nextafter(e, ndt.type(-np.inf))]
        x = np.concatenate([p.astype(ndt) for p in parts])
        x = np.resize(x[np.isfinite(x)], n)
    else:
        x = rng.integers(0, 200, n).astype(ndt)
    rng.shuffle(x)
    x = x.reshape(shape)
    w = (rng.standard_normal(shape) * 100 if wdt.kind == "f" else rng.integers(-50, 50, shape)).astype(wdt)
    mem = "CF"[i % 2]
    name, wname = "h%d.npy" % i, "hw%d.npy" % i
    for fname, v in ((name, x), (wname, w)):
        a = np.lib.format.open_memmap(os.path.join(d, fname), mode="w+", dtype=v.dtype, shape=shape, fortran_order=(mem == "F"))
        a[...] = v; a.flush(); del a
    w64 = w.astype(np.float64)
    for view in ("whole", "transposed"):
        a, ww = (x, w64) if view == "whole" else (x.T, w64.T)
        def case(**kw):
            s, e = np.histogram(a, weights=ww, **kw)
            scale, _ = np.histogram(a, weights=np.abs(ww), **kw)
            return {"file": name, "weights": wname, "code": code[1:], "wcode": wcode[1:], "view": view,
                    "sums": [repr(float(v)) for v in s], "edges": [repr(float(v)) for v in e], "scale": [repr(float(v)) for v in scale]}
        for b in binss:
            for r in ranges:
                c = case(bins=b, range=r)
                c.update({"bins": b, "auto": r is None, "lo": r[0] if r else 0, "hi": r[1] if r else 0})
                out.append(c)
        for el in edge_lists:
            c = case(bins=np.array(el))
            c["edge_list"] = [repr(v) for v in el]
            out.append(c)
print(json.dumps(out))
`

// TestWeightedHistogramMatchesNumPy compares HistogramWeighted,
// HistogramRangeWeighted and HistogramEdgesWeighted with np.histogram's
// weighted sums, on float and integer files in both byte orders and
// memory orders, whole and transposed, with float, integer and float16
// weights: with equal bins the sums are NumPy's (of the weights as
// float64) bit for bit; with given edges, which NumPy sums by sorting and
// cumulative sums, within 1e-12 of each bin's sum of magnitudes.
func TestWeightedHistogramMatchesNumPy(t *testing.T) {
	dir := t.TempDir()
	var cases []struct {
		numpyHistogram
		Weights, WCode, View string
		Sums, Scale          []string
	}
	numpytest.RunJSON(t, numpyWeightedHistograms, dir, &cases)
	if len(cases) != 6*2*(4*5+2) {
		t.Fatalf("NumPy reported %d cases, want %d", len(cases), 6*2*(4*5+2))
	}
	var bad []string
	for _, c := range cases {
		c.edgeList = parseFloats(t, c.EdgeList)
		a, err := mmarray.Open(filepath.Join(dir, c.File), mmarray.ReadOnly)
		must(t, err)
		w, err := mmarray.Open(filepath.Join(dir, c.Weights), mmarray.ReadOnly)
		must(t, err)
		var h compute.WeightedHist
		switch c.Code {
		case "f2":
			h, err = weightedCase[mmarray.Float16](a, w, c.WCode, c.View, c.numpyHistogram)
		case "f4":
			h, err = weightedCase[float32](a, w, c.WCode, c.View, c.numpyHistogram)
		case "f8":
			h, err = weightedCase[float64](a, w, c.WCode, c.View, c.numpyHistogram)
		case "i2":
			h, err = weightedCase[int16](a, w, c.WCode, c.View, c.numpyHistogram)
		case "u8":
			h, err = weightedCase[uint64](a, w, c.WCode, c.View, c.numpyHistogram)
		default:
			t.Fatalf("unknown code %q", c.Code)
		}
		a.Close()
		w.Close()
		what := fmt.Sprintf("%s %s weighted by %s, bins %d auto %v range [%v, %v] edges %v", c.File, c.View, c.WCode, c.Bins, c.Auto, c.Lo, c.Hi, c.EdgeList)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", what, err))
			continue
		}
		if want := parseFloats(t, c.Edges); !sameBits(h.Edges, want) {
			bad = append(bad, fmt.Sprintf("%s: edges\n%v, NumPy's\n%v", what, h.Edges, want))
		}
		want, scale := parseFloats(t, c.Sums), parseFloats(t, c.Scale)
		if c.edgeList == nil {
			if !sameBits(h.Sums, want) {
				bad = append(bad, fmt.Sprintf("%s: sums\n%v, NumPy's\n%v", what, h.Sums, want))
			}
			continue
		}
		if len(h.Sums) != len(want) {
			bad = append(bad, fmt.Sprintf("%s: %d sums, NumPy %d", what, len(h.Sums), len(want)))
			continue
		}
		for i := range want {
			if !(math.Abs(h.Sums[i]-want[i]) <= 1e-12*scale[i]) {
				bad = append(bad, fmt.Sprintf("%s: sum %d is %v, NumPy's %v", what, i, h.Sums[i], want[i]))
			}
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d of %d weighted histograms differ from NumPy's; the first ones:\n%v", len(bad), len(cases), bad[:min(len(bad), 10)])
	}
}

func weightedCase[T compute.Real](a, w *mmarray.File, wcode, view string, c numpyHistogram) (compute.WeightedHist, error) {
	switch wcode {
	case "f8":
		return weightedCaseWith[T, float64](a, w, view, c)
	case "f4":
		return weightedCaseWith[T, float32](a, w, view, c)
	case "f2":
		return weightedCaseWith[T, mmarray.Float16](a, w, view, c)
	case "i4":
		return weightedCaseWith[T, int32](a, w, view, c)
	}
	return compute.WeightedHist{}, fmt.Errorf("unknown weight code %q", wcode)
}

func weightedCaseWith[T, W compute.Real](af, wf *mmarray.File, view string, c numpyHistogram) (compute.WeightedHist, error) {
	a, err := mmarray.View[T](af)
	if err != nil {
		return compute.WeightedHist{}, err
	}
	w, err := mmarray.View[W](wf)
	if err != nil {
		return compute.WeightedHist{}, err
	}
	if view == "transposed" {
		a, w = a.Transpose(), w.Transpose()
	}
	ctx, opt := context.Background(), compute.WithWorkers(3)
	switch {
	case c.edgeList != nil:
		return compute.HistogramEdgesWeighted(ctx, a, w, c.edgeList, opt)
	case c.Auto:
		return compute.HistogramWeighted(ctx, a, w, c.Bins, opt)
	}
	return compute.HistogramRangeWeighted(ctx, a, w, c.Bins, c.Lo, c.Hi, opt)
}
