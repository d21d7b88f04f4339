package npz_test

// Shared test helpers for package npz (reader and writer tests). The NumPy
// finder and runner follow mmarray/helpers_test.go: interop tests skip without
// a Python that can import numpy, except when CI is set, where they fail.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/mmarray"
)

var (
	pythonOnce sync.Once
	pythonPath string
)

// numpyPython finds a Python that can import numpy. Without one the test is
// skipped, except under CI, where the interop tests must run: then it fails.
func numpyPython(t testing.TB) string {
	t.Helper()
	pythonOnce.Do(func() {
		for _, candidate := range []string{"python3", "/usr/bin/python3", "python"} {
			path, err := exec.LookPath(candidate)
			if err != nil {
				continue
			}
			if exec.Command(path, "-c", "import numpy").Run() == nil {
				pythonPath = path
				return
			}
		}
	})
	if pythonPath == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Python that can import numpy was found, and CI is set: the NumPy interop tests must run (apt-get install python3-numpy)")
		}
		t.Skip("no Python that can import numpy was found; install python3-numpy to run the NumPy interop tests")
	}
	return pythonPath
}

// runNumPy runs a Python script with sys, json, zipfile and numpy (as np)
// imported, testdata/formula.py (formula_array) defined, and the given
// arguments in sys.argv[1:], and returns its standard output.
func runNumPy(t testing.TB, script string, args ...string) string {
	t.Helper()
	python := numpyPython(t)
	require.NoError(t, pyFormulaErr)
	full := "import sys, json, zipfile\nimport numpy as np\n" + pyFormula + "\n" + script
	cmd := exec.Command(python, append([]string{"-c", full}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "numpy script failed:\n%s\nstderr:\n%s", script, stderr.String())
	return string(out)
}

// pyFormula is testdata/formula.py: the value formula the golden files were
// generated with (formula_array(dt, shape, order='C'), element k of the flat
// C-order index), one copy for the generators and every package's tests.
// runNumPy puts it ahead of every script.
var pyFormula, pyFormulaErr = readPyFormula()

func readPyFormula() (string, error) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "formula.py"))
	return string(b), err
}

// formula is element k of the shared value formula, as type T.
func formula[T mmarray.Element](k int) T {
	var zero T
	var v any
	switch any(zero).(type) {
	case bool:
		v = k%3 == 0
	case int8:
		v = int8(int64(k*7 - 5))
	case int16:
		v = int16(int64(k*7 - 5))
	case int32:
		v = int32(int64(k*7 - 5))
	case int64:
		v = int64(k*7 - 5)
	case uint8:
		v = uint8(int64(k*7 - 5))
	case uint16:
		v = uint16(int64(k*7 - 5))
	case uint32:
		v = uint32(int64(k*7 - 5))
	case uint64:
		v = uint64(int64(k*7 - 5))
	case mmarray.Float16:
		v = mmarray.Float16FromFloat32(float32(float64(k)*0.5 - 3.25))
	case float32:
		v = float32(float64(k)*0.5 - 3.25)
	case float64:
		v = float64(k)*0.5 - 3.25
	case complex64:
		v = complex64(complex(float64(k)*0.5-3.25, float64(k)*0.25+1))
	case complex128:
		v = complex(float64(k)*0.5-3.25, float64(k)*0.25+1)
	default:
		panic("formula: no formula for this element type")
	}
	return v.(T)
}

// unravel turns a flat C-order index into one index per axis.
func unravel(k int, shape []int) []int {
	idx := make([]int, len(shape))
	for axis := len(shape) - 1; axis >= 0; axis-- {
		idx[axis] = k % shape[axis]
		k /= shape[axis]
	}
	return idx
}

// checkFormula checks every element of f's whole array against the shared
// formula, through At, Values and CopyTo.
func checkFormula[T mmarray.Element](t testing.TB, f *mmarray.File) {
	t.Helper()
	a, err := mmarray.View[T](f)
	require.NoError(t, err)
	require.Equal(t, f.Shape(), a.Shape())
	n := a.Len()
	for k := range n {
		require.Equal(t, formula[T](k), a.At(unravel(k, a.Shape())...), "element %d of %s", k, f.Path())
	}
	k := 0
	for v := range a.Values() {
		require.Equal(t, formula[T](k), v, "value %d of %s", k, f.Path())
		k++
	}
	require.Equal(t, n, k, "Values yields every element of %s", f.Path())
	dst := make([]T, n)
	require.Equal(t, n, a.CopyTo(dst))
	for k, v := range dst {
		require.Equal(t, formula[T](k), v, "CopyTo element %d of %s", k, f.Path())
	}
}

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

func typedFor[T mmarray.Element]() typed { return typed{checkFormula[T], touchAll[T]} }

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

// copyToTemp copies a file into the test's temporary folder, so r+ and c
// tests never change testdata. It returns the copy's path.
func copyToTemp(t testing.TB, src string) string {
	t.Helper()
	raw, err := os.ReadFile(src)
	require.NoError(t, err)
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	require.NoError(t, os.WriteFile(dst, raw, 0o644))
	return dst
}
