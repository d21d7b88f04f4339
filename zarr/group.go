package zarr

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Group is a Zarr v2 group in a directory store: a folder with a .zgroup,
// whose members are arrays and groups in subfolders. A consolidated
// .zmetadata, where a store has one, is not read: members are found by
// listing the folder, and each is read from its own files.
type Group struct {
	path  string
	attrs map[string]any
}

// groupMeta is the JSON of a .zgroup.
type groupMeta struct {
	ZarrFormat int `json:"zarr_format"`
}

// OpenGroup opens the group stored in the folder path. Errors wrap the
// operating system's error for a missing .zgroup (then ErrFormat too) and
// ErrFormat for one that is not valid.
func OpenGroup(path string) (*Group, error) {
	data, err := readMetadataFile(filepath.Join(path, ".zgroup"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open group %s: %w: no .zgroup: %w", path, ErrFormat, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open group %s: %w", path, err)
	}
	var m groupMeta
	if err := json.Unmarshal(data, &m); err != nil || m.ZarrFormat != 2 {
		return nil, fmt.Errorf("open group %s: %w: .zgroup is not a zarr_format 2 group", path, ErrFormat)
	}
	attrs, err := readAttrs(path)
	if err != nil {
		return nil, fmt.Errorf("open group %s: %w", path, err)
	}
	return &Group{path: path, attrs: attrs}, nil
}

// CreateGroup makes a new group in the folder path, which must not exist
// or be an empty folder (fs.ErrExist otherwise), with attrs in its .zattrs
// when attrs is not nil.
func CreateGroup(path string, attrs map[string]any) (*Group, error) {
	if err := createGroup(path, attrs); err != nil {
		return nil, fmt.Errorf("create group %s: %w", path, err)
	}
	return &Group{path: path, attrs: attrs}, nil
}

func createGroup(path string, attrs map[string]any) error {
	if err := makeEmptyDir(path); err != nil {
		return err
	}
	if attrs != nil {
		if err := writeAttrs(path, attrs); err != nil {
			return err
		}
	}
	meta, err := encodeJSON(map[string]any{"zarr_format": 2})
	if err != nil {
		return err
	}
	return writeMetadataFile(filepath.Join(path, ".zgroup"), meta)
}

// Path is the group's folder.
func (g *Group) Path() string { return g.path }

// Attrs is the group's .zattrs (nil when there is none); do not change it.
func (g *Group) Attrs() map[string]any { return g.attrs }

// Members lists the names of the group's arrays and of its groups, each
// sorted: the subfolders with a .zarray, and those with a .zgroup.
func (g *Group) Members() (arrays, groups []string, err error) {
	entries, err := os.ReadDir(g.path)
	if err != nil {
		return nil, nil, fmt.Errorf("list group %s: %w", g.path, err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(g.path, e.Name())
		if isFile(filepath.Join(dir, ".zarray")) {
			arrays = append(arrays, e.Name())
		} else if isFile(filepath.Join(dir, ".zgroup")) {
			groups = append(groups, e.Name())
		}
	}
	sort.Strings(arrays)
	sort.Strings(groups)
	return arrays, groups, nil
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// Open opens the member array name (a path relative to the group, "a" or
// "sub/a"), as Open(filepath.Join(g.Path(), name)) does.
func (g *Group) Open(name string) (*Array, error) {
	return Open(filepath.Join(g.path, filepath.FromSlash(name)))
}

// Group opens the member group name, as OpenGroup does.
func (g *Group) Group(name string) (*Group, error) {
	return OpenGroup(filepath.Join(g.path, filepath.FromSlash(name)))
}

// Create makes the member array name, as Create does in the group's
// folder.
func (g *Group) Create(name, descr string, shape, chunks []int, opts ...CreateOption) (*Array, error) {
	return Create(filepath.Join(g.path, filepath.FromSlash(name)), descr, shape, chunks, opts...)
}
