package text

import (
	"io"
	"runtime"
	"testing"

	"github.com/go-memmap/memmap/internal/ciskip"
	"github.com/go-memmap/memmap/internal/pagemap"
)

// TestSaveReleasesPagesBehind: Save drops the pages of the rows it has
// written from the process when the array is at least the release size,
// so that an array larger than memory streams to text without its pages
// piling up in the resident set; below that size it leaves them.
func TestSaveReleasesPagesBehind(t *testing.T) {
	t.Parallel()
	const rows = 60000 // 60000×3 float64: 1.4 MiB, 352 pages
	for _, tc := range []struct {
		releaseMin int64
		released   bool
	}{{0, true}, {1 << 40, false}} {
		a := rowsArray(t, rows)
		data, ok := a.Contiguous()
		if !ok {
			t.Fatal("a new array is not contiguous")
		}
		sum := 0.0
		for _, x := range data { // map every page in
			sum += x
		}
		before, err := pagemap.Present(data)
		if err != nil {
			ciskip.Skipf(t, "page residency cannot be read here: %v", err)
		}
		err = Save(io.Discard, a, WithFmt("%g"), WithWorkers(2),
			saveFunc(func(c *saveConfig) { c.releaseMin = tc.releaseMin }))
		if err != nil {
			t.Fatal(err)
		}
		after, err := pagemap.Present(data)
		if err != nil {
			t.Fatal(err)
		}
		runtime.KeepAlive(a)
		t.Logf("release from %d: %d pages before, %d after", tc.releaseMin, before, after)
		// The kernel's fault-around maps up to 16 neighbouring pages with
		// each fault, so a worker reading the next block can map a few
		// pages of one already released: a tenth is far above that and
		// far below keeping them all.
		if tc.released && after > before/10 {
			t.Errorf("release from 0 bytes: %d of %d pages still mapped after Save", after, before)
		}
		if !tc.released && after < before {
			t.Errorf("no release: %d of %d pages mapped after Save", after, before)
		}
		if sum == 0 {
			t.Fatal("the array is empty")
		}
	}
}
