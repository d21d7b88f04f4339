package pagecache

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

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
	for _, acc := range accesses {
		t.Run(acc.String(), func(t *testing.T) {
			m, start, end := closedRange(t, acc)
			require.Equal(t, "---p", procMapping(t, start, end))
			runtime.KeepAlive(m)
		})
	}
}

func TestGuardReleasedWhenUnreachable(t *testing.T) {
	_, start, end := closedRange(t, ReadOnly)
	// The Mapping is now unreachable; its cleanup unmaps the reservation.
	for range 50 {
		runtime.GC()
		if procMapping(t, start, end) != "---p" {
			return
		}
	}
	t.Fatalf("guard %#x-%#x still reserved after 50 GCs", start, end)
}

func TestPreallocateAllocatesBlocks(t *testing.T) {
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
	f, _ := mustCreate(t, []byte("abc"), os.O_RDONLY)
	err := Preallocate(f, 100)
	require.ErrorIs(t, err, ErrReadOnly)
	require.Contains(t, err.Error(), f.Name())
}

func TestDropFileCache(t *testing.T) {
	ps := PageSize()
	f, _ := mustCreate(t, pattern(8*ps), os.O_RDONLY)
	require.NoError(t, f.Sync())
	require.NoError(t, DropFileCache(f))

	m, err := Map(f, 0, int64(8*ps), ReadOnly)
	require.NoError(t, err)
	defer m.Close()
	res, total, err := m.Resident(0, int64(m.Len()))
	require.NoError(t, err)
	require.Equal(t, 8, total)
	if res != 0 { // e.g. tmpfs keeps its only copy of the data
		t.Logf("%d of %d pages still resident after DropFileCache", res, total)
	}

	require.ErrorIs(t, DropFileCache(nil), ErrInvalid)
}

func TestFlushAfterFileClosed(t *testing.T) {
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
