package npz_test

import (
	"fmt"
	"log"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npz"
)

// List an archive's members and read one array, mapped in place.
func ExampleOpen() {
	a, err := npz.Open("../testdata/npz/savez_positional.npz", mmarray.ReadOnly)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	for _, m := range a.Members() {
		fmt.Printf("%s: %s %v, %s\n", m.Key, m.Header.DType, m.Header.Shape, m.Storage)
	}
	f, err := a.Open("arr_0") // "arr_0.npy" works too
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	v, err := mmarray.View[float32](f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.At(3))
	// Output:
	// kw: <i8 [2], in place
	// arr_0: <f4 [4], in place
	// arr_1: |u1 [3 2], in place
	// -1.75
}

// Deflated members are decompressed (and checked) into memory, or into a
// temporary file above the memory limit.
func ExampleArchive_Open_compressed() {
	a, err := npz.Open("../testdata/npz/savez_compressed.npz", mmarray.ReadOnly, npz.WithMemoryLimit(64<<20))
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	m, err := a.Member("a")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Name, m.Storage, m.UncompressedSize, "bytes")
	f, err := a.Open("a")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	v, err := mmarray.View[float64](f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Shape(), v.At(2, 3))
	// Output:
	// a.npy in memory 224 bytes
	// [3 4] 2.25
}

// Non-array members read as bytes, as np.load returns them.
func ExampleArchive_ReadBytes() {
	a, err := npz.Open("../testdata/npz/with_text.npz", mmarray.ReadOnly)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	b, err := a.ReadBytes("notes.txt")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", b)
	// Output: "hello npz\n"
}
