// Package atomicfile writes a file so that its path never shows it partly
// written: the bytes go to a temporary file beside the path, which Commit
// syncs and renames onto the path, and Abort removes. An existing file at
// the path stays as it was until Commit replaces it whole: by a new file,
// so the old one's permissions and owner are not kept. A symbolic link at
// the path is followed (the file it names is replaced, the link stays;
// CreateNoFollow replaces the link itself instead); a
// path that is not a regular file (a device, a named pipe, a folder) is
// refused, since a rename would replace it rather than write into it.
//
// mmarray's Writer, text.SaveFile and cmd/memmap convert write through it.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/pagecache"
)

// File is a file being written under a temporary name, to be renamed onto
// its path by Commit or removed by Abort.
type File struct {
	temp *os.File
	path string
	done bool // Commit or Abort has run
}

// tries bounds the names Create tries: a clash of 64 random bits means
// something else is wrong.
const tries = 100

// Create creates the temporary file for path, in path's folder (a rename
// never crosses file systems), named ".BASE.tmp-RANDOM" so that it is
// hidden and tells what it was for. It gets the permissions a file created
// at path would get, 0666 less the umask, as os.Create and Python's open
// give (os.CreateTemp's 0600 would stay on the renamed file). When path is
// a symbolic link, the file it names is the one written. Errors: one
// wrapping memmap.ErrUnsupported when path exists and is not a regular
// file, else the system's, naming the temporary file.
func Create(path string) (*File, error) {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target // a new file (or a dangling link) stays path
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file, which a rename would replace", memmap.ErrUnsupported, path)
	}
	return createTemp(path)
}

// CreateNoFollow is Create, except that a symbolic link at path is not
// followed: Commit or Replace renames the new file onto the link itself,
// which goes, as Python's os.replace does. It is for files inside a
// folder that others may have written, such as a Zarr store, where a
// link must not carry a write to a file outside the folder. Anything else
// at path that is not a regular file is refused as Create refuses it.
func CreateNoFollow(path string) (*File, error) {
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() && st.Mode().Type() != fs.ModeSymlink {
		return nil, fmt.Errorf("%w: %s is not a regular file, which a rename would replace", memmap.ErrUnsupported, path)
	}
	return createTemp(path)
}

// createTemp creates the temporary file for path, beside it.
func createTemp(path string) (*File, error) {
	dir, base := filepath.Split(path)
	for range tries {
		name := filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := pagecache.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			return &File{temp: f, path: path}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("no free temporary name for %s after %d tries", path, tries)
}

// Temp is the temporary file, to write (and read, and truncate). Commit
// and Abort close it: do not close it otherwise.
func (f *File) Temp() *os.File { return f.temp }

// Path is the path Commit renames the file onto: the path given to
// Create, or the file its symbolic link names.
func (f *File) Path() string { return f.path }

// Commit makes the file's data durable (SyncData), closes it and renames
// it onto the path, then syncs the folder so that the rename is durable
// too. The folder sync is best effort: the file is complete and in place
// by then, so a folder that cannot be synced (some network and FUSE file
// systems, Windows) is no error; after a power failure the path may then
// show the old file. After an error the temporary file is removed and the
// path is as it was. Commit after Commit or Abort returns an error.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("commit %s: %w", f.path, fs.ErrClosed)
	}
	f.done = true
	name := f.temp.Name()
	err := errors.Join(SyncData(f.temp), f.temp.Close())
	if err == nil {
		err = os.Rename(name, f.path)
	}
	if err != nil {
		os.Remove(name)
		return err
	}
	syncFolder(filepath.Dir(f.path))
	return nil
}

// Replace closes the file and renames it onto the path without syncing
// anything: readers of the path see the old file or the new one whole, never
// part of one, but after a power failure the path may show either, or an
// empty file. It is for a file among many (a chunk of a Zarr store) whose
// durability the writer does not promise, as zarr-python's DirectoryStore
// does not. After an error the temporary file is removed; Replace after
// Commit, Replace or Abort returns an error.
func (f *File) Replace() error {
	if f.done {
		return fmt.Errorf("replace %s: %w", f.path, fs.ErrClosed)
	}
	f.done = true
	name := f.temp.Name()
	err := f.temp.Close()
	if err == nil {
		err = os.Rename(name, f.path)
	}
	if err != nil {
		os.Remove(name)
		return err
	}
	return nil
}

// Abort closes and removes the temporary file; the path is as it was.
// After Commit, Replace or Abort it does nothing and returns nil, so that a
// deferred Abort may follow a Commit.
func (f *File) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	err := f.temp.Close()
	if rerr := os.Remove(f.temp.Name()); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		err = errors.Join(err, rerr)
	}
	return err
}

// syncFolder is syncDir, replaced by a test to make it fail; its error is
// ignored (Commit's folder sync is best effort).
var syncFolder = syncDir
