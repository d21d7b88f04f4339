package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/stretchr/testify/require"
)

// TestRecover runs recover on a file with rows and a partial row past its
// shape, then again, and checks the lines it prints and that NumPy loads
// the adopted rows; a bad file or bad arguments exit 2 with one line.
func TestRecover(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "grow.npy")
	w, err := mmarray.NewWriter(path, "<i2", []int{2})
	require.NoError(t, err)
	require.NoError(t, mmarray.Append(w, []int16{0, 1, 2, 3}))
	require.NoError(t, w.Close())
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write([]byte{4, 0, 5, 0, 6, 0, 7, 0, 8}) // two rows and a byte
	require.NoError(t, err)
	require.NoError(t, f.Close())

	code, out, errOut := runCLI("recover", path)
	require.Equal(t, exitOK, code, errOut)
	require.Equal(t, path+": adopted 2 unsynced trailing rows (2 -> 4); dropped a partial row of 1 byte\n", out)
	code, out, _ = runCLI("recover", path)
	require.Equal(t, exitOK, code)
	require.Equal(t, path+": nothing to recover: 4 rows, no bytes after them\n", out)
	got := numpytest.Run(t, `print(np.load(sys.argv[1]).tolist())`, path)
	require.Equal(t, "[[0, 1], [2, 3], [4, 5], [6, 7]]\n", got)

	for _, args := range [][]string{
		{"recover", filepath.Join(dir, "missing.npy")},
		{"recover"},
		{"recover", path, path},
		{"recover", dir},
	} {
		code, out, errOut := runCLI(args...)
		require.Equal(t, exitUsage, code, args)
		require.Empty(t, out, args)
		require.True(t, strings.HasPrefix(errOut, "memmap: "), errOut)
		require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	}
}
