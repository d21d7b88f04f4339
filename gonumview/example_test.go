package gonumview_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/go-memmap/memmap/gonumview"
	"github.com/go-memmap/memmap/mmarray"
	"gonum.org/v1/gonum/mat"
)

// Dense hands columns 1 and 2 of a mapped (4, 3) array, a[:, 1:3], to
// gonum without copying: the matrix's stride is the array's row, and a
// write through the matrix is a write to the file.
func ExampleDense() {
	dir, err := os.MkdirTemp("", "gonumview-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	f, err := mmarray.Create(filepath.Join(dir, "a.npy"), "<f8", []int{4, 3})
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	a, err := mmarray.View[float64](f)
	if err != nil {
		log.Fatal(err)
	}
	for i := range 4 {
		for j := range 3 {
			a.Set2(float64(3*i+j), i, j)
		}
	}

	w, err := gonumview.Dense(a.Slice(mmarray.All(), mmarray.Span(1, 3, 1)))
	if err != nil {
		log.Fatal(err)
	}
	var gram mat.Dense
	gram.Mul(w.T(), w) // a[:, 1:3].T @ a[:, 1:3]
	fmt.Printf("stride %d\n%v\n", w.RawMatrix().Stride, mat.Formatted(&gram))

	w.Set(0, 0, 100) // the file is in w+ mode: this is a[0, 1]
	fmt.Println(a.At2(0, 1))

	// A transposed view is column-major and refused; the transpose of the
	// whole array's Dense is the same matrix, without copying.
	_, err = gonumview.Dense(a.Transpose())
	fmt.Println(errors.Is(err, gonumview.ErrLayout))
	whole, err := gonumview.Dense(a)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(mat.Formatted(whole.T()))
	// Output:
	// stride 3
	// ⎡166  188⎤
	// ⎣188  214⎦
	// 100
	// true
	// ⎡  0    3    6    9⎤
	// ⎢100    4    7   10⎥
	// ⎣  2    5    8   11⎦
}
