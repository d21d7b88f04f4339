package mmarray

import (
	"fmt"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/pagecache"
)

// This file holds the calls that manage the memory behind a byte range of
// a File's data, for code that walks a large array piece by piece and
// keeps what it holds bounded (package compute's memory budget): the range
// a view's elements span (Array.ByteRange), and hints, release and page
// cache eviction for such a range of the File (File.AdviseRange,
// File.Release, File.DropCache), and its residency (File.ResidentRange).
//
// Offsets are relative to the File's first data byte: 0 is the first
// byte of the array's first element, DataOffset bytes into the file.

// AdviseRange gives the kernel an access-pattern hint (madvise) for bytes
// [off, off+n) of the File's data, rounded out to whole pages: WillNeed
// before reading a range, DontNeed or Sequential as pagecache describes.
// For a File made by OpenBytes or OpenRawBytes it does nothing.
//
// Errors wrap memmap.ErrClosed after Close, pagecache.ErrBadRange for a
// range outside the data, pagecache.ErrInvalid for an unknown advice and
// pagecache.ErrDontNeedCopyOnWrite for DontNeed in mode CopyOnWrite.
func (f *File) AdviseRange(off, n int64, a Advice) error {
	return f.ranged("advise", off, n, func(m *pagecache.Mapping) error { return m.Advise(off, n, a) })
}

// Release drops bytes [off, off+n) of the File's data, rounded out to whole
// pages, from the process's memory, so that they no longer count in its
// resident set; reading them again maps them back in from the page cache
// or the file. In mode ReadWrite the range's changes are written back to
// the file first (they are not made durable: Flush does that). In mode
// CopyOnWrite, and for a File made by OpenBytes or OpenRawBytes, it does nothing: private
// changes would be lost. Pages shared with elements outside the range are
// released too, which costs only their being mapped in again.
//
// Errors wrap memmap.ErrClosed after Close, pagecache.ErrBadRange for a
// range outside the data, or the operating system's error for a failed
// write-back (EIO, ENOSPC).
func (f *File) Release(off, n int64) error {
	return f.ranged("release", off, n, func(m *pagecache.Mapping) error { return m.Release(off, n) })
}

// DropCache evicts the file's pages behind bytes [off, off+n) of the
// File's data from the page cache (posix_fadvise DONTNEED, Linux only), so
// that a one-pass scan does not push other programs' data out of memory.
// Pages still mapped stay: call Release on the range first. In mode
// ReadWrite the range's changes are written back first. For a File made by
// OpenBytes, and outside Linux, it does nothing.
//
// Errors wrap memmap.ErrClosed after Close, pagecache.ErrBadRange for a
// range outside the data, or the operating system's error.
func (f *File) DropCache(off, n int64) error {
	return f.ranged("drop cache", off, n, func(m *pagecache.Mapping) error { return m.DropCache(off, n) })
}

// ResidentRange reports how many of the pages covering bytes [off, off+n)
// of the File's data are resident in memory (mincore: in the page cache),
// out of total pages in the page-rounded range, as Resident does for the
// whole File. A File made by OpenBytes or OpenRawBytes is all resident.
//
// Errors wrap memmap.ErrClosed after Close, pagecache.ErrBadRange for a
// range outside the data, memmap.ErrUnsupported where mincore is missing
// (Windows), or the operating system's error.
func (f *File) ResidentRange(off, n int64) (resident, total int, err error) {
	err = f.ranged("resident", off, n, func(m *pagecache.Mapping) error {
		resident, total, err = m.Resident(off, n)
		return err
	})
	if err == nil && f.mapping == nil && n > 0 {
		page := int64(pagecache.PageSize())
		total = int((off+n+page-1)/page - off/page)
		resident = total
	}
	return resident, total, err
}

// ranged runs call on the File's mapping, after checking that it is open
// and that [off, off+n) lies inside its data.
func (f *File) ranged(op string, off, n int64, call func(*pagecache.Mapping) error) error {
	checkMade(f)
	if f.isClosed() {
		return fmt.Errorf("%s %s: %w", op, f.path, memmap.ErrClosed)
	}
	if size := int64(len(f.data)); off < 0 || n < 0 || off > size || n > size-off {
		return fmt.Errorf("%s %s: %w: bytes [%d, %d+%d) outside the %d bytes of data", op, f.path, pagecache.ErrBadRange, off, off, n, size)
	}
	if f.mapping == nil {
		return nil // OpenBytes: Go memory, no pages to manage
	}
	if err := call(f.mapping); err != nil {
		return fmt.Errorf("%s %s: %w", op, f.path, err)
	}
	return nil
}

// ByteRange returns the bytes of the File's data that the view's elements
// with flat C-order indices lo to hi-1 lie in: off is the lowest byte of
// any of them, relative to the File's first data byte, and off+n is one past
// the highest, whatever the view's strides (negative ones too). The
// elements need not fill the range: a column of a C-order matrix spans
// whole rows. It is what File.AdviseRange, File.Release and File.DropCache
// take, for code that walks a view in pieces (BlocksRange) and manages the
// memory behind each piece. n is 0 when lo == hi. It panics unless
// 0 <= lo <= hi <= Len().
func (a *Array[T]) ByteRange(lo, hi int) (off, n int64) {
	a.check()
	if lo < 0 || hi < lo || hi > a.count() {
		misuse.Panicf("mmarray: ByteRange [%d, %d) is not a range of a view of %d elements", lo, hi, a.count())
	}
	if lo == hi {
		return 0, 0
	}
	lowest, highest := a.spanOf(lo, hi)
	return int64(a.offset + lowest), int64(highest - lowest + a.dtype.ItemSize)
}

// spanOf returns the lowest and highest byte offset, relative to element
// (0, ..., 0), of the elements with flat C-order indices in [lo, hi),
// lo < hi. It splits the range along each axis into a partial first slice,
// whole slices and a partial last one; only the partial ones are split
// further, so the work grows with the number of axes only.
func (c *viewCore) spanOf(lo, hi int) (lowest, highest int) {
	inner := make([]int, len(c.shape)+1) // inner[i]: elements per step along axis i
	inner[len(c.shape)] = 1
	for i := len(c.shape) - 1; i >= 0; i-- {
		inner[i] = inner[i+1] * c.shape[i]
	}
	var span func(axis, lo, hi int) (int, int)
	span = func(axis, lo, hi int) (int, int) {
		if axis == len(c.shape) {
			return 0, 0
		}
		if lo == 0 && hi == inner[axis] {
			return c.wholeSpan(axis)
		}
		step, stride := inner[axis+1], c.strides[axis]
		first, last := lo/step, (hi-1)/step
		if first == last {
			mn, mx := span(axis+1, lo-first*step, hi-first*step)
			return mn + first*stride, mx + first*stride
		}
		mn, mx := span(axis+1, lo-first*step, step)
		mn, mx = mn+first*stride, mx+first*stride
		lmn, lmx := span(axis+1, 0, hi-last*step)
		mn, mx = min(mn, lmn+last*stride), max(mx, lmx+last*stride)
		if last-first >= 2 {
			wmn, wmx := c.wholeSpan(axis + 1)
			a, b := (first+1)*stride, (last-1)*stride
			mn, mx = min(mn, wmn+min(a, b)), max(mx, wmx+max(a, b))
		}
		return mn, mx
	}
	return span(0, lo, hi)
}

// wholeSpan returns the lowest and highest byte offset, relative to the
// sub-array's first element, of a whole sub-array over axes axis and
// after (of a non-empty view).
func (c *viewCore) wholeSpan(axis int) (lowest, highest int) {
	for i := axis; i < len(c.shape); i++ {
		reach := (c.shape[i] - 1) * c.strides[i]
		lowest += min(0, reach)
		highest += max(0, reach)
	}
	return lowest, highest
}
