package pagecache

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-memmap/memmap/internal/loopfs"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// procMapping returns the permissions of the /proc/self/maps entry that
// contains [start, end), or "" if none does.
func procMapping(t *testing.T, start, end uintptr) string {
	t.Helper()
	f, err := os.Open("/proc/self/maps")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var lo, hi uintptr
		var perms string
		if _, err := fmt.Sscanf(sc.Text(), "%x-%x %s", &lo, &hi, &perms); err != nil {
			continue
		}
		if lo <= start && end <= hi {
			return perms
		}
	}
	require.NoError(t, sc.Err())
	return ""
}

// closedRange maps a few pages at an unaligned offset, closes the mapping
// and returns it with its former page-rounded address range. It never
// touches the memory after Close.
func closedRange(t *testing.T, acc Access) (*Mapping, uintptr, uintptr) {
	t.Helper()
	ps := PageSize()
	f, _ := mustCreate(t, pattern(5*ps), os.O_RDWR)
	m, err := Map(f, int64(ps+10), int64(3*ps), acc)
	require.NoError(t, err)
	b := m.Bytes()
	require.Equal(t, pattern(5 * ps)[ps+10], b[0])
	start := addrOf(b) &^ uintptr(ps-1)
	end := start + uintptr(4*ps) // 10 + 3*ps bytes span 4 pages
	want := map[Access]string{ReadOnly: "r--s", ReadWrite: "rw-s", CopyOnWrite: "rw-p"}[acc]
	require.Equal(t, want, procMapping(t, start, end))
	require.NoError(t, m.Close())
	return m, start, end
}

func TestCloseLeavesGuard(t *testing.T) {
	t.Parallel()
	for _, acc := range accesses {
		t.Run(acc.String(), func(t *testing.T) {
			t.Parallel()
			m, start, end := closedRange(t, acc)
			require.Equal(t, "---p", procMapping(t, start, end))
			runtime.KeepAlive(m)
		})
	}
}

// TestGuardReleasedWhenUnreachable does not guess when the cleanup runs: it
// wraps the release to be told, and collects until it is.
func TestGuardReleasedWhenUnreachable(t *testing.T) {
	// Not parallel: it replaces the package's guardRelease and forces
	// collections.
	released := make(chan rawRange, 1)
	guardRelease = func(r rawRange) {
		releaseGuard(r)
		select {
		case released <- r:
		default: // only the first release is the one under test
		}
	}
	t.Cleanup(func() { guardRelease = releaseGuard })

	_, start, end := closedRange(t, ReadOnly)
	// The Mapping is now unreachable; a collection queues its cleanup.
	const collections = 20
	for range collections {
		runtime.GC()
		select {
		case r := <-released:
			require.Equal(t, start, uintptr(r.addr), "released range start")
			require.Equal(t, end-start, r.n, "released range length")
			require.NotEqual(t, "---p", procMapping(t, start, end), "guard still reserved after its release")
			return
		case <-time.After(time.Second): // collect again: the Mapping may have survived this cycle
		}
	}
	t.Fatalf("guard %#x-%#x not released after %d collections", start, end, collections)
}

func TestPreallocateAllocatesBlocks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	probe, err := os.Create(filepath.Join(dir, "probe"))
	require.NoError(t, err)
	defer probe.Close()
	if err := unix.Fallocate(int(probe.Fd()), 0, 0, 4096); errors.Is(err, unix.EOPNOTSUPP) {
		t.Skip("file system does not support fallocate")
	}

	f, _ := mustCreate(t, []byte("x"), os.O_RDWR)
	const size = 3<<20 + 5
	require.NoError(t, Preallocate(f, size))
	fi, err := f.Stat()
	require.NoError(t, err)
	require.Equal(t, int64(size), fi.Size())
	st := fi.Sys().(*syscall.Stat_t)
	require.GreaterOrEqual(t, st.Blocks*512, int64(size))
}

func TestPreallocateReadOnly(t *testing.T) {
	t.Parallel()
	f, _ := mustCreate(t, []byte("abc"), os.O_RDONLY)
	err := Preallocate(f, 100)
	require.ErrorIs(t, err, ErrReadOnly)
	require.Contains(t, err.Error(), f.Name())
}

// TestDropFileCache writes and fsyncs a file, so all its pages are cached
// and clean, and checks with mincore that DropFileCache evicts every one.
// The mappings used to look are never touched, so they hold no page.
func TestDropFileCache(t *testing.T) {
	// Not parallel: it counts the pages of a file just written as resident, and
	// the page cache is shared with every other test.
	const pages = 8
	ps := PageSize()
	f, _ := mustCreate(t, pattern(pages*ps), os.O_RDONLY)
	var st unix.Statfs_t
	require.NoError(t, unix.Fstatfs(int(f.Fd()), &st))
	if fs := uint32(st.Type); fs == unix.TMPFS_MAGIC || fs == unix.RAMFS_MAGIC { // Type is an int32 on 32-bit platforms
		t.Skipf("%s is on tmpfs or ramfs, whose page cache is the only copy and cannot be dropped", f.Name())
	}
	require.NoError(t, f.Sync()) // dirty pages are not dropped

	cached := func() int {
		t.Helper()
		m, err := Map(f, 0, int64(pages*ps), ReadOnly)
		require.NoError(t, err)
		defer func() { require.NoError(t, m.Close()) }()
		res, total, err := m.Resident(0, int64(m.Len()))
		require.NoError(t, err)
		require.Equal(t, pages, total)
		return res
	}
	require.Equal(t, pages, cached(), "pages of a file just written")
	require.NoError(t, DropFileCache(f))
	require.Zero(t, cached(), "pages still cached after DropFileCache")

	_, err := f.ReadAt(make([]byte, 1), int64(3*ps)) // the cache fills again on demand
	require.NoError(t, err)
	require.Positive(t, cached())

	require.ErrorIs(t, DropFileCache(nil), ErrInvalid)
}

func TestFlushAfterFileClosed(t *testing.T) {
	t.Parallel()
	f, _ := mustCreate(t, pattern(100), os.O_RDWR)
	m, err := Map(f, 1, 50, ReadWrite)
	require.NoError(t, err)
	m.Bytes()[0] = 'z'
	require.NoError(t, f.Close()) // misuse: the file must stay open until m.Close
	err = m.Flush()
	require.ErrorIs(t, err, unix.EBADF)
	var pe *os.PathError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "fdatasync", pe.Op)
	require.True(t, strings.HasPrefix(err.Error(), "flush "+f.Name()+" "), err.Error())
	require.NoError(t, m.Close())
}

// sparseFile creates a file of size bytes in dir that is one hole except
// for the given pieces of data, and returns it opened read-write and the
// file's expected contents.
func sparseFile(t *testing.T, dir string, size int64, pieces map[int64]string) (*os.File, []byte) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "sparse"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	require.NoError(t, f.Truncate(size))
	want := make([]byte, size)
	for off, s := range pieces {
		_, err := f.WriteAt([]byte(s), off)
		require.NoError(t, err)
		copy(want[off:], s)
	}
	return f, want
}

// holesBelow returns the offsets of the holes lseek reports below end. It
// moves f's offset.
func holesBelow(t *testing.T, f *os.File, end int64) []int64 {
	t.Helper()
	var holes []int64
	for off := int64(0); off < end; {
		hole, err := unix.Seek(int(f.Fd()), off, unix.SEEK_HOLE)
		require.NoError(t, err)
		if hole >= end {
			break
		}
		holes = append(holes, hole)
		data, err := unix.Seek(int(f.Fd()), hole, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			break
		}
		require.NoError(t, err)
		off = data
	}
	return holes
}

// TestZeroFillFillsHoles covers the fallback of Preallocate on the file
// system of t.TempDir: holes below the old end are written, the file grows,
// its bytes and its offset stay.
func TestZeroFillFillsHoles(t *testing.T) {
	t.Parallel()
	const size, grown = 3 << 20, 4<<20 + 3
	f, want := sparseFile(t, t.TempDir(), size, map[int64]string{0: "head", 1<<20 + 5: "middle"})
	if len(holesBelow(t, f, size)) == 0 {
		t.Skip("the file system of t.TempDir reports no holes (no SEEK_HOLE)")
	}
	_, err := f.Seek(7, io.SeekStart)
	require.NoError(t, err)

	require.NoError(t, zeroFill(f, grown))
	pos, err := f.Seek(0, io.SeekCurrent)
	require.NoError(t, err)
	require.Equal(t, int64(7), pos, "file offset")
	require.Empty(t, holesBelow(t, f, grown)) // (moves the offset)
	got, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	require.Equal(t, append(want, make([]byte, grown-size)...), got)
}

// Data written into a hole after fillHoles found it, as another process
// may, survives: the holes are allocated, not overwritten with zeros.
//
// Not parallel: it replaces the package's holeFound hook.
func TestFillHolesKeepsDataWrittenMeanwhile(t *testing.T) {
	const size = 3 << 20
	f, want := sparseFile(t, t.TempDir(), size, map[int64]string{0: "head"})
	if len(holesBelow(t, f, size)) == 0 {
		t.Skip("the file system of t.TempDir reports no holes (no SEEK_HOLE)")
	}
	other, err := os.OpenFile(f.Name(), os.O_RDWR, 0)
	require.NoError(t, err)
	defer other.Close()
	const late = "written while the hole was being filled"
	var wrote []int64
	holeFound = func(_ *os.File, hole, data int64) {
		off := hole + (data-hole)/2
		_, err := other.WriteAt([]byte(late), off)
		require.NoError(t, err)
		copy(want[off:], late)
		wrote = append(wrote, off)
	}
	defer func() { holeFound = func(*os.File, int64, int64) {} }()

	require.NoError(t, fillHoles(f, size))
	require.NotEmpty(t, wrote)
	got, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got), "the data written at %v is lost", wrote)
	require.Empty(t, holesBelow(t, f, size))
}

// TestPreallocateWithoutFallocate runs Preallocate on ext2, which has no
// fallocate: the holes of a sparse file must be allocated for real, and a
// disk too small must give ENOSPC here rather than SIGBUS later.
func TestPreallocateWithoutFallocate(t *testing.T) {
	// Not parallel: it mounts a file system (a loop device) and fills it.
	dir := loopfs.Mount(t, "ext2", 16<<20)
	const size, grown = 3 << 20, 4 << 20
	f, want := sparseFile(t, dir, size, map[int64]string{0: "head", 1<<20 + 5: "middle"})
	require.ErrorIs(t, unix.Fallocate(int(f.Fd()), 0, 0, grown), unix.EOPNOTSUPP, "ext2 has fallocate now: this test no longer covers the fallback")
	require.NotEmpty(t, holesBelow(t, f, size))

	require.NoError(t, Preallocate(f, grown))
	require.Empty(t, holesBelow(t, f, grown))
	var st unix.Stat_t
	require.NoError(t, unix.Fstat(int(f.Fd()), &st))
	require.GreaterOrEqual(t, st.Blocks*512, int64(grown), "allocated bytes")
	got, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	require.Equal(t, append(want, make([]byte, grown-size)...), got)

	// Holes larger than the free space: the fill fails with ENOSPC.
	big, err := os.Create(filepath.Join(dir, "big"))
	require.NoError(t, err)
	defer big.Close()
	require.NoError(t, big.Truncate(2*loopfs.Free(t, dir)))
	err = Preallocate(big, 0)
	require.NoError(t, err, "a zero size allocates nothing")
	err = Preallocate(big, 2*loopfs.Free(t, dir))
	require.ErrorIs(t, err, syscall.ENOSPC)
	var pe *os.PathError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "allocate", pe.Op, "the page fault (SIGBUS) of a full disk, recovered: %v", err)
	require.True(t, strings.HasPrefix(err.Error(), "preallocate "+big.Name()+" "), err.Error())
}

// TestPreallocateFullDisk runs the fallocate path out of space on a small
// tmpfs.
func TestPreallocateFullDisk(t *testing.T) {
	// Not parallel: it mounts a file system and fills it.
	dir := loopfs.Mount(t, "tmpfs", 8<<20)
	f, err := os.Create(filepath.Join(dir, "f"))
	require.NoError(t, err)
	defer f.Close()
	err = Preallocate(f, 64<<20)
	require.ErrorIs(t, err, syscall.ENOSPC)
	var pe *os.PathError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "fallocate", pe.Op)
}
