package bench

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/go-memmap/memmap/internal/parallel"
	"github.com/go-memmap/memmap/mmarray"
)

// BenchmarkBlocks sums a 4 MiB float64 array through Blocks with a 4096
// element buffer: contiguous (zero-copy blocks), every 8th element
// (staged) and byte-swapped (staged and swapped). SetBytes counts the
// elements read.
func BenchmarkBlocks(b *testing.B) {
	const n = 4 << 20 / 8
	native := view(b, makeFile(b, n))
	swapped := viewOf[float64](b, createTable(b, ">f8", n, letters))
	for _, c := range []struct {
		name string
		v    *mmarray.Array[float64]
	}{
		{"contiguous", native},
		{"step=8", native.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, 8))},
		{"swapped", swapped},
	} {
		b.Run("layout="+c.name, func(b *testing.B) {
			b.SetBytes(int64(c.v.Len()) * 8)
			buf := make([]float64, 4096)
			for b.Loop() {
				var s float64
				for _, block := range c.v.Blocks(buf) {
					s += parallel.Sum(block)
				}
				sink = s
			}
		})
	}
}

// BenchmarkScanStrings scans a 10-million-row S2 column, counting the
// rows equal to one code: through ItemBytes1 without allocating (NumPy's
// value is the item without trailing NULs, which the comparison ignores
// here because the key fills the item), and through the allocating At1 for
// comparison. SetBytes counts the column's bytes.
func BenchmarkScanStrings(b *testing.B) {
	const rows = 10_000_000
	col := viewOf[string](b, createTable(b, "|S2", rows, letters))
	key := []byte("ab")
	b.Run("how=ItemBytes1", func(b *testing.B) {
		b.SetBytes(rows * 2)
		for b.Loop() {
			if countEqual(col, key) == 0 {
				b.Fatal("no row matched")
			}
		}
	})
	b.Run("how=ItemBytes1-key", func(b *testing.B) {
		b.SetBytes(rows * 2)
		for b.Loop() {
			if countKey(col, [2]byte(key)) == 0 {
				b.Fatal("no row matched")
			}
		}
	})
	b.Run("how=At1", func(b *testing.B) {
		b.SetBytes(rows * 2)
		for b.Loop() {
			count := 0
			for i := range rows {
				if col.At1(i) == "ab" {
					count++
				}
			}
			if count == 0 {
				b.Fatal("no row matched")
			}
		}
	})
}

// BenchmarkValues sums a 4 MiB float64 array through Values: contiguous
// and every 8th element (strided). SetBytes counts the elements read.
func BenchmarkValues(b *testing.B) {
	const n = 4 << 20 / 8
	a := view(b, makeFile(b, n))
	for _, step := range []int{1, 8} {
		v := a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, step))
		b.Run(fmt.Sprintf("step=%d", step), func(b *testing.B) {
			b.SetBytes(int64(v.Len()) * 8)
			for b.Loop() {
				sink = sumValues(v)
			}
		})
	}
}

// countEqual counts the items of a 1-D string view equal to key, reading
// them in place; like the other element loops, in a function of its own
// (see sumAt1).
//
//go:noinline
func countEqual(col *mmarray.Array[string], key []byte) (count int) {
	for i := range col.Len() {
		if bytes.Equal(col.ItemBytes1(i), key) {
			count++
		}
	}
	return count
}

// countKey is countEqual with the item converted to a fixed-width,
// comparable key ([2]byte for S2): one two-byte load and compare per row,
// where bytes.Equal calls the runtime's memequal.
//
//go:noinline
func countKey(col *mmarray.Array[string], key [2]byte) (count int) {
	for i := range col.Len() {
		if [2]byte(col.ItemBytes1(i)) == key {
			count++
		}
	}
	return count
}
