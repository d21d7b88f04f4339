//go:build unix

package zarr_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/zarr"
	"github.com/go-memmap/memmap/zarr/codec"
)

// A named pipe where a store has a metadata or chunk file is refused at
// once with memmap.ErrUnsupported: opening one used to wait forever for a
// writer. Each call runs under a deadline, so a regression fails instead of
// hanging (a call left waiting is released by opening its pipe for writing).
func TestNamedPipesInAStoreAreRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	compressed, err := zarr.Create(filepath.Join(dir, "z.zarr"), "<i4", []int{4}, []int{2}, zarr.WithCodec(codec.NewZlib(1)))
	require.NoError(t, err)
	raw, err := zarr.Create(filepath.Join(dir, "r.zarr"), "<i4", []int{4}, []int{2})
	require.NoError(t, err)
	for _, a := range []*zarr.Array{compressed, raw} {
		require.NoError(t, syscall.Mkfifo(filepath.Join(a.Path(), "0"), 0o644))
	}
	for _, name := range []string{".zarray", ".zattrs"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, name+".zarr"), 0o777))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".zattrs.zarr", ".zarray"), []byte(`{"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "<i4", "compressor": null, "fill_value": 0, "order": "C", "filters": null}`), 0o644))
	var pipes []string
	mkfifo := func(path string) string {
		require.NoError(t, syscall.Mkfifo(path, 0o644))
		pipes = append(pipes, path)
		return path
	}
	v2Meta := mkfifo(filepath.Join(dir, ".zarray.zarr", ".zarray"))
	attrs := mkfifo(filepath.Join(dir, ".zattrs.zarr", ".zattrs"))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "v3.zarr"), 0o777))
	v3Meta := mkfifo(filepath.Join(dir, "v3.zarr", "zarr.json"))
	pipes = append(pipes, filepath.Join(compressed.Path(), "0"), filepath.Join(raw.Path(), "0"))
	t.Cleanup(func() {
		for _, p := range pipes {
			if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
		}
	})
	outPipe := mkfifo(filepath.Join(dir, "out.raw"))
	for name, call := range map[string]func() error{
		"ToRaw":           func() error { return zarr.ToRaw(raw, outPipe) },
		"ToNPY":           func() error { return zarr.ToNPY(raw, outPipe) },
		"Open .zarray":    func() error { _, err := zarr.Open(filepath.Dir(v2Meta)); return err },
		"Open .zattrs":    func() error { _, err := zarr.Open(filepath.Dir(attrs)); return err },
		"Open zarr.json":  func() error { _, err := zarr.Open(filepath.Dir(v3Meta)); return err },
		"OpenGroup":       func() error { _, err := zarr.OpenGroup(filepath.Dir(v3Meta)); return err },
		"ReadChunk zlib":  func() error { _, err := compressed.ReadChunk([]int{0}, nil); return err },
		"ReadChunk raw":   func() error { _, err := raw.ReadChunk([]int{0}, nil); return err },
		"ReadRegion zlib": func() error { _, err := compressed.ReadRegion([]int{0}, []int{4}, nil); return err },
	} {
		done := make(chan error, 1)
		go func() { done <- call() }()
		select {
		case err := <-done:
			require.ErrorIs(t, err, memmap.ErrUnsupported, name)
			if strings.HasPrefix(name, "Read") {
				require.ErrorIs(t, err, zarr.ErrFormat, name)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s blocked on a named pipe", name)
		}
	}
	st, err := os.Lstat(outPipe)
	require.NoError(t, err, "ToNPY and ToRaw leave a pipe they refuse where it is")
	require.Equal(t, os.ModeNamedPipe, st.Mode().Type())
}
