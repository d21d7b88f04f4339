package text_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/text"
)

// Save writes what np.savetxt(sys.stdout, a, fmt="%g", delimiter=",",
// header="x,y,z") writes: Python's %g, not Go's.
func ExampleSave() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	f, err := mmarray.Create(filepath.Join(dir, "points.npy"), "<f8", []int{2, 3})
	if err != nil {
		panic(err)
	}
	defer f.Close()
	a, _ := mmarray.View[float64](f)
	a.Set2(0.5, 0, 0)
	a.Set2(1e-5, 0, 1)
	a.Set2(123456789, 0, 2)
	a.Set2(-2, 1, 1)
	if err := text.Save(os.Stdout, a, text.WithFmt("%g"), text.WithDelimiter(","), text.WithHeader("x,y,z")); err != nil {
		fmt.Println(err)
	}
	// Output:
	// # x,y,z
	// 0.5,1e-05,1.23457e+08
	// 0,-2,0
}

// A format that does not fit the columns is refused as NumPy refuses it.
func ExampleSave_refusal() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	f, _ := mmarray.Create(filepath.Join(dir, "a.npy"), "<f8", []int{2, 3})
	defer f.Close()
	a, _ := mmarray.View[float64](f)
	err := text.Save(os.Stdout, a, text.WithFmt("%d %d"))
	fmt.Println(err)
	// Output:
	// save text: text: format does not fit the array: fmt has wrong number of % formats:  %d %d
}
