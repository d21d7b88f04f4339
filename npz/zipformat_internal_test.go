package npz

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// failingReaderAt serves raw but fails every read that covers byte failAt
// with EIO, as a bad disk block would.
type failingReaderAt struct {
	raw    []byte
	failAt int64
}

func (r failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off <= r.failAt && r.failAt < off+int64(len(p)) {
		return 0, syscall.EIO
	}
	return bytes.NewReader(r.raw).ReadAt(p, off)
}

// An I/O error while reading the zip records keeps its identity: the error
// is both ErrFormat and the underlying EIO, wherever it happens.
func TestLayoutKeepsIOErrors(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "npz", "savez_kw.npz"))
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err)
	dir, err := findDirectory(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err)
	for _, failAt := range []int64{
		10,                   // the first local header
		dir.start + 10,       // the first central directory record
		int64(len(raw)) - 10, // the end of central directory record
	} {
		_, err := layout(failingReaderAt{raw, failAt}, int64(len(raw)), zr, make([]Member, len(zr.File)))
		require.ErrorIs(t, err, ErrFormat, "failing at %d", failAt)
		require.ErrorIs(t, err, syscall.EIO, "failing at %d: %v", failAt, err)
		require.False(t, errors.Is(err, ErrChecksum))
	}
}
