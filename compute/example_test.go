package compute_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
)

// exampleFile makes a (3, 4) float64 .npy file holding 0 to 11 with one NaN
// and returns its view.
func exampleFile() (*mmarray.File, *mmarray.Array[float64], func()) {
	dir, err := os.MkdirTemp("", "compute-example")
	if err != nil {
		log.Fatal(err)
	}
	f, err := mmarray.Create(filepath.Join(dir, "x.npy"), "<f8", []int{3, 4})
	if err != nil {
		log.Fatal(err)
	}
	a, err := mmarray.View[float64](f)
	if err != nil {
		log.Fatal(err)
	}
	for i := range 12 {
		a.Set(float64(i), i/4, i%4)
	}
	a.Set(math.NaN(), 1, 2)
	return f, a, func() { f.Close(); os.RemoveAll(dir) }
}

func ExampleDescribe() {
	_, a, done := exampleFile()
	defer done()
	s, err := compute.Describe(context.Background(), a, compute.WithWorkers(2))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("count %d, NaNs %d, sum %g, mean %.4f, std %.4f\n", s.Count, s.NaNCount, s.Sum, s.Mean, s.Std)
	fmt.Printf("min %g at %d, max %g at %d\n", s.Min, s.ArgMin, s.Max, s.ArgMax)
	// Output:
	// count 11, NaNs 1, sum 60, mean 5.4545, std 3.6021
	// min 0 at 0, max 11 at 11
}

func ExampleSum() {
	_, a, done := exampleFile()
	defer done()
	ctx := context.Background()
	sum, _ := compute.Sum(ctx, a)
	nansum, _ := compute.NanSum(ctx, a)
	// Column 1 of the transposed view is row 1 of the file: 4, 5, NaN, 7.
	row, _ := compute.NanMean(ctx, a.Transpose().Slice(mmarray.All(), mmarray.Index(1)))
	fmt.Println(sum, nansum, row)
	// Output:
	// NaN 60 5.333333333333333
}

func ExampleMin() {
	_, a, done := exampleFile()
	defer done()
	ctx := context.Background()
	lo, _ := compute.Min(ctx, a)
	nanlo, _ := compute.NanMin(ctx, a)
	at, _ := compute.ArgMin(ctx, a)
	_, err := compute.Min(ctx, a.Slice(mmarray.Span(0, 0, 1)))
	fmt.Println(lo, nanlo, at, errors.Is(err, compute.ErrEmpty))
	// Output:
	// NaN 0 6 true
}

func ExampleMeanAxis() {
	_, a, done := exampleFile()
	defer done()
	ctx := context.Background()
	// Axis 0: one result per column, over the rows.
	means, _ := compute.MeanAxis(ctx, a, 0)
	stds, _ := compute.StdAxis(ctx, a, 0, 1)
	// Axis -1, the last: one result per row.
	mins, _ := compute.MinAxis(ctx, a, -1)
	fmt.Println(means.Shape, means.Values)
	fmt.Println(stds.Values)
	fmt.Println(mins.Shape, mins.Values)
	// Output:
	// [4] [4 5 NaN 7]
	// [4 4 NaN 4]
	// [3] [0 NaN 8]
}

func ExampleDescribeAxis() {
	_, a, done := exampleFile()
	defer done()
	// Axis 0: one Stats per column, NaNs left out.
	cols, err := compute.DescribeAxis(context.Background(), a, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cols.Shape)
	for _, s := range cols.Values {
		fmt.Printf("count %d, NaNs %d, mean %g, std %.4f, min %g at %d, max %g at %d\n",
			s.Count, s.NaNCount, s.Mean, s.Std, s.Min, s.ArgMin, s.Max, s.ArgMax)
	}
	// Output:
	// [4]
	// count 3, NaNs 0, mean 4, std 3.2660, min 0 at 0, max 8 at 2
	// count 3, NaNs 0, mean 5, std 3.2660, min 1 at 0, max 9 at 2
	// count 2, NaNs 1, mean 6, std 4.0000, min 2 at 0, max 10 at 2
	// count 3, NaNs 0, mean 7, std 3.2660, min 3 at 0, max 11 at 2
}

func ExampleSumComplex() {
	dir, err := os.MkdirTemp("", "compute-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	f, err := mmarray.Create(filepath.Join(dir, "z.npy"), ">c8", []int{4})
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	a, err := mmarray.View[complex64](f)
	if err != nil {
		log.Fatal(err)
	}
	for i, z := range []complex64{1 + 2i, 3 - 1i, 0, complex(float32(math.NaN()), 1)} {
		a.Set(z, i)
	}
	ctx := context.Background()
	sum, _ := compute.SumComplex(ctx, a)
	nansum, _ := compute.NanSumComplex(ctx, a)
	mean, _ := compute.NanMeanComplex(ctx, a)
	// The variance is real: the mean of |x-mean|².
	v, _ := compute.NanVarComplex(ctx, a, 0)
	fmt.Println(sum, nansum, mean)
	fmt.Printf("%.4f\n", v)
	// Output:
	// (NaN+2i) (4+1i) (1.3333333333333333+0.3333333333333333i)
	// 3.1111
}

func ExampleHistogram() {
	_, a, done := exampleFile()
	defer done()
	ctx := context.Background()
	// The NaN makes the data's range undefined, as in NumPy.
	_, err := compute.Histogram(ctx, a, 4)
	fmt.Println(errors.Is(err, compute.ErrNotFinite))
	// A range leaves NaN out; the last bin includes 11.
	h, _ := compute.HistogramRange(ctx, a, 4, 0, 11)
	fmt.Println(h.Counts, h.Edges)
	h, _ = compute.HistogramEdges(ctx, a, []float64{0, 1, 10, 10})
	fmt.Println(h.Counts)
	// Weighted by the elements themselves: each bin's sum (the NaN is in none).
	w, _ := compute.HistogramRangeWeighted(ctx, a, a, 2, 0, 11)
	fmt.Println(w.Sums)
	// Output:
	// true
	// [3 3 2 3] [0 2.75 5.5 8.25 11]
	// [1 8 1]
	// [15 45]
}

func ExampleBincountWeighted() {
	dir, err := os.MkdirTemp("", "compute-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// Keys (a country code per record) and values, as two .npy files.
	kf, _ := mmarray.Create(filepath.Join(dir, "keys.npy"), "<i2", []int{6})
	defer kf.Close()
	vf, _ := mmarray.Create(filepath.Join(dir, "values.npy"), "<f4", []int{6})
	defer vf.Close()
	keys, _ := mmarray.View[int16](kf)
	values, _ := mmarray.View[float32](vf)
	for i, k := range []int16{2, 0, 2, 3, 0, 2} {
		keys.Set1(k, i)
		values.Set1(float32(i)+0.5, i)
	}
	ctx := context.Background()
	counts, _ := compute.Bincount(ctx, keys, 0)
	sums, _ := compute.BincountWeighted(ctx, keys, values, 5)
	fmt.Println(counts, sums)
	// Output:
	// [2 0 3 1] [6 0 8.5 3.5 0]
}

func ExampleTopK() {
	_, a, done := exampleFile()
	defer done()
	ctx := context.Background()
	// NaN ranks above every number, as np.sort places it last.
	top, _ := compute.TopK(ctx, a, 3)
	bottom, _ := compute.BottomK(ctx, a.Transpose(), 3)
	fmt.Println(top.Values, top.Indices)
	fmt.Println(bottom.Values, bottom.Indices)
	// Output:
	// [NaN 11 10] [6 11 10]
	// [0 1 2] [0 3 6]
}
