package npz_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npz"
)

// readerSources are the ways NewReader is given an archive's raw bytes: in
// memory, and embedded between other bytes of a larger file (a section).
var readerSources = []struct {
	name string
	open func(t *testing.T, raw []byte) io.ReaderAt
}{
	{"bytes", func(t *testing.T, raw []byte) io.ReaderAt { return bytes.NewReader(raw) }},
	{"section", func(t *testing.T, raw []byte) io.ReaderAt {
		prefix := bytes.Repeat([]byte("before"), 100)
		path := filepath.Join(t.TempDir(), "container")
		require.NoError(t, os.WriteFile(path, append(append(prefix, raw...), "after"...), 0o644))
		f, err := os.Open(path)
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		return io.NewSectionReader(f, int64(len(prefix)), int64(len(raw)))
	}},
}

// NewReader over a reader that is not a file lists every valid golden
// archive exactly as Open does, except that stored members are read into
// memory rather than mapped, and every array reads NumPy's values.
func TestNewReaderReadsGoldenArchives(t *testing.T) {
	t.Parallel()
	arrays := 0
	for _, e := range loadNPZManifest(t) {
		if !e.Valid {
			continue
		}
		raw, err := os.ReadFile(npzTestdata(e.File))
		require.NoError(t, err)
		opened, err := npz.Open(npzTestdata(e.File), mmarray.ReadOnly)
		require.NoError(t, err)
		want := opened.Members()
		require.NoError(t, opened.Close())
		for _, src := range readerSources {
			a, err := npz.NewReader(src.open(t, raw), int64(len(raw)))
			require.NoError(t, err, "%s from %s", e.File, src.name)
			require.Equal(t, mmarray.ReadOnly, a.Mode())
			require.Empty(t, a.Path())
			got := a.Members()
			require.Len(t, got, len(want))
			for i, m := range got {
				w := want[i]
				if w.Storage == npz.InPlace {
					require.Equal(t, npz.InMemory, m.Storage, "%s %s: a stored member of a reader that is not a file is copied", e.File, m.Name)
					w.Storage, w.DataOffset = npz.InMemory, -1
				}
				require.Equal(t, w, m, "%s %s from %s", e.File, m.Name, src.name)
				require.NoError(t, a.Verify(m.Name))
				if !m.IsArray {
					continue
				}
				f, err := a.Open(m.Name)
				require.NoError(t, err, "%s %s from %s", e.File, m.Name, src.name)
				require.True(t, f.IsInMemory())
				require.Equal(t, m.Header.Shape, f.Shape())
				if e.Members[i].Values == "zeros" {
					checkZeros(t, f)
				} else {
					numeric, ok := byKind[kindOf(f.Descr())]
					require.True(t, ok, f.Descr())
					numeric.check(t, f)
				}
				require.NoError(t, f.Close())
				arrays++
			}
			require.NoError(t, a.Close())
			require.ErrorIs(t, a.Close(), memmap.ErrClosed)
			for _, m := range got {
				_, err = a.Open(m.Name)
				require.ErrorIs(t, err, memmap.ErrClosed)
			}
		}
	}
	require.Positive(t, arrays)
}

// A broken archive fails NewReader with the same sentinel as Open, and a
// stored member larger than the memory limit goes to a temporary file,
// which is gone once mapped.
func TestNewReaderRefusesAndSpills(t *testing.T) {
	t.Parallel()
	for _, e := range loadNPZManifest(t) {
		if e.Valid || e.Error != "format" {
			continue
		}
		raw, err := os.ReadFile(npzTestdata(e.File))
		require.NoError(t, err)
		a, err := npz.NewReader(bytes.NewReader(raw), int64(len(raw)))
		require.ErrorIs(t, err, npz.ErrFormat, e.File)
		require.Nil(t, a)
		requireOnePrefix(t, err, e.File)
	}
	raw, err := os.ReadFile(npzTestdata("savez_kw.npz"))
	require.NoError(t, err)
	dir := t.TempDir()
	a, err := npz.NewReader(bytes.NewReader(raw), int64(len(raw)), npz.WithMemoryLimit(1), npz.WithTempDir(dir))
	require.NoError(t, err)
	spilled := 0
	for _, m := range a.Members() {
		if !m.IsArray {
			continue
		}
		require.Equal(t, npz.TempFile, m.Storage, m.Name)
		f, err := a.Open(m.Name)
		require.NoError(t, err, m.Name)
		require.False(t, f.IsInMemory(), m.Name)
		if numeric, ok := byKind[kindOf(f.Descr())]; ok {
			numeric.check(t, f)
		}
		require.NoError(t, f.Close())
		spilled++
	}
	require.Positive(t, spilled)
	require.NoError(t, a.Close())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "temporary files are unlinked")

	_, err = npz.NewReader(bytes.NewReader(raw), -1)
	require.ErrorIs(t, err, npz.ErrFormat)
}

// NewReader over an *os.File maps stored members in place from it, like
// Open, and leaves the file to its caller: Close does not close it, and
// the member's File outlives both.
func TestNewReaderOverAFileMapsInPlace(t *testing.T) {
	t.Parallel()
	file, err := os.Open(npzTestdata("savez_kw.npz"))
	require.NoError(t, err)
	st, err := file.Stat()
	require.NoError(t, err)
	a, err := npz.NewReader(file, st.Size())
	require.NoError(t, err)
	require.Equal(t, file.Name(), a.Path())
	m, err := a.Member("a")
	require.NoError(t, err)
	require.Equal(t, npz.InPlace, m.Storage)
	f, err := a.Open("a")
	require.NoError(t, err)
	require.False(t, f.IsInMemory())
	require.Equal(t, m.DataOffset, f.DataOffset())
	require.NoError(t, a.Close())
	_, err = file.Stat()
	require.NoError(t, err, "Close leaves the caller's file open")
	require.NoError(t, file.Close())
	byKind[kindOf(f.Descr())].check(t, f)
	require.NoError(t, f.Close())
	_, err = a.Open("a")
	require.ErrorIs(t, err, memmap.ErrClosed)
}
