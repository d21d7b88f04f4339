package npz_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/npz"
)

// writerModes are the two kinds of archive: np.savez and np.savez_compressed.
var writerModes = []struct {
	name string
	opts []npz.WriterOption
}{
	{"stored", nil},
	{"compressed", []npz.WriterOption{npz.Compressed()}},
}

// pyWriterArrays defines make_arrays(): the arrays the WriteArray round trip
// copies, one per dtype family, keyed by the keyword name they are saved as.
const pyWriterArrays = `
import os
def make_arrays():
    out = {}
    for dt in ['|b1', '|i1', '|u1', '<i2', '>i4', '<u8', '<f4', '>f8', '<c16']:
        out['num_' + dt[1:] + ('_be' if dt[0] == '>' else '')] = formula_array(dt, (3, 5))
    out['fortran'] = formula_array('<f8', (4, 3), order='F')
    out['scalar'] = np.array(2.5)
    out['empty'] = np.zeros((0, 3), '<i4')
    out['unicode'] = np.array(['a', 'h\u00e9llo', '', 'xyzw', '\u20ac'], dtype='<U5')
    out['bytes'] = np.array([b'ab', b'', b'xyz', b'q'], dtype='|S3')
    out['datetime'] = np.array(['2024-01-02T03:04:05.123456789', 'NaT', '1970-01-01'], dtype='<M8[ns]')
    out['structured'] = np.array([(1.5, 7), (-2.0, -1), (0.0, 2**31 - 1)], dtype=[('x', '<f8'), ('id', '<i4')])
    return out
`

// TestWriteArrayNumPyRoundTrip: NumPy saves one .npy per dtype, Go copies
// them into stored and compressed archives under keyword and positional
// names, and NumPy loads the archives: same keys in np.savez's order, same
// dtypes, shapes and memory order, byte-identical data, and members
// byte-identical to the ones np.savez writes for the same arrays.
func TestWriteArrayNumPyRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var keys []string
	require.NoError(t, json.Unmarshal([]byte(numpytest.Run(t, pyWriterArrays+`
arrays = make_arrays()
for k, a in arrays.items():
    np.save(os.path.join(sys.argv[1], k + '.npy'), a)
print(json.dumps(list(arrays)))
`, dir)), &keys))
	require.Greater(t, len(keys), 10)

	for _, mode := range writerModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "out.npz")
			w, err := npz.Create(path, mode.opts...)
			require.NoError(t, err)
			write := func(name, source string) {
				f, err := mmarray.Open(filepath.Join(dir, source+".npy"), mmarray.ReadOnly)
				require.NoError(t, err)
				defer f.Close()
				require.NoError(t, w.WriteArray(name, f))
			}
			for _, k := range keys {
				write(k, k)
			}
			// np.savez(path, unicode, structured, **arrays) writes the
			// keywords first, then arr_0 and arr_1.
			write(w.NextPositional(), "unicode")
			write(w.NextPositional(), "structured")
			require.NoError(t, w.Close())

			numpytest.Run(t, pyWriterArrays+`
path, compressed = sys.argv[1], sys.argv[2] == 'compressed'
want = make_arrays()
want['arr_0'] = want['unicode']
want['arr_1'] = want['structured']
with np.load(path) as z:
    assert z.files == list(want), (z.files, list(want))
    for k, a in want.items():
        got = z[k]
        assert got.dtype == a.dtype, (k, got.dtype, a.dtype)
        assert got.shape == a.shape, (k, got.shape, a.shape)
        assert got.flags.f_contiguous == a.flags.f_contiguous and got.flags.c_contiguous == a.flags.c_contiguous, k
        assert got.tobytes(order='A') == a.tobytes(order='A'), k
        if a.dtype.kind != 'M':  # NaT != NaT
            assert np.array_equal(got, a), k
ref = path + '.ref.npz'
(np.savez_compressed if compressed else np.savez)(ref, want['unicode'], want['structured'], **make_arrays())
with zipfile.ZipFile(path) as zg, zipfile.ZipFile(ref) as zr:
    assert zg.namelist() == zr.namelist(), (zg.namelist(), zr.namelist())
    assert zg.testzip() is None
    for info in zg.infolist():
        assert info.compress_type == (zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED), info
        ref_info = zr.getinfo(info.filename)
        assert info.date_time == ref_info.date_time == (1980, 1, 1, 0, 0, 0), (info.date_time, ref_info.date_time)
        assert (info.external_attr >> 16) & 0o777 == (ref_info.external_attr >> 16) & 0o777 == 0o600, info.external_attr
        assert zg.read(info.filename) == zr.read(info.filename), info.filename
print('ok')
`, path, mode.name)
			if mode.opts == nil {
				requireStoredAligned(t, path)
			}
		})
	}
}

// requireStoredAligned checks, with archive/zip as the independent reader,
// that every member is stored and that its array data (after the NPY header)
// starts at a multiple of npz.MemberAlign in the archive. It returns the
// number of members.
func requireStoredAligned(t *testing.T, path string) int {
	t.Helper()
	// Read once: one positioned read per member header would cost a system
	// call each, for up to 65539 members.
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	archive := bytes.NewReader(raw)
	zr, err := zip.NewReader(archive, archive.Size())
	require.NoError(t, err)
	// Archives here hold up to 65539 members: collect what is wrong and
	// fail once.
	var wrong []string
	count := 0
	for _, f := range zr.File {
		if f.Method != zip.Store {
			count++
			if len(wrong) < 5 {
				wrong = append(wrong, fmt.Sprintf("%s: method %d, not stored", f.Name, f.Method))
			}
			continue
		}
		memberStart, err := f.DataOffset()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		h, err := npyheader.Read(io.NewSectionReader(archive, memberStart, int64(f.UncompressedSize64)))
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if start := memberStart + h.DataOffset; start%npz.MemberAlign != 0 {
			count++
			if len(wrong) < 5 {
				wrong = append(wrong, fmt.Sprintf("%s: array data at archive offset %d", f.Name, start))
			}
		}
	}
	if count > 0 {
		t.Fatalf("%d of %d members are not stored with aligned data, first: %s", count, len(zr.File), strings.Join(wrong, "; "))
	}
	return len(zr.File)
}

// writerHeader is the header of an array of dtype descr and shape.
func writerHeader(t testing.TB, descr string, fortran bool, shape ...int) npyheader.Header {
	t.Helper()
	dt, err := npyheader.ParseDescr(descr)
	require.NoError(t, err)
	return npyheader.Header{DType: dt, FortranOrder: fortran, Shape: shape}
}

// utf32 encodes s as NumPy's <U<n> item: UCS-4 little-endian, NUL-padded.
func utf32(s string, n int) []byte {
	b := make([]byte, 4*n)
	i := 0
	for _, r := range s {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(r))
		i++
	}
	return b
}

// TestWriteFromValues writes data whose bytes Go computes for dtypes NumPy
// interprets in non-obvious ways, and checks the values NumPy reads.
func TestWriteFromValues(t *testing.T) {
	t.Parallel()
	type member struct {
		name string
		h    npyheader.Header
		data []byte
		want string // JSON of what NumPy's tolist() gives
	}
	var structured, datetimes, bigFortran bytes.Buffer
	for k := range 4 {
		binary.Write(&structured, binary.LittleEndian, float64(k)*0.5-3.25)
		binary.Write(&structured, binary.LittleEndian, int32(k*7-5))
	}
	for _, v := range []int64{0, 1700000000123456789, math.MinInt64} {
		binary.Write(&datetimes, binary.LittleEndian, v)
	}
	// A 2x3 array in Fortran order: memory holds column by column.
	for _, v := range []int32{1, 4, 2, 5, 3, 6} {
		binary.Write(&bigFortran, binary.BigEndian, v)
	}
	members := []member{
		{"structured", writerHeader(t, "[('x', '<f8'), ('id', '<i4')]", false, 4), structured.Bytes(),
			`[[-3.25,-5],[-2.75,2],[-2.25,9],[-1.75,16]]`},
		{"unicode", writerHeader(t, "<U5", false, 3),
			slices.Concat(utf32("a", 5), utf32("héllo", 5), utf32("€€", 5)), `["a","héllo","€€"]`},
		{"bytes", writerHeader(t, "|S3", false, 2, 2), []byte("ab\x00\x00\x00\x00xyzq\x00\x00"),
			`[["ab",""],["xyz","q"]]`},
		{"datetime", writerHeader(t, "<M8[ns]", false, 3), datetimes.Bytes(),
			`[0,1700000000123456789,-9223372036854775808]`},
		{"big_fortran", writerHeader(t, ">i4", true, 2, 3), bigFortran.Bytes(), `[[1,2,3],[4,5,6]]`},
		{"zero_d", writerHeader(t, "<f8", false), binary.LittleEndian.AppendUint64(nil, math.Float64bits(-0.5)), `-0.5`},
	}
	for _, mode := range writerModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			var archive bytes.Buffer
			w := npz.NewWriter(&archive, mode.opts...)
			for _, m := range members {
				require.NoError(t, w.WriteFrom(m.name, m.h, bytes.NewReader(m.data)), m.name)
			}
			require.NoError(t, w.Close())
			path := filepath.Join(t.TempDir(), "values.npz")
			require.NoError(t, os.WriteFile(path, archive.Bytes(), 0o644))

			out := numpytest.Run(t, `
res = {}
with np.load(sys.argv[1]) as z:
    for k in z.files:
        a = z[k]
        if a.dtype.kind == 'M':
            v = a.view('<i8').tolist()
        elif a.dtype.kind == 'S':
            v = np.char.decode(a, 'latin1').tolist()
        else:
            v = a.tolist()
        res[k] = {'dtype': str(a.dtype.descr if a.dtype.names else a.dtype.str), 'shape': list(a.shape), 'values': v}
print(json.dumps(res))
`, path)
			var got map[string]struct {
				DType  string          `json:"dtype"`
				Shape  []int           `json:"shape"`
				Values json.RawMessage `json:"values"`
			}
			require.NoError(t, json.Unmarshal([]byte(out), &got))
			require.Len(t, got, len(members))
			for _, m := range members {
				g, ok := got[m.name]
				require.True(t, ok, m.name)
				require.Equal(t, m.h.DType.String(), g.DType, m.name)
				require.Equal(t, append([]int{}, m.h.Shape...), g.Shape, m.name)
				require.JSONEq(t, m.want, string(g.Values), m.name)
			}
			if mode.opts == nil {
				path := filepath.Join(t.TempDir(), "stored.npz")
				require.NoError(t, os.WriteFile(path, archive.Bytes(), 0o644))
				require.Equal(t, len(members), requireStoredAligned(t, path))
			}
		})
	}
}

// TestWriteStoredAlignment varies everything that moves a member's start:
// name lengths from 1 to 70 bytes (so the padding takes every value from 0
// to 63), data sizes that are not multiples of 64, header lengths, and the
// zip64 data descriptor sizes are left to the big test.
func TestWriteStoredAlignment(t *testing.T) {
	t.Parallel()
	var archive bytes.Buffer
	w := npz.NewWriter(&archive)
	for i := 1; i <= 70; i++ {
		name := strings.Repeat("n", i)
		h := writerHeader(t, "|u1", false, i%7)
		if i%5 == 0 { // a longer header: a wide structured dtype
			h = writerHeader(t, "[('a', '<f8'), ('b', '|S3'), ('c', '<i2', (2, 3))]", i%3 == 0, i%4, 1)
		}
		size, err := h.DataSize()
		require.NoError(t, err)
		require.NoError(t, w.WriteFrom(name, h, bytes.NewReader(bytes.Repeat([]byte{byte(i)}, int(size)))))
	}
	require.NoError(t, w.Close())
	path := filepath.Join(t.TempDir(), "aligned.npz")
	require.NoError(t, os.WriteFile(path, archive.Bytes(), 0o644))
	require.Equal(t, 70, requireStoredAligned(t, path))

	// Every local header carries exactly one padding extra field, which
	// zip readers skip: Python's zipfile parses it and NumPy loads every
	// member.
	out := numpytest.Run(t, `
import struct
with zipfile.ZipFile(sys.argv[1]) as zf, open(sys.argv[1], 'rb') as raw:
    for info in zf.infolist():
        raw.seek(info.header_offset)
        fixed = raw.read(30)
        name_len, extra_len = struct.unpack('<HH', fixed[26:30])
        raw.seek(name_len, 1)
        extra = raw.read(extra_len)
        ident, size, align = struct.unpack('<HHH', extra[:6])
        assert (ident, size, align) == (0xd935, extra_len - 4, 64), (info.filename, ident, size, align)
        assert extra[6:] == bytes(extra_len - 6), info.filename
        start = info.header_offset + 30 + name_len + extra_len
        with zf.open(info) as m:
            version = np.lib.format.read_magic(m)
            np.lib.format._read_array_header(m, version)
            assert (start + m.tell()) % 64 == 0, info.filename
with np.load(sys.argv[1]) as z:
    print(sum(int(z[k].size) for k in z.files))
`, path)
	var wantElements int
	for i := 1; i <= 70; i++ {
		if i%5 == 0 {
			wantElements += i % 4
		} else {
			wantElements += i % 7
		}
	}
	require.Equal(t, wantElements, atoiTrim(t, out))
}

func atoiTrim(t *testing.T, s string) int {
	t.Helper()
	var n int
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(s)), &n))
	return n
}

// TestWriteNames: member names are name + ".npy" verbatim; positional names
// count arr_0, arr_1, ...; a duplicate is refused whichever way it arises
// (as np.savez refuses a keyword arr_0 next to a positional argument),
// writes nothing, and leaves the Writer usable.
func TestWriteNames(t *testing.T) {
	t.Parallel()
	require.Equal(t, "arr_12", npz.PositionalName(12))
	path := filepath.Join(t.TempDir(), "names.npz")
	w, err := npz.Create(path)
	require.NoError(t, err)
	h := writerHeader(t, "<i2", false, 1)
	one := func() io.Reader { return bytes.NewReader([]byte{1, 0}) }

	require.NoError(t, w.WriteFrom("x", h, one()))
	require.Equal(t, "arr_0", w.NextPositional())
	require.NoError(t, w.WriteFrom("arr_0", h, one()))
	err = w.WriteFrom("arr_0", h, one()) // a keyword arr_0 after positional arr_0
	require.ErrorIs(t, err, npz.ErrDuplicateName)
	require.ErrorIs(t, w.WriteFrom("x", h, one()), npz.ErrDuplicateName)
	require.NoError(t, w.WriteFrom("arr_2", h, one())) // a keyword ahead of the positionals
	require.Equal(t, "arr_1", w.NextPositional())
	require.NoError(t, w.WriteFrom("arr_1", h, one()))
	positional := w.NextPositional()
	require.Equal(t, "arr_2", positional)
	require.ErrorIs(t, w.WriteFrom(positional, h, one()), npz.ErrDuplicateName)
	require.NoError(t, w.WriteFrom("dir/with.dots", h, one()))
	require.NoError(t, w.WriteFrom("", h, one()))
	require.NoError(t, w.WriteFrom("x.npy", h, one()))
	require.NoError(t, w.WriteFrom("température_ß", h, one()))
	require.NoError(t, w.Close())

	out := numpytest.Run(t, `
with zipfile.ZipFile(sys.argv[1]) as zf:
    names = zf.namelist()
with np.load(sys.argv[1]) as z:
    files = z.files
    total = sum(int(z[k][0]) for k in files)
try:
    np.savez(sys.argv[1] + '.2.npz', np.zeros(1), arr_0=np.zeros(1))
    raised = False
except ValueError:
    raised = True
print(json.dumps({'names': names, 'files': files, 'total': total, 'numpy_refuses': raised}))
`, path)
	var got struct {
		Names, Files []string
		Total        int
		NumpyRefuses bool `json:"numpy_refuses"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Equal(t, []string{"x.npy", "arr_0.npy", "arr_2.npy", "arr_1.npy", "dir/with.dots.npy", ".npy", "x.npy.npy", "température_ß.npy"}, got.Names)
	require.Equal(t, []string{"x", "arr_0", "arr_2", "arr_1", "dir/with.dots", "", "x.npy", "température_ß"}, got.Files)
	require.Equal(t, 8, got.Total)
	require.True(t, got.NumpyRefuses, "np.savez refuses a keyword arr_0 next to a positional argument")

	tooLong := strings.Repeat("a", 1<<16-4)
	w = npz.NewWriter(io.Discard)
	require.ErrorIs(t, w.WriteFrom(tooLong, h, one()), npz.ErrName)
	require.NoError(t, w.WriteFrom(tooLong[:len(tooLong)-1], h, one()))
	require.NoError(t, w.Close())
}

// TestEmptyArchive: no members gives the same 22 bytes as np.savez with no
// arrays.
func TestEmptyArchive(t *testing.T) {
	t.Parallel()
	for _, mode := range writerModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			var archive bytes.Buffer
			require.NoError(t, npz.NewWriter(&archive, mode.opts...).Close())
			out := numpytest.Run(t, `
import io
b = io.BytesIO()
(np.savez_compressed if sys.argv[1] == 'compressed' else np.savez)(b)
print(b.getvalue().hex())
`, mode.name)
			require.Equal(t, strings.TrimSpace(out), hex.EncodeToString(archive.Bytes()), mode.name)
		})
	}
}

// failingWriter fails every write after the first limit bytes.
type failingWriter struct {
	limit int
	err   error
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= f.limit {
		f.limit -= len(p)
		return len(p), nil
	}
	n := f.limit
	f.limit = 0
	return n, f.err
}

// failingReader returns its data, then err instead of io.EOF.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestWriteErrors: errors before a member starts write nothing and leave
// the Writer usable; errors while a member is written make it refuse further
// members, make Close report the failure and remove Create's file.
func TestWriteErrors(t *testing.T) {
	t.Parallel()
	h := writerHeader(t, "<f8", false, 4) // 32 data bytes
	errDisk := errors.New("disk on fire")
	errSource := errors.New("source on fire")

	t.Run("refused before writing", func(t *testing.T) {
		t.Parallel()
		for _, mode := range writerModes {
			var archive bytes.Buffer
			w := npz.NewWriter(&archive, mode.opts...)
			object := writerHeader(t, "|O", false, 2)
			require.ErrorIs(t, w.WriteFrom("o", object, bytes.NewReader(make([]byte, 16))), npyheader.ErrObjectDType)
			huge := writerHeader(t, "<f8", false, math.MaxInt, math.MaxInt)
			require.ErrorIs(t, w.WriteFrom("huge", huge, bytes.NewReader(nil)), memmap.ErrTooLarge)
			require.Zero(t, archive.Len(), "nothing written for refused members")
			require.NoError(t, w.WriteFrom("ok", h, bytes.NewReader(make([]byte, 32))))
			require.NoError(t, w.Close())
			zr, err := zip.NewReader(bytes.NewReader(archive.Bytes()), int64(archive.Len()))
			require.NoError(t, err)
			require.Len(t, zr.File, 1)
		}
	})

	broken := []struct {
		name string
		data func() io.Reader // a fresh source for each subtest
		// failingDest writes to a destination that fails right after the
		// first member instead of to a file made by Create.
		failingDest bool
		want        []error
	}{
		{"short data", func() io.Reader { return bytes.NewReader(make([]byte, 31)) }, false, []error{npz.ErrDataSize, io.ErrUnexpectedEOF}},
		{"long data", func() io.Reader { return bytes.NewReader(make([]byte, 33)) }, false, []error{npz.ErrDataSize}},
		{"reader error", func() io.Reader { return &failingReader{data: make([]byte, 8), err: errSource} }, false, []error{errSource}},
		{"reader error after the data", func() io.Reader { return &failingReader{data: make([]byte, 32), err: errSource} }, false, []error{errSource}},
		{"destination error", func() io.Reader { return bytes.NewReader(make([]byte, 32)) }, true, []error{errDisk}},
	}
	firstHeader := writerHeader(t, "|u1", false)
	first := func(w *npz.Writer) error {
		return w.WriteFrom("first", firstHeader, bytes.NewReader([]byte{7}))
	}
	for _, tc := range broken {
		for _, mode := range writerModes {
			t.Run(tc.name+"/"+mode.name, func(t *testing.T) {
				t.Parallel()
				var w *npz.Writer
				path := filepath.Join(t.TempDir(), "broken.npz")
				if tc.failingDest {
					// The first member's bytes have all reached the
					// destination when WriteFrom returns.
					var probe bytes.Buffer
					require.NoError(t, first(npz.NewWriter(&probe, mode.opts...)))
					w = npz.NewWriter(&failingWriter{limit: probe.Len() + 10, err: errDisk}, mode.opts...)
				} else {
					var err error
					w, err = npz.Create(path, mode.opts...)
					require.NoError(t, err)
				}
				require.NoError(t, first(w))
				err := w.WriteFrom("x", h, tc.data())
				for _, want := range tc.want {
					require.ErrorIs(t, err, want)
				}
				later := w.WriteFrom("y", h, bytes.NewReader(make([]byte, 32)))
				require.ErrorIs(t, later, tc.want[0], "the Writer refuses members after a broken one")
				closeErr := w.Close()
				require.ErrorIs(t, closeErr, tc.want[0])
				if !tc.failingDest {
					_, statErr := os.Stat(path)
					require.ErrorIs(t, statErr, os.ErrNotExist, "Close removes the incomplete archive")
				}
			})
		}
	}

	t.Run("closed", func(t *testing.T) {
		t.Parallel()
		w := npz.NewWriter(io.Discard)
		require.NoError(t, w.Close())
		require.ErrorIs(t, w.Close(), memmap.ErrClosed)
		require.ErrorIs(t, w.WriteFrom("x", h, bytes.NewReader(make([]byte, 32))), memmap.ErrClosed)
		require.Equal(t, "arr_0", w.NextPositional())
	})

	t.Run("create in a missing directory", func(t *testing.T) {
		t.Parallel()
		_, err := npz.Create(filepath.Join(t.TempDir(), "missing", "x.npz"))
		require.ErrorIs(t, err, os.ErrNotExist)
	})
}

// TestWriteArraySources: WriteArray copies what the File's views see:
// ReadWrite changes before Flush, CopyOnWrite changes that never reach the
// file, an in-memory image; a raw file becomes an .npy member, and a closed
// File is refused without writing anything.
func TestWriteArraySources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	created, err := mmarray.Create(filepath.Join(dir, "created.npy"), "<f8", []int{3, 4})
	require.NoError(t, err)
	defer created.Close()
	view, err := mmarray.View[float64](created)
	require.NoError(t, err)
	for k := range 12 {
		view.Set(formula.Value[float64](k), formula.Unravel(k, []int{3, 4})...)
	}

	rawPath := filepath.Join(dir, "raw.bin")
	var raw bytes.Buffer
	raw.WriteString("PREFIX") // the data starts at an offset
	for k := range 10 {
		binary.Write(&raw, binary.BigEndian, formula.Value[int16](k))
	}
	require.NoError(t, os.WriteFile(rawPath, raw.Bytes(), 0o644))
	rawFile, err := mmarray.OpenRaw(rawPath, mmarray.ReadOnly, ">i2", []int{2, 5}, 6, mmarray.WithFortranOrder(true))
	require.NoError(t, err)
	defer rawFile.Close()

	npyImage, err := os.ReadFile(filepath.Join(dir, "created.npy"))
	require.NoError(t, err)
	inMemory, err := mmarray.OpenBytes(filepath.Join(dir, "no-such-file.npy"), npyImage, mmarray.ReadOnly)
	require.NoError(t, err)
	defer inMemory.Close()
	private, err := mmarray.Open(filepath.Join(dir, "created.npy"), mmarray.CopyOnWrite)
	require.NoError(t, err)
	defer private.Close()
	privateView, err := mmarray.View[float64](private)
	require.NoError(t, err)
	privateView.Set(-1, 0, 0) // in memory only
	closed, err := mmarray.Open(filepath.Join(dir, "created.npy"), mmarray.ReadOnly)
	require.NoError(t, err)
	require.NoError(t, closed.Close())

	path := filepath.Join(t.TempDir(), "sources.npz")
	w, err := npz.Create(path)
	require.NoError(t, err)
	require.NoError(t, w.WriteArray("created", created)) // no Flush
	require.NoError(t, w.WriteArray("raw", rawFile))
	require.NoError(t, w.WriteArray("in_memory", inMemory))
	require.NoError(t, w.WriteArray("private", private))
	require.ErrorIs(t, w.WriteArray("closed", closed), memmap.ErrClosed)
	require.ErrorIs(t, w.WriteArray("created", created), npz.ErrDuplicateName)
	require.NoError(t, w.Close())
	requireStoredAligned(t, path)

	numpytest.Run(t, `
with np.load(sys.argv[1]) as z:
    assert z.files == ['created', 'raw', 'in_memory', 'private'], z.files
    assert np.array_equal(z['created'], formula_array('<f8', (3, 4))), z['created']
    assert np.array_equal(z['in_memory'], formula_array('<f8', (3, 4))), z['in_memory']
    p = formula_array('<f8', (3, 4))
    p[0, 0] = -1
    assert np.array_equal(z['private'], p), z['private']
    r = z['raw']
    assert r.dtype == np.dtype('>i2') and r.flags.f_contiguous and not r.flags.c_contiguous
    want = formula_array('>i2', (10,)).reshape((2, 5), order='F')
    assert np.array_equal(r, want), (r, want)
print('ok')
`, path)
}

// recordingWriter keeps what it is given and where each slice it was given
// lay, to show what reaches the destination of a Writer.
type recordingWriter struct {
	bytes.Buffer
	writes []recordedWrite
}

type recordedWrite struct {
	start unsafe.Pointer
	len   int
}

func (r *recordingWriter) Write(p []byte) (int, error) {
	r.writes = append(r.writes, recordedWrite{unsafe.Pointer(unsafe.SliceData(p)), len(p)})
	return r.Buffer.Write(p)
}

// TestWriteArrayWritesTheMapping: the data of a stored member reaches the
// destination as the File's mapped bytes themselves, whole, in one Write,
// not copied through a buffer in chunks, and the member holds exactly the
// .npy image of the File. A closed File is refused before anything is
// written, and the Writer stays usable.
func TestWriteArrayWritesTheMapping(t *testing.T) {
	t.Parallel()
	shape := []int{100, 30} // 24000 bytes: more than archive/zip's 4 KiB buffer
	path := filepath.Join(t.TempDir(), "a.npy")
	f, err := mmarray.Create(path, "<f8", shape)
	require.NoError(t, err)
	defer f.Close()
	view, err := mmarray.View[float64](f)
	require.NoError(t, err)
	for k := range view.Len() {
		view.Set(formula.Value[float64](k), formula.Unravel(k, shape)...)
	}
	data, ok := view.Contiguous()
	require.True(t, ok)
	var image bytes.Buffer
	_, err = f.WriteTo(&image)
	require.NoError(t, err)

	var dest recordingWriter
	w := npz.NewWriter(&dest)
	require.NoError(t, w.WriteArray("a", f))

	closed, err := mmarray.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	require.NoError(t, closed.Close())
	before, writes := dest.Len(), len(dest.writes)
	require.ErrorIs(t, w.WriteArray("closed", closed), memmap.ErrClosed)
	require.Equal(t, before, dest.Len(), "nothing written for a closed File")
	require.Len(t, dest.writes, writes, "nothing written for a closed File")
	require.NoError(t, w.WriteArray("b", f), "the Writer stays usable")
	require.NoError(t, w.Close())

	mapped := recordedWrite{unsafe.Pointer(&data[0]), int(f.NBytes())}
	fromMapping := 0
	for _, write := range dest.writes {
		if write == mapped {
			fromMapping++
		}
	}
	require.Equal(t, 2, fromMapping, "each member's data reaches the destination in one Write of the mapping: %v", dest.writes)

	zr, err := zip.NewReader(bytes.NewReader(dest.Bytes()), int64(dest.Len()))
	require.NoError(t, err)
	require.Len(t, zr.File, 2)
	for _, member := range zr.File {
		r, err := member.Open()
		require.NoError(t, err)
		got, err := io.ReadAll(r) // checks the CRC-32
		require.NoError(t, err)
		require.Equal(t, image.Bytes(), got, member.Name)
	}
}

// TestWriteManyMembers: more than 65535 members need the zip64 end of
// central directory, which archive/zip writes on its own; NumPy must still
// read every member, and stored members stay aligned.
func TestWriteManyMembers(t *testing.T) {
	t.Parallel() // the slowest test here: let it overlap with the others
	const members = 1<<16 + 3
	path := filepath.Join(t.TempDir(), "many.npz")
	w, err := npz.Create(path)
	require.NoError(t, err)
	h := writerHeader(t, "<u4", false)
	var value [4]byte
	for i := range members {
		binary.LittleEndian.PutUint32(value[:], uint32(i))
		if err := w.WriteFrom(w.NextPositional(), h, bytes.NewReader(value[:])); err != nil {
			t.Fatalf("member %d: %v", i, err)
		}
	}
	require.NoError(t, w.Close())

	archive, err := os.ReadFile(path)
	require.NoError(t, err)
	// The archive ends with the zip64 locator (20 bytes) and the classic end
	// record (22 bytes), whose entry counts say "see zip64"; the locator
	// points at the zip64 end record, which holds the real count.
	end := archive[len(archive)-22:]
	locator := archive[len(archive)-42 : len(archive)-22]
	require.Equal(t, "PK\x05\x06", string(end[:4]))
	require.Equal(t, uint16(0xffff), binary.LittleEndian.Uint16(end[10:]))
	require.Equal(t, "PK\x06\x07", string(locator[:4]))
	zip64End := archive[binary.LittleEndian.Uint64(locator[8:]):]
	require.Equal(t, "PK\x06\x06", string(zip64End[:4]))
	require.Equal(t, uint64(members), binary.LittleEndian.Uint64(zip64End[32:]))
	require.Equal(t, members, requireStoredAligned(t, path))

	out := numpytest.Run(t, `
with np.load(sys.argv[1]) as z:
    files = z.files
    assert files == ['arr_%d' % i for i in range(len(files))]
    picks = [0, 1, 65535, 65536, len(files) - 1]
    print(json.dumps({'count': len(files), 'values': [int(z['arr_%d' % i]) for i in picks]}))
`, path)
	var got struct {
		Count  int
		Values []int
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Equal(t, members, got.Count)
	require.Equal(t, []int{0, 1, 65535, 65536, members - 1}, got.Values)
}

// patternReader streams size bytes of little-endian uint64 values 0, 1, 2,
// ... without holding them, and samples the Go heap as it goes.
type patternReader struct {
	pos, size int64
	maxHeap   uint64
	nextCheck int64
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.pos >= p.size {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.size-p.pos)]
	for i := 0; i < len(b); {
		pos := p.pos + int64(i)
		if pos%8 == 0 && len(b)-i >= 8 { // a whole value
			binary.LittleEndian.PutUint64(b[i:], uint64(pos/8))
			i += 8
			continue
		}
		b[i] = byte(uint64(pos/8) >> (8 * (pos % 8)))
		i++
	}
	p.pos += int64(len(b))
	if p.pos >= p.nextCheck {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		p.maxHeap = max(p.maxHeap, ms.HeapAlloc)
		p.nextCheck = p.pos + 256<<20
	}
	return len(b), nil
}

// TestWriteBigMember streams a stored member larger than 4 GiB, between two
// small ones, without holding it in memory: zip64 sizes for the big member,
// a zip64 offset for the member after it, both aligned. It writes about
// 4.4 GB to the temporary directory and takes a while, so it runs only with
// MEMMAP_BIG_TESTS=1.
func TestWriteBigMember(t *testing.T) {
	// Not parallel: it samples the heap of the whole process.
	if os.Getenv("MEMMAP_BIG_TESTS") != "1" {
		t.Skip("set MEMMAP_BIG_TESTS=1 to write a 4.4 GB archive")
	}
	const count = (4<<30 + 64<<20) / 8 // 4 GiB + 64 MiB of uint64
	path := filepath.Join(t.TempDir(), "big.npz")
	w, err := npz.Create(path)
	require.NoError(t, err)
	small := writerHeader(t, "<i4", false, 3)
	three := []byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}
	require.NoError(t, w.WriteFrom("before", small, bytes.NewReader(three)))

	pattern := &patternReader{size: count * 8}
	started := time.Now()
	require.NoError(t, w.WriteFrom("big", writerHeader(t, "<u8", false, count), pattern))
	elapsed := time.Since(started)
	require.NoError(t, w.WriteFrom("after", small, bytes.NewReader(three)))
	require.NoError(t, w.Close())
	t.Logf("wrote %d bytes of array data in %v (%.2f GB/s); highest Go heap seen while streaming: %.1f MiB",
		pattern.size, elapsed, float64(pattern.size)/elapsed.Seconds()/1e9, float64(pattern.maxHeap)/(1<<20))
	if status, err := os.ReadFile("/proc/self/status"); err == nil { // Linux: peak RSS, for the log
		for line := range strings.Lines(string(status)) {
			if strings.HasPrefix(line, "VmHWM:") {
				t.Logf("peak RSS of the test process: %s", strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")))
			}
		}
	}
	require.NotZero(t, pattern.maxHeap)
	require.Less(t, pattern.maxHeap, uint64(64<<20), "the Go heap stays small while a 4 GiB member streams")
	require.Equal(t, 3, requireStoredAligned(t, path))

	started = time.Now()
	out := numpytest.Run(t, `
with zipfile.ZipFile(sys.argv[1]) as zf:
    infos = {i.filename: i for i in zf.infolist()}
    big = infos['big.npy']
    with zf.open(big) as m:
        version = np.lib.format.read_magic(m)
        shape, fortran, dtype = np.lib.format._read_array_header(m, version)
        header_len = m.tell()
        chunk = 64 << 20
        first = np.frombuffer(m.read(chunk), '<u8')
        assert np.array_equal(first, np.arange(first.size, dtype='<u8'))
        seen = first.size
        while True:
            b = m.read(chunk)  # zipfile checks the CRC-32 when the member ends
            if not b:
                break
            a = np.frombuffer(b, '<u8')
            assert a[0] == seen and a[-1] == seen + a.size - 1, (seen, a[0], a[-1])
            seen += a.size
with np.load(sys.argv[1]) as z:
    before, after = z['before'].tolist(), z['after'].tolist()
print(json.dumps({'shape': list(shape), 'dtype': dtype.str, 'fortran': fortran, 'seen': seen,
                  'big_size': big.file_size, 'after_offset': infos['after.npy'].header_offset,
                  'header_len': header_len, 'before': before, 'after': after}))
`, path)
	t.Logf("Python zipfile read and checked the big member in %v", time.Since(started))
	var got struct {
		Shape       []int
		DType       string
		Fortran     bool
		Seen        int64
		BigSize     int64 `json:"big_size"`
		AfterOffset int64 `json:"after_offset"`
		HeaderLen   int64 `json:"header_len"`
		Before      []int
		After       []int
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Equal(t, []int{count}, got.Shape)
	require.Equal(t, "<u8", got.DType)
	require.False(t, got.Fortran)
	require.Equal(t, int64(count), got.Seen)
	require.Equal(t, got.HeaderLen+count*8, got.BigSize)
	require.Greater(t, got.AfterOffset, int64(1<<32), "the member after the big one needs a zip64 offset")
	require.Equal(t, []int{1, 2, 3}, got.Before)
	require.Equal(t, []int{1, 2, 3}, got.After)

	// This package's reader maps the 4 GiB member in place through the zip64
	// records, touching only the pages it reads.
	archive, err := npz.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	defer archive.Close()
	member, err := archive.Member("big")
	require.NoError(t, err)
	require.Equal(t, npz.InPlace, member.Storage)
	bigFile, err := archive.Open("big")
	require.NoError(t, err)
	defer bigFile.Close()
	values, err := mmarray.View[uint64](bigFile)
	require.NoError(t, err)
	flat, ok := values.Contiguous()
	require.True(t, ok, "stored data is aligned, so the zero-copy slice is there")
	for _, k := range []int{0, 1, count / 2, count - 1} {
		require.Equal(t, uint64(k), flat[k])
	}
	afterFile, err := archive.Open("after")
	require.NoError(t, err)
	defer afterFile.Close()
	require.Greater(t, afterFile.DataOffset(), int64(1<<32))
	after, err := mmarray.View[int32](afterFile)
	require.NoError(t, err)
	require.Equal(t, int32(3), after.At(2))
}

// zeroReader yields left zero bytes without allocating.
type zeroReader struct{ left int64 }

func (z *zeroReader) Read(b []byte) (int, error) {
	if z.left == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(b)), z.left)
	clear(b[:n])
	z.left -= n
	return int(n), nil
}

// sparseFile writes to a file but seeks over every all-zero write instead of
// writing it, so gigabytes of zeros cost holes, not disk. finish sets the
// file's size to the bytes written, holes included (a trailing hole is not
// part of the file until then).
type sparseFile struct {
	f        *os.File
	n        int64 // bytes written, holes included
	realData int64 // bytes actually written
}

// zeroBlock is compared against, not written: a vectorized compare finds
// all-zero writes at memory speed.
var zeroBlock = make([]byte, 64<<10)

func allZero(p []byte) bool {
	for len(p) > 0 {
		n := min(len(p), len(zeroBlock))
		if !bytes.Equal(p[:n], zeroBlock[:n]) {
			return false
		}
		p = p[n:]
	}
	return true
}

func (s *sparseFile) Write(p []byte) (int, error) {
	if allZero(p) {
		if _, err := s.f.Seek(int64(len(p)), io.SeekCurrent); err != nil {
			return 0, err
		}
		s.n += int64(len(p))
		return len(p), nil
	}
	n, err := s.f.Write(p)
	s.n += int64(n)
	s.realData += int64(n)
	return n, err
}

func (s *sparseFile) finish() error {
	if err := s.f.Truncate(s.n); err != nil {
		return err
	}
	return s.f.Close()
}

// A stored member of just over 4 GiB of zeros, streamed to a sparse file:
// archive/zip writes a 24-byte (zip64) data descriptor after it, and the
// next member's header lands where the Writer computed, or WriteFrom would
// fail with ErrAlignment. This package's reader then finds the member after
// it at an archive offset past 4 GiB through the zip64 records and maps it.
// The cheap cousin of TestWriteBigMember, which writes a real 4.4 GB archive
// only with MEMMAP_BIG_TESTS=1: here the zeros go through the CRC-32 and
// become a hole, a few KB reach the disk, and nothing reads the big member.
func TestWriteZip64DataDescriptor(t *testing.T) {
	t.Parallel()
	if strconv.IntSize == 32 {
		t.Skip("a shape of 2^32 elements needs 64-bit ints")
	}
	path := filepath.Join(t.TempDir(), "sparse.npz")
	file, err := os.Create(path)
	require.NoError(t, err)
	out := &sparseFile{f: file}
	w := npz.NewWriter(out)
	count := int64(1)<<32 + 8 // bytes of |u1 data: the member needs zip64
	small := writerHeader(t, "<i4", false, 3)
	three := []byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}
	require.NoError(t, w.WriteFrom("before", small, bytes.NewReader(three)))
	started := time.Now()
	require.NoError(t, w.WriteFrom("big", writerHeader(t, "|u1", false, int(count)), &zeroReader{count}))
	t.Logf("streamed %d bytes in %v", count, time.Since(started))
	require.NoError(t, w.WriteFrom("after", small, bytes.NewReader(three)), "the descriptor after the big member is 24 bytes")
	require.NoError(t, w.Close())
	require.NoError(t, out.finish())
	require.Greater(t, out.n, count)
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, out.n, info.Size())
	t.Logf("archive of %d bytes, %d of them written (the rest a hole)", out.n, out.realData)
	require.Less(t, out.realData, int64(64<<10), "the zeros were skipped, not written")

	started = time.Now()
	archive, err := npz.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	defer archive.Close()
	big, err := archive.Member("big")
	require.NoError(t, err)
	require.Equal(t, npz.InPlace, big.Storage)
	require.Equal(t, []int{int(count)}, big.Header.Shape)
	afterFile, err := archive.Open("after")
	require.NoError(t, err)
	defer afterFile.Close()
	require.Greater(t, afterFile.DataOffset(), int64(1<<32), "the member after the big one is past 4 GiB")
	after, err := mmarray.View[int32](afterFile)
	require.NoError(t, err)
	dst := make([]int32, 3)
	require.Equal(t, 3, after.CopyTo(dst))
	require.Equal(t, []int32{1, 2, 3}, dst)
	require.NoError(t, archive.Verify("after"))
	t.Logf("opened the archive and mapped the member past 4 GiB in %v", time.Since(started))
}

// TestWriterReaderRoundTrip: this package's reader maps every stored member
// the Writer wrote in place, at the aligned offset, and reads the compressed
// ones; a File the reader maps from one archive can be copied into another
// with WriteArray, which NumPy reads.
func TestWriterReaderRoundTrip(t *testing.T) {
	t.Parallel()
	shape := []int{4, 5}
	members := []struct {
		descr string
		data  []byte
	}{
		{"|b1", formula.LittleEndian[bool](20)},
		{"|i1", formula.LittleEndian[int8](20)},
		{"<u2", formula.LittleEndian[uint16](20)},
		{"<i4", formula.LittleEndian[int32](20)},
		{"<u8", formula.LittleEndian[uint64](20)},
		{"<f2", formula.LittleEndian[mmarray.Float16](20)},
		{"<f4", formula.LittleEndian[float32](20)},
		{"<f8", formula.LittleEndian[float64](20)},
		{"<c8", formula.LittleEndian[complex64](20)},
		{"<c16", formula.LittleEndian[complex128](20)},
	}
	for _, mode := range writerModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "formula.npz")
			w, err := npz.Create(path, mode.opts...)
			require.NoError(t, err)
			for _, m := range members {
				require.NoError(t, w.WriteFrom(kindOf(m.descr), writerHeader(t, m.descr, false, shape...), bytes.NewReader(m.data)))
			}
			require.NoError(t, w.Close())

			archive, err := npz.Open(path, mmarray.ReadOnly)
			require.NoError(t, err)
			defer archive.Close()
			require.Len(t, archive.Members(), len(members))

			copyPath := filepath.Join(t.TempDir(), "copy.npz")
			copied, err := npz.Create(copyPath, npz.Compressed())
			require.NoError(t, err)
			for _, member := range archive.Members() {
				require.NoError(t, member.Err, member.Name)
				if mode.opts == nil {
					require.Equal(t, npz.InPlace, member.Storage, member.Name)
					require.Zero(t, member.DataOffset%npz.MemberAlign, member.Name)
				}
				f, err := archive.Open(member.Key)
				require.NoError(t, err)
				byKind[member.Key].check(t, f)
				// In place or decompressed, a member copies into another archive.
				require.NoError(t, copied.WriteArray(member.Key, f))
				require.NoError(t, f.Close())
			}
			require.NoError(t, copied.Close())
			numpytest.Run(t, `
with np.load(sys.argv[1]) as z:
    assert len(z.files) == int(sys.argv[2]), z.files
    for k in z.files:
        want = formula_array(k, (4, 5))
        assert z[k].dtype == want.dtype and np.array_equal(z[k], want), k
print('ok')
`, copyPath, strconv.Itoa(len(members)))
		})
	}
}
