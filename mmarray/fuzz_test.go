package mmarray_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/mmarray"
)

// FuzzOpen writes arbitrary bytes to a file and opens it. Whatever the bytes,
// Open must return an error or a File whose every element can be read: no
// panic, no crash, no read past the end of the mapping. Seeded with every
// golden and malformed file in testdata.
func FuzzOpen(f *testing.F) {
	for _, pattern := range []string{"npy/*.npy", "malformed/*.npy"} {
		names, _ := filepath.Glob(testdataPath(pattern))
		for _, name := range names {
			raw, err := os.ReadFile(name)
			if err == nil && len(raw) <= 64<<10 {
				f.Add(raw)
			}
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, raw []byte) {
		path := filepath.Join(dir, "fuzz.npy")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		file, err := mmarray.Open(path, mmarray.CopyOnWrite)
		if err != nil {
			return
		}
		defer file.Close()
		if file.DataOffset()+int64(file.Len()*file.DType().ItemSize) > int64(len(raw)) {
			t.Fatalf("opened an array of %d elements at offset %d in a %d-byte file", file.Len(), file.DataOffset(), len(raw))
		}
		if file.DType().Structured() {
			return
		}
		if typed, ok := byKind[kindOf(file.Descr())]; ok {
			typed.touch(t, file)
		}
	})
}
