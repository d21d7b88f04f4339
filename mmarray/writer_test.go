package mmarray_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/stretchr/testify/require"
)

// memoryValues is the formula's values 0..n-1 in memory order: a growing
// file's rows are a prefix of a longer one's only when the values follow
// the memory order (in Fortran order the C index of an element depends on
// the length of the last axis).
func memoryValues[T formula.Number](from, n int) []T {
	v := make([]T, n)
	for i := range v {
		v[i] = formula.Value[T](from + i)
	}
	return v
}

// growCase is one array written in two steps: rows rows, then more rows.
type growCase struct {
	name     string
	descr    string
	rowShape []int
	fortran  bool
	rows     int
	more     int
	buffer   int // WithBufferSize; 0: the default
	// appendValues appends the formula's values from..from+n-1 (memory
	// order) to w, in chunks of chunk rows.
	appendValues func(w *mmarray.Writer, from, n, chunk int) error
}

func appendFormula[T formula.Number](w *mmarray.Writer, from, n, chunk int) error {
	perRow := w.RowBytes() / mustItemSize(w)
	v := memoryValues[T](from, n)
	for len(v) > 0 {
		k := min(len(v), chunk*perRow)
		if err := mmarray.Append(w, v[:k]); err != nil {
			return err
		}
		v = v[k:]
	}
	return nil
}

func mustItemSize(w *mmarray.Writer) int { return w.Header().DType.ItemSize }

func (c growCase) shape(rows int) []int {
	if c.fortran {
		return append(slices.Clone(c.rowShape), rows)
	}
	return append([]int{rows}, c.rowShape...)
}

func (c growCase) count(rows int) int {
	n := rows
	for _, d := range c.rowShape {
		n *= d
	}
	return n
}

var growCases = []growCase{
	{name: "f8", descr: "<f8", rows: 1000, more: 37, buffer: 100, appendValues: appendFormula[float64]},
	{name: "i4-big-endian", descr: ">i4", rowShape: []int{3}, rows: 200, more: 501, buffer: 1000, appendValues: appendFormula[int32]},
	{name: "c8-big-endian-fortran", descr: ">c8", rowShape: []int{2, 3}, fortran: true, rows: 10, more: 90, buffer: 7, appendValues: appendFormula[complex64]},
	{name: "u2-fortran", descr: "<u2", rowShape: []int{4}, fortran: true, rows: 33, more: 3, appendValues: appendFormula[uint16]},
	{name: "bool", descr: "|b1", rowShape: []int{5}, rows: 64, more: 64, buffer: 64, appendValues: appendFormula[bool]},
	{name: "f4-empty", descr: "<f4", rowShape: []int{16}, rows: 0, more: 3, appendValues: appendFormula[float32]},
	{name: "f2", descr: "<f2", rowShape: []int{1, 2}, rows: 5, more: 0, appendValues: appendFormula[mmarray.Float16]},
	{name: "i8-big-endian", descr: ">i8", rows: 3, more: 4000, buffer: 24, appendValues: appendFormula[int64]},
	// Rows larger than the buffer are gathered and written in pieces.
	{name: "f8-rows-past-buffer", descr: "<f8", rowShape: []int{40}, rows: 3, more: 5, buffer: 100, appendValues: appendFormula[float64]},
	{name: "f4-big-endian-rows-past-buffer", descr: ">f4", rowShape: []int{5, 10}, fortran: true, rows: 2, more: 7, buffer: 10, appendValues: appendFormula[float32]},
}

// numpyGrowFiles has NumPy save every case's array with rows and with
// rows+more rows, as dir/NAME.rows.npy and dir/NAME.all.npy.
func numpyGrowFiles(t *testing.T, dir string, cases []growCase) {
	t.Helper()
	type job struct {
		Name, Descr string
		Rows, All   []int
		Order       string
	}
	var jobs []job
	for _, c := range cases {
		order := "C"
		if c.fortran {
			order = "F"
		}
		jobs = append(jobs, job{c.name, c.descr, c.shape(c.rows), c.shape(c.rows + c.more), order})
	}
	var done int
	numpytest.RunJSON(t, `
d, jobs = json.load(sys.stdin)
for j in jobs:
    for tag in ("rows", "all"):
        shape = tuple(j[tag.capitalize()])
        n = int(np.prod(shape, dtype=np.int64))
        a = formula_array(j["Descr"], (n,)).reshape(shape, order=j["Order"])
        np.save("%s/%s.%s.npy" % (d, j["Name"], tag), a)
print(len(jobs))
`, []any{dir, jobs}, &done)
	require.Equal(t, len(jobs), done)
}

// TestWriterMatchesNumPy writes every case with NewWriter and compares the
// file with np.save's, byte for byte; then appends the remaining rows to
// NumPy's file with OpenAppend and compares with np.save of the whole.
func TestWriterMatchesNumPy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	numpyGrowFiles(t, dir, growCases)
	for _, c := range growCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var opts []mmarray.WriterOption
			if c.buffer != 0 {
				opts = append(opts, mmarray.WithBufferSize(c.buffer))
			}
			if c.fortran {
				opts = append(opts, mmarray.WithFortranOrder(true))
			}
			path := filepath.Join(dir, c.name+".go.npy")
			w, err := mmarray.NewWriter(path, c.descr, c.rowShape, opts...)
			require.NoError(t, err)
			require.NoError(t, c.appendValues(w, 0, c.count(c.rows), 3))
			require.Equal(t, c.rows, w.Rows())
			_, err = os.Stat(path)
			require.ErrorIs(t, err, os.ErrNotExist, "the file appears at its path only at Close")
			require.NoError(t, w.Close())
			requireSameFile(t, filepath.Join(dir, c.name+".rows.npy"), path)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			for _, e := range entries {
				// Only this case's: the other cases write theirs meanwhile.
				require.False(t, strings.HasPrefix(e.Name(), "."+c.name+".go.npy.tmp-"), "a temporary file was left behind: %s", e.Name())
			}

			// Append to NumPy's own file, in place.
			appended := numpytest.CopyToTemp(t, filepath.Join(dir, c.name+".rows.npy"))
			var aopts []mmarray.AppendOption
			if c.buffer != 0 {
				aopts = append(aopts, mmarray.WithBufferSize(c.buffer))
			}
			w, err = mmarray.OpenAppend(appended, aopts...)
			require.NoError(t, err)
			require.Equal(t, c.rows, w.SyncedRows())
			require.NoError(t, c.appendValues(w, c.count(c.rows), c.count(c.more), 5))
			require.NoError(t, w.Close())
			requireSameFile(t, filepath.Join(dir, c.name+".all.npy"), appended)
		})
	}
}

func requireSameFile(t *testing.T, want, got string) {
	t.Helper()
	w, err := os.ReadFile(want)
	require.NoError(t, err)
	g, err := os.ReadFile(got)
	require.NoError(t, err)
	if !bytes.Equal(w, g) {
		n := min(len(w), len(g))
		i := 0
		for i < n && w[i] == g[i] {
			i++
		}
		require.Failf(t, "files differ", "%s (%d bytes) and %s (%d bytes) differ first at byte %d\nwant header %q\ngot header  %q",
			want, len(w), got, len(g), i, w[:min(len(w), 128)], g[:min(len(g), 128)])
	}
}

// TestWriterSyncKeepsFileLoadable checks, with NumPy, the file after each
// Sync of an append: the header counts exactly the synced rows, and rows
// written since lie after them, where np.load ignores them.
func TestWriterSyncKeepsFileLoadable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "grow.npy")
	w, err := mmarray.NewWriter(path, "<i2", []int{3})
	require.NoError(t, err)
	require.NoError(t, w.Close())

	w, err = mmarray.OpenAppend(path, mmarray.WithBufferSize(6*10)) // 10 rows
	require.NoError(t, err)
	var snapshots []string
	var want []int // rows NumPy must see in each snapshot
	for step := range 4 {
		require.NoError(t, mmarray.Append(w, memoryValues[int16](w.Rows()*3, 3*25)))
		// 25 rows given: 20 written by the buffer, 5 held.
		snap := filepath.Join(dir, fmt.Sprintf("unsynced%d.npy", step))
		copyFile(t, path, snap)
		snapshots, want = append(snapshots, snap), append(want, w.SyncedRows())
		require.NoError(t, w.Sync())
		require.Equal(t, w.Rows(), w.SyncedRows())
		snap = filepath.Join(dir, fmt.Sprintf("synced%d.npy", step))
		copyFile(t, path, snap)
		snapshots, want = append(snapshots, snap), append(want, w.SyncedRows())
	}
	require.NoError(t, w.Close())
	var got []int
	numpytest.RunJSON(t, `
out = []
for p in json.load(sys.stdin):
    for mode in (None, "r"):
        a = np.load(p, mmap_mode=mode)
        n = a.shape[0]
        assert a.dtype == np.dtype("<i2") and a.shape[1:] == (3,), (p, a.dtype, a.shape)
        assert (np.asarray(a).ravel() == formula_array("<i2", (n * 3,))).all(), p
    out.append(n)
print(json.dumps(out))
`, snapshots, &got)
	require.Equal(t, want, got)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, b, 0o644))
}

// oldHeaderNPY writes an .npy file of the formula's int64 values, of shape
// (rows, 1, 1, ...) with ones trailing ones, C order, with a header padded
// only to 64 bytes, as writers older than NumPy 1.24 wrote it (no growth
// slack).
func oldHeaderNPY(t *testing.T, path string, rows, ones int) {
	t.Helper()
	dict := fmt.Sprintf("{'descr': '<i8', 'fortran_order': False, 'shape': (%d%s), }", rows, strings.Repeat(", 1", ones))
	hl := len(dict) + 1
	hl += (64 - (10+hl)%64) % 64
	var b bytes.Buffer
	b.WriteString(npyheader.Magic)
	b.Write([]byte{1, 0})
	require.NoError(t, binary.Write(&b, binary.LittleEndian, uint16(hl)))
	b.WriteString(dict)
	b.WriteString(strings.Repeat(" ", hl-len(dict)-1))
	b.WriteByte('\n')
	require.NoError(t, binary.Write(&b, binary.LittleEndian, memoryValues[int64](0, rows)))
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
}

// TestOldHeaders appends to files whose headers lack NumPy's growth slack:
// one whose 64-byte padding still has room for any row count is appended
// to in place; one without room is refused with ErrNoRoom, untouched, and
// appendable after MakeAppendable. NumPy loads every result.
func TestOldHeaders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// With 9 rows and k trailing ones the header is 67 + 3k bytes before
	// its padding to 128: 14 ones leave 19 bytes, room for the 18 more
	// digits a 19-digit row count needs; 15 ones leave 16, too few.
	withRoom, without := filepath.Join(dir, "room.npy"), filepath.Join(dir, "noroom.npy")
	oldHeaderNPY(t, withRoom, 9, 14)
	oldHeaderNPY(t, without, 9, 15)
	before, err := os.ReadFile(without)
	require.NoError(t, err)
	_, err = mmarray.OpenAppend(without)
	require.ErrorIs(t, err, mmarray.ErrNoRoom)
	after, err := os.ReadFile(without)
	require.NoError(t, err)
	require.Equal(t, before, after, "a refused file must be untouched")

	rewritten, err := mmarray.MakeAppendable(withRoom)
	require.NoError(t, err)
	require.False(t, rewritten, "a file with room is left alone")
	rewritten, err = mmarray.MakeAppendable(without)
	require.NoError(t, err)
	require.True(t, rewritten)

	var paths []string
	for _, p := range []string{withRoom, without} {
		w, err := mmarray.OpenAppend(p, mmarray.WithBufferSize(64))
		require.NoError(t, err)
		require.NoError(t, mmarray.Append(w, memoryValues[int64](w.Rows(), 1234)))
		require.NoError(t, w.Close())
		paths = append(paths, p)
	}
	var rows []int
	numpytest.RunJSON(t, `
out = []
for p in json.load(sys.stdin):
    a = np.load(p)
    assert (a == formula_array("<i8", a.shape)).all(), p
    out.append(a.shape[0])
print(json.dumps(out))
`, paths, &rows)
	require.Len(t, rows, 2)
	for i, p := range paths {
		f, err := mmarray.Open(p, mmarray.ReadOnly)
		require.NoError(t, err)
		require.Equal(t, f.Shape()[0], rows[i])
		require.NoError(t, f.Close())
	}
}

// TestRecover builds the files that interrupted appends leave, and checks
// what Recover reports and that NumPy loads the result with the right rows.
func TestRecover(t *testing.T) {
	t.Parallel()
	const rowBytes = 3 * 4 // '<f4' rows of 3
	tests := []struct {
		name       string
		headerRows int
		bytes      int // data bytes in the file
		want       mmarray.Recovery
		text       string
	}{
		{"trailing rows and a partial one", 4, 10*rowBytes + 5,
			mmarray.Recovery{OldRows: 4, Rows: 10, DroppedBytes: 5},
			"adopted 6 unsynced trailing rows (4 -> 10); dropped a partial row of 5 bytes"},
		{"trailing rows", 0, 7 * rowBytes,
			mmarray.Recovery{OldRows: 0, Rows: 7},
			"adopted 7 unsynced trailing rows (0 -> 7)"},
		{"a partial row only", 5, 5*rowBytes + 11,
			mmarray.Recovery{OldRows: 5, Rows: 5, DroppedBytes: 11},
			"kept 5 rows; dropped a partial row of 11 bytes"},
		{"nothing", 5, 5 * rowBytes,
			mmarray.Recovery{OldRows: 5, Rows: 5},
			"nothing to recover: 5 rows, no bytes after them"},
		{"header claims more than the file holds", 9, 6*rowBytes + 4,
			mmarray.Recovery{OldRows: 9, Rows: 6, DroppedBytes: 4},
			"the file holds only 6 of the 9 rows its header claimed: shape cut to them; dropped a partial row of 4 bytes"},
	}
	dir := t.TempDir()
	var paths []string
	for _, tc := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".npy")
		prefix, err := npyheader.Header{DType: mustDescr(t, "<f4"), Shape: []int{tc.headerRows, 3}}.Encode()
		require.NoError(t, err)
		data := binaryLE(t, memoryValues[float32](0, tc.bytes/4+1))[:tc.bytes]
		require.NoError(t, os.WriteFile(path, append(prefix, data...), 0o644))
		got, err := mmarray.Recover(path)
		require.NoError(t, err, tc.name)
		tc.want.Path = path
		require.Equal(t, tc.want, got, tc.name)
		require.Equal(t, path+": "+tc.text, got.String(), tc.name)
		st, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, int64(len(prefix)+tc.want.Rows*rowBytes), st.Size(), tc.name)
		// Recovering again finds nothing to do.
		again, err := mmarray.Recover(path)
		require.NoError(t, err)
		require.Equal(t, mmarray.Recovery{Path: path, OldRows: tc.want.Rows, Rows: tc.want.Rows}, again)
		paths = append(paths, path)
	}
	var rows []int
	numpytest.RunJSON(t, `
out = []
for p in json.load(sys.stdin):
    for mode in (None, "r"):
        a = np.load(p, mmap_mode=mode)
        assert (np.asarray(a).ravel() == formula_array("<f4", (a.size,))).all(), p
    out.append(a.shape[0])
print(json.dumps(out))
`, paths, &rows)
	for i, tc := range tests {
		require.Equal(t, tc.want.Rows, rows[i], tc.name)
	}
}

func mustDescr(t *testing.T, descr string) npyheader.DType {
	t.Helper()
	dt, err := npyheader.ParseDescr(descr)
	require.NoError(t, err)
	return dt
}

func binaryLE(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, binary.Write(&b, binary.LittleEndian, v))
	return b.Bytes()
}

// TestRecoverRefuses checks Recover's errors on files it cannot repair.
func TestRecoverRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scalar := filepath.Join(dir, "scalar.npy")
	prefix, err := npyheader.Header{DType: mustDescr(t, "<f8"), Shape: []int{}}.Encode()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(scalar, append(prefix, make([]byte, 8)...), 0o644))
	notNPY := filepath.Join(dir, "text.npy")
	require.NoError(t, os.WriteFile(notNPY, []byte("hello, world"), 0o644))
	for _, tc := range []struct {
		path string
		want error
	}{
		{scalar, mmarray.ErrShape},
		{notNPY, npyheader.ErrBadMagic},
		{filepath.Join(dir, "missing.npy"), os.ErrNotExist},
		{dir, memmap.ErrUnsupported},
	} {
		_, err := mmarray.Recover(tc.path)
		require.ErrorIs(t, err, tc.want, tc.path)
	}
}

// TestAppendRaw grows a raw file as np.memmap(mode="r+") with a larger
// shape does, and checks it with NumPy.
func TestAppendRaw(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "raw.bin")
	const offset = 13
	head := []byte("thirteen byte")
	require.NoError(t, os.WriteFile(path, head, 0o644))
	for step := range 3 {
		w, err := mmarray.OpenAppendRaw(path, ">f8", []int{2}, offset, mmarray.WithBufferSize(40))
		require.NoError(t, err)
		require.Equal(t, step*5, w.Rows())
		require.NoError(t, mmarray.Append(w, memoryValues[float64](w.Rows()*2, 10)))
		require.NoError(t, w.Close())
	}
	var n int
	numpytest.RunJSON(t, `
p = json.load(sys.stdin)
a = np.memmap(p, dtype=">f8", mode="r", offset=13).reshape(-1, 2)
assert (a.ravel() == formula_array(">f8", (a.size,))).all()
print(a.shape[0])
`, path, &n)
	require.Equal(t, 15, n)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, head, b[:offset], "the bytes before the offset are untouched")

	// A partial row at the end is refused, and the error says where the
	// whole rows end.
	require.NoError(t, os.WriteFile(path, append(b, 1, 2, 3), 0o644))
	_, err = mmarray.OpenAppendRaw(path, ">f8", []int{2}, offset)
	require.ErrorIs(t, err, mmarray.ErrFileSize)
	require.ErrorContains(t, err, fmt.Sprintf("whole rows end at byte %d", len(b)))
	_, err = mmarray.OpenAppendRaw(path, ">f8", []int{2}, -1)
	require.ErrorIs(t, err, mmarray.ErrOffset)
	_, err = mmarray.OpenAppendRaw(path, ">f8", []int{0}, 0)
	require.ErrorIs(t, err, mmarray.ErrShape)
}

// TestWriterMisuse checks the panics and errors of a Writer used wrongly.
func TestWriterMisuse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "w.npy")
	w, err := mmarray.NewWriter(path, "<f8", []int{2})
	require.NoError(t, err)
	requireMisuse(t, "mmarray: WriteRows of 8 bytes, not a whole number of 16-byte rows", func() { w.WriteRows(make([]byte, 8)) })
	requireMisuse(t, "mmarray: Append of 3 elements, not a whole number of 2-element rows", func() { mmarray.Append(w, []float64{1, 2, 3}) })
	require.ErrorIs(t, mmarray.Append(w, []float32{1, 2}), mmarray.ErrDTypeMismatch)
	require.NoError(t, w.Close())
	require.ErrorIs(t, w.Close(), memmap.ErrClosed)
	require.ErrorIs(t, w.Sync(), memmap.ErrClosed)
	require.ErrorIs(t, w.Abort(), memmap.ErrClosed)
	requireMisuse(t, "", func() { w.WriteRows(nil) })
	requireMisuse(t, "mmarray: WithBufferSize(-1): the size must not be negative (0 means the default)", func() { mmarray.WithBufferSize(-1) })
	requireMisuse(t, "", func() { (*mmarray.Writer)(nil).Rows() })

	s, err := mmarray.NewWriter(filepath.Join(dir, "s.npy"), "|S3", nil)
	require.NoError(t, err)
	require.ErrorIs(t, mmarray.Append(s, []string{"abc"}), mmarray.ErrDTypeMismatch)
	require.NoError(t, s.WriteRows([]byte("abcde\x00")))
	require.Equal(t, 2, s.Rows())
	require.NoError(t, s.Abort())
	_, err = os.Stat(filepath.Join(dir, "s.npy"))
	require.ErrorIs(t, err, os.ErrNotExist, "Abort leaves nothing at the path")

	_, err = mmarray.NewWriter(filepath.Join(dir, "bad.npy"), "<f8", []int{-1})
	require.ErrorIs(t, err, mmarray.ErrShape)
	_, err = mmarray.NewWriter(filepath.Join(dir, "bad.npy"), "|O", nil)
	require.ErrorIs(t, err, npyheader.ErrObjectDType)
	_, err = mmarray.NewWriter(filepath.Join(dir, "no-such-dir", "x.npy"), "<f8", nil)
	require.ErrorIs(t, err, os.ErrNotExist)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "only w.npy is left")
}

// TestGrowingUnderOpenViews appends to a file that a File has mapped: the
// File and its views keep the shape they were opened with and read the
// same bytes (a Contiguous slice too), Recover cutting a partial row off
// leaves them readable, and a File opened afterwards sees the new rows.
func TestGrowingUnderOpenViews(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "g.npy")
	w, err := mmarray.NewWriter(path, "<f8", nil)
	require.NoError(t, err)
	require.NoError(t, mmarray.Append(w, memoryValues[float64](0, 1000)))
	require.NoError(t, w.Close())

	old, err := mmarray.Open(path, mmarray.ReadWrite)
	require.NoError(t, err)
	defer old.Close()
	view, err := mmarray.View[float64](old)
	require.NoError(t, err)
	slice, ok := view.Contiguous()
	require.True(t, ok)

	w, err = mmarray.OpenAppend(path, mmarray.WithBufferSize(8*64))
	require.NoError(t, err)
	for range 10 {
		require.NoError(t, mmarray.Append(w, memoryValues[float64](w.Rows(), 100)))
		require.NoError(t, w.Sync())
	}
	// Rows written without a Sync, and half a row: what a crash leaves.
	require.NoError(t, mmarray.Append(w, memoryValues[float64](w.Rows(), 64)))
	require.NoError(t, w.Abort())
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write([]byte{1, 2, 3})
	require.NoError(t, err)
	require.NoError(t, f.Close())
	r, err := mmarray.Recover(path)
	require.NoError(t, err)
	require.Equal(t, mmarray.Recovery{Path: path, OldRows: 2000, Rows: 2064, DroppedBytes: 3}, r)

	require.Equal(t, []int{1000}, old.Shape())
	require.Equal(t, 1000, view.Len())
	require.Equal(t, memoryValues[float64](0, 1000), slice)
	require.Equal(t, memoryValues[float64](0, 1000), slices.Collect(view.Values()))
	view.Set1(-1, 999) // the old mapping is still the file's
	require.NoError(t, old.Flush())

	now, err := mmarray.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	defer now.Close()
	all, err := mmarray.View[float64](now)
	require.NoError(t, err)
	want := memoryValues[float64](0, 2064)
	want[999] = -1
	require.Equal(t, want, slices.Collect(all.Values()))
}

// TestWriteRowsStructured writes records as bytes, with NewWriter and then
// OpenAppend, and compares the file with np.save of the same records.
func TestWriteRowsStructured(t *testing.T) {
	t.Parallel()
	const descr = "[('x', '>i4'), ('name', 'S3')]"
	record := func(i int) []byte {
		r := binary.BigEndian.AppendUint32(nil, uint32(i*7-5))
		return append(r, fmt.Sprintf("%-3d", i%1000)[:3]...)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "rec.npy")
	w, err := mmarray.NewWriter(path, descr, nil, mmarray.WithBufferSize(50))
	require.NoError(t, err)
	require.Equal(t, path, w.Path())
	require.Equal(t, 7, w.RowBytes())
	for i := range 40 {
		require.NoError(t, w.WriteRows(record(i)))
	}
	require.Equal(t, []int{40}, w.Header().Shape)
	require.NoError(t, w.Close())
	w, err = mmarray.OpenAppend(path)
	require.NoError(t, err)
	var rows []byte
	for i := 40; i < 1000; i++ {
		rows = append(rows, record(i)...)
	}
	require.NoError(t, w.WriteRows(rows))
	require.NoError(t, w.Close())

	want := filepath.Join(dir, "numpy.npy")
	numpytest.Run(t, `
n = 1000
a = np.zeros(n, dtype=[('x', '>i4'), ('name', 'S3')])
a['x'] = np.arange(n) * 7 - 5
a['name'] = ["%-3d" % i for i in range(n)]
np.save(sys.argv[1], a)
`, want)
	requireSameFile(t, want, path)
}

// TestOpenErrorsNameTheOperation checks that a file that cannot be opened
// is reported with the operation and path, as every other error of the
// growing-file functions is.
func TestOpenErrorsNameTheOperation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.npy")
	inFolder := filepath.Join(dir, "no-such-folder", "raw.bin")
	for _, tc := range []struct {
		name, context string
		call          func() error
	}{
		{"OpenAppend", "open " + missing + " for append: ", func() error { _, err := mmarray.OpenAppend(missing); return err }},
		{"OpenAppendRaw", "open raw " + inFolder + " for append: ", func() error {
			_, err := mmarray.OpenAppendRaw(inFolder, "<f8", nil, 0)
			return err
		}},
		{"Recover", "recover " + missing + ": ", func() error { _, err := mmarray.Recover(missing); return err }},
		{"MakeAppendable", "make " + missing + " appendable: ", func() error { _, err := mmarray.MakeAppendable(missing); return err }},
	} {
		err := tc.call()
		require.ErrorIs(t, err, os.ErrNotExist, tc.name)
		require.True(t, strings.HasPrefix(err.Error(), tc.context), "%s: %v does not start with %q", tc.name, err, tc.context)
	}
}
