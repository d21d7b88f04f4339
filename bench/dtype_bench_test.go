package bench

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/mmarray"
)

// createTable makes a w+ raw file of n records of descr in a temporary
// folder; the data is zeros, which is all the benchmarks need.
func createTable(b *testing.B, descr string, n int) *mmarray.File {
	b.Helper()
	f, err := mmarray.OpenRaw(filepath.Join(b.TempDir(), "t.bin"), mmarray.Write, descr, []int{n}, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
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
		copyAll(b, viewOf[float64](b, createTable(b, ">f8", n)), 8)
	})
	b.Run("f2", func(b *testing.B) {
		copyAll(b, viewOf[mmarray.Float16](b, createTable(b, "<f2", n)), 2)
	})
	b.Run("M8-ns", func(b *testing.B) {
		copyAll(b, viewOf[mmarray.Datetime64](b, createTable(b, "<M8[ns]", n)), 8)
	})
	b.Run("S8", func(b *testing.B) {
		copyAll(b, viewOf[string](b, createTable(b, "|S8", n)), 8)
	})
	b.Run("U8", func(b *testing.B) {
		copyAll(b, viewOf[string](b, createTable(b, "<U8", n)), 32)
	})
	for _, table := range []struct{ name, descr string }{
		{"aligned", "[('x', '<f8'), ('id', '<i4'), ('', '|V4')]"},
		{"packed", "[('flag', '|u1'), ('x', '<f8'), ('id', '<i4')]"},
	} {
		rows := viewOf[[]byte](b, createTable(b, table.descr, n))
		b.Run(fmt.Sprintf("field-x/%s", table.name), func(b *testing.B) {
			copyAll(b, fieldOf[float64](b, rows, "x"), 8)
		})
		b.Run(fmt.Sprintf("field-id/%s", table.name), func(b *testing.B) {
			copyAll(b, fieldOf[int32](b, rows, "id"), 4)
		})
	}
}
