package compute

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/internal/pagemap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
)

// TestOutputReleasesWrittenRanges writes a large destination's chunks and
// checks that each written range leaves the process (pagemap) while its
// values reach the file.
func TestOutputReleasesWrittenRanges(t *testing.T) {
	t.Parallel()
	const n = 3 * chunkLen
	path := filepath.Join(t.TempDir(), "out.npy")
	f, err := mmarray.Create(path, "|u1", []int{n}) // a []byte in memory, for pagemap
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := mmarray.View[uint8](f)
	if err != nil {
		t.Fatal(err)
	}
	out := newOutput(v)
	if out.release {
		t.Fatalf("a %d-byte destination is released", n)
	}
	out.release = true // as for a destination larger than residentOutput
	present := func(lo, hi int) int {
		count, err := pagemap.Present(out.flat[lo:hi])
		if errors.Is(err, pagemap.ErrUnsupported) {
			t.Skip(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		return count
	}
	for c := range 3 {
		lo, hi := c*chunkLen, (c+1)*chunkLen
		block := out.block(lo, hi, nil)
		for i := range block {
			block[i] = uint8(lo + i)
		}
		out.store(lo, block)
		if present(lo+4096, hi-4096) == 0 {
			t.Fatalf("chunk %d: no page present before written", c)
		}
		if err := out.written(lo, hi); err != nil {
			t.Fatal(err)
		}
		if got := present(lo+4096, hi-4096); got != 0 {
			t.Errorf("chunk %d: %d pages still present after written", c, got)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = data[f.DataOffset():]
	for i, got := range data {
		if got != uint8(i) {
			t.Fatalf("element %d in the file: %v", i, got)
		}
	}
}

// TestTiledCopyReleasesItsOutput copies a transposed view tile by tile
// into a destination released as it is written: no page of either is left
// in the process, and the file holds the transpose.
func TestTiledCopyReleasesItsOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, err := mmarray.Create(filepath.Join(dir, "a.npy"), "|u1", []int{1500, 700})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a, err := mmarray.View[uint8](src)
	if err != nil {
		t.Fatal(err)
	}
	flat, _ := a.Contiguous()
	for i := range flat {
		flat[i] = uint8(i * 7 / 3)
	}
	at := a.Transpose()
	path := filepath.Join(dir, "at.npy")
	f, err := mmarray.Create(path, "|u1", at.Shape())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dst, err := mmarray.View[uint8](f)
	if err != nil {
		t.Fatal(err)
	}
	out := newOutput(dst)
	out.release = true // as for a destination larger than residentOutput
	p, q, tiled := tileAxes(at)
	if !tiled {
		t.Fatal("the transposed view is not copied in tiles")
	}
	cfg := newConfig([]Option{WithWorkers(2)})
	if err := copyTiled(context.Background(), at, out, p, q, cfg); err != nil {
		t.Fatal(err)
	}
	count, err := pagemap.Present(out.flat)
	if errors.Is(err, pagemap.ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if count != 0 {
		t.Errorf("%d pages of the output still present", count)
	}
	// A read fault maps up to 64 KiB of cached pages around the page
	// (fault-around), beyond the tile's span: at most 16 pages for each
	// of the two workers' last tiles, of the source's 257.
	if count, err := pagemap.Present(flat); err != nil || count > 32 {
		t.Errorf("%d pages of the source still present (%v)", count, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = data[f.DataOffset():]
	k := 0
	for v := range at.Values() {
		if data[k] != v {
			t.Fatalf("element %d in the file: %d, want %d", k, data[k], v)
		}
		k++
	}
}

// TestTransformsKeepWithinTheBudget runs Transform, Copy and Take over
// files of several chunks with a memory budget smaller than them: no page
// of the sources walked in step or of a destination still mapped is left
// in the process, and the results are right.
func TestTransformsKeepWithinTheBudget(t *testing.T) {
	t.Parallel()
	const n = 4*chunkLen + 100
	dir := t.TempDir()
	newFile := func(name string) (*mmarray.File, []uint8) {
		f, err := mmarray.Create(filepath.Join(dir, name), "|u1", []int{n})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		v, err := mmarray.View[uint8](f)
		if err != nil {
			t.Fatal(err)
		}
		flat, _ := v.Contiguous()
		return f, flat
	}
	present := func(what string, b []byte) {
		count, err := pagemap.Present(b)
		if errors.Is(err, pagemap.ErrUnsupported) {
			t.Skip(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		if count != 0 {
			t.Errorf("%s: %d pages still present", what, count)
		}
	}
	srcFile, src := newFile("src.npy")
	for i := range src {
		src[i] = uint8(i % 251)
	}
	a, err := mmarray.View[uint8](srcFile)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	budget := WithMemory(3 * chunkLen) // less than a source and its destination
	dstFile, dst := newFile("dst.npy")
	d, err := mmarray.View[uint8](dstFile)
	if err != nil {
		t.Fatal(err)
	}
	err = Transform(ctx, d, []*mmarray.Array[uint8]{a}, func(dst []uint8, src ...[]uint8) {
		for i, x := range src[0] {
			dst[i] = x + 1
		}
	}, budget, WithWorkers(2))
	if err != nil {
		t.Fatal(err)
	}
	present("Transform's source", src)
	present("Transform's destination", dst)
	for i, x := range dst {
		if x != uint8(i%251)+1 {
			t.Fatalf("Transform: element %d is %d", i, x)
		}
	}

	for name, run := range map[string]func(path string) error{
		"Copy": func(path string) error { return Copy(ctx, a, path, budget) },
		"Take": func(path string) error { return Take(ctx, a, make([]int, n), path, budget) },
	} {
		// The call unmaps its destination when it closes it, so only the
		// source, which Copy walks in step, can show the budget here.
		path := filepath.Join(dir, name+".npy")
		if err := run(path); err != nil {
			t.Fatal(err)
		}
		if name == "Copy" {
			present("Copy's source", src)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		data = data[len(data)-n:]
		for i, x := range data {
			want := uint8(i % 251)
			if name == "Take" {
				want = 0
			}
			if x != want {
				t.Fatalf("%s: element %d is %d, want %d", name, i, x, want)
			}
		}
	}
}

// TestCopyTilesFallOnPages checks the tile boundaries a copy of a
// transposed float64 view takes: on page boundaries of the source along
// its contiguous axis and of the destination along its rows, where their
// strides are whole pages, and the copy's elements.
func TestCopyTilesFallOnPages(t *testing.T) {
	t.Parallel()
	if pagecache.PageSize() != 4096 {
		t.Skip("the shifts below are for 4 KiB pages")
	}
	dir := t.TempDir()
	for _, c := range []struct {
		rows, cols     int
		shiftP, shiftQ int
	}{
		// Source rows of 8 KiB: its pages start 16 elements before
		// multiples of 512 (the data starts 128 bytes in); destination
		// rows of 2000 bytes: no alignment.
		{250, 1024, 16, 0},
		// Source rows of 2000 bytes; destination rows of 4 KiB.
		{512, 250, 0, 16},
	} {
		src, err := mmarray.Create(filepath.Join(dir, "a.npy"), "<f8", []int{c.rows, c.cols})
		if err != nil {
			t.Fatal(err)
		}
		a, err := mmarray.View[float64](src)
		if err != nil {
			t.Fatal(err)
		}
		flat, _ := a.Contiguous()
		for i := range flat {
			flat[i] = float64(i)
		}
		at := a.Transpose()
		path := filepath.Join(dir, "at.npy")
		f, err := mmarray.Create(path, "<f8", at.Shape())
		if err != nil {
			t.Fatal(err)
		}
		dst, err := mmarray.View[float64](f)
		if err != nil {
			t.Fatal(err)
		}
		p, q, tiled := tileAxes(at)
		edge := tileEdge(8)
		if !tiled || pageShift(at, p, edge) != c.shiftP || pageShift(dst, q, edge) != c.shiftQ {
			t.Errorf("%d by %d transposed: tiled %v, shifts %d and %d, want %d and %d", c.rows, c.cols, tiled,
				pageShift(at, p, edge), pageShift(dst, q, edge), c.shiftP, c.shiftQ)
		}
		if err := copyTiled(context.Background(), at, newOutput(dst), p, q, newConfig([]Option{WithWorkers(3)})); err != nil {
			t.Fatal(err)
		}
		got, _ := dst.Contiguous()
		k := 0
		for v := range at.Values() {
			if got[k] != v {
				t.Fatalf("%d by %d transposed: element %d is %v, want %v", c.rows, c.cols, k, got[k], v)
			}
			k++
		}
		f.Close()
		src.Close()
	}
}

// TestTiledCopyThroughTheFile copies views whose output rows are long
// enough for the tiles' groups to be written through the file (WriteAt)
// and checks every element, with one worker and with three.
func TestTiledCopyThroughTheFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Output (8, 40000): rows of 320 KB.
	checkThroughCopy(t, dir, 0, filledView[float64](t, dir, "<f8", 40000, 8).Transpose())
	// Rows of 72 KB, not a whole number of tiles.
	checkThroughCopy(t, dir, 1, filledView[float64](t, dir, "<f8", 9001, 3).Transpose())
	// 3-D: output (3, 2, 20000).
	checkThroughCopy(t, dir, 2, filledView[int32](t, dir, "<i4", 20000, 2, 3).Transpose())
	// Byte-swapped: the tiles go through the mapping, which swaps them.
	checkThroughCopy(t, dir, 3, filledView[int32](t, dir, ">i4", 20000, 2, 4).Transpose())
}

// filledView creates an .npy of the shape whose elements are 7 times their
// flat index, and views it.
func filledView[T uint8 | int16 | int32 | float32 | float64](t *testing.T, dir, descr string, shape ...int) *mmarray.Array[T] {
	t.Helper()
	f, err := mmarray.Create(filepath.Join(dir, fmt.Sprintf("src%v.npy", shape)), descr, shape)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	a, err := mmarray.View[T](f)
	if err != nil {
		t.Fatal(err)
	}
	values := make([]T, a.Len())
	for k := range values {
		values[k] = T(7 * k)
	}
	a.SetRange(0, values)
	return a
}

// checkThroughCopy copies the view at with copyTiled, written through the
// file where it has the native byte order and through the mapping
// otherwise, and compares the output with the view element by element.
func checkThroughCopy[T Real](t *testing.T, dir string, i int, at *mmarray.Array[T]) {
	t.Helper()
	p, q, tiled := tileAxes(at)
	if !tiled {
		t.Fatalf("case %d: %v is not tiled", i, at.Shape())
	}
	for _, workers := range []int{1, 3} {
		f, err := mmarray.Create(filepath.Join(dir, fmt.Sprintf("at%d-%d.npy", i, workers)), at.DType().String(), at.Shape())
		if err != nil {
			t.Fatal(err)
		}
		dst, err := mmarray.View[T](f)
		if err != nil {
			t.Fatal(err)
		}
		out := newOutput(dst)
		cfg := newConfig([]Option{WithWorkers(workers)})
		edge := tileEdge(at.DType().ItemSize)
		tilesQ := (at.Shape()[q] + pageShift(dst, q, edge) + edge - 1) / edge
		column := int64(at.Shape()[p]) * int64(edge) * int64(at.DType().ItemSize)
		want := at.DType().IsNative()
		if _, through := tileGroupPlan(column, tilesQ, edge, at.Shape()[q], at.DType().ItemSize, workers, out, cfg); through != want {
			t.Fatalf("case %d: the copy of %v is written through the file: %v, want %v", i, at.Shape(), through, want)
		}
		if err := copyTiled(context.Background(), at, out, p, q, cfg); err != nil {
			t.Fatal(err)
		}
		k := 0
		for v := range at.Values() {
			if got := dst.At(unflat(k, at.Shape())...); got != v {
				t.Fatalf("case %d, %d workers: element %d is %v, want %v", i, workers, k, got, v)
			}
			k++
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// unflat is the index of the element at flat C-order position k of shape.
func unflat(k int, shape []int) []int {
	idx := make([]int, len(shape))
	for axis := len(shape) - 1; axis >= 0; axis-- {
		idx[axis] = k % shape[axis]
		k /= shape[axis]
	}
	return idx
}

// transpose writes element (r, c) of the source at row c, column r of the
// destination, and nothing else, for shapes around its blocks of eight
// rows and of transposeBlock, into rows longer than needed.
func TestTransposeAroundItsBlocks(t *testing.T) {
	t.Parallel()
	for _, rows := range []int{1, 7, 8, 9, 16, transposeBlock - 1, transposeBlock + 9, 70} {
		for _, cols := range []int{1, 5, 8, transposeBlock, transposeBlock + 1, 100} {
			src := make([]int32, rows*cols)
			for i := range src {
				src[i] = int32(i + 1)
			}
			stride := rows + 3
			dst := make([]int32, cols*stride)
			transpose(dst, stride, src, rows, cols)
			for c := range cols {
				for r := range stride {
					want := int32(0)
					if r < rows {
						want = src[r*cols+c]
					}
					if dst[c*stride+r] != want {
						t.Fatalf("%dx%d: dst[%d][%d] = %d, want %d", rows, cols, c, r, dst[c*stride+r], want)
					}
				}
			}
		}
	}
}
