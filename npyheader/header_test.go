package npyheader

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// npyPrefix builds a prefix with the given version and raw header bytes and
// no padding.
func npyPrefix(major, minor byte, header string) []byte {
	b := []byte(Magic)
	b = append(b, major, minor)
	if major == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(header)))
	}
	return append(b, header...)
}

func v1(header string) []byte { return npyPrefix(1, 0, header) }

const goodHeader = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 6), }"

func TestParseValid(t *testing.T) {
	t.Parallel()
	f8 := DType{Kind: Float, Order: '<', ItemSize: 8}
	tests := []struct {
		name    string
		in      []byte
		dtype   DType
		fortran bool
		shape   []int
		version Version
		offset  int64
	}{
		{"numpy 1.24 layout", mustEncode(t, Header{DType: f8, Shape: []int{3, 6}}), f8, false, []int{3, 6}, Version1, 128},
		{"no padding no newline", v1(goodHeader), f8, false, []int{3, 6}, Version1, int64(10 + len(goodHeader))},
		{"legacy 16-byte padding", v1("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 6), }          \n"), f8, false, []int{3, 6}, Version1, 80},
		{"key order and newlines", v1("{\n 'shape' : (3,6),\n\t'fortran_order':True,\n 'descr':\"<f8\"\n}\n"), f8, true, []int{3, 6}, Version1, 0},
		{"0-d", v1("{'descr': '<f8', 'fortran_order': False, 'shape': ()}"), f8, false, []int{}, Version1, 0},
		{"zero size", v1("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 5)}"), f8, false, []int{0, 5}, Version1, 0},
		{"python2 long", v1("{'descr': '<f8', 'fortran_order': False, 'shape': (3L, 6L), }"), f8, false, []int{3, 6}, Version1, 0},
		{"duplicate key last wins", v1("{'descr': '<i4', 'descr': '<f8', 'fortran_order': False, 'shape': (3, 6)}"), f8, false, []int{3, 6}, Version1, 0},
		{"comments", v1("{'descr': '<f8', # the dtype\n 'fortran_order': False, 'shape': (3, 6)} # end"), f8, false, []int{3, 6}, Version1, 0},
		{"unicode prefix", v1("{u'descr': u'<f8', u'fortran_order': False, u'shape': (3, 6)}"), f8, false, []int{3, 6}, Version1, 0},
		{"v2 2-byte aligned", npyPrefix(2, 0, goodHeader+"\n"), f8, false, []int{3, 6}, Version2, int64(12 + len(goodHeader) + 1)},
		{"v3", npyPrefix(3, 0, "{'descr': [('名前', '<f8')], 'fortran_order': False, 'shape': (2,)}"),
			DType{Kind: Void, Order: '|', ItemSize: 8, Fields: []Field{{Name: "名前", Type: f8}}}, false, []int{2}, Version3, 0},
		{"v1 latin1 name", v1("{'descr': [('\xe9', '<f8')], 'fortran_order': False, 'shape': (2,)}"),
			DType{Kind: Void, Order: '|', ItemSize: 8, Fields: []Field{{Name: "é", Type: f8}}}, false, []int{2}, Version1, 0},
		{"object", v1("{'descr': '|O', 'fortran_order': False, 'shape': (2,)}"), DType{Kind: Object, Order: '|', ItemSize: 8}, false, []int{2}, Version1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := append(append([]byte{}, tt.in...), "trailing data"...)
			h, err := Parse(in)
			require.NoError(t, err)
			assert.Equal(t, tt.dtype, h.DType)
			assert.Equal(t, tt.fortran, h.FortranOrder)
			assert.Equal(t, tt.shape, h.Shape)
			assert.Equal(t, tt.version, h.Version)
			want := tt.offset
			if want == 0 {
				want = int64(len(tt.in))
			}
			assert.Equal(t, want, h.DataOffset)
			r := bytes.NewReader(in)
			_, err = Read(r)
			require.NoError(t, err)
			assert.Equal(t, want, int64(len(in)-r.Len()), "Read must stop at the end of the header")
		})
	}
}

func mustEncode(t *testing.T, h Header) []byte {
	t.Helper()
	b, err := h.Encode()
	require.NoError(t, err)
	return b
}

func TestParseMalformed(t *testing.T) {
	t.Parallel()
	big := "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }" + strings.Repeat(" ", 10000) + "\n"
	deep := "{'descr': '<f8', 'fortran_order': False, 'shape': " + strings.Repeat("(", 100) + "3," + strings.Repeat(")", 100) + "}"
	hdr := func(descr, fortran, shape string) []byte {
		return v1("{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }")
	}
	longLen := v1(goodHeader)
	binary.LittleEndian.PutUint16(longLen[8:], uint16(len(goodHeader)+10))
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"1 byte", []byte("\x93"), ErrTruncated},
		{"1 wrong byte", []byte("x"), ErrBadMagic},
		{"truncated magic", []byte("\x93NUMP"), ErrTruncated},
		{"magic without version", []byte("\x93NUMPY"), ErrTruncated},
		{"bad magic", []byte("\x93NUMPX\x01\x00\x00\x00"), ErrBadMagic},
		{"zip file", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), ErrBadMagic},
		{"version 1.1", []byte("\x93NUMPY\x01\x01\x00\x00"), ErrVersion},
		{"version 0.0", []byte("\x93NUMPY\x00\x00\x00\x00"), ErrVersion},
		{"version 0.1", []byte("\x93NUMPY\x00\x01\x00\x00"), ErrVersion},
		{"version 2.2", []byte("\x93NUMPY\x02\x02\x00\x00"), ErrVersion},
		{"version 255.255", []byte("\x93NUMPY\xff\xff\x00\x00"), ErrVersion},
		{"version 4.0", []byte("\x93NUMPY\x04\x00\x00\x00"), ErrVersion},
		{"missing length", []byte("\x93NUMPY\x01\x00\x10"), ErrTruncated},
		{"missing v2 length", []byte("\x93NUMPY\x02\x00\x10\x00"), ErrTruncated},
		{"length bigger than data", longLen, ErrTruncated},
		{"length field huge", []byte("\x93NUMPY\x02\x00\xff\xff\xff\xff{}"), ErrHeaderTooLarge},
		{"too large header", v1(big), ErrHeaderTooLarge},
		{"too large v3 header", npyPrefix(3, 0, big), ErrHeaderTooLarge},
		{"missing key", v1("{'descr': '<f8', 'shape': (3,)}"), ErrHeaderKeys},
		{"extra key", v1("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'extra': 1}"), ErrHeaderKeys},
		{"wrong key", v1("{'descr': '<f8', 'fortran_order': False, 'shapes': (3,)}"), ErrHeaderKeys},
		{"bytes key", v1("{b'descr': '<f8', 'fortran_order': False, 'shape': (3,)}"), ErrHeaderKeys},
		{"not a dict", v1("[('descr', '<f8')]"), ErrHeaderKeys},
		{"set", v1("{'descr', 'fortran_order', 'shape'}"), ErrHeaderKeys},
		{"empty dict", v1("{}"), ErrHeaderKeys},
		{"shape list", hdr("'<f8'", "False", "[3, 4]"), ErrShape},
		{"shape float", hdr("'<f8'", "False", "3.0"), ErrShape},
		{"shape float element", hdr("'<f8'", "False", "(3.0,)"), ErrShape},
		{"shape bare int", hdr("'<f8'", "False", "3"), ErrShape},
		{"shape string element", hdr("'<f8'", "False", "('3',)"), ErrShape},
		{"shape None", hdr("'<f8'", "False", "None"), ErrShape},
		{"bool dims", hdr("'<f8'", "False", "(True, False)"), ErrShape},
		{"bool dim after an int", hdr("'<f8'", "False", "(2, True)"), ErrShape},
		{"negative dimension", hdr("'<f8'", "False", "(3, -1)"), ErrShape},
		{"huge negative dimension", hdr("'<f8'", "False", "(-99999999999999999999999,)"), ErrShape},
		{"too many dims", hdr("'<f8'", "False", "("+strings.Repeat("1, ", 33)+")"), ErrShape},
		{"fortran_order 0", hdr("'<f8'", "0", "(3,)"), ErrFortranOrder},
		{"fortran_order None", hdr("'<f8'", "None", "(3,)"), ErrFortranOrder},
		{"fortran_order string", hdr("'<f8'", "'False'", "(3,)"), ErrFortranOrder},
		{"descr x", hdr("'x'", "False", "(3,)"), ErrDescr},
		{"descr int", hdr("5", "False", "(3,)"), ErrDescr},
		{"descr tuple", hdr("('<i4', (2,))", "False", "(3,)"), ErrDescr},
		{"descr duplicate field", hdr("[('a', '<i4'), ('a', '<i4')]", "False", "(3,)"), ErrDescr},
		{"unterminated dict", v1("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), "), ErrSyntax},
		{"unterminated string", v1("{'descr': '<f8, 'fortran_order': False, 'shape': (3,)}"), ErrSyntax},
		{"NUL byte", v1("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}\x00"), ErrSyntax},
		{"NUL in string", v1("{'descr': '<f8\x00', 'fortran_order': False, 'shape': (3,)}"), ErrSyntax},
		{"deep nesting", v1(deep), ErrSyntax},
		{"trailing garbage", v1(goodHeader + " x"), ErrSyntax},
		{"two dicts", v1(goodHeader + goodHeader), ErrSyntax},
		{"json", v1(`{"descr": "<f8", "fortran_order": false, "shape": [3]}`), ErrSyntax},
		{"python2 long in v3", npyPrefix(3, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (3L,)}"), ErrSyntax},
		{"invalid utf-8 in v3", npyPrefix(3, 0, "{'descr': [('\xff', '<f8')], 'fortran_order': False, 'shape': (2,)}"), ErrSyntax},
		{"huge int shape", hdr("'<f8'", "False", "(99999999999999999999999,)"), memmap.ErrTooLarge},
		{"shape product overflow", hdr("'<f8'", "False", "(4294967296, 4294967296)"), memmap.ErrTooLarge},
		{"byte size overflow", hdr("'<f8'", "False", "(9223372036854775807,)"), memmap.ErrTooLarge},
		{"overflow despite zero", hdr("'<f8'", "False", "(0, 4611686018427387904, 4611686018427387904)"), memmap.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tt.in)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assertNamesSentinelOnce(t, err, tt.want)
			_, err2 := Read(bytes.NewReader(tt.in))
			assert.Equal(t, err.Error(), err2.Error())
		})
	}
}

// allSentinels lists every sentinel an error of this package may wrap.
var allSentinels = []error{
	ErrBadMagic, ErrVersion, ErrHeaderTooLarge, ErrSyntax, ErrHeaderKeys, ErrShape, ErrFortranOrder,
	ErrDescr, ErrObjectDType, ErrTruncated, memmap.ErrTooLarge,
}

// assertNamesSentinelOnce checks that err matches want and that its text
// names a package once: it holds the text of a sentinel that err matches
// (want, or the first of two) and no other package prefix.
func assertNamesSentinelOnce(t *testing.T, err, want error) {
	t.Helper()
	assert.ErrorIs(t, err, want)
	msg := err.Error()
	named := false
	for _, s := range allSentinels {
		named = named || (errors.Is(err, s) && strings.Contains(msg, s.Error()))
	}
	assert.True(t, named, "%q holds the text of none of its sentinels", msg)
	assert.Equal(t, 1, strings.Count(msg, "npyheader: ")+strings.Count(msg, "memmap: "), msg)
}

func TestWithMaxHeaderSize(t *testing.T) {
	t.Parallel()
	// Zero means NumPy's default of 10000 characters: a header of exactly
	// that size is read, one character more is refused, as without options.
	text := "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
	for _, size := range []int{DefaultMaxHeaderSize, DefaultMaxHeaderSize + 1} {
		b := npyPrefix(2, 0, text+strings.Repeat(" ", size-len(text)))
		_, errDefault := Parse(b)
		_, errZero := Parse(b, WithMaxHeaderSize(0))
		if size <= DefaultMaxHeaderSize {
			assert.NoError(t, errDefault, "size %d", size)
			assert.NoError(t, errZero, "size %d", size)
		} else {
			assert.ErrorIs(t, errDefault, ErrHeaderTooLarge, "size %d", size)
			assert.ErrorIs(t, errZero, ErrHeaderTooLarge, "size %d", size)
		}
	}
	// A nil option sets nothing.
	_, err := Parse(v1(goodHeader), nil)
	assert.NoError(t, err)
	// A negative size is misuse.
	for _, n := range []int{-1, -5, math.MinInt} {
		func() {
			defer func() {
				m, ok := recover().(*memmap.Misuse)
				require.True(t, ok, "WithMaxHeaderSize(%d) must panic with a *memmap.Misuse", n)
				assert.True(t, strings.HasPrefix(m.Error(), "npyheader: WithMaxHeaderSize("), m.Error())
			}()
			WithMaxHeaderSize(n)
		}()
	}
}

func TestTruncatedMessage(t *testing.T) {
	t.Parallel()
	b := v1(goodHeader)
	_, err := Parse(b[:20])
	require.ErrorIs(t, err, ErrTruncated)
	assert.Contains(t, err.Error(), "expected 59 bytes got 10")
	_, err = Parse(b[:3])
	require.ErrorIs(t, err, ErrTruncated)
	assert.Contains(t, err.Error(), "expected 8 bytes got 3")
}

func TestMaxHeaderSize(t *testing.T) {
	t.Parallel()
	text := "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
	padded := text + strings.Repeat(" ", 100-len(text))
	b := v1(padded)
	_, err := Parse(b, WithMaxHeaderSize(100))
	require.NoError(t, err)
	_, err = Parse(b, WithMaxHeaderSize(99))
	assert.ErrorIs(t, err, ErrHeaderTooLarge)
	// Version 3 counts characters, not bytes.
	text3 := "{'descr': [('名前', '<f8')], 'fortran_order': False, 'shape': (3,), }"
	n := len([]rune(text3))
	b3 := npyPrefix(3, 0, text3)
	_, err = Parse(b3, WithMaxHeaderSize(n))
	require.NoError(t, err)
	_, err = Parse(b3, WithMaxHeaderSize(n-1))
	assert.ErrorIs(t, err, ErrHeaderTooLarge)
	// The length field is checked before reading: a reader that would
	// panic if read from proves no allocation or read happens.
	r := io.MultiReader(bytes.NewReader([]byte("\x93NUMPY\x02\x00\x00\x00\x00\x01")), panicReader{})
	_, err = Read(r)
	assert.ErrorIs(t, err, ErrHeaderTooLarge)
	assert.NotErrorIs(t, err, ErrTruncated)
	// With a seekable input a too-large length that runs past the end is
	// reported as truncated too, as NumPy (which reads first) does.
	_, err = Parse([]byte("\x93NUMPY\x01\x00\xf0\xff{}"))
	assert.ErrorIs(t, err, ErrHeaderTooLarge)
	assert.ErrorIs(t, err, ErrTruncated)
	assert.Contains(t, err.Error(), "expected 65520 bytes got 2")
	full := append([]byte("\x93NUMPY\x01\x00\xf0\xff"), make([]byte, 65520)...)
	_, err = Parse(full)
	assert.ErrorIs(t, err, ErrHeaderTooLarge)
	assert.NotErrorIs(t, err, ErrTruncated)
	// A huge limit does not overflow the pre-check.
	h, err := Parse(v1(goodHeader), WithMaxHeaderSize(math.MaxInt))
	require.NoError(t, err)
	assert.Equal(t, []int{3, 6}, h.Shape)
}

// TestHugeHeaderLengthAllocatesLittle: a length field may claim far more
// than the input holds; with the limit raised so that the claim is allowed,
// reading the header must cost memory in proportion to the bytes that
// arrive, not to the claim, whether the input is a slice, a seekable reader
// or a plain stream.
func TestHugeHeaderLengthAllocatesLittle(t *testing.T) {
	// Not parallel: TotalAlloc counts the allocations of every goroutine.
	const limit = 4 << 20 // bytes allocated per read, at most
	text := "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
	tiny := append([]byte("\x93NUMPY\x02\x00\xff\xff\xff\xff"), text...) // 4 GiB - 1 claimed
	tiny = append(tiny, strings.Repeat(" ", 133-len(tiny))...)
	long := append([]byte("\x93NUMPY\x02\x00\xff\xff\xff\xff"), text...)
	long = append(long, strings.Repeat(" ", 256<<10)...) // 256 KiB arrive, 4 GiB claimed
	v1Tiny := append([]byte("\x93NUMPY\x01\x00\xff\xff"), text...)
	cases := []struct {
		name string
		read func() error
		got  int
	}{
		{"Parse v2", func() error { _, err := Parse(tiny, WithMaxHeaderSize(1<<30)); return err }, len(tiny) - 12},
		{"Read seekable v2", func() error {
			_, err := Read(bytes.NewReader(tiny), WithMaxHeaderSize(1<<30))
			return err
		}, len(tiny) - 12},
		{"Read stream v2", func() error {
			_, err := Read(io.MultiReader(bytes.NewReader(tiny)), WithMaxHeaderSize(1<<30))
			return err
		}, len(tiny) - 12},
		{"Read long stream v2", func() error {
			_, err := Read(io.MultiReader(bytes.NewReader(long)), WithMaxHeaderSize(1<<30))
			return err
		}, len(long) - 12},
		{"Read stream v1", func() error {
			_, err := Read(io.MultiReader(bytes.NewReader(v1Tiny)), WithMaxHeaderSize(1<<20))
			return err
		}, len(v1Tiny) - 10},
	}
	for _, c := range cases {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := c.read()
		runtime.ReadMemStats(&after)
		assert.ErrorIs(t, err, ErrTruncated, c.name)
		if err != nil {
			assert.Contains(t, err.Error(), fmt.Sprintf(" got %d", c.got), c.name)
		}
		allocated := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: %d bytes allocated", c.name, allocated)
		assert.Less(t, allocated, uint64(limit), "%s: %d bytes allocated", c.name, allocated)
	}
}

// TestLongHeaderAllocatesAboutItsLength: a long header allowed by a raised
// limit costs memory in proportion to its length: one buffer of the header
// when the source's size is known (a file, a bytes.Reader), two when it is
// a stream whose bytes are gathered as they arrive, none for Parse, which
// parses the slice it is given; the parser reads the bytes, not a copy of
// the text as 4-byte runes. This holds for latin1 (1.0, 2.0) and UTF-8
// (3.0) headers alike.
func TestLongHeaderAllocatesAboutItsLength(t *testing.T) {
	// Not parallel: TotalAlloc counts the allocations of every goroutine.
	const headerLen = 8 << 20
	for _, c := range []struct {
		version byte
		descr   string
	}{
		{2, "[('x\xe9', '<f8')]"}, // the byte 0xe9: é in latin1, as NumPy writes 2.0 headers
		{3, "[('名前', '<f8')]"},
	} {
		text := "{'descr': " + c.descr + ", 'fortran_order': False, 'shape': (3,), }"
		text += strings.Repeat(" ", headerLen-len(text)-1) + "\n"
		b := npyPrefix(c.version, 0, text)
		path := filepath.Join(t.TempDir(), "long.npy")
		require.NoError(t, os.WriteFile(path, b, 0o600))
		f, err := os.Open(path)
		require.NoError(t, err)
		defer f.Close()
		sources := []struct {
			name   string
			read   func() (Header, error)
			factor float64 // allocations allowed, in header lengths
		}{
			{"Parse", func() (Header, error) { return Parse(b, WithMaxHeaderSize(1<<30)) }, 0.5},
			{"Read bytes.Reader", func() (Header, error) { return Read(bytes.NewReader(b), WithMaxHeaderSize(1<<30)) }, 1.5},
			{"Read file", func() (Header, error) { return Read(f, WithMaxHeaderSize(1<<30)) }, 1.5},
			{"Read stream", func() (Header, error) {
				return Read(io.MultiReader(bytes.NewReader(b)), WithMaxHeaderSize(1<<30))
			}, 2.5},
		}
		for _, s := range sources {
			name := fmt.Sprintf("%s v%d", s.name, c.version)
			var h Header
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			h, err = s.read()
			runtime.ReadMemStats(&after)
			require.NoError(t, err, name)
			assert.Equal(t, []int{3}, h.Shape, name)
			require.Len(t, h.DType.Fields, 1, name)
			assert.Equal(t, int64(len(b)), h.DataOffset, name)
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s: %.2f header lengths allocated", name, float64(allocated)/headerLen)
			assert.Less(t, float64(allocated), s.factor*headerLen, "%s: %d bytes allocated for a %d-byte header", name, allocated, headerLen)
		}
	}
}

type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("read past the length field") }

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestReadIOError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	_, err := Read(errReader{boom})
	assert.ErrorIs(t, err, boom)
	_, err = Read(io.MultiReader(bytes.NewReader(v1(goodHeader)[:12]), errReader{boom}))
	assert.ErrorIs(t, err, boom)
}

func TestCountAndDataSize(t *testing.T) {
	t.Parallel()
	f8 := DType{Kind: Float, Order: '<', ItemSize: 8}
	type countCase struct {
		shape []int
		count int64
		size  int64
		err   error
	}
	tests := []countCase{
		{nil, 1, 8, nil},
		{[]int{}, 1, 8, nil},
		{[]int{3, 4}, 12, 96, nil},
		{[]int{0, 5}, 0, 0, nil},
		{[]int{3, -1}, 0, 0, ErrShape},
	}
	if strconv.IntSize == 64 {
		// Dimensions that only a 64-bit int holds; shifts by a variable so
		// that the file still compiles for 32-bit platforms.
		shift := 31
		tests = append(tests,
			countCase{[]int{1 << shift, 1 << shift}, 1 << 62, 0, memmap.ErrTooLarge},
			countCase{[]int{1 << (shift + 1), 1 << (shift + 1)}, 0, 0, memmap.ErrTooLarge})
	}
	for _, tt := range tests {
		h := Header{DType: f8, Shape: tt.shape}
		c, err := h.Count()
		if tt.err == memmap.ErrTooLarge && tt.count != 0 {
			require.NoError(t, err)
			assert.Equal(t, tt.count, c)
		} else if tt.err != nil {
			assert.ErrorIs(t, err, tt.err, "%v", tt.shape)
			continue
		} else {
			require.NoError(t, err)
			assert.Equal(t, tt.count, c)
		}
		s, err := h.DataSize()
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err, "%v", tt.shape)
		} else {
			require.NoError(t, err)
			assert.Equal(t, tt.size, s)
		}
	}
}

func TestEncode(t *testing.T) {
	t.Parallel()
	f8 := DType{Kind: Float, Order: '<', ItemSize: 8}
	b, err := Header{DType: f8, Shape: []int{3, 4}}.Encode()
	require.NoError(t, err)
	want := "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }" +
		strings.Repeat(" ", 58) + "\n" // bytes from NumPy 1.24.2 np.save
	assert.Equal(t, want, string(b))
	assert.Len(t, b, 128)

	// Fortran: the growth slack follows the last axis.
	b, err = Header{DType: f8, Shape: []int{3, 12345}, FortranOrder: true}.Encode()
	require.NoError(t, err)
	assert.Contains(t, string(b), "'shape': (3, 12345), }"+strings.Repeat(" ", 16)+" ")
	assert.Len(t, b, 128)

	// 0-d: no growth slack; the shape is ().
	b, out, err := Header{DType: f8}.Encoded()
	require.NoError(t, err)
	assert.Contains(t, string(b), "'shape': (), }")
	assert.Equal(t, Version1, out.Version)
	assert.Equal(t, int64(len(b)), out.DataOffset)

	// Already aligned text gets a whole line of padding, as NumPy does
	// (64 - 0%64 spaces): pick the field name whose header text, growth slack
	// included, makes 8+2+len+1 a multiple of 64.
	aligned := 0
	for n := 1; n <= 64; n++ {
		name := strings.Repeat("a", n)
		text := "{'descr': [('" + name + "', '<f8')], 'fortran_order': False, 'shape': (1,), }" + strings.Repeat(" ", 20)
		if (10+len(text)+1)%64 != 0 {
			continue
		}
		aligned++
		d := DType{Kind: Void, Order: '|', ItemSize: 8, Fields: []Field{{Name: name, Type: f8}}}
		b, err := Header{DType: d, Shape: []int{1}}.Encode()
		require.NoError(t, err)
		assert.Equal(t, text, string(b[10:10+len(text)]))
		assert.Equal(t, 10+len(text)+64+1, len(b), "aligned text gets 64 spaces and the newline")
		assert.Equal(t, strings.Repeat(" ", 64)+"\n", string(b[10+len(text):]))
	}
	require.Equal(t, 1, aligned, "one name length in 1..64 aligns the text")

	// The length always matches DataOffset after Parse, and Parse reads it
	// back.
	for _, h := range []Header{
		{DType: f8, Shape: []int{0}},
		{DType: f8, Shape: []int{1, 2, 3}, FortranOrder: true},
		{DType: DType{Kind: Void, Order: '|', ItemSize: 4, Fields: []Field{{Name: "名前", Type: DType{Kind: Int, Order: '<', ItemSize: 4}}}}, Shape: []int{2}},
	} {
		b, out, err := h.Encoded()
		require.NoError(t, err)
		got, err := Parse(b)
		require.NoError(t, err)
		assertHeaderEqual(t, out, got)
	}
}

func TestEncodeVersions(t *testing.T) {
	t.Parallel()
	f8 := DType{Kind: Float, Order: '<', ItemSize: 8}
	uni := DType{Kind: Void, Order: '|', ItemSize: 8, Fields: []Field{{Name: "名", Type: f8}}}
	latin := DType{Kind: Void, Order: '|', ItemSize: 8, Fields: []Field{{Name: "é", Type: f8}}}
	for _, v := range []Version{Version1, Version2, Version3} {
		b, out, err := Header{Version: v, DType: f8, Shape: []int{2}}.Encoded()
		require.NoError(t, err)
		assert.Equal(t, v, out.Version)
		assert.Equal(t, []byte{v.Major, v.Minor}, b[6:8])
		assert.Zero(t, len(b)%64)
	}
	for _, v := range []Version{{1, 1}, {0, 1}, {2, 2}, {255, 255}} {
		_, err := Header{Version: v, DType: f8, Shape: []int{2}}.Encode()
		assert.ErrorIs(t, err, ErrVersion, "%v", v)
	}
	_, err := Header{Version: Version1, DType: uni, Shape: []int{2}}.Encode()
	assert.ErrorIs(t, err, ErrVersion)
	_, err = Header{Version: Version2, DType: uni, Shape: []int{2}}.Encode()
	assert.ErrorIs(t, err, ErrVersion)
	_, out, err := Header{DType: uni, Shape: []int{2}}.Encoded()
	require.NoError(t, err)
	assert.Equal(t, Version3, out.Version)
	b, out, err := Header{DType: latin, Shape: []int{2}}.Encoded()
	require.NoError(t, err)
	assert.Equal(t, Version1, out.Version)
	assert.Contains(t, string(b), "[('\xe9', '<f8')]", "latin1-encoded")

	// A header too long for 1.0.
	fields := make([]Field, 500)
	for i := range fields {
		fields[i] = Field{Name: strings.Repeat(string(rune('a'+i%26)), 100) + strings.Repeat("x", i), Type: f8, Offset: 8 * i}
	}
	wide := DType{Kind: Void, Order: '|', ItemSize: 8 * 500, Fields: fields}
	_, err = Header{Version: Version1, DType: wide, Shape: []int{1}}.Encode()
	assert.ErrorIs(t, err, ErrHeaderTooLarge)
	_, out, err = Header{DType: wide, Shape: []int{1}}.Encoded()
	require.NoError(t, err)
	assert.Equal(t, Version2, out.Version)
}

func TestEncodeInvalid(t *testing.T) {
	t.Parallel()
	f8 := DType{Kind: Float, Order: '<', ItemSize: 8}
	tests := []struct {
		name string
		h    Header
		want error
	}{
		{"negative dim", Header{DType: f8, Shape: []int{-1}}, ErrShape},
		{"overflow", Header{DType: f8, Shape: []int{math.MaxInt}}, memmap.ErrTooLarge},
		{"bad kind", Header{DType: DType{Kind: 'x', ItemSize: 8}, Shape: []int{1}}, ErrDescr},
		{"bad size", Header{DType: DType{Kind: Float, Order: '<', ItemSize: 3}, Shape: []int{1}}, ErrDescr},
		{"negative itemsize", Header{DType: DType{Kind: Void, Order: '|', ItemSize: -1}, Shape: []int{1}}, ErrDescr},
		{"overlapping fields", Header{DType: DType{Kind: Void, Order: '|', ItemSize: 8, Fields: []Field{{Name: "a", Type: f8}, {Name: "b", Type: f8, Offset: 4}}}}, ErrDescr},
		{"non-canonical order", Header{DType: DType{Kind: Int, Order: '<', ItemSize: 1}, Shape: []int{1}}, ErrDescr},
		{"too many dims", Header{DType: f8, Shape: make([]int, 33)}, ErrShape},
	}
	for _, tt := range tests {
		_, err := tt.h.Encode()
		assert.ErrorIs(t, err, tt.want, tt.name)
	}
}
