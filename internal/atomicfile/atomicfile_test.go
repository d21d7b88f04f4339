package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
)

// requireOnly requires dir to hold exactly the names given: no temporary
// file left behind.
func requireOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	require.ElementsMatch(t, names, got)
}

// TestCommit writes a new file and replaces an existing one: the path
// shows nothing, or the old content, until Commit, then the new content
// with a new file's permissions.
func TestCommit(t *testing.T) {
	t.Parallel()
	for _, existing := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.txt")
		if existing {
			require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
		}
		f, err := Create(path)
		require.NoError(t, err)
		require.Equal(t, path, f.Path())
		require.Equal(t, dir, filepath.Dir(f.Temp().Name()))
		require.True(t, strings.HasPrefix(filepath.Base(f.Temp().Name()), ".out.txt.tmp-"), f.Temp().Name())
		_, err = f.Temp().WriteString("new content")
		require.NoError(t, err)
		if existing {
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, "old", string(got), "the old file stays until Commit")
		} else {
			_, err := os.Stat(path)
			require.ErrorIs(t, err, fs.ErrNotExist, "nothing at the path until Commit")
		}
		require.NoError(t, f.Commit())
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, "new content", string(got))
		requireOnly(t, dir, "out.txt")

		// The permissions of a file os.Create makes (0666 less the umask).
		plain := filepath.Join(t.TempDir(), "plain")
		pf, err := os.Create(plain)
		require.NoError(t, err)
		require.NoError(t, pf.Close())
		want, err := os.Stat(plain)
		require.NoError(t, err)
		st, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, want.Mode().Perm(), st.Mode().Perm())

		require.NoError(t, f.Abort(), "Abort after Commit does nothing")
		require.ErrorIs(t, f.Commit(), fs.ErrClosed)
		got, err = os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, "new content", string(got))
	}
}

// TestAbort checks that Abort removes the temporary file and leaves the
// path as it was.
func TestAbort(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "kept.npy")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	f, err := Create(path)
	require.NoError(t, err)
	_, err = f.Temp().WriteString("partial")
	require.NoError(t, err)
	require.NoError(t, f.Abort())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "old", string(got))
	requireOnly(t, dir, "kept.npy")
	require.NoError(t, f.Abort())
	require.ErrorIs(t, f.Commit(), fs.ErrClosed)
	requireOnly(t, dir, "kept.npy")
}

// TestErrors checks a missing folder and a rename that fails (a folder
// that is not empty appeared at the path meanwhile): the temporary file is
// removed.
func TestErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := Create(filepath.Join(dir, "no", "such.txt"))
	require.ErrorIs(t, err, fs.ErrNotExist)

	busy := filepath.Join(dir, "busy")
	f, err := Create(busy)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(busy, "inside"), 0o755))
	require.Error(t, f.Commit())
	requireOnly(t, dir, "busy")
}

// TestCommitFolderSyncBestEffort makes the folder sync fail: the file is
// complete and in place, so Commit succeeds. Not parallel: it replaces
// syncFolder for the package while the parallel tests wait.
func TestCommitFolderSyncBestEffort(t *testing.T) {
	synced := false
	syncFolder = func(string) error { synced = true; return errors.New("injected folder sync failure") }
	t.Cleanup(func() { syncFolder = syncDir })
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	f, err := Create(path)
	require.NoError(t, err)
	_, err = f.Temp().Write([]byte{1, 2, 3})
	require.NoError(t, err)
	require.NoError(t, f.Commit())
	require.True(t, synced, "Commit tried to sync the folder")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, []byte{1, 2, 3}, got)
	requireOnly(t, dir, "out.bin")
}

// TestSymlinkAndSpecialFiles checks that a symbolic link is followed (the
// file it names is replaced, the link stays) and that what is not a
// regular file is refused, not replaced.
func TestSymlinkAndSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "target.txt")
	require.NoError(t, os.WriteFile(target, []byte("old"), 0o644))
	link := filepath.Join(dir, "link.txt")
	require.NoError(t, os.Symlink("target.txt", link))
	f, err := Create(link)
	require.NoError(t, err)
	require.Equal(t, target, f.Path())
	_, err = f.Temp().WriteString("new")
	require.NoError(t, err)
	require.NoError(t, f.Commit())
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	require.Equal(t, "new", string(got))
	st, err := os.Lstat(link)
	require.NoError(t, err)
	require.Equal(t, fs.ModeSymlink, st.Mode().Type(), "the link stays a link")
	requireOnly(t, dir, "target.txt", "link.txt")

	folder := filepath.Join(dir, "folder")
	require.NoError(t, os.Mkdir(folder, 0o755))
	for _, path := range []string{folder, os.DevNull} {
		_, err := Create(path)
		require.ErrorIs(t, err, memmap.ErrUnsupported, path)
	}
	requireOnly(t, dir, "target.txt", "link.txt", "folder")
}

// CreateNoFollow replaces a symbolic link at the path by the new file,
// leaving the file it named as it was, and refuses what Create refuses.
func TestCreateNoFollow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "target.txt")
	require.NoError(t, os.WriteFile(target, []byte("old"), 0o644))
	link := filepath.Join(dir, "link.txt")
	require.NoError(t, os.Symlink("target.txt", link))
	f, err := CreateNoFollow(link)
	require.NoError(t, err)
	require.Equal(t, link, f.Path())
	_, err = f.Temp().WriteString("new")
	require.NoError(t, err)
	require.NoError(t, f.Replace())
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	require.Equal(t, "old", string(got), "the link's target is untouched")
	st, err := os.Lstat(link)
	require.NoError(t, err)
	require.True(t, st.Mode().IsRegular(), "the link is replaced by a file")
	got, err = os.ReadFile(link)
	require.NoError(t, err)
	require.Equal(t, "new", string(got))
	requireOnly(t, dir, "target.txt", "link.txt")

	folder := filepath.Join(dir, "folder")
	require.NoError(t, os.Mkdir(folder, 0o755))
	for _, path := range []string{folder, os.DevNull} {
		_, err := CreateNoFollow(path)
		require.ErrorIs(t, err, memmap.ErrUnsupported, path)
	}
	requireOnly(t, dir, "target.txt", "link.txt", "folder")
}

// Replace puts the new content at the path, replacing an old file, with
// no temporary file left; a second Replace (or Commit) is refused, and an
// Abort after it does nothing.
func TestReplace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "0.0")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
	f, err := Create(path)
	require.NoError(t, err)
	_, err = f.Temp().WriteString("chunk")
	require.NoError(t, err)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "old", string(got), "the old file stays until Replace")
	require.NoError(t, f.Replace())
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "chunk", string(got))
	requireOnly(t, dir, "0.0")
	require.ErrorIs(t, f.Replace(), fs.ErrClosed)
	require.ErrorIs(t, f.Commit(), fs.ErrClosed)
	require.NoError(t, f.Abort())
}
