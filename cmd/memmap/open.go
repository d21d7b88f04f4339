package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-memmap/memmap/internal/regular"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npz"
)

// rawArgs are np.memmap's arguments for a raw file; dtype "" means the file
// is an .npy or .npz file.
type rawArgs struct {
	dtype  string
	shape  string
	offset int64
	order  string
}

func (r *rawArgs) register(fs *flag.FlagSet) {
	fs.StringVar(&r.dtype, "dtype", "", "raw file: the dtype descr, as in an .npy header ('<f8', '|u1', '<M8[ns]')")
	fs.StringVar(&r.shape, "shape", "", "raw file: the shape, comma-separated (default: 1-D, from the file size)")
	fs.Int64Var(&r.offset, "offset", 0, "raw file: the byte offset of the data")
	fs.StringVar(&r.order, "order", "C", "raw file: C (row-major) or F (column-major)")
}

// check refuses raw-file flags without --dtype and values np.memmap refuses.
func (r *rawArgs) check(fs *flag.FlagSet) error {
	var set []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "shape", "offset", "order":
			set = append(set, "--"+f.Name)
		}
	})
	if r.dtype == "" && len(set) > 0 {
		return fmt.Errorf("%s describe a raw file and need --dtype", strings.Join(set, ", "))
	}
	if r.order != "C" && r.order != "F" {
		return fmt.Errorf("--order: want C or F, not %q", r.order)
	}
	if r.offset < 0 {
		return fmt.Errorf("--offset: must not be negative, not %d", r.offset)
	}
	return nil
}

// parseShape reads "100,16", "(100, 16)" or "" (nil: inferred).
func parseShape(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if strings.TrimSpace(parts[len(parts)-1]) == "" { // "(3,)"
		parts = parts[:len(parts)-1]
	}
	shape := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("--shape: %q is not a list of non-negative integers", s)
		}
		shape[i] = n
	}
	return shape, nil
}

// openRaw maps path as np.memmap(path, dtype, "r", offset, shape, order).
func openRaw(path string, r rawArgs) (*mmarray.File, error) {
	shape, err := parseShape(r.shape)
	if err != nil {
		return nil, err
	}
	return mmarray.OpenRaw(path, mmarray.ReadOnly, r.dtype, shape, r.offset,
		mmarray.WithFortranOrder(r.order == "F"))
}

// zipMagic are the first bytes of a zip file: a local header, or the end
// of central directory record of an empty archive.
var zipMagic = [][]byte{[]byte("PK\x03\x04"), []byte("PK\x05\x06")}

// isArchive reports whether path is to be read as an .npz archive: its
// name ends in .npz, or it is a regular file that starts as a zip file does
// (regular.Open refuses anything else without waiting, so a named pipe
// cannot block us here, even one put in the file's place after a check).
func isArchive(path string) bool {
	if strings.EqualFold(strings.TrimPrefix(filepath.Ext(path), "."), "npz") {
		return true
	}
	f, err := regular.Open(path, os.O_RDONLY, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	var head [4]byte
	if _, err := f.ReadAt(head[:], 0); err != nil {
		return false
	}
	for _, m := range zipMagic {
		if bytes.Equal(head[:], m) {
			return true
		}
	}
	return false
}

// splitMember splits ARCHIVE.npz:NAME when no file has the whole name and
// ARCHIVE exists; ok is false otherwise.
func splitMember(arg string) (archive, member string, ok bool) {
	if _, err := os.Stat(arg); !errors.Is(err, fs.ErrNotExist) {
		return "", "", false
	}
	i := strings.LastIndexByte(arg, ':')
	if i <= 0 {
		return "", "", false
	}
	if _, err := os.Stat(arg[:i]); err != nil {
		return "", "", false
	}
	return arg[:i], arg[i+1:], true
}

// openArray maps the one array a command works on: a raw file when --dtype
// is given, a member named ARCHIVE.npz:NAME, or an .npy file. A whole archive
// is refused: it holds several arrays.
func openArray(cmd, path string, raw rawArgs) (*mmarray.File, error) {
	switch archive, member, isMember := splitMember(path); {
	case raw.dtype != "":
		return openRaw(path, raw)
	case isMember:
		return openMember(archive, member)
	case isArchive(path):
		return nil, fmt.Errorf("%s %s: an archive holds several arrays; name one as %s:NAME", cmd, path, path)
	default:
		return mmarray.Open(path, mmarray.ReadOnly)
	}
}

// openMember maps member name of the archive at path, read-only.
func openMember(path, name string) (*mmarray.File, error) {
	a, err := npz.Open(path, mmarray.ReadOnly)
	if err != nil {
		return nil, err
	}
	defer a.Close()     // the member's File outlives its Archive
	return a.Open(name) // its errors name the archive and the member
}
