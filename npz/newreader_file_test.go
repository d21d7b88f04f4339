package npz_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/npz"
)

// NewReader over an *os.File whose archive is only part of the file (bytes
// before it, after it, or both; size counts from the file's start) maps
// stored members in place and reads NumPy's values: before, every member
// failed with a false ErrSizeMismatch ("resized") because the file's size
// was compared with the archive's. A size past the end of the file is
// refused, and a file that really is resized afterwards is still noticed.
func TestNewReaderOverPartOfAFile(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(npzTestdata("savez_kw.npz"))
	require.NoError(t, err)
	for _, c := range []struct {
		name          string
		before, after []byte
	}{
		{"bytes after", nil, []byte("8 bytes!")},
		{"bytes before and after", bytes.Repeat([]byte("stub"), 150), []byte("8 bytes!")},
	} {
		path := filepath.Join(t.TempDir(), "container")
		require.NoError(t, os.WriteFile(path, append(append(c.before, raw...), c.after...), 0o644))
		file, err := os.Open(path)
		require.NoError(t, err)
		size := int64(len(c.before) + len(raw))
		a, err := npz.NewReader(file, size)
		require.NoError(t, err, c.name)
		arrays := 0
		for _, m := range a.Members() {
			if !m.IsArray {
				continue
			}
			require.Equal(t, npz.InPlace, m.Storage, "%s: %s", c.name, m.Name)
			f, err := a.Open(m.Name)
			require.NoError(t, err, "%s: %s", c.name, m.Name)
			require.False(t, f.IsInMemory())
			if numeric, ok := byKind[kindOf(f.Descr())]; ok {
				numeric.check(t, f)
			}
			require.NoError(t, f.Close())
			arrays++
		}
		require.Positive(t, arrays)

		_, err = npz.NewReader(file, int64(len(c.before)+len(raw)+len(c.after)+1))
		require.ErrorIs(t, err, npz.ErrFormat, "%s: a size past the end of the file", c.name)

		grower, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		require.NoError(t, err)
		_, err = grower.Write([]byte("more"))
		require.NoError(t, err)
		require.NoError(t, grower.Close())
		_, err = a.Open("a")
		require.ErrorIs(t, err, npz.ErrSizeMismatch, "%s: the file grew after NewReader", c.name)
		require.NoError(t, a.Close())
		require.NoError(t, file.Close())
	}
}
