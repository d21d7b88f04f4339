package npz_test

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npz"
)

// fileOffsetOf finds, in /proc/self/maps, the file mapping holding address
// addr and returns that file's path and the offset in it that addr shows.
func fileOffsetOf(t *testing.T, addr uintptr) (string, int64) {
	t.Helper()
	maps, err := os.Open("/proc/self/maps")
	require.NoError(t, err)
	defer maps.Close()
	scanner := bufio.NewScanner(maps)
	for scanner.Scan() {
		// start-end perms offset dev inode path
		fields := strings.Fields(scanner.Text())
		if len(fields) < 6 {
			continue
		}
		lo, hi, _ := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		offset, err3 := strconv.ParseInt(fields[2], 16, 64)
		require.NoError(t, err1)
		require.NoError(t, err2)
		require.NoError(t, err3)
		if uint64(addr) >= start && uint64(addr) < end {
			return fields[5], offset + int64(uint64(addr)-start)
		}
	}
	require.NoError(t, scanner.Err())
	t.Fatalf("address %#x is in no mapping", addr)
	return "", 0
}

// A stored member is viewed where it lies in the archive: the zero-copy
// slice of its array points into a mapping of the archive file itself, at
// exactly the member's data offset. Nothing was copied.
func TestStoredMemberIsMappedInPlaceNotCopied(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, err := mmarray.Create(filepath.Join(dir, "src.npy"), "<f8", []int{1000, 3})
	require.NoError(t, err)
	defer src.Close()
	view, err := mmarray.View[float64](src)
	require.NoError(t, err)
	for k := range view.Len() {
		view.Set(float64(k)*0.5, k/3, k%3)
	}
	path := filepath.Join(dir, "aligned.npz")
	w, err := npz.Create(path)
	require.NoError(t, err)
	require.NoError(t, w.WriteArray("small", src))
	require.NoError(t, w.WriteArray("x", src))
	require.NoError(t, w.Close())

	archive, err := npz.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	defer archive.Close()
	member, err := archive.Member("x")
	require.NoError(t, err)
	require.Equal(t, npz.InPlace, member.Storage)
	f, err := archive.Open("x")
	require.NoError(t, err)
	defer f.Close()
	a, err := mmarray.View[float64](f)
	require.NoError(t, err)
	values, ok := a.Contiguous()
	require.True(t, ok, "the Writer aligns stored data, so the zero-copy slice is available")
	require.Equal(t, 1.5, values[3])

	mapped, offset := fileOffsetOf(t, reflect.ValueOf(values).Pointer())
	want, err := filepath.EvalSymlinks(path)
	require.NoError(t, err)
	require.Equal(t, want, mapped, "the slice lies in a mapping of the archive")
	require.Equal(t, member.DataOffset, offset, "at the member's data offset")
	require.Equal(t, f.DataOffset(), offset)
	last, lastOffset := fileOffsetOf(t, reflect.ValueOf(values[len(values)-1:]).Pointer())
	require.Equal(t, want, last)
	require.Equal(t, member.DataOffset+int64(8*(len(values)-1)), lastOffset, "the whole array, not a copied prefix")
}
