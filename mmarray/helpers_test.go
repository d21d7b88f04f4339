package mmarray_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
)

// numericDescrs are every numeric dtype a view supports, in both byte orders.
var numericDescrs = []string{
	"|b1", "|i1", "|u1", "<i2", ">i2", "<u2", ">u2", "<i4", ">i4", "<u4", ">u4",
	"<i8", ">i8", "<u8", ">u8", "<f2", ">f2", "<f4", ">f4", "<f8", ">f8", "<c8", ">c8", "<c16", ">c16",
}

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

// requireMisuse requires fn to panic with a *memmap.Misuse, the module's
// panic value for misuse, and, when want is not empty, with exactly that
// text.
func requireMisuse(t *testing.T, want string, fn func(), msgAndArgs ...any) {
	t.Helper()
	var got any
	func() {
		defer func() { got = recover() }()
		fn()
	}()
	m, ok := got.(*memmap.Misuse)
	if !ok {
		require.Fail(t, fmt.Sprintf("want a *memmap.Misuse panic, got %T %v", got, got), msgAndArgs...)
	}
	if want != "" {
		require.Equal(t, want, m.Error(), msgAndArgs...)
	}
}
