package text

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// saveCase is one np.savetxt call: an array (a Python expression, saved
// as .npy for the Go side), a view of it, and savetxt's arguments; a
// keyword missing from Args keeps savetxt's default.
type saveCase struct {
	Name  string         `json:"name"`
	Array string         `json:"array"`
	View  string         `json:"view"` // "", "T" (transpose), "step2" (rows ::2), "rev" (rows ::-1)
	Out   string         `json:"out"`  // the text file's extension: ".txt" or ".gz"
	Args  map[string]any `json:"args"`
}

// numpySave saves each case's array and runs np.savetxt on its view,
// reporting each case's error (class and text) or "".
const numpySave = `
import os
job = json.load(sys.stdin)
d, cases = job["dir"], job["cases"]
rng = np.random.default_rng(10)
special = np.array([0.0, -0.0, 1.0, -1.5, 0.1, 1e-5, 1e16, 1e300, -1e-300, 5e-324, np.nan, np.inf, -np.inf, 123456.789])
out = {}
for c in cases:
    X = eval(c["array"])
    np.save(os.path.join(d, c["name"] + ".npy"), X)
    V = {"": lambda: X, "T": lambda: X.T, "step2": lambda: X[::2], "rev": lambda: X[::-1]}[c["view"]]()
    args = dict(c["args"])
    try:
        np.savetxt(os.path.join(d, c["name"] + c["out"]), V, **args)
        out[c["name"]] = ""
    except Exception as e:
        out[c["name"]] = type(e).__name__ + ": " + str(e)
json.dump(out, sys.stdout)
`

func saveCases() []saveCase {
	f8 := "np.concatenate([special, rng.standard_normal(66) * 10.0 ** rng.integers(-30, 30, 66)]).reshape(20, 4)"
	ints := "np.array([[0, 1, -1, 127], [-128, 5, 99, -7]], dtype='%s')"
	uints := "np.array([[0, 1, 255, 7], [128, 5, 99, 200]], dtype='%s')"
	big := "np.array([[0, -1, np.iinfo('i8').max, np.iinfo('i8').min]], dtype='i8')"
	ubig := "np.array([[0, 1, np.iinfo('u8').max, 2**63]], dtype='u8')"
	cplx := "(rng.standard_normal((5, 3)) + 1j * rng.standard_normal((5, 3)) * 10.0 ** rng.integers(-5, 5, (5, 3))).astype('%s')"
	rec := "np.array([(1, 2.5, b'ab', 'xé', True, 1+2j, 3.5), (-7, -np.inf, b'', 'long', False, -1j, np.nan), (2**31-1, 1e-310, b'a\\x00b', '', True, 0j, -0.0)], " +
		"dtype=[('a', '<i4'), ('b', '>f8'), ('c', 'S4'), ('d', '<U4'), ('e', '?'), ('f', '<c16'), ('g', '<f2')])"
	cases := []saveCase{
		{Name: "f8_default", Array: f8},
		{Name: "f8_1d", Array: "np.concatenate([special, rng.standard_normal(20)])"},
		{Name: "f8_6f", Array: f8, Args: map[string]any{"fmt": "%.6f"}},
		{Name: "f8_g", Array: f8, Args: map[string]any{"fmt": "%g", "delimiter": ","}},
		{Name: "f8_10_3f", Array: f8, Args: map[string]any{"fmt": "%10.3f", "newline": "\r\n"}},
		{Name: "f8_s", Array: f8, Args: map[string]any{"fmt": "%s", "delimiter": "\t"}},
		{Name: "f8_r", Array: f8, Args: map[string]any{"fmt": "%r"}},
		{Name: "f8_list", Array: f8, Args: map[string]any{"fmt": []string{"%.3e", "%-12g|", "%+.1f", "%G"}, "delimiter": " ; "}},
		{Name: "f8_row", Array: f8, Args: map[string]any{"fmt": "a=%e b=%.2f c=%g d=%s"}},
		{Name: "f8_header", Array: f8, Args: map[string]any{"header": "x y\nsecond line\n", "footer": "end\nof file", "comments": "%% "}},
		{Name: "f8_nocomments", Array: f8, Args: map[string]any{"header": "h", "footer": "f", "comments": "", "newline": "|"}},
		{Name: "f8_big_endian", Array: f8 + ".astype('>f8')"},
		{Name: "f8_transposed", Array: f8, View: "T", Args: map[string]any{"fmt": "%.4g"}},
		{Name: "f8_step", Array: f8, View: "step2"},
		{Name: "f8_reversed", Array: f8, View: "rev", Args: map[string]any{"fmt": "%.17g"}},
		{Name: "f8_d", Array: "np.array([[1.5, -2.7, 1e20], [-0.0, 3.0, -1e300]])", Args: map[string]any{"fmt": "%d"}},
		{Name: "f8_gz", Array: f8, Out: ".gz"},
		{Name: "f4_le", Array: f8 + ".astype('<f4')"},
		{Name: "f4_be_s", Array: f8 + ".astype('>f4')", Args: map[string]any{"fmt": "%s"}},
		{Name: "f2", Array: f8 + ".astype('<f2')", Args: map[string]any{"fmt": "%s %.5e %g %r"}},
		{Name: "f2_be", Array: f8 + ".astype('>f2')"},
		{Name: "bool", Array: "np.array([[True, False], [False, False]])"},
		{Name: "bool_d", Array: "np.array([[True, False], [False, True]])", Args: map[string]any{"fmt": "%d"}},
		{Name: "bool_s", Array: "np.array([True, False])", Args: map[string]any{"fmt": "%s"}},
		{Name: "i8_big", Array: big, Args: map[string]any{"fmt": "%d"}},
		{Name: "i8_big_e", Array: big},
		{Name: "u8_big", Array: ubig, Args: map[string]any{"fmt": "%d"}},
		{Name: "u8_big_x", Array: ubig, Args: map[string]any{"fmt": "%#x"}},
		{Name: "u8_big_e", Array: ubig, Args: map[string]any{"fmt": "%.18e"}},
		{Name: "c16_default", Array: strings.ReplaceAll(cplx, "%s", "c16")},
		{Name: "c8_default", Array: strings.ReplaceAll(cplx, "%s", "c8")},
		{Name: "c16_one", Array: strings.ReplaceAll(cplx, "%s", "c16"), Args: map[string]any{"fmt": "%.3e", "delimiter": ","}},
		{Name: "c16_be", Array: strings.ReplaceAll(cplx, "%s", ">c16"), Args: map[string]any{"fmt": "%g"}},
		{Name: "c16_list", Array: strings.ReplaceAll(cplx, "%s", "c16"), Args: map[string]any{"fmt": []string{"%.3e%+.3ej", "(%.15e%+.15ej)", "%g+%gj"}}},
		{Name: "c16_row", Array: strings.ReplaceAll(cplx, "%s", "c16"), Args: map[string]any{"fmt": "%.2f %.2f %.2f %.2f %.2f %.2f"}},
		{Name: "rec_list", Array: rec, Args: map[string]any{"fmt": []string{"%d", "%.3f", "%s", "%s", "%d", "%s", "%g"}}},
		{Name: "rec_s", Array: rec, Args: map[string]any{"fmt": "%s", "delimiter": ","}},
		{Name: "rec_r", Array: rec, Args: map[string]any{"fmt": "%r", "delimiter": ","}},
		{Name: "rec_numbers", Array: "np.array([(1, 1+2j, 2.5), (-3, -1.5j, np.nan)], dtype=[('a', '<i2'), ('b', '<c8'), ('c', '>f4')])"},
		{Name: "rec_step", Array: rec, View: "rev", Args: map[string]any{"fmt": "%s"}},
		{Name: "S_1d", Array: "np.array([b'abc', b'', b'x\\ty', b\"it's\"])", Args: map[string]any{"fmt": "%s"}},
		{Name: "U_2d", Array: "np.array([['abc', 'é'], ['', 'naïve']])", Args: map[string]any{"fmt": "%6s", "delimiter": "|"}},
		{Name: "U_r", Array: "np.array([['abc', 'é'], ['', \"it's\"]])", Args: map[string]any{"fmt": "%r"}},
		{Name: "empty_rows", Array: "np.zeros((0, 3))", Args: map[string]any{"header": "h", "fmt": "%q"}},
		{Name: "no_columns", Array: "np.zeros((3, 0))"},
		{Name: "many_rows", Array: "rng.standard_normal((3000, 3))", Args: map[string]any{"fmt": "%.6g"}},
		// Refusals, compared by their texts.
		{Name: "err_count", Array: f8, Args: map[string]any{"fmt": "%d %d"}},
		{Name: "err_count_c", Array: strings.ReplaceAll(cplx, "%s", "c16"), Args: map[string]any{"fmt": "%d %d %d"}},
		{Name: "err_c16_x", Array: strings.ReplaceAll(cplx, "%s", "c16"), Args: map[string]any{"fmt": []string{"%x%+xj", "%g%+gj", "%g%+gj"}}},
		{Name: "err_c8_args", Array: strings.ReplaceAll(cplx, "%s", "c8"), Args: map[string]any{"fmt": []string{"%g", "%g", "%g"}}},
		{Name: "err_c16_few", Array: strings.ReplaceAll(cplx, "%s", "c16"), Args: map[string]any{"fmt": []string{"%g %g %g", "%g %g", "%g %g"}}},
		{Name: "err_shape", Array: f8, Args: map[string]any{"fmt": []string{"%d", "%d"}}},
		{Name: "err_mismatch", Array: f8, Args: map[string]any{"fmt": "%x"}},
		{Name: "err_mismatch_str", Array: "np.array(['a', 'b'])", Args: map[string]any{"fmt": "%d"}},
		{Name: "err_list_args", Array: f8, Args: map[string]any{"fmt": []string{"%d %d", "%d", "%d", "%d"}}},
		{Name: "err_nan_d", Array: "np.array([1.0, np.nan])", Args: map[string]any{"fmt": "%d"}},
		{Name: "err_inf_d", Array: "np.array([np.inf])", Args: map[string]any{"fmt": "%d"}},
		{Name: "err_incomplete", Array: f8, Args: map[string]any{"fmt": "%.3"}},
		{Name: "err_char", Array: f8, Args: map[string]any{"fmt": "%y"}},
		{Name: "err_3d", Array: "np.zeros((2, 2, 2))"},
		{Name: "err_0d", Array: "np.float64(1.5).reshape(())"},
	}
	for _, dt := range []string{"i1", "<i2", ">i2", "<i4", ">i8"} {
		cases = append(cases, saveCase{Name: "int_" + dt, Array: strings.ReplaceAll(ints, "%s", dt), Args: map[string]any{"fmt": "%d"}},
			saveCase{Name: "int_e_" + dt, Array: strings.ReplaceAll(ints, "%s", dt)})
	}
	for _, dt := range []string{"u1", ">u2", "<u4", ">u8"} {
		cases = append(cases, saveCase{Name: "uint_" + dt, Array: strings.ReplaceAll(uints, "%s", dt), Args: map[string]any{"fmt": "%5d|%-4x|%#o|%X"}},
			saveCase{Name: "uint_e_" + dt, Array: strings.ReplaceAll(uints, "%s", dt), View: "T"})
	}
	for k := range cases {
		if cases[k].Out == "" {
			cases[k].Out = ".txt"
		}
		if cases[k].Args == nil {
			cases[k].Args = map[string]any{}
		}
	}
	return cases
}

// saveOptionsOf turns a case's savetxt arguments into SaveOptions.
func saveOptionsOf(t *testing.T, args map[string]any) []SaveOption {
	var opts []SaveOption
	for k, v := range args {
		switch k {
		case "fmt":
			if list, ok := v.([]string); ok {
				opts = append(opts, WithColumnFmts(list...))
			} else {
				opts = append(opts, WithFmt(v.(string)))
			}
		case "delimiter":
			opts = append(opts, WithDelimiter(v.(string)))
		case "newline":
			opts = append(opts, WithNewline(v.(string)))
		case "header":
			opts = append(opts, WithHeader(v.(string)))
		case "footer":
			opts = append(opts, WithFooter(v.(string)))
		case "comments":
			opts = append(opts, commentsOption(v.(string)))
		default:
			t.Fatalf("no option for savetxt's %s", k)
		}
	}
	return opts
}

// saveFileView opens the view a case names on f and saves it with SaveFile.
func saveFileView(path string, f *mmarray.File, view string, opts ...SaveOption) error {
	dt := f.DType()
	switch {
	case dt.Structured():
		return saveViewAs[[]byte](path, f, view, opts)
	case dt.Kind == npyheader.Bytes || dt.Kind == npyheader.Unicode:
		return saveViewAs[string](path, f, view, opts)
	case dt.Kind == npyheader.Bool:
		return saveViewAs[bool](path, f, view, opts)
	case dt.Kind == npyheader.Complex && dt.ItemSize == 8:
		return saveViewAs[complex64](path, f, view, opts)
	case dt.Kind == npyheader.Complex:
		return saveViewAs[complex128](path, f, view, opts)
	case dt.Kind == npyheader.Float && dt.ItemSize == 2:
		return saveViewAs[mmarray.Float16](path, f, view, opts)
	case dt.Kind == npyheader.Float && dt.ItemSize == 4:
		return saveViewAs[float32](path, f, view, opts)
	case dt.Kind == npyheader.Float:
		return saveViewAs[float64](path, f, view, opts)
	}
	kinds := map[npyheader.Kind]map[int]func() error{
		npyheader.Int: {1: func() error { return saveViewAs[int8](path, f, view, opts) },
			2: func() error { return saveViewAs[int16](path, f, view, opts) },
			4: func() error { return saveViewAs[int32](path, f, view, opts) },
			8: func() error { return saveViewAs[int64](path, f, view, opts) }},
		npyheader.Uint: {1: func() error { return saveViewAs[uint8](path, f, view, opts) },
			2: func() error { return saveViewAs[uint16](path, f, view, opts) },
			4: func() error { return saveViewAs[uint32](path, f, view, opts) },
			8: func() error { return saveViewAs[uint64](path, f, view, opts) }},
	}
	return kinds[dt.Kind][dt.ItemSize]()
}

func saveViewAs[T mmarray.Element](path string, f *mmarray.File, view string, opts []SaveOption) error {
	a, err := mmarray.View[T](f)
	if err != nil {
		return err
	}
	switch view {
	case "T":
		if a.Ndim() == 2 {
			a = a.Transpose()
		}
	case "step2":
		a = a.Slice(mmarray.Span(0, a.Shape()[0], 2))
	case "rev":
		a = a.Slice(mmarray.Span(-1, -a.Shape()[0]-1, -1))
	}
	return SaveFile(path, a, opts...)
}

// readText reads a text file, decompressing a .gz one.
func readText(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// TestSaveMatchesNumPy runs np.savetxt and SaveFile on the same arrays,
// views and arguments: the texts are byte-identical, and where NumPy
// refuses, SaveFile refuses with NumPy's message and ErrFormat (or
// memmap.ErrUnsupported for an array of the wrong rank).
func TestSaveMatchesNumPy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := saveCases()
	var refusals map[string]string
	numpytest.RunJSON(t, numpySave, map[string]any{"dir": dir, "cases": cases}, &refusals)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			f, err := mmarray.Open(filepath.Join(dir, c.Name+".npy"), mmarray.ReadOnly)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got := filepath.Join(dir, c.Name+".go"+c.Out)
			// Small blocks and three workers, so that even these arrays
			// go through several blocks in flight.
			opts := append(saveOptionsOf(t, c.Args), WithWorkers(3), saveFunc(func(c *saveConfig) { c.blockCells = 7 }))
			if c.View == "" {
				err = SaveArrayFile(got, f, opts...)
			} else {
				err = saveFileView(got, f, c.View, opts...)
			}
			refusal, ok := refusals[c.Name]
			if !ok {
				t.Fatalf("NumPy did not run the case")
			}
			if refusal != "" {
				if err == nil {
					t.Fatalf("SaveFile succeeded; NumPy: %s", refusal)
				}
				_, msg, _ := strings.Cut(refusal, ": ")
				if !strings.HasSuffix(err.Error(), ": "+msg) {
					t.Errorf("error %q, NumPy's %q", err, refusal)
				}
				if !errors.Is(err, ErrFormat) && !errors.Is(err, memmap.ErrUnsupported) {
					t.Errorf("error %v wraps neither ErrFormat nor memmap.ErrUnsupported", err)
				}
				if _, serr := os.Stat(got); !errors.Is(serr, os.ErrNotExist) {
					t.Errorf("SaveFile left %s after its error (stat: %v)", got, serr)
				}
				return
			}
			if err != nil {
				t.Fatalf("SaveFile: %v", err)
			}
			want := readText(t, filepath.Join(dir, c.Name+c.Out))
			if g := readText(t, got); !bytes.Equal(g, want) {
				t.Errorf("text differs from np.savetxt's\n got: %q\nwant: %q", clip(g), clip(want))
			}
		})
	}
}

func clip(b []byte) []byte {
	if len(b) > 600 {
		return b[:600]
	}
	return b
}

// commentsOption is np.savetxt's comments=s: WithComments() for "".
func commentsOption(s string) SaveOption {
	if s == "" {
		return WithComments()
	}
	return WithComments(s)
}
