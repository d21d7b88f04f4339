package mmarray_test

import (
	"encoding/binary"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

func TestParseMode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want mmarray.Mode
	}{
		{"r", mmarray.ReadOnly}, {"readonly", mmarray.ReadOnly},
		{"r+", mmarray.ReadWrite}, {"readwrite", mmarray.ReadWrite},
		{"w+", mmarray.Write}, {"write", mmarray.Write},
		{"c", mmarray.CopyOnWrite}, {"copyonwrite", mmarray.CopyOnWrite},
	} {
		got, err := mmarray.ParseMode(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got)
		p, err := mmarray.ParseMode(got.String())
		require.NoError(t, err)
		require.Equal(t, got, p, "String() parses back")
	}
	for _, bad := range []string{"", "w", "rw", "R", "r+ ", "a", "readwrite+"} {
		_, err := mmarray.ParseMode(bad)
		require.ErrorIs(t, err, mmarray.ErrMode, bad)
		require.Contains(t, err.Error(), `"r", "r+", "w+", "c"`, "the error lists the valid modes")
	}
}

func TestParseIndex(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"3", "3"}, {"-1", "-1"}, {"1:10:2", "1:10:2"}, {"::-1", "::-1"}, {" : ", ":"},
		{"1:10:2, ::-1, 3", "1:10:2 ::-1 3"}, {"..., 0", "... 0"}, {"3,", "3"}, {"5:", "5:"}, {":5", ":5"},
		{"1:2:1", "1:2"},
	} {
		sels, err := mmarray.ParseIndex(tc.in)
		require.NoError(t, err, tc.in)
		got := ""
		for i, s := range sels {
			if i > 0 {
				got += " "
			}
			got += s.String()
		}
		require.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{"a", "1:2:3:4", "::0", "1.5", "1,,2", "[1]", ", 1"} {
		_, err := mmarray.ParseIndex(bad)
		require.ErrorIs(t, err, mmarray.ErrIndexSyntax, bad)
	}
}

// newFloat64File creates a (3, 4) float64 array holding 0..11.
func newFloat64File(t *testing.T, mode mmarray.Mode) (*mmarray.File, *mmarray.Array[float64]) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.npy")
	f, err := mmarray.Create(path, "<f8", []int{3, 4})
	require.NoError(t, err)
	a, err := mmarray.View[float64](f)
	require.NoError(t, err)
	for k := range 12 {
		a.Set(float64(k), k/4, k%4)
	}
	require.NoError(t, f.Close())
	if mode == mmarray.Write {
		mode = mmarray.ReadWrite
	}
	f, err = mmarray.Open(path, mode)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	a, err = mmarray.View[float64](f)
	require.NoError(t, err)
	return f, a
}

func TestMisusePanicsWithClearMessages(t *testing.T) {
	t.Parallel()
	_, a := newFloat64File(t, mmarray.ReadOnly)
	require.Equal(t, 11.0, a.At(-1, -1))
	requireMisuse(t, "mmarray: index 3 is out of bounds for axis 0 with size 3", func() { a.At(3, 0) })
	requireMisuse(t, "mmarray: index -5 is out of bounds for axis 1 with size 4", func() { a.At(0, -5) })
	requireMisuse(t, "mmarray: 1 indices given for an array with 2 axes", func() { a.At(0) })
	requireMisuse(t, "mmarray: index 4 is out of bounds for axis 1 with size 4", func() { a.Slice(mmarray.All(), mmarray.Index(4)) })
	requireMisuse(t, "", func() { a.Slice(mmarray.Index(0), mmarray.Index(0), mmarray.Index(0)) })
	requireMisuse(t, "", func() { a.Slice(mmarray.Span(0, 3, 0)) })
	requireMisuse(t, "", func() { a.Slice(mmarray.Ellipsis(), mmarray.Ellipsis()) })
	requireMisuse(t, "", func() { a.Transpose(0, 0) })
	requireMisuse(t, "", func() { a.Transpose(0) })
	requireMisuse(t, "", func() { a.CopyTo(make([]float64, 11)) })
	require.False(t, a.Writable())
	requireMisuse(t, "mmarray: Set on a read-only view: "+a.File().Path()+" is open in mode r", func() { a.Set(1, 0, 0) })
}

func TestViewChecksDType(t *testing.T) {
	t.Parallel()
	f, _ := newFloat64File(t, mmarray.ReadOnly)
	_, err := mmarray.View[float32](f)
	require.ErrorIs(t, err, mmarray.ErrDTypeMismatch)
	_, err = mmarray.View[int64](f)
	require.ErrorIs(t, err, mmarray.ErrDTypeMismatch)
	_, err = mmarray.View[complex128](f)
	require.ErrorIs(t, err, mmarray.ErrDTypeMismatch)
	_, err = mmarray.View[float64](f)
	require.NoError(t, err)
}

func TestReshapeErrors(t *testing.T) {
	t.Parallel()
	_, a := newFloat64File(t, mmarray.ReadOnly)
	for _, shape := range [][]int{{5}, {-1, 5}, {-1, -1}, {-2, 6}, {0, -1}} {
		_, err := a.Reshape(shape...)
		require.ErrorIs(t, err, mmarray.ErrReshape, "%v", shape)
	}
	_, err := a.Transpose().Reshape(12)
	require.ErrorIs(t, err, mmarray.ErrReshape, "a transposed C array needs a copy to flatten")
	r, err := a.Reshape(2, -1, 2)
	require.NoError(t, err)
	require.Equal(t, []int{2, 3, 2}, r.Shape())
	require.Equal(t, 7.0, r.At(1, 0, 1))
}

// Close is deterministic and every later use fails loudly.
func TestCloseContract(t *testing.T) {
	t.Parallel()
	f, a := newFloat64File(t, mmarray.ReadWrite)
	row := a.Slice(mmarray.Index(1))
	require.NoError(t, f.Close())
	require.ErrorIs(t, f.Close(), memmap.ErrClosed)
	require.ErrorIs(t, f.Flush(), memmap.ErrClosed)
	_, err := mmarray.View[float64](f)
	require.ErrorIs(t, err, memmap.ErrClosed)
	const msg = "mmarray: view used after its File was closed: "
	for name, use := range map[string]func(){
		"At":         func() { a.At(0, 0) },
		"Set":        func() { a.Set(1, 0, 0) },
		"derived At": func() { row.At(0) },
		"Slice":      func() { a.Slice(mmarray.Index(0)) },
		"Transpose":  func() { a.Transpose() },
		"Reshape":    func() { _, _ = a.Reshape(12) },
		"Contiguous": func() { a.Contiguous() },
		"CopyTo":     func() { a.CopyTo(make([]float64, 12)) },
		"Values": func() {
			for range a.Values() {
			}
		},
		"Fill":         func() { a.Fill(0) },
		"Shape":        func() { a.Shape() },
		"Strides":      func() { a.Strides() },
		"Len":          func() { a.Len() },
		"Ndim":         func() { a.Ndim() },
		"DType":        func() { a.DType() },
		"IsContiguous": func() { a.IsContiguous() },
		"Fits":         func() { _ = a.Fits(1) },
		"Writable":     func() { a.Writable() },
		"File":         func() { a.File() },
		"String":       func() { _ = a.String() },
	} {
		requireMisuse(t, msg+f.Path(), use, name)
	}
	_, err = mmarray.Field[float64](a, "x")
	require.ErrorIs(t, err, memmap.ErrClosed)
}

// A nil or zero Array or File is misuse: every method panics with a
// *memmap.Misuse that says so, not with a nil dereference, except the
// accessors whose inlined fast path loads a nil *Array's fields first (see
// the package documentation).
func TestUnmadeViewsPanicAsMisuse(t *testing.T) {
	t.Parallel()
	const unmade = "mmarray: a nil or zero Array: views come from View, Field and the methods of a view"
	uses := func(a *mmarray.Array[float64]) map[string]func() {
		return map[string]func(){
			"At":           func() { a.At() },
			"Set":          func() { a.Set(1) },
			"At1":          func() { a.At1(0) },
			"At2":          func() { a.At2(0, 0) },
			"At3":          func() { a.At3(0, 0, 0) },
			"Set1":         func() { a.Set1(1, 0) },
			"Set2":         func() { a.Set2(1, 0, 0) },
			"Set3":         func() { a.Set3(1, 0, 0, 0) },
			"ItemBytes":    func() { a.ItemBytes() },
			"ItemBytes1":   func() { a.ItemBytes1(0) },
			"ItemBytes2":   func() { a.ItemBytes2(0, 0) },
			"AppendTo":     func() { a.AppendTo(nil) },
			"Shape":        func() { a.Shape() },
			"Strides":      func() { a.Strides() },
			"Len":          func() { a.Len() },
			"Ndim":         func() { a.Ndim() },
			"DType":        func() { a.DType() },
			"IsContiguous": func() { a.IsContiguous() },
			"Contiguous":   func() { a.Contiguous() },
			"Fits":         func() { _ = a.Fits(1) },
			"Writable":     func() { a.Writable() },
			"File":         func() { a.File() },
			"String":       func() { _ = a.String() },
			"Slice":        func() { a.Slice() },
			"Transpose":    func() { a.Transpose() },
			"Reshape":      func() { _, _ = a.Reshape() },
			"CopyTo":       func() { a.CopyTo(nil) },
			"Fill":         func() { a.Fill(0) },
			"StorageOrder": func() { a.StorageOrder() },
			"Blocks":       func() { a.Blocks(nil) },
			"BlocksRange":  func() { a.BlocksRange(0, 0, nil) },
			"SetRange":     func() { a.SetRange(0, nil) },
			"ByteRange":    func() { a.ByteRange(0, 0) },
			"Values": func() {
				for range a.Values() {
				}
			},
		}
	}
	requireCoversMethods(t, reflect.TypeFor[*mmarray.Array[float64]](), uses(nil))
	inlinedOnNil := map[string]bool{"At1": true, "At2": true, "Set1": true, "Set2": true, "ItemBytes1": true, "ItemBytes2": true}
	for method, use := range uses(new(mmarray.Array[float64])) {
		requireMisuse(t, unmade, use, "zero Array: %s", method)
	}
	for method, use := range uses(nil) {
		if !inlinedOnNil[method] {
			requireMisuse(t, unmade, use, "nil Array: %s", method)
			continue
		}
		// The documented exception: Go's own nil dereference.
		var got any
		func() {
			defer func() { got = recover() }()
			use()
		}()
		_, isRuntime := got.(runtime.Error)
		require.True(t, isRuntime, "nil Array: %s panicked with %T %v", method, got, got)
	}
	var rows *mmarray.Array[[]byte]
	requireMisuse(t, unmade, func() { _, _ = mmarray.Records[struct{ X float64 }](rows) }, "Records")
	requireMisuse(t, unmade, func() { _, _ = mmarray.Field[float64](rows, "x") }, "Field")

	const unmadeFile = "mmarray: a nil or zero File: Files come from Open, OpenFile, Create, OpenRaw, OpenBytes or OpenRawBytes"
	fileUses := func(f *mmarray.File) map[string]func() {
		return map[string]func(){
			"Path":          func() { f.Path() },
			"Mode":          func() { f.Mode() },
			"Header":        func() { f.Header() },
			"DType":         func() { f.DType() },
			"Descr":         func() { f.Descr() },
			"Shape":         func() { f.Shape() },
			"FortranOrder":  func() { f.FortranOrder() },
			"DataOffset":    func() { f.DataOffset() },
			"Len":           func() { f.Len() },
			"FileSize":      func() { f.FileSize() },
			"NBytes":        func() { f.NBytes() },
			"IsRaw":         func() { f.IsRaw() },
			"IsInMemory":    func() { f.IsInMemory() },
			"Flush":         func() { _ = f.Flush() },
			"Advise":        func() { _ = f.Advise(mmarray.Sequential) },
			"AdviseRange":   func() { _ = f.AdviseRange(0, 0, mmarray.WillNeed) },
			"Release":       func() { _ = f.Release(0, 0) },
			"DropCache":     func() { _ = f.DropCache(0, 0) },
			"Resident":      func() { _, _, _ = f.Resident() },
			"ResidentRange": func() { _, _, _ = f.ResidentRange(0, 0) },
			"Close":         func() { _ = f.Close() },
			"ReadAt":        func() { _, _ = f.ReadAt(make([]byte, 1), 0) },
			"WriteAt":       func() { _, _ = f.WriteAt(make([]byte, 1), 0) },
			"OpenDirect":    func() { _, _ = f.OpenDirect() },
			"WriteTo":       func() { _, _ = f.WriteTo(io.Discard) },
			"WriteDataTo":   func() { _, _ = f.WriteDataTo(io.Discard) },
		}
	}
	requireCoversMethods(t, reflect.TypeFor[*mmarray.File](), fileUses(nil))
	for name, f := range map[string]*mmarray.File{"nil": nil, "zero": new(mmarray.File)} {
		for method, use := range fileUses(f) {
			requireMisuse(t, unmadeFile, use, "%s File: %s", name, method)
		}
		requireMisuse(t, unmadeFile, func() { _, _ = mmarray.View[float64](f) }, "View of a %s File", name)
	}
}

// requireCoversMethods requires uses to hold an entry for every exported
// method of typ, so that a method added later is added to the test too.
func requireCoversMethods(t *testing.T, typ reflect.Type, uses map[string]func()) {
	t.Helper()
	var missing []string
	for m := range typ.Methods() {
		if _, ok := uses[m.Name]; !ok {
			missing = append(missing, m.Name)
		}
	}
	require.Empty(t, missing, "methods of %v without a misuse check", typ)
}

// Open refuses w+ without touching the file: np.load(mmap_mode="w+")
// truncates it first and loses the data.
func TestOpenRefusesWritePlusAndKeepsTheFile(t *testing.T) {
	t.Parallel()
	f, _ := newFloat64File(t, mmarray.ReadOnly)
	before, err := os.ReadFile(f.Path())
	require.NoError(t, err)
	g, err := mmarray.Open(f.Path(), mmarray.Write)
	require.Nil(t, g)
	require.ErrorIs(t, err, mmarray.ErrMode)
	after, err := os.ReadFile(f.Path())
	require.NoError(t, err)
	require.Equal(t, before, after)
	_, err = mmarray.Open(f.Path(), mmarray.Mode(0))
	require.ErrorIs(t, err, mmarray.ErrMode)
}

func TestCreateErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		descr string
		shape []int
		want  error
	}{
		{"|O", []int{3}, npyheader.ErrObjectDType},
		{"x", []int{3}, npyheader.ErrDescr},
		{"<f8", []int{3, -1}, mmarray.ErrShape},
		{"<f8", []int{math.MaxInt / 4, 16}, memmap.ErrTooLarge},
	} {
		path := filepath.Join(dir, "bad.npy")
		f, err := mmarray.Create(path, tc.descr, tc.shape)
		require.Nil(t, f)
		require.ErrorIs(t, err, tc.want, "%s %v", tc.descr, tc.shape)
		_, statErr := os.Stat(path)
		require.True(t, os.IsNotExist(statErr), "a failed Create leaves no file behind")
	}
	_, err := mmarray.Create(filepath.Join(dir, "v.npy"), "<f8", []int{3}, mmarray.WithVersion(4, 0))
	require.ErrorIs(t, err, npyheader.ErrVersion)
}

func TestCreateVersionsAndSizes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, v := range []npyheader.Version{{Major: 1}, {Major: 2}, {Major: 3}} {
		path := filepath.Join(dir, "v.npy")
		f, err := mmarray.Create(path, "<i2", []int{5, 3}, mmarray.WithVersion(v.Major, v.Minor))
		require.NoError(t, err)
		require.Zero(t, f.DataOffset()%64, "data starts on a 64-byte boundary")
		require.Equal(t, f.DataOffset()+30, f.FileSize())
		require.NoError(t, f.Close())
		g, err := mmarray.Open(path, mmarray.ReadOnly)
		require.NoError(t, err)
		require.Equal(t, v, g.Header().Version)
		require.NoError(t, g.Close())
	}
}

func TestOpenRaw(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "raw.dat")
	// 3 bytes of junk, then five big-endian uint16 values, then a stray byte.
	raw := []byte{9, 9, 9}
	for _, v := range []uint16{1, 2, 300, 65535, 7} {
		raw = binary.BigEndian.AppendUint16(raw, v)
	}
	require.NoError(t, os.WriteFile(path, append(raw, 1), 0o644))

	_, err := mmarray.OpenRaw(path, mmarray.ReadOnly, ">u2", nil, 3)
	require.ErrorIs(t, err, mmarray.ErrFileSize, "11 bytes after the offset are not whole items")
	f, err := mmarray.OpenRaw(path, mmarray.ReadOnly, ">u2", []int{5}, 3)
	require.NoError(t, err)
	a, err := mmarray.View[uint16](f)
	require.NoError(t, err)
	got := make([]uint16, 5)
	a.CopyTo(got)
	require.Equal(t, []uint16{1, 2, 300, 65535, 7}, got)
	_, ok := a.Contiguous()
	require.False(t, ok)
	require.NoError(t, f.Close())

	// Unaligned native data reads and writes correctly, in place.
	require.NoError(t, os.WriteFile(path, make([]byte, 3+8*4), 0o644))
	f, err = mmarray.OpenRaw(path, mmarray.ReadWrite, "<f8", nil, 3)
	require.NoError(t, err)
	require.Equal(t, []int{4}, f.Shape())
	b, err := mmarray.View[float64](f)
	require.NoError(t, err)
	_, ok = b.Contiguous()
	require.False(t, ok, "unaligned data is not handed out as a []float64")
	b.Set(math.Pi, 1)
	b.Set(-2.5, 3)
	require.Equal(t, math.Pi, b.At(1))
	require.NoError(t, f.Flush())
	require.NoError(t, f.Close())
	disk, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, math.Pi, math.Float64frombits(binary.LittleEndian.Uint64(disk[3+8:])))
	require.Equal(t, -2.5, math.Float64frombits(binary.LittleEndian.Uint64(disk[3+24:])))

	// r and c never grow a file; r+ does, with zeros.
	for _, mode := range []mmarray.Mode{mmarray.ReadOnly, mmarray.CopyOnWrite} {
		_, err = mmarray.OpenRaw(path, mode, "<f8", []int{10}, 3)
		require.ErrorIs(t, err, mmarray.ErrFileSize, mode.String())
	}
	f, err = mmarray.OpenRaw(path, mmarray.ReadWrite, "<f8", []int{10}, 3)
	require.NoError(t, err)
	require.Equal(t, int64(83), f.FileSize())
	c, err := mmarray.View[float64](f)
	require.NoError(t, err)
	require.Equal(t, math.Pi, c.At(1))
	require.Equal(t, 0.0, c.At(9))
	require.NoError(t, f.Close())
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, int64(83), st.Size())

	// Other errors.
	_, err = mmarray.OpenRaw(path, mmarray.Write, "<f8", nil, 0)
	require.ErrorIs(t, err, mmarray.ErrShape)
	_, err = mmarray.OpenRaw(path, mmarray.ReadOnly, "<f8", nil, 100)
	require.ErrorIs(t, err, mmarray.ErrFileSize)
	_, err = mmarray.OpenRaw(path, mmarray.ReadOnly, "|V0", nil, 0)
	require.ErrorIs(t, err, mmarray.ErrShape)
	_, err = mmarray.OpenRaw(path, mmarray.ReadOnly, "|O", nil, 0)
	require.ErrorIs(t, err, npyheader.ErrObjectDType, "an object dtype over raw bytes would be a crash in NumPy")
	_, err = mmarray.OpenRaw(path, mmarray.ReadOnly, "<f8", nil, -1)
	require.ErrorIs(t, err, mmarray.ErrOffset, "as ReadAt reports a negative offset")
	_, err = mmarray.OpenRaw(filepath.Join(dir, "missing.dat"), mmarray.ReadOnly, "<f8", nil, 0)
	require.ErrorIs(t, err, os.ErrNotExist)
}

// NumPy reads any nonzero byte of a bool array as True.
func TestBoolReadsNonzeroAsTrue(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bool.dat")
	require.NoError(t, os.WriteFile(path, []byte{0, 1, 2, 255, 0}, 0o644))
	f, err := mmarray.OpenRaw(path, mmarray.ReadOnly, "|b1", nil, 0)
	require.NoError(t, err)
	defer f.Close()
	a, err := mmarray.View[bool](f)
	require.NoError(t, err)
	got := make([]bool, 5)
	a.CopyTo(got)
	require.Equal(t, []bool{false, true, true, true, false}, got)
	_, ok := a.Contiguous()
	require.False(t, ok, "bool data is never handed out as a []bool")
}

func TestZeroSizeAndScalarArrays(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := mmarray.Create(filepath.Join(dir, "empty.npy"), "<f4", []int{0, 3})
	require.NoError(t, err)
	a, err := mmarray.View[float32](f)
	require.NoError(t, err)
	require.Equal(t, 0, a.Len())
	flat, ok := a.Contiguous()
	require.True(t, ok)
	require.Empty(t, flat)
	for range a.Values() {
		t.Fatal("a zero-size array has no values")
	}
	require.Equal(t, []int{0, 3}, a.Slice(mmarray.Span(1, 5, 1)).Shape())
	require.NoError(t, f.Close())

	s, err := mmarray.Create(filepath.Join(dir, "scalar.npy"), ">i8", []int{})
	require.NoError(t, err)
	b, err := mmarray.View[int64](s)
	require.NoError(t, err)
	b.Set(-42)
	require.Equal(t, int64(-42), b.At())
	require.Equal(t, 1, b.Len())
	require.NoError(t, s.Close())
}
