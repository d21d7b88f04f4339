package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/schollz/progressbar/v3"
	"github.com/stretchr/testify/require"
)

// convertInputs is a NumPy script that writes convert's inputs into the
// folder sys.argv[1]: a C-order float64 matrix, a Fortran-order big-endian
// int32 matrix, a structured table and an archive of two members.
const convertInputs = `
import os
d = sys.argv[1]
a = np.arange(12, dtype="<f8").reshape(3, 4) / 3
np.save(os.path.join(d, "a.npy"), a)
np.save(os.path.join(d, "f.npy"), np.asfortranarray(np.arange(6, dtype=">i4").reshape(2, 3)))
np.save(os.path.join(d, "rec.npy"), np.array([(1, 2.5), (3, -1.0)], dtype=[("id", "<i4"), ("x", "<f8")]))
np.savez(os.path.join(d, "z.npz"), x=a, y=np.arange(5))
a.tofile(os.path.join(d, "a.bin"))
`

// TestConvert converts between .npy, raw, .npz and text files and checks
// each output with NumPy: arrays equal to their inputs (bytes equal for
// .npy), archives that np.load reads, members extracted, raw data in the
// input's order, and text byte for byte np.savetxt's with the same
// arguments.
func TestConvert(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	numpytest.Run(t, convertInputs, dir)
	in := func(name string) string { return filepath.Join(dir, name) }
	for _, args := range [][]string{
		{in("a.npy"), in("copy.npy")},
		{"--dtype", "<f8", "--shape", "3,4", in("a.bin"), in("from-raw.npy")},
		{in("z.npz:y"), in("y.npy")},
		{in("a.npy"), in("f.npy"), in("rec.npy"), in("packed.npz")},
		{in("f.npy"), in("one.npz:renamed")},
		{in("z.npz"), in("unpacked") + "/"},
		{in("f.npy"), in("f.raw")},
		{in("a.npy"), in("a.csv")},
		{"--fmt", "%.3f", "--delimiter", ",", "--header", "a b", "--footer", "end", in("a.npy"), in("a.txt.gz")},
		{"--fmt", "%d", "--fmt", "%.2f", in("rec.npy"), in("rec.tsv")},
	} {
		code, out, errOut := runCLI(append([]string{"convert"}, args...)...)
		require.Equal(t, exitOK, code, "%v: %s", args, errOut)
		require.Empty(t, out, args)
	}
	got := numpytest.Run(t, `
import gzip, io, os
d = sys.argv[1]
p = lambda n: os.path.join(d, n)
same = lambda n, m: open(p(n), "rb").read() == open(p(m), "rb").read()
a, f, rec = np.load(p("a.npy")), np.load(p("f.npy")), np.load(p("rec.npy"))
def savetxt(x, **kw):
    b = io.BytesIO()
    np.savetxt(b, x, **kw)
    return b.getvalue()
z = np.load(p("packed.npz"))
checks = [
    ("copy", same("a.npy", "copy.npy")),
    ("raw to npy", np.array_equal(np.load(p("from-raw.npy")), a)),
    ("member", np.array_equal(np.load(p("y.npy")), np.arange(5))),
    ("packed", sorted(z.keys()) == ["a", "f", "rec"] and np.array_equal(z["a"], a)
               and np.array_equal(z["f"], f) and z["f"].flags.f_contiguous and np.array_equal(z["rec"], rec)),
    ("renamed", list(np.load(p("one.npz")).keys()) == ["renamed"]),
    ("unpacked", sorted(os.listdir(p("unpacked"))) == ["x.npy", "y.npy"]
                 and np.array_equal(np.load(p("unpacked/x.npy")), a)),
    ("raw", np.array_equal(np.fromfile(p("f.raw"), dtype=">i4").reshape(2, 3, order="F"), f)),
    ("csv", open(p("a.csv"), "rb").read() == savetxt(a)),
    ("gz", gzip.open(p("a.txt.gz")).read() == savetxt(a, fmt="%.3f", delimiter=",", header="a b", footer="end")),
    ("tsv", open(p("rec.tsv"), "rb").read() == savetxt(rec, fmt=["%d", "%.2f"])),
]
print(" ".join(name for name, ok in checks if not ok) or "ok")
`, dir)
	require.Equal(t, "ok\n", got)
	leftovers, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	require.NoError(t, err)
	require.Empty(t, leftovers)
}

// TestConvertFailures checks that a conversion that fails exits 2 with one
// line and leaves no file under the output's name, nor a temporary one, and
// that an existing output is left as it was.
func TestConvertFailures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	numpytest.Run(t, convertInputs, dir)
	in := func(name string) string { return filepath.Join(dir, name) }
	require.NoError(t, os.WriteFile(in("kept.csv"), []byte("old\n"), 0o644))
	require.NoError(t, os.WriteFile(in("bad.txt"), []byte("1,2\n3,x\n"), 0o644))
	require.NoError(t, os.WriteFile(in("good.txt"), []byte("1 2\n3 4\n"), 0o644))
	numpytest.Run(t, `
import os
d = sys.argv[1]
np.savez(os.path.join(d, "dup.npz"), **{"a/x": np.arange(3), "b/x": np.arange(4)})
np.savez(os.path.join(d, "empty.npz"), **{"": np.arange(3)})
`, dir)
	for _, args := range [][]string{
		{"--fmt", "%q", in("a.npy"), in("bad.csv")},                // a format Python refuses
		{"--fmt", "%d", "--fmt", "%d", in("a.npy"), in("bad.csv")}, // two formats for four columns
		{"--fmt", "%q", in("a.npy"), in("kept.csv")},
		{in("missing.npy"), in("bad.npy")},
		{in("z.npz"), in("bad.npy")}, // an archive into one array
		{in("a.npy"), in("f.npy"), in("bad.npy")},
		{in("a.npy")},
		{"--order", "F", in("a.npy"), in("bad.npy")},       // a raw flag without --dtype
		{"--delimiter", ",", in("bad.txt"), in("bad.npy")}, // a value that is not a number
		{"--delimiter", ",", in("bad.txt"), in("bad.csv")},
		{"--reader", "pandas", in("bad.txt"), in("bad.npy")},
		{"--reader", "genfromtxt", "--usecols", "0", in("bad.txt"), in("bad.npy")}, // loadtxt's flag
		{"--names", in("bad.txt"), in("bad.npy")},                                  // genfromtxt's flag
		{"--comments", "#", "--comments", "%", in("a.npy"), in("bad.csv")},         // one prefix to write
		// Flags the text package refuses with a *memmap.Misuse panic.
		{"--delimiter", ",", "--comments", ",", in("bad.txt"), in("bad.npy")},
		{"--quotechar", "\"", "--comments", "//", in("bad.txt"), in("bad.npy")},
		{"--quotechar", "\"", "--comments", "\"", in("bad.txt"), in("bad.npy")},
		{"--delimiter", "\x80", in("bad.txt"), in("bad.npy")},
		{"--delimiter", "\n", in("bad.txt"), in("bad.npy")},
		{"--quotechar", "\n", in("bad.txt"), in("bad.npy")},
		{"--comments", "a\nb", in("bad.txt"), in("bad.npy")},
		{"--reader", "genfromtxt", "--comments", "a", "--comments", "b", in("bad.txt"), in("bad.npy")},
		{"--reader", "genfromtxt", "--max-rows", "1", "--skip-footer", "1", in("bad.txt"), in("bad.npy")},
		{"--max-rows", "1", "--skip-footer", "1", in("bad.txt"), in("bad.npy")},
		// Raw-file flags describe no text.
		{"--shape", "2,2", in("good.txt"), in("bad.npy")},
		{"--dtype", "<f8", "--offset", "0", in("good.txt"), in("bad.npy")},
		{"--order", "C", in("good.txt"), in("bad.csv")},
		// .gz in another case: NumPy takes it for plain text.
		{in("a.npy"), in("bad.csv.GZ")},
		{in("good.txt.Gz"), in("bad.npy")},
		// Members that would be extracted to the same file, or to none.
		{in("dup.npz"), in("dup") + "/"},
		{in("empty.npz"), in("empty") + "/"},
	} {
		code, out, errOut := runCLI(append([]string{"convert"}, args...)...)
		require.Equal(t, exitUsage, code, args)
		require.Empty(t, out, args)
		require.True(t, strings.HasPrefix(errOut, "memmap: "), errOut)
		require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	}
	for _, name := range []string{"bad.csv", "bad.npy", "bad.csv.GZ"} {
		require.NoFileExists(t, in(name))
	}
	for _, name := range []string{"dup", "empty"} {
		require.NoDirExists(t, in(name))
	}
	kept, err := os.ReadFile(in("kept.csv"))
	require.NoError(t, err)
	require.Equal(t, "old\n", string(kept))
	leftovers, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	require.NoError(t, err)
	require.Empty(t, leftovers)
}

// TestConvertText converts text files with np.loadtxt's and np.genfromtxt's
// keywords as flags (.csv, .gz, into .npy, .npz and back to text) and
// checks each result against NumPy reading the same text with the same
// keywords.
func TestConvertText(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := func(name string) string { return filepath.Join(dir, name) }
	numpytest.Run(t, `
import gzip, os
d = sys.argv[1]
open(os.path.join(d, "t.csv"), "w").write("skip me\n# x,y,z\n1,2.5,-3\n4,5e3,6 # six\n\n7,\"8\",9\n")
with gzip.open(os.path.join(d, "t.txt.gz"), "wt") as f:
    f.write("1 2\n3 4\n5 6\n")
open(os.path.join(d, "g.csv"), "w").write("a,b,c\n1,,x\n2,N/A,y\n3,4.5,z\n")
open(os.path.join(d, "one.csv"), "w").write("1\n2\n3\n")
open(os.path.join(d, "rec.csv"), "w").write("1,2.5\n")
os.mkdir(os.path.join(d, "a:b"))  # a ':' that names no archive member
`, dir)
	for _, args := range [][]string{
		{"--delimiter", ",", "--skiprows", "1", "--quotechar", "\"", in("t.csv"), in("t.npy")},
		{"--delimiter", ",", "--skiprows", "1", "--quotechar", "\"", "--usecols", "2,0", "--dtype", "<i8", "--max-rows", "2", in("t.csv"), in("cols.npy")},
		{"--dtype", "<i2", in("t.txt.gz"), in("gz.npz")},
		{in("t.txt.gz"), in("again.csv")},
		{"--reader", "genfromtxt", "--delimiter", ",", "--names", "--missing-values", "N/A", in("g.csv"), in("g.npy")},
		{"--reader", "genfromtxt", "--delimiter", ",", "--skip-header", "1", "--dtype", "<f8", "--filling-values", "-9", in("g.csv"), in("fill.npy")},
		// One column and one row: every output has the .npy output's shape.
		{in("one.csv"), in("one.npy")},
		{in("one.csv"), in("one.npz")},
		{in("one.csv"), in("one-again.npz:x")},
		{in("one.csv"), in("one.bin")},
		{in("one.csv"), in("a:b/one.npy")},
		{"--delimiter", ",", "--dtype", "[('id', '<i4'), ('x', '<f8')]", in("rec.csv"), in("rec.npy")},
		{"--delimiter", ",", "--dtype", "[('id', '<i4'), ('x', '<f8')]", in("rec.csv"), in("rec.npz")},
	} {
		code, out, errOut := runCLI(append([]string{"convert"}, args...)...)
		require.Equal(t, exitOK, code, "%v: %s", args, errOut)
		require.Empty(t, out, args)
	}
	got := numpytest.Run(t, `
import io, os
d = sys.argv[1]
p = lambda n: os.path.join(d, n)
def eq(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
def savetxt(x):
    b = io.BytesIO()
    np.savetxt(b, x)
    return b.getvalue()
t = np.loadtxt(p("t.csv"), delimiter=",", skiprows=1, quotechar='"', ndmin=2)
g = np.genfromtxt(p("g.csv"), delimiter=",", names=True, dtype=None, missing_values="N/A")
checks = [
    ("t", eq(np.load(p("t.npy")), t)),
    ("cols", eq(np.load(p("cols.npy")), np.loadtxt(p("t.csv"), delimiter=",", skiprows=1, quotechar='"', usecols=(2, 0), dtype="<i8", max_rows=2, ndmin=2))),
    ("gz", eq(np.load(p("gz.npz"))["t.txt"], np.loadtxt(p("t.txt.gz"), dtype="<i2", ndmin=2))),
    ("again", open(p("again.csv"), "rb").read() == savetxt(np.loadtxt(p("t.txt.gz")))),
    ("g", eq(np.load(p("g.npy")), g)),
    ("fill", eq(np.load(p("fill.npy")), np.genfromtxt(p("g.csv"), delimiter=",", skip_header=1, dtype="<f8", filling_values=-9))),
    ("one.npy", eq(np.load(p("one.npy")), np.loadtxt(p("one.csv"), ndmin=2))),
    ("one.npz", eq(np.load(p("one.npz"))["one"], np.loadtxt(p("one.csv"), ndmin=2))),
    ("one-again.npz", eq(np.load(p("one-again.npz"))["x"], np.loadtxt(p("one.csv"), ndmin=2))),
    ("a:b/one.npy", eq(np.load(p("a:b/one.npy")), np.loadtxt(p("one.csv"), ndmin=2))),
    ("one.bin", np.load(p("one.npy")).tobytes() == open(p("one.bin"), "rb").read()),
    ("rec.npy", eq(np.load(p("rec.npy")), np.loadtxt(p("rec.csv"), delimiter=",", dtype=[("id", "<i4"), ("x", "<f8")], ndmin=1))),
    ("rec.npz", eq(np.load(p("rec.npz"))["rec"], np.loadtxt(p("rec.csv"), delimiter=",", dtype=[("id", "<i4"), ("x", "<f8")], ndmin=1))),
]
print(" ".join(name for name, ok in checks if not ok) or "ok")
`, dir)
	require.Equal(t, "ok\n", got)
}

// TestProgressCountsUncompressed checks that convert's progress bar counts
// the bytes of the array written, as its total does, and not the fewer
// bytes gzip makes of them.
func TestProgressCountsUncompressed(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "zeros.npy.gz")
	data := make([]byte, 1<<20) // zeros: gzip makes them a thousand times smaller
	bar := progressbar.NewOptions64(1<<40, progressbar.OptionSetWriter(io.Discard))
	err := writeAtomically(path, countedBy(bar, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}))
	require.NoError(t, err)
	require.EqualValues(t, len(data), bar.State().CurrentNum)
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Less(t, st.Size(), int64(len(data))/100, "the output is compressed")
}
