package text

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/npyheader"
)

// withBlockSize cuts the input into blocks of about n bytes, so that tests
// reach the block boundaries with small inputs.
func withBlockSize(n int) LoadOption {
	return loadOptionFunc(func(o *loadOptions) { o.blockSize = n })
}

func mustDescr(t testing.TB, s string) npyheader.DType {
	t.Helper()
	dt, err := npyheader.ParseDescr(s)
	if err != nil {
		t.Fatal(err)
	}
	return dt
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		opts     []LoadOption
		want     string
		sentinel error
	}{
		{"bad value", "1 2\n# c\n\n3 abc\n", nil, "line 4, column 2: could not convert 'abc' to float64: text: invalid value", ErrSyntax},
		{"bad value after skipped lines", "x\ny\n1,2\n3,4,\n", []LoadOption{WithSkipRows(2), WithDelimiter(",")}, "line 4: the number of columns changed from 2 to 3: text: wrong number of columns", ErrColumns},
		{"line ends in quotes counted", "\"a\nb\" 1\n\"c\" x\n", []LoadOption{WithQuoteChar('"'), WithDType(mustDescr(t, "[('s', '<U3'), ('v', '<f8')]"))}, "line 3, column 2: could not convert 'x' to float64: text: invalid value", ErrSyntax},
		{"crlf and lone cr counted", "1\r\n2\r3\nz\n", nil, "line 4, column 1: could not convert 'z' to float64: text: invalid value", ErrSyntax},
		{"usecols", "1 2 3\n4 5\n", []LoadOption{WithUseCols(0, -3)}, "line 2: invalid column index -3 with 2 columns: text: wrong number of columns", ErrColumns},
		{"int8", "1\n1e3\n", []LoadOption{WithDType(mustDescr(t, "|i1"))}, "line 2, column 1: could not convert '1e3' to int8: text: invalid value", ErrSyntax},
		{"big-endian name", "x\n", []LoadOption{WithDType(mustDescr(t, ">i4"))}, "line 1, column 1: could not convert 'x' to >i4: text: invalid value", ErrSyntax},
		{"utf-8", "1\n2\n\xff\n", nil, "line 3: byte 0xff is not UTF-8: text: invalid encoding", ErrEncoding},
		{"converter beyond the columns", "1 2\n", []LoadOption{WithConverter(2, func(f, _ []byte) ([]byte, error) { return f, nil })}, "converter for column 2, which is invalid for 2 columns: text: wrong number of columns", ErrColumns},
		{"usecols for a structured dtype", "1 2\n", []LoadOption{WithUseCols(0), WithDType(mustDescr(t, "[('a', '<i4'), ('b', '<i4', (2,))]"))}, "usecols has 1 columns for a dtype of 3: text: wrong number of columns", ErrColumns},
		{"datetime dtype", "1\n", []LoadOption{WithDType(mustDescr(t, "<M8[s]"))}, "dtype <M8[s] cannot be read from text: memmap: not supported", memmap.ErrUnsupported},
		{"float16 field", "1\n", []LoadOption{WithDType(mustDescr(t, "[('h', '<f2')]"))}, "field \"h\": dtype <f2 cannot be read from text: memmap: not supported", memmap.ErrUnsupported},
	}
	for _, tt := range tests {
		var sink MemorySink
		_, err := Load(strings.NewReader(tt.in), &sink, tt.opts...)
		if err == nil || err.Error() != tt.want || !errors.Is(err, tt.sentinel) {
			t.Errorf("%s: error %v; want %q wrapping %v", tt.name, err, tt.want, tt.sentinel)
		}
	}
}

// TestLoadCellRepr checks that a long cell is cut in the message as NumPy
// cuts it, and that the repr is Python's.
func TestLoadCellRepr(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 150)
	_, err := Load(strings.NewReader(long+"\n"), &MemorySink{})
	want := "'" + strings.Repeat("é", 100) + "'"
	if err == nil || !strings.Contains(err.Error(), want+" to float64") {
		t.Errorf("error %v does not quote %s", err, want)
	}
	_, err = Load(strings.NewReader("a'b\n"), &MemorySink{})
	if err == nil || !strings.Contains(err.Error(), `"a'b"`) {
		t.Errorf("error %v does not quote as Python does", err)
	}
}

func TestLoadConverters(t *testing.T) {
	t.Parallel()
	dollars := func(f, scratch []byte) ([]byte, error) {
		f = bytes.TrimSpace(f)
		if string(f) == "N/A" {
			return []byte("nan"), nil
		}
		return append(scratch, bytes.TrimPrefix(f, []byte("$"))...), nil
	}
	var sink MemorySink
	_, err := Load(strings.NewReader("a,$1.5\nb, N/A\n"), &sink, WithDelimiter(","), WithUseCols(1), WithConverter(1, dollars))
	if err != nil {
		t.Fatal(err)
	}
	var plain MemorySink
	if _, err := Load(strings.NewReader("1.5\nnan\n"), &plain); err != nil || !bytes.Equal(sink.Data, plain.Data) {
		t.Errorf("converted %x, want %x (%v)", sink.Data, plain.Data, err)
	}
	oops := errors.New("no such currency")
	_, err = Load(strings.NewReader("1 2\n3 4\n"), &MemorySink{}, WithConverter(1, func(f, _ []byte) ([]byte, error) {
		if string(f) == "4" {
			return nil, oops
		}
		return f, nil
	}))
	if !errors.Is(err, oops) || !strings.HasPrefix(err.Error(), "line 2, column 2: ") {
		t.Errorf("converter error came back as %v", err)
	}
}

// failingSink fails its WriteRows call number n.
type failingSink struct {
	MemorySink
	n int
}

var errSinkFull = errors.New("sink full")

func (s *failingSink) WriteRows(records []byte, rows int) error {
	if s.n--; s.n == 0 {
		return errSinkFull
	}
	return s.MemorySink.WriteRows(records, rows)
}

func TestLoadPassesOnReaderAndSinkErrors(t *testing.T) {
	t.Parallel()
	in := strings.Repeat("1 2 3\n", 5000)
	_, err := Load(io.MultiReader(strings.NewReader(in), iotest.ErrReader(io.ErrUnexpectedEOF)), &MemorySink{}, withBlockSize(1000))
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.HasPrefix(err.Error(), "line 5001: read: ") {
		t.Errorf("reader error came back as %v", err)
	}
	sink := &failingSink{n: 3}
	_, err = Load(strings.NewReader(in), sink, withBlockSize(1000), WithWorkers(2))
	if !errors.Is(err, errSinkFull) {
		t.Errorf("sink error came back as %v", err)
	}
	if sink.Rows == 0 || sink.Rows >= 5000 {
		t.Errorf("the sink got %d rows before failing", sink.Rows)
	}
}

// TestLoadOneByteReads reads through a reader that returns one byte at a
// time, latin-1 included.
func TestLoadOneByteReads(t *testing.T) {
	t.Parallel()
	in := "\xe91 2\n3 4\n"
	var a, b MemorySink
	_, errA := Load(iotest.OneByteReader(strings.NewReader(in)), &a, WithEncoding("latin-1"), WithDType(mustDescr(t, "<U2")))
	_, errB := Load(strings.NewReader("é1 2\n3 4\n"), &b, WithDType(mustDescr(t, "<U2")))
	if errA != nil || errB != nil || !bytes.Equal(a.Data, b.Data) {
		t.Errorf("latin-1 %x (%v), utf-8 %x (%v)", a.Data, errA, b.Data, errB)
	}
}

func TestLoadMisusePanics(t *testing.T) {
	t.Parallel()
	// Each panic's message starts with want: the With call, when the option
	// itself is refused.
	tests := map[string]struct {
		f    func()
		want string
	}{
		"delimiter newline":       {func() { Load(strings.NewReader(""), &MemorySink{}, WithDelimiter("\n")) }, `text: WithDelimiter("\n"): `},
		"delimiter non-ASCII":     {func() { Load(strings.NewReader(""), &MemorySink{}, WithDelimiter("é")) }, `text: WithDelimiter("é"): `},
		"delimiter of two":        {func() { Load(strings.NewReader(""), &MemorySink{}, WithDelimiter(", ")) }, `text: WithDelimiter(", "): `},
		"empty comment":           {func() { WithComments("#", "") }, `text: WithComments("#", ""): `},
		"comment of two lines":    {func() { WithComments("a\nb") }, `text: WithComments("a\nb"): `},
		"negative skiprows":       {func() { WithSkipRows(-1) }, "text: WithSkipRows(-1): "},
		"negative max_rows":       {func() { WithMaxRows(-1) }, "text: WithMaxRows(-1): "},
		"negative workers":        {func() { WithWorkers(-1) }, "text: WithWorkers(-1): "},
		"negative budget":         {func() { WithMemory(-1) }, "text: WithMemory(-1): "},
		"ndmin 3":                 {func() { WithNdmin(3) }, "text: WithNdmin(3): "},
		"unknown encoding":        {func() { WithEncoding("utf-16") }, `text: WithEncoding("utf-16"): `},
		"quote a line end":        {func() { WithQuoteChar('\n') }, `text: WithQuoteChar('\n'): `},
		"negative converter":      {func() { WithConverter(-1, func(f, _ []byte) ([]byte, error) { return f, nil }) }, "text: WithConverter(-1, ...): "},
		"comment is delimiter":    {func() { Load(strings.NewReader(""), &MemorySink{}, WithDelimiter(","), WithComments(",")) }, "text: "},
		"quote is delimiter":      {func() { Load(strings.NewReader(""), &MemorySink{}, WithDelimiter(","), WithQuoteChar(',')) }, "text: "},
		"quote is white space":    {func() { Load(strings.NewReader(""), &MemorySink{}, WithQuoteChar(' ')) }, "text: "},
		"comment is white space":  {func() { Load(strings.NewReader(""), &MemorySink{}, WithComments("\t")) }, "text: "},
		"several comments quoted": {func() { Load(strings.NewReader(""), &MemorySink{}, WithComments("#", "%"), WithQuoteChar('"')) }, "text: "},
	}
	for name, tt := range tests {
		func() {
			defer func() {
				if m, ok := recover().(*memmap.Misuse); !ok || !strings.HasPrefix(m.Error(), tt.want) {
					t.Errorf("%s: recovered %v, want a *memmap.Misuse starting %q", name, m, tt.want)
				}
			}()
			tt.f()
		}()
	}
}

// loadOutcome is everything Load returned, for comparing two runs.
func loadOutcome(in string, opts ...LoadOption) string {
	var sink MemorySink
	res, err := Load(strings.NewReader(in), &sink, opts...)
	return fmt.Sprintf("%v %v %d %x %v", res.Shape, res.DType, sink.Rows, sink.Data, err)
}

// FuzzLoadBlocks checks that cutting the input into tiny blocks parsed on
// several workers gives what one block on one worker gives, rows and
// errors alike, whatever the text: the cuts must fall between rows.
func FuzzLoadBlocks(f *testing.F) {
	for _, c := range loadCorpus() {
		if len(c.text) < 2000 {
			f.Add(c.text, true, byte(','))
			f.Add(c.text, false, byte(0))
		}
	}
	f.Fuzz(func(t *testing.T, in string, quoting bool, delim byte) {
		if delim >= 0x80 || delim == '\n' || delim == '\r' || delim == '"' || delim == '#' || (delim != 0 && pySpaceASCII[delim]) {
			delim = 0
		}
		dt := mustDescr(t, "<U4") // any text parses; column counts still matter
		opts := []LoadOption{WithDType(dt), WithDelimiter(delimiterOf(delim))}
		if quoting {
			opts = append(opts, WithQuoteChar('"'))
		}
		var sink MemorySink
		if _, err := Load(strings.NewReader(in), &sink, opts...); err != nil && !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrColumns) && !errors.Is(err, ErrEncoding) {
			t.Fatalf("error %v wraps none of the sentinels", err)
		}
		want := loadOutcome(in, append(opts, WithWorkers(1))...)
		for _, bs := range []int{1, 3, 16} {
			got := loadOutcome(in, append(opts, WithWorkers(3), withBlockSize(bs))...)
			if got != want {
				t.Fatalf("block size %d:\n got %s\nwant %s", bs, got, want)
			}
		}
	})
}

// TestLoadBlocksRandom is FuzzLoadBlocks over random text, so that the
// ordinary test run cuts blocks at many places.
func TestLoadBlocksRandom(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 7))
	const alphabet = "ab1 ,\"\"\n\r#\t"
	for range 300 {
		var sb strings.Builder
		for range rng.IntN(200) {
			sb.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		in := sb.String()
		for _, opts := range [][]LoadOption{
			{WithDType(mustDescr(t, "<U2")), WithQuoteChar('"'), WithDelimiter(",")},
			{WithDType(mustDescr(t, "<U2")), WithQuoteChar('"')},
			{WithDType(mustDescr(t, "<U2")), WithMaxRows(3)},
		} {
			want := loadOutcome(in, append(opts, WithWorkers(1))...)
			got := loadOutcome(in, append(opts, WithWorkers(3), withBlockSize(1+rng.IntN(20)))...)
			if got != want {
				t.Fatalf("%q:\n got %s\nwant %s", in, got, want)
			}
		}
	}
}

func TestLoadFileGzipErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat("1 2\n", 10000)))
	zw.Close()
	whole := gz.Bytes()
	corrupt := append([]byte{}, whole...)
	corrupt[len(corrupt)-5] ^= 0xff // the checksum
	for name, data := range map[string][]byte{
		"empty":     nil,
		"not gzip":  []byte("1 2\n"),
		"truncated": whole[:len(whole)/2],
		"checksum":  corrupt,
	} {
		path := filepath.Join(dir, name+".gz")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadFile(path, &MemorySink{})
		if !errors.Is(err, ErrGzip) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v; want ErrGzip naming the file", name, err)
		}
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.txt"), &MemorySink{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// delimiterOf is the delimiter of the fuzz target's byte: white space for
// 0.
func delimiterOf(b byte) string {
	if b == 0 {
		return ""
	}
	return string(rune(b))
}

// TestImageSinkHeaderInPlace checks that LoadArray's sink leaves room for
// the header of any shape its result may take, of the longest lengths a
// header can hold, so that the image is made in place, the records not
// copied behind the header once more.
func TestImageSinkHeaderInPlace(t *testing.T) {
	t.Parallel()
	const longest = math.MaxInt // bytes
	descrs := []string{"<f8", "|S10", "<U3"}
	for n := range 64 { // headers of every length modulo 64, some with no spare byte
		descrs = append(descrs, fmt.Sprintf("[('a', '<i4'), ('%s', '<f8')]", strings.Repeat("x", n+1)))
	}
	for _, descr := range descrs {
		for _, rowShape := range [][]int{nil, {3}, {2, 5}} {
			var sink imageSink
			dt := mustDescr(t, descr)
			if err := sink.Begin(dt, rowShape); err != nil {
				t.Fatal(err)
			}
			records := bytes.Repeat([]byte{7}, 3*dt.ItemSize)
			if err := sink.WriteRows(records, 3); err != nil {
				t.Fatal(err)
			}
			axes := max(len(rowShape)+1, 2)
			// The longest lengths: one axis of as many items as an int
			// counts bytes, the others 1, or one of them 0.
			var shapes [][]int
			for long := range axes {
				for zero := range axes {
					shape := make([]int, axes)
					for i := range shape {
						shape[i] = 1
					}
					shape[long] = longest / dt.ItemSize
					if zero != long {
						shape[zero] = 0
					}
					shapes = append(shapes, shape, shape[:axes-1])
				}
			}
			shapes = append(shapes, []int{3}, []int{})
			for _, shape := range shapes {
				hdr, err := npyheader.Header{DType: dt, Shape: shape}.Encode()
				if err != nil {
					t.Fatalf("%s, shape %v: %v", descr, shape, err)
				}
				if len(hdr) > sink.room {
					t.Errorf("%s, row shape %v: a header of %d bytes for shape %v, room for %d", descr, rowShape, len(hdr), shape, sink.room)
					continue
				}
				image := sink.image(hdr)
				if !bytes.Equal(image, append(append([]byte(nil), hdr...), records...)) {
					t.Fatalf("%s, shape %v: image % x", descr, shape, image)
				}
				if &image[len(image)-1] != &sink.Data[len(sink.Data)-1] {
					t.Errorf("%s, shape %v: the records were copied", descr, shape)
				}
			}
		}
	}
}

// TestLoadFileProgress checks WithProgress on LoadFileToNPY: plain and
// gzip-compressed text give the file they give without it, the last report
// is the file's whole size (its compressed bytes for .gz) against that
// size, and a damaged gzip stream is still an error wrapping ErrGzip that
// leaves no file.
func TestLoadFileProgress(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var plain bytes.Buffer
	for i := range 5000 {
		fmt.Fprintf(&plain, "%d %d.5\n", i, -i)
	}
	var packed bytes.Buffer
	zw := gzip.NewWriter(&packed)
	if _, err := zw.Write(plain.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{"t.txt": plain.Bytes(), "t.txt.gz": packed.Bytes()} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		want, got := filepath.Join(dir, name+".want.npy"), filepath.Join(dir, name+".got.npy")
		if _, err := LoadFileToNPY(path, want); err != nil {
			t.Fatal(name, err)
		}
		var done, total int64
		if _, err := LoadFileToNPY(path, got, WithProgress(func(d, tot int64) { done, total = d, tot })); err != nil {
			t.Fatal(name, err)
		}
		if done != int64(len(content)) || total != int64(len(content)) {
			t.Errorf("%s: last report %d of %d, want %d of %d", name, done, total, len(content), len(content))
		}
		wantBytes, err1 := os.ReadFile(want)
		gotBytes, err2 := os.ReadFile(got)
		if err1 != nil || err2 != nil || !bytes.Equal(wantBytes, gotBytes) {
			t.Errorf("%s: the file with progress differs from the one without (%v, %v)", name, err1, err2)
		}
	}
	damaged := filepath.Join(dir, "bad.txt.gz")
	if err := os.WriteFile(damaged, packed.Bytes()[:packed.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.npy")
	_, err := LoadFileToNPY(damaged, bad, WithProgress(func(int64, int64) {}))
	if !errors.Is(err, ErrGzip) {
		t.Errorf("damaged gzip: %v, want an error wrapping ErrGzip", err)
	}
	if _, serr := os.Stat(bad); serr == nil {
		t.Error("damaged gzip: a file was left at the output's path")
	}
}
