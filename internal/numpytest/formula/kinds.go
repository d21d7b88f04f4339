package formula

import (
	"strings"
	"testing"

	"github.com/go-memmap/memmap/mmarray"
)

// Typed binds the generic helpers to the Go type that views one numeric
// dtype, so that tables can name dtypes: ByKind[KindOf(f.Descr())].Check.
type Typed struct {
	LittleEndian func(n int) []byte              // the first n values' bytes
	Check        func(testing.TB, *mmarray.File) // every element against the formula
	Fill         func(testing.TB, *mmarray.File) // the formula into every element
	Touch        func(testing.TB, *mmarray.File) // every element read, whatever it is (TouchAll)
}

// TypedFor is Typed for the Go type T.
func TypedFor[T Number]() Typed { return Typed{LittleEndian[T], Check[T], Fill[T], TouchAll[T]} }

// ByKind maps a numeric dtype without its byte order ("f8", see KindOf) to
// the helpers for the Go type that views it.
var ByKind = map[string]Typed{
	"b1": TypedFor[bool](), "i1": TypedFor[int8](), "u1": TypedFor[uint8](),
	"i2": TypedFor[int16](), "u2": TypedFor[uint16](),
	"i4": TypedFor[int32](), "u4": TypedFor[uint32](),
	"i8": TypedFor[int64](), "u8": TypedFor[uint64](),
	"f2": TypedFor[mmarray.Float16](), "f4": TypedFor[float32](), "f8": TypedFor[float64](),
	"c8": TypedFor[complex64](), "c16": TypedFor[complex128](),
}

// KindOf strips the byte order from a descr: "<f8" -> "f8".
func KindOf(descr string) string { return strings.TrimLeft(descr, "<>|=") }

// TouchAll reads every element of f's array through a view of type T, in C
// order and reversed along the last axis, and, when the File is writable,
// writes the last element back: for arbitrary data, where there is no
// formula to compare with, it checks only that every element path stays
// inside the mapping and that CopyTo copies them all.
func TouchAll[T mmarray.Element](t testing.TB, f *mmarray.File) {
	t.Helper()
	a, err := mmarray.View[T](f)
	if err != nil {
		t.Fatalf("view of %s (%s) that opened: %v", f.Path(), f.Descr(), err)
	}
	dst := make([]T, a.Len())
	if n := a.CopyTo(dst); n != len(dst) {
		t.Fatalf("CopyTo copied %d of %d elements", n, len(dst))
	}
	if a.Ndim() == 0 || a.Len() == 0 {
		return
	}
	a.Slice(mmarray.Ellipsis(), mmarray.Span(mmarray.Omit, mmarray.Omit, -1)).CopyTo(dst)
	if a.Writable() {
		idx := make([]int, a.Ndim())
		for i := range idx {
			idx[i] = -1
		}
		a.Set(a.At(idx...), idx...)
	}
}
