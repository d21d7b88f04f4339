//go:build unix

package npz_test

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npz"
)

// Open refuses a named pipe or a directory at once with
// memmap.ErrUnsupported, in every mode: opening a pipe used to wait forever
// for a writer. Each call runs under a deadline, so that a regression fails
// instead of hanging the suite.
func TestOpenRefusesWhatIsNotARegularFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.npz")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	for _, path := range []string{fifo, dir} {
		for _, mode := range []mmarray.Mode{mmarray.ReadOnly, mmarray.CopyOnWrite, mmarray.ReadWrite} {
			done := make(chan error, 1)
			go func() {
				a, err := npz.Open(path, mode)
				if err == nil {
					a.Close()
				}
				done <- err
			}()
			select {
			case err := <-done:
				require.ErrorIs(t, err, memmap.ErrUnsupported, "%s in mode %v", path, mode)
				require.ErrorContains(t, err, "open "+path+": ")
			case <-time.After(10 * time.Second):
				t.Fatalf("Open(%s, %v) blocked", path, mode)
			}
		}
	}
}
