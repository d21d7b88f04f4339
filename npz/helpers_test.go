package npz_test

// Shared test helpers for package npz (reader and writer tests). The NumPy
// oracle and the value formula are internal/numpytest's.

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
)

// touchAll reads every element of f's array through a typed view (CopyTo),
// checking only that the view opens and copies them all: for arbitrary data,
// where there is no formula to compare with.
func touchAll[T mmarray.Element](t testing.TB, f *mmarray.File) {
	t.Helper()
	a, err := mmarray.View[T](f)
	if err != nil {
		t.Fatalf("view of a %s member that opened: %v", f.Descr(), err)
	}
	dst := make([]T, a.Len())
	if n := a.CopyTo(dst); n != len(dst) {
		t.Fatalf("CopyTo copied %d of %d elements", n, len(dst))
	}
}

// typed binds the generic helpers to the Go type viewing one dtype, so
// tables can name dtypes.
type typed struct {
	check func(testing.TB, *mmarray.File) // every element against the formula
	touch func(testing.TB, *mmarray.File) // read every element, whatever it is
}

func typedFor[T formula.Number]() typed { return typed{formula.Check[T], touchAll[T]} }

// byKind maps a numeric dtype without its byte order ("f8") to the helpers
// for the Go type that views it.
var byKind = map[string]typed{
	"b1": typedFor[bool](), "i1": typedFor[int8](), "u1": typedFor[uint8](),
	"i2": typedFor[int16](), "u2": typedFor[uint16](),
	"i4": typedFor[int32](), "u4": typedFor[uint32](),
	"i8": typedFor[int64](), "u8": typedFor[uint64](),
	"f2": typedFor[mmarray.Float16](), "f4": typedFor[float32](), "f8": typedFor[float64](),
	"c8": typedFor[complex64](), "c16": typedFor[complex128](),
}

// kindOf strips the byte order from a descr: "<f8" -> "f8".
func kindOf(descr string) string { return strings.TrimLeft(descr, "<>|=") }

// npzTestdata is the path of a file in testdata/npz.
func npzTestdata(name string) string { return filepath.Join("..", "testdata", "npz", name) }
