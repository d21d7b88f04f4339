package npz_test

// Shared test helpers for package npz (reader and writer tests). The NumPy
// oracle and the value formula are internal/numpytest's.

import (
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
)

// typed and byKind are formula.Typed and formula.ByKind under the names
// this package's tests use; kindOf is formula.KindOf.
type typed struct {
	check func(testing.TB, *mmarray.File) // every element against the formula
	touch func(testing.TB, *mmarray.File) // read every element, whatever it is
}

var byKind = func() map[string]typed {
	m := make(map[string]typed, len(formula.ByKind))
	for kind, h := range formula.ByKind {
		m[kind] = typed{h.Check, h.Touch}
	}
	return m
}()

func kindOf(descr string) string { return formula.KindOf(descr) }

// npzTestdata is the path of a file in testdata/npz.
func npzTestdata(name string) string { return filepath.Join("..", "testdata", "npz", name) }
