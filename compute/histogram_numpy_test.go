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
