package pagecache

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/stretchr/testify/require"
)

// pattern returns n bytes that differ from page to page and within a page.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>12 + 1)
	}
	return b
}

// mustCreate writes data to a new file under t.TempDir and returns it opened
// with flag (os.O_RDWR or os.O_RDONLY). The file is closed at cleanup.
func mustCreate(t *testing.T, data []byte, flag int) (*os.File, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data.bin")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	f, err := os.OpenFile(path, flag, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	return f, path
}

var accesses = []Access{ReadOnly, ReadWrite, CopyOnWrite}

func TestMapRanges(t *testing.T) {
	t.Parallel()
	ps := int64(PageSize())
	gran := int64(Granularity())
	size := 3*gran + 5*ps + 123
	data := pattern(int(size))
	f, _ := mustCreate(t, data, os.O_RDWR)

	tests := []struct {
		name        string
		off, length int64
	}{
		{"empty at 0", 0, 0},
		{"empty mid", 17, 0},
		{"empty at EOF", size, 0},
		{"one byte", 0, 1},
		{"one byte unaligned", 1, 1},
		{"last byte", size - 1, 1},
		{"page-1", 0, ps - 1},
		{"page-1 unaligned", 1, ps - 1},
		{"page", 0, ps},
		{"page unaligned", 5, ps},
		{"page+1", 0, ps + 1},
		{"straddle page boundary", ps - 1, 2},
		{"second page", ps, ps},
		{"page+1 at page+1", ps + 1, ps + 1},
		{"several pages unaligned", ps - 1, 3*ps + 5},
		{"granularity boundary", gran - 3, 6},
		{"past granularity", gran + 7, 2*ps + 9},
		{"whole file", 0, size},
		{"to EOF unaligned", 3, size - 3},
		{"tail", size - ps - 11, ps + 11},
	}
	for _, tc := range tests {
		for _, acc := range accesses {
			t.Run(tc.name+"/"+acc.String(), func(t *testing.T) {
				t.Parallel()
				m, err := Map(f, tc.off, tc.length, acc)
				require.NoError(t, err)
				b := m.Bytes()
				require.NotNil(t, b)
				require.Len(t, b, int(tc.length))
				require.Equal(t, len(b), cap(b))
				require.Equal(t, int(tc.length), m.Len())
				require.Equal(t, tc.off, m.Offset())
				require.Equal(t, size, m.FileSize())
				require.Equal(t, acc, m.Access())
				require.Equal(t, data[tc.off:tc.off+tc.length], b)
				require.False(t, m.Closed())
				require.NoError(t, m.Close())
				require.True(t, m.Closed())
				require.Nil(t, m.Bytes())
			})
		}
	}
}

func TestReadWriteFlush(t *testing.T) {
	t.Parallel()
	ps := PageSize()
	data := pattern(4*ps + 100)
	f, path := mustCreate(t, data, os.O_RDWR)

	off := int64(ps/2 + 3)
	m, err := Map(f, off, int64(3*ps), ReadWrite)
	require.NoError(t, err)
	defer func() { require.NoError(t, m.Close()) }()

	want := append([]byte(nil), data...)
	b := m.Bytes()
	// One write inside the first page, one straddling a page boundary.
	copy(b[10:], "first")
	copy(b[ps-2:], "straddle")
	copy(want[off+10:], "first")
	copy(want[off+int64(ps)-2:], "straddle")

	require.NoError(t, m.FlushRange(10, 5))
	require.NoError(t, m.FlushRange(int64(ps-2), 8))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, want, got)

	copy(b[len(b)-4:], "tail")
	copy(want[off+int64(len(b))-4:], "tail")
	require.NoError(t, m.Flush())
	require.NoError(t, m.FlushRange(0, 0))
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, want, got)
}

func TestCopyOnWrite(t *testing.T) {
	t.Parallel()
	ps := PageSize()
	data := pattern(3*ps + 7)
	for _, flag := range []int{os.O_RDONLY, os.O_RDWR} {
		t.Run(map[int]string{os.O_RDONLY: "O_RDONLY", os.O_RDWR: "O_RDWR"}[flag], func(t *testing.T) {
			t.Parallel()
			f, path := mustCreate(t, data, flag)
			m, err := Map(f, 1, int64(len(data)-1), CopyOnWrite)
			require.NoError(t, err)
			b := m.Bytes()
			for i := range b {
				b[i] = 0xEE
			}
			require.Equal(t, byte(0xEE), m.Bytes()[ps])
			require.NoError(t, m.Flush())
			require.NoError(t, m.FlushRange(3, 9))
			require.NoError(t, m.Close())

			got, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, data, got)

			ro, err := Map(f, 0, int64(len(data)), ReadOnly)
			require.NoError(t, err)
			require.Equal(t, data, ro.Bytes())
			require.NoError(t, ro.Close())
		})
	}
}

func TestFlushReadOnlyIsNoop(t *testing.T) {
	t.Parallel()
	f, _ := mustCreate(t, pattern(100), os.O_RDONLY)
	m, err := Map(f, 3, 50, ReadOnly)
	require.NoError(t, err)
	require.NoError(t, m.Flush())
	require.NoError(t, m.FlushRange(1, 2))
	require.NoError(t, m.Close())
}

func TestMapErrors(t *testing.T) {
	t.Parallel()
	const size = 1000
	f, _ := mustCreate(t, pattern(size), os.O_RDWR)
	tests := []struct {
		name        string
		off, length int64
		acc         Access
		want        error
	}{
		{"one past EOF", size - 1, 2, ReadOnly, ErrBeyondEOF},
		{"offset past EOF", size + 1, 0, ReadOnly, ErrBeyondEOF},
		{"far past EOF", 1 << 40, 10, ReadWrite, ErrBeyondEOF},
		{"length past EOF", 0, size + 1, CopyOnWrite, ErrBeyondEOF},
		{"negative offset", -1, 10, ReadOnly, ErrBadRange},
		{"negative length", 0, -1, ReadOnly, ErrBadRange},
		{"both negative", -5, -5, ReadWrite, ErrBadRange},
		{"overflow", 1, math.MaxInt64, ReadOnly, memmap.ErrTooLarge},
		{"overflow at max", math.MaxInt64, 1, ReadOnly, memmap.ErrTooLarge},
		{"invalid access", 0, 1, Access(7), ErrInvalid},
		{"negative access", 0, 1, Access(-1), ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := Map(f, tc.off, tc.length, tc.acc)
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, m)
			// The context names the operation and the file, then the
			// sentinel its package names once.
			require.True(t, strings.HasPrefix(err.Error(), "map "+f.Name()+" "), err.Error())
			require.Equal(t, 1, strings.Count(err.Error(), tc.want.Error()), err.Error())
		})
	}

	_, err := Map(nil, 0, 0, ReadOnly)
	require.ErrorIs(t, err, ErrInvalid)
}

func TestMapWrongFileMode(t *testing.T) {
	t.Parallel()
	f, _ := mustCreate(t, pattern(100), os.O_RDONLY)
	_, err := Map(f, 0, 10, ReadWrite)
	require.Error(t, err)
	var pe *fs.PathError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, f.Name(), pe.Path)
	if runtime.GOOS != "windows" {
		require.Equal(t, "mmap", pe.Op)
	}

	g, _ := mustCreate(t, pattern(100), os.O_RDWR)
	require.NoError(t, g.Close())
	_, err = Map(g, 0, 10, ReadOnly)
	require.ErrorIs(t, err, os.ErrClosed)
}

func TestMapTooLargeFor32Bit(t *testing.T) {
	t.Parallel()
	if strconv.IntSize != 32 {
		t.Skip("needs a 32-bit int")
	}
	f, _ := mustCreate(t, nil, os.O_RDWR)
	require.NoError(t, f.Truncate(1<<31+1<<20)) // sparse
	_, err := Map(f, 0, 1<<31, ReadOnly)
	require.ErrorIs(t, err, memmap.ErrTooLarge)
	_, err = Map(f, 1<<20, math.MaxInt32, ReadOnly)
	require.ErrorIs(t, err, memmap.ErrTooLarge)
}

func TestZeroLength(t *testing.T) {
	t.Parallel()
	const size = 100
	f, _ := mustCreate(t, pattern(size), os.O_RDWR)
	for _, off := range []int64{0, 1, size} {
		for _, acc := range accesses {
			m, err := Map(f, off, 0, acc)
			require.NoError(t, err)
			require.NotNil(t, m.Bytes())
			require.Empty(t, m.Bytes())
			require.NoError(t, m.Flush())
			require.NoError(t, m.Advise(0, 0, WillNeed))
			if residentSupported {
				r, n, err := m.Resident(0, 0)
				require.NoError(t, err)
				require.Zero(t, r)
				require.Zero(t, n)
			}
			require.ErrorIs(t, m.FlushRange(0, 1), ErrBadRange)
			require.NoError(t, m.Close())
			require.Nil(t, m.Bytes())
			require.ErrorIs(t, m.Close(), memmap.ErrClosed)
		}
	}

	empty, _ := mustCreate(t, nil, os.O_RDONLY)
	m, err := Map(empty, 0, 0, ReadOnly)
	require.NoError(t, err)
	require.NoError(t, m.Close())
}

func TestSubRangeErrors(t *testing.T) {
	t.Parallel()
	f, _ := mustCreate(t, pattern(3*PageSize()), os.O_RDWR)
	m, err := Map(f, 5, 100, ReadWrite)
	require.NoError(t, err)
	defer m.Close()

	ops := map[string]func(off, n int64) error{
		"FlushRange": m.FlushRange,
		"Advise":     func(off, n int64) error { return m.Advise(off, n, Normal) },
		"Release":    m.Release,
		"DropCache":  m.DropCache,
		"Resident":   func(off, n int64) error { _, _, err := m.Resident(off, n); return err },
	}
	bad := []struct{ off, n int64 }{
		{-1, 1}, {0, -1}, {0, 101}, {100, 1}, {101, 0}, {50, 51}, {1, math.MaxInt64}, {math.MaxInt64, 1},
	}
	for name, op := range ops {
		for _, r := range bad {
			err := op(r.off, r.n)
			require.ErrorIs(t, err, ErrBadRange, "%s(%d, %d)", name, r.off, r.n)
		}
		if name == "Resident" && !residentSupported {
			continue
		}
		for _, r := range []struct{ off, n int64 }{{0, 100}, {100, 0}, {99, 1}, {0, 0}, {37, 13}} {
			require.NoError(t, op(r.off, r.n), "%s(%d, %d)", name, r.off, r.n)
		}
	}
}

func TestAdvise(t *testing.T) {
	t.Parallel()
	ps := PageSize()
	data := pattern(4*ps + 9)
	f, _ := mustCreate(t, data, os.O_RDWR)
	advices := []Advice{Normal, Sequential, Random, WillNeed, DontNeed, PopulateRead}
	for _, acc := range accesses {
		for _, a := range advices {
			t.Run(acc.String()+"/"+a.String(), func(t *testing.T) {
				t.Parallel()
				m, err := Map(f, 3, int64(len(data)-3), acc)
				require.NoError(t, err)
				defer func() { require.NoError(t, m.Close()) }()
				for _, r := range []struct{ off, n int64 }{{0, int64(m.Len())}, {1, 1}, {int64(ps - 10), int64(ps)}} {
					err := m.Advise(r.off, r.n, a)
					if acc == CopyOnWrite && a == DontNeed {
						require.ErrorIs(t, err, ErrDontNeedCopyOnWrite)
						continue
					}
					require.NoError(t, err)
				}
				// The data is still there after the hint.
				require.Equal(t, data[3:], m.Bytes())
			})
		}
	}

	m, err := Map(f, 0, 10, ReadOnly)
	require.NoError(t, err)
	require.ErrorIs(t, m.Advise(0, 1, Advice(42)), ErrInvalid)
	require.NoError(t, m.Close())
}

func TestAdviseDontNeedKeepsSharedWrites(t *testing.T) {
	t.Parallel()
	ps := PageSize()
	f, _ := mustCreate(t, pattern(2*ps), os.O_RDWR)
	m, err := Map(f, 0, int64(2*ps), ReadWrite)
	require.NoError(t, err)
	copy(m.Bytes()[ps+1:], "kept")
	require.NoError(t, m.Advise(0, int64(2*ps), DontNeed))
	require.Equal(t, []byte("kept"), m.Bytes()[ps+1:ps+5])
	require.NoError(t, m.Close())
}

func TestResident(t *testing.T) {
	// Not parallel: it counts the pages of a file just written as resident, and
	// the page cache is shared with every other test.
	if !residentSupported {
		f, _ := mustCreate(t, pattern(100), os.O_RDONLY)
		m, err := Map(f, 0, 100, ReadOnly)
		require.NoError(t, err)
		_, _, err = m.Resident(0, 100)
		require.ErrorIs(t, err, memmap.ErrUnsupported)
		require.NoError(t, m.Close())
		return
	}
	ps := PageSize()
	const pages = 4
	data := pattern(pages * ps)
	f, _ := mustCreate(t, data, os.O_RDONLY) // just written: in the page cache
	tests := []struct {
		name        string
		off, length int64
		sub         [2]int64
		wantTotal   int
	}{
		{"whole", 0, pages * int64(ps), [2]int64{0, pages * int64(ps)}, pages},
		{"unaligned map", 10, 2 * int64(ps), [2]int64{0, 2 * int64(ps)}, 3},
		{"one byte", 10, 2 * int64(ps), [2]int64{5, 1}, 1},
		{"straddle", 0, pages * int64(ps), [2]int64{int64(ps) - 1, 2}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Map(f, tc.off, tc.length, ReadOnly)
			require.NoError(t, err)
			defer func() { require.NoError(t, m.Close()) }()
			var sum byte
			for _, c := range m.Bytes() {
				sum += c
			}
			_ = sum
			res, total, err := m.Resident(tc.sub[0], tc.sub[1])
			require.NoError(t, err)
			require.Equal(t, tc.wantTotal, total)
			require.Equal(t, total, res)
		})
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	f, _ := mustCreate(t, pattern(3*PageSize()), os.O_RDWR)
	for _, acc := range accesses {
		t.Run(acc.String(), func(t *testing.T) {
			t.Parallel()
			m, err := Map(f, 7, int64(PageSize()), acc)
			require.NoError(t, err)
			require.NoError(t, m.Close())
			require.True(t, m.Closed())
			require.Nil(t, m.Bytes())
			require.Equal(t, PageSize(), m.Len())

			err = m.Close()
			require.ErrorIs(t, err, memmap.ErrClosed)
			require.Contains(t, err.Error(), f.Name())
			require.ErrorIs(t, m.Flush(), memmap.ErrClosed)
			require.ErrorIs(t, m.FlushRange(0, 1), memmap.ErrClosed)
			require.ErrorIs(t, m.Advise(0, 1, Normal), memmap.ErrClosed)
			require.ErrorIs(t, m.Release(0, 1), memmap.ErrClosed)
			require.ErrorIs(t, m.DropCache(0, 1), memmap.ErrClosed)
			_, _, err = m.Resident(0, 1)
			require.ErrorIs(t, err, memmap.ErrClosed)
		})
	}
}

// TestConcurrentUse runs every method of a Mapping from several goroutines
// while it is closed under them (for -race and for the lock). Each worker
// must have done a round of work on the open mapping before Close, and must
// then see ErrClosed.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	ps := PageSize()
	f, _ := mustCreate(t, pattern(4*ps), os.O_RDWR)
	m, err := Map(f, 1, int64(3*ps), ReadWrite)
	require.NoError(t, err)

	const workers = 8
	var ready, working, done sync.WaitGroup
	start := make(chan struct{})
	rounds := make([]int, workers) // rounds done on the open mapping
	sawClosed := make([]bool, workers)
	ready.Add(workers)
	working.Add(workers)
	for w := range workers {
		done.Go(func() {
			markWorking := sync.OnceFunc(working.Done)
			defer markWorking() // also when a worker fails early
			ready.Done()
			<-start
			for {
				_, _, resErr := m.Resident(0, 10)
				if errors.Is(resErr, memmap.ErrUnsupported) {
					resErr = nil
				}
				open := m.Bytes() != nil
				closed := 0
				for _, err := range []error{m.FlushRange(0, 10), m.Advise(0, 10, WillNeed), m.Release(0, 10), m.DropCache(0, 10), resErr} {
					switch {
					case errors.Is(err, memmap.ErrClosed):
						closed++
					case err != nil:
						t.Errorf("worker %d: %v", w, err)
						return
					}
				}
				if closed > 0 {
					sawClosed[w] = true
					return
				}
				if !open {
					t.Errorf("worker %d: Bytes is nil but the mapping is not closed", w)
					return
				}
				rounds[w]++
				markWorking()
			}
		})
	}
	ready.Wait()
	close(start)
	working.Wait()
	require.NoError(t, m.Close())
	done.Wait()
	for w := range workers {
		if rounds[w] == 0 || !sawClosed[w] {
			t.Errorf("worker %d: %d rounds on the open mapping, saw ErrClosed: %v", w, rounds[w], sawClosed[w])
		}
	}
}

func TestPreallocate(t *testing.T) {
	t.Parallel()
	ps := PageSize()
	tests := []struct {
		name      string
		initial   []byte
		size      int64
		wantSize  int64
		wantError error
	}{
		{"grow empty", []byte{}, int64(3*ps + 5), int64(3*ps + 5), nil},
		{"grow with content", []byte("abc"), 2<<20 + 7, 2<<20 + 7, nil},
		{"same size", pattern(100), 100, 100, nil},
		{"never shrinks", pattern(100), 10, 100, nil},
		{"zero", pattern(10), 0, 10, nil},
		{"negative", nil, -1, 0, ErrBadRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, path := mustCreate(t, tc.initial, os.O_RDWR)
			err := Preallocate(f, tc.size)
			if tc.wantError != nil {
				require.ErrorIs(t, err, tc.wantError)
				return
			}
			require.NoError(t, err)
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Len(t, got, int(tc.wantSize))
			require.Equal(t, tc.initial, got[:len(tc.initial)])
			require.Equal(t, make([]byte, len(got)-len(tc.initial)), got[len(tc.initial):])
		})
	}
}

// TestZeroFill covers the portable fallback of Preallocate, including more
// than one 1 MiB chunk.
func TestZeroFill(t *testing.T) {
	t.Parallel()
	f, path := mustCreate(t, []byte("head"), os.O_RDWR)
	const size = 3<<20 + 11
	require.NoError(t, zeroFill(f, size))
	require.NoError(t, zeroFill(f, 5)) // never shrinks
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Len(t, got, size)
	require.Equal(t, []byte("head"), got[:4])
	require.Equal(t, make([]byte, size-4), got[4:])
}

func TestMapAfterPreallocate(t *testing.T) {
	t.Parallel()
	f, path := mustCreate(t, nil, os.O_RDWR)
	size := int64(2*PageSize() + 3)
	require.NoError(t, Preallocate(f, size))
	m, err := Map(f, 0, size, ReadWrite)
	require.NoError(t, err)
	copy(m.Bytes()[size-3:], "end")
	require.NoError(t, m.Flush())
	require.NoError(t, m.Close())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, []byte("end"), got[size-3:])
}

func TestStrings(t *testing.T) {
	t.Parallel()
	require.Equal(t, "ReadOnly", ReadOnly.String())
	require.Equal(t, "ReadWrite", ReadWrite.String())
	require.Equal(t, "CopyOnWrite", CopyOnWrite.String())
	require.Equal(t, "Access(9)", Access(9).String())
	require.Equal(t, "Normal", Normal.String())
	require.Equal(t, "Sequential", Sequential.String())
	require.Equal(t, "Random", Random.String())
	require.Equal(t, "WillNeed", WillNeed.String())
	require.Equal(t, "DontNeed", DontNeed.String())
	require.Equal(t, "Advice(-1)", Advice(-1).String())
}

func TestSizes(t *testing.T) {
	t.Parallel()
	require.Positive(t, PageSize())
	require.Zero(t, Granularity()%PageSize())
}

func TestOpenFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := OpenFile(filepath.Join(dir, "missing"), os.O_RDONLY, 0)
	require.ErrorIs(t, err, fs.ErrNotExist)
	var pe *fs.PathError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "open", pe.Op)

	path := filepath.Join(dir, "f")
	w, err := OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	require.NoError(t, err)
	_, err = w.WriteAt([]byte("hello, mapping"), 0)
	require.NoError(t, err)
	st, err := w.Stat()
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm()&0o600)
	require.NoError(t, w.Close())

	r, err := OpenFile(path, os.O_RDONLY, 0)
	require.NoError(t, err)
	defer r.Close()
	m, err := Map(r, 7, 7, ReadOnly)
	require.NoError(t, err)
	require.Equal(t, "mapping", string(m.Bytes()))
	require.NoError(t, m.Close())
	_, err = r.WriteAt([]byte("x"), 0)
	require.Error(t, err, "a file opened O_RDONLY cannot be written")
}
