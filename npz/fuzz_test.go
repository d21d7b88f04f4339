package npz_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/npz"
)

// readSentinels are the errors reading an arbitrary archive may end in:
// this package's reader sentinels, npyheader's (a member's NPY header), and
// mmarray's file size check (an array longer than its member).
var readSentinels = []error{
	npz.ErrFormat, npz.ErrNotFound, npz.ErrNotArray, memmap.ErrUnsupported, npz.ErrChecksum,
	npz.ErrSizeMismatch, memmap.ErrTooLarge,
	npyheader.ErrBadMagic, npyheader.ErrVersion, npyheader.ErrHeaderTooLarge, npyheader.ErrSyntax,
	npyheader.ErrHeaderKeys, npyheader.ErrShape, npyheader.ErrFortranOrder, npyheader.ErrDescr,
	npyheader.ErrObjectDType, npyheader.ErrTruncated, memmap.ErrTooLarge,
	mmarray.ErrFileSize,
}

// requireSentinel fails unless err is one of readSentinels and names the
// package once.
func requireSentinel(t *testing.T, what string, err error) {
	t.Helper()
	for _, s := range readSentinels {
		if errors.Is(err, s) {
			requireOnePrefix(t, err, what)
			return
		}
	}
	t.Fatalf("%s: error is none of the sentinels: %v", what, err)
}

// writerSeeds are archives from this package's Writer, stored and
// compressed: data descriptors, alignment padding, zip64 fields unused.
func writerSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, mode := range writerModes {
		var buf bytes.Buffer
		w := npz.NewWriter(&buf, mode.opts...)
		for _, m := range []struct {
			descr string
			data  []byte
		}{{"<f8", formula.LittleEndian[float64](6)}, {"|u1", formula.LittleEndian[uint8](6)}} {
			if err := w.WriteFrom(kindOf(m.descr), writerHeader(f, m.descr, false, 2, 3), bytes.NewReader(m.data)); err != nil {
				f.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, buf.Bytes())
	}
	return seeds
}

// FuzzOpen: arbitrary bytes as an archive never crash NewReader, listing, or
// opening and reading every member, and every error is one of the
// sentinels of readSentinels. What succeeds is consistent: ReadBytes
// returns the declared size with the declared CRC-32, Verify agrees with
// it, and a stored array member whose header parsed and whose bytes check
// out always opens.
//
// Seeded from testdata/npz and the Writer. Run it with a short
// minimization time, or each new interesting input costs a minute:
//
//	go test -run '^$' -fuzz FuzzOpen -fuzztime 2m -fuzzminimizetime 3s ./npz
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
	for _, raw := range writerSeeds(f) {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		// Small limits: every path (memory, temp file) is taken, and
		// nothing allocates more than a few MiB. The archive is read from
		// memory; only members over the memory limit make (unlinked)
		// temporary files.
		a, err := npz.NewReader(bytes.NewReader(raw), int64(len(raw)), npz.WithMemoryLimit(4096), npz.WithMaxTotal(8<<20), npz.WithTempDir(t.TempDir()))
		if err != nil {
			if !errors.Is(err, npz.ErrFormat) {
				t.Fatalf("NewReader failed with something other than ErrFormat: %v", err)
			}
			requireSentinel(t, "NewReader", err)
			return
		}
		defer a.Close()
		for _, m := range a.Members() {
			b, readErr := a.ReadBytes(m.Name)
			if readErr != nil {
				requireSentinel(t, "ReadBytes "+m.Name, readErr)
			} else if int64(len(b)) != m.UncompressedSize || crc32.ChecksumIEEE(b) != m.CRC32 {
				t.Fatalf("ReadBytes %q: %d bytes with CRC-32 %08x, the directory says %d and %08x",
					m.Name, len(b), crc32.ChecksumIEEE(b), m.UncompressedSize, m.CRC32)
			}
			if err := a.Verify(m.Name); err != nil {
				requireSentinel(t, "Verify "+m.Name, err)
				// The same bytes cannot pass one check and fail the other;
				// only the lifetime total may run out in between.
				if readErr == nil && !errors.Is(err, memmap.ErrTooLarge) {
					t.Fatalf("ReadBytes %q succeeded but Verify failed: %v", m.Name, err)
				}
			}
			file, err := a.Open(m.Name)
			switch {
			case m.Err != nil: // an unreadable member has Err without IsArray
				if !errors.Is(err, m.Err) {
					t.Fatalf("Open %q: %v, not the member's Err %v", m.Name, err, m.Err)
				}
				requireSentinel(t, "Open "+m.Name, err)
				continue
			case !m.IsArray:
				if !errors.Is(err, npz.ErrNotArray) {
					t.Fatalf("Open %q of a member that is not an array: %v", m.Name, err)
				}
				continue
			case err != nil:
				if m.Method == zip.Store && m.UncompressedSize <= 4096 && !errors.Is(err, npz.ErrChecksum) && !errors.Is(err, memmap.ErrTooLarge) {
					t.Fatalf("Open %q: a stored member whose header parsed failed to open: %v", m.Name, err)
				}
				requireSentinel(t, "Open "+m.Name, err)
				continue
			}
			h := file.Header()
			if h.DType.String() != m.Header.DType.String() || !slices.Equal(h.Shape, m.Header.Shape) {
				t.Fatalf("member %q: header %s %v, file %s %v", m.Name, m.Header.DType, m.Header.Shape, h.DType, h.Shape)
			}
			// Numeric dtypes are read through a typed view (the others'
			// views are tested in mmarray).
			if numeric, ok := byKind[kindOf(file.Descr())]; ok {
				numeric.touch(t, file)
			}
			if err := file.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
