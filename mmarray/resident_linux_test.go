package mmarray_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestResidentOnMappedFile checks File.Resident on a real mapping against
// residency the test sets up: none after the file's cache is dropped, the
// touched pages after reading one element in each with read-ahead off, all
// after PopulateRead. The data starts inside its first page and has one
// element in its last, so a span even one element short, or taken from the
// page's start, gives another total.
func TestResidentOnMappedFile(t *testing.T) {
	// Not parallel: it drops a file's pages from the page cache and counts
	// what is resident, and the page cache is shared with every other test.
	ps := pagecache.PageSize()
	path := filepath.Join(t.TempDir(), "resident.npy")
	const headerSize = 128 // what NumPy writes for a 1-D <f8 of this size
	n := (10*ps - headerSize + 8) / 8
	w, err := mmarray.Create(path, "<f8", []int{n})
	require.NoError(t, err)
	wa, err := mmarray.View[float64](w)
	require.NoError(t, err)
	wa.Fill(1.5)
	require.NoError(t, w.Flush()) // clean pages can be dropped
	require.NoError(t, w.Close())

	osFile, err := os.Open(path)
	require.NoError(t, err)
	defer osFile.Close()
	var st unix.Statfs_t
	require.NoError(t, unix.Fstatfs(int(osFile.Fd()), &st))
	if fs := uint32(st.Type); fs == unix.TMPFS_MAGIC || fs == unix.RAMFS_MAGIC { // Type is an int32 on 32-bit platforms
		t.Skipf("%s is on tmpfs or ramfs, whose pages cannot be dropped", path)
	}

	f, err := mmarray.Open(path, mmarray.ReadOnly, mmarray.WithAdvice(mmarray.Random))
	require.NoError(t, err)
	defer f.Close()
	dataStart := int(f.DataOffset())
	dataEnd := dataStart + 8*n
	require.Equal(t, headerSize, dataStart)
	require.Equal(t, 8, dataEnd%ps, "bytes of data in the last page")
	firstPage := dataStart / ps
	wantTotal := (dataEnd+ps-1)/ps - firstPage

	require.NoError(t, pagecache.DropFileCache(osFile))
	res, total, err := f.Resident()
	require.NoError(t, err)
	require.Equal(t, wantTotal, total, "pages holding the data")
	require.Zero(t, res, "resident after the cache was dropped")

	a, err := mmarray.View[float64](f)
	require.NoError(t, err)
	touched := []int{0, 3, wantTotal - 1} // pages of the data's span
	for _, p := range touched {
		// The first element that starts in page p (or the last element).
		i := min(max(0, ((firstPage+p)*ps-dataStart+7)/8), n-1)
		require.Equal(t, 1.5, a.At(i))
	}
	res, total, err = f.Resident()
	require.NoError(t, err)
	require.Equal(t, wantTotal, total)
	require.Equal(t, len(touched), res, "resident after reading one element in each of pages %v", touched)
	// ResidentRange page by page: the data's bytes in each page of its span.
	for p := range wantTotal {
		lo, hi := max(0, (firstPage+p)*ps-dataStart), min(8*n, (firstPage+p+1)*ps-dataStart)
		res, total, err := f.ResidentRange(int64(lo), int64(hi-lo))
		require.NoError(t, err)
		require.Equal(t, 1, total, "pages of page %d's bytes", p)
		require.Equal(t, b2i(slices.Contains(touched, p)), res, "page %d resident", p)
	}
	res, total, err = f.ResidentRange(0, int64(4*ps-dataStart))
	require.NoError(t, err)
	require.Equal(t, 4, total)
	require.Equal(t, 2, res, "pages 0 and 3 of the first four")
	_, _, err = f.ResidentRange(1, int64(8*n))
	require.ErrorIs(t, err, pagecache.ErrBadRange)

	require.NoError(t, f.Advise(mmarray.PopulateRead))
	res, total, err = f.Resident()
	require.NoError(t, err)
	require.Equal(t, wantTotal, total)
	require.Equal(t, total, res, "resident after PopulateRead")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
