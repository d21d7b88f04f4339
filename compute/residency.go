package compute

import (
	"sync"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
)

// This file holds the memory budget's machinery: residency manages the
// pages of one mapped array that a chunked walk reads or writes, and
// chunkWindow decides, chunk by chunk, when a chunk may start, what to read
// ahead and what to release.
//
// For code that writes an OUTPUT array chunk by chunk (transforms, copies),
// the hook is the same: make one residency per array, the output with
// output set, and one chunkWindow over all of them (newChunkWindow); each
// worker calls enter(c) before chunk c and leave(c) after it, fail on an
// error; finish at the end. The window reads the inputs ahead, and
// releases the chunks every worker has passed: inputs are dropped from the
// process, outputs written back first (File.Release on a ReadWrite file
// does both), and with WithStream evicted from the page cache too. An
// output's changes are then in the page cache or on disk, never lost, but
// not durable: Flush the output File at the end as before.

// residency manages the pages of one mapped array behind a chunked walk.
type residency struct {
	file   *mmarray.File
	output bool // written, not read: not read ahead
	stream bool // also drop released ranges from the page cache
	// bytesOf returns the bytes of the file's data (File.Release's
	// offsets) that chunks [first, last) of the walk touch.
	bytesOf func(first, last int) (off, n int64)
	// dataOffset is where the data starts in the file: page boundaries
	// are counted from the file's start.
	dataOffset int64

	// releaseStep, when positive, batches releases: the bytes passed
	// accumulate until they reach releaseStep, and a release then ends on
	// a multiple of releaseAlign in the file (budgetWindow sets both, to
	// releaseStepFor's step and hugePage).
	releaseStep, releaseAlign int64

	mu       sync.Mutex // guards dropFrom
	dropFrom int64      // start of the range dropped from the page cache last, or -1

	batchMu sync.Mutex // guards pending, held across a batched release
	pending int64      // start of the bytes passed but not released yet (batched), or -1
}

// hugePage is the span of a transparent huge page (a PMD) on x86-64 and
// on arm64 with 4 KiB pages. The kernel maps a large folio of the page
// cache (read-ahead and tmpfs make them up to 2 MiB) with one entry of
// this size where it can; releasing a part of one splits the entry, and
// each release flushes the TLBs of every CPU the process runs on. Batched
// releases end on its multiples so that they clear whole entries.
const hugePage = 2 << 20

// maxReleaseStep is the most bytes a batched release gathers: a few huge
// pages per madvise and TLB flush, a small part of a budget worth
// batching.
const maxReleaseStep = 8 << 20

// releaseSlack returns the bytes a residency batching releases by step,
// ending them on multiples of align, may hold beyond the window's chunks:
// less than a step not released yet, plus less than align past the last
// release's end.
func releaseSlack(step, align int64) int64 {
	if step <= 0 {
		return 0
	}
	return step + align
}

// releaseStepFor returns the release step for a window with room bytes of
// budget: an eighth of it, at most maxReleaseStep, in whole huge pages, or
// 0 (release chunk by chunk) where that is less than a huge page.
func releaseStepFor(room int64) int64 {
	step := min(room/8, maxReleaseStep) / hugePage * hugePage
	if step < hugePage {
		return 0
	}
	return step
}

// newResidency returns the residency of view v walked in chunks of
// chunkElems elements (C order), or nil when there is nothing to manage:
// a File made by OpenBytes (Go memory) or opened CopyOnWrite, whose
// private pages Release would not drop (it would discard their changes).
func newResidency[T mmarray.Element](v *mmarray.Array[T], chunkElems int, output, stream bool) *residency {
	f := v.File()
	if f.IsInMemory() || f.Mode() == mmarray.CopyOnWrite {
		return nil
	}
	n := v.Len()
	return &residency{
		file:   f,
		output: output,
		stream: stream,
		bytesOf: func(first, last int) (int64, int64) {
			return v.ByteRange(min(first*chunkElems, n), min(last*chunkElems, n))
		},
		dataOffset: f.DataOffset(),
		dropFrom:   -1,
		pending:    -1,
	}
}

// readahead asks the kernel to start reading chunks [first, last) of an
// input (MADV_WILLNEED): the kernel reads them into the page cache
// without mapping them, so they do not count in the process's memory until
// a worker touches them. A failed hint is ignored.
//
// Chunks already in the page cache (a warm input: readaheadProbes pages
// spread over them are) are left alone: the hint costs a page cache lookup
// per page, a third of the time of summing them.
func (r *residency) readahead(first, last int) {
	if r.output {
		return
	}
	off, n := r.bytesOf(first, last)
	if r.cached(off, n) {
		return
	}
	_ = r.file.AdviseRange(off, n, mmarray.WillNeed)
}

// readaheadProbes is how many pages of a range cached looks at.
const readaheadProbes = 4

// cached reports whether readaheadProbes pages spread over bytes [off,
// off+n) of the data, its first and last among them, are in the page
// cache (mincore). Where they are and others are not, the workers' page
// faults read those, with the kernel's own read-around.
func (r *residency) cached(off, n int64) bool {
	if n <= 0 {
		return true
	}
	for i := range int64(readaheadProbes) {
		at := off + (n-1)*i/(readaheadProbes-1)
		if resident, total, err := r.file.ResidentRange(at, 1); err != nil || resident < total {
			return false
		}
	}
	return true
}

// release drops the bytes of chunks [first, last) from the process,
// writing an output's changes back first, and with stream from the page
// cache too. keepFrom is the first chunk still in use (or -1 at the end of
// the walk): where its bytes start after the released ones start (a walk
// that goes up through memory), the page they start in is kept, so the
// chunk reading it does not fault it in again, or with stream read it
// again from the disk. With a release step, the bytes are released only
// once a step of them has passed, up to a huge page boundary, the rest
// with a later release (at the end, all of them).
func (r *residency) release(first, last, keepFrom int) error {
	off, n := r.bytesOf(first, last)
	end := off + n
	if keepFrom >= 0 {
		if next, nn := r.bytesOf(keepFrom, keepFrom+1); nn > 0 && next > off {
			page := int64(pagecache.PageSize())
			keep := next - (r.dataOffset+next)%page // the start of next's page
			end = min(end, max(off, keep))
		}
	}
	if r.releaseStep <= 0 {
		return r.releaseRange(off, end-off)
	}
	// Batched: releases are made one at a time, so that a step's bytes
	// are released once, from where the last release ended.
	r.batchMu.Lock()
	defer r.batchMu.Unlock()
	if r.pending >= 0 && r.pending < off {
		off = r.pending
	}
	if keepFrom >= 0 {
		if end-off < r.releaseStep {
			r.pending = off
			return nil
		}
		if aligned := end - (r.dataOffset+end)%r.releaseAlign; aligned > off {
			end = aligned
		}
	}
	r.pending = end
	return r.releaseRange(off, end-off)
}

// releaseRange drops bytes [off, off+n) of the data from the process, and
// with stream from the page cache.
func (r *residency) releaseRange(off, n int64) error {
	if n <= 0 {
		return nil
	}
	if err := r.file.Release(off, n); err != nil {
		return err
	}
	if r.stream {
		return r.dropCache(off, n)
	}
	return nil
}

// dropCache evicts [off, off+n) of the data from the page cache, starting
// from the previous range dropped where that is lower: the kernel drops
// only the folios that lie wholly inside a range, and a large folio
// across the boundary of two released ranges lies inside their union.
func (r *residency) dropCache(off, n int64) error {
	r.mu.Lock()
	from := off
	if r.dropFrom >= 0 && r.dropFrom < off {
		from = r.dropFrom
	}
	r.dropFrom = off
	r.mu.Unlock()
	return r.file.DropCache(from, off+n-from)
}

// chunkWindow bounds the chunks of a walk that hold memory at once: chunk
// c may start only once every chunk below c-limit has finished, so the
// chunks in flight and those finished but not yet released lie in
// [lowest unfinished, lowest unfinished+limit). The window reads ahead
// the chunks up to its end, and releases the chunks below the lowest
// unfinished one as it moves.
//
// Workers take chunks in increasing order, so the lowest unfinished chunk
// is always in a worker's hands and never waits: the window cannot
// deadlock. After stop (an error, a panic, a cancelled context), waiting
// workers return false and stop too.
type chunkWindow struct {
	files  []*residency
	chunks int // chunks in the walk
	limit  int // chunks from the lowest unfinished one that may hold memory

	mu       sync.Mutex
	moved    sync.Cond // signalled when passed grows or the walk stops
	finished []bool    // ring: finished[c%limit] for c in [passed, passed+limit)
	passed   int       // chunks [0, passed) are finished
	released int       // chunks [0, released) are released
	advised  int       // chunks [0, advised) were read ahead
	stopped  bool

	// adviseStep is how many chunks the window's end moves before they are
	// read ahead together: each readahead probes the page cache with a few
	// mincore calls, and one per chunk cost a budgeted sum of a warm file
	// a tenth of its time.
	adviseStep int
}

// adviseSteps is how many readaheads a window's worth of chunks gets.
const adviseSteps = 8

// newChunkWindow returns a window over chunks of the files' walk holding
// at most limit chunks, or nil if files has no residency to manage (nil
// entries are dropped).
func newChunkWindow(chunks, limit int, files ...*residency) *chunkWindow {
	w := &chunkWindow{chunks: chunks, limit: max(1, limit)}
	w.adviseStep = max(1, w.limit/adviseSteps)
	for _, r := range files {
		if r != nil {
			w.files = append(w.files, r)
		}
	}
	if len(w.files) == 0 {
		return nil
	}
	w.finished = make([]bool, w.limit)
	w.moved.L = &w.mu
	return w
}

// enter waits until chunk c may start and reads ahead what the window
// allows. It returns false if the walk was stopped meanwhile.
func (w *chunkWindow) enter(c int) bool {
	w.mu.Lock()
	for c >= w.passed+w.limit && !w.stopped {
		w.moved.Wait()
	}
	if w.stopped {
		w.mu.Unlock()
		return false
	}
	first, last := w.advised, min(w.passed+w.limit, w.chunks)
	if last-first < w.adviseStep && last < w.chunks && c < first {
		// Read ahead once a step has gathered, at the end, or for a
		// chunk about to start unadvised (a window of few chunks).
		last = first
	}
	w.advised = max(w.advised, last)
	w.mu.Unlock()
	if first < last {
		for _, r := range w.files {
			r.readahead(first, last)
		}
	}
	return true
}

// leave marks chunk c finished and, if that moves the lowest unfinished
// chunk, releases the chunks passed. The first release error is returned.
func (w *chunkWindow) leave(c int) error {
	w.mu.Lock()
	w.finished[c%w.limit] = true
	first := w.passed
	for w.passed < w.chunks && w.finished[w.passed%w.limit] {
		w.finished[w.passed%w.limit] = false
		w.passed++
	}
	last := w.passed
	if last == first {
		w.mu.Unlock()
		return nil
	}
	first = w.released
	w.released = last
	w.moved.Broadcast()
	w.mu.Unlock()
	keep := last
	if keep == w.chunks {
		keep = -1
	}
	for _, r := range w.files {
		if err := r.release(first, last, keep); err != nil {
			return err
		}
	}
	return nil
}

// stop wakes every waiting worker and makes enter return false.
func (w *chunkWindow) stop() {
	w.mu.Lock()
	w.stopped = true
	w.moved.Broadcast()
	w.mu.Unlock()
}

// finish releases whatever the walk left (after an error, the chunks
// finished above an unfinished one), then with stream drops the whole
// walk's bytes from the page cache once more, for the large folios that
// no single release range held wholly.
func (w *chunkWindow) finish() error {
	w.mu.Lock()
	first := w.released
	w.released = w.chunks
	w.mu.Unlock()
	for _, r := range w.files {
		if first < w.chunks {
			if err := r.release(first, w.chunks, -1); err != nil {
				return err
			}
		}
		if r.stream {
			off, n := r.bytesOf(0, w.chunks)
			if err := r.file.DropCache(off, n); err != nil {
				return err
			}
		}
	}
	return nil
}
