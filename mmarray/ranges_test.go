package mmarray_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
	"github.com/stretchr/testify/require"
)

// offsetsFile creates an .npy of n little-endian uint32 in which each
// element holds its own byte offset in the data, so that a view's values
// say where its elements lie.
func offsetsFile(t *testing.T, n int) *mmarray.File {
	t.Helper()
	f, err := mmarray.Create(filepath.Join(t.TempDir(), "offsets.npy"), "<u4", []int{n})
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	a, err := mmarray.View[uint32](f)
	require.NoError(t, err)
	for i := range n {
		a.Set1(uint32(4*i), i)
	}
	return f
}

// TestByteRange compares ByteRange, for every range of a view's flat
// indices, with the lowest and highest offset its elements hold.
func TestByteRange(t *testing.T) {
	t.Parallel()
	f := offsetsFile(t, 4*5*6)
	flat, err := mmarray.View[uint32](f)
	require.NoError(t, err)
	cube, err := flat.Reshape(4, 5, 6)
	require.NoError(t, err)
	s := mmarray.Span
	views := map[string]*mmarray.Array[uint32]{
		"flat":             flat,
		"cube":             cube,
		"reversed":         flat.Slice(s(mmarray.Omit, mmarray.Omit, -1)),
		"steps":            cube.Slice(s(mmarray.Omit, mmarray.Omit, -1), s(1, mmarray.Omit, 2), s(mmarray.Omit, mmarray.Omit, -3)),
		"transposed":       cube.Transpose(2, 0, 1),
		"column":           cube.Slice(mmarray.All(), mmarray.Index(3), mmarray.All()),
		"reversed columns": cube.Slice(mmarray.All(), mmarray.All(), s(4, 0, -2)).Transpose(),
		"one element":      cube.Slice(mmarray.Index(2), mmarray.Index(1), mmarray.Index(5)),
		"empty":            cube.Slice(s(1, 1, 1)),
	}
	var bad []string
	for name, v := range views {
		values := make([]uint32, v.Len())
		v.CopyTo(values)
		for lo := 0; lo <= len(values); lo++ {
			for hi := lo; hi <= len(values); hi++ {
				off, n := v.ByteRange(lo, hi)
				var wantOff, wantN int64
				if hi > lo {
					lowest, highest := values[lo], values[lo]
					for _, x := range values[lo:hi] {
						lowest, highest = min(lowest, x), max(highest, x)
					}
					wantOff, wantN = int64(lowest), int64(highest-lowest+4)
				}
				if off != wantOff || n != wantN {
					bad = append(bad, fmt.Sprintf("%s [%d, %d): got (%d, %d), want (%d, %d)", name, lo, hi, off, n, wantOff, wantN))
				}
			}
		}
	}
	require.Empty(t, bad)
	requireMisuse(t, "mmarray: ByteRange [3, 2) is not a range of a view of 120 elements", func() { flat.ByteRange(3, 2) })
	requireMisuse(t, "mmarray: ByteRange [0, 121) is not a range of a view of 120 elements", func() { flat.ByteRange(0, 121) })
}

// TestByteRangeOfField checks a field view: each element is the field's
// bytes inside a record, not the record.
func TestByteRangeOfField(t *testing.T) {
	t.Parallel()
	f, err := mmarray.Create(filepath.Join(t.TempDir(), "records.npy"), "[('a', '<u2'), ('b', '<f8')]", []int{7})
	require.NoError(t, err)
	defer f.Close()
	records, err := mmarray.View[[]byte](f)
	require.NoError(t, err)
	b, err := mmarray.Field[float64](records, "b")
	require.NoError(t, err)
	for _, r := range []struct{ lo, hi int }{{0, 1}, {0, 7}, {3, 5}, {6, 7}} {
		off, n := b.ByteRange(r.lo, r.hi)
		require.Equal(t, int64(10*r.lo+2), off, "[%d, %d)", r.lo, r.hi)
		require.Equal(t, int64(10*(r.hi-r.lo-1)+8), n, "[%d, %d)", r.lo, r.hi)
	}
}

// TestRangeCalls runs AdviseRange, Release and DropCache on a file in each
// mode and on an in-memory File: good ranges succeed and keep the data
// (ReadWrite changes reach the file, CopyOnWrite ones stay private), bad
// ones and a closed File are errors.
func TestRangeCalls(t *testing.T) {
	t.Parallel()
	const n = 5000 // 20000 bytes: five pages
	dir := t.TempDir()
	path := filepath.Join(dir, "data.npy")
	w, err := mmarray.Create(path, "<u4", []int{n})
	require.NoError(t, err)
	wa, err := mmarray.View[uint32](w)
	require.NoError(t, err)
	for i := range n {
		wa.Set1(uint32(i), i)
	}
	require.NoError(t, w.Close())
	image, err := os.ReadFile(path)
	require.NoError(t, err)

	open := map[string]func() (*mmarray.File, error){
		"ReadOnly":    func() (*mmarray.File, error) { return mmarray.Open(path, mmarray.ReadOnly) },
		"ReadWrite":   func() (*mmarray.File, error) { return mmarray.Open(path, mmarray.ReadWrite) },
		"CopyOnWrite": func() (*mmarray.File, error) { return mmarray.Open(path, mmarray.CopyOnWrite) },
		"OpenBytes": func() (*mmarray.File, error) {
			return mmarray.OpenBytes("image", bytes.Clone(image), mmarray.ReadWrite)
		},
	}
	calls := map[string]func(f *mmarray.File, off, n int64) error{
		"AdviseRange": func(f *mmarray.File, off, n int64) error { return f.AdviseRange(off, n, mmarray.WillNeed) },
		"Release":     (*mmarray.File).Release,
		"DropCache":   (*mmarray.File).DropCache,
		"ResidentRange": func(f *mmarray.File, off, n int64) error {
			resident, total, err := f.ResidentRange(off, n)
			// The pages the range spans: as many as its bytes fill, and
			// one more where it straddles a page's start.
			page := int64(pagecache.PageSize())
			least := int((n + page - 1) / page)
			if err == nil && (total < least || total > least+1 || resident > total) {
				return fmt.Errorf("ResidentRange(%d, %d) = %d of %d pages", off, n, resident, total)
			}
			return err
		},
	}
	for mode, opener := range open {
		// Not parallel: ReadWrite and CopyOnWrite write the same file.
		f, err := opener()
		require.NoError(t, err, mode)
		a, err := mmarray.View[uint32](f)
		require.NoError(t, err)
		if a.Writable() {
			a.Set1(7777, 4321)
		}
		for name, call := range calls {
			for _, r := range []struct{ off, n int64 }{{0, 4 * n}, {1, 1}, {4 * n, 0}, {4096, 8192}} {
				require.NoError(t, call(f, r.off, r.n), "%s %s(%d, %d)", mode, name, r.off, r.n)
			}
			for _, r := range []struct{ off, n int64 }{{-1, 1}, {0, -1}, {0, 4*n + 1}, {4*n + 1, 0}, {1, 4 * n}} {
				err := call(f, r.off, r.n)
				require.ErrorIs(t, err, pagecache.ErrBadRange, "%s %s(%d, %d)", mode, name, r.off, r.n)
				require.Contains(t, err.Error(), f.Path())
			}
		}
		want := func(i int) uint32 {
			if i == 4321 && a.Writable() {
				return 7777
			}
			return uint32(i)
		}
		var wrong []int
		for i := range n {
			if a.At1(i) != want(i) {
				wrong = append(wrong, i)
			}
		}
		require.Empty(t, wrong, "%s: elements changed by the range calls", mode)
		require.NoError(t, f.Close())
		for name, call := range calls {
			require.ErrorIs(t, call(f, 0, 1), memmap.ErrClosed, "%s %s after Close", mode, name)
		}
		if mode == "ReadWrite" { // the change reached the file; undo it for the others
			again, err := mmarray.Open(path, mmarray.ReadWrite)
			require.NoError(t, err)
			b, err := mmarray.View[uint32](again)
			require.NoError(t, err)
			require.Equal(t, uint32(7777), b.At1(4321))
			b.Set1(4321, 4321)
			require.NoError(t, again.Close())
		}
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, bytes.Equal(got, image), "the file after the copy-on-write changes")
}
