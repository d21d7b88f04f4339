package main

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/go-memmap/memmap/internal/ciskip"
)

// TestWarmCacheReadsEvictedFileBack checks that warmCache and recache leave a
// file wholly in the page cache: after part of it was evicted, and after
// all of it was.
func TestWarmCacheReadsEvictedFileBack(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data")
	data := make([]byte, 8<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	evict := func(off, n int64) {
		t.Helper()
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
		if err := unix.Fadvise(int(f.Fd()), off, n, unix.FADV_DONTNEED); err != nil {
			t.Fatal(err)
		}
		resident, total, err := residency(path)
		if err != nil {
			t.Fatal(err)
		}
		if resident == total {
			ciskip.Skipf(t, "the file system of %s keeps evicted pages (tmpfs?): %d of %d resident", path, resident, total)
		}
	}
	for _, tc := range []struct {
		name   string
		off, n int64
		warm   func(string) error
	}{
		{"warmCache after half evicted", 2 << 20, 4 << 20, warmCache},
		{"warmCache after all evicted", 0, 0, warmCache},
		{"recache after half evicted", 0, 1 << 20, recache},
	} {
		evict(tc.off, tc.n)
		if err := tc.warm(path); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resident, total, err := residency(path)
		if err != nil {
			t.Fatal(err)
		}
		if resident != total {
			t.Errorf("%s: %d of %d pages resident, want all", tc.name, resident, total)
		}
	}
}
