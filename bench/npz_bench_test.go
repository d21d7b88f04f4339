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
// scan; deflated members are decompressed into memory first. SetBytes
// counts the array's bytes.
func BenchmarkNPZ(b *testing.B) {
	const size = 64 << 20
	src := makeFile(b, size/8)
	for _, c := range []struct {
		name string
		opts []npz.WriterOption
	}{{"stored", nil}, {"deflated", []npz.WriterOption{npz.Compressed()}}} {
		path := writeArchive(b, src, c.opts...)
		b.Run(fmt.Sprintf("member=%s/size=%s", c.name, human(size)), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				z, err := npz.Open(path, mmarray.ReadOnly)
				if err != nil {
					b.Fatal(err)
				}
				f, err := z.Array("x")
				if err != nil {
					b.Fatal(err)
				}
				a := view(b, f)
				s, ok := a.Contiguous()
				if !ok {
					b.Fatal("the member's data is not contiguous and aligned")
				}
				sink = Sum(s)
				f.Close()
				z.Close()
			}
		})
	}
}
