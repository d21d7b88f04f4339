package npz_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npz"
)

// Verify, ReadBytes and Open racing Close either finish or fail with
// memmap.ErrClosed: never with the file's own "file already closed" (which
// Close used to cause by closing the file under a read). Run with -race.
func TestReadsRacingCloseFailWithErrClosed(t *testing.T) {
	t.Parallel()
	// Members of a few MiB, stored and deflated, so that reads are still
	// going on when Close comes.
	dir := t.TempDir()
	var paths []string
	for _, mode := range writerModes {
		path := filepath.Join(dir, mode.name+".npz")
		w, err := npz.Create(path, mode.opts...)
		require.NoError(t, err)
		const n = 1 << 19
		require.NoError(t, w.WriteFrom("big", writerHeader(t, "<f8", false, n), bytes.NewReader(formula.LittleEndian[float64](n))))
		require.NoError(t, w.WriteFrom("small", writerHeader(t, "<i4", false, 3), bytes.NewReader(formula.LittleEndian[int32](3))))
		require.NoError(t, w.Close())
		paths = append(paths, path)
	}
	for round := range 20 {
		name := paths[round%len(paths)]
		a, err := npz.Open(name, mmarray.ReadOnly)
		require.NoError(t, err)
		members := a.Members()
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 4*len(members)*4)
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for range 4 {
					for _, m := range members {
						switch g % 3 {
						case 0:
							errs <- a.Verify(m.Name)
						case 1:
							_, err := a.ReadBytes(m.Name)
							errs <- err
						default:
							f, err := a.Open(m.Name)
							if err == nil {
								err = f.Close()
							} else if errors.Is(err, npz.ErrNotArray) {
								err = nil
							}
							errs <- err
						}
					}
				}
			}()
		}
		close(start)
		first := <-errs // reads are under way: close under them
		closeErr := a.Close()
		wg.Wait()
		close(errs)
		require.NoError(t, closeErr)
		var wrong []error
		if first != nil && !errors.Is(first, memmap.ErrClosed) {
			wrong = append(wrong, first)
		}
		for err := range errs {
			if err != nil && !errors.Is(err, memmap.ErrClosed) {
				wrong = append(wrong, err)
			}
		}
		require.Empty(t, wrong, "round %d (%s): errors other than memmap.ErrClosed", round, name)
	}
}
