package compute_test

import (
	"context"
	"fmt"
	"log"
	"path/filepath"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
)

// printFile prints the shape, dtype and elements of the .npy file at path.
func printFile[T mmarray.Element](path string) {
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	a, err := mmarray.View[T](f)
	if err != nil {
		log.Fatal(err)
	}
	var vals []T
	for v := range a.Values() {
		vals = append(vals, v)
	}
	fmt.Println(a.Shape(), f.Descr(), vals)
}

func ExampleTransformToFile() {
	f, a, done := exampleFile() // (3, 4) float64: 0 to 11, NaN at (1, 2)
	defer done()
	out := filepath.Join(filepath.Dir(f.Path()), "affine.npy")
	// a*2+1 into a new big-endian float32 file: the kernel gets blocks.
	err := compute.TransformToFile(context.Background(), out, ">f4", []*mmarray.Array[float64]{a},
		func(dst []float32, src ...[]float64) {
			for i, x := range src[0] {
				dst[i] = float32(x*2 + 1)
			}
		})
	if err != nil {
		log.Fatal(err)
	}
	printFile[float32](out)
	// Output:
	// [3 4] >f4 [1 3 5 7 9 11 NaN 15 17 19 21 23]
}

func ExampleTransform() {
	f, a, done := exampleFile()
	defer done()
	// In place, into the file's own view, row by row of the transposed
	// view: the destination may be any writable view of the sources' shape.
	t := a.Transpose()
	err := compute.Transform(context.Background(), t, []*mmarray.Array[float64]{t, t},
		func(dst []float64, src ...[]float64) {
			for i := range dst {
				dst[i] = src[0][i] * src[1][i]
			}
		})
	if err != nil {
		log.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.At(2, 3), a.At(1, 2))
	// Output:
	// 121 NaN
}

func ExampleAstype() {
	f, a, done := exampleFile()
	defer done()
	out := filepath.Join(filepath.Dir(f.Path()), "astype.npy")
	// NumPy's unsafe casting: NaN to int32 is the smallest int32 on x86-64.
	if err := compute.Astype(context.Background(), a.Slice(mmarray.Index(1)), out, "<i4"); err != nil {
		log.Fatal(err)
	}
	printFile[int32](out)
	// Output:
	// [4] <i4 [4 5 -2147483648 7]
}

func ExampleCopy() {
	f, a, done := exampleFile()
	defer done()
	out := filepath.Join(filepath.Dir(f.Path()), "copy.npy")
	// The transposed view as a C-order file: np.save(out, a.T.copy()).
	if err := compute.Copy(context.Background(), a.Transpose(), out); err != nil {
		log.Fatal(err)
	}
	printFile[float64](out)
	// Output:
	// [4 3] <f8 [0 4 8 1 5 9 2 NaN 10 3 7 11]
}

func ExampleTake() {
	f, a, done := exampleFile()
	defer done()
	out := filepath.Join(filepath.Dir(f.Path()), "take.npy")
	// Rows 2, 0 and the last one again: np.take(a, [2, 0, -1], axis=0).
	if err := compute.Take(context.Background(), a, []int{2, 0, -1}, out); err != nil {
		log.Fatal(err)
	}
	printFile[float64](out)
	// Output:
	// [3 4] <f8 [8 9 10 11 0 1 2 3 8 9 10 11]
}
