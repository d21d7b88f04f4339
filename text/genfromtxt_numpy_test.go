package text

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/npyheader"
)

// genOptionsOf translates np.genfromtxt's keywords into options. Filling
// values are Python literals on NumPy's side and their text here.
func genOptionsOf(t *testing.T, kw map[string]any) []GenOption {
	var opts []GenOption
	for k, v := range kw {
		switch k {
		case "delimiter":
			opts = append(opts, WithDelimiter(v.(string)))
		case "comments":
			if v == nil {
				opts = append(opts, WithComments())
			} else {
				opts = append(opts, WithComments(v.(string)))
			}
		case "dtype":
			if v == nil {
				opts = append(opts, WithInferredDType())
			} else {
				opts = append(opts, WithDType(numpytest.Must(npyheader.ParseDescr(v.(string)))))
			}
		case "names":
			opts = append(opts, WithNames())
		case "skip_header":
			opts = append(opts, WithSkipHeader(v.(int)))
		case "skip_footer":
			opts = append(opts, WithSkipFooter(v.(int)))
		case "missing_values":
			opts = append(opts, WithMissingValues(strings.Split(v.(string), ",")...))
		case "filling_values":
			switch v := v.(type) {
			case string:
				opts = append(opts, WithFillingValues(v))
			case []string:
				opts = append(opts, WithFillingValues(v...))
			}
		case "invalid_raise":
			opts = append(opts, WithInvalidRaise(v.(bool)))
		case "autostrip":
			opts = append(opts, WithAutostrip())
		case "usemask":
			opts = append(opts, WithUseMask())
		case "max_rows":
			opts = append(opts, WithMaxRows(int64(v.(int))))
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

const numpyGen = `
import ast, warnings
out = []
for c in json.load(sys.stdin):
    kw = dict(c["kw"] or {})
    if kw.get("dtype") is not None:
        s = kw["dtype"]
        kw["dtype"] = np.dtype(ast.literal_eval(s) if s.startswith("[") else s)
    if "filling_values" in kw:
        f = kw["filling_values"]
        kw["filling_values"] = [ast.literal_eval(x) for x in f] if isinstance(f, list) else ast.literal_eval(f)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = np.genfromtxt(c["file"], **kw)
        data = np.ma.getdata(a)
        r = {"shape": list(data.shape), "dtype": data.dtype.str if data.dtype.names is None else str(data.dtype.descr), "hex": data.tobytes().hex()}
        if kw.get("usemask"):
            r["mask"] = np.ma.getmaskarray(a).tobytes().hex()
        out.append(r)
    except (ValueError, IndexError, OverflowError) as e:
        out.append({"err": f"{type(e).__name__}: {e}"})
print(json.dumps(out))
`

type numpyGenResult struct {
	numpyLoadResult
	Mask string `json:"mask"`
}

func genCorpus() []loadCase {
	kw := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	return []loadCase{
		{"floats", "1 2\n3 4\n", nil, nil},
		{"python float syntax", "1_000 1e400 -inf\n nan 0x10 1__0\n", nil, nil},
		{"missing become nan", "1,,3\n4,5,\n", kw("delimiter", ","), nil},
		{"comments and blank lines", "# head\n\n1 2 # c\n\n3 4\n", nil, nil},
		{"no comments", "1 #\n", kw("comments", nil, "dtype", nil), nil},
		{"names", "a b c\n1 2 3\n4 5 6\n", kw("names", true), nil},
		{"names after the comment marker", "# x y\n1 2\n", kw("names", true), nil},
		{"names with a lone marker", "#,x,y\n1,2\n", kw("names", true, "delimiter", ","), nil},
		{"names cleaned", "a b,c-d,return,,a b, x \n1,2,3,4,5,6\n", kw("names", true, "delimiter", ","), nil},
		{"names with inference", "id,name,score\n1,ann,2.5\n2,bob,\n", kw("names", true, "delimiter", ",", "dtype", nil), nil},
		{"inference", "1 2.5 x True 1+2j\n3 4 yy false 3\n", kw("dtype", nil), nil},
		{"inference, one type", "1 2\n3 4\n", kw("dtype", nil), nil},
		{"inference, text", "a bb\nccc d\n", kw("dtype", nil), nil},
		{"inference, text with an encoding", "a bb\nccc d\n", kw("dtype", nil, "encoding", "utf-8"), nil},
		{"inference, non-latin-1 text", "a €\n", kw("dtype", nil), nil},
		{"inference, big int", "1 99999999999999999999\n", kw("dtype", nil), nil},
		{"inference, python int syntax", "1_0 +7\n 007 -0\n", kw("dtype", nil), nil},
		{"inference, python complex syntax", "1+2J j\n(3-j) 1e3J\n", kw("dtype", nil), nil},
		{"inference, bools", "TRUE false\nTrue FALSE\n", kw("dtype", nil), nil},
		{"inference with missing", "1,,x\n,2.5,\n", kw("delimiter", ",", "dtype", nil), nil},
		{"inference, missing bool column", "1,\n2,\n", kw("delimiter", ",", "dtype", nil), nil},
		{"missing_values", "1,N/A,3\n-999,5,6\n", kw("delimiter", ",", "missing_values", "N/A,-999", "usemask", true), nil},
		{"missing_values, inference and names", "a,b,c\n1,N/A,x\n-999,5.5,N/A\n", kw("delimiter", ",", "missing_values", "N/A,-999", "usemask", true, "names", true, "dtype", nil), nil},
		{"filling_values", "1,,3\n,5,\n", kw("delimiter", ",", "filling_values", "0"), nil},
		{"filling_values per column", "1,,3\n,5,\n", kw("delimiter", ",", "filling_values", []string{"-1", "-2"}), nil},
		{"filling_values for ints", "1,,x\n", kw("delimiter", ",", "dtype", "<i8", "filling_values", "7"), nil},
		{"usemask", "1,,3\n4,5,\n", kw("delimiter", ",", "usemask", true), nil},
		{"usemask, inference", "1,,3.5\n4,5,\n", kw("delimiter", ",", "usemask", true, "dtype", nil), nil},
		{"skip_header", "junk\nmore junk\n1 2\n", kw("skip_header", 2), nil},
		{"skip_footer", "1 2\n3 4\n5 6\ntotal\n", kw("skip_footer", 2, "invalid_raise", false), nil},
		{"skip_footer over invalid rows", "1 2\n3 4\n5\n", kw("skip_footer", 1), nil},
		{"skip_footer, inference sees the footer", "1 2\n3 4\n5 x\n", kw("skip_footer", 1, "dtype", nil), nil},
		{"invalid raises", "1 2\n3 4 5\n", nil, nil},
		{"invalid dropped", "1 2\n3 4 5\n6 7\n", kw("invalid_raise", false), nil},
		{"autostrip", "a , b\n c,d \n", kw("delimiter", ",", "dtype", nil, "autostrip", true), nil},
		{"no autostrip", "a , b\n c,d \n", kw("delimiter", ",", "dtype", nil), nil},
		{"explicit int with bad values", "1,x,2.5\n", kw("delimiter", ",", "dtype", "<i8"), nil},
		{"explicit int overflow", "99999999999999999999\n", kw("dtype", "<i8"), nil},
		{"explicit float32", "0.1 1e39\n", kw("dtype", "<f4"), nil},
		{"explicit bool", "true 1 FALSE\n", kw("dtype", "|b1"), nil},
		{"explicit S", "abc é €\n", kw("dtype", "|S2"), nil},
		{"explicit U", "abc é €\n", kw("dtype", "<U2"), nil},
		{"explicit structured", "1 2.5 abc\n", kw("dtype", "[('a', '<i4'), ('b', '<f8'), ('c', '|S2')]"), nil},
		{"explicit structured with names", "x y z\n1 2.5 abc\n", kw("names", true, "dtype", "[('a', '<i4'), ('b', '<f8'), ('c', '|S2')]"), nil},
		{"explicit complex", "1+2J (3-j)\n", kw("dtype", "<c16"), nil},
		{"max_rows", "1 2\n\n3 4\n5 6\n", kw("max_rows", 2), nil},
		{"crlf and lone cr", "1,2\r\n3,4\r5,6\r\n", kw("delimiter", ","), nil},
		{"bom with utf-8-sig", "\ufeff1 2\n", kw("encoding", "utf-8-sig"), nil},
		{"latin-1", "caf\xe9 1\n", kw("encoding", "latin1", "dtype", nil), nil},
		{"single column", "1\n2\n", nil, nil},
		{"single value, ndmin 2", "7\n", kw("ndmin", 2), nil},
		{"empty", "", nil, nil},
		{"non-ASCII white space", "1\u00a02\u30003\n", nil, nil},
	}
}

// TestGenfromtxtMatchesNumPy runs the corpus through np.genfromtxt and
// GenfromtxtFile: the same shapes, dtypes, bytes and masks, and the same
// refusals.
func TestGenfromtxtMatchesNumPy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := genCorpus()
	type pyCase struct {
		File string         `json:"file"`
		KW   map[string]any `json:"kw"`
	}
	var in []pyCase
	for i, c := range cases {
		path := filepath.Join(dir, fmt.Sprintf("gen%d.txt", i))
		if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		in = append(in, pyCase{path, c.kw})
	}
	var want []numpyGenResult
	numpytest.RunJSON(t, numpyGen, in, &want)
	if len(want) != len(cases) {
		t.Fatalf("NumPy answered %d cases of %d", len(want), len(cases))
	}
	refused := 0
	for i, c := range cases {
		w := want[i]
		res, err := GenfromtxtFile(in[i].File, genOptionsOf(t, c.kw)...)
		if w.Err != "" {
			refused++
			if err == nil {
				t.Errorf("%s: loaded %v %s; NumPy: %s", c.name, res.Data.Shape(), res.Data.Descr(), w.Err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v; NumPy loaded %v %s", c.name, err, w.Shape, w.DType)
			continue
		}
		var data bytes.Buffer
		res.Data.WriteDataTo(&data)
		got := hex.EncodeToString(data.Bytes())
		if !slices.Equal(res.Data.Shape(), w.Shape) || res.Data.DType().String() != w.DType || got != w.Hex {
			t.Errorf("%s: got %v %s %s\n       NumPy %v %s %s", c.name, res.Data.Shape(), res.Data.DType(), got, w.Shape, w.DType, w.Hex)
		}
		if w.Mask != "" || res.Mask != nil {
			var mask bytes.Buffer
			if res.Mask != nil {
				res.Mask.WriteDataTo(&mask)
			}
			if hex.EncodeToString(mask.Bytes()) != w.Mask {
				t.Errorf("%s: mask %x, NumPy %s", c.name, mask.Bytes(), w.Mask)
			}
		}
	}
	if refused < 2 {
		t.Errorf("only %d cases refused by NumPy", refused)
	}
}

// TestGenfromtxtRandomMatchesNumPy infers dtypes from random values made
// of the characters of Python's number and bool syntaxes, so that int(),
// float(), complex() and str2bool are checked on many spellings, with
// missing values and masks.
func TestGenfromtxtRandomMatchesNumPy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 9))
	pieces := []string{"0", "1", "7", "_", ".", "e", "E", "+", "-", "j", "J", "(", ")", " ", "inf", "nan", "true", "False", "x", "N/A", "0x1"}
	type pyCase struct {
		File string         `json:"file"`
		KW   map[string]any `json:"kw"`
	}
	var in []pyCase
	for i := range 400 {
		var sb strings.Builder
		for r := range 3 {
			for c := range 3 {
				if c > 0 {
					sb.WriteByte(',')
				}
				for range rng.IntN(4) {
					sb.WriteString(pieces[rng.IntN(len(pieces))])
				}
				if r == 0 && c == 0 && rng.IntN(2) == 0 {
					sb.WriteString("1") // more columns that parse
				}
			}
			sb.WriteByte('\n')
		}
		path := filepath.Join(dir, fmt.Sprintf("random%d.txt", i))
		if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		kw := map[string]any{"delimiter": ",", "dtype": nil, "usemask": true, "missing_values": "N/A"}
		if i%3 == 0 {
			kw["encoding"] = "utf-8"
			kw["names"] = true
		}
		in = append(in, pyCase{path, kw})
	}
	var want []numpyGenResult
	numpytest.RunJSON(t, numpyGen, in, &want)
	if len(want) != len(in) {
		t.Fatalf("NumPy answered %d cases of %d", len(want), len(in))
	}
	kinds := map[string]bool{}
	longdouble := 0
	for i, c := range in {
		w := want[i]
		text := numpytest.Must(os.ReadFile(c.File))
		res, err := GenfromtxtFile(c.File, genOptionsOf(t, c.KW)...)
		if errors.Is(err, memmap.ErrUnsupported) && strings.Contains(w.DType, "f16") {
			longdouble++ // NumPy makes a longdouble column, this package refuses
			continue
		}
		if (w.Err != "") != (err != nil) {
			t.Errorf("%q: error %v; NumPy %q", text, err, w.Err)
			continue
		}
		if err != nil {
			continue
		}
		var data, mask bytes.Buffer
		res.Data.WriteDataTo(&data)
		res.Mask.WriteDataTo(&mask)
		if !slices.Equal(res.Data.Shape(), w.Shape) || res.Data.DType().String() != w.DType || hex.EncodeToString(data.Bytes()) != w.Hex || hex.EncodeToString(mask.Bytes()) != w.Mask {
			t.Errorf("%q:\n got %v %s %x mask %x\nNumPy %v %s %s mask %s", text, res.Data.Shape(), res.Data.DType(), data.Bytes(), mask.Bytes(), w.Shape, w.DType, w.Hex, w.Mask)
		}
		kinds[w.DType] = true
	}
	if longdouble == 0 || longdouble > len(in)/10 {
		t.Errorf("%d longdouble columns", longdouble)
	}
	if len(kinds) < 20 {
		t.Errorf("only %d different dtypes inferred", len(kinds))
	}
}
