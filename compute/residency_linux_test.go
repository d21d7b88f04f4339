package compute

import (
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/internal/ciskip"
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

// TestResidencyBatchesReleases drives the window over an input whose
// residency batches its releases: the chunks passed stay mapped until a
// step of them has passed, are then released up to an aligned end, never
// hold more than a step and an alignment beyond the window, and none is
// left mapped at the end.
func TestResidencyBatchesReleases(t *testing.T) {
	t.Parallel()
	const (
		chunkElems = 1024 // 8 KiB of float64
		n          = 100*chunkElems + 77
		step       = 64 << 10
		align      = 16 << 10
	)
	path := filepath.Join(t.TempDir(), "in.npy")
	f, err := mmarray.Create(path, "<f8", []int{n})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := mmarray.View[float64](f)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := in.Contiguous()
	for i := range data {
		data[i] = float64(i)
	}
	if err := f.Release(0, f.NBytes()); err != nil {
		t.Fatal(err)
	}
	r := newResidency(in, chunkElems, false, false)
	r.releaseStep, r.releaseAlign = step, align
	chunks := (n + chunkElems - 1) / chunkElems
	w := newChunkWindow(chunks, 4, r)
	heldBack := false // a chunk passed was still mapped: the release waited
	var sum float64
	for c := range chunks {
		if !w.enter(c) {
			t.Fatal("window stopped")
		}
		for _, x := range data[c*chunkElems : min(n, (c+1)*chunkElems)] {
			sum += x
		}
		if err := w.leave(c); err != nil {
			t.Fatal(err)
		}
		passed := min(n, (c+1)*chunkElems)
		if presentPages(t, data[:passed]) > 0 {
			heldBack = true
		}
		if below := passed - (step+align)/8; below > 0 {
			if mapped := presentPages(t, data[:below]); mapped != 0 {
				t.Errorf("after chunk %d: %d pages mapped more than a step and an alignment below the chunks passed", c, mapped)
			}
		}
	}
	if err := w.finish(); err != nil {
		t.Fatal(err)
	}
	if !heldBack {
		t.Error("every chunk passed was released at once: releases are not batched")
	}
	if mapped := presentPages(t, data); mapped != 0 {
		t.Errorf("%d pages still mapped after finish", mapped)
	}
	if want := float64(n) * float64(n-1) / 2; sum != want {
		t.Errorf("sum read through the window %v, want %v", sum, want)
	}
}

// TestReleaseStep checks the batch a window's room gets: none below 8
// huge pages of room, then an eighth of it in whole huge pages, at most
// maxReleaseStep; and the slack counted for it.
func TestReleaseStep(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ room, step int64 }{
		{0, 0},
		{700 << 10, 0},
		{8*hugePage - 1, 0},
		{8 * hugePage, hugePage},
		{12*hugePage + 1, hugePage},
		{40 << 20, 4 << 20},
		{64 << 20, maxReleaseStep},
		{1 << 40, maxReleaseStep},
	} {
		step := releaseStepFor(tc.room)
		if step != tc.step {
			t.Errorf("releaseStepFor(%d) = %d, want %d", tc.room, step, tc.step)
		}
		want := step + hugePage
		if step == 0 {
			want = 0
		}
		if slack := releaseSlack(step, hugePage); slack != want {
			t.Errorf("releaseSlack(%d) = %d, want %d", step, slack, want)
		}
	}
}

// TestReadaheadSkipsCachedChunks: an input whose pages were dropped from
// the page cache is read ahead (WILLNEED brings its chunks in), while one
// whose probed pages are cached is left alone; a range with only its
// first page cached is not taken as cached.
func TestReadaheadSkipsCachedChunks(t *testing.T) {
	// Not parallel: it drops a file's pages from the page cache and counts
	// what is resident.
	const n = 4 * chunkLen
	path := filepath.Join(t.TempDir(), "in.npy")
	w, err := mmarray.Create(path, "<f8", []int{n})
	if err != nil {
		t.Fatal(err)
	}
	wa, err := mmarray.View[float64](w)
	if err != nil {
		t.Fatal(err)
	}
	wa.Fill(2)
	if err := w.Flush(); err != nil { // clean pages can be dropped
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := mmarray.Open(path, mmarray.ReadOnly, mmarray.WithAdvice(mmarray.Random))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := mmarray.View[float64](f)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.DropCache(0, int64(8*n)); err != nil {
		t.Fatal(err)
	}
	if res, _, err := f.Resident(); err != nil || res != 0 {
		ciskip.Skipf(t, "pages stay cached after DropCache (%d resident, %v): tmpfs?", res, err)
	}
	r := newResidency(a, chunkLen, false, false)
	off, size := r.bytesOf(1, 2)
	if r.cached(off, size) {
		t.Fatal("chunk 1 cached after its pages were dropped")
	}
	_ = a.At(chunkLen) // the chunk's first element: its first page only
	if r.cached(off, size) {
		t.Fatal("chunk 1 taken as cached with only its first page in")
	}
	r.readahead(1, 2)
	if !r.cached(off, size) {
		// WILLNEED starts reads; wait for them through a read of the range.
		if err := f.AdviseRange(off, size, mmarray.PopulateRead); err != nil {
			t.Fatal(err)
		}
	}
	res, total, err := f.ResidentRange(off, size)
	if err != nil || res != total {
		t.Fatalf("chunk 1 after readahead: %d of %d pages resident (%v)", res, total, err)
	}
	if !r.cached(off, size) {
		t.Fatal("chunk 1 not taken as cached with every page in")
	}
}

// TestWindowReadsAheadInSteps checks that a window reads ahead every chunk
// before it starts, in steps of several chunks rather than one by one, for
// windows of one chunk to more than the walk, with one worker or two.
func TestWindowReadsAheadInSteps(t *testing.T) {
	t.Parallel()
	const chunks = 200
	path := filepath.Join(t.TempDir(), "in.npy")
	f, err := mmarray.Create(path, "<f8", []int{chunks * 8})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := mmarray.View[float64](f)
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{1, 2, 7, 8, 16, 64, 300} {
		for _, workers := range []int{1, 2} {
			w := newChunkWindow(chunks, limit, newResidency(a, 8, false, false))
			readaheads, advised := 0, 0
			var inFlight []int
			for c := range chunks {
				if !w.enter(c) {
					t.Fatalf("limit %d: enter(%d) stopped", limit, c)
				}
				if w.advised > advised {
					readaheads, advised = readaheads+1, w.advised
				}
				if advised <= c {
					t.Fatalf("limit %d, %d workers: chunk %d starts with chunks [0, %d) read ahead", limit, workers, c, advised)
				}
				// Up to workers chunks in flight; the oldest finishes first.
				inFlight = append(inFlight, c)
				if len(inFlight) == min(workers, limit) || c == chunks-1 {
					for _, d := range inFlight {
						if err := w.leave(d); err != nil {
							t.Fatal(err)
						}
					}
					inFlight = inFlight[:0]
				}
			}
			if advised != chunks {
				t.Errorf("limit %d, %d workers: chunks [0, %d) read ahead, want all %d", limit, workers, advised, chunks)
			}
			// One readahead per step of the window, plus the first and the last.
			if most := chunks/max(1, min(limit, chunks)/adviseSteps) + 2; readaheads > most {
				t.Errorf("limit %d, %d workers: %d readaheads, want at most %d", limit, workers, readaheads, most)
			}
			if err := w.finish(); err != nil {
				t.Fatal(err)
			}
		}
	}
}
