package compute

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/internal/ciskip"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
)

// TestTransformToFileDirect checks TransformToFile into a file larger than
// its memory budget, which writes the data past the page cache in units
// aligned in the file: for element sizes 1 to 8 and lengths around a
// unit's edges (data shorter than the header's unit, ending on a unit,
// one element past it), the file's bytes equal those of the same
// transform written through the mapping (a budget that fits), the data
// written directly stays out of the page cache, and the file is whole.
func TestTransformToFileDirect(t *testing.T) {
	// Not parallel: it counts a file's pages in the page cache.
	dir := t.TempDir()
	align := directAlign(t, dir)
	t.Run("uint8", func(t *testing.T) { testTransformDirect[uint8](t, dir, "|u1", align) })
	t.Run("int16", func(t *testing.T) { testTransformDirect[int16](t, dir, "<i2", align) })
	t.Run("float32", func(t *testing.T) { testTransformDirect[float32](t, dir, "<f4", align) })
	t.Run("float64", func(t *testing.T) { testTransformDirect[float64](t, dir, "<f8", align) })
}

func testTransformDirect[T uint8 | int16 | float32 | float64](t *testing.T, dir, descr string, align int) {
	var zero T
	size := int(sizeOf(zero))
	const headerLen = 128 // np.save's header for these shapes
	unit, ok := directUnit(headerLen, size, align)
	if !ok {
		t.Fatalf("no unit for a %d-byte header", headerLen)
	}
	shift := headerLen / size
	for _, n := range []int{1, unit - shift - 1, unit - shift, unit - shift + 1, 3*unit - shift, 3*unit - shift + 7, 4*unit + 5} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			a := filledView[T](t, dir, descr, n)
			kernel := func(dst []T, src ...[]T) {
				for i, x := range src[0] {
					dst[i] = x*3 + 1
				}
			}
			srcs := []*mmarray.Array[T]{a}
			mapped, direct := filepath.Join(dir, "mapped.npy"), filepath.Join(dir, "direct.npy")
			if err := TransformToFile(context.Background(), mapped, descr, srcs, kernel, WithMemory(1<<40)); err != nil {
				t.Fatal(err)
			}
			// A budget of one byte: the walk never fits, every unit is its own.
			if err := TransformToFile(context.Background(), direct, descr, srcs, kernel, WithMemory(1), WithWorkers(3)); err != nil {
				t.Fatal(err)
			}
			// Only the first unit and a last, partial one went through the
			// page cache.
			out := checkDirectOutput(t, mapped, direct, 2*unit*size/pagecache.PageSize()+2)
			v, err := mmarray.View[T](out)
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range []int{0, n / 2, n - 1} {
				if x, w := v.At1(i), T(7*i)*3+1; x != w {
					t.Fatalf("element %d is %v, want %v", i, x, w)
				}
			}
		})
	}
}

// TestCopyTransposedDirect checks Copy of a transposed view larger than its
// budget, whose groups of rows are written past the page cache: the file's
// bytes equal those of the same copy within a budget that fits, and the
// rows written directly stay out of the page cache. Rows of a whole number
// of pages are written from the groups' buffers; others are staged.
func TestCopyTransposedDirect(t *testing.T) {
	// Not parallel: it counts a file's pages in the page cache.
	dir := t.TempDir()
	align := directAlign(t, dir)
	const cols = 8 // the copy's rows
	for _, rows := range []int{129 * 512, 65536 + 37} {
		t.Run(fmt.Sprint(rows), func(t *testing.T) {
			a := filledView[float64](t, dir, "<f8", rows, cols)
			mapped, direct := filepath.Join(dir, "mapped.npy"), filepath.Join(dir, "direct.npy")
			if err := Copy(context.Background(), a.Transpose(), mapped, WithMemory(1<<40)); err != nil {
				t.Fatal(err)
			}
			// 6 MiB for 8 MiB of source and copy: groups of 16 tile columns
			// (64 KiB runs of each row) written through the file.
			if err := Copy(context.Background(), a.Transpose(), direct, WithMemory(6<<20), WithWorkers(2)); err != nil {
				t.Fatal(err)
			}
			// The ends of each group's run of each row, up to the direct
			// writes' alignment each, went through the page cache.
			runs := cols * ((rows+16*512-1)/(16*512) + 1)
			out := checkDirectOutput(t, mapped, direct, 2*runs*max(1, align/pagecache.PageSize()))
			v, err := mmarray.View[float64](out)
			if err != nil {
				t.Fatal(err)
			}
			for _, ij := range [][2]int{{0, 0}, {3, 12345}, {7, rows - 1}} {
				if x, w := v.At(ij[0], ij[1]), float64(7*(ij[1]*cols+ij[0])); x != w {
					t.Fatalf("element %v is %v, want %v", ij, x, w)
				}
			}
		})
	}
}

// directAlign returns the alignment of direct writes into a new file in
// dir, and skips the test (fails it under CI) where there are none.
func directAlign(t *testing.T, dir string) int {
	t.Helper()
	probe, err := mmarray.Create(filepath.Join(dir, "probe.npy"), "<f8", []int{1})
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	w, err := probe.OpenDirect()
	if err != nil {
		ciskip.Skipf(t, "no direct writes in %s: %v", dir, err)
	}
	defer w.Close()
	return w.Align()
}

// checkDirectOutput checks that the file at direct has the bytes of the
// one at mapped, with at most most of its pages in the page cache, and
// returns it open.
func checkDirectOutput(t *testing.T, mapped, direct string, most int) *mmarray.File {
	t.Helper()
	want, err := os.ReadFile(mapped)
	if err != nil {
		t.Fatal(err)
	}
	out, err := mmarray.Open(direct, mmarray.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	resident, total, err := out.Resident()
	if err != nil {
		t.Fatal(err)
	}
	if resident > most {
		t.Errorf("%d of the output's %d pages in the page cache, want at most %d", resident, total, most)
	}
	got, err := os.ReadFile(direct)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the direct output (%d bytes) differs from the mapped one (%d bytes)", len(got), len(want))
	}
	return out
}
