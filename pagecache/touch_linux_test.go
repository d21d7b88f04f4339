//go:build !race

// (Under the race detector an atomic operation runs in its C runtime, where
// a fault cannot be turned into a panic, so touchPages's failure cannot be
// tested there.)

package pagecache

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/go-memmap/memmap/internal/loopfs"
)

// touchPages, the fallback of kernels without MADV_POPULATE_WRITE,
// allocates a hole's pages on ext2 without changing a byte, and reports a
// hole larger than the free space instead of dying of SIGBUS.
func TestTouchPagesAllocatesOrReportsAFullDisk(t *testing.T) {
	dir := loopfs.Mount(t, "ext2", 16<<20)
	const size = 1 << 20
	f, want := sparseFile(t, dir, size, map[int64]string{4096 + 8: "data in the middle of a page"})
	b, err := mmapBytes(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	require.NoError(t, err)
	require.True(t, touchPages(b, 0))
	require.NoError(t, unmapBytes(b))
	require.Empty(t, holesBelow(t, f, size))
	got, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	require.Equal(t, want, got)

	big, err := os.OpenFile(filepath.Join(dir, "big"), os.O_RDWR|os.O_CREATE, 0o644)
	require.NoError(t, err)
	defer big.Close()
	n := 2 * loopfs.Free(t, dir)
	require.NoError(t, big.Truncate(n))
	b, err = mmapBytes(int(big.Fd()), 0, int(n), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	require.NoError(t, err)
	require.False(t, touchPages(b, 0))
	require.NoError(t, unmapBytes(b))
}
