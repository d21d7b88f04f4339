package npz_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/go-memmap/memmap"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/internal/loopfs"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/npz"
)

// npzManifest is testdata/npz/manifest.json.
type npzManifest struct {
	File       string `json:"file"`
	Valid      bool   `json:"valid"`
	Error      string `json:"error"`
	NumpyFails bool   `json:"numpy_fails"`
	Note       string `json:"note"`
	Members    []struct {
		Name         string `json:"name"`
		Key          string `json:"key"`
		IsArray      bool   `json:"is_array"`
		Descr        string `json:"descr"`
		Shape        []int  `json:"shape"`
		FortranOrder bool   `json:"fortran_order"`
		Compression  string `json:"compression"`
		Values       string `json:"values"`
		Text         string `json:"text"`
	} `json:"members"`
}

func loadNPZManifest(t testing.TB) []npzManifest {
	t.Helper()
	raw, err := os.ReadFile(npzTestdata("manifest.json"))
	require.NoError(t, err)
	var entries []npzManifest
	require.NoError(t, json.Unmarshal(raw, &entries))
	require.NotEmpty(t, entries)
	return entries
}

var methods = map[string]uint16{"stored": zip.Store, "deflated": zip.Deflate}

var readModes = []mmarray.Mode{mmarray.ReadOnly, mmarray.CopyOnWrite, mmarray.ReadWrite}

// checkZeros checks that every element of a <u8 array is zero.
func checkZeros(t testing.TB, f *mmarray.File) {
	t.Helper()
	a, err := mmarray.View[uint64](f)
	require.NoError(t, err)
	dst := make([]uint64, a.Len())
	a.CopyTo(dst)
	var nonzero []string
	count := 0
	for k, v := range dst {
		if v != 0 {
			count++
			if len(nonzero) < 5 {
				nonzero = append(nonzero, fmt.Sprintf("element %d is %d", k, v))
			}
		}
	}
	if count > 0 {
		t.Fatalf("%d of %d elements are not zero, first: %s", count, len(dst), strings.Join(nonzero, "; "))
	}
}

// Every valid golden archive lists its members as NumPy wrote them, and
// every array reads NumPy's values in r, c and r+ (deflated members are
// refused in r+).
func TestGoldenArchives(t *testing.T) {
	t.Parallel()
	var arrays atomic.Int64
	// The group returns once its parallel subtests have finished, so the
	// count below sees every array they read.
	t.Run("archives", func(t *testing.T) {
		for _, e := range loadNPZManifest(t) {
			if !e.Valid {
				continue
			}
			t.Run(e.File, func(t *testing.T) {
				t.Parallel()
				for _, mode := range readModes {
					path := npzTestdata(e.File)
					if mode == mmarray.ReadWrite {
						path = numpytest.CopyToTemp(t, path)
					}
					a, err := npz.Open(path, mode)
					require.NoError(t, err, "mode %v", mode)
					members := a.Members()
					require.Len(t, members, len(e.Members))
					keys := a.Keys()
					for i, want := range e.Members {
						m := members[i]
						require.Equal(t, want.Name, m.Name)
						require.Equal(t, want.Key, m.Key)
						require.Equal(t, want.Key, keys[i])
						require.Equal(t, want.IsArray, m.IsArray, want.Name)
						require.Equal(t, methods[want.Compression], m.Method)
						if !want.IsArray {
							got, err := a.ReadBytes(want.Name)
							require.NoError(t, err)
							require.Equal(t, want.Text, string(got))
							_, err = a.Open(want.Name)
							require.ErrorIs(t, err, npz.ErrNotArray)
							continue
						}
						require.NoError(t, m.Err)
						require.Equal(t, want.Descr, m.Header.DType.String())
						require.Equal(t, want.Shape, append([]int{}, m.Header.Shape...))
						require.Equal(t, want.FortranOrder, m.Header.FortranOrder)
						require.NoError(t, a.Verify(want.Key))
						for _, name := range []string{want.Key, want.Name} {
							f, err := a.Open(name)
							if mode == mmarray.ReadWrite && want.Compression == "deflated" {
								require.ErrorIs(t, err, npz.ErrCompressedWrite)
								require.Nil(t, f)
								continue
							}
							require.NoError(t, err, "%s mode %v", name, mode)
							require.Equal(t, want.Shape, f.Shape())
							require.Equal(t, want.Descr, f.Descr())
							if want.Compression == "stored" {
								require.Equal(t, npz.InPlace, m.Storage)
								require.Equal(t, m.DataOffset, f.DataOffset())
								require.Equal(t, m.ContentOffset+m.Header.DataOffset, f.DataOffset())
								require.Equal(t, path, f.Path())
							} else {
								require.Equal(t, npz.InMemory, m.Storage)
								require.True(t, f.IsInMemory())
								require.Equal(t, int64(-1), m.DataOffset)
							}
							if want.Values == "zeros" {
								checkZeros(t, f)
							} else {
								numeric, ok := byKind[kindOf(want.Descr)]
								require.True(t, ok, want.Descr)
								numeric.check(t, f)
							}
							require.NoError(t, f.Close())
							arrays.Add(1)
						}
					}
					_, err = a.Open("no such member")
					require.ErrorIs(t, err, npz.ErrNotFound)
					require.NoError(t, a.Close())
					require.ErrorIs(t, a.Close(), memmap.ErrClosed)
				}
			})
		}
	})
	require.Positive(t, arrays.Load())
}

// Every malformed archive fails with the sentinel its category names: at
// Open for a broken archive, when the member is read for a broken member.
// Nothing crashes, and no file is made from any member name.
func TestMalformedArchives(t *testing.T) {
	t.Parallel()
	categories := map[string]error{
		"format":    npz.ErrFormat,
		"checksum":  npz.ErrChecksum,
		"too_large": memmap.ErrTooLarge,
		"size":      npz.ErrSizeMismatch,
	}
	for _, e := range loadNPZManifest(t) {
		if e.Valid {
			continue
		}
		t.Run(e.File, func(t *testing.T) {
			t.Parallel()
			want, ok := categories[e.Error]
			require.True(t, ok, "unknown category %q", e.Error)
			a, err := npz.Open(npzTestdata(e.File), mmarray.ReadOnly)
			if e.Error == "format" {
				require.ErrorIs(t, err, want, e.Note)
				require.Nil(t, a)
				require.Contains(t, err.Error(), e.File)
				requireOnePrefix(t, err)
				return
			}
			require.NoError(t, err, e.Note)
			defer a.Close()
			var failed []error
			for _, m := range a.Members() {
				failed = append(failed, a.Verify(m.Name))
				if m.IsArray {
					f, err := a.Open(m.Name)
					if err == nil {
						f.Close()
					}
					failed = append(failed, err)
				}
			}
			for _, err := range failed {
				if err != nil {
					requireOnePrefix(t, err)
				}
			}
			require.ErrorIs(t, errors.Join(failed...), want, e.Note)
		})
	}
}

// A stored member with a wrong CRC maps (the CRC is not read when mapping)
// but Verify reports it, as np.load would when reading.
func TestStoredMemberCRCIsCheckedByVerifyOnly(t *testing.T) {
	t.Parallel()
	a, err := npz.Open(npzTestdata("bad_crc_stored.npz"), mmarray.ReadOnly)
	require.NoError(t, err)
	defer a.Close()
	f, err := a.Open("a")
	require.NoError(t, err)
	formula.Check[float64](t, f)
	require.NoError(t, f.Close())
	require.ErrorIs(t, a.Verify("a"), npz.ErrChecksum)
	require.NoError(t, a.Verify("b"))
}

// The zip bomb limits: the ratio and total limits refuse the zeros archive
// before or while decompressing; the defaults accept it.
func TestDecompressionLimits(t *testing.T) {
	t.Parallel()
	path := npzTestdata("zeros_ratio.npz")
	for _, tc := range []struct {
		name string
		opts []npz.ReaderOption
		want error
	}{
		{"defaults", nil, nil},
		{"ratio 100", []npz.ReaderOption{npz.WithMaxRatio(100)}, memmap.ErrTooLarge},
		{"total 1 MiB", []npz.ReaderOption{npz.WithMaxTotal(1 << 20)}, memmap.ErrTooLarge},
		{"temp file, ratio 100", []npz.ReaderOption{npz.WithMemoryLimit(1), npz.WithMaxRatio(100)}, memmap.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := npz.Open(path, mmarray.ReadOnly, tc.opts...)
			require.NoError(t, err)
			defer a.Close()
			f, err := a.Open("z")
			if tc.want == nil {
				require.NoError(t, err)
				checkZeros(t, f)
				require.NoError(t, f.Close())
				return
			}
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, f)
			_, err = a.ReadBytes("z")
			require.ErrorIs(t, err, tc.want)
		})
	}
	// The total is over the Archive's lifetime: the second read passes it.
	a, err := npz.Open(path, mmarray.ReadOnly, npz.WithMaxTotal(5<<20))
	require.NoError(t, err)
	defer a.Close()
	f, err := a.Open("z")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	_, err = a.Open("z")
	require.ErrorIs(t, err, memmap.ErrTooLarge)
	// ReadBytes is bounded by the memory limit.
	b, err := npz.Open(path, mmarray.ReadOnly, npz.WithMemoryLimit(1<<20))
	require.NoError(t, err)
	defer b.Close()
	_, err = b.ReadBytes("z")
	require.ErrorIs(t, err, memmap.ErrTooLarge)
}

// Deflated members above the memory limit go through a temporary file in
// the chosen folder, which is gone (unlinked) once the File is open on Unix;
// below it they stay in memory. Both read NumPy's values, and c views of
// both are writable and private.
func TestDeflatedMemoryAndTempFile(t *testing.T) {
	t.Parallel()
	for _, limit := range []int64{1, npz.DefaultMemoryLimit} {
		dir := t.TempDir()
		a, err := npz.Open(npzTestdata("savez_compressed.npz"), mmarray.CopyOnWrite, npz.WithMemoryLimit(limit), npz.WithTempDir(dir))
		require.NoError(t, err)
		m, err := a.Member("a.npy")
		require.NoError(t, err)
		want := npz.InMemory
		if limit == 1 {
			want = npz.TempFile
		}
		require.Equal(t, want, m.Storage)
		f, err := a.Open("a")
		require.NoError(t, err)
		require.Equal(t, want == npz.InMemory, f.IsInMemory())
		formula.Check[float64](t, f)
		v, err := mmarray.View[float64](f)
		require.NoError(t, err)
		v.Set(99.5, 0, 0)
		require.Equal(t, 99.5, v.At(0, 0))
		if want == npz.TempFile && os.PathSeparator == '/' {
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			require.Empty(t, entries, "the temporary file is unlinked while mapped")
			require.True(t, strings.HasPrefix(f.Path(), dir))
		}
		require.NoError(t, a.Close())
		// The File outlives the Archive.
		require.Equal(t, 99.5, v.At(0, 0))
		require.NoError(t, f.Close())
		g, err := npz.Open(npzTestdata("savez_compressed.npz"), mmarray.ReadOnly)
		require.NoError(t, err)
		f2, err := g.Open("a")
		require.NoError(t, err)
		formula.Check[float64](t, f2) // the c write stayed private
		require.NoError(t, f2.Close())
		require.NoError(t, g.Close())
	}
}

// Stored members are mapped in place: an r+ write through the view changes
// the archive's bytes exactly at Member.DataOffset, and the Contiguous slice
// is those bytes (writing through it shows up in the file), so nothing was
// copied. After Close (which rewrites the CRC) NumPy reads the new values.
func TestReadWriteReachesTheArchiveInPlace(t *testing.T) {
	t.Parallel()
	path := numpytest.CopyToTemp(t, npzTestdata("savez_kw.npz"))
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	a, err := npz.Open(path, mmarray.ReadWrite)
	require.NoError(t, err)
	m, err := a.Member("a")
	require.NoError(t, err)
	require.Equal(t, npz.InPlace, m.Storage)
	f, err := a.Open("a")
	require.NoError(t, err)
	v, err := mmarray.View[float64](f)
	require.NoError(t, err)
	v.Set(1234.5, 1, 2) // flat index 6
	// NumPy's savez puts this member's data at an offset that is not a
	// multiple of 8, so no []float64 can be laid over it.
	_, ok := v.Contiguous()
	require.False(t, ok, "member a's data is at offset %d, not 8-byte aligned", m.DataOffset)
	v.Set(-0.125, 1, 3)
	require.NoError(t, f.Flush())
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, 1234.5, math.Float64frombits(binary.LittleEndian.Uint64(after[m.DataOffset+6*8:])))
	require.Equal(t, -0.125, math.Float64frombits(binary.LittleEndian.Uint64(after[m.DataOffset+7*8:])))
	for i := range before {
		if int64(i) < m.DataOffset+6*8 || int64(i) >= m.DataOffset+8*8 {
			if before[i] != after[i] {
				require.Fail(t, "byte changed outside the written elements", "offset %d", i)
			}
		}
	}
	require.NoError(t, f.Close())
	require.NoError(t, a.Close())

	// The other members are untouched, and the CRC now matches.
	b, err := npz.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	for _, m := range b.Members() {
		require.NoError(t, b.Verify(m.Name))
	}
	require.NoError(t, b.Close())
	out := numpytest.Run(t, `
z = np.load(sys.argv[1])
a = z["a"]
print(json.dumps([float(a[1, 2]), float(a[1, 3]), float(a[0, 0]), bool((z["b"] == formula_array("<i4", (5,))).all())]))
`, path)
	require.JSONEq(t, `[1234.5, -0.125, -3.25, true]`, out)
}

// A Writer-made archive aligns stored members' data, so in r+ the Contiguous
// slice is the archive's own bytes: writing through it changes the file at
// Member.DataOffset, and NumPy reads the new values after Close.
func TestContiguousSliceWritesTheArchive(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "aligned.npz")
	w, err := npz.Create(path)
	require.NoError(t, err)
	values := make([]byte, 4*5*8)
	for k := range 20 {
		binary.LittleEndian.PutUint64(values[8*k:], math.Float64bits(formula.Value[float64](k)))
	}
	require.NoError(t, w.WriteFrom("pad", writerHeader(t, "|u1", false, 3), bytes.NewReader([]byte{1, 2, 3})))
	require.NoError(t, w.WriteFrom("a", writerHeader(t, "<f8", false, 4, 5), bytes.NewReader(values)))
	require.NoError(t, w.Close())
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	a, err := npz.Open(path, mmarray.ReadWrite)
	require.NoError(t, err)
	m, err := a.Member("a")
	require.NoError(t, err)
	require.Equal(t, npz.InPlace, m.Storage)
	require.Zero(t, m.DataOffset%npz.MemberAlign)
	f, err := a.Open("a")
	require.NoError(t, err)
	v, err := mmarray.View[float64](f)
	require.NoError(t, err)
	s, ok := v.Contiguous()
	require.True(t, ok, "an aligned stored member opened r+ has a zero-copy slice")
	require.Len(t, s, 20)
	require.Equal(t, formula.Value[float64](7), s[7])
	s[7] = -0.125
	require.Equal(t, -0.125, v.At(1, 2))
	require.NoError(t, f.Close())
	require.NoError(t, a.Close())

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Len(t, after, len(before))
	require.Equal(t, -0.125, math.Float64frombits(binary.LittleEndian.Uint64(after[m.DataOffset+7*8:])))
	require.Equal(t, before[m.DataOffset:m.DataOffset+7*8], after[m.DataOffset:m.DataOffset+7*8])
	require.Equal(t, before[m.DataOffset+8*8:m.DataOffset+20*8], after[m.DataOffset+8*8:m.DataOffset+20*8])
	b, err := npz.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	require.NoError(t, b.Verify("a"), "Close rewrote the CRC")
	require.NoError(t, b.Close())
	out := numpytest.Run(t, `
z = np.load(sys.argv[1])
a = z["a"]
want = formula_array("<f8", (4, 5))
want[1, 2] = -0.125
print(json.dumps([float(a[1, 2]), bool((a == want).all()), bool((z["pad"] == [1, 2, 3]).all())]))
`, path)
	require.JSONEq(t, `[-0.125, true, true]`, out)
}

// NumPy writes archives with savez and savez_compressed at test time; every
// array reads NumPy's values, in place or decompressed.
func TestReadsWhatNumPyWrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	numpytest.Run(t, `
d = sys.argv[1]
arrs = dict(f8=formula_array("<f8", (4, 5)), i2=formula_array(">i2", (3, 2, 2), "F"), c8=formula_array("<c8", (7,)),
            b1=formula_array("|b1", (9,)), u4=formula_array("<u4", ()), big=formula_array("<i8", (300, 100)),
            f2=formula_array(">f2", (2, 3)))
np.savez(d + "/plain.npz", *[arrs["f8"]], **{k: v for k, v in arrs.items() if k != "f8"})
np.savez_compressed(d + "/packed.npz", **arrs)
`, dir)
	shapes := map[string]struct {
		descr string
		shape []int
	}{
		"f8": {"<f8", []int{4, 5}}, "arr_0": {"<f8", []int{4, 5}}, "i2": {">i2", []int{3, 2, 2}},
		"c8": {"<c8", []int{7}}, "b1": {"|b1", []int{9}}, "u4": {"<u4", []int{}}, "big": {"<i8", []int{300, 100}},
		"f2": {">f2", []int{2, 3}},
	}
	for _, name := range []string{"plain.npz", "packed.npz"} {
		for _, limit := range []int64{npz.DefaultMemoryLimit, 1000} {
			a, err := npz.Open(filepath.Join(dir, name), mmarray.ReadOnly, npz.WithMemoryLimit(limit), npz.WithTempDir(dir))
			require.NoError(t, err)
			require.NotEmpty(t, a.Members())
			for _, m := range a.Members() {
				want, ok := shapes[m.Key]
				require.True(t, ok, m.Key)
				require.Equal(t, want.descr, m.Header.DType.String())
				require.Equal(t, want.shape, append([]int{}, m.Header.Shape...))
				f, err := a.Open(m.Key)
				require.NoError(t, err, "%s %s", name, m.Key)
				byKind[kindOf(want.descr)].check(t, f)
				require.NoError(t, f.Close())
			}
			require.NoError(t, a.Close())
		}
	}
}

// Member names are only names: "../x", "/abs" and "a\b" are looked up as
// given, read correctly, and no file appears anywhere from them. The test
// runs in a private folder tree (archive, temp folder and working directory
// two levels inside it, so that ".." stays inside too), which must hold
// nothing but the archive afterwards; the paths outside it that a name
// could reach (an absolute "/abs.npy": CI runs as root) must be as they were
// before, whatever else is on the machine.
func TestOddNamesAreOnlyNames(t *testing.T) {
	// Not parallel: t.Chdir changes the working directory of the process.
	raw, err := os.ReadFile(npzTestdata("odd_names.npz"))
	require.NoError(t, err)
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	t.Chdir(dir)
	path := filepath.Join(dir, "odd.npz")
	require.NoError(t, os.WriteFile(path, raw, 0o644))

	// Every path a member name could reach, taken as a path on its own
	// (from the working directory) or from the temporary folder or its
	// parent, with its state before the archive is read.
	members := []string{"../x.npy", "/abs.npy", `a\b.npy`, "dir/y.npy"}
	reach := map[string]string{}
	for _, member := range members {
		for _, name := range []string{member, strings.TrimSuffix(member, ".npy")} {
			for _, p := range []string{filepath.FromSlash(name), strings.ReplaceAll(name, `\`, "/")} {
				reach[p] = pathState(t, p)
				for _, base := range []string{dir, filepath.Dir(dir)} {
					q := filepath.Join(base, p)
					reach[q] = pathState(t, q)
				}
			}
		}
	}

	a, err := npz.Open(path, mmarray.CopyOnWrite, npz.WithTempDir(dir), npz.WithMemoryLimit(1))
	require.NoError(t, err)
	for _, name := range []string{"../x", "/abs.npy", `a\b`, "dir/y"} {
		f, err := a.Open(name)
		require.NoError(t, err, name)
		require.Equal(t, []int{4}, f.Shape())
		require.NoError(t, f.Close())
	}
	require.NoError(t, a.Close())

	var tree []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, p)
		tree = append(tree, filepath.ToSlash(rel))
		return err
	}))
	require.Equal(t, []string{".", "a", "a/b", "a/b/odd.npz"}, tree, "only the archive itself, in the private tree")
	for p, before := range reach {
		require.Equal(t, before, pathState(t, p), "%s changed while the archive was read", p)
	}
}

// pathState describes what is at p, to tell later whether it changed:
// "absent", or its type, size and modification time.
func pathState(t *testing.T, p string) string {
	st, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "absent"
	}
	require.NoError(t, err)
	return fmt.Sprintf("%v %d %v", st.Mode().Type(), st.Size(), st.ModTime().UnixNano())
}

// Open refuses w+ and invalid modes, and r+ on a read-only file fails at
// Open rather than at the first write.
func TestOpenModes(t *testing.T) {
	t.Parallel()
	for _, mode := range []mmarray.Mode{mmarray.Write, 0, 42} {
		a, err := npz.Open(npzTestdata("savez_kw.npz"), mode)
		require.ErrorIs(t, err, mmarray.ErrMode)
		require.Nil(t, a)
	}
	_, err := npz.Open(filepath.Join(t.TempDir(), "missing.npz"), mmarray.ReadOnly)
	require.ErrorIs(t, err, os.ErrNotExist)
	t.Run("r+ on a read-only file", func(t *testing.T) {
		t.Parallel()
		var path string
		var want error
		if os.Geteuid() != 0 {
			path = numpytest.CopyToTemp(t, npzTestdata("savez_kw.npz"))
			require.NoError(t, os.Chmod(path, 0o444))
			want = os.ErrPermission
		} else {
			// Root may open a 0444 file for writing; a read-only file system
			// refuses everyone.
			raw, err := os.ReadFile(npzTestdata("savez_kw.npz"))
			require.NoError(t, err)
			mnt := loopfs.Mount(t, "tmpfs", 1<<20)
			path = filepath.Join(mnt, "savez_kw.npz")
			require.NoError(t, os.WriteFile(path, raw, 0o644))
			loopfs.ReadOnly(t, mnt)
			want = syscall.EROFS
		}
		a, err := npz.Open(path, mmarray.ReadWrite)
		require.ErrorIs(t, err, want)
		require.Nil(t, a)
		a, err = npz.Open(path, mmarray.ReadOnly)
		require.NoError(t, err, "the file itself opens for reading")
		require.NoError(t, a.Close())
	})
	a, err := npz.Open(npzTestdata("savez_kw.npz"), mmarray.ReadOnly)
	require.NoError(t, err)
	require.NoError(t, a.Close())
	_, err = a.Open("a")
	require.ErrorIs(t, err, memmap.ErrClosed)
	_, err = a.ReadBytes("a")
	require.ErrorIs(t, err, memmap.ErrClosed)
}

// Every prefix of an archive is refused or, for a prefix that happens to
// end in a valid directory, opens: never a crash or a mapping past the end.
func TestTruncatedArchives(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"savez_kw.npz", "savez_compressed.npz", "zip64.npz"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(npzTestdata(name))
			require.NoError(t, err)
			path := filepath.Join(t.TempDir(), "cut.npz")
			require.NoError(t, os.WriteFile(path, raw, 0o644))
			var wrong []string // the first few prefixes not refused with ErrFormat
			count := 0
			// From the longest prefix down, so that each is the file cut
			// once more: one truncate per prefix instead of a rewrite.
			for n := len(raw) - 1; n >= 0; n-- {
				require.NoError(t, os.Truncate(path, int64(n)))
				a, err := npz.Open(path, mmarray.ReadOnly)
				if errors.Is(err, npz.ErrFormat) && a == nil {
					continue
				}
				count++
				if len(wrong) < 5 {
					wrong = append(wrong, fmt.Sprintf("cut to %d bytes: archive %v, error %v", n, a != nil, err))
				}
				if a != nil {
					a.Close()
				}
			}
			if count > 0 {
				t.Fatalf("%d of %d prefixes of %s were not refused with npz.ErrFormat and no Archive, first: %s",
					count, len(raw), name, strings.Join(wrong, "; "))
			}
		})
	}
}

// The limits are checked before anything is allocated or created for a
// member: a forged 2 GiB declaration is refused by ReadBytes, Verify and
// Array (in memory and through a temp file) without a 2 GiB buffer or any
// temp file, however high the memory limit.
func TestLimitsComeBeforeAllocation(t *testing.T) {
	// Not parallel: TotalAlloc counts the allocations of every goroutine.
	dir := t.TempDir()
	for _, opts := range [][]npz.ReaderOption{
		{npz.WithMemoryLimit(4 << 30)}, // the ratio refuses it
		{npz.WithMemoryLimit(4 << 30), npz.WithMaxRatio(1e9), npz.WithMaxTotal(1 << 30)}, // the total does
		{npz.WithMemoryLimit(1), npz.WithTempDir(dir)},                                   // temp file path
	} {
		a, err := npz.Open(npzTestdata("forged_size.npz"), mmarray.ReadOnly, opts...)
		require.NoError(t, err)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err = a.ReadBytes("z")
		require.ErrorIs(t, err, memmap.ErrTooLarge)
		require.ErrorIs(t, a.Verify("z"), memmap.ErrTooLarge)
		f, err := a.Open("z")
		require.ErrorIs(t, err, memmap.ErrTooLarge)
		require.Nil(t, f)
		runtime.ReadMemStats(&after)
		require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "nothing near the declared 2 GiB was allocated")
		require.NoError(t, a.Close())
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "no temp file was created for a refused member")
}

// requireOnePrefix checks that an error names a package of this module
// exactly once, in the sentinel's text: the context wrapping adds in front
// names the operation and the object, never a package.
func requireOnePrefix(t testing.TB, err error, context ...string) {
	t.Helper()
	msg := strings.Join(append(context, "error does not name one package of the module exactly once: "+err.Error()), ": ")
	text := ": " + err.Error()
	named := 0
	for _, pkg := range []string{"memmap", "npz", "npyheader", "mmarray", "pagecache"} {
		named += strings.Count(text, ": "+pkg+": ")
	}
	require.Equal(t, 1, named, msg)
	require.False(t, strings.HasPrefix(err.Error(), "npz: "), msg+" (the context must come first)")
}

// Options that make no sense are caller mistakes: they panic with a
// *memmap.Misuse naming the package and the option, when the option is
// made. Zero means the default.
func TestOptionsRefuseNonsense(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		make func() npz.ReaderOption
	}{
		{"WithMaxRatio(-1)", func() npz.ReaderOption { return npz.WithMaxRatio(-1) }},
		{"WithMaxRatio(NaN)", func() npz.ReaderOption { return npz.WithMaxRatio(math.NaN()) }},
		{"WithMaxRatio(-Inf)", func() npz.ReaderOption { return npz.WithMaxRatio(math.Inf(-1)) }},
		{"WithMaxTotal(-1)", func() npz.ReaderOption { return npz.WithMaxTotal(-1) }},
		{"WithMemoryLimit(-1)", func() npz.ReaderOption { return npz.WithMemoryLimit(-1) }},
		{"WithMaxHeaderSize(-5)", func() npz.ReaderOption { return npz.WithMaxHeaderSize(-5) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				m, ok := recover().(*memmap.Misuse)
				require.True(t, ok, "%s must panic with a *memmap.Misuse", tc.name)
				require.True(t, strings.HasPrefix(m.Error(), "npz: "+strings.SplitN(tc.name, "(", 2)[0]), m.Error())
			}()
			tc.make()
		})
	}
	// The edges that make sense are accepted, and do what they say.
	a, err := npz.Open(npzTestdata("savez_compressed.npz"), mmarray.ReadOnly,
		npz.WithMaxRatio(math.Inf(1)), npz.WithMaxTotal(1), npz.WithMemoryLimit(1))
	require.NoError(t, err)
	_, err = a.Open("a")
	require.ErrorIs(t, err, memmap.ErrTooLarge, "a total of one byte decompresses no array")
	require.NoError(t, a.Close())
	a, err = npz.Open(npzTestdata("savez_kw.npz"), mmarray.ReadOnly, npz.WithMaxHeaderSize(1))
	require.NoError(t, err)
	m, err := a.Member("a")
	require.NoError(t, err)
	require.ErrorIs(t, m.Err, npyheader.ErrHeaderTooLarge)
	require.NoError(t, a.Close())

	// Zero is each option's default: the archive reads as with no options.
	zeros := []npz.ReaderOption{npz.WithMaxRatio(0), npz.WithMaxTotal(0), npz.WithMemoryLimit(0), npz.WithMaxHeaderSize(0), npz.WithTempDir("")}
	a, err = npz.Open(npzTestdata("savez_compressed.npz"), mmarray.ReadOnly, zeros...)
	require.NoError(t, err)
	m, err = a.Member("a")
	require.NoError(t, err)
	require.NoError(t, m.Err)
	require.Equal(t, npz.InMemory, m.Storage, "zero is the default memory limit, not none")
	f, err := a.Open("a")
	require.NoError(t, err, "zero is the default total and ratio, not none")
	formula.Check[float64](t, f)
	require.NoError(t, f.Close())
	require.NoError(t, a.Close())
}

// Member offsets name what they point at: LocalHeaderOffset is zipfile's
// header_offset, ContentOffset archive/zip's DataOffset (the member's
// stored bytes), DataOffset the array data. Members and Member return deep
// copies: changing a structured dtype's fields or shapes in one changes
// nothing the Archive reports next.
func TestMemberOffsetsAndCopies(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "rec.npz")
	w, err := npz.Create(path)
	require.NoError(t, err)
	rec := writerHeader(t, "[('a', '<i4', (2,)), ('b', [('c', '<f8', (2, 3))])]", false, 2)
	size, err := rec.DataSize()
	require.NoError(t, err)
	require.NoError(t, w.WriteFrom("plain", writerHeader(t, "<i4", false, 3), bytes.NewReader(make([]byte, 12))))
	require.NoError(t, w.WriteFrom("rec", rec, bytes.NewReader(make([]byte, size))))
	require.NoError(t, w.Close())

	out := numpytest.Run(t, `
with zipfile.ZipFile(sys.argv[1]) as zf:
    print(json.dumps({i.filename: i.header_offset for i in zf.infolist()}))
`, path)
	var headerOffsets map[string]int64
	require.NoError(t, json.Unmarshal([]byte(out), &headerOffsets))
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	a, err := npz.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	defer a.Close()
	for i, m := range a.Members() {
		require.Equal(t, headerOffsets[m.Name], m.LocalHeaderOffset, m.Name)
		content, err := zr.File[i].DataOffset()
		require.NoError(t, err)
		require.Equal(t, content, m.ContentOffset, m.Name)
		require.Equal(t, m.ContentOffset+m.Header.DataOffset, m.DataOffset, m.Name)
	}

	first, err := a.Member("rec")
	require.NoError(t, err)
	want := first.Header.DType.String()
	first.Header.DType.Fields[0].Name = "changed"
	first.Header.DType.Fields[0].Shape[0] = 99
	first.Header.DType.Fields[1].Type.Fields[0].Shape[1] = 99
	first.Header.Shape[0] = 99
	for _, again := range []npz.Member{a.Members()[1], numpytest.Must(a.Member("rec"))} {
		require.Equal(t, want, again.Header.DType.String())
		require.Equal(t, []int{2}, again.Header.Shape)
	}
}

// must is v, failing on err (for tests).
// A member whose bytes cannot be read, encrypted or compressed with an
// unknown method, fails every read with ErrUnsupported, in every mode: its
// raw (still encrypted) bytes are never returned as if they were the
// member's, nor mapped. The members beside it read as usual.
func TestUnreadableMembersFailEveryRead(t *testing.T) {
	t.Parallel()
	content := u1Array(t, 64, false, 0)
	raw, layouts := buildZip(t, []handMember{
		{name: "plain.npy", content: content},
		{name: "encrypted.npy", content: content, flags: 1},
		{name: "method99.npy", content: content},
	})
	// Method 99 (AES in WinZip's scheme) in both headers, which must agree.
	binary.LittleEndian.PutUint16(raw[layouts[2].local+8:], 99)
	binary.LittleEndian.PutUint16(raw[layouts[2].central+10:], 99)
	path := filepath.Join(t.TempDir(), "unreadable.npz")
	require.NoError(t, os.WriteFile(path, raw, 0o644))
	for _, mode := range readModes {
		t.Run(mode.String(), func(t *testing.T) {
			a, err := npz.Open(path, mode)
			require.NoError(t, err)
			defer a.Close()
			b, err := a.ReadBytes("plain")
			require.NoError(t, err)
			require.Equal(t, content, b)
			for _, name := range []string{"encrypted", "method99"} {
				m, err := a.Member(name)
				require.NoError(t, err)
				require.False(t, m.IsArray, "its first bytes are unknown")
				require.ErrorIs(t, m.Err, memmap.ErrUnsupported)
				b, err := a.ReadBytes(name)
				require.ErrorIs(t, err, memmap.ErrUnsupported, name)
				require.Nil(t, b)
				requireOnePrefix(t, err)
				err = a.Verify(name)
				require.ErrorIs(t, err, memmap.ErrUnsupported, name)
				requireOnePrefix(t, err)
				f, err := a.Open(name)
				require.ErrorIs(t, err, memmap.ErrUnsupported, name)
				require.Nil(t, f)
				requireOnePrefix(t, err)
				require.Contains(t, err.Error(), name)
			}
		})
	}
}

// Open maps a stored member from the file the Archive read, never by its
// path: a file put in its place later is not seen. It refuses with
// ErrSizeMismatch when that file was resized, with ErrFormat when the member's NPY header no
// longer says what it said at Open (in dtype, order or shape), even at the
// same length.
func TestOpenRefusesAChangedArchive(t *testing.T) {
	t.Parallel()
	const n = 64
	content := u1Array(t, n, false, 0)
	raw, layouts := buildZip(t, []handMember{{name: "a.npy", content: content}})
	u1, err := npyheader.ParseDescr("|u1")
	require.NoError(t, err)
	i1, err := npyheader.ParseDescr("|i1")
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		header npyheader.Header
	}{
		{"dtype", npyheader.Header{DType: i1, Shape: []int{n}}},
		{"fortran order", npyheader.Header{DType: u1, FortranOrder: true, Shape: []int{n}}},
		{"shape", npyheader.Header{DType: u1, Shape: []int{8, n / 8}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "changed.npz")
			require.NoError(t, os.WriteFile(path, raw, 0o644))
			a, err := npz.Open(path, mmarray.ReadOnly)
			require.NoError(t, err)
			defer a.Close()
			m, err := a.Member("a")
			require.NoError(t, err)
			changed, err := tc.header.Encode()
			require.NoError(t, err)
			require.Len(t, changed, int(m.Header.DataOffset), "the new header must keep the data where it was")
			file, err := os.OpenFile(path, os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = file.WriteAt(changed, layouts[0].data)
			require.NoError(t, err)
			require.NoError(t, file.Close())
			f, err := a.Open("a")
			require.ErrorIs(t, err, npz.ErrFormat)
			require.Nil(t, f)
		})
	}
	t.Run("replaced", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "replaced.npz")
		require.NoError(t, os.WriteFile(path, raw, 0o644))
		a, err := npz.Open(path, mmarray.ReadOnly)
		require.NoError(t, err)
		defer a.Close()
		f, err := a.Open("a")
		require.NoError(t, err, "unchanged, it maps")
		require.NoError(t, f.Close())
		// Another archive, its array's bytes changed, takes the path.
		otherRaw := slices.Clone(raw)
		m, err := a.Member("a")
		require.NoError(t, err)
		for k := range n {
			otherRaw[m.DataOffset+int64(k)] ^= 0xff
		}
		other := filepath.Join(dir, "other.npz")
		require.NoError(t, os.WriteFile(other, otherRaw, 0o644))
		require.NoError(t, os.Rename(other, path))
		f, err = a.Open("a")
		require.NoError(t, err, "the Archive's own file still maps")
		defer f.Close()
		got := make([]byte, n)
		_, err = f.ReadAt(got, 0)
		require.NoError(t, err)
		require.Equal(t, content[len(content)-n:], got, "the bytes are the archive's the Archive read, not the replacement's")
	})
	// Resized: grown, cut after the member (which still maps), cut inside
	// its data, cut inside its header; in every mode that maps it.
	dataEnd := layouts[0].data + int64(len(content))
	for _, size := range []int64{int64(len(raw)) + 1, dataEnd, dataEnd - 1, layouts[0].data + 5} {
		for _, mode := range []mmarray.Mode{mmarray.ReadOnly, mmarray.CopyOnWrite, mmarray.ReadWrite} {
			t.Run(fmt.Sprintf("resized to %d, %v", size, mode), func(t *testing.T) {
				t.Parallel()
				path := filepath.Join(t.TempDir(), "resized.npz")
				require.NoError(t, os.WriteFile(path, raw, 0o644))
				a, err := npz.Open(path, mode)
				require.NoError(t, err)
				require.NoError(t, os.Truncate(path, size))
				f, err := a.Open("a")
				require.ErrorIs(t, err, npz.ErrSizeMismatch)
				require.Nil(t, f)
				require.NoError(t, a.Close())
				got, err := os.ReadFile(path)
				require.NoError(t, err)
				want := append(slices.Clone(raw), 0)[:size]
				require.Equal(t, want, got, "nothing was written to the resized archive")
			})
		}
	}
}

// A member whose declared size runs into the central directory is refused
// at Open with ErrFormat (archive/zip does not check), with or without
// flag bit 3 (which sends the reader looking for a data descriptor after
// the member's end).
func TestMemberRunningIntoTheDirectoryIsRefused(t *testing.T) {
	t.Parallel()
	content := u1Array(t, 64, false, 0)
	for _, flags := range []uint16{0, 8} {
		raw, layouts := buildZip(t, []handMember{{name: "a.npy", content: content, flags: flags}})
		for _, at := range []int64{20, 24} { // compressed and uncompressed sizes
			binary.LittleEndian.PutUint32(raw[layouts[0].central+at:], uint32(len(content)+1))
		}
		path := filepath.Join(t.TempDir(), "past.npz")
		require.NoError(t, os.WriteFile(path, raw, 0o644))
		a, err := npz.Open(path, mmarray.ReadOnly)
		require.ErrorIs(t, err, npz.ErrFormat, "flags %#x", flags)
		require.Nil(t, a)
		requireOnePrefix(t, err)
	}
}

// Archives whose local header offsets are relative to a base: bytes
// prepended (self-extracting archives), bytes between the directory and
// the end record (the base the end record implies is wrong, and the
// directory is found at its stated offset), and an offset in the zip64
// extra field. Each member is found where archive/zip finds it, and reads.
func TestLocalHeaderOffsets(t *testing.T) {
	t.Parallel()
	content := u1Array(t, 64, false, 0)
	raw, layouts := buildZip(t, []handMember{{name: "a.npy", content: content}})
	le := binary.LittleEndian
	eocd := int64(len(raw)) - 22
	junk := bytes.Repeat([]byte{0xa5}, 100)
	// zip64: the directory record's local offset moves to a zip64 extra
	// field (ID 1, 8 bytes), and the end record counts the longer record.
	central := bytes.Clone(raw[layouts[0].central:eocd])
	le.PutUint32(central[42:], 0xffffffff)
	le.PutUint16(central[30:], 12)
	central = le.AppendUint16(central, 1)
	central = le.AppendUint16(central, 8)
	central = le.AppendUint64(central, uint64(layouts[0].local))
	zip64 := append(bytes.Clone(raw[:layouts[0].central]), central...)
	end := bytes.Clone(raw[eocd:])
	le.PutUint32(end[12:], uint32(len(central)))
	zip64 = append(zip64, end...)
	understated := bytes.Clone(raw)
	le.PutUint32(understated[eocd+12:], 10)
	for _, tc := range []struct {
		name  string
		raw   []byte
		shift int64 // where the member's bytes moved
	}{
		{"plain", raw, 0},
		{"prepended", append(bytes.Clone(junk), raw...), int64(len(junk))},
		{"bytes before the end record", append(append(bytes.Clone(raw[:eocd]), junk...), raw[eocd:]...), 0},
		{"directory size understated", understated, 0}, // archive/zip reads past it
		{"zip64 offset", zip64, 0},
		{"zip64 offset, prepended", append(bytes.Clone(junk), zip64...), int64(len(junk))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			zr, err := zip.NewReader(bytes.NewReader(tc.raw), int64(len(tc.raw)))
			require.NoError(t, err)
			zipData, err := zr.File[0].DataOffset()
			require.NoError(t, err)
			require.Equal(t, layouts[0].data+tc.shift, zipData, "archive/zip's view")
			path := filepath.Join(t.TempDir(), "offsets.npz")
			require.NoError(t, os.WriteFile(path, tc.raw, 0o644))
			a, err := npz.Open(path, mmarray.ReadOnly)
			require.NoError(t, err)
			defer a.Close()
			m, err := a.Member("a")
			require.NoError(t, err)
			require.Equal(t, layouts[0].local+tc.shift, m.LocalHeaderOffset)
			require.Equal(t, zipData, m.ContentOffset)
			b, err := a.ReadBytes("a")
			require.NoError(t, err)
			require.Equal(t, content, b)
			f, err := a.Open("a")
			require.NoError(t, err)
			formula.Check[uint8](t, f)
			require.NoError(t, f.Close())
		})
	}
}
