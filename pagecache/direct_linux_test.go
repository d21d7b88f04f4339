package pagecache_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/ciskip"
	"github.com/go-memmap/memmap/pagecache"
)

// TestDirectWriter writes aligned blocks of a file past the page cache and
// reads them back; unaligned writes panic with a *memmap.Misuse, and a
// directory is refused as unsupported.
func TestDirectWriter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(path, bytes.Repeat([]byte{7}, 3<<16), 0o600))
	w, err := pagecache.OpenDirect(path)
	if err != nil {
		ciskip.Skipf(t, "no direct writes in %s: %v", dir, err)
	}
	defer w.Close()
	a := w.Align()
	require.True(t, a > 0 && a&(a-1) == 0, "alignment %d is not a power of two", a)

	buf := w.Buffer(a + 1) // rounded up to two blocks
	require.Len(t, buf, 2*a)
	for i := range buf {
		buf[i] = byte(i % 251)
	}
	n, err := w.WriteAt(buf, int64(3*a))
	require.NoError(t, err)
	require.Equal(t, len(buf), n)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	want := bytes.Repeat([]byte{7}, 3<<16)
	copy(want[3*a:], buf)
	require.Equal(t, want, got)

	for name, write := range map[string]func(){
		"offset": func() { w.WriteAt(buf, 1) },
		"length": func() { w.WriteAt(buf[:a-1], 0) },
		"memory": func() { w.WriteAt(buf[1:a+1], 0) },
	} {
		func() {
			defer func() {
				_, ok := recover().(*memmap.Misuse)
				require.True(t, ok, "an unaligned %s did not panic with a *memmap.Misuse", name)
			}()
			write()
		}()
	}

	_, err = pagecache.OpenDirect(dir)
	require.ErrorIs(t, err, memmap.ErrUnsupported)
}

// TestOpenDirectFile writes through a DirectWriter of an open file that
// was renamed and replaced under its old name: the bytes reach the open
// file, not the one now under the name.
func TestOpenDirectFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path, moved := filepath.Join(dir, "f"), filepath.Join(dir, "moved")
	require.NoError(t, os.WriteFile(path, make([]byte, 1<<16), 0o600))
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, os.Rename(path, moved))
	require.NoError(t, os.WriteFile(path, make([]byte, 1<<16), 0o600))
	w, err := pagecache.OpenDirectFile(f)
	if err != nil {
		ciskip.Skipf(t, "no direct writes in %s: %v", dir, err)
	}
	defer w.Close()
	buf := w.Buffer(w.Align())
	for i := range buf {
		buf[i] = 9
	}
	_, err = w.WriteAt(buf, int64(w.Align()))
	require.NoError(t, err)
	for _, c := range []struct {
		path string
		want byte
	}{{moved, 9}, {path, 0}} {
		b, err := os.ReadFile(c.path)
		require.NoError(t, err)
		var got byte // a file too short to hold it holds no written byte
		if len(b) > w.Align() {
			got = b[w.Align()]
		}
		require.Equal(t, c.want, got, "byte %d of %s", w.Align(), c.path)
	}
}
