package text

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
)

// newArray creates a .npy of the given descr and shape in the test's
// temporary folder and returns its view as T.
func newArray[T mmarray.Element](t testing.TB, descr string, shape ...int) *mmarray.Array[T] {
	t.Helper()
	f, err := mmarray.Create(filepath.Join(t.TempDir(), "a.npy"), descr, shape)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	a, err := mmarray.View[T](f)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// rowsArray is an n×3 float64 array whose element (i, j) is i + j/8.
func rowsArray(t testing.TB, n int) *mmarray.Array[float64] {
	a := newArray[float64](t, "<f8", n, 3)
	for i := range n {
		for j := range 3 {
			a.Set2(float64(i)+float64(j)/8, i, j)
		}
	}
	return a
}

// writes records what a writer receives, failing from the failAt-th call
// on when failAt > 0.
type writes struct {
	buf    bytes.Buffer
	sizes  []int
	failAt int
}

var errDiskFull = errors.New("disk full")

func (w *writes) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	if w.failAt > 0 && len(w.sizes) >= w.failAt {
		return 0, errDiskFull
	}
	return w.buf.Write(p)
}

// TestSaveTextIndependentOfWorkersAndBlocks: the rows come out in order,
// each once, whatever the number of workers and the block size.
func TestSaveTextIndependentOfWorkersAndBlocks(t *testing.T) {
	t.Parallel()
	const n = 5000
	a := rowsArray(t, n)
	var want strings.Builder
	for i := range n {
		for j := range 3 {
			if j > 0 {
				want.WriteByte(',')
			}
			want.WriteString(strconv.FormatFloat(float64(i)+float64(j)/8, 'f', 3, 64))
		}
		want.WriteByte('\n')
	}
	for _, tc := range []struct{ workers, cells int }{{1, 0}, {4, 0}, {2, 1}, {3, 7}, {8, 300}} {
		var out bytes.Buffer
		err := Save(&out, a, WithFmt("%.3f"), WithDelimiter(","), WithWorkers(tc.workers),
			saveFunc(func(c *saveConfig) { c.blockCells = tc.cells }))
		if err != nil {
			t.Fatal(err)
		}
		if out.String() != want.String() {
			t.Errorf("workers %d, block of %d cells: the text differs from the rows in order", tc.workers, tc.cells)
		}
	}
}

// TestSaveStreamsInBlocks: a large array reaches the writer in many
// writes of bounded size, never as one text held whole.
func TestSaveStreamsInBlocks(t *testing.T) {
	t.Parallel()
	const n = 60000
	a := rowsArray(t, n)
	var w writes
	if err := Save(&w, a, WithWorkers(2)); err != nil {
		t.Fatal(err)
	}
	lineLen := 3*25 + 3 // "%.18e" of these values is 24 or 25 bytes
	if len(w.sizes) < n*3/defaultBlockCells {
		t.Errorf("%d writes for %d rows in blocks of %d values", len(w.sizes), n, defaultBlockCells)
	}
	for k, s := range w.sizes {
		if s > (defaultBlockCells/3+1)*lineLen {
			t.Fatalf("write %d holds %d bytes, more than a block", k, s)
		}
	}
	if lines := bytes.Count(w.buf.Bytes(), []byte("\n")); lines != n {
		t.Errorf("%d lines, want %d", lines, n)
	}
}

// TestSaveWriteError: a failing writer's error is returned, wrapped, and
// nothing is written after it.
func TestSaveWriteError(t *testing.T) {
	t.Parallel()
	a := rowsArray(t, 3000)
	for _, failAt := range []int{1, 2, 5} {
		w := writes{failAt: failAt}
		err := Save(&w, a, WithHeader("h"), WithWorkers(3), saveFunc(func(c *saveConfig) { c.blockCells = 30 }))
		if !errors.Is(err, errDiskFull) || !strings.HasPrefix(err.Error(), "save text: ") {
			t.Errorf("fail at write %d: error %v, want the writer's, with context", failAt, err)
		}
		if len(w.sizes) != failAt {
			t.Errorf("fail at write %d: %d writes made", failAt, len(w.sizes))
		}
	}
}

// TestSaveRowErrorLater: a value the format cannot take in a later block
// (NaN for %d) fails Save with the row's number, and SaveFile leaves no
// file behind.
func TestSaveRowErrorLater(t *testing.T) {
	t.Parallel()
	a := rowsArray(t, 4000)
	a.Set2(math.NaN(), 3001, 2)
	var out bytes.Buffer
	err := Save(&out, a, WithFmt("%d"), WithWorkers(2))
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "row 3001: ") ||
		!strings.HasSuffix(err.Error(), ": cannot convert float NaN to integer") {
		t.Errorf("error %v", err)
	}
	path := filepath.Join(t.TempDir(), "out.txt")
	if err := SaveFile(path, a, WithFmt("%d")); !errors.Is(err, ErrFormat) {
		t.Errorf("SaveFile: error %v, want ErrFormat", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("SaveFile left its partial file (stat: %v)", err)
	}
}

// TestSaveRefusals: views np.savetxt does not write as columns of values,
// and formats this package does not do, are refused with
// memmap.ErrUnsupported before anything is written.
func TestSaveRefusals(t *testing.T) {
	t.Parallel()
	f8 := rowsArray(t, 2)
	cube, err := f8.Reshape(1, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		save func(w *bytes.Buffer) error
	}{
		{"3-D", func(w *bytes.Buffer) error { return Save(w, cube) }},
		{"0-D", func(w *bytes.Buffer) error { return Save(w, newArray[float64](t, "<f8")) }},
		{"datetime", func(w *bytes.Buffer) error { return Save(w, newArray[mmarray.Datetime64](t, "<M8[s]", 2)) }},
		{"longdouble", func(w *bytes.Buffer) error { return Save(w, newArray[[]byte](t, "<f16", 2)) }},
		{"2-D structured", func(w *bytes.Buffer) error { return Save(w, newArray[[]byte](t, "[('a', '<f8')]", 2, 2)) }},
		{"subarray field", func(w *bytes.Buffer) error { return Save(w, newArray[[]byte](t, "[('a', '<f8', (2,))]", 2)) }},
		{"nested field", func(w *bytes.Buffer) error { return Save(w, newArray[[]byte](t, "[('a', [('b', '<i4')])]", 2)) }},
		{"mapping key", func(w *bytes.Buffer) error { return Save(w, f8, WithFmt("%(x)s %d %d")) }},
		{"star width", func(w *bytes.Buffer) error { return Save(w, f8, WithFmt("%*d %d %d")) }},
		{"%a", func(w *bytes.Buffer) error { return Save(w, f8, WithFmt("%a")) }},
	}
	for _, c := range cases {
		var out bytes.Buffer
		err := c.save(&out)
		if !errors.Is(err, memmap.ErrUnsupported) {
			t.Errorf("%s: error %v, want memmap.ErrUnsupported", c.name, err)
		}
		if out.Len() != 0 {
			t.Errorf("%s: %q written before the error", c.name, out.Bytes())
		}
	}
}

// TestSaveFileKeepsExisting: a save that fails after rows were written
// (NaN for %d in a later block) or before (a format refused) leaves an
// existing file as it was and no temporary file; one that succeeds
// replaces it with Save's text.
func TestSaveFileKeepsExisting(t *testing.T) {
	t.Parallel()
	a := rowsArray(t, 4000)
	a.Set2(math.NaN(), 3001, 2)
	dir := t.TempDir()
	for _, name := range []string{"out.txt", "out.txt.gz"} {
		path := filepath.Join(dir, name)
		old := []byte("an existing file\n")
		if err := os.WriteFile(path, old, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"%d", "%a"} {
			if err := SaveFile(path, a, WithFmt(format), WithWorkers(2)); err == nil {
				t.Fatalf("%s: SaveFile with %s succeeded", name, format)
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, old) {
				t.Errorf("%s: after a failed SaveFile with %s the file holds %.40q (%v), want it kept", name, format, got, err)
			}
		}
		if err := SaveFile(path, a, WithFmt("%.3f")); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := Save(&want, a, WithFmt("%.3f")); err != nil {
			t.Fatal(err)
		}
		got := readText(t, path)
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s: SaveFile wrote %d bytes of text, Save %d", name, len(got), want.Len())
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("%d files in the folder, want out.txt and out.txt.gz: a temporary file was left behind", len(entries))
	}
}

func TestSaveFileMissingFolder(t *testing.T) {
	t.Parallel()
	err := SaveFile(filepath.Join(t.TempDir(), "no", "such.txt"), rowsArray(t, 1))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v, want fs.ErrNotExist", err)
	}
}

func TestSaveMisuse(t *testing.T) {
	t.Parallel()
	for name, fn := range map[string]func(){
		"negative workers": func() { WithWorkers(-1) },
		"nil array":        func() { Save[float64](&bytes.Buffer{}, nil) },
	} {
		func() {
			defer func() {
				if _, ok := recover().(*memmap.Misuse); !ok {
					t.Errorf("%s: no *memmap.Misuse panic", name)
				}
			}()
			fn()
		}()
	}
}

// TestReplacePlusMinus is str.replace('+-', '-') on the texts np.savetxt
// produces for complex rows.
func TestReplacePlusMinus(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": "", "+-": "-", "++-": "+-", "+-+-": "--", "1+-2j": "1-2j", "+": "+", "a+": "a+", "-+": "-+",
	} {
		b := append([]byte("keep"), in...)
		if got := string(replacePlusMinus(b, 4)); got != "keep"+want {
			t.Errorf("%q: got %q, want %q", in, got[4:], want)
		}
	}
}

// FuzzFormat: any format string parses or is refused with an error, and
// one that parses formats values of every kind without a panic, into a
// text at least as wide as its literal text and conversion widths.
func FuzzFormat(f *testing.F) {
	seen := map[string]bool{}
	for _, c := range formatCases() {
		if !seen[c.Fmt] {
			seen[c.Fmt] = true
			f.Add(c.Fmt)
		}
	}
	for _, s := range []string{"%", "%%", "%5%", "%(a)s", "%*d", "%.*f", "%lld", "%\xff", "%é", "a%%b%d"} {
		f.Add(s)
	}
	strs := []byte("héllo")
	kinds := []value{
		{kind: kindFloat, bits: 64, f: -1.25e-7}, {kind: kindFloat, bits: 32, f: math.Inf(-1)},
		{kind: kindFloat, bits: 64, f: 1e300}, {kind: kindInt, i: math.MinInt64}, {kind: kindUint, u: math.MaxUint64},
		{kind: kindBool, i: 1}, {kind: kindComplex, bits: 64, f: 1, im: -2},
		{kind: kindStr, end: len(strs)}, {kind: kindBytes, end: len(strs)},
	}
	f.Fuzz(func(t *testing.T, format string) {
		pf, err := parsePyFormat(format)
		if err != nil {
			return
		}
		least := 0
		for _, l := range pf.lits {
			least += len([]rune(l))
		}
		for _, sp := range pf.specs {
			least += sp.width
		}
		vals := make([]value, len(pf.specs))
		for _, v := range kinds {
			for k := range vals {
				vals[k] = v
			}
			out, err := pf.appendRow(nil, vals, strs)
			if err != nil {
				var pe *pyError
				if !errors.As(err, &pe) {
					t.Fatalf("%q: error %v is not one of Python's", format, err)
				}
				continue
			}
			if n := len([]rune(string(out))); n < least {
				t.Fatalf("%q of %+v: %q is %d characters, less than %d", format, v, out, n, least)
			}
		}
	})
}

// TestSaveArrayRefusals: SaveArray picks a view for every dtype, and the
// ones Save does not write are refused with memmap.ErrUnsupported, not a
// failed view; a closed File is memmap.ErrClosed.
func TestSaveArrayRefusals(t *testing.T) {
	t.Parallel()
	for _, descr := range []string{"<M8[s]", "<m8[D]", "<f16", "|V4"} {
		f, err := mmarray.Create(filepath.Join(t.TempDir(), "a.npy"), descr, []int{2})
		if err != nil {
			t.Fatal(err)
		}
		if err := SaveArray(&bytes.Buffer{}, f); !errors.Is(err, memmap.ErrUnsupported) {
			t.Errorf("%s: error %v, want memmap.ErrUnsupported", descr, err)
		}
		f.Close()
		if err := SaveArray(&bytes.Buffer{}, f); !errors.Is(err, memmap.ErrClosed) {
			t.Errorf("%s after Close: error %v, want memmap.ErrClosed", descr, err)
		}
	}
}

// TestSaveReleaseKeepsText: releasing pages behind the walk (from 0 bytes
// on here) changes nothing in the text, for views that walk memory
// forwards, backwards, across it and with gaps.
func TestSaveReleaseKeepsText(t *testing.T) {
	t.Parallel()
	a := rowsArray(t, 3000)
	views := map[string]*mmarray.Array[float64]{
		"whole":      a,
		"reversed":   a.Slice(mmarray.Span(-1, -3001, -1)),
		"transposed": a.Transpose(),
		"step 3":     a.Slice(mmarray.Span(1, 3000, 3), mmarray.Span(0, 3, 2)),
	}
	for name, v := range views {
		var kept, released bytes.Buffer
		small := saveFunc(func(c *saveConfig) { c.blockCells = 500 })
		if err := Save(&kept, v, WithFmt("%g"), small); err != nil {
			t.Fatal(err)
		}
		err := Save(&released, v, WithFmt("%g"), small, saveFunc(func(c *saveConfig) { c.releaseMin = 0 }))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(kept.Bytes(), released.Bytes()) {
			t.Errorf("%s: the text differs when pages are released", name)
		}
	}
}

// TestSaveFileNotRegular: a path that is not a regular file is refused,
// not replaced by a rename.
func TestSaveFileNotRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := SaveFile(dir, rowsArray(t, 1)); !errors.Is(err, memmap.ErrUnsupported) {
		t.Errorf("SaveFile onto a folder: error %v, want memmap.ErrUnsupported", err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Errorf("the folder is gone: %v", err)
	}
}
