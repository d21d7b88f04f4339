package mmarray_test

import (
	"encoding/json"
	"fmt"
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
func numpyPython(t *testing.T) string {
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

// runNumPy runs a Python script with sys, json and numpy (as np) imported,
// testdata/formula.py (formula_array) defined, and the given arguments in
// sys.argv[1:], and returns its standard output.
func runNumPy(t *testing.T, script string, args ...string) string {
	t.Helper()
	python := numpyPython(t)
	require.NoError(t, pyFormulaErr)
	full := "import sys, json\nimport numpy as np\n" + pyFormula + "\n" + script
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

// checkFormula checks every element of the whole array in f against the
// shared formula, through At, Values and CopyTo.
func checkFormula[T mmarray.Element](t *testing.T, f *mmarray.File) {
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
	require.Equal(t, n, k)
	dst := make([]T, n)
	require.Equal(t, n, a.CopyTo(dst))
	for k, v := range dst {
		require.Equal(t, formula[T](k), v)
	}
}

// fillFormula writes the shared formula into every element of f's array.
func fillFormula[T mmarray.Element](t *testing.T, f *mmarray.File) {
	t.Helper()
	a, err := mmarray.View[T](f)
	require.NoError(t, err)
	for k := range a.Len() {
		a.Set(formula[T](k), unravel(k, a.Shape())...)
	}
}

// typed binds the generic checks to a Go type, so tables can name dtypes.
type typed struct {
	goType string
	check  func(*testing.T, *mmarray.File)
	fill   func(*testing.T, *mmarray.File)
	touch  func(*testing.T, *mmarray.File)
}

func typedFor[T mmarray.Element](name string) typed {
	return typed{name, checkFormula[T], fillFormula[T], touchAll[T]}
}

// touchAll reads every element of f's array, in C order and reversed, and
// writes one (f must not be ReadOnly).
func touchAll[T mmarray.Element](t *testing.T, f *mmarray.File) {
	t.Helper()
	a, err := mmarray.View[T](f)
	require.NoError(t, err)
	dst := make([]T, a.Len())
	a.CopyTo(dst)
	if a.Ndim() > 0 && a.Len() > 0 {
		rev := a.Slice(mmarray.Ellipsis(), mmarray.Span(mmarray.Omit, mmarray.Omit, -1))
		rev.CopyTo(dst)
		idx := make([]int, a.Ndim())
		for i := range idx {
			idx[i] = -1
		}
		a.Set(a.At(idx...), idx...)
	}
}

// byKind maps a dtype without its byte order ("f8") to the Go type viewing it.
var byKind = map[string]typed{
	"b1": typedFor[bool]("bool"), "i1": typedFor[int8]("int8"), "u1": typedFor[uint8]("uint8"),
	"i2": typedFor[int16]("int16"), "u2": typedFor[uint16]("uint16"),
	"i4": typedFor[int32]("int32"), "u4": typedFor[uint32]("uint32"),
	"i8": typedFor[int64]("int64"), "u8": typedFor[uint64]("uint64"),
	"f2": typedFor[mmarray.Float16]("Float16"), "f4": typedFor[float32]("float32"), "f8": typedFor[float64]("float64"),
	"c8": typedFor[complex64]("complex64"), "c16": typedFor[complex128]("complex128"),
}

// numericDescrs are every numeric dtype a view supports, in both byte orders.
var numericDescrs = []string{
	"|b1", "|i1", "|u1", "<i2", ">i2", "<u2", ">u2", "<i4", ">i4", "<u4", ">u4",
	"<i8", ">i8", "<u8", ">u8", "<f2", ">f2", "<f4", ">f4", "<f8", ">f8", "<c8", ">c8", "<c16", ">c16",
}

func kindOf(descr string) string { return strings.TrimLeft(descr, "<>|=") }

// manifestEntry is one file described by testdata/manifest.json.
type manifestEntry struct {
	File         string  `json:"file"`
	Valid        bool    `json:"valid"`
	Descr        string  `json:"descr"`
	Shape        []int64 `json:"shape"` // int64: malformed files declare dimensions past a 32-bit int
	FortranOrder bool    `json:"fortran_order"`
	Version      []int   `json:"version"`
	DataOffset   int64   `json:"data_offset"`
	Values       string  `json:"values"`
	Error        string  `json:"error"`
	Note         string  `json:"note"`
}

func loadManifest(t testing.TB) []manifestEntry {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "manifest.json"))
	require.NoError(t, err)
	var entries []manifestEntry
	require.NoError(t, json.Unmarshal(raw, &entries))
	require.NotEmpty(t, entries)
	return entries
}

// shape is the entry's shape as ints (only valid files, whose dimensions fit).
func (e manifestEntry) shape() []int {
	out := make([]int, len(e.Shape))
	for i, d := range e.Shape {
		out[i] = int(d)
	}
	return out
}

func testdataPath(name string) string { return filepath.Join("..", "testdata", name) }

// copyToTemp copies a file into the test's temporary folder, so r+ and c
// tests never change testdata.
func copyToTemp(t *testing.T, src string) string {
	t.Helper()
	raw, err := os.ReadFile(src)
	require.NoError(t, err)
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	require.NoError(t, os.WriteFile(dst, raw, 0o644))
	return dst
}

func pyList(ints []int) string {
	parts := make([]string, len(ints))
	for i, v := range ints {
		parts[i] = fmt.Sprint(v)
	}
	if len(ints) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
