package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// createTable writes a raw file of n items of descr in a temporary folder,
// every byte set by fill from its position, and maps it read-write. The
// data must not be zeros: an all-NUL string decodes to "" without
// allocating, which would time nothing.
func createTable(b *testing.B, descr string, n int, fill func(i int) byte) *mmarray.File {
	b.Helper()
	dt, err := npyheader.ParseDescr(descr)
	if err != nil {
		b.Fatal(err)
	}
	raw := make([]byte, n*dt.ItemSize)
	for i := range raw {
		raw[i] = fill(i)
	}
	path := filepath.Join(b.TempDir(), "t.bin")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		b.Fatal(err)
	}
	f, err := mmarray.OpenRaw(path, mmarray.ReadWrite, descr, []int{n}, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
}

// letters fills every byte with a lowercase letter: full-width S<n> items
// and, read as numbers, ordinary nonzero values.
func letters(i int) byte { return 'a' + byte(i%26) }

// ucs4Letters fills UCS-4 units with lowercase letters: full-width U<n>
// items.
func ucs4Letters(i int) byte {
	if i%4 != 0 {
		return 0
	}
	return 'a' + byte(i/4%26)
}

func viewOf[T mmarray.Element](b *testing.B, f *mmarray.File) *mmarray.Array[T] {
	b.Helper()
	a, err := mmarray.View[T](f)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

func fieldOf[T mmarray.Element](b *testing.B, rows *mmarray.Array[[]byte], path string) *mmarray.Array[T] {
	b.Helper()
	a, err := mmarray.Field[T](rows, path)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// copyAll times CopyTo of the whole view into a reused buffer; SetBytes
// counts the bytes of the elements read.
func copyAll[T mmarray.Element](b *testing.B, a *mmarray.Array[T], itemSize int) {
	buf := make([]T, a.Len())
	if a.CopyTo(buf) != len(buf) {
		b.Fatal("CopyTo did not copy the whole view")
	}
	b.SetBytes(int64(a.Len() * itemSize))
	for b.Loop() {
		a.CopyTo(buf)
	}
}

// BenchmarkDTypes reads 1 Mi elements through the views that are not the
// native float64 fast path: byte-swapped numbers, float16, datetimes,
// strings (decoded per element), and fields of a record table, aligned and
// packed.
func BenchmarkDTypes(b *testing.B) {
	const n = 1 << 20
	b.Run("f8-big-endian", func(b *testing.B) {
		copyAll(b, viewOf[float64](b, createTable(b, ">f8", n, letters)), 8)
	})
	b.Run("f2", func(b *testing.B) {
		copyAll(b, viewOf[mmarray.Float16](b, createTable(b, "<f2", n, letters)), 2)
	})
	b.Run("M8-ns", func(b *testing.B) {
		copyAll(b, viewOf[mmarray.Datetime64](b, createTable(b, "<M8[ns]", n, letters)), 8)
	})
	b.Run("S8", func(b *testing.B) {
		copyAll(b, viewOf[string](b, createTable(b, "|S8", n, letters)), 8)
	})
	b.Run("U8", func(b *testing.B) {
		copyAll(b, viewOf[string](b, createTable(b, "<U8", n, ucs4Letters)), 32)
	})
	for _, table := range []struct{ name, descr string }{
		{"aligned", "[('x', '<f8'), ('id', '<i4'), ('', '|V4')]"},
		{"packed", "[('flag', '|u1'), ('x', '<f8'), ('id', '<i4')]"},
	} {
		rows := viewOf[[]byte](b, createTable(b, table.descr, n, letters))
		b.Run(fmt.Sprintf("field-x/%s", table.name), func(b *testing.B) {
			copyAll(b, fieldOf[float64](b, rows, "x"), 8)
		})
		b.Run(fmt.Sprintf("field-id/%s", table.name), func(b *testing.B) {
			copyAll(b, fieldOf[int32](b, rows, "id"), 4)
		})
	}
}
