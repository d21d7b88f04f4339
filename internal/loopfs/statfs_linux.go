package loopfs

import (
	"testing"

	"golang.org/x/sys/unix"
)

func free(t testing.TB, path string) int64 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		t.Fatalf("statfs %s: %v", path, err)
	}
	return int64(st.Bavail) * int64(st.Bsize) // Bsize is an int32 on 32-bit platforms
}
