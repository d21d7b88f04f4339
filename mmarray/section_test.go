package mmarray_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// Bytes around an embedded .npy image: an odd-length prefix, so that the
// image starts unaligned, and a trailer that would complete any truncated
// image if Open ever read past the section.
const (
	sectionPrefixLen  = 1001
	sectionTrailerLen = 4099
)

// embed writes prefix + image + trailer to a temporary file and returns its
// path. The trailer repeats the image, so that a header or data cut short by
// the section's end would parse if Open looked past it.
func embed(t *testing.T, image []byte) string {
	t.Helper()
	var b bytes.Buffer
	b.Write(bytes.Repeat([]byte{0xA5}, sectionPrefixLen))
	b.Write(image)
	for b.Len() < sectionPrefixLen+len(image)+sectionTrailerLen {
		b.Write(image)
		b.WriteByte(0x5A)
	}
	b.Truncate(sectionPrefixLen + len(image) + sectionTrailerLen)
	path := filepath.Join(t.TempDir(), "container.bin")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	return path
}

var openModes = []mmarray.Mode{mmarray.ReadOnly, mmarray.CopyOnWrite, mmarray.ReadWrite}

// Every golden file NumPy wrote, embedded in a larger file at an unaligned
// offset, opens as a section in r, c and r+ and reads NumPy's values; the
// same image opens with OpenBytes, aligned and unaligned.
func TestSectionAndBytesReadGoldenFiles(t *testing.T) {
	t.Parallel()
	checked, valid := 0, 0
	for _, e := range loadManifest(t) {
		if !e.Valid || e.Error != "" {
			continue
		}
		valid++
		t.Run(e.File, func(t *testing.T) {
			image, err := os.ReadFile(testdataPath(e.File))
			require.NoError(t, err)
			// Files with a value formula are checked against it; the others
			// (strings, times, records, special floats) must hold the same
			// data bytes as the file opened on its own, and read through
			// every field.
			check := func(t *testing.T, f *mmarray.File) {
				if typed, ok := formula.ByKind[formula.KindOf(e.Descr)]; ok && e.Values != "none" {
					typed.Check(t, f)
					return
				}
				data := make([]byte, len(image)-int(e.DataOffset))
				n, _ := f.ReadAt(data, 0)
				want, err := mmarray.Open(testdataPath(e.File), mmarray.ReadOnly)
				require.NoError(t, err)
				defer want.Close()
				wantData := make([]byte, len(data))
				wantN, _ := want.ReadAt(wantData, 0)
				require.Equal(t, wantData[:wantN], data[:n])
				if f.Mode() != mmarray.ReadOnly { // touchEveryField also writes
					touchEveryField(t, f)
				}
			}
			path := embed(t, image)
			for _, mode := range openModes {
				f, err := mmarray.Open(path, mode, mmarray.WithSection(sectionPrefixLen, int64(len(image))))
				require.NoError(t, err, "mode %v", mode)
				require.Equal(t, e.Descr, f.Descr())
				require.Equal(t, e.shape(), f.Shape())
				require.Equal(t, e.FortranOrder, f.FortranOrder())
				require.Equal(t, sectionPrefixLen+e.DataOffset, f.DataOffset(), "the absolute offset in the file")
				require.Equal(t, sectionPrefixLen+e.DataOffset, f.Header().DataOffset)
				require.False(t, f.IsInMemory())
				check(t, f)
				require.NoError(t, f.Close())
			}
			for _, shift := range []int{0, 1, 3} {
				buf := make([]byte, shift+len(image))
				copy(buf[shift:], image)
				for _, mode := range openModes {
					f, err := mmarray.OpenBytes("image.npy", buf[shift:], mode)
					require.NoError(t, err, "mode %v shift %d", mode, shift)
					require.Equal(t, e.shape(), f.Shape())
					require.Equal(t, e.DataOffset, f.DataOffset())
					require.True(t, f.IsInMemory())
					check(t, f)
					require.NoError(t, f.Close())
				}
			}
			checked++
		})
	}
	require.Equal(t, valid, checked, "every valid golden file opens as a section and from memory")
}

// Malformed images fail as a section and as bytes with the same sentinel as
// Open on the file itself, although the bytes after the section would
// complete a truncated one.
func TestSectionAndBytesRefuseMalformedImages(t *testing.T) {
	t.Parallel()
	for _, e := range loadManifest(t) {
		if e.Error == "" {
			continue
		}
		t.Run(e.File, func(t *testing.T) {
			want, ok := errorsByCategory[e.Error]
			require.True(t, ok, "unknown error category %q", e.Error)
			image, err := os.ReadFile(testdataPath(e.File))
			require.NoError(t, err)
			path := embed(t, image)
			for _, mode := range openModes {
				f, err := mmarray.Open(path, mode, mmarray.WithSection(sectionPrefixLen, int64(len(image))))
				require.Nil(t, f)
				require.ErrorIs(t, err, want, "%s as a section (%s)", e.File, e.Note)
				f, err = mmarray.OpenBytes("image.npy", image, mode)
				require.Nil(t, f)
				require.ErrorIs(t, err, want, "%s as bytes (%s)", e.File, e.Note)
				require.Contains(t, err.Error(), "image.npy", "the error names the image")
			}
		})
	}
}

// Every prefix of a valid image, as a section followed by the rest of the
// image, and as bytes, is an error: never a crash, never a read past the
// section.
func TestTruncatedSectionsAndBytesNeverOpen(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"npy/f8_le_3x4_C.npy", "npy/c16_be_2x3x4_F.npy", "npy/f8_le_3x4_C_v3.npy"} {
		image, err := os.ReadFile(testdataPath(name))
		require.NoError(t, err)
		path := embed(t, image)
		for n := range len(image) {
			f, err := mmarray.Open(path, mmarray.ReadOnly, mmarray.WithSection(sectionPrefixLen, int64(n)))
			require.Nil(t, f, "%s cut to %d of %d bytes opened as a section", name, n, len(image))
			require.True(t, errors.Is(err, npyheader.ErrTruncated) || errors.Is(err, mmarray.ErrFileSize) || errors.Is(err, npyheader.ErrBadMagic),
				"%s cut to %d bytes: %v", name, n, err)
			f, err = mmarray.OpenBytes(name, image[:n], mmarray.ReadOnly)
			require.Nil(t, f, "%s cut to %d of %d bytes opened as bytes", name, n, len(image))
			require.True(t, errors.Is(err, npyheader.ErrTruncated) || errors.Is(err, mmarray.ErrFileSize) || errors.Is(err, npyheader.ErrBadMagic),
				"%s cut to %d bytes: %v", name, n, err)
		}
	}
}

// A section that is not inside the file, or whose header declares data past
// the section's end, is refused with ErrFileSize; a negative offset or
// length is misuse. (WithSection given to another constructor does not
// compile: TestMisplacedOptionsDoNotCompile.)
func TestSectionBounds(t *testing.T) {
	t.Parallel()
	image, err := os.ReadFile(testdataPath("npy/f8_le_3x4_C.npy"))
	require.NoError(t, err)
	path := embed(t, image)
	size := int64(sectionPrefixLen + len(image) + sectionTrailerLen)
	n := int64(len(image))
	for _, tc := range []struct {
		name           string
		offset, length int64
		want           error
	}{
		{"exact", sectionPrefixLen, n, nil},
		{"longer than the image, still inside the file", sectionPrefixLen, n + 100, nil},
		{"offset plus length overflows", sectionPrefixLen, math.MaxInt64, mmarray.ErrFileSize},
		{"runs past the end of the file", sectionPrefixLen, size - sectionPrefixLen + 1, mmarray.ErrFileSize},
		{"starts past the end of the file", size + 1, 0, mmarray.ErrFileSize},
		{"empty at the end of the file", size, 0, npyheader.ErrTruncated},
		{"data runs one byte past the section", sectionPrefixLen, n - 1, mmarray.ErrFileSize},
		{"header only", sectionPrefixLen, 128, mmarray.ErrFileSize},
		{"not at the image's start", sectionPrefixLen + 1, n, npyheader.ErrBadMagic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range openModes {
				f, err := mmarray.Open(path, mode, mmarray.WithSection(tc.offset, tc.length))
				if tc.want == nil {
					require.NoError(t, err)
					require.Equal(t, []int{3, 4}, f.Shape())
					require.Equal(t, sectionPrefixLen+int64(128), f.DataOffset())
					require.NoError(t, f.Close())
					continue
				}
				require.Nil(t, f)
				require.ErrorIs(t, err, tc.want, "mode %v", mode)
				require.Contains(t, err.Error(), path)
			}
		})
	}
	const negative = "mmarray: WithSection(%d, %d): the offset and length must not be negative"
	requireMisuse(t, fmt.Sprintf(negative, -1, n), func() { mmarray.WithSection(-1, n) })
	requireMisuse(t, fmt.Sprintf(negative, sectionPrefixLen, -1), func() { mmarray.WithSection(sectionPrefixLen, -1) })
	_, err = mmarray.Open(path, mmarray.Write, mmarray.WithSection(sectionPrefixLen, n))
	require.ErrorIs(t, err, mmarray.ErrMode)
}

// r+ writes through a section land at the data's absolute offset in the file
// and nowhere else: the bytes around the section and the file's size stay
// as they were, even for a sparse file.
func TestSectionReadWriteChangesOnlyTheData(t *testing.T) {
	t.Parallel()
	image, err := os.ReadFile(testdataPath("npy/f8_le_3x4_C.npy"))
	require.NoError(t, err)
	for _, sparse := range []bool{false, true} {
		path := embed(t, image)
		before, err := os.ReadFile(path)
		require.NoError(t, err)
		if sparse {
			// A hole before the section and after it: the file grows by
			// Truncate, and the bytes read back as zeros.
			require.NoError(t, os.Truncate(path, int64(len(before))+1<<20))
			before = append(before, make([]byte, 1<<20)...)
		}
		f, err := mmarray.Open(path, mmarray.ReadWrite, mmarray.WithSection(sectionPrefixLen, int64(len(image))))
		require.NoError(t, err)
		a, err := mmarray.View[float64](f)
		require.NoError(t, err)
		for k := range a.Len() {
			a.Set(float64(k)*100+0.5, formula.Unravel(k, a.Shape())...)
		}
		require.NoError(t, f.Flush())
		require.NoError(t, f.Close())

		after, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Len(t, after, len(before), "the file's size is unchanged")
		start := sectionPrefixLen + 128
		require.Equal(t, before[:start], after[:start], "nothing before the data changed")
		require.Equal(t, before[start+12*8:], after[start+12*8:], "nothing after the data changed")
		for k := range 12 {
			got := math.Float64frombits(binary.LittleEndian.Uint64(after[start+8*k:]))
			require.Equal(t, float64(k)*100+0.5, got, "element %d at file offset %d", k, start+8*k)
		}
	}
}

// OpenBytes views write the caller's buffer in r+, private memory in c
// (the buffer never changes, as NumPy's c promises), refuse Set in r,
// and refuse w+; Flush, Advise and Resident behave as documented for memory.
func TestOpenBytesModesAndMethods(t *testing.T) {
	t.Parallel()
	image, err := os.ReadFile(testdataPath("npy/i4_le_3x4_C.npy"))
	require.NoError(t, err)
	for _, mode := range []mmarray.Mode{mmarray.ReadWrite, mmarray.CopyOnWrite} {
		buf := append([]byte{}, image...)
		f, err := mmarray.OpenBytes("mem.npy", buf, mode)
		require.NoError(t, err)
		require.Equal(t, "mem.npy", f.Path())
		require.Equal(t, mode, f.Mode())
		require.Equal(t, int64(len(image)), f.FileSize())
		a, err := mmarray.View[int32](f)
		require.NoError(t, err)
		a.Set(-123456, 2, 3)
		off := f.DataOffset() + 4*11
		require.Equal(t, int32(-123456), a.At(2, 3))
		if mode == mmarray.ReadWrite {
			require.Equal(t, int32(-123456), int32(binary.LittleEndian.Uint32(buf[off:])), "r+ writes the caller's buffer")
			require.Equal(t, image[:off], buf[:off])
		} else {
			require.Equal(t, image, buf, "c never changes the caller's buffer")
		}
		if mode == mmarray.CopyOnWrite {
			owned := append([]byte{}, image...)
			g, err := mmarray.OpenBytes("owned.npy", owned, mode, mmarray.WithOwnedImage())
			require.NoError(t, err)
			b, err := mmarray.View[int32](g)
			require.NoError(t, err)
			b.Set(7, 0, 0)
			require.Equal(t, int32(7), int32(binary.LittleEndian.Uint32(owned[g.DataOffset():])), "an owned image is written in place, not copied")
			require.NoError(t, g.Close())
		}
		require.NoError(t, f.Flush())
		require.NoError(t, f.Advise(mmarray.Sequential))
		resident, total, err := f.Resident()
		require.NoError(t, err)
		require.Positive(t, total)
		require.Equal(t, total, resident)
		require.NoError(t, f.Close())
		require.ErrorIs(t, f.Close(), memmap.ErrClosed)
		require.ErrorIs(t, f.Flush(), memmap.ErrClosed)
		_, err = mmarray.View[int32](f)
		require.ErrorIs(t, err, memmap.ErrClosed)
		requireMisuse(t, "mmarray: view used after its File was closed: mem.npy", func() { a.At(0, 0) })
	}

	f, err := mmarray.OpenBytes("mem.npy", image, mmarray.ReadOnly)
	require.NoError(t, err)
	a, err := mmarray.View[int32](f)
	require.NoError(t, err)
	require.False(t, a.Writable())
	requireMisuse(t, "", func() { a.Set(1, 0, 0) })
	require.NoError(t, f.Close())

	for _, mode := range []mmarray.Mode{mmarray.Write, 0, 99} {
		f, err := mmarray.OpenBytes("mem.npy", image, mode)
		require.Nil(t, f)
		require.ErrorIs(t, err, mmarray.ErrMode)
	}
	f, err = mmarray.OpenBytes("mem.npy", image, mmarray.ReadOnly, mmarray.WithAdvice(mmarray.Random))
	require.NoError(t, err, "WithAdvice applies to every constructor, and does nothing for memory")
	require.NoError(t, f.Close())
	_, err = mmarray.OpenBytes("mem.npy", nil, mmarray.ReadOnly)
	require.ErrorIs(t, err, npyheader.ErrTruncated)

	// Headers over the default limit open when the caller raises it.
	big, err := os.ReadFile(testdataPath("npy/struct_500_fields_v2.npy"))
	require.NoError(t, err)
	_, err = mmarray.OpenBytes("big.npy", big, mmarray.ReadOnly)
	require.ErrorIs(t, err, npyheader.ErrHeaderTooLarge)
	f, err = mmarray.OpenBytes("big.npy", big, mmarray.ReadOnly, mmarray.WithMaxHeaderSize(200000))
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// A view over bytes at an odd address reads and writes element by element
// and hands out no zero-copy slice; an aligned one hands out a slice of the
// caller's own buffer.
func TestOpenBytesUnalignedData(t *testing.T) {
	t.Parallel()
	image, err := os.ReadFile(testdataPath("npy/f8_le_3x4_C.npy"))
	require.NoError(t, err)
	buf := make([]byte, len(image)+1)
	copy(buf[1:], image)
	f, err := mmarray.OpenBytes("odd.npy", buf[1:], mmarray.ReadWrite)
	require.NoError(t, err)
	a, err := mmarray.View[float64](f)
	require.NoError(t, err)
	_, ok := a.Contiguous()
	require.False(t, ok, "unaligned data gives no []float64")
	a.Set(42.25, 1, 1)
	require.Equal(t, 42.25, a.At(1, 1))
	require.Equal(t, 42.25, math.Float64frombits(binary.LittleEndian.Uint64(buf[1+128+8*5:])))
	require.NoError(t, f.Close())

	aligned := append(make([]byte, 0, len(image)), image...)
	f, err = mmarray.OpenBytes("even.npy", aligned, mmarray.ReadWrite)
	require.NoError(t, err)
	b, err := mmarray.View[float64](f)
	require.NoError(t, err)
	s, ok := b.Contiguous()
	require.True(t, ok)
	require.Len(t, s, 12)
	s[0] = 7.5
	require.Equal(t, 7.5, math.Float64frombits(binary.LittleEndian.Uint64(aligned[128:])), "the slice is the caller's buffer, not a copy")
	require.NoError(t, f.Close())
}

// OpenRawBytes views raw bytes in memory as OpenRaw views the same bytes in
// a file: same header, same values in C and Fortran order, same .npy image
// from WriteTo; it infers a 1-D shape, ignores bytes past the array, refuses
// a short buffer, w+, a bad descr and a negative dimension, and copies the
// data only in c.
func TestOpenRawBytes(t *testing.T) {
	t.Parallel()
	data := make([]byte, 4*12+3) // 12 int32 and 3 bytes past them
	for i := range 12 {
		binary.LittleEndian.PutUint32(data[4*i:], uint32(i*7-20))
	}
	path := filepath.Join(t.TempDir(), "raw.bin")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	for _, fortran := range []bool{false, true} {
		fromFile, err := mmarray.OpenRaw(path, mmarray.ReadOnly, "<i4", []int{3, 4}, 0, mmarray.WithFortranOrder(fortran))
		require.NoError(t, err)
		fromBytes, err := mmarray.OpenRawBytes("chunk 0.0", data, mmarray.ReadOnly, "<i4", []int{3, 4}, mmarray.WithFortranOrder(fortran), mmarray.WithAdvice(mmarray.Random))
		require.NoError(t, err)
		require.Equal(t, fromFile.Header(), fromBytes.Header())
		require.True(t, fromBytes.IsRaw())
		require.True(t, fromBytes.IsInMemory())
		require.Equal(t, "chunk 0.0", fromBytes.Path())
		require.Equal(t, int64(len(data)), fromBytes.FileSize())
		require.Equal(t, int64(48), fromBytes.NBytes())
		want := slices.Collect(numpytest.Must(mmarray.View[int32](fromFile)).Values())
		got := slices.Collect(numpytest.Must(mmarray.View[int32](fromBytes)).Values())
		require.Equal(t, want, got, "fortran=%v", fortran)
		var wantImage, gotImage bytes.Buffer
		_, err = fromFile.WriteTo(&wantImage)
		require.NoError(t, err)
		_, err = fromBytes.WriteTo(&gotImage)
		require.NoError(t, err)
		require.Equal(t, wantImage.Bytes(), gotImage.Bytes())
		require.NoError(t, fromFile.Close())
		require.NoError(t, fromBytes.Close())
	}

	f, err := mmarray.OpenRawBytes("whole", data[:48], mmarray.ReadOnly, "<i4", nil)
	require.NoError(t, err)
	require.Equal(t, []int{12}, f.Shape())
	require.NoError(t, f.Close())
	_, err = mmarray.OpenRawBytes("odd", data, mmarray.ReadOnly, "<i4", nil)
	require.ErrorIs(t, err, mmarray.ErrFileSize, "51 bytes are not whole int32 items")
	_, err = mmarray.OpenRawBytes("empty", nil, mmarray.ReadOnly, "V0", nil)
	require.ErrorIs(t, err, mmarray.ErrShape)
	_, err = mmarray.OpenRawBytes("short", data[:47], mmarray.ReadOnly, "<i4", []int{3, 4})
	require.ErrorIs(t, err, mmarray.ErrFileSize)
	require.ErrorContains(t, err, "open raw bytes short: ")
	_, err = mmarray.OpenRawBytes("neg", data, mmarray.ReadOnly, "<i4", []int{-1})
	require.ErrorIs(t, err, mmarray.ErrShape)
	_, err = mmarray.OpenRawBytes("obj", data, mmarray.ReadOnly, "|O", []int{1})
	require.ErrorIs(t, err, npyheader.ErrObjectDType)
	for _, mode := range []mmarray.Mode{mmarray.Write, 0, 99} {
		_, err = mmarray.OpenRawBytes("mode", data, mode, "<i4", []int{12})
		require.ErrorIs(t, err, mmarray.ErrMode)
	}

	for _, mode := range []mmarray.Mode{mmarray.ReadWrite, mmarray.CopyOnWrite} {
		buf := bytes.Clone(data)
		f, err := mmarray.OpenRawBytes("rw", buf, mode, "<i4", []int{12})
		require.NoError(t, err)
		a := numpytest.Must(mmarray.View[int32](f))
		a.Set(99, 1)
		require.Equal(t, int32(99), a.At(1))
		if mode == mmarray.ReadWrite {
			require.Equal(t, uint32(99), binary.LittleEndian.Uint32(buf[4:]), "r+ writes the caller's buffer")
		} else {
			require.Equal(t, data, buf, "c never changes the caller's buffer")
		}
		require.NoError(t, f.Close())
	}
}
