// Package loopfs mounts small, private file systems for tests that need a
// particular one: ext2, which has no fallocate, in a loop-mounted image, or a
// tmpfs of a given size, to fill a disk quickly and see ENOSPC.
//
// Mounting needs Linux and root. Where either is missing, or the system
// refuses the mount (no loop devices in a container), Mount skips the test
// and says why; when the environment variable CI is set it fails the test
// instead, so that the only tests of full and read-only disks cannot
// silently stop running in CI.
package loopfs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Mount mounts a new, empty file system of type fstype ("tmpfs", "ext2",
// "ext3" or "ext4") of size bytes under a
// directory of t.TempDir and returns the mount point. It is unmounted (and
// its loop device released) when the test ends, after the cleanups the test
// registers later; files opened in it must be closed by then. Where the
// system cannot mount it, Mount skips the test, or fails it when CI is set.
func Mount(t testing.TB, fstype string, size int64) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		cannot(t, "mounting a %s file system needs Linux", fstype)
	}
	if os.Geteuid() != 0 {
		cannot(t, "mounting a %s file system needs root", fstype)
	}
	dir := t.TempDir()
	mnt := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	var args []string
	switch fstype {
	case "tmpfs":
		args = []string{"-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", mnt}
	case "ext2", "ext3", "ext4":
		mkfs, err := exec.LookPath("mkfs." + fstype)
		if err != nil {
			cannot(t, "no mkfs.%s to make a %s image: %v", fstype, fstype, err)
		}
		img := filepath.Join(dir, fstype+".img")
		if err := os.WriteFile(img, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(img, size); err != nil {
			t.Fatal(err)
		}
		// -m 0: no blocks reserved for root, so root (who runs these
		// tests) sees the same free space and ENOSPC as anyone.
		if out, err := exec.Command(mkfs, "-q", "-F", "-m", "0", img).CombinedOutput(); err != nil {
			t.Fatalf("mkfs.%s %s: %v\n%s", fstype, img, err, out)
		}
		// -o loop sets up a loop device that is released on unmount.
		args = []string{"-t", fstype, "-o", "loop", img, mnt}
	default:
		t.Fatalf("loopfs: cannot make a %q file system", fstype)
	}
	if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
		cannot(t, "cannot mount a %s file system here: mount %s: %v\n%s", fstype, strings.Join(args, " "), err, out)
	}
	t.Cleanup(func() {
		out, err := exec.Command("umount", mnt).CombinedOutput()
		if err == nil {
			return
		}
		// Something still holds it (a file the test left open): detach it
		// now; the kernel finishes once the last user is gone.
		t.Errorf("umount %s: %v\n%s", mnt, err, out)
		if out, err := exec.Command("umount", "-l", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount -l %s: %v\n%s", mnt, err, out)
		}
	})
	return mnt
}

// cannot skips the test because this system cannot mount what it needs, or
// fails it when CI is set: there the tests of full and read-only disks must
// run.
func cannot(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format+" (CI is set: these tests must run; give the runner root and loop devices)", args...)
	}
	t.Skipf(format, args...)
}

// ReadOnly remounts the file system that Mount mounted at mnt read-only:
// nobody, root included, may then open its files for writing (EROFS).
func ReadOnly(t testing.TB, mnt string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
		t.Fatalf("mount -o remount,ro %s: %v\n%s", mnt, err, out)
	}
}

// Free returns the bytes available on the file system holding path
// (statfs's f_bavail; a file system from Mount reserves none for root).
func Free(t testing.TB, path string) int64 {
	t.Helper()
	return free(t, path)
}
