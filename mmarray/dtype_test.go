package mmarray_test

import (
	"encoding/hex"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// createRaw makes a w+ raw file of descr and shape in a temporary directory.
func createRaw(t *testing.T, descr string, shape ...int) *mmarray.File {
	t.Helper()
	f, err := mmarray.OpenRaw(filepath.Join(t.TempDir(), "a.bin"), mmarray.Write, descr, shape, 0)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func TestViewTypesForEachDType(t *testing.T) {
	t.Parallel()
	cases := []struct {
		descr string
		view  func(*mmarray.File) error
		ok    bool
	}{
		{"<f2", viewErr[mmarray.Float16], true},
		{">f2", viewErr[mmarray.Float16], true},
		{"<f2", viewErr[uint16], false},
		{"<f2", viewErr[float32], false},
		{"<M8[ns]", viewErr[mmarray.Datetime64], true},
		{"<M8[ns]", viewErr[int64], false},
		{"<M8[ns]", viewErr[mmarray.Timedelta64], false},
		{">m8[25s]", viewErr[mmarray.Timedelta64], true},
		{"<i8", viewErr[mmarray.Datetime64], false},
		{"|S4", viewErr[string], true},
		{"|S4", viewErr[[]byte], true},
		{"<U4", viewErr[string], true},
		{"<U4", viewErr[[]byte], false},
		{"|V4", viewErr[[]byte], true},
		{"|V4", viewErr[string], false},
		{"<u2", viewErr[mmarray.Float16], false},
		{"[('x', '<f8'), ('y', '>i2')]", viewErr[[]byte], true},
		{"[('x', '<f8'), ('y', '>i2')]", viewErr[float64], false},
		{"<f8", viewErr[[]byte], false},
	}
	for _, c := range cases {
		f := createRaw(t, c.descr, 3)
		err := c.view(f)
		if c.ok {
			require.NoError(t, err, c.descr)
		} else {
			require.ErrorIs(t, err, mmarray.ErrDTypeMismatch, c.descr)
		}
	}
}

func viewErr[T mmarray.Element](f *mmarray.File) error {
	_, err := mmarray.View[T](f)
	return err
}

// Strings read back as NumPy reads them: trailing NULs stripped, embedded
// ones kept; values that do not fit are refused, never truncated.
func TestStringViewsRoundTripAndRefuseWhatDoesNotFit(t *testing.T) {
	t.Parallel()
	for _, descr := range []string{"<U3", ">U3"} {
		a, err := mmarray.View[string](createRaw(t, descr, 5))
		require.NoError(t, err)
		for i, s := range []string{"", "é", "日本", "a\x00b", "😀😀😀"} {
			require.NoError(t, a.Fits(s))
			a.Set(s, i)
			require.Equal(t, s, a.At(i), descr)
		}
		a.Set("ab\x00", 0)
		require.Equal(t, "ab", a.At(0), "trailing NULs are stripped")
		require.ErrorIs(t, a.Fits("abcd"), mmarray.ErrValue)
		require.ErrorIs(t, a.Fits("\xff"), mmarray.ErrValue)
		requireMisuse(t, "mmarray: Set: 4 characters do not fit in U3", func() { a.Set("日本語!", 1) })
		require.Equal(t, "é", a.At(1), "a refused Set leaves the item alone")
		a.Fill("xy")
		require.Equal(t, []string{"xy", "xy", "xy", "xy", "xy"}, collect(a))
	}

	s, err := mmarray.View[string](createRaw(t, "|S3", 2))
	require.NoError(t, err)
	s.Set("é", 0) // two UTF-8 bytes
	require.Equal(t, "é", s.At(0))
	require.ErrorIs(t, s.Fits("éé"), mmarray.ErrValue)
	b, err := mmarray.View[[]byte](s.File())
	require.NoError(t, err)
	b.Set([]byte{0, 'a', 0}, 1)
	require.Equal(t, []byte{0, 'a'}, b.At(1), "S keeps leading and embedded NULs")

	v, err := mmarray.View[[]byte](createRaw(t, "|V3", 2))
	require.NoError(t, err)
	v.Set([]byte{1, 0, 0}, 0)
	require.Equal(t, []byte{1, 0, 0}, v.At(0), "V keeps every byte")
	require.ErrorIs(t, v.Fits([]byte{1, 2}), mmarray.ErrValue, "V needs exactly the item size")
	requireMisuse(t, "", func() { v.Fill([]byte{1, 2, 3, 4}) })

	got := v.At(0)
	got[0] = 9
	require.Equal(t, byte(1), v.At(0)[0], "At returns a copy, not the mapped bytes")
}

func TestFloat16RoundsToNearestEven(t *testing.T) {
	t.Parallel()
	for _, descr := range []string{"<f2", ">f2"} {
		a, err := mmarray.View[mmarray.Float16](createRaw(t, descr, 4))
		require.NoError(t, err)
		// 1 + 2^-11 lies halfway between 1 and the next half, 1 + 2^-10: it
		// rounds to the even one, 1.
		in := []float32{1 + 1.0/2048, 1 + 3.0/2048, 65520, float32(math.Inf(-1))}
		want := []float32{1, 1 + 2.0/1024, float32(math.Inf(1)), float32(math.Inf(-1))}
		for i, x := range in {
			a.Set(mmarray.Float16FromFloat32(x), i)
		}
		for i := range in {
			require.Equal(t, want[i], a.At(i).Float32(), "%s element %d", descr, i)
		}
	}
}

func TestFieldViews(t *testing.T) {
	t.Parallel()
	descr := "[('id', '<i4'), ('pos', [('x', '>f8'), ('y', '<f8')]), ('v', '<f4', (2, 3)), (('Label', 'name'), '<U4'), ('a.b', '|u1')]"
	f := createRaw(t, descr, 3, 2)
	rows, err := mmarray.View[[]byte](f)
	require.NoError(t, err)

	ids, err := mmarray.Field[int32](rows, "id")
	require.NoError(t, err)
	require.Equal(t, []int{3, 2}, ids.Shape())
	recordSize := f.DType().ItemSize
	require.Equal(t, []int{2 * recordSize, recordSize}, ids.Strides())

	y, err := mmarray.Field[float64](rows, "pos.y")
	require.NoError(t, err)
	x, err := mmarray.Field[float64](rows, "pos.x")
	require.NoError(t, err)
	v, err := mmarray.Field[float32](rows, "v")
	require.NoError(t, err)
	require.Equal(t, []int{3, 2, 2, 3}, v.Shape())
	require.Equal(t, []int{2 * recordSize, recordSize, 12, 4}, v.Strides())
	name, err := mmarray.Field[string](rows, "Label")
	require.NoError(t, err, "a title names the field too")
	dotted, err := mmarray.Field[uint8](rows, "a.b")
	require.NoError(t, err, "a name with a dot is matched whole")

	ids.Set(7, 2, 1)
	x.Set(1.5, 2, 1)
	y.Set(-2.5, 2, 1)
	v.Set(9, 2, 1, 1, 2)
	name.Set("né", 2, 1)
	dotted.Set(200, 2, 1)

	// The writes landed in the record's bytes, in each field's byte order.
	rec := rows.At(2, 1)
	require.Len(t, rec, recordSize)
	require.Equal(t, []byte{7, 0, 0, 0}, rec[0:4])
	require.Equal(t, []byte{0x3f, 0xf8, 0, 0, 0, 0, 0, 0}, rec[4:12], "big-endian 1.5")
	require.Equal(t, uint8(200), rec[recordSize-1])

	pos, err := mmarray.Field[[]byte](rows, "pos")
	require.NoError(t, err)
	posY, err := mmarray.Field[float64](pos, "y")
	require.NoError(t, err, "Field applies to a nested record view")
	require.Equal(t, -2.5, posY.At(2, 1))
	require.Equal(t, "né", name.At(2, 1))
	require.Equal(t, float32(9), v.At(2, 1, 1, 2))
	require.Equal(t, float32(9), v.Slice(mmarray.Index(-1)).Transpose().At(2, 1, 1))
	require.Equal(t, int32(7), ids.Transpose().At(1, 2))

	for _, c := range []struct {
		path string
		want error
	}{
		{"nope", mmarray.ErrField},
		{"pos.z", mmarray.ErrField},
		{"id.x", mmarray.ErrField},
		{"", mmarray.ErrField},
	} {
		_, err := mmarray.Field[int32](rows, c.path)
		require.ErrorIs(t, err, c.want, c.path)
	}
	_, err = mmarray.Field[int64](rows, "id")
	require.ErrorIs(t, err, mmarray.ErrDTypeMismatch)
	_, err = mmarray.Field[int32](ids, "id")
	require.ErrorIs(t, err, mmarray.ErrField, "a plain view has no fields")
}

// A field view hands out the zero-copy slice only when the field's items
// are adjacent and aligned; packed records at odd offsets still read right.
func TestFieldViewsContiguousOnlyWhenTheLayoutAllows(t *testing.T) {
	t.Parallel()
	single := createRaw(t, "[('x', '<f8')]", 4)
	rows, err := mmarray.View[[]byte](single)
	require.NoError(t, err)
	x, err := mmarray.Field[float64](rows, "x")
	require.NoError(t, err)
	x.Set(3.5, 2)
	s, ok := x.Contiguous()
	require.Equal(t, npyheader.NativeOrder() == npyheader.LittleEndian, ok)
	if ok {
		require.Equal(t, []float64{0, 0, 3.5, 0}, s)
	}

	packed := createRaw(t, "[('c', '|u1'), ('x', '<f8')]", 3)
	rows, err = mmarray.View[[]byte](packed)
	require.NoError(t, err)
	x, err = mmarray.Field[float64](rows, "x")
	require.NoError(t, err)
	_, ok = x.Contiguous()
	require.False(t, ok, "9-byte records: the f8 field is neither adjacent nor aligned")
	for i := range 3 {
		x.Set(float64(i)+0.25, i)
	}
	require.Equal(t, []float64{0.25, 1.25, 2.25}, collect(x))
	dst := make([]float64, 3)
	x.CopyTo(dst)
	require.Equal(t, []float64{0.25, 1.25, 2.25}, dst)
}

func TestDatetimeConversions(t *testing.T) {
	// Not parallel: testing.AllocsPerRun refuses to run in a parallel test.
	day := 24 * time.Hour
	cases := []struct {
		unit string
		n    int64
		want time.Time
	}{
		{"ns", 1, time.Unix(0, 1)},
		{"us", -1, time.Unix(0, -1000)},
		{"ms", 1577836800123, time.Date(2020, 1, 1, 0, 0, 0, 123e6, time.UTC)},
		{"s", -86401, time.Unix(-86401, 0)},
		{"m", 3, time.Unix(180, 0)},
		{"h", -2, time.Unix(-7200, 0)},
		{"D", 18262, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"D", -719162, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"W", 1, time.Unix(0, 0).Add(7 * day)},
		{"M", -1, time.Date(1969, 12, 1, 0, 0, 0, 0, time.UTC)},
		{"M", 25, time.Date(1972, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"Y", 50, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Y", -1971, time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"10s", 3, time.Unix(30, 0)},
		{"ps", 5000, time.Unix(0, 5)},
		{"as", -2e9, time.Unix(0, -2)},
		{"3M", 5, time.Date(1971, 4, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		unit := mustUnit(t, c.unit)
		require.Equal(t, c.unit, unit.String())
		got, err := unit.Time(mmarray.Datetime64(c.n))
		require.NoError(t, err, "%d %s", c.n, c.unit)
		require.True(t, c.want.Equal(got), "%d %s: got %v, want %v", c.n, c.unit, got, c.want)
		back, err := unit.Datetime(got)
		require.NoError(t, err, "%d %s", c.n, c.unit)
		require.Equal(t, mmarray.Datetime64(c.n), back, c.unit)
	}

	for text, want := range map[string]struct {
		base string
		mult int64
	}{"D": {"D", 1}, "25s": {"s", 25}, "100ns": {"ns", 100}, "as": {"as", 1}} {
		u := mustUnit(t, text)
		require.Equal(t, want.base, u.Base(), text)
		require.Equal(t, want.mult, u.Multiplier(), text)
	}

	_, err := mustUnit(t, "ns").Time(mmarray.NaT)
	require.ErrorIs(t, err, mmarray.ErrNaT)
	for _, bad := range []string{"", "x", "0s", "s2", "99999999999999999999s"} {
		_, err = mmarray.ParseTimeUnit(bad)
		require.ErrorIs(t, err, mmarray.ErrUnit, bad)
	}
	_, err = mmarray.TimeUnit{}.Time(1)
	require.ErrorIs(t, err, mmarray.ErrUnit, "the zero TimeUnit")
	_, err = mustUnit(t, "ps").Time(1)
	require.ErrorIs(t, err, mmarray.ErrValue, "1 ps is not a whole nanosecond")
	_, err = mustUnit(t, "D").Time(math.MaxInt64)
	require.ErrorIs(t, err, mmarray.ErrValue)
	_, err = mustUnit(t, "Y").Time(math.MaxInt64)
	require.ErrorIs(t, err, mmarray.ErrValue)
	_, err = mustUnit(t, "D").Datetime(time.Date(2020, 1, 1, 12, 0, 0, 0, time.UTC))
	require.ErrorIs(t, err, mmarray.ErrValue, "noon is not a whole day: refused, not rounded")
	_, err = mustUnit(t, "Y").Datetime(time.Date(2020, 2, 1, 0, 0, 0, 0, time.UTC))
	require.ErrorIs(t, err, mmarray.ErrValue)
	_, err = mustUnit(t, "ps").Datetime(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
	require.ErrorIs(t, err, mmarray.ErrValue, "the year 3000 overflows int64 picoseconds")

	durations := []struct {
		unit string
		n    int64
		want time.Duration
	}{
		{"ns", -5, -5}, {"ms", 1500, 1500 * time.Millisecond}, {"h", -3, -3 * time.Hour},
		{"W", 2, 14 * day}, {"25s", 2, 50 * time.Second}, {"fs", 3e6, 3},
	}
	for _, c := range durations {
		unit := mustUnit(t, c.unit)
		got, err := unit.Duration(mmarray.Timedelta64(c.n))
		require.NoError(t, err)
		require.Equal(t, c.want, got, c.unit)
		back, err := unit.Timedelta(got)
		require.NoError(t, err)
		require.Equal(t, mmarray.Timedelta64(c.n), back, c.unit)
	}
	_, err = mustUnit(t, "M").Duration(1)
	require.ErrorIs(t, err, mmarray.ErrUnit, "a month has no fixed length")
	_, err = mustUnit(t, "s").Duration(mmarray.NaT)
	require.ErrorIs(t, err, mmarray.ErrNaT)
	_, err = mustUnit(t, "s").Duration(math.MaxInt64 / 2)
	require.ErrorIs(t, err, mmarray.ErrValue)
	_, err = mustUnit(t, "s").Timedelta(1500 * time.Millisecond)
	require.ErrorIs(t, err, mmarray.ErrValue)
	_, err = mustUnit(t, "ns").Timedelta(math.MinInt64)
	require.ErrorIs(t, err, mmarray.ErrValue, "the smallest Duration would read as NaT")
	unit := mustUnit(t, "25s")
	require.Zero(t, testing.AllocsPerRun(100, func() { _, _ = unit.Time(40); _, _ = unit.Duration(3) }),
		"a parsed unit converts without allocating")
	_, err = mustUnit(t, "as").Timedelta(time.Hour)
	require.ErrorIs(t, err, mmarray.ErrValue, "an hour overflows int64 attoseconds")
}

func mustUnit(t *testing.T, text string) mmarray.TimeUnit {
	t.Helper()
	u, err := mmarray.ParseTimeUnit(text)
	require.NoError(t, err)
	return u
}

// NumPy is the oracle for datetime arithmetic: the same counts in each unit
// print as the same instants.
func TestDatetimeConversionsAgreeWithNumPy(t *testing.T) {
	t.Parallel()
	units := []string{"Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "7D", "10s", "ps"}
	counts := []int64{0, 1, -1, 59, -61, 1000003, -987654321, 20000, -20000}
	var args []string
	for _, u := range units {
		for _, n := range counts {
			args = append(args, u+":"+strconv.FormatInt(n, 10))
		}
	}
	// NumPy prints each instant as Unix nanoseconds when that fits, else
	// as "-".
	out := numpytest.Run(t, `
for arg in sys.argv[1:]:
    unit, n = arg.split(':')
    d = np.datetime64(int(n), unit)
    ns = d.astype('M8[ns]')
    s = d.astype('M8[s]')
    back = s.astype(d.dtype)
    fits = np.datetime64('1678-01-01') < s < np.datetime64('2262-01-01') and back == d
    print(str(ns.astype(np.int64)) if fits else '-', s.astype(np.int64))
`, args...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, len(args))
	checked := 0
	for i, arg := range args {
		unit, n, _ := strings.Cut(arg, ":")
		count, err := strconv.ParseInt(n, 10, 64)
		require.NoError(t, err)
		fields := strings.Fields(lines[i])
		require.Len(t, fields, 2, lines[i])
		got, err := mustUnit(t, unit).Time(mmarray.Datetime64(count))
		if fields[0] == "-" {
			// Past the ns range or finer than a second: Go either agrees
			// on the second or refuses to round.
			if err != nil {
				require.ErrorIs(t, err, mmarray.ErrValue, arg)
				continue
			}
			seconds, err := strconv.ParseInt(fields[1], 10, 64)
			require.NoError(t, err)
			require.Equal(t, seconds, got.Unix(), arg)
			continue
		}
		require.NoError(t, err, arg)
		ns, err := strconv.ParseInt(fields[0], 10, 64)
		require.NoError(t, err)
		require.Equal(t, ns, got.UnixNano(), arg)
		checked++
	}
	require.Greater(t, checked, len(args)/2)
}

// touchEveryField reads every element of f through the views its dtype
// allows, every leaf field of a structured dtype included. It is how the
// fuzz targets make sure no dtype a header can declare leads a view outside
// the mapping.
func touchEveryField(t *testing.T, f *mmarray.File) {
	t.Helper()
	if f.DType().Structured() {
		rows, err := mmarray.View[[]byte](f)
		require.NoError(t, err, f.Descr())
		readAll(rows)
		touchFields(t, rows, f.DType(), "")
		return
	}
	if typed, ok := formula.ByKind[formula.KindOf(f.Descr())]; ok {
		typed.Touch(t, f)
		return
	}
	for _, read := range readersFor(t, f.DType()) {
		read(t, viewSource{file: f})
	}
}

// viewSource is where a view comes from: the whole File, or a field of rows.
type viewSource struct {
	file *mmarray.File
	rows *mmarray.Array[[]byte]
	path string
}

// readAs makes the view of type T from src and reads every element.
func readAs[T mmarray.Element](t *testing.T, src viewSource) {
	t.Helper()
	var a *mmarray.Array[T]
	var err error
	if src.rows == nil {
		a, err = mmarray.View[T](src.file)
	} else {
		a, err = mmarray.Field[T](src.rows, src.path)
	}
	require.NoError(t, err, "%s as %T", src.path, *new(T))
	readAll(a)
}

// readersByKind lists, per dtype without its byte order, every Go type
// that views it.
var readersByKind = map[string][]func(*testing.T, viewSource){
	"b1": {readAs[bool]}, "i1": {readAs[int8]}, "u1": {readAs[uint8]},
	"i2": {readAs[int16]}, "u2": {readAs[uint16]}, "i4": {readAs[int32]}, "u4": {readAs[uint32]},
	"i8": {readAs[int64]}, "u8": {readAs[uint64]},
	"f2": {readAs[mmarray.Float16]}, "f4": {readAs[float32]}, "f8": {readAs[float64]},
	"c8": {readAs[complex64]}, "c16": {readAs[complex128]},
	"S": {readAs[string], readAs[[]byte]}, "U": {readAs[string]}, "V": {readAs[[]byte]},
	"M": {readAs[mmarray.Datetime64]}, "m": {readAs[mmarray.Timedelta64]},
	"longdouble": {readAs[[]byte]},
}

func readersFor(t *testing.T, dt npyheader.DType) []func(*testing.T, viewSource) {
	t.Helper()
	key := formula.KindOf(dt.String())
	switch dt.Kind {
	case npyheader.Bytes, npyheader.Unicode, npyheader.Void, npyheader.Datetime, npyheader.Timedelta:
		key = string(rune(dt.Kind))
	case npyheader.Float, npyheader.Complex:
		if dt.ItemSize > 16 || (dt.Kind == npyheader.Float && dt.ItemSize > 8) {
			key = "longdouble"
		}
	}
	readers, ok := readersByKind[key]
	require.True(t, ok, "no Go type listed for dtype %s", dt)
	return readers
}

// readAll reads every element in C order and in reverse.
func readAll[T mmarray.Element](a *mmarray.Array[T]) {
	for range a.Values() {
	}
	if a.Ndim() > 0 && a.Len() > 0 {
		rev := a.Slice(mmarray.Ellipsis(), mmarray.Span(mmarray.Omit, mmarray.Omit, -1))
		rev.CopyTo(make([]T, rev.Len()))
	}
}

func touchFields(t *testing.T, rows *mmarray.Array[[]byte], dt npyheader.DType, prefix string) {
	t.Helper()
	for _, fld := range dt.Fields {
		path := prefix + fld.Name
		if strings.Contains(fld.Name, ".") {
			continue // reachable only as a whole name; checked in TestFieldViews
		}
		if !fld.Type.Structured() {
			for _, read := range readersFor(t, fld.Type) {
				read(t, viewSource{rows: rows, path: path})
			}
			continue
		}
		sub, err := mmarray.Field[[]byte](rows, path)
		require.NoError(t, err, path)
		readAll(sub)
		if fld.Shape == nil {
			touchFields(t, rows, fld.Type, path+".")
		} else {
			touchFields(t, sub, fld.Type, "")
		}
	}
}

// NumPy's longdouble has no Go type; its items are viewed as the raw bytes
// NumPy wrote.
func TestLongDoubleViewsAsRawBytes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "ld.npy")
	out := numpytest.Run(t, `
a = np.array([1.5, -2.0, 1e300], dtype=np.longdouble)
np.save(sys.argv[1], a)
print(a.dtype.str, ' '.join(x.tobytes().hex() for x in a))
`, path)
	fields := strings.Fields(out)
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, fields[0], f.Descr())
	a, err := mmarray.View[[]byte](f)
	require.NoError(t, err)
	for i, want := range fields[1:] {
		require.Equal(t, want, hex.EncodeToString(a.At(i)))
	}
	_, err = mmarray.View[float64](f)
	require.ErrorIs(t, err, mmarray.ErrDTypeMismatch)
}

// ReadAt streams the data as it is in memory, copy-on-write changes
// included, and ends with io.EOF like any io.ReaderAt.
func TestReadAtStreamsTheDataInMemory(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "a.npy")
	w, err := mmarray.Create(path, ">i2", []int{3})
	require.NoError(t, err)
	require.NoError(t, w.Close())
	f, err := mmarray.Open(path, mmarray.CopyOnWrite)
	require.NoError(t, err)
	a, err := mmarray.View[int16](f)
	require.NoError(t, err)
	a.Set(0x0102, 1)
	all, err := io.ReadAll(io.NewSectionReader(f, 0, 6))
	require.NoError(t, err)
	require.Equal(t, []byte{0, 0, 1, 2, 0, 0}, all)
	p := make([]byte, 4)
	n, err := f.ReadAt(p, 4)
	require.Equal(t, 2, n)
	require.ErrorIs(t, err, io.EOF)
	_, err = f.ReadAt(p, -1)
	require.ErrorIs(t, err, mmarray.ErrOffset)
	require.NoError(t, f.Close())
	_, err = f.ReadAt(p, 0)
	require.ErrorIs(t, err, memmap.ErrClosed)
}

// tick is the Go layout of the aligned NumPy record written in
// TestRecordsAreZeroCopyStructs: Go aligns fields as C does, and so does
// NumPy's align=True, so no padding needs spelling out.
type tick struct {
	Time   mmarray.Datetime64 `npy:"t"`
	Price  float64
	Size   int32
	Flags  uint8
	Symbol [4]byte
	Pos    struct{ X, Y float32 }
	Hist   [2][3]int16
}

func TestRecordsAreZeroCopyStructs(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ticks.npy")
	numpytest.Run(t, `
dt = np.dtype([('t', '<M8[ns]'), ('price', '<f8'), ('size', '<i4'), ('flags', 'u1'), ('symbol', 'S4'),
               ('pos', [('x', '<f4'), ('y', '<f4')]), ('hist', '<i2', (2, 3))], align=True)
a = np.zeros(5, dt)
for i in range(5):
    a[i] = (np.datetime64(1700000000000000000 + i, 'ns'), 100.5 + i, 10 * i, i % 2, b'AB' + bytes([67 + i]),
            (i, -i), np.arange(6).reshape(2, 3) * i)
assert dt.itemsize == 48, dt.itemsize
np.save(sys.argv[1], a)
`, path)
	f, err := mmarray.Open(path, mmarray.ReadWrite)
	require.NoError(t, err)
	rows, err := mmarray.View[[]byte](f)
	require.NoError(t, err)
	ticks, err := mmarray.Records[tick](rows)
	require.NoError(t, err, f.Descr())
	require.Len(t, ticks, 5)
	for i, tk := range ticks {
		require.Equal(t, mmarray.Datetime64(1700000000000000000+int64(i)), tk.Time)
		require.Equal(t, 100.5+float64(i), tk.Price)
		require.Equal(t, int32(10*i), tk.Size)
		require.Equal(t, [4]byte{'A', 'B', byte('C' + i)}, tk.Symbol)
		require.Equal(t, float32(-i), tk.Pos.Y)
		require.Equal(t, int16(5*i), tk.Hist[1][2])
	}
	ticks[3].Price = -1 // straight into the mapped file
	ticks[4].Hist[0][1] = 77
	price, err := mmarray.Field[float64](rows, "price")
	require.NoError(t, err)
	require.Equal(t, -1.0, price.At(3), "the slice is the mapping, not a copy")
	require.NoError(t, f.Flush())
	require.NoError(t, f.Close())
	out := numpytest.Run(t, `
a = np.load(sys.argv[1])
print(a['price'][3], a['hist'][4][0][1])
`, path)
	require.Equal(t, "-1.0 77", strings.TrimSpace(out))
}

func TestRecordsRefuseMismatchedLayouts(t *testing.T) {
	t.Parallel()
	descr := "[('x', '<f8'), ('id', '<i4'), ('ok', '|b1'), ('', '|V3')]"
	f := createRaw(t, descr, 4)
	rows, err := mmarray.View[[]byte](f)
	require.NoError(t, err)
	type good struct {
		X  float64
		ID int32
		_  [4]byte
	}
	got, err := mmarray.Records[good](rows)
	require.NoError(t, err, "fields left out of the struct are padding")
	require.Len(t, got, 4)
	// Each refusal names its reason, so a case cannot pass by failing for
	// another one.
	check := func(reason string, records func() error) {
		err := records()
		require.ErrorIs(t, err, mmarray.ErrDTypeMismatch, reason)
		require.Contains(t, err.Error(), reason)
	}
	check("is 8 bytes, the record 16", func() error { _, err := mmarray.Records[struct{ X float64 }](rows); return err })
	check("field Z of", func() error {
		_, err := mmarray.Records[struct {
			Z  float64
			ID int32
			_  [4]byte
		}](rows)
		return err
	})
	check("cannot be viewed as int64", func() error {
		_, err := mmarray.Records[struct {
			X  int64
			ID int32
			_  [4]byte
		}](rows)
		return err
	})
	check("field X is at byte 8", func() error {
		_, err := mmarray.Records[struct {
			_ [8]byte
			X float64
		}](rows)
		return err
	})
	check("a bool field must be read as uint8", func() error {
		_, err := mmarray.Records[struct {
			X  float64
			ID int32
			OK bool
			_  [3]byte
		}](rows)
		return err
	})
	check("not C-contiguous", func() error {
		_, err := mmarray.Records[good](rows.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, 2)))
		return err
	})
	check("is not a struct", func() error { _, err := mmarray.Records[[16]byte](rows); return err })
	check("holds pointers", func() error {
		// 16 bytes on 64-bit platforms, like the record: only the pointer differs.
		_, err := mmarray.Records[struct {
			X float64
			_ *int64
		}](rows)
		return err
	})

	other := "[('x', '>f8')]"
	if npyheader.NativeOrder() == npyheader.BigEndian {
		other = "[('x', '<f8')]"
	}
	swapped, err := mmarray.View[[]byte](createRaw(t, other, 2))
	require.NoError(t, err)
	check("not in this machine's byte order", func() error { _, err := mmarray.Records[struct{ X float64 }](swapped); return err })

	nested, err := mmarray.View[[]byte](createRaw(t, "[('p', [('a', '<i4'), ('b', '<i4')])]", 2))
	require.NoError(t, err)
	check(`field P ("p"): `, func() error {
		_, err := mmarray.Records[struct{ P struct{ A, C int32 } }](nested)
		return err
	})

	path := filepath.Join(t.TempDir(), "shifted.bin")
	require.NoError(t, os.WriteFile(path, make([]byte, 3+2*16), 0o644))
	shifted, err := mmarray.OpenRaw(path, mmarray.ReadOnly, descr, nil, 3)
	require.NoError(t, err)
	defer shifted.Close()
	shiftedRows, err := mmarray.View[[]byte](shifted)
	require.NoError(t, err)
	check("not aligned", func() error { _, err := mmarray.Records[good](shiftedRows); return err })
	text := createRaw(t, "[('name', '<U2')]", 2)
	textRows, err := mmarray.View[[]byte](text)
	require.NoError(t, err)
	check("cannot be viewed as [8]uint8", func() error { _, err := mmarray.Records[struct{ Name [8]byte }](textRows); return err })
}

// Header, File.DType and Array.DType hand out deep copies: editing every
// part of a returned value (names, titles, nested fields, subarray shapes,
// the shape) leaves the File's dtype, its Descr and what Field accepts as
// they were.
func TestReturnedDTypesAreCopies(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"struct_nested.npy", "struct_subarrays.npy"} {
		f, err := mmarray.Open(testdataPath("npy/"+name), mmarray.ReadOnly)
		require.NoError(t, err)
		rows, err := mmarray.View[[]byte](f)
		require.NoError(t, err)
		descr, shape := f.Descr(), f.Shape()
		fieldNames := func(dt npyheader.DType) []string {
			var names []string
			for _, fd := range dt.Fields {
				names = append(names, fd.Name)
			}
			return names
		}
		names := fieldNames(f.DType())
		require.NotEmpty(t, names)

		h := f.Header()
		for _, dt := range []npyheader.DType{h.DType, f.DType(), rows.DType()} {
			vandalize(dt)
		}
		h.Shape[0] = 99

		require.Equal(t, descr, f.Descr(), name)
		require.Equal(t, descr, f.DType().String(), name)
		require.Equal(t, descr, f.Header().DType.String(), name)
		require.Equal(t, descr, rows.DType().String(), name)
		require.Equal(t, shape, f.Shape(), name)
		require.Equal(t, shape, f.Header().Shape, name)
		require.Equal(t, names, fieldNames(rows.DType()), name)
		for _, n := range names {
			_, err := mmarray.Field[[]byte](rows, n)
			if errors.Is(err, mmarray.ErrDTypeMismatch) {
				continue // a numeric field: found, but not viewable as []byte
			}
			require.NoError(t, err, "%s: field %q", name, n)
		}
		_, err = mmarray.Field[[]byte](rows, "edited")
		require.ErrorIs(t, err, mmarray.ErrField, name)
		require.NoError(t, f.Close())
	}
}

// vandalize edits every part of dt that a shallow copy would share.
func vandalize(dt npyheader.DType) {
	for i := range dt.Fields {
		fd := &dt.Fields[i]
		fd.Name, fd.Title, fd.Offset = "edited", "edited", fd.Offset+1
		for j := range fd.Shape {
			fd.Shape[j]++
		}
		for _, level := range fd.ShapeLevels {
			for j := range level {
				level[j]++
			}
		}
		vandalize(fd.Type)
	}
}
