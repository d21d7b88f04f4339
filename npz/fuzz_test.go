package npz_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npz"
)

// touchNumeric reads every element of f's array through a typed view, for
// the numeric dtypes (other dtypes' views are tested in mmarray).
func touchNumeric(t *testing.T, f *mmarray.File) {
	switch kindOf(f.Descr()) {
	case "b1":
		touch[bool](t, f)
	case "i1":
		touch[int8](t, f)
	case "u1":
		touch[uint8](t, f)
	case "i2":
		touch[int16](t, f)
	case "u2":
		touch[uint16](t, f)
	case "i4":
		touch[int32](t, f)
	case "u4":
		touch[uint32](t, f)
	case "i8":
		touch[int64](t, f)
	case "u8":
		touch[uint64](t, f)
	case "f4":
		touch[float32](t, f)
	case "f8":
		touch[float64](t, f)
	case "c8":
		touch[complex64](t, f)
	case "c16":
		touch[complex128](t, f)
	}
}

func touch[T mmarray.Element](t *testing.T, f *mmarray.File) {
	a, err := mmarray.View[T](f)
	if err != nil {
		t.Fatalf("view of a %s member that opened: %v", f.Descr(), err)
	}
	dst := make([]T, a.Len())
	if n := a.CopyTo(dst); n != len(dst) {
		t.Fatalf("CopyTo copied %d of %d elements", n, len(dst))
	}
}

// FuzzOpen: arbitrary bytes as an archive never crash Open, listing, or
// opening and reading every member; an error is always one of the package's
// (or mmarray's, npyheader's) sentinels.
func FuzzOpen(f *testing.F) {
	seeds, err := filepath.Glob(npzTestdata("*.npz"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seed archives in testdata/npz: %v", err)
	}
	for _, p := range seeds {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "fuzz.npz")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		// Small limits: every path (memory, temp file) is taken, and
		// nothing allocates more than a few MiB.
		a, err := npz.Open(path, mmarray.CopyOnWrite, npz.WithMemoryLimit(4096), npz.WithMaxTotal(8<<20), npz.WithTempDir(dir))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "npz: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		defer a.Close()
		for _, m := range a.Members() {
			_, _ = a.ReadBytes(m.Name)
			_ = a.Verify(m.Name)
			if !m.IsArray {
				continue
			}
			file, err := a.Array(m.Name)
			if err != nil {
				continue
			}
			h := file.Header()
			if h.DType.String() != m.Header.DType.String() {
				t.Fatalf("member %q: header %s, file %s", m.Name, m.Header.DType, h.DType)
			}
			touchNumeric(t, file)
			if err := file.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
