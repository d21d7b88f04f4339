//go:build unix

package mmarray_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
)

// A named pipe is refused at once with memmap.ErrUnsupported by every
// constructor: opening one used to wait forever for a writer. Each call runs
// under a deadline, so a regression fails instead of hanging; Create must
// leave the pipe where it is.
func TestNamedPipesAreRefused(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "pipe.npy")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	for name, open := range map[string]func() error{
		"Open r":  func() error { _, err := mmarray.Open(fifo, mmarray.ReadOnly); return err },
		"Open c":  func() error { _, err := mmarray.Open(fifo, mmarray.CopyOnWrite); return err },
		"Open r+": func() error { _, err := mmarray.Open(fifo, mmarray.ReadWrite); return err },
		"OpenRaw r": func() error {
			_, err := mmarray.OpenRaw(fifo, mmarray.ReadOnly, "|u1", nil, 0)
			return err
		},
		"OpenRaw w+": func() error {
			_, err := mmarray.OpenRaw(fifo, mmarray.Write, "|u1", []int{4}, 0)
			return err
		},
		"Create": func() error { _, err := mmarray.Create(fifo, "<f8", []int{4}); return err },
		"OpenFile": func() error {
			// O_RDWR opens a pipe on Linux without waiting; elsewhere the
			// open itself may fail, which is not what is tested here.
			f, err := os.OpenFile(fifo, os.O_RDWR|syscall.O_NONBLOCK, 0)
			if err != nil {
				return memmap.ErrUnsupported
			}
			defer f.Close()
			_, err = mmarray.OpenFile(f, mmarray.ReadOnly)
			return err
		},
	} {
		done := make(chan error, 1)
		go func() { done <- open() }()
		select {
		case err := <-done:
			require.ErrorIs(t, err, memmap.ErrUnsupported, name)
		case <-time.After(10 * time.Second):
			t.Fatalf("%s blocked on a named pipe", name)
		}
	}
	st, err := os.Lstat(fifo)
	require.NoError(t, err)
	require.Equal(t, os.ModeNamedPipe, st.Mode().Type(), "the pipe is left as it was")
}
