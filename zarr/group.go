package zarr

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Group is a Zarr group in a directory store: a folder with a .zgroup
// (v2) or a zarr.json of node_type "group" (v3), whose members are arrays
// and groups in subfolders. A consolidated
// .zmetadata, where a store has one, is not read: members are found by
// listing the folder, and each is read from its own files.
type Group struct {
	path   string
	attrs  map[string]any
	format int
}

// groupMeta is the JSON of a .zgroup.
type groupMeta struct {
	ZarrFormat int `json:"zarr_format"`
}

// OpenGroup opens the group stored in the folder path: a v2 group (.zgroup)
// or a v3 one (zarr.json of node_type "group"). Errors wrap the operating
// system's error for a folder with neither (then ErrFormat too) and
// ErrFormat for metadata that is not valid.
func OpenGroup(path string) (*Group, error) {
	g, err := openGroup(path)
	if err != nil {
		return nil, fmt.Errorf("open group %s: %w", path, err)
	}
	return g, nil
}

func openGroup(path string) (*Group, error) {
	data, err := readMetadataFile(filepath.Join(path, ".zgroup"))
	if errors.Is(err, fs.ErrNotExist) {
		return openGroupV3(path)
	}
	if err != nil {
		return nil, err
	}
	var m groupMeta
	if err := json.Unmarshal(data, &m); err != nil || m.ZarrFormat != 2 {
		return nil, fmt.Errorf("%w: .zgroup is not a zarr_format 2 group", ErrFormat)
	}
	attrs, err := readAttrs(path)
	if err != nil {
		return nil, err
	}
	return &Group{path: path, attrs: attrs, format: 2}, nil
}

func openGroupV3(path string) (*Group, error) {
	data, err := readMetadataFile(filepath.Join(path, "zarr.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no .zgroup or zarr.json: %w", ErrFormat, err)
	}
	if err != nil {
		return nil, err
	}
	nodeType, _, attrs, err := parseV3Node(data)
	if err != nil {
		return nil, err
	}
	if nodeType != "group" {
		return nil, fmt.Errorf("%w: zarr.json describes an %s, not a group", ErrFormat, nodeType)
	}
	return &Group{path: path, attrs: attrs, format: 3}, nil
}

// CreateGroup makes a new group in the folder path, which must not exist
// or be an empty folder (fs.ErrExist otherwise), with attrs as its
// attributes when attrs is not nil. Options: WithFormat (2 by default).
func CreateGroup(path string, attrs map[string]any, opts ...GroupOption) (*Group, error) {
	o := collect(opts, GroupOption.applyGroup)
	format := max(o.format, 2)
	if err := createGroup(path, attrs, format); err != nil {
		return nil, fmt.Errorf("create group %s: %w", path, err)
	}
	return &Group{path: path, attrs: attrs, format: format}, nil
}

func createGroup(path string, attrs map[string]any, format int) error {
	doc := map[string]any{"zarr_format": format}
	name := ".zgroup"
	if format == 3 {
		doc["node_type"], name = "group", "zarr.json"
		if attrs != nil {
			doc["attributes"] = attrs
		}
	}
	meta, err := encodeJSON(doc)
	if err != nil {
		return err
	}
	if err := makeEmptyDir(path); err != nil {
		return err
	}
	if attrs != nil && format == 2 {
		if err := writeAttrs(path, attrs); err != nil {
			return err
		}
	}
	return writeMetadataFile(filepath.Join(path, name), meta)
}

// Path is the group's folder.
func (g *Group) Path() string { return g.path }

// Attrs is the group's .zattrs (nil when there is none); do not change it.
func (g *Group) Attrs() map[string]any { return g.attrs }

// Members lists the names of the group's arrays and of its groups, each
// sorted: the subfolders with a .zarray or an array's zarr.json, and those
// with a .zgroup or a group's zarr.json; links to folders count as
// subfolders, as in zarr-python.
func (g *Group) Members() (arrays, groups []string, err error) {
	entries, err := os.ReadDir(g.path)
	if err != nil {
		return nil, nil, fmt.Errorf("list group %s: %w", g.path, err)
	}
	for _, e := range entries {
		// A link is followed, as zarr-python's listing follows it (to a
		// folder or not: nodeType finds no node in what is not one).
		if !e.IsDir() && e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		switch nodeType(filepath.Join(g.path, e.Name())) {
		case "array":
			arrays = append(arrays, e.Name())
		case "group":
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

// nodeType is "array" or "group" for a folder holding one, in v2 or v3,
// else "".
func nodeType(dir string) string {
	switch {
	case isFile(filepath.Join(dir, ".zarray")):
		return "array"
	case isFile(filepath.Join(dir, ".zgroup")):
		return "group"
	}
	data, err := readMetadataFile(filepath.Join(dir, "zarr.json"))
	if err != nil {
		return ""
	}
	var doc struct {
		NodeType string `json:"node_type"`
	}
	if json.Unmarshal(data, &doc) != nil {
		return ""
	}
	return doc.NodeType
}

// ZarrFormat is the group's Zarr format: 2 or 3.
func (g *Group) ZarrFormat() int { return g.format }

// Open opens the member array name (a path relative to the group, "a" or
// "sub/a"), as Open(filepath.Join(g.Path(), name)) does. A name is read as
// zarr-python reads it: slashes at its ends and repeated ones are dropped,
// and a name with a "." or ".." segment, or none at all, is refused with an
// error wrapping fs.ErrInvalid, so that no name reaches outside the group.
func (g *Group) Open(name string) (*Array, error) {
	path, err := g.memberPath("open", name)
	if err != nil {
		return nil, err
	}
	return Open(path)
}

// Group opens the member group name, as OpenGroup does; names are read
// as Open reads them.
func (g *Group) Group(name string) (*Group, error) {
	path, err := g.memberPath("open group", name)
	if err != nil {
		return nil, err
	}
	return OpenGroup(path)
}

// Create makes the member array name, as Create does in the group's
// folder (in the group's format unless WithFormat says otherwise); names
// are read as Open reads them.
func (g *Group) Create(name, descr string, shape, chunks []int, opts ...CreateOption) (*Array, error) {
	path, err := g.memberPath("create", name)
	if err != nil {
		return nil, err
	}
	opts = append([]CreateOption{WithFormat(g.format)}, opts...)
	return Create(path, descr, shape, chunks, opts...)
}

// memberPath is the folder of the member name, as zarr-python's
// normalize_storage_path reads the name: segments split at "/" (and at the
// system's separator), empty ones dropped, "." and ".." refused.
func (g *Group) memberPath(op, name string) (string, error) {
	segments := strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == filepath.Separator })
	for _, s := range segments {
		if s == "." || s == ".." {
			segments = nil
			break
		}
	}
	if len(segments) == 0 {
		return "", fmt.Errorf("%s member %q of %s: %w: a member name has segments, none of them \".\" or \"..\"", op, name, g.path, fs.ErrInvalid)
	}
	return filepath.Join(append([]string{g.path}, segments...)...), nil
}
