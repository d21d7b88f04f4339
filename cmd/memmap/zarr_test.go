package main

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/stretchr/testify/require"
)

// TestConvertZarr converts .npy files, a raw file and an .npz member into
// Zarr stores with several codecs and chunk shapes and checks each with
// zarr-python (same values, dtype, order, chunks and compressor), then
// converts stores zarr-python wrote (an array, a member of a group) into
// .npy files and checks them byte for byte against np.save of the array,
// into raw files (C order, even from a Fortran-order store) against
// tobytes, and into .npz members against np.load; --workers and --memory
// run those conversions.
func TestConvertZarr(t *testing.T) {
	t.Parallel()
	numpytest.RequireModule(t, "zarr")
	dir := t.TempDir()
	numpytest.Run(t, convertInputs, dir)
	numpytest.Run(t, `
import os, zarr, numcodecs
d = sys.argv[1]
x = np.arange(35, dtype='<i8').reshape(7, 5) * 3 - 50
zarr.array(x, chunks=(3, 2), store=zarr.DirectoryStore(os.path.join(d, 'py.zarr')))
g = zarr.group(store=zarr.DirectoryStore(os.path.join(d, 'group.zarr')))
g.array('m', np.asfortranarray(np.arange(12, dtype='>f4').reshape(3, 4)), chunks=(2, 3), order='F',
        compressor=numcodecs.Zstd(3))
`, dir)
	in := func(name string) string { return filepath.Join(dir, name) }
	for _, args := range [][]string{
		{in("a.npy"), in("a.zarr")},
		{"--chunks", "2,3", "--codec", "zstd", in("a.npy"), in("a-zstd.zarr")},
		{"--codec", "none", "--chunks", "1,2", in("f.npy"), in("f.zarr")},
		{"--codec", "blosc-zlib", in("rec.npy"), in("rec.zarr")},
		{"--dtype", "<f8", "--shape", "3,4", "--chunks", "2,2", "--codec", "lz4", in("a.bin"), in("raw.zarr")},
		{"--codec", "gzip", in("z.npz:y"), in("y.zarr") + "/"},
		{in("py.zarr"), in("py.npy")},
		{in("group.zarr/m"), in("m.npy")},
		{"--workers", "3", "--memory", "1MiB", in("a.npy"), in("a-run.zarr")},
		{"--workers", "2", "--memory", "1KiB", in("py.zarr"), in("py.raw")},
		{in("group.zarr/m"), in("m.bin")}, // a Fortran-order store: the raw file in C order
		{in("py.zarr"), in("out.npz:x")},
		{"--workers", "1", in("group.zarr/m/"), in("m.npz")}, // the member named after the store
	} {
		code, out, errOut := runCLI(append([]string{"convert"}, args...)...)
		require.Equal(t, exitOK, code, "%v: %s", args, errOut)
		require.Empty(t, out, args)
	}
	got := numpytest.Run(t, `
import os, zarr
d = sys.argv[1]
p = lambda n: os.path.join(d, n)
a, f, rec = np.load(p("a.npy")), np.load(p("f.npy")), np.load(p("rec.npy"))
def store(name, want, chunks, compressor, order="C"):
    z = zarr.open(p(name), mode="r")
    c = None if z.compressor is None else z.compressor.get_config()
    return (np.array_equal(z[...], want) and z.dtype == want.dtype and z.chunks == chunks
            and c == compressor and z.order == order)
def saved(name, want):
    import io
    b = io.BytesIO()
    np.save(b, want)
    return open(p(name), "rb").read() == b.getvalue()
blosc = lambda cname: {"id": "blosc", "cname": cname, "clevel": 5, "shuffle": 1, "blocksize": 0}
guess = zarr.util.guess_chunks
checks = [
    ("default", store("a.zarr", a, guess(a.shape, 8), blosc("lz4"))),
    ("zstd", store("a-zstd.zarr", a, (2, 3), {"id": "zstd", "level": 1})),
    ("fortran", store("f.zarr", f, (1, 2), None, "F")),
    ("structured", store("rec.zarr", rec, guess(rec.shape, rec.itemsize), blosc("zlib"))),
    ("raw", store("raw.zarr", a, (2, 2), {"id": "lz4", "acceleration": 1})),
    ("member", store("y.zarr", np.arange(5), (5,), {"id": "gzip", "level": 1})),
    ("from zarr", saved("py.npy", zarr.open(p("py.zarr"), mode="r")[...])),
    ("from member", saved("m.npy", zarr.open(p("group.zarr"), mode="r")["m"][...])),
    ("workers", store("a-run.zarr", a, guess(a.shape, 8), blosc("lz4"))),
    ("raw", open(p("py.raw"), "rb").read() == zarr.open(p("py.zarr"), mode="r")[...].tobytes()),
    ("raw from F", open(p("m.bin"), "rb").read() == zarr.open(p("group.zarr"), mode="r")["m"][...].tobytes(order="C")),
    ("npz member", list(np.load(p("out.npz")).keys()) == ["x"] and
        np.array_equal(np.load(p("out.npz"))["x"], zarr.open(p("py.zarr"), mode="r")[...]) and
        np.load(p("out.npz"))["x"].dtype == np.dtype("<i8")),
    ("npz member named", list(np.load(p("m.npz")).keys()) == ["m"] and
        np.array_equal(np.load(p("m.npz"))["m"], zarr.open(p("group.zarr"), mode="r")["m"][...]) and
        np.load(p("m.npz"))["m"].dtype == np.dtype(">f4")),
]
print(" ".join(name for name, ok in checks if not ok) or "ok")
`, dir)
	require.Equal(t, "ok\n", got)
	leftovers, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	require.NoError(t, err)
	require.Empty(t, leftovers)
	members, err := filepath.Glob(filepath.Join(dir, ".*.member-*"))
	require.NoError(t, err)
	require.Empty(t, members)
}

// TestConvertZarrFailures checks that a conversion to or from a Zarr store
// that fails exits 2 with one line and leaves nothing under the output's
// name, nor a temporary folder or file, and that an existing output is left
// as it was.
func TestConvertZarrFailures(t *testing.T) {
	t.Parallel()
	numpytest.RequireModule(t, "zarr")
	dir := t.TempDir()
	numpytest.Run(t, convertInputs, dir)
	numpytest.Run(t, `
import os, zarr
d = sys.argv[1]
zarr.array(np.arange(10.0), chunks=4, store=zarr.DirectoryStore(os.path.join(d, 'kept.zarr')))
g = zarr.group(store=zarr.DirectoryStore(os.path.join(d, 'group.zarr')))
g.array('m', np.arange(3))
z = zarr.array(np.arange(10.0), chunks=4, store=zarr.DirectoryStore(os.path.join(d, 'damaged.zarr')))
with open(os.path.join(d, 'damaged.zarr', '1'), 'wb') as f:
    f.write(b'not blosc')
`, dir)
	in := func(name string) string { return filepath.Join(dir, name) }
	require.NoError(t, os.WriteFile(in("file.zarr"), []byte("old\n"), 0o644))
	keptBefore := treeOf(t, in("kept.zarr"))
	for _, args := range [][]string{
		{"--codec", "snappy", in("a.npy"), in("bad.zarr")},
		{"--chunks", "2", in("a.npy"), in("bad.zarr")},                        // one length for two axes
		{"--chunks", "2,0", in("a.npy"), in("bad.zarr")},                      // a length that is not positive
		{"--chunks", "2,x", in("a.npy"), in("bad.zarr")},                      // not a number
		{"--zarr-format", "4", in("a.npy"), in("bad.zarr")},                   // no such format
		{"--zarr-format", "3", "--codec", "lz4", in("a.npy"), in("bad.zarr")}, // not a v3 codec
		{"--zarr-format", "3", in("rec.npy"), in("bad.zarr")},                 // v3 has no structured dtypes: FromFile fails in the temporary folder
		{"--chunks", "2,2", in("a.npy"), in("bad.npy")},                       // a Zarr flag for another output
		{"--codec", "zstd", in("kept.zarr"), in("bad.npy")},                   // nor for a Zarr input
		{in("a.npy"), in("kept.zarr")},                                        // a store is never overwritten
		{in("a.npy"), in("file.zarr")},                                        // nor a file
		{in("a.npy"), in("f.npy"), in("bad.zarr")},                            // one input
		{in("kept.zarr"), in("bad.csv")},                                      // a store converts to .npy only
		{in("kept.zarr"), in("bad.zarr")},                                     // ... not to another store
		{"--dtype", "<f8", in("kept.zarr"), in("bad.npy")},                    // a raw flag for a store
		{in("group.zarr"), in("bad.npy")},                                     // a group holds several arrays
		{in("missing.zarr"), in("bad.npy")},                                   // no store
		{in("damaged.zarr"), in("bad.npy")},                                   // a chunk that does not decode
		{"--dtype", "<f8", "--shape", "5,5", in("a.bin"), in("bad.zarr")},     // a raw file too short
		{in("kept.zarr"), in("bad.raw.gz")},                                   // raw output is not compressed
		{in("damaged.zarr"), in("bad.raw")},                                   // a chunk that does not decode
		{in("damaged.zarr"), in("bad.npz:x")},                                 // ... into an archive member
		{"--workers", "-1", in("kept.zarr"), in("bad.npy")},                   // a negative worker count
		{"--memory", "lots", in("a.npy"), in("bad.zarr")},                     // not a size
		{"--workers", "2", in("a.npy"), in("bad.npy")},                        // no Zarr store in the conversion
	} {
		code, out, errOut := runCLI(append([]string{"convert"}, args...)...)
		require.Equal(t, exitUsage, code, "%v: %s", args, errOut)
		require.Empty(t, out, args)
		require.True(t, strings.HasPrefix(errOut, "memmap: "), errOut)
		require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	}
	require.NoDirExists(t, in("bad.zarr"))
	for _, name := range []string{"bad.npy", "bad.csv", "bad.raw", "bad.raw.gz", "bad.npz"} {
		require.NoFileExists(t, in(name))
	}
	require.Equal(t, keptBefore, treeOf(t, in("kept.zarr")))
	old, err := os.ReadFile(in("file.zarr"))
	require.NoError(t, err)
	require.Equal(t, "old\n", string(old))
	for _, pattern := range []string{".*.tmp-*", ".*.member-*"} {
		leftovers, err := filepath.Glob(filepath.Join(dir, pattern))
		require.NoError(t, err)
		require.Empty(t, leftovers, pattern)
	}
}

// treeOf maps each file under root to its contents.
func treeOf(t *testing.T, root string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	require.NoError(t, filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		tree[path] = string(b)
		return err
	}))
	return tree
}

// TestInfoZarr checks info's facts about Zarr arrays zarr-python wrote (a
// store's root, a group's members, a chunk left unwritten) against what
// zarr-python says of them.
func TestInfoZarr(t *testing.T) {
	t.Parallel()
	numpytest.RequireModule(t, "zarr")
	dir := t.TempDir()
	var want map[string]map[string]string
	numpytest.RunJSON(t, `
import os, zarr, numcodecs
d = json.load(sys.stdin)
p = lambda n: os.path.join(d, n)
root = zarr.array(np.arange(1000, dtype='<f8'), chunks=300, store=zarr.DirectoryStore(p('a.zarr')))
g = zarr.group(store=zarr.DirectoryStore(p('g.zarr')))
m = g.full('m', shape=(5, 7), chunks=(2, 3), dtype='>i2', compressor=None, order='F', fill_value=-3)
m[:2, :3] = 4  # one chunk of the nine written
s = g.create_group('sub').array('s', np.array([(1, 2.5)], dtype=[('id', '<u1'), ('x', '<f4')]),
                                compressor=numcodecs.Zstd(5), fill_value=None)
def facts(z):
    fill = 'None' if z.fill_value is None else str(z.dtype.type(z.fill_value))
    return {'descr': repr(z.dtype.descr[0][1]) if z.dtype.names is None else str(z.dtype.descr),
            'shape': str(z.shape), 'chunks': str(z.chunks), 'order': z.order,
            'codec': 'none' if z.compressor is None else json.dumps(z.compressor.get_config(), sort_keys=True, separators=(',', ':')),
            'fill_value': fill, 'stored': '%d of %d chunks' % (z.nchunks_initialized, z.nchunks),
            'bytes': str(z.nbytes), 'stored bytes': str(z.nbytes_stored)}
print(json.dumps({'a.zarr': facts(root), 'g.zarr/m': facts(m), 'g.zarr/sub/s': facts(s)}))
`, dir, &want)
	code, out, errOut := runCLI("info", filepath.Join(dir, "g.zarr"))
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "Zarr group, 2 arrays")
	group := storeFields(out)
	require.Len(t, group, 2, out)
	for _, fields := range group {
		delete(fields, "format")
		delete(fields, "ratio")
	}
	for i, name := range []string{"a.zarr", "g.zarr/m", "g.zarr/sub/s"} {
		code, out, errOut := runCLI("info", filepath.Join(dir, name))
		require.Equal(t, exitOK, code, errOut)
		fields := storeFields(out)
		require.Len(t, fields, 1, out)
		got := fields[0]
		require.Equal(t, "zarr 2", got["format"], name)
		delete(got, "format")
		require.NotEmpty(t, got["ratio"], name)
		delete(got, "ratio")
		require.Equal(t, want[name], got, name)
		if i > 0 {
			require.Equal(t, got, group[i-1], "%s in the group's listing", name)
		}
	}
}

// storeFields parses info's output about Zarr arrays into one map per
// array: key → value, for the lines "  key   value".
func storeFields(out string) []map[string]string {
	var sections []map[string]string
	line := regexp.MustCompile(`^  (format|descr|shape|chunks|order|codec|fill_value|stored bytes|stored|bytes|ratio)\s+(.*)$`)
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "array ") || strings.HasSuffix(l, ": Zarr array") {
			sections = append(sections, map[string]string{})
			continue
		}
		if m := line.FindStringSubmatch(l); m != nil && len(sections) > 0 {
			sections[len(sections)-1][m[1]] = m[2]
		}
	}
	return sections
}

// TestStatsAndHeadZarr checks that stats (whole, along each axis, text and
// JSON) and head of a Zarr store print what they print for the same array
// as an .npy file (whose output the file tests check against NumPy; sums
// and moments within sameNumbers' tolerance, as the store's chunks add up
// in another order than the file's), with
// NaNs, a chunk grid that does not divide the shape, a missing chunk read
// as the fill value and a Fortran-order store.
func TestStatsAndHeadZarr(t *testing.T) {
	t.Parallel()
	numpytest.RequireModule(t, "zarr")
	dir := t.TempDir()
	numpytest.Run(t, `
import os, zarr, numcodecs
d = sys.argv[1]
p = lambda n: os.path.join(d, n)
rng = np.random.default_rng(11)
x = rng.standard_normal((37, 6))
x[3, 2] = x[30, 5] = np.nan
z = zarr.array(x, chunks=(8, 4), store=zarr.DirectoryStore(p('x.zarr')))
np.save(p('x.npy'), x)
m = zarr.full((9, 5), chunks=(4, 4), dtype='<i4', fill_value=7, order='F',
               compressor=numcodecs.Zlib(1), store=zarr.DirectoryStore(p('m.zarr')))
m[:4, :] = np.arange(20).reshape(4, 5)  # the chunks of rows 4 on stay missing
np.save(p('m.npy'), m[...])
`, dir)
	for _, name := range []string{"x", "m"} {
		store, file := filepath.Join(dir, name+".zarr"), filepath.Join(dir, name+".npy")
		for _, args := range [][]string{
			{"stats"}, {"stats", "--json"}, {"stats", "--axis", "0"}, {"stats", "--axis", "-1", "--json"},
			{"stats", "--workers", "1", "--memory", "1MiB"},
			{"head", "-n", "3"}, {"head", "-n", "100"},
		} {
			code, fromStore, errOut := runCLI(append(args, store)...)
			require.Equal(t, exitOK, code, "%v %s: %s", args, name, errOut)
			code, fromFile, errOut := runCLI(append(args, file)...)
			require.Equal(t, exitOK, code, "%v %s: %s", args, name, errOut)
			fromStore = strings.ReplaceAll(fromStore, store, file)
			if args[0] == "head" {
				require.Equal(t, fromFile, fromStore, "%v %s", args, name)
				continue
			}
			require.True(t, sameNumbers(fromFile, fromStore), "%v %s:\n%s\n%s", args, name, fromFile, fromStore)
		}
	}
	for _, args := range [][]string{
		{"stats", filepath.Join(dir, "missing.zarr")},
		{"head", filepath.Join(dir, "missing.zarr")},
		{"info", filepath.Join(dir, "missing.zarr")},
		{"stats", "--axis", "2", filepath.Join(dir, "x.zarr")},
	} {
		code, out, errOut := runCLI(args...)
		require.Equal(t, exitUsage, code, args)
		require.Empty(t, out, args)
		require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	}
}

// sameNumbers reports whether two outputs of stats are the same but for
// roundings: token by token (JSON and NumPy punctuation aside) equal, or
// both numbers within a relative 1e-12. A chunked store's partial sums and
// moments are merged in another order than a file's chunks, which moves a
// sum of n values by a few ulps of the sum of their magnitudes (220 here:
// about 1e-14 relative); counts, indices and extremes must be equal.
func sameNumbers(want, got string) bool {
	split := regexp.MustCompile(`[\s\[\]{}(),:"]+`)
	w, g := split.Split(want, -1), split.Split(got, -1)
	if len(w) != len(g) {
		return false
	}
	for i := range w {
		if w[i] == g[i] {
			continue
		}
		x, errX := strconv.ParseFloat(w[i], 64)
		y, errY := strconv.ParseFloat(g[i], 64)
		if errX != nil || errY != nil || math.Abs(x-y) > 1e-12*max(1, math.Abs(x)) {
			return false
		}
	}
	return true
}
