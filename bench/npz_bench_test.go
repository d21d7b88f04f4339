package bench

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npz"
)

// writeArchive writes an .npz holding the float64 array of src as member
// "x", stored or deflated.
func writeArchive(b *testing.B, src *mmarray.File, opts ...npz.WriterOption) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "a.npz")
	w, err := npz.Create(path, opts...)
	if err != nil {
		b.Fatal(err)
	}
	if err := w.WriteArray("x", src); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkNPZ opens an archive and its member "x" and sums the array:
// stored members are mapped in place, so the cost is the open plus a warm
// scan; deflated members are decompressed first, into memory or into a
// temporary file that is then mapped. SetBytes counts the array's bytes.
func BenchmarkNPZ(b *testing.B) {
	const size = 64 << 20
	src := makeFile(b, size/8)
	for _, c := range []struct {
		name    string
		write   []npz.WriterOption
		read    []npz.ReaderOption
		storage npz.Storage
	}{
		{"stored", nil, nil, npz.InPlace},
		{"deflated-memory", []npz.WriterOption{npz.Compressed()}, []npz.ReaderOption{npz.WithMemoryLimit(2 * size)}, npz.InMemory},
		{"deflated-tempfile", []npz.WriterOption{npz.Compressed()}, []npz.ReaderOption{npz.WithMemoryLimit(size / 2)}, npz.TempFile},
	} {
		path := writeArchive(b, src, c.write...)
		z, err := npz.Open(path, mmarray.ReadOnly, c.read...)
		if err != nil {
			b.Fatal(err)
		}
		member, err := z.Member("x")
		z.Close()
		if err != nil || member.Storage != c.storage {
			b.Fatalf("member x: %v, storage %v, want %v", err, member.Storage, c.storage)
		}
		b.Run(fmt.Sprintf("member=%s/size=%s", c.name, human(size)), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				z, err := npz.Open(path, mmarray.ReadOnly, c.read...)
				if err != nil {
					b.Fatal(err)
				}
				f, err := z.Open("x")
				if err != nil {
					b.Fatal(err)
				}
				a := view(b, f)
				if _, ok := a.Contiguous(); !ok {
					b.Fatal("the member's data is not contiguous and aligned")
				}
				sink = sum(b, a, 1)
				f.Close()
				z.Close()
			}
		})
	}
}
