package mmarray_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// exampleDir is a scratch folder for the examples.
func exampleDir() string {
	dir, err := os.MkdirTemp("", "mmarray-example")
	if err != nil {
		log.Fatal(err)
	}
	return dir
}

// Create makes a new .npy file, as np.lib.format.open_memmap(mode="w+").
func ExampleCreate() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "grid.npy")

	f, err := mmarray.Create(path, "<f8", []int{2, 3})
	if err != nil {
		log.Fatal(err)
	}
	a, err := mmarray.View[float64](f)
	if err != nil {
		log.Fatal(err)
	}
	for i := range 2 {
		for j := range 3 {
			a.Set(float64(10*i+j), i, j)
		}
	}
	if err := f.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Descr(), f.Shape(), "data at byte", f.DataOffset())
	// Output: <f8 [2 3] data at byte 128
}

// Open maps an existing .npy file, as np.load(path, mmap_mode="r").
func ExampleOpen() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "counts.npy")
	w, err := mmarray.Create(path, ">i4", []int{4}, mmarray.WithFortranOrder(false))
	if err != nil {
		log.Fatal(err)
	}
	wa, _ := mmarray.View[int32](w)
	wa.Set(7, 2)
	w.Close()

	f, err := mmarray.Open(path, mmarray.ReadOnly)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	a, err := mmarray.View[int32](f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Descr(), f.Shape(), a.At(2), a.At(-1))
	// Output: >i4 [4] 7 0
}

// View checks the Go type against the dtype and hands out the zero-copy
// slice when the data is contiguous, native and aligned.
func ExampleView() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	f, err := mmarray.Create(filepath.Join(dir, "v.npy"), "<f4", []int{2, 2})
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	_, err = mmarray.View[float64](f)
	fmt.Println("float64 view:", errors.Is(err, mmarray.ErrDTypeMismatch))
	a, err := mmarray.View[float32](f)
	if err != nil {
		log.Fatal(err)
	}
	flat, ok := a.Contiguous()
	flat[3] = 1.5
	fmt.Println(ok, len(flat), a.At(1, 1), a.Strides())
	// Output:
	// float64 view: true
	// true 4 1.5 [8 4]
}

// Slice selects like NumPy's basic indexing, without copying.
func ExampleArray_Slice() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	f, err := mmarray.Create(filepath.Join(dir, "s.npy"), "<i8", []int{3, 4})
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	a, _ := mmarray.View[int64](f)
	for k := range 12 {
		a.Set(int64(k), k/4, k%4)
	}

	col := a.Slice(mmarray.All(), mmarray.Index(1)) // a[:, 1]
	fmt.Println(col.Shape(), col.Strides(), collect(col))

	sels, err := mmarray.ParseIndex("::-1, 1::2") // a[::-1, 1::2]
	if err != nil {
		log.Fatal(err)
	}
	v := a.Slice(sels...)
	fmt.Println(v.Shape(), v.Strides(), collect(v))
	fmt.Println(collect(v.Transpose()))
	// Output:
	// [3] [32] [1 5 9]
	// [3 2] [-32 16] [9 11 5 7 1 3]
	// [9 5 1 11 7 3]
}

func collect[T mmarray.Element](a *mmarray.Array[T]) []T {
	out := make([]T, a.Len())
	a.CopyTo(out)
	return out
}

// Field views one column of a structured (record) array in place: here a
// table of x, y and a name, as np.save writes for
// np.dtype([('pos', [('x', '<f8'), ('y', '<f8')]), ('name', '<U6')]).
func ExampleField() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	f, err := mmarray.Create(filepath.Join(dir, "points.npy"), "[('pos', [('x', '<f8'), ('y', '<f8')]), ('name', '<U6')]", []int{3})
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	rows, err := mmarray.View[[]byte](f)
	if err != nil {
		log.Fatal(err)
	}
	y, err := mmarray.Field[float64](rows, "pos.y")
	if err != nil {
		log.Fatal(err)
	}
	name, err := mmarray.Field[string](rows, "name")
	if err != nil {
		log.Fatal(err)
	}
	for i, n := range []string{"origin", "été", "north"} {
		name.Set(n, i)
		y.Set(float64(i)*2.5, i)
	}
	fmt.Println(y.Shape(), y.Strides(), collect(y))
	fmt.Println(collect(name))
	fmt.Println(name.Fits("far away"))
	// Output:
	// [3] [40] [0 2.5 5]
	// [origin été north]
	// mmarray: value does not fit the dtype: 8 characters do not fit in U6
}

// Datetime64 values are counts of the dtype's unit; a TimeUnit converts
// them.
func ExampleTimeUnit_Time() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	f, err := mmarray.Create(filepath.Join(dir, "times.npy"), "<M8[ms]", []int{2})
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	a, err := mmarray.View[mmarray.Datetime64](f)
	if err != nil {
		log.Fatal(err)
	}
	unit, err := mmarray.ParseTimeUnit(a.DType().Unit) // "ms"
	if err != nil {
		log.Fatal(err)
	}
	stamp, err := unit.Datetime(time.Date(2024, 2, 29, 12, 30, 0, 250e6, time.UTC))
	if err != nil {
		log.Fatal(err)
	}
	a.Set(stamp, 0)
	a.Set(mmarray.NaT, 1)
	for v := range a.Values() {
		t, err := unit.Time(v)
		fmt.Println(int64(v), t.Format(time.RFC3339Nano), err)
	}
	// Output:
	// 1709209800250 2024-02-29T12:30:00.25Z <nil>
	// -9223372036854775808 0001-01-01T00:00:00Z datetime64 to time: mmarray: NaT has no time value
}

// Summing a view block by block: the transposed view is not contiguous,
// so its blocks are staged through buf, in the view's C order.
func ExampleArray_Blocks() {
	dt, _ := npyheader.ParseDescr("<f8")
	h := npyheader.Header{DType: dt, Shape: []int{2, 3}}
	prefix, _ := h.Encode()
	f, _ := mmarray.OpenBytes("m.npy", append(prefix, make([]byte, 48)...), mmarray.ReadWrite)
	defer f.Close()
	a, _ := mmarray.View[float64](f)
	for i := range 2 {
		for j := range 3 {
			a.Set2(float64(10*i+j), i, j)
		}
	}
	buf := make([]float64, 4)
	for pos, block := range a.Transpose().Blocks(buf) {
		fmt.Println(pos, block)
	}
	fmt.Println(a.At2(-1, -1))
	// Output:
	// 0 [0 10 1 11]
	// 4 [2 12]
	// 12
}

// OpenFile maps an .npy image inside a file the caller already has open,
// here one stored after a 100-byte prefix, without reopening it by name.
// The options say where the image lies (WithSection) and how it will be
// read (WithAdvice); each constructor takes only the options that apply to
// it, which the compiler checks.
func ExampleOpenFile() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	npy := filepath.Join(dir, "v.npy")
	f, err := mmarray.Create(npy, "<i2", []int{3})
	if err != nil {
		log.Fatal(err)
	}
	v, _ := mmarray.View[int16](f)
	v.Fill(7)
	f.Close()
	image, _ := os.ReadFile(npy)
	container := filepath.Join(dir, "container.bin")
	os.WriteFile(container, append(make([]byte, 100), image...), 0o644)

	osFile, err := os.Open(container)
	if err != nil {
		log.Fatal(err)
	}
	g, err := mmarray.OpenFile(osFile, mmarray.ReadOnly,
		mmarray.WithSection(100, int64(len(image))), mmarray.WithAdvice(mmarray.Sequential))
	osFile.Close() // g keeps its own descriptor
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	w, _ := mmarray.View[int16](g)
	fmt.Println(g.Descr(), w.Shape(), w.At(2), g.DataOffset())
	// Output:
	// <i2 [3] 7 228
}

// NewWriter streams rows of unknown count into a new .npy file, which
// appears at its path, complete, at Close.
func ExampleNewWriter() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "rows.npy")

	w, err := mmarray.NewWriter(path, "<i4", []int{2}) // rows of 2 int32
	if err != nil {
		log.Fatal(err)
	}
	for i := range int32(3) {
		if err := mmarray.Append(w, []int32{i, 10 * i}); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	f, err := mmarray.Open(path, mmarray.ReadOnly)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	a, _ := mmarray.View[int32](f)
	fmt.Println(f.Shape(), a.At2(2, 1))
	// Output: [3 2] 20
}

// Recover repairs a file whose last append stopped before its Sync: the
// whole rows written after the header's shape are adopted, a partial row
// is cut off.
func ExampleRecover() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "log.npy")

	w, err := mmarray.NewWriter(path, "<f8", nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := mmarray.Append(w, []float64{1, 2}); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	// An append that stopped after writing one and a half rows of 8 bytes
	// (a buffer of one row writes each row at once).
	w, err = mmarray.OpenAppend(path, mmarray.WithBufferSize(8))
	if err != nil {
		log.Fatal(err)
	}
	if err := w.WriteRows(make([]byte, 8)); err != nil {
		log.Fatal(err)
	}
	w.Abort()
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte{0, 0, 0, 0})
	f.Close()

	r, err := mmarray.Recover(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.OldRows, r.Rows, r.DroppedBytes)
	// Output: 2 3 4
}
