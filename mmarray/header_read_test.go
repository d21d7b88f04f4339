package mmarray_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// Open reads a header with one read of its first 4 KiB and, for a longer
// header, reads on from there. Headers NumPy writes for structured dtypes
// ending before, exactly at and just after that 4 KiB, and a long one, open
// alike as whole files (Open, OpenFile) and as sections of a larger file,
// with NumPy's descr and data offset and the file's bytes as data; cut
// anywhere in the header, at the probe's edges included, they are
// truncated.
func TestHeadersAroundTheFirstRead(t *testing.T) {
	t.Parallel()
	numpytest.Python(t)
	dir := t.TempDir()
	var written []struct {
		File   string `json:"file"`
		Offset int64  `json:"offset"`
		Descr  string `json:"descr"`
	}
	// NumPy saves 3 records of n int32 fields for the smallest n whose
	// header ends at each wanted offset (found by bisection: the offset
	// grows with n), the data bytes i % 251.
	numpytest.RunJSON(t, `
import io, json, os
args = json.load(sys.stdin)

def records(n):
    dt = np.dtype([("f%d" % i, "<i4") for i in range(n)])
    return np.frombuffer((np.arange(3 * dt.itemsize) % 251).astype("u1").tobytes(), dtype=dt)

def offset(a):
    buf = io.BytesIO()
    np.save(buf, a)
    buf.seek(0)
    v = np.lib.format.read_magic(buf)
    np.lib.format._read_array_header(buf, v, max_header_size=1 << 20)
    return buf.tell()

out = []
for want in args["offsets"]:
    lo, hi = 1, 4000
    while lo < hi:
        mid = (lo + hi) // 2
        if offset(records(mid)) >= want:
            hi = mid
        else:
            lo = mid + 1
    a = records(lo)
    path = os.path.join(args["dir"], "w%d.npy" % want)
    np.save(path, a)
    out.append({"file": path, "offset": offset(a), "descr": repr(a.dtype.descr)})
json.dump(out, sys.stdout)
`, map[string]any{"dir": dir, "offsets": []int{4032, 4096, 4160, 20000}}, &written)
	require.Len(t, written, 4)
	seen := map[int64]bool{}
	for _, w := range written {
		seen[w.Offset] = true
	}
	for _, at := range []int64{4032, 4096, 4160} {
		require.True(t, seen[at], "NumPy wrote no header ending at %d: %+v", at, written)
	}

	limit := mmarray.WithMaxHeaderSize(1 << 20)
	for _, w := range written {
		image, err := os.ReadFile(w.File)
		require.NoError(t, err)
		name := strconv.FormatInt(w.Offset, 10)
		check := func(how string, f *mmarray.File, err error, base int64) {
			t.Helper()
			require.NoError(t, err, "%s: %s", name, how)
			defer f.Close()
			require.Equal(t, w.Descr, f.Descr(), "%s: %s", name, how)
			require.Equal(t, base+w.Offset, f.DataOffset(), "%s: %s", name, how)
			data := make([]byte, f.NBytes())
			_, err = f.ReadAt(data, 0)
			require.NoError(t, err)
			require.Equal(t, image[w.Offset:], data, "%s: %s", name, how)
		}
		f, err := mmarray.Open(w.File, mmarray.ReadOnly, limit)
		check("Open", f, err, 0)
		osFile, err := os.Open(w.File)
		require.NoError(t, err)
		f, err = mmarray.OpenFile(osFile, mmarray.ReadOnly, limit)
		check("OpenFile", f, err, 0)
		require.NoError(t, osFile.Close())
		embedded := embed(t, image)
		f, err = mmarray.Open(embedded, mmarray.ReadOnly, limit, mmarray.WithSection(sectionPrefixLen, int64(len(image))))
		check("section", f, err, sectionPrefixLen)

		for _, cut := range []int64{9, 4095, 4096, 4097, w.Offset - 1} {
			if cut >= w.Offset {
				continue
			}
			short := filepath.Join(t.TempDir(), "short.npy")
			require.NoError(t, os.WriteFile(short, image[:cut], 0o644))
			_, err := mmarray.Open(short, mmarray.ReadOnly, limit)
			require.ErrorIs(t, err, npyheader.ErrTruncated, "%s cut at %d", name, cut)
			_, err = mmarray.Open(embedded, mmarray.ReadOnly, limit, mmarray.WithSection(sectionPrefixLen, cut))
			require.ErrorIs(t, err, npyheader.ErrTruncated, "%s: section cut at %d", name, cut)
		}
	}
}

// A length field that claims more than the limit allows, in a file that
// ends before it, is both too large and truncated (as NumPy, which reads
// first, reports it), whether the file is shorter or longer than the first
// read. (Before, a file of 4 KiB or more was reported too large only.)
func TestForgedHeaderLengthIsTruncatedWhateverTheFileSize(t *testing.T) {
	t.Parallel()
	for _, size := range []int{64, 4095, 4096, 4097, 20000} {
		b := append([]byte(npyheader.Magic), 2, 0)
		b = binary.LittleEndian.AppendUint32(b, 0xFFFFFFF0)
		for len(b) < size {
			b = append(b, ' ')
		}
		path := filepath.Join(t.TempDir(), "forged.npy")
		require.NoError(t, os.WriteFile(path, b, 0o644))
		_, err := mmarray.Open(path, mmarray.ReadOnly)
		require.ErrorIs(t, err, npyheader.ErrHeaderTooLarge, "size %d", size)
		require.ErrorIs(t, err, npyheader.ErrTruncated, "size %d", size)
		_, err = mmarray.Open(path, mmarray.ReadOnly, mmarray.WithMaxHeaderSize(1<<30))
		require.ErrorIs(t, err, npyheader.ErrTruncated, "size %d, a limit that allows the length", size)
	}
}
