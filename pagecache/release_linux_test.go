package pagecache

import (
	"bytes"
	"os"
	"sync/atomic"
	"testing"

	"github.com/go-memmap/memmap/internal/ciskip"
	"github.com/go-memmap/memmap/internal/pagemap"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// presentPages counts the pages of b that are mapped into the process
// now: what its RSS counts. Resident (mincore) cannot tell, since it
// reports the file's pages in the page cache, mapped by this process or
// not.
func presentPages(t *testing.T, b []byte) int {
	t.Helper()
	n, err := pagemap.Present(b)
	require.NoError(t, err)
	return n
}

// skipOnTmpfs skips a test that needs the page cache to be droppable.
func skipOnTmpfs(t *testing.T, f *os.File) {
	t.Helper()
	var st unix.Statfs_t
	require.NoError(t, unix.Fstatfs(int(f.Fd()), &st))
	if fs := uint32(st.Type); fs == unix.TMPFS_MAGIC || fs == unix.RAMFS_MAGIC { // Type is an int32 on 32-bit platforms
		ciskip.Skipf(t, "%s is on tmpfs or ramfs, whose page cache is the only copy and cannot be dropped", f.Name())
	}
}

// touched keeps the loads of touch from being optimized away.
var touched atomic.Uint32

// touch reads one byte of every page of b, mapping each in.
func touch(b []byte) {
	var x byte
	for i := 0; i < len(b); i += PageSize() {
		x ^= b[i]
	}
	touched.Add(uint32(x))
}

func TestReleaseDropsPagesFromTheProcess(t *testing.T) {
	t.Parallel()
	const pages = 16
	ps := PageSize()
	data := pattern(pages*ps + 100)
	for _, acc := range []Access{ReadOnly, ReadWrite} {
		t.Run(acc.String(), func(t *testing.T) {
			t.Parallel()
			f, _ := mustCreate(t, data, os.O_RDWR)
			m, err := Map(f, 10, int64(len(data)-10), acc) // unaligned: Bytes()[0] is byte 10 of page 0
			require.NoError(t, err)
			defer func() { require.NoError(t, m.Close()) }()
			b := m.Bytes()
			touch(b)
			require.Equal(t, pages+1, presentPages(t, b), "pages mapped after reading each")

			// Bytes [ps, 5*ps) of the view lie in pages 1 to 5 of the file: 5 pages.
			require.NoError(t, m.Release(int64(ps), int64(4*ps)))
			require.Equal(t, pages+1-5, presentPages(t, b), "pages mapped after releasing 5")
			require.Zero(t, presentPages(t, b[ps:5*ps]))
			require.True(t, bytes.Equal(data[10:], b), "the data reads back after Release")
			require.Equal(t, pages+1, presentPages(t, b), "pages mapped again by reading")

			require.NoError(t, m.Release(0, int64(m.Len())))
			require.Zero(t, presentPages(t, b))
			require.NoError(t, m.Release(3, 0))
		})
	}
}

// TestReleaseKeepsWrites writes through a ReadWrite mapping, releases the
// pages and reads the file through a new descriptor; a CopyOnWrite
// mapping's changes survive Release too, and never reach the file.
func TestReleaseKeepsWrites(t *testing.T) {
	t.Parallel()
	const pages = 8
	ps := PageSize()
	data := pattern(pages * ps)
	for _, acc := range []Access{ReadWrite, CopyOnWrite} {
		t.Run(acc.String(), func(t *testing.T) {
			t.Parallel()
			f, path := mustCreate(t, data, os.O_RDWR)
			m, err := Map(f, 0, int64(len(data)), acc)
			require.NoError(t, err)
			defer func() { require.NoError(t, m.Close()) }()
			b := m.Bytes()
			want := bytes.Clone(data)
			for p := range pages {
				copy(b[p*ps+7:], "written")
				copy(want[p*ps+7:], "written")
			}
			require.NoError(t, m.Release(0, int64(len(b))))
			if acc == ReadWrite {
				require.Zero(t, presentPages(t, b), "pages mapped after Release")
			}
			require.True(t, bytes.Equal(want, b), "the mapping after Release")

			onDisk, err := os.ReadFile(path)
			require.NoError(t, err)
			if acc == CopyOnWrite {
				require.True(t, bytes.Equal(data, onDisk), "copy-on-write changes reached the file")
				return
			}
			require.True(t, bytes.Equal(want, onDisk), "the file after Release")
		})
	}
}

// TestDropCache checks with mincore through a fresh mapping, which is never
// touched, that DropCache evicts the file's pages behind the range it is
// given, after writing a ReadWrite mapping's changes back.
func TestDropCache(t *testing.T) {
	// Not parallel: it counts the pages of a file just written as resident, and
	// the page cache is shared with every other test.
	const pages = 16
	ps := PageSize()
	data := pattern(pages * ps)
	for _, acc := range accesses {
		t.Run(acc.String(), func(t *testing.T) {
			// Written page by page, the file is cached in single pages:
			// the kernel drops only whole folios inside the range, and one
			// large write may be cached in folios of many pages.
			f, path := mustCreate(t, nil, os.O_RDWR)
			skipOnTmpfs(t, f)
			for p := 0; p < len(data); p += ps {
				_, err := f.WriteAt(data[p:p+ps], int64(p))
				require.NoError(t, err)
			}
			require.NoError(t, f.Sync()) // dirty pages are not dropped
			cached := func(off, n int64) int {
				t.Helper()
				probe, err := Map(f, 0, int64(len(data)), ReadOnly)
				require.NoError(t, err)
				defer func() { require.NoError(t, probe.Close()) }()
				res, _, err := probe.Resident(off, n)
				require.NoError(t, err)
				return res
			}
			require.Equal(t, pages, cached(0, int64(len(data))), "pages of a file just written")

			m, err := Map(f, int64(ps+1), int64(len(data)-ps-1), acc)
			require.NoError(t, err)
			defer func() { require.NoError(t, m.Close()) }()
			want := bytes.Clone(data)
			if acc != ReadOnly {
				copy(m.Bytes()[2*ps:], "written") // file page 3
				copy(want[3*ps+1:], "written")
				require.NoError(t, m.Release(int64(2*ps), 1))
			}
			// View bytes [ps, 5*ps) lie in file pages 2 to 6.
			require.NoError(t, m.DropCache(int64(ps), int64(4*ps)))
			require.Zero(t, cached(int64(2*ps), int64(5*ps)), "file pages 2 to 6 still cached")

			onDisk, err := os.ReadFile(path)
			require.NoError(t, err)
			if acc == CopyOnWrite {
				require.True(t, bytes.Equal(data, onDisk), "copy-on-write change reached the file")
			} else {
				require.True(t, bytes.Equal(want, onDisk), "the file after DropCache")
			}
			require.True(t, bytes.Equal(want[ps+1:], m.Bytes()), "the mapping after DropCache")
		})
	}
}
