package zarr

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/zarr/codec"
)

// FuzzReadStore reads a whole store made of fuzzed metadata (a .zarray,
// or a zarr.json when the first byte is odd) and a fuzzed chunk stored as
// the first and the last chunk of the grid: ReadRegion, ReadChunk and
// OpenChunk return errors for what does not decode, never panic, and what
// they return has the size the metadata says.
func FuzzReadStore(f *testing.F) {
	zlib, err := codec.NewZlib(1).Encode(nil, make([]byte, 64), 1)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seedZarrays {
		f.Add(byte(0), []byte(s), zlib)
		f.Add(byte(0), []byte(s), make([]byte, 48))
	}
	for _, s := range seedZarrJSONs {
		f.Add(byte(1), []byte(s), zlib)
		f.Add(byte(1), []byte(s), make([]byte, 48))
	}
	root := f.TempDir()
	f.Fuzz(func(t *testing.T, kind byte, meta, chunk []byte) {
		var l layout
		var err error
		if kind%2 == 0 {
			l, err = parseArrayMeta(meta)
		} else {
			var nodeType string
			nodeType, l, _, err = parseV3Node(meta)
			if nodeType != "array" {
				return
			}
		}
		if err != nil || l.chunkBytes > 1<<16 {
			return
		}
		total := l.dtype.ItemSize
		for _, n := range l.shape {
			if n > 1<<16 || total*n > 1<<18 {
				return
			}
			total *= n
		}
		dir, err := os.MkdirTemp(root, "store")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		a := &Array{path: dir, l: l}
		first := make([]int, len(l.grid))
		last := make([]int, len(l.grid))
		for axis, n := range l.grid {
			if n == 0 {
				return
			}
			last[axis] = n - 1
		}
		for _, idx := range [][]int{first, last} {
			path := a.chunkPath(idx)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, chunk, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := a.ReadRegion(make([]int, len(l.shape)), l.shape, nil)
		if err == nil && len(got) != total {
			t.Fatalf("ReadRegion returned %d bytes for a region of %d", len(got), total)
		}
		for _, idx := range [][]int{first, last} {
			b, err := a.ReadChunk(idx, nil)
			if err == nil && len(b) != l.chunkBytes {
				t.Fatalf("ReadChunk returned %d bytes for a chunk of %d", len(b), l.chunkBytes)
			}
			var s compute.ChunkScratch
			f, err := a.OpenChunk(idx, &s)
			if err == nil {
				if f.NBytes() != int64(l.chunkBytes) {
					t.Fatalf("OpenChunk gave %d bytes for a chunk of %d", f.NBytes(), l.chunkBytes)
				}
				f.Close()
			}
		}
	})
}
