package mmarray_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
)

// OpenFile maps the image in an open file, whole or as a section, and keeps
// working after the caller closes its *os.File: the File holds its own
// descriptor. Its views read what Open's read.
func TestOpenFileMapsAnOpenFile(t *testing.T) {
	t.Parallel()
	path := testdataPath("npy/f8_le_3x4_C.npy")
	want, err := mmarray.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	defer want.Close()
	wantView, err := mmarray.View[float64](want)
	require.NoError(t, err)
	wantValues := make([]float64, wantView.Len())
	wantView.CopyTo(wantValues)

	image, err := os.ReadFile(path)
	require.NoError(t, err)
	container := embed(t, image)
	for _, tc := range []struct {
		name string
		path string
		opts []mmarray.OpenOption
	}{
		{"whole file", path, nil},
		{"section", container, []mmarray.OpenOption{mmarray.WithSection(sectionPrefixLen, int64(len(image)))}},
	} {
		for _, mode := range []mmarray.Mode{mmarray.ReadOnly, mmarray.CopyOnWrite} {
			osFile, err := os.Open(tc.path)
			require.NoError(t, err)
			f, err := mmarray.OpenFile(osFile, mode, tc.opts...)
			require.NoError(t, err, "%s %v", tc.name, mode)
			require.Equal(t, osFile.Name(), f.Path())
			require.NoError(t, osFile.Close(), "the caller closes its file at once")
			a, err := mmarray.View[float64](f)
			require.NoError(t, err)
			got := make([]float64, a.Len())
			a.CopyTo(got)
			require.Equal(t, wantValues, got, "%s %v", tc.name, mode)
			require.Equal(t, want.Shape(), f.Shape())
			require.NoError(t, f.Flush())
			require.NoError(t, f.Close(), "the File closes its own descriptor, not the caller's")
			require.ErrorIs(t, f.Close(), memmap.ErrClosed)
		}
	}
}

// r+ through OpenFile needs a file opened for writing: on a read-only one
// it fails with ErrMode; on a read-write one writes reach the file. Open's
// mode rules hold (w+ is refused).
func TestOpenFileModes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "a.npy")
	c, err := mmarray.Create(path, "<i4", []int{4})
	require.NoError(t, err)
	require.NoError(t, c.Close())

	readOnly, err := os.Open(path)
	require.NoError(t, err)
	defer readOnly.Close()
	f, err := mmarray.OpenFile(readOnly, mmarray.ReadWrite)
	require.Nil(t, f)
	require.ErrorIs(t, err, mmarray.ErrMode)
	require.Contains(t, err.Error(), path)
	for _, mode := range []mmarray.Mode{mmarray.Write, 0} {
		_, err = mmarray.OpenFile(readOnly, mode)
		require.ErrorIs(t, err, mmarray.ErrMode)
	}

	writeOnly, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer writeOnly.Close()
	_, err = mmarray.OpenFile(writeOnly, mmarray.ReadOnly)
	require.ErrorIs(t, err, mmarray.ErrMode, "mapping needs read access")

	readWrite, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	f, err = mmarray.OpenFile(readWrite, mmarray.ReadWrite)
	require.NoError(t, err)
	require.NoError(t, readWrite.Close())
	a, err := mmarray.View[int32](f)
	require.NoError(t, err)
	a.Set(0x01020304, 2)
	require.NoError(t, f.Flush())
	require.NoError(t, f.Close())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, uint32(0x01020304), binary.LittleEndian.Uint32(b[len(b)-8:]))

	closed, err := os.Open(path)
	require.NoError(t, err)
	require.NoError(t, closed.Close())
	_, err = mmarray.OpenFile(closed, mmarray.ReadOnly)
	require.ErrorIs(t, err, os.ErrClosed)
	requireMisuse(t, "mmarray: OpenFile of a nil *os.File", func() { _, _ = mmarray.OpenFile(nil, mmarray.ReadOnly) })
}

// A directory is not a regular file: every constructor refuses it with
// memmap.ErrUnsupported (named pipes: TestNamedPipesAreRefused).
func TestDirectoriesAreRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := mmarray.Open(dir, mmarray.ReadOnly)
	require.ErrorIs(t, err, memmap.ErrUnsupported)
	_, err = mmarray.OpenRaw(dir, mmarray.ReadOnly, "|u1", nil, 0)
	require.ErrorIs(t, err, memmap.ErrUnsupported)
	d, err := os.Open(dir)
	require.NoError(t, err)
	defer d.Close()
	_, err = mmarray.OpenFile(d, mmarray.ReadOnly)
	require.ErrorIs(t, err, memmap.ErrUnsupported)
	require.Contains(t, err.Error(), "a directory, not a regular file")
}
