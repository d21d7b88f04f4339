package mmarray_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/stretchr/testify/require"
)

// le32 is the little-endian bytes of the uint32s xs.
func le32(xs ...uint32) []byte {
	b := make([]byte, 0, 4*len(xs))
	for _, x := range xs {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return b
}

// TestWriteAt writes through the file into arrays of each writable kind
// and checks that views see the bytes at once and that the file holds them
// after Flush, read back by NumPy.
func TestWriteAt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	created, err := mmarray.Create(filepath.Join(dir, "created.npy"), "<u4", []int{2, 4})
	require.NoError(t, err)
	opened := filepath.Join(dir, "opened.npy")
	{
		f, err := mmarray.Create(opened, "<u4", []int{2, 4})
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
	reopened, err := mmarray.Open(opened, mmarray.ReadWrite)
	require.NoError(t, err)
	var image []byte
	{
		f, err := mmarray.Create(filepath.Join(dir, "image.npy"), "<u4", []int{2, 4})
		require.NoError(t, err)
		image, err = os.ReadFile(f.Path())
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
	inMemory, err := mmarray.OpenBytes("image.npy", image, mmarray.ReadWrite)
	require.NoError(t, err)

	for _, f := range []*mmarray.File{created, reopened, inMemory} {
		t.Run(filepath.Base(f.Path()), func(t *testing.T) {
			a, err := mmarray.View[uint32](f)
			require.NoError(t, err)
			a.Set2(7, 0, 0)
			// Row 1, columns 1 to 3: bytes 20 to 31 of the data.
			n, err := f.WriteAt(le32(11, 12, 13), 20)
			require.NoError(t, err)
			require.Equal(t, 12, n)
			require.Equal(t, []uint32{7, 0, 0, 0, 0, 11, 12, 13}, slices.Collect(a.Values()))
			require.NoError(t, f.Flush())
			if f.IsInMemory() {
				return
			}
			got := numpytest.Run(t, "import sys; print(np.load(sys.argv[1]).ravel().tolist())", f.Path())
			require.Equal(t, "[7, 0, 0, 0, 0, 11, 12, 13]\n", got)
		})
	}
	for _, f := range []*mmarray.File{created, reopened, inMemory} {
		require.NoError(t, f.Close())
	}
}

// TestWriteAtRefusals checks WriteAt's errors: modes that must not write
// the file, offsets outside the data (writing what fits), a closed File.
func TestWriteAtRefusals(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "a.npy")
	f, err := mmarray.Create(path, "<u4", []int{4})
	require.NoError(t, err)
	n, err := f.WriteAt(le32(1, 2), 12)
	require.ErrorIs(t, err, mmarray.ErrOffset)
	require.Equal(t, 4, n, "the bytes that fit are written")
	_, err = f.WriteAt(le32(1), -4)
	require.ErrorIs(t, err, mmarray.ErrOffset)
	_, err = f.WriteAt(le32(1), 17)
	require.ErrorIs(t, err, mmarray.ErrOffset)
	a, err := mmarray.View[uint32](f)
	require.NoError(t, err)
	require.Equal(t, []uint32{0, 0, 0, 1}, slices.Collect(a.Values()))
	require.NoError(t, f.Close())
	_, err = f.WriteAt(le32(1), 0)
	require.ErrorIs(t, err, memmap.ErrClosed)

	for _, mode := range []mmarray.Mode{mmarray.ReadOnly, mmarray.CopyOnWrite} {
		g, err := mmarray.Open(path, mode)
		require.NoError(t, err)
		_, err = g.WriteAt(le32(9), 0)
		require.ErrorIs(t, err, mmarray.ErrMode, "mode %v", mode)
		require.NoError(t, g.Close())
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, le32(0, 0, 0, 1), data[len(data)-16:], "refused writes left the file as it was")
}
