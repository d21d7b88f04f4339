package mmarray_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/go-memmap/memmap/internal/loopfs"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/stretchr/testify/require"
)

// writeSparseNPY writes the header of a 1-D float64 .npy of n items at path
// and extends the file over its data without writing it: the data is one
// hole.
func writeSparseNPY(t *testing.T, path string, n int) {
	t.Helper()
	dt, err := npyheader.ParseDescr("<f8")
	require.NoError(t, err)
	prefix, err := npyheader.Header{DType: dt, Shape: []int{n}}.Encode()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, prefix, 0o644))
	require.NoError(t, os.Truncate(path, int64(len(prefix))+8*int64(n)))
}

// fillDisk writes a file in dir until the file system is full.
func fillDisk(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	require.NoError(t, err)
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			require.ErrorIs(t, err, syscall.ENOSPC)
			return
		}
	}
}

// sparseWriterEnv, when set, makes TestReadWriteSparseFileWithoutFallocate
// the writer it runs in a child process: the .npy to write.
const sparseWriterEnv = "MMARRAY_TEST_SPARSE_WRITER"

// TestReadWriteSparseFileWithoutFallocate opens a sparse .npy r+ on ext2,
// which has no fallocate, fills the disk, then writes every element: Open
// must have allocated the holes, or the writes fault with SIGBUS. The
// writing runs in a child process, so a fault fails the test instead of
// killing it.
func TestReadWriteSparseFileWithoutFallocate(t *testing.T) {
	// Not parallel: it mounts a file system (a loop device) and runs a child
	// process that fills it.
	if path := os.Getenv(sparseWriterEnv); path != "" {
		f, err := mmarray.Open(path, mmarray.ReadWrite)
		require.NoError(t, err)
		defer func() { require.NoError(t, f.Close()) }()
		fillDisk(t, filepath.Dir(path))
		a, err := mmarray.View[float64](f)
		require.NoError(t, err)
		for i := range a.Len() {
			a.Set(float64(i), i)
		}
		require.NoError(t, f.Flush())
		return
	}

	dir := loopfs.Mount(t, "ext2", 16<<20)
	const n = 512 << 10 // 4 MiB of data
	path := filepath.Join(dir, "sparse.npy")
	writeSparseNPY(t, path, n)
	cmd := exec.Command(os.Args[0], "-test.run=^TestReadWriteSparseFileWithoutFallocate$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), sparseWriterEnv+"="+path)
	out, err := cmd.CombinedOutput()
	// The Go runtime turns the SIGBUS of a faulting write into a fatal
	// error; a signal could kill the writer too.
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("the writer was killed by %v\n%s", ws.Signal(), out)
		}
	}
	if bytes.Contains(out, []byte("SIGBUS")) {
		t.Fatalf("a write into a former hole of a file opened r+ faulted:\n%.1500s", out)
	}
	require.NoError(t, err, "the writer failed:\n%s", out)

	f, err := mmarray.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	defer f.Close()
	a, err := mmarray.View[float64](f)
	require.NoError(t, err)
	var bad []string
	for i := range a.Len() {
		if got := a.At(i); got != float64(i) && len(bad) < 10 {
			bad = append(bad, fmt.Sprintf("[%d] = %v", i, got))
		}
	}
	require.Empty(t, bad, "elements the writer wrote")

	// Holes larger than the free space: Open refuses with ENOSPC, before
	// anything is mapped.
	require.NoError(t, os.Remove(filepath.Join(dir, "filler")))
	big := filepath.Join(dir, "big.npy")
	writeSparseNPY(t, big, int(2*loopfs.Free(t, dir)/8))
	_, err = mmarray.Open(big, mmarray.ReadWrite)
	require.ErrorIs(t, err, syscall.ENOSPC)
}

// TestGrowOnFullDiskRestoresTheFile makes each growing constructor run out
// of space, with fallocate (tmpfs, which undoes a failed one itself, and
// ext4, which keeps what it allocated) and without (ext2), and checks that
// the file is put back and the disk space returned.
func TestGrowOnFullDiskRestoresTheFile(t *testing.T) {
	// Not parallel: it mounts file systems and fills them.
	for _, fstype := range []string{"tmpfs", "ext4", "ext2"} {
		t.Run(fstype, func(t *testing.T) {
			dir := loopfs.Mount(t, fstype, 16<<20)
			original := []byte("sixteen raw byte")
			existing := filepath.Join(dir, "existing.bin")
			require.NoError(t, os.WriteFile(existing, original, 0o644))
			tooMany := func() int { return int(2 * loopfs.Free(t, dir) / 8) }

			tests := []struct {
				name string
				path string
				grow func(path string, n int) (*mmarray.File, error)
				// want checks the file at path after the failure.
				want func(t *testing.T, path string)
			}{
				{"OpenRaw r+", existing,
					func(path string, n int) (*mmarray.File, error) {
						return mmarray.OpenRaw(path, mmarray.ReadWrite, "<f8", []int{n}, 0)
					},
					func(t *testing.T, path string) {
						fi, err := os.Stat(path)
						require.NoError(t, err)
						require.Equal(t, int64(len(original)), fi.Size())
						got, err := os.ReadFile(path)
						require.NoError(t, err)
						require.Equal(t, original, got)
					}},
				{"OpenRaw w+", filepath.Join(dir, "new.bin"),
					func(path string, n int) (*mmarray.File, error) {
						return mmarray.OpenRaw(path, mmarray.Write, "<f8", []int{n}, 0)
					},
					func(t *testing.T, path string) {
						fi, err := os.Stat(path)
						require.NoError(t, err)
						require.Zero(t, fi.Size())
					}},
				{"Create", filepath.Join(dir, "new.npy"),
					func(path string, n int) (*mmarray.File, error) {
						return mmarray.Create(path, "<f8", []int{n})
					},
					func(t *testing.T, path string) {
						_, err := os.Stat(path)
						require.ErrorIs(t, err, os.ErrNotExist)
					}},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					free := loopfs.Free(t, dir)
					require.Greater(t, free, int64(1<<20), "free bytes left by the cases before")
					f, err := tc.grow(tc.path, tooMany())
					if err == nil {
						f.Close()
					}
					require.ErrorIs(t, err, syscall.ENOSPC)
					tc.want(t, tc.path)
					require.Equal(t, free, loopfs.Free(t, dir), "free bytes before and after")
				})
			}
		})
	}
}

// TestAppendOnFullDisk appends with a Sync per batch until the disk is
// full, on tmpfs (which has fallocate: the reservation fails) and ext2
// (which has none: the write fails). The error wraps ENOSPC and breaks the
// Writer, and the file holds exactly the synced rows, as NumPy loads them.
// A NewWriter that fills the disk leaves nothing behind at Close.
func TestAppendOnFullDisk(t *testing.T) {
	// Not parallel: it mounts file systems (a loop device for ext2).
	for _, fstype := range []string{"tmpfs", "ext2"} {
		t.Run(fstype, func(t *testing.T) {
			dir := loopfs.Mount(t, fstype, 2<<20)
			path := filepath.Join(dir, "grow.npy")
			w, err := mmarray.NewWriter(path, "<f8", []int{4})
			require.NoError(t, err)
			require.NoError(t, w.Close())

			w, err = mmarray.OpenAppend(path, mmarray.WithBufferSize(40<<10))
			require.NoError(t, err)
			batches := 0
			for ; ; batches++ {
				require.Less(t, batches, 1000, "a 2 MiB disk never filled up")
				err = mmarray.Append(w, memoryValues[float64](w.Rows()*4, 4*1000))
				if err == nil {
					err = w.Sync()
				}
				if err != nil {
					break
				}
			}
			require.ErrorIs(t, err, syscall.ENOSPC)
			full := err
			synced := w.SyncedRows()
			require.Greater(t, synced, 0)
			require.ErrorIs(t, mmarray.Append(w, []float64{1, 2, 3, 4}), syscall.ENOSPC, "the Writer stays broken")
			require.ErrorIs(t, w.Close(), syscall.ENOSPC)

			// A new file on the full disk: nothing appears, no temporary
			// file is left.
			nw, err := mmarray.NewWriter(filepath.Join(dir, "new.npy"), "<f8", nil)
			if err == nil {
				err = mmarray.Append(nw, make([]float64, 1<<16))
				err = errors.Join(err, nw.Close())
			}
			require.ErrorIs(t, err, syscall.ENOSPC)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			want := []string{"grow.npy"}
			if fstype == "ext2" {
				want = append(want, "lost+found")
			}
			require.ElementsMatch(t, want, names)

			var rows int
			numpytest.RunJSON(t, `
p = json.load(sys.stdin)
for mode in (None, "r"):
    a = np.load(p, mmap_mode=mode)
    assert a.shape[1:] == (4,) and (np.asarray(a).ravel() == formula_array("<f8", (a.size,))).all()
print(a.shape[0])
`, path, &rows)
			require.Equal(t, synced, rows)
			t.Logf("%s: ENOSPC after %d batches, %d rows synced: %v", fstype, batches, synced, full)
		})
	}
}
