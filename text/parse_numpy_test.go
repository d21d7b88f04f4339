package text

import (
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/npyheader"
)

// cellCorpus is hand-picked cells on the edges of NumPy's syntax.
var cellCorpus = []string{
	"0", "1", "-1", "+1", " 7 ", "\t-3\t", "007", "-0", "+0", "1.5", "-1.5", "1.", ".5", ".", "+.5",
	"1e3", "1E3", "1e+3", "1e-3", "1e", "1e+", "e3", "1e400", "-1e400", "1e-400", "4.9e-324", "2.5e-324",
	"1.7976931348623157e308", "1.7976931348623159e308", "3.4028235e38", "3.4028236e38", "1e39", "1e-46",
	"0.1", "0.30000000000000004", "123456789012345678901234567890", "9.999999999999999e22",
	"nan", "NaN", "-nan", "+NAN", "nan(1)", "inf", "-inf", "+Inf", "infinity", "-INFINITY", "infinit", "infs",
	"1_000", "1_0.5", "0x10", "0x1p-2", "0b1", "0o7", "1;5", "1 2", "--1", "+-1", "1-", "abc", "True", "False",
	"true", "1.0", "2", "-2", "127", "128", "-128", "-129", "255", "256", "-1.5", "1e2", "1.9", "-1.9",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
	"18446744073709551615", "18446744073709551616", "1e19", "1e30", "\u00a012\u00a0", "\u300012", "12\u2028",
	"\x1c5\x1f", "\v5\f", "\ufeff5", "１２", "٣", "5\u200b",
	"1+2j", "1-2j", "(1+2j)", " ( 1+2j ) ", "1+2J", "1j", "-1j", "j", "+j", "1+j", "(1)", "(1", "1)",
	"1+-2j", "1++2j", "1--2j", "inf+nanj", "nanj", "-infj", "1e3+1e-3j", "(1e400-1e400j)", "1 +2j", "1+ 2j",
	"(1+2j", "1+2j)", "((1))", "1+2jj", "1.5e", "a", "é", "ÿ", "Ā", "€", "ab€", "x\u00e9y", "abcd", "abcdef",
}

// cellDTypes are the dtypes the cells are parsed as, on both sides.
var cellDTypes = []string{"<f8", "<f4", ">f8", "<i1", "<i2", "<i8", ">i4", "|u1", "<u8", "|b1", "<c16", "<c8", "|S3", "<U3", ">U2"}

// randomCells makes cells of the characters numbers are written with, so
// that the corpus reaches combinations nobody thought of.
func randomCells(n int) []string {
	rng := rand.New(rand.NewPCG(10, 4))
	const alphabet = "0123456789+-.eEjJ()_xnaifNItyb \t"
	cells := make([]string, 0, n)
	for len(cells) < n {
		var sb strings.Builder
		for range 1 + rng.IntN(8) {
			sb.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		if s := sb.String(); strings.TrimSpace(s) != "" {
			cells = append(cells, s)
		}
	}
	return cells
}

const numpyCells = `
import warnings
d = json.load(sys.stdin)
out = []
for cell in d["cells"]:
    row = []
    for dt in d["dtypes"]:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                a = np.loadtxt([cell], dtype=dt, delimiter=",", comments=None, ndmin=1)
                res = a.tobytes().hex()
                if any(issubclass(x.category, DeprecationWarning) for x in w):
                    # An integer parsed through a float: NumPy's C cast is
                    # undefined out of the type's range.
                    f = np.loadtxt([cell], dtype="f8", delimiter=",", comments=None, ndmin=1)[0]
                    info = np.iinfo(np.dtype(dt))
                    if not (np.isfinite(f) and info.min <= int(np.trunc(f)) <= info.max):
                        res = "UB"
            except ValueError:
                res = "ERR"
        row.append(res)
    out.append(row)
print(json.dumps(out))
`

// TestCellsMatchNumPy parses every cell of the corpus as every dtype, with
// np.loadtxt and with this package's cell parsers: the bytes must be the
// same, and so must the refusals. Where NumPy parses an integer through a
// float to a value its type cannot hold (a C cast whose result is
// undefined), this package refuses.
func TestCellsMatchNumPy(t *testing.T) {
	t.Parallel()
	cells := append(append([]string{}, cellCorpus...), randomCells(1500)...)
	var want [][]string
	numpytest.RunJSON(t, numpyCells, map[string]any{"cells": cells, "dtypes": cellDTypes}, &want)
	if len(want) != len(cells) {
		t.Fatalf("NumPy answered for %d cells of %d", len(want), len(cells))
	}
	cols := make([]column, len(cellDTypes))
	for i, s := range cellDTypes {
		dt := numpytest.Must(npyheader.ParseDescr(s))
		cols[i] = numpytest.Must(columnOf(dt))
	}
	accepted, refused := 0, 0
	for ci, cell := range cells {
		for di := range cellDTypes {
			c := &cols[di]
			item := make([]byte, c.size)
			got := "ERR"
			if convert(c, []byte(cell), item) {
				got = hex.EncodeToString(item)
				accepted++
			} else {
				refused++
			}
			w := want[ci][di]
			if w == "UB" {
				w = "ERR"
			}
			if got != w {
				t.Errorf("cell %q as %s: got %s, NumPy %s", cell, cellDTypes[di], got, want[ci][di])
			}
		}
	}
	if accepted < 1000 || refused < 1000 {
		t.Errorf("the corpus is lopsided: %d cells accepted, %d refused", accepted, refused)
	}
}
