package compute_test

import (
	"context"
	"fmt"
	"log"
	"path/filepath"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
)

func ExampleFilter() {
	f, a, done := exampleFile() // (3, 4) float64: 0 to 11, NaN at (1, 2)
	defer done()
	out := filepath.Join(filepath.Dir(f.Path()), "big.npy")
	// The rows whose column 1 is above 4: a[a[:, 1] > 4].
	n, err := compute.Filter(context.Background(), a, a.Slice(mmarray.All(), mmarray.Index(1)),
		func(keep []bool, col []float64) {
			for i, x := range col {
				keep[i] = x > 4
			}
		}, out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "rows")
	printFile[float64](out)
	// Output:
	// 2 rows
	// [2 4] <f8 [4 5 NaN 7 8 9 10 11]
}

func ExampleConcatenate() {
	f, a, done := exampleFile()
	defer done()
	out := filepath.Join(filepath.Dir(f.Path()), "cat.npy")
	// np.concatenate([a[2:], a[:1]]): the views may come from several files.
	last, first := a.Slice(mmarray.Span(2, 3, 1)), a.Slice(mmarray.Span(0, 1, 1))
	n, err := compute.Concatenate(context.Background(), []*mmarray.Array[float64]{last, first}, out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "rows")
	printFile[float64](out)
	// Output:
	// 2 rows
	// [2 4] <f8 [8 9 10 11 0 1 2 3]
}
