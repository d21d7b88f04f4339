package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
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
	for _, args := range [][]string{
		{"--fmt", "%q", in("a.npy"), in("bad.csv")},                // a format Python refuses
		{"--fmt", "%d", "--fmt", "%d", in("a.npy"), in("bad.csv")}, // two formats for four columns
		{"--fmt", "%q", in("a.npy"), in("kept.csv")},
		{in("missing.npy"), in("bad.npy")},
		{in("z.npz"), in("bad.npy")}, // an archive into one array
		{in("a.npy"), in("f.npy"), in("bad.npy")},
		{in("a.npy")},
		{"--order", "F", in("a.npy"), in("bad.npy")}, // a raw flag without --dtype
		{in("a.csv"), in("bad.npy")},                 // text input: not yet
	} {
		code, out, errOut := runCLI(append([]string{"convert"}, args...)...)
		require.Equal(t, exitUsage, code, args)
		require.Empty(t, out, args)
		require.True(t, strings.HasPrefix(errOut, "memmap: "), errOut)
		require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	}
	for _, name := range []string{"bad.csv", "bad.npy"} {
		require.NoFileExists(t, in(name))
	}
	kept, err := os.ReadFile(in("kept.csv"))
	require.NoError(t, err)
	require.Equal(t, "old\n", string(kept))
	leftovers, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	require.NoError(t, err)
	require.Empty(t, leftovers)
}
