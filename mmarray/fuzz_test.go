package mmarray_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// FuzzOpen writes arbitrary bytes to a file and opens it. Whatever the bytes,
// Open must return an error or a File whose every element can be read: no
// panic, no crash, no read past the end of the mapping. Seeded with every
// golden and malformed file in testdata.
func FuzzOpen(f *testing.F) {
	addNPYSeeds(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, raw []byte) {
		path := filepath.Join(dir, "fuzz.npy")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		file, err := mmarray.Open(path, mmarray.CopyOnWrite)
		if err != nil {
			// A bad file is refused with one of the documented sentinels.
			for _, sentinel := range errorsByCategory {
				if errors.Is(err, sentinel) {
					return
				}
			}
			t.Fatalf("Open refused a file with an error that wraps no sentinel: %v", err)
		}
		defer file.Close()
		if file.DataOffset()+int64(file.Len()*file.DType().ItemSize) > int64(len(raw)) {
			t.Fatalf("opened an array of %d elements at offset %d in a %d-byte file", file.Len(), file.DataOffset(), len(raw))
		}
		touchEveryField(t, file)
	})
}

// FuzzFields maps arbitrary bytes as an array of an arbitrary dtype descr
// (structured ones above all: nested, subarrays, titles, padding) and reads
// every leaf field through Field views. Whatever the descr, a view must
// never reach outside the mapping. Seeded with the descrs of the golden
// files.
func FuzzFields(f *testing.F) {
	for _, e := range loadManifest(f) {
		if e.Descr != "" && e.Error == "" {
			f.Add(e.Descr, []byte(strings.Repeat("\x01\x80\x00\xff", 64)))
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, descr string, raw []byte) {
		dt, err := npyheader.ParseDescr(descr)
		if err != nil || dt.ItemSize == 0 || dt.ItemSize > 1<<16 || dt.HasObject() {
			return
		}
		raw = raw[:len(raw)/dt.ItemSize*dt.ItemSize]
		if len(raw) == 0 {
			return
		}
		path := filepath.Join(dir, "fields.bin")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		file, err := mmarray.OpenRaw(path, mmarray.CopyOnWrite, descr, nil, 0)
		if err != nil {
			t.Fatalf("a parsed descr %q over %d whole items did not open: %v", descr, len(raw), err)
		}
		defer file.Close()
		touchEveryField(t, file)
	})
}

// addNPYSeeds adds every golden and malformed .npy file of testdata to f's
// corpus (but the wide-header files, which add nothing but time).
func addNPYSeeds(f *testing.F) {
	seeds := 0
	for _, pattern := range []string{"npy/*.npy", "malformed/*.npy"} {
		names, err := filepath.Glob(testdataPath(pattern))
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range names {
			raw, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			if len(raw) <= 64<<10 { // the wide-header files add nothing but time
				f.Add(raw)
				seeds++
			}
		}
	}
	if seeds == 0 {
		f.Fatal("no seeds: testdata/npy and testdata/malformed are missing")
	}
}

// FuzzRecover writes arbitrary bytes to a file and recovers it. Whatever
// the bytes, Recover must return an error wrapping a documented sentinel,
// or leave a file that Open maps with the rows it reports, and that a
// second Recover finds nothing to do in. Seeded as FuzzOpen.
func FuzzRecover(f *testing.F) {
	addNPYSeeds(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, raw []byte) {
		path := filepath.Join(dir, "fuzz.npy")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := mmarray.Recover(path)
		if err != nil {
			// Recover's own refusals: no rows to count, no room for them.
			if errors.Is(err, mmarray.ErrShape) || errors.Is(err, mmarray.ErrNoRoom) {
				return
			}
			for _, sentinel := range errorsByCategory {
				if errors.Is(err, sentinel) {
					return
				}
			}
			t.Fatalf("Recover refused a file with an error that wraps no sentinel: %v", err)
		}
		file, err := mmarray.Open(path, mmarray.ReadOnly)
		if err != nil {
			t.Fatalf("Recover reported %v, but the file does not open: %v", r, err)
		}
		defer file.Close()
		shape := file.Shape()
		axis := 0
		if file.FortranOrder() {
			axis = len(shape) - 1
		}
		if shape[axis] != r.Rows {
			t.Fatalf("Recover reported %v, but the file has shape %v", r, shape)
		}
		again, err := mmarray.Recover(path)
		if err != nil || again.Rows != r.Rows || again.OldRows != r.Rows || again.DroppedBytes != 0 {
			t.Fatalf("a second Recover after %v: %v, %v", r, again, err)
		}
	})
}

// FuzzOpenAppend writes arbitrary bytes to a file and opens it to append.
// Whatever the bytes, OpenAppend must return an error wrapping a documented
// sentinel, or a Writer whose buffer does not follow the header's row size
// (a header may declare rows of a TiB with no data: a seed below; the
// fuzzer dies of the allocation if it does), and to which a row appended
// and closed leaves a file Open maps with one more row. Seeded as FuzzOpen.
func FuzzOpenAppend(f *testing.F) {
	addNPYSeeds(f)
	dt, err := npyheader.ParseDescr("<f8")
	if err != nil {
		f.Fatal(err)
	}
	// Rows of a TiB (2**37 items), in a header only 64-bit ints can hold.
	if strconv.IntSize == 64 {
		items := int64(1) << 37
		huge := int(items)
		for _, shape := range [][]int{{0, huge}, {huge, 0}} {
			prefix, err := npyheader.Header{DType: dt, Shape: shape}.Encode()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(prefix)
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, raw []byte) {
		path := filepath.Join(dir, "fuzz.npy")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		w, err := mmarray.OpenAppend(path)
		if err != nil {
			if errors.Is(err, mmarray.ErrShape) || errors.Is(err, mmarray.ErrNoRoom) {
				return
			}
			for _, sentinel := range errorsByCategory {
				if errors.Is(err, sentinel) {
					return
				}
			}
			t.Fatalf("OpenAppend refused a file with an error that wraps no sentinel: %v", err)
		}
		rows := w.SyncedRows()
		if w.RowBytes() > 1<<16 {
			if err := w.Abort(); err != nil {
				t.Fatal(err)
			}
			return
		}
		if err := w.WriteRows(make([]byte, w.RowBytes())); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		file, err := mmarray.Open(path, mmarray.ReadOnly)
		if err != nil {
			t.Fatalf("OpenAppend took the file, but after a row appended it does not open: %v", err)
		}
		defer file.Close()
		shape := file.Shape()
		axis := 0
		if file.FortranOrder() {
			axis = len(shape) - 1
		}
		if shape[axis] != rows+1 {
			t.Fatalf("appended a row to %d, but the file has shape %v", rows, shape)
		}
	})
}
