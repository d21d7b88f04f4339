package mmarray_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// errorsByCategory maps the manifest's error categories to the sentinels
// Open must return.
var errorsByCategory = map[string]error{
	"bad_magic":        npyheader.ErrBadMagic,
	"version":          npyheader.ErrVersion,
	"header_too_large": npyheader.ErrHeaderTooLarge,
	"syntax":           npyheader.ErrSyntax,
	"keys":             npyheader.ErrHeaderKeys,
	"shape":            npyheader.ErrShape,
	"fortran_order":    npyheader.ErrFortranOrder,
	"descr":            npyheader.ErrDescr,
	"object":           npyheader.ErrObjectDType,
	"truncated":        npyheader.ErrTruncated,
	"too_large":        memmap.ErrTooLarge,
	"truncated_data":   mmarray.ErrFileSize,
}

// Every golden file NumPy wrote opens in r, c and r+, with the header NumPy
// wrote, and reads the values NumPy wrote.
func TestGoldenFilesOpenInEveryMode(t *testing.T) {
	t.Parallel()
	checked := 0
	for _, e := range loadManifest(t) {
		if !e.Valid || e.Error != "" {
			continue
		}
		t.Run(e.File, func(t *testing.T) {
			for _, mode := range []mmarray.Mode{mmarray.ReadOnly, mmarray.CopyOnWrite, mmarray.ReadWrite} {
				path := testdataPath(e.File)
				if mode == mmarray.ReadWrite {
					path = numpytest.CopyToTemp(t, path)
				}
				f, err := mmarray.Open(path, mode)
				require.NoError(t, err, "mode %v", mode)
				require.Equal(t, e.Descr, f.Descr())
				require.Equal(t, e.shape(), f.Shape())
				require.Equal(t, e.FortranOrder, f.FortranOrder())
				require.Equal(t, e.DataOffset, f.DataOffset())
				h := f.Header()
				require.Equal(t, []uint8{uint8(e.Version[0]), uint8(e.Version[1])}, []uint8{h.Version.Major, h.Version.Minor})
				if e.Values != "none" {
					typed, ok := formula.ByKind[formula.KindOf(e.Descr)]
					require.True(t, ok, "no Go type for %s", e.Descr)
					typed.Check(t, f)
					checked++
				}
				require.NoError(t, f.Close())
			}
		})
	}
	require.Positive(t, checked)
}

// Every malformed file, and every valid file whose header exceeds NumPy's
// default limit, fails to open with the sentinel its category names.
func TestMalformedFilesFailToOpen(t *testing.T) {
	t.Parallel()
	for _, e := range loadManifest(t) {
		if e.Error == "" {
			continue
		}
		t.Run(e.File, func(t *testing.T) {
			want, ok := errorsByCategory[e.Error]
			require.True(t, ok, "unknown error category %q", e.Error)
			for _, mode := range []mmarray.Mode{mmarray.ReadOnly, mmarray.CopyOnWrite, mmarray.ReadWrite} {
				path := testdataPath(e.File)
				if mode == mmarray.ReadWrite {
					path = numpytest.CopyToTemp(t, path)
				}
				f, err := mmarray.Open(path, mode)
				require.Nil(t, f)
				require.ErrorIs(t, err, want, "%s (%s)", e.File, e.Note)
				require.Contains(t, err.Error(), path, "the error names the file")
			}
		})
	}
}

// Headers over the default limit open when the caller raises it, as NumPy's
// max_header_size allows.
func TestMaxHeaderSizeOption(t *testing.T) {
	t.Parallel()
	for _, e := range loadManifest(t) {
		if e.Error != "header_too_large" {
			continue
		}
		t.Run(e.File, func(t *testing.T) {
			require.True(t, e.Valid, "a header_too_large file is well formed, only large")
			f, err := mmarray.Open(testdataPath(e.File), mmarray.ReadOnly, mmarray.WithMaxHeaderSize(200000))
			require.NoError(t, err)
			require.Equal(t, e.shape(), f.Shape())
			require.NoError(t, f.Close())
		})
	}
}

// Every prefix of a valid file is either a valid shorter file or an error:
// never a crash, and never a mapping past the end of the file.
func TestTruncatedFilesNeverOpen(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"npy/f8_le_3x4_C.npy", "npy/c16_be_2x3x4_F.npy", "npy/f8_le_3x4_C_v3.npy", "npy/legacy_v2_f8_le_3x4_align2.npy"} {
		raw, err := os.ReadFile(testdataPath(name))
		require.NoError(t, err)
		path := strings.TrimSuffix(numpytest.CopyToTemp(t, testdataPath(name)), ".npy") + "_cut.npy"
		require.NoError(t, os.WriteFile(path, raw, 0o644))
		var wrong []string // the first few prefixes not refused as they should be
		count := 0
		// From the longest prefix down, so that each is the file cut once
		// more: one truncate per prefix instead of a rewrite.
		for n := len(raw) - 1; n >= 0; n-- {
			require.NoError(t, os.Truncate(path, int64(n)))
			f, err := mmarray.Open(path, mmarray.ReadOnly)
			if f == nil && (errors.Is(err, npyheader.ErrTruncated) || errors.Is(err, mmarray.ErrFileSize) || errors.Is(err, npyheader.ErrBadMagic)) {
				continue
			}
			count++
			if len(wrong) < 5 {
				wrong = append(wrong, fmt.Sprintf("cut to %d bytes: opened %v, error %v", n, f != nil, err))
			}
			if f != nil {
				f.Close()
			}
		}
		if count > 0 {
			t.Fatalf("%d of %d prefixes of %s were not refused with ErrTruncated, ErrFileSize or ErrBadMagic, first: %s",
				count, len(raw), name, strings.Join(wrong, "; "))
		}
	}
}
