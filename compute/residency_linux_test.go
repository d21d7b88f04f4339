package compute

import (
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/internal/pagemap"
	"github.com/go-memmap/memmap/mmarray"
)

// presentPages counts the pages of s mapped into the process now.
func presentPages[E any](t *testing.T, s []E) int {
	t.Helper()
	n, err := pagemap.Present(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestResidencyOfAnOutput drives the window as a transform would: chunks
// of an output written one at a time, one chunk in flight. Each chunk's
// pages are written back and dropped once passed: none stays mapped, and
// the file holds every value.
func TestResidencyOfAnOutput(t *testing.T) {
	t.Parallel()
	const n = 3*chunkLen + 100
	path := filepath.Join(t.TempDir(), "out.npy")
	f, err := mmarray.Create(path, "<f8", []int{n})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := mmarray.View[float64](f)
	if err != nil {
		t.Fatal(err)
	}
	chunks := (n + chunkLen - 1) / chunkLen
	w := newChunkWindow(chunks, 1, newResidency(out, chunkLen, true, false))
	data, _ := out.Contiguous()
	for c := range chunks {
		if !w.enter(c) {
			t.Fatal("window stopped")
		}
		for i := c * chunkLen; i < min(n, (c+1)*chunkLen); i++ {
			data[i] = float64(i) / 3
		}
		if err := w.leave(c); err != nil {
			t.Fatal(err)
		}
		if mapped := presentPages(t, data[:c*chunkLen]); mapped != 0 {
			t.Errorf("after chunk %d: %d pages of the chunks passed still mapped", c, mapped)
		}
	}
	if err := w.finish(); err != nil {
		t.Fatal(err)
	}
	if mapped := presentPages(t, data); mapped != 0 {
		t.Errorf("%d pages still mapped after finish", mapped)
	}
	check, err := mmarray.Open(path, mmarray.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	got, err := mmarray.View[float64](check)
	if err != nil {
		t.Fatal(err)
	}
	wrong := 0
	for i := range n {
		if got.At1(i) != float64(i)/3 {
			wrong++
		}
	}
	if wrong > 0 {
		t.Errorf("%d of %d values written through the window are not in the file", wrong, n)
	}
	if nilWindow := newChunkWindow(chunks, 1, nil); nilWindow != nil {
		t.Error("a window with nothing to manage is not nil")
	}
}
