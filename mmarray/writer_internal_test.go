package mmarray

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/internal/atomicfile"
	"github.com/go-memmap/memmap/npyheader"
)

// TestSyncHeaderFailureKeepsRows injects a failure into each of Sync's two
// fdatasyncs and checks that the file never ends before the rows its
// header claims (a mapping of it would fault), and that Open and Recover
// then find a loadable file with the rows of the last Sync, or this one's.
func TestSyncHeaderFailureKeepsRows(t *testing.T) {
	t.Parallel()
	errInjected := errors.New("injected fdatasync failure")
	for _, tc := range []struct {
		name       string
		failOnCall int // which syncData call of the failing Sync fails
		maxRows    int // the rows the file may hold after it
	}{
		{"rows sync", 1, 3},
		{"header sync", 2, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "grow.npy")
			w, err := NewWriter(path, "<i4", []int{2})
			require.NoError(t, err)
			require.NoError(t, Append(w, []int32{1, 2, 3, 4, 5, 6}))
			require.NoError(t, w.Close())

			w, err = OpenAppend(path)
			require.NoError(t, err)
			calls := 0
			w.syncData = func(f *os.File) error {
				calls++
				if calls == tc.failOnCall {
					return errInjected
				}
				return atomicfile.SyncData(f)
			}
			require.NoError(t, Append(w, []int32{7, 8, 9, 10, 11, 12, 13, 14}))
			require.ErrorIs(t, w.Sync(), errInjected)
			require.Equal(t, 3, w.SyncedRows(), "the failed Sync made no rows part of the array")
			require.ErrorIs(t, w.Sync(), errInjected, "the Writer is broken")
			require.NoError(t, w.Abort())

			// Open checks the file's size against the header in the page
			// cache, the one a mapping would see.
			f, err := Open(path, ReadOnly)
			require.NoError(t, err, "the header must not claim rows the file lacks")
			rows := f.Shape()[0]
			require.NoError(t, f.Close())
			r, err := Recover(path)
			require.NoError(t, err)
			require.Equal(t, rows, r.OldRows)
			require.Contains(t, []int{3, tc.maxRows}, r.Rows)
			require.Zero(t, r.DroppedBytes)
		})
	}
}

// TestRewriteWithRoomShortFile gives MakeAppendable's copy a file that
// ends before the array its header was read with (as when the file shrinks
// during the copy): the rewrite must fail with ErrFileSize, leave the file
// as it was, and leave no temporary file behind.
func TestRewriteWithRoomShortFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "short.npy")
	dt, err := npyheader.ParseDescr("<f8")
	require.NoError(t, err)
	prefix, h, err := npyheader.Header{DType: dt, Shape: []int{10}}.Encoded()
	require.NoError(t, err)
	content := append(prefix, make([]byte, 4*8)...) // 4 of the 10 rows
	require.NoError(t, os.WriteFile(path, content, 0o644))
	src, err := os.Open(path)
	require.NoError(t, err)
	defer src.Close()

	err = rewriteWithRoom(path, src, h, 0o644)
	require.ErrorIs(t, err, ErrFileSize)
	got, rerr := os.ReadFile(path)
	require.NoError(t, rerr)
	require.Equal(t, content, got, "the file is unchanged")
	entries, rerr := os.ReadDir(dir)
	require.NoError(t, rerr)
	require.Len(t, entries, 1, "no temporary file is left")
}

// TestWriterBufferBounded checks that a Writer's buffer never follows the
// size of its rows, which a valid header or a row shape may make a TiB
// (shape (0, 2**37) of '<f8': no data, so the file is tiny).
func TestWriterBufferBounded(t *testing.T) {
	t.Parallel()
	if strconv.IntSize < 64 {
		t.Skip("rows of a TiB do not fit a 32-bit int: such headers are refused at Open")
	}
	dir := t.TempDir()
	items := int64(1) << 37
	hugeRow := int(items) // items of 8 bytes: 1 TiB
	dt, err := npyheader.ParseDescr("<f8")
	require.NoError(t, err)
	prefix, err := npyheader.Header{DType: dt, Shape: []int{0, hugeRow}}.Encode()
	require.NoError(t, err)
	npyPath := filepath.Join(dir, "huge-rows.npy")
	require.NoError(t, os.WriteFile(npyPath, prefix, 0o644))

	for _, tc := range []struct {
		name string
		open func() (*Writer, error)
		want int // the buffer's capacity
	}{
		{"OpenAppend", func() (*Writer, error) { return OpenAppend(npyPath) }, defaultBufferSize},
		{"NewWriter", func() (*Writer, error) {
			return NewWriter(filepath.Join(dir, "new.npy"), "<f8", []int{hugeRow}, WithBufferSize(1000))
		}, 1000},
		{"OpenAppendRaw", func() (*Writer, error) {
			return OpenAppendRaw(filepath.Join(dir, "raw.bin"), "<f8", []int{hugeRow}, 0, WithBufferSize(1))
		}, minBufferSize},
	} {
		w, err := tc.open()
		require.NoError(t, err, tc.name)
		require.Equal(t, 8*hugeRow, w.RowBytes(), tc.name)
		require.Equal(t, tc.want, cap(w.buf), tc.name)
		require.NoError(t, w.Abort(), tc.name)
	}
}

// TestBufferCapacity checks the buffer's size for rows smaller and larger
// than the size asked for.
func TestBufferCapacity(t *testing.T) {
	t.Parallel()
	type bufferCase struct{ size, rowBytes, want int }
	cases := []bufferCase{
		{1 << 20, 24, 1<<20 - 1<<20%24}, // whole rows
		{100, 100, 100},
		{1, 16, 16},              // one row, smaller than minBufferSize
		{1, 1000, minBufferSize}, // pieces of a row, at least minBufferSize
		{100, 1000, 100},         // pieces of the size asked for
	}
	if strconv.IntSize == 64 {
		tib := int64(1) << 40
		cases = append(cases, bufferCase{1 << 20, int(tib), defaultBufferSize})
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, bufferCapacity(tc.size, tc.rowBytes), "size %d, rows of %d bytes", tc.size, tc.rowBytes)
	}
}
