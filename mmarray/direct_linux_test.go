package mmarray_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/ciskip"
	"github.com/go-memmap/memmap/mmarray"
)

// TestOpenDirect fills the aligned middle of a new array's data with
// direct writes and the rest with WriteAt; after Flush a fresh Open reads
// every element. Files in ReadOnly mode, held in memory or closed refuse.
func TestOpenDirect(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.npy")
	const n = 3 << 10
	f, err := mmarray.Create(path, "<u8", []int{n})
	require.NoError(t, err)
	w, err := f.OpenDirect()
	if err != nil {
		f.Close()
		ciskip.Skipf(t, "no direct writes in %s: %v", dir, err)
	}
	a := int64(w.Align())
	start := (f.DataOffset() + a - 1) / a * a // the first aligned file offset
	end := (f.DataOffset() + 8*n) / a * a     // the last
	require.Less(t, start, end, "alignment %d leaves no aligned block in %d bytes", a, 8*n)
	// Element i holds i+1, in little-endian bytes.
	elems := func(b []byte, first int64) {
		for i := range int64(len(b)) {
			idx := (first + i) / 8
			b[i] = byte((idx + 1) >> (8 * ((first + i) % 8)))
		}
	}
	mid := w.Buffer(int(end - start))
	elems(mid, start-f.DataOffset())
	_, err = w.WriteAt(mid, start)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	head := make([]byte, start-f.DataOffset())
	elems(head, 0)
	_, err = f.WriteAt(head, 0)
	require.NoError(t, err)
	tail := make([]byte, f.DataOffset()+8*n-end)
	elems(tail, end-f.DataOffset())
	_, err = f.WriteAt(tail, end-f.DataOffset())
	require.NoError(t, err)
	require.NoError(t, f.Flush())
	require.NoError(t, f.Close())

	g, err := mmarray.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	v, err := mmarray.View[uint64](g)
	require.NoError(t, err)
	for i := range n {
		require.Equal(t, uint64(i+1), v.At1(i), "element %d", i)
	}

	_, err = g.OpenDirect()
	require.ErrorIs(t, err, mmarray.ErrMode)
	require.NoError(t, g.Close())
	_, err = g.OpenDirect()
	require.ErrorIs(t, err, memmap.ErrClosed)
	_, err = imageFile[float64](t, "<f8", []int{4}, false).OpenDirect()
	require.ErrorIs(t, err, memmap.ErrUnsupported)
}

// TestOpenDirectRenamed checks that OpenDirect writes the very file the
// File maps, as OpenFile promises (nothing reopened by name): the file of
// a File opened from an *os.File was renamed and another file made under
// its old name, and a direct write must reach the mapped file only.
func TestOpenDirectRenamed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path, moved := filepath.Join(dir, "a.npy"), filepath.Join(dir, "moved.npy")
	const n = 3 << 10
	for _, p := range []string{path, moved} {
		f, err := mmarray.Create(p, "<u8", []int{n})
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
	osf, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer osf.Close()
	// The open file now lives at a.npy's new name; a.npy is another file.
	require.NoError(t, os.Rename(path, filepath.Join(dir, "tmp")))
	require.NoError(t, os.Rename(moved, path))
	require.NoError(t, os.Rename(filepath.Join(dir, "tmp"), moved))
	f, err := mmarray.OpenFile(osf, mmarray.ReadWrite)
	require.NoError(t, err)
	defer f.Close()
	w, err := f.OpenDirect()
	if err != nil {
		ciskip.Skipf(t, "no direct writes in %s: %v", dir, err)
	}
	a := int64(w.Align())
	start := (f.DataOffset() + a - 1) / a * a
	buf := w.Buffer(int(a))
	for i := range buf {
		buf[i] = 0xAB
	}
	_, err = w.WriteAt(buf, start)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	for _, c := range []struct {
		path string
		want byte
	}{{moved, 0xAB}, {path, 0}} {
		b, err := os.ReadFile(c.path)
		require.NoError(t, err)
		var got byte // a file too short to hold it holds no written byte
		if int64(len(b)) > start {
			got = b[start]
		}
		require.Equal(t, c.want, got, "byte %d of %s", start, c.path)
	}
}
