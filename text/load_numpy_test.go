package text

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/npyheader"
)

// loadCase is one input of the loadtxt corpus, with np.loadtxt's keywords;
// goOpts are options only this package has (workers, budget).
type loadCase struct {
	name   string
	text   string
	kw     map[string]any
	goOpts []LoadOption
}

// optionsOf translates np.loadtxt's keywords into options.
func optionsOf(t *testing.T, kw map[string]any) []LoadOption {
	var opts []LoadOption
	for k, v := range kw {
		switch k {
		case "delimiter":
			opts = append(opts, WithDelimiter(v.(string)))
		case "comments":
			switch v := v.(type) {
			case nil:
				opts = append(opts, WithComments())
			case string:
				opts = append(opts, WithComments(v))
			case []string:
				opts = append(opts, WithComments(v...))
			}
		case "skiprows":
			opts = append(opts, WithSkipRows(v.(int)))
		case "usecols":
			opts = append(opts, WithUseCols(v.([]int)...))
		case "max_rows":
			opts = append(opts, WithMaxRows(int64(v.(int))))
		case "quotechar":
			opts = append(opts, WithQuoteChar([]rune(v.(string))[0]))
		case "dtype":
			opts = append(opts, WithDType(numpytest.Must(npyheader.ParseDescr(v.(string)))))
		case "encoding":
			opts = append(opts, WithEncoding(v.(string)))
		case "ndmin":
			opts = append(opts, WithNdmin(v.(int)))
		default:
			t.Fatalf("no option for keyword %s", k)
		}
	}
	return opts
}

func loadCorpus() []loadCase {
	kw := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	structured := "[('a', '<i4'), ('b', '<f8'), ('c', '|S3')]"
	var long strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&long, "%d,\"%d.5e-3\",%d\r\n", i, i*7, -i)
		if i%97 == 0 {
			long.WriteString("# a comment, \"with a quote\n\n")
		}
	}
	cases := []loadCase{
		{"whitespace", "1 2 3\n4 5 6\n", nil, nil},
		{"tabs and runs of spaces", "  1\t\t2   3  \n\t4 5\t6\t\n", nil, nil},
		{"no final newline", "1 2\n3 4", nil, nil},
		{"crlf", "1,2\r\n3,4\r\n", kw("delimiter", ","), nil},
		{"lone cr", "1 2\r3 4\r", nil, nil},
		{"mixed line ends", "1 2\r\n3 4\r5 6\n7 8", nil, nil},
		{"comments", "# header\n1 2 # tail\n\n3 4\n#end", nil, nil},
		{"comment marker", "1 2 ; x\n;c\n3 4\n", kw("comments", ";"), nil},
		{"several markers", "1 2 // x\n% c\n3 4 %\n", kw("comments", []string{"//", "%"}), nil},
		{"long marker with the delimiter", "1,2 ,x\n3,4\n", kw("comments", []string{",x"}, "delimiter", ","), nil},
		{"no comments", "1 2\n3 4\n", kw("comments", nil), nil},
		{"no comments refuses #", "1 2\n#3 4\n", kw("comments", nil), nil},
		{"skiprows counts comments", "a b\n# c\n1 2\n3 4\n", kw("skiprows", 2), nil},
		{"skiprows past the end", "1 2\n3 4\n", kw("skiprows", 10), nil},
		{"skiprows with crlf", "x\r\ny\r\n1 2\r\n", kw("skiprows", 2), nil},
		{"usecols", "1 2 3\n4 5 6\n", kw("usecols", []int{0, 2}), nil},
		{"usecols negative", "1 2 3\n4 5 6\n", kw("usecols", []int{-1, 0}), nil},
		{"usecols ragged", "1 2 3\n4 5\n", kw("usecols", []int{0, 1}), nil},
		{"usecols out of range", "1 2 3\n4 5\n", kw("usecols", []int{2}), nil},
		{"max_rows", "1 2\n\n# c\n3 4\n5 6\n7 x\n", kw("max_rows", 2), nil},
		{"max_rows before a bad row", "1 2\n3 4\nx y\n", kw("max_rows", 2), nil},
		{"ragged", "1 2\n3 4 5\n", nil, nil},
		{"bad value", "1 2\n3 abc\n", nil, nil},
		{"empty field", "1,,3\n", kw("delimiter", ","), nil},
		{"trailing delimiter as text", "a,b,\n", kw("delimiter", ",", "dtype", "<U2"), nil},
		{"spaces around commas", " 1 , 2 \n3,  4\n", kw("delimiter", ","), nil},
		{"blank line with spaces and a delimiter", "1,2\n  \n", kw("delimiter", ","), nil},
		{"quotes", "1,\"2\"\n\"3\",4\n", kw("delimiter", ",", "quotechar", "\""), nil},
		{"quoted delimiter, newline and doubled quote", "x,\"a,b\"\ny,\"c\nd\"\n\"e\"\"f\",g\n", kw("delimiter", ",", "quotechar", "\"", "dtype", "<U5"), nil},
		{"quoted comment marker", "\"a#b\",1 # c\n", kw("delimiter", ",", "quotechar", "\"", "dtype", "<U4"), nil},
		{"text after a closing quote", "\"ab\"cd,x\"y\n", kw("delimiter", ",", "quotechar", "\"", "dtype", "<U5"), nil},
		{"quotes in whitespace mode", "\"a b\" c\n \"d\"  e \n", kw("quotechar", "\"", "dtype", "<U3"), nil},
		{"first field quoted keeps a last empty field", "\"a\" \n\"b\" \n", kw("quotechar", "\"", "dtype", "<U3"), nil},
		{"line ends in quotes", "\"a\r\nb\",\"c\rd\"\r\n", kw("delimiter", ",", "quotechar", "\"", "dtype", "<U3"), nil},
		{"input ends inside quotes", "a,\"bc\nd", kw("delimiter", ",", "quotechar", "\"", "dtype", "<U5"), nil},
		{"bom with utf-8-sig", "\ufeff1 2\n3 4\n", kw("encoding", "utf-8-sig"), nil},
		{"bom with utf-8", "\ufeff1 2\n3 4\n", kw("encoding", "utf-8"), nil},
		{"latin-1", "caf\xe9 1\n\xff\xe0 2\n", kw("encoding", "latin1", "dtype", "<U4"), nil},
		{"latin-1 as S", "caf\xe9 1\n", kw("encoding", "latin1", "dtype", "|S4"), nil},
		{"invalid utf-8", "1 2\n3 \xff\n", nil, nil},
		{"utf-8 text", "été 1\nπ€ 2\n", kw("dtype", "<U3"), nil},
		{"utf-8 as S", "é 1\n", kw("dtype", "|S2"), nil},
		{"euro as S", "€ 1\n", kw("dtype", "|S2"), nil},
		{"non-ASCII white space", "1\u00a02\n3\u30004\n", nil, nil},
		{"inf and nan spellings", "inf -inf nan\n-nan Infinity +NaN\n", nil, nil},
		{"float32", "0.1 1e39 -1e-46\n", kw("dtype", "<f4"), nil},
		{"big-endian", "1.5 -2\n", kw("dtype", ">f8"), nil},
		{"1e400", "1e400 -1e400 1e-400\n", nil, nil},
		{"underscores", "1_000\n", nil, nil},
		{"hex float", "0x1p-2\n", nil, nil},
		{"complex", "1+2j (3-4j)\n5j 6\n", kw("dtype", "<c16"), nil},
		{"complex64", "1.1+2.2j -inf-nanj\n", kw("dtype", "<c8"), nil},
		{"ints", "1 -2 9223372036854775807\n", kw("dtype", "<i8"), nil},
		{"int with underscores", "1_0\n", kw("dtype", "<i8"), nil},
		{"int via float", "1.5 -2.7 1e3\n", kw("dtype", "<i4"), nil},
		{"uint8", "0 255 +7\n", kw("dtype", "|u1"), nil},
		{"bool", "0 1 -2\n", kw("dtype", "|b1"), nil},
		{"bool refuses True", "True\n", kw("dtype", "|b1"), nil},
		{"structured", "1 2.5 abc\n3 4.5 de\n", kw("dtype", structured), nil},
		{"structured single row", "1 2.5 abc\n", kw("dtype", structured), nil},
		{"structured with usecols", "abc 9 1 2.5\n", kw("dtype", structured, "usecols", []int{2, 3, 0}), nil},
		{"structured ragged", "1 2.5 abc\n3 4.5\n", kw("dtype", structured), nil},
		{"structured subarray", "1 2 3.5\n4 5 6.5\n", kw("dtype", "[('a', '<i4', (2,)), ('b', '<f8')]"), nil},
		{"single row", "1 2 3\n", nil, nil},
		{"single column", "1\n2\n3\n", nil, nil},
		{"single value", "7\n", nil, nil},
		{"ndmin 2, single column", "1\n2\n3\n", kw("ndmin", 2), nil},
		{"ndmin 2, single row", "1 2 3\n", kw("ndmin", 2), nil},
		{"ndmin 2, single value", "7\n", kw("ndmin", 2), nil},
		{"ndmin 1, single value", "7\n", kw("ndmin", 1), nil},
		{"empty", "", nil, nil},
		{"only comments", "# a\n\n# b\n", nil, nil},
		{"empty with usecols", "# a\n", kw("usecols", []int{0, 1}), nil},
		{"empty with ndmin 2", "", kw("ndmin", 2), nil},
		{"many rows in parallel", long.String(), kw("delimiter", ",", "quotechar", "\""), []LoadOption{WithWorkers(3), WithMemory(64 << 10)}},
		{"many rows in parallel without quotes", strings.ReplaceAll(strings.ReplaceAll(long.String(), "\"", ""), ", ", " "), kw("delimiter", ","), []LoadOption{WithWorkers(3), WithMemory(64 << 10)}},
		{"many rows with max_rows", long.String(), kw("delimiter", ",", "quotechar", "\"", "max_rows", 2500), []LoadOption{WithWorkers(2), WithMemory(32 << 10)}},
		{"a bad row late", long.String() + "1,2,x\n", kw("delimiter", ",", "quotechar", "\""), []LoadOption{WithWorkers(3), WithMemory(32 << 10)}},
	}
	return cases
}

const numpyLoad = `
import ast, warnings
out = []
for c in json.load(sys.stdin):
    kw = dict(c["kw"] or {})
    if "dtype" in kw:
        s = kw["dtype"]
        kw["dtype"] = np.dtype(ast.literal_eval(s) if s.startswith("[") else s)
    kw.setdefault("encoding", "utf-8")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = np.loadtxt(c["file"], **kw)
        out.append({"shape": list(a.shape), "dtype": a.dtype.str if a.dtype.names is None else str(a.dtype.descr), "hex": a.tobytes().hex()})
    except ValueError as e:
        out.append({"err": f"{type(e).__name__}: {e}"})
print(json.dumps(out))
`

type numpyLoadResult struct {
	Shape []int  `json:"shape"`
	DType string `json:"dtype"`
	Hex   string `json:"hex"`
	Err   string `json:"err"`
}

// TestLoadMatchesNumPy runs the corpus through np.loadtxt and Load, from
// the same files: the shapes, dtypes and bytes must be NumPy's, and where
// NumPy raises, Load must return an error (naming a line).
func TestLoadMatchesNumPy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := loadCorpus()
	type pyCase struct {
		File string         `json:"file"`
		KW   map[string]any `json:"kw"`
	}
	var in []pyCase
	for i, c := range cases {
		path := filepath.Join(dir, fmt.Sprintf("case%d.txt", i))
		data := []byte(c.text)
		if i%5 == 4 { // some through gzip, as NumPy opens .gz
			path += ".gz"
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(data)
			zw.Close()
			data = buf.Bytes()
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		in = append(in, pyCase{path, c.kw})
	}
	var want []numpyLoadResult
	numpytest.RunJSON(t, numpyLoad, in, &want)
	if len(want) != len(cases) {
		t.Fatalf("NumPy answered %d cases of %d", len(want), len(cases))
	}
	refusals := 0
	for i, c := range cases {
		w := want[i]
		var sink MemorySink
		opts := append(optionsOf(t, c.kw), c.goOpts...)
		res, err := LoadFile(in[i].File, &sink, opts...)
		if w.Err != "" {
			refusals++
			if err == nil {
				t.Errorf("%s: loaded %v %s; NumPy: %s", c.name, res.Shape, res.DType, w.Err)
			} else if !strings.Contains(err.Error(), "line ") {
				t.Errorf("%s: error names no line: %v", c.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v; NumPy loaded %v %s", c.name, err, w.Shape, w.DType)
			continue
		}
		got := hex.EncodeToString(sink.Data)
		if !slices.Equal(res.Shape, w.Shape) || res.DType.String() != w.DType || got != w.Hex {
			t.Errorf("%s: got %v %s %.200s\nNumPy:   %v %s %.200s", c.name, res.Shape, res.DType, got, w.Shape, w.DType, w.Hex)
			continue
		}
		f, err := LoadArrayFile(in[i].File, opts...)
		if err != nil {
			t.Errorf("%s: LoadArrayFile: %v", c.name, err)
			continue
		}
		var data bytes.Buffer
		if _, err := f.WriteDataTo(&data); err != nil || !slices.Equal(f.Shape(), w.Shape) || hex.EncodeToString(data.Bytes()) != w.Hex {
			t.Errorf("%s: LoadArrayFile gave %v %v", c.name, f.Shape(), err)
		}
		f.Close()
	}
	if refusals < 10 {
		t.Errorf("only %d cases refused by NumPy", refusals)
	}
}

// TestLoadRandomTextMatchesNumPy feeds random text made of the characters
// the tokenizer cares about to np.loadtxt and to LoadFile, under several
// settings, as text columns (so that any field parses): the same fields,
// the same shapes and the same refusals.
func TestLoadRandomTextMatchesNumPy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(24, 1))
	settings := []map[string]any{
		{"dtype": "<U3", "delimiter": ",", "quotechar": "\""},
		{"dtype": "<U3", "quotechar": "\""},
		{"dtype": "<U3"},
		{"dtype": "<U3", "delimiter": ";", "comments": []string{"#", "//"}},
		{"dtype": "<U3", "delimiter": ",", "comments": nil, "usecols": []int{0, -1}},
		{"dtype": "<U3", "delimiter": ",", "quotechar": "'", "skiprows": 1, "max_rows": 2},
	}
	const alphabet = "ab1 ,;\"'\n\r#/\t\u00a0\x0b"
	type pyCase struct {
		File string         `json:"file"`
		KW   map[string]any `json:"kw"`
	}
	var in []pyCase
	alpha := []rune(alphabet)
	for i := range 600 {
		var sb strings.Builder
		for range rng.IntN(30) {
			sb.WriteRune(alpha[rng.IntN(len(alpha))])
		}
		path := filepath.Join(dir, fmt.Sprintf("random%d.txt", i))
		if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		in = append(in, pyCase{path, settings[i%len(settings)]})
	}
	var want []numpyLoadResult
	numpytest.RunJSON(t, numpyLoad, in, &want)
	if len(want) != len(in) {
		t.Fatalf("NumPy answered %d cases of %d", len(want), len(in))
	}
	loaded, refused := 0, 0
	for i, c := range in {
		w := want[i]
		var sink MemorySink
		res, err := LoadFile(c.File, &sink, append(optionsOf(t, c.KW), withBlockSize(1+i%7))...)
		text := numpytest.Must(os.ReadFile(c.File))
		switch {
		case w.Err != "" && err == nil:
			t.Errorf("%q %v: loaded %v; NumPy: %s", text, c.KW, res.Shape, w.Err)
		case w.Err == "" && err != nil:
			t.Errorf("%q %v: %v; NumPy loaded %v %s", text, c.KW, err, w.Shape, w.Hex)
		case w.Err == "" && (!slices.Equal(res.Shape, w.Shape) || hex.EncodeToString(sink.Data) != w.Hex):
			t.Errorf("%q %v: got %v %x; NumPy %v %s", text, c.KW, res.Shape, sink.Data, w.Shape, w.Hex)
		case w.Err == "":
			loaded++
		default:
			refused++
		}
	}
	t.Logf("%d loaded, %d refused", loaded, refused)
	if loaded < 100 || refused < 100 {
		t.Errorf("lopsided: %d loaded, %d refused", loaded, refused)
	}
}

const numpyLoadNPY = `
import ast, warnings
out = []
for c in json.load(sys.stdin):
    kw = dict(c["kw"] or {})
    if "dtype" in kw:
        s = kw["dtype"]
        kw["dtype"] = np.dtype(ast.literal_eval(s) if s.startswith("[") else s)
    kw.setdefault("encoding", "utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = np.loadtxt(c["file"], ndmin=1 if kw.get("dtype", np.dtype("f8")).names else 2, **kw)
    got = np.load(c["npy"])
    out.append(got.shape == want.shape and got.dtype == want.dtype and got.tobytes() == want.tobytes())
print(json.dumps(out))
`

// TestLoadToNPYMatchesNumPy converts the corpus's loadable cases into .npy
// files with LoadFileToNPY, which np.load must read as np.loadtxt reads the
// text with ndmin=2 (ndmin=1 for structured dtypes); the cases NumPy
// refuses must leave no file behind, and no temporary file either.
func TestLoadToNPYMatchesNumPy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := t.TempDir()
	type pyCase struct {
		File string         `json:"file"`
		NPY  string         `json:"npy"`
		KW   map[string]any `json:"kw"`
	}
	var in []pyCase
	var names []string
	refused := 0
	for i, c := range loadCorpus() {
		if _, ok := c.kw["ndmin"]; ok {
			continue // LoadToNPY's shape does not depend on ndmin
		}
		txt := filepath.Join(dir, fmt.Sprintf("case%d.txt", i))
		npy := filepath.Join(out, fmt.Sprintf("case%d.npy", i))
		if err := os.WriteFile(txt, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadFileToNPY(txt, npy, append(optionsOf(t, c.kw), c.goOpts...)...)
		if err != nil {
			refused++
			if _, statErr := os.Stat(npy); statErr == nil {
				t.Errorf("%s: %v, but %s exists", c.name, err, npy)
			}
			continue
		}
		in = append(in, pyCase{txt, npy, c.kw})
		names = append(names, c.name)
	}
	var same []bool
	numpytest.RunJSON(t, numpyLoadNPY, in, &same)
	if len(same) != len(in) {
		t.Fatalf("NumPy answered %d cases of %d", len(same), len(in))
	}
	for i, ok := range same {
		if !ok {
			t.Errorf("%s: np.load of the .npy differs from np.loadtxt", names[i])
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != len(in) || refused < 10 {
		t.Errorf("%d files in the output folder for %d conversions (%d refused)", len(entries), len(in), refused)
	}
}
