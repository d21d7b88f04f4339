package compute_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// numpyBincounts writes key files of every integer dtype and byte order,
// shaped (300, 501) in C or Fortran order, and weight files of several
// dtypes into the folder named on its standard input, and prints
// np.bincount of each key file's whole and transposed view, without and
// with weights (the weight file of the same order, read as the same view),
// with minlength 0 and 5000. uint64 keys, which np.bincount refuses, are
// counted as int64.
const numpyBincounts = `
import os
d = json.load(sys.stdin)
rng = np.random.default_rng(5)
shape = (300, 501)
wcodes = ["<f8", ">f4", "<f2", ">i8", "|u1", "|b1"]
out = []
for i, code in enumerate(["|b1", "|i1", "|u1", "<i2", ">u2", ">i4", "<u4", "<i8", ">i8", "<u8", ">u8"]):
    for mem in "CF":
        dt = np.dtype(code)
        top = {"b": 2, "i": 1000, "u": 1000}[dt.kind] if dt.itemsize > 1 else 2 if dt.kind == "b" else 100
        keys = rng.integers(0, top, shape).astype(dt)
        wcode = wcodes[i % len(wcodes)]
        w = rng.standard_normal(shape) * 1000
        if wcode[1] in "iub":
            w = rng.integers(0, 200, shape)
        w = w.astype(wcode)
        kname, wname = "keys_%s_%s.npy" % (dt.str[1:] + {"<": "le", ">": "be", "|": ""}[code[0]], mem), "w_%d_%s.npy" % (i, mem)
        for name, x in ((kname, keys), (wname, w)):
            a = np.lib.format.open_memmap(os.path.join(d, name), mode="w+", dtype=x.dtype, shape=shape, fortran_order=(mem == "F"))
            a[...] = x; a.flush(); del a
        for view in ("whole", "transposed"):
            k, ww = (keys, w) if view == "whole" else (keys.T, w.T)
            k = k.ravel().astype(np.int64)
            ww = ww.ravel()
            for ml in (0, 5000):
                c = np.bincount(k, minlength=ml)
                s = np.bincount(k, weights=ww, minlength=ml)
                scale = np.bincount(k, weights=np.abs(ww.astype(np.float64)), minlength=ml)
                out.append({"keys": kname, "weights": wname, "kcode": code[1:], "wcode": wcode[1:], "view": view, "minlength": ml,
                            "counts": [int(x) for x in c], "sums": [repr(float(x)) for x in s], "scale": [repr(float(x)) for x in scale]})
print(json.dumps(out))
`

type numpyBincount struct {
	Keys, Weights, KCode, WCode, View string
	Minlength                         int
	Counts                            []int64
	Sums, Scale                       []string
}

// TestBincountMatchesNumPy compares Bincount and BincountWeighted with
// np.bincount for every integer dtype of keys, weights of float and integer
// dtypes, C and Fortran files, whole and transposed views, with and without
// minlength. Counts are exact; sums within 1e-13 of the bin's sum of
// magnitudes (NumPy adds in one sequence, this package chunk by chunk).
func TestBincountMatchesNumPy(t *testing.T) {
	dir := t.TempDir()
	var cases []numpyBincount
	numpytest.RunJSON(t, numpyBincounts, dir, &cases)
	if len(cases) != 88 {
		t.Fatalf("NumPy reported %d cases, want 88", len(cases))
	}
	var bad []string
	for _, c := range cases {
		keys, err := mmarray.Open(filepath.Join(dir, c.Keys), mmarray.ReadOnly)
		must(t, err)
		weights, err := mmarray.Open(filepath.Join(dir, c.Weights), mmarray.ReadOnly)
		must(t, err)
		var counts []int64
		var sums []float64
		switch c.KCode {
		case "b1":
			counts, sums, err = bincountCase[bool](keys, weights, c)
		case "i1":
			counts, sums, err = bincountCase[int8](keys, weights, c)
		case "u1":
			counts, sums, err = bincountCase[uint8](keys, weights, c)
		case "i2":
			counts, sums, err = bincountCase[int16](keys, weights, c)
		case "u2":
			counts, sums, err = bincountCase[uint16](keys, weights, c)
		case "i4":
			counts, sums, err = bincountCase[int32](keys, weights, c)
		case "u4":
			counts, sums, err = bincountCase[uint32](keys, weights, c)
		case "i8":
			counts, sums, err = bincountCase[int64](keys, weights, c)
		case "u8":
			counts, sums, err = bincountCase[uint64](keys, weights, c)
		default:
			t.Fatalf("unknown key code %q", c.KCode)
		}
		keys.Close()
		weights.Close()
		what := fmt.Sprintf("%s %s with %s minlength %d", c.Keys, c.View, c.Weights, c.Minlength)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", what, err))
			continue
		}
		if fmt.Sprint(counts) != fmt.Sprint(c.Counts) {
			bad = append(bad, fmt.Sprintf("%s: counts %v, NumPy's %v", what, counts, c.Counts))
		}
		want, scale := parseFloats(t, c.Sums), parseFloats(t, c.Scale)
		if len(sums) != len(want) {
			bad = append(bad, fmt.Sprintf("%s: %d sums, NumPy %d", what, len(sums), len(want)))
			continue
		}
		for i := range sums {
			if !(math.Abs(sums[i]-want[i]) <= 1e-13*scale[i]) {
				bad = append(bad, fmt.Sprintf("%s: sum %d is %v, NumPy's %v", what, i, sums[i], want[i]))
			}
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d results differ from NumPy's; the first ones:\n%v", len(bad), bad[:min(len(bad), 10)])
	}
}

func bincountCase[T compute.Integer](keys, weights *mmarray.File, c numpyBincount) ([]int64, []float64, error) {
	k, err := mmarray.View[T](keys)
	if err != nil {
		return nil, nil, err
	}
	switch c.WCode {
	case "f8":
		return bincountWith[T, float64](k, weights, c)
	case "f4":
		return bincountWith[T, float32](k, weights, c)
	case "f2":
		return bincountWith[T, mmarray.Float16](k, weights, c)
	case "i8":
		return bincountWith[T, int64](k, weights, c)
	case "u1":
		return bincountWith[T, uint8](k, weights, c)
	case "b1":
		return bincountWith[T, bool](k, weights, c)
	}
	return nil, nil, fmt.Errorf("unknown weight code %q", c.WCode)
}

func bincountWith[T compute.Integer, W compute.Real](k *mmarray.Array[T], weights *mmarray.File, c numpyBincount) ([]int64, []float64, error) {
	w, err := mmarray.View[W](weights)
	if err != nil {
		return nil, nil, err
	}
	if c.View == "transposed" {
		k, w = k.Transpose(), w.Transpose()
	}
	ctx, opt := context.Background(), compute.WithWorkers(3)
	counts, err := compute.Bincount(ctx, k, c.Minlength, opt)
	if err != nil {
		return nil, nil, err
	}
	sums, err := compute.BincountWeighted(ctx, k, w, c.Minlength, opt)
	return counts, sums, err
}

// createInt64 makes a .npy file of int64 values and returns its view.
func createInt64(t *testing.T, values []int64) *mmarray.Array[int64] {
	t.Helper()
	f, err := mmarray.Create(filepath.Join(t.TempDir(), "k.npy"), "<i8", []int{len(values)})
	must(t, err)
	t.Cleanup(func() { f.Close() })
	a, err := mmarray.View[int64](f)
	must(t, err)
	s, _ := a.Contiguous()
	copy(s, values)
	return a
}

// TestBincountErrors checks the errors of bad values: a negative one wraps
// ErrNegative, and one whose result would not fit in the memory budget (or
// a minlength that would not, or a value no budget could hold)
// memmap.ErrTooLarge, before anything is allocated for it; where it fits,
// there is no error. An empty view gives minlength zeros.
func TestBincountErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	budget := compute.WithMemory(1 << 20) // room for 65535 bins and one chunk's
	for _, c := range []struct {
		values    []int64
		minlength int
		want      error
	}{
		{[]int64{3, 1, -2, 5}, 0, compute.ErrNegative},
		{[]int64{3, 1, 1 << 16, 5}, 0, memmap.ErrTooLarge},
		{[]int64{3, 1, 1<<16 - 2, 5}, 0, nil},
		{[]int64{3, 1, math.MaxInt64}, 0, memmap.ErrTooLarge},
		{[]int64{3}, 1 << 16, memmap.ErrTooLarge},
		{[]int64{3}, math.MaxInt, memmap.ErrTooLarge},
	} {
		a := createInt64(t, c.values)
		_, err := compute.Bincount(ctx, a, c.minlength, budget)
		if !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
			t.Errorf("Bincount(%v, minlength %d) with a 1 MiB budget: error %v, want %v", c.values, c.minlength, err, c.want)
		}
		_, err = compute.BincountWeighted(ctx, a, a, c.minlength, budget)
		if !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
			t.Errorf("BincountWeighted(%v, minlength %d) with a 1 MiB budget: error %v, want %v", c.values, c.minlength, err, c.want)
		}
	}
	empty := createInt64(t, []int64{1, 2}).Slice(mmarray.Span(0, 0, 1))
	counts, err := compute.Bincount(ctx, empty, 3)
	must(t, err)
	sums, err := compute.BincountWeighted(ctx, empty, empty, 2)
	must(t, err)
	if fmt.Sprint(counts, sums) != "[0 0 0] [0 0]" {
		t.Errorf("Bincount and BincountWeighted of an empty view: %v %v, want [0 0 0] [0 0]", counts, sums)
	}
}

// TestBincountMisuse checks the panics: weights of another length, a
// negative minlength.
func TestBincountMisuse(t *testing.T) {
	t.Parallel()
	a := createInt64(t, []int64{1, 2, 3})
	short := a.Slice(mmarray.Span(0, 2, 1))
	for name, call := range map[string]func(){
		"weights of another length": func() { compute.BincountWeighted(context.Background(), a, short, 0) },
		"negative minlength":        func() { compute.Bincount(context.Background(), a, -1) },
		"negative weighted minlen":  func() { compute.BincountWeighted(context.Background(), a, a, -1) },
	} {
		if m := recoverMisuse(t, call); m != nil && !strings.HasPrefix(m.Error(), "compute: ") {
			t.Errorf("%s: panic %q, want one starting with \"compute: \"", name, m)
		}
	}
}

// TestBincountChanged checks that a file written to between Bincount's two
// readings (here by the progress callback, after the first) gives an error
// wrapping ErrChanged instead of an index out of range: a value beyond the
// largest value first read, or a negative one.
func TestBincountChanged(t *testing.T) {
	t.Parallel()
	for _, changed := range []int64{1000, -1} {
		a := createInt64(t, []int64{3, 1, 4, 1, 5})
		weights := a
		for _, weighted := range []bool{false, true} {
			a.Set1(1, 1)
			calls := 0
			change := compute.WithProgress(func(done, total int64) {
				if calls++; calls == 1 {
					a.Set1(changed, 1)
				}
			})
			var err error
			if weighted {
				_, err = compute.BincountWeighted(context.Background(), a, weights, 0, change, compute.WithWorkers(1))
			} else {
				_, err = compute.Bincount(context.Background(), a, 0, change, compute.WithWorkers(1))
			}
			if !errors.Is(err, compute.ErrChanged) {
				t.Errorf("value changed to %d between the readings (weighted %v): error %v, want ErrChanged", changed, weighted, err)
			}
		}
	}
}
