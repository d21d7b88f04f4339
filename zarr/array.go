package zarr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/atomicfile"
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/internal/regular"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/zarr/codec"
)

// Array is a Zarr array (v2 or v3) in a directory store: its metadata,
// read once by Open or written by Create, and its chunks, read and written
// one at a time. Its methods are safe for concurrent use, but for SetAttrs
// beside Attrs; a chunk written while it is read is seen whole, old or
// new, never in part.
type Array struct {
	path  string
	l     layout
	attrs map[string]any
	// stored holds buffers for encoded chunks, reused across ReadChunk
	// and WriteChunk calls.
	stored sync.Pool
}

var _ compute.ChunkSource = (*Array)(nil)

// Open opens the Zarr array stored in the directory path (the folder that
// holds its .zarray, or its zarr.json for v3): a store's root, or a member
// of a group, as "data.zarr/member" or Group.Open. The metadata is read and
// checked whole here; no chunk is read.
//
// Errors wrap: the operating system's error when the metadata cannot be
// read (fs.ErrNotExist for a folder that is no array; it then also wraps
// ErrFormat); ErrFormat for metadata that is not valid Zarr;
// memmap.ErrUnsupported for what this package does not implement (filters,
// object dtypes, a codec package codec lacks, v3 extensions);
// memmap.ErrTooLarge for a chunk larger than MaxChunkBytes.
func Open(path string) (*Array, error) {
	a, err := open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return a, nil
}

func open(path string) (*Array, error) {
	data, err := readMetadataFile(filepath.Join(path, ".zarray"))
	if errors.Is(err, fs.ErrNotExist) {
		return openV3(path)
	}
	if err != nil {
		return nil, err
	}
	l, err := parseArrayMeta(data)
	if err != nil {
		return nil, err
	}
	attrs, err := readAttrs(path)
	if err != nil {
		return nil, err
	}
	return &Array{path: path, l: l, attrs: attrs}, nil
}

// openV3 opens the v3 array whose zarr.json is in path.
func openV3(path string) (*Array, error) {
	data, err := readMetadataFile(filepath.Join(path, "zarr.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no .zarray or zarr.json: %w", ErrFormat, err)
	}
	if err != nil {
		return nil, err
	}
	nodeType, l, attrs, err := parseV3Node(data)
	if err != nil {
		return nil, err
	}
	if nodeType != "array" {
		return nil, fmt.Errorf("%w: zarr.json describes a %s, not an array", ErrFormat, nodeType)
	}
	return &Array{path: path, l: l, attrs: attrs}, nil
}

// readMetadataFile reads a small JSON file of the store, refusing one
// larger than maxMetadataBytes before reading it, and anything but a
// regular file (memmap.ErrUnsupported) without waiting on a named pipe.
func readMetadataFile(path string) ([]byte, error) {
	f, err := regular.Open(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxMetadataBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxMetadataBytes {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrFormat, path, maxMetadataBytes)
	}
	return data, nil
}

// readAttrs reads the .zattrs of the node at path: nil when there is none.
func readAttrs(path string) (map[string]any, error) {
	data, err := readMetadataFile(filepath.Join(path, ".zattrs"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	attrs, err := parseAttrs(data)
	if err != nil {
		return nil, fmt.Errorf("%w: .zattrs: %v", ErrFormat, err)
	}
	return attrs, nil
}

// nonFiniteMark starts the strings quoteNonFinite puts in place of NaN,
// Infinity and -Infinity, for restoreNonFinite to turn back into floats.
const nonFiniteMark = "\x00zarr-non-finite:"

// parseAttrs decodes a .zattrs object. zarr-python writes NaN and the
// infinities as Python's json does, as the bare words NaN, Infinity and
// -Infinity, which are not JSON: when the text does not parse, those words
// outside strings are read as the floats they stand for.
func parseAttrs(data []byte) (map[string]any, error) {
	var attrs map[string]any
	err := json.Unmarshal(data, &attrs)
	if err == nil {
		return attrs, nil
	}
	quoted, found := quoteNonFinite(data)
	if !found {
		return nil, err
	}
	attrs = nil
	if err := json.Unmarshal(quoted, &attrs); err != nil {
		return nil, err
	}
	for k, v := range attrs {
		attrs[k] = restoreNonFinite(v)
	}
	return attrs, nil
}

// quoteNonFinite returns data with each NaN, Infinity and -Infinity
// outside a string replaced by a JSON string of nonFiniteMark and the word,
// and whether there was one.
func quoteNonFinite(data []byte) ([]byte, bool) {
	var out []byte
	found := false
	inString, escaped := false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			out = append(out, c)
			continue
		}
		if c == '"' {
			inString = true
		}
		word := ""
		for _, w := range []string{"NaN", "Infinity", "-Infinity"} {
			if bytes.HasPrefix(data[i:], []byte(w)) {
				word = w
			}
		}
		if word == "" {
			out = append(out, c)
			continue
		}
		found = true
		out = append(out, `"\u0000zarr-non-finite:`...) // nonFiniteMark in JSON
		out = append(out, word...)
		out = append(out, '"')
		i += len(word) - 1
	}
	return out, found
}

// restoreNonFinite turns the strings quoteNonFinite wrote in v, and in the
// lists and objects it holds, back into NaN and the infinities.
func restoreNonFinite(v any) any {
	switch v := v.(type) {
	case string:
		switch v {
		case nonFiniteMark + "NaN":
			return math.NaN()
		case nonFiniteMark + "Infinity":
			return math.Inf(1)
		case nonFiniteMark + "-Infinity":
			return math.Inf(-1)
		}
	case []any:
		for i, x := range v {
			v[i] = restoreNonFinite(x)
		}
	case map[string]any:
		for k, x := range v {
			v[k] = restoreNonFinite(x)
		}
	}
	return v
}

// writeMetadataFile writes a metadata file whole under a temporary name,
// synced (Commit): metadata is few files, and a store whose .zarray
// vanished would lose every chunk with it. A symbolic link at path is
// replaced, not written through, as zarr-python replaces it.
func writeMetadataFile(path string, data []byte) error {
	f, err := atomicfile.CreateNoFollow(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Temp().Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// Create makes a new Zarr array (v2, or v3 with WithFormat(3)) in the
// directory path, which must not exist or be an empty folder, with the
// given dtype descr (as npyheader parses it: "<f8", "|S5", a structured
// list), shape and chunk shape, and writes its metadata (v2: .zarray, and
// .zattrs when WithAttrs gives some; v3: zarr.json). No chunk is
// written: every chunk reads as the fill value until WriteChunk writes it.
// Options: WithFormat, WithCodec, WithFortranOrder,
// WithDimensionSeparator, WithFill, WithAttrs, WithDimensionNames.
//
// Errors wrap: fs.ErrExist when path holds something already; npyheader's
// sentinels for a bad descr; memmap.ErrUnsupported for an object dtype or
// one whose fields have titles (zarr's JSON has no room for them); for v3,
// a dtype or codec v3's core lacks;
// ErrFormat for a negative dimension or a non-positive chunk length;
// memmap.ErrTooLarge for a chunk larger than MaxChunkBytes; the operating
// system's error for the folder and files. A chunk shape of another rank
// than shape, or a WithFill of the wrong length, is misuse and panics
// with a *memmap.Misuse.
func Create(path string, descr string, shape, chunks []int, opts ...CreateOption) (*Array, error) {
	o := collect(opts, CreateOption.applyCreate)
	a, err := create(path, descr, shape, chunks, o)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return a, nil
}

func create(path string, descr string, shape, chunks []int, o options) (*Array, error) {
	if len(chunks) != len(shape) {
		misuse.Panicf("zarr: Create: chunks %v do not match the rank of shape %v", chunks, shape)
	}
	dt, err := npyheader.ParseDescr(descr)
	if err != nil {
		return nil, err
	}
	if dt.HasObject() {
		return nil, fmt.Errorf("%w: object dtypes are not stored", memmap.ErrUnsupported)
	}
	if hasTitles(dt) {
		return nil, fmt.Errorf("%w: dtype %s has field titles, which zarr's dtype JSON cannot hold", memmap.ErrUnsupported, dt)
	}
	l := layout{
		format: max(o.format, 2), shape: append([]int{}, shape...), chunks: append([]int{}, chunks...),
		dtype: dt, codec: o.codec, fortran: o.fortran, separator: o.separator,
		fill: make([]byte, dt.ItemSize), pipe: v2Pipeline(o.codec, o.fortran),
		dimNames: o.dimNames,
	}
	if o.hasFill {
		if o.fill != nil && len(o.fill) != dt.ItemSize {
			misuse.Panicf("zarr: WithFill of %d bytes for items of %d bytes (%s)", len(o.fill), dt.ItemSize, dt)
		}
		l.fill = o.fill
	}
	if o.dimNames != nil && (l.format != 3 || len(o.dimNames) != len(shape)) {
		misuse.Panicf("zarr: WithDimensionNames(%q) for format %d and %d axes: format 3 and one name per axis", o.dimNames, l.format, len(shape))
	}
	if l.separator == "" {
		l.separator = "."
		if l.format == 3 {
			l.separator = "/" // v3's default chunk key encoding's
		}
	}
	if l.format == 3 {
		l.keyPrefix = "c"
	}
	if err := l.check(); err != nil {
		return nil, err
	}
	var meta []byte
	if l.format == 3 {
		meta, err = encodeV3Array(l, o.attrs)
	} else {
		meta, err = encodeArrayMeta(l)
	}
	if err != nil {
		return nil, err
	}
	if err := makeEmptyDir(path); err != nil {
		return nil, err
	}
	if o.attrs != nil && l.format == 2 {
		if err := writeAttrs(path, o.attrs); err != nil {
			return nil, err
		}
	}
	if err := writeMetadataFile(filepath.Join(path, l.metadataName()), meta); err != nil {
		return nil, err
	}
	return &Array{path: path, l: l, attrs: o.attrs}, nil
}

// metadataName is the file that holds the array's metadata.
func (l *layout) metadataName() string {
	if l.format == 3 {
		return "zarr.json"
	}
	return ".zarray"
}

func hasTitles(dt npyheader.DType) bool {
	for _, f := range dt.Fields {
		if f.Title != "" || hasTitles(f.Type) {
			return true
		}
	}
	return false
}

// makeEmptyDir makes the folder path, or accepts an existing empty one.
func makeEmptyDir(path string) error {
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(path)), 0o777); err != nil {
		return err
	}
	err := os.Mkdir(path, 0o777)
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	entries, rerr := os.ReadDir(path)
	if rerr != nil || len(entries) > 0 {
		return err // the ErrExist
	}
	return nil
}

func writeAttrs(path string, attrs map[string]any) error {
	data, err := encodeJSON(attrs)
	if err != nil {
		return fmt.Errorf("%w: attributes: %w", memmap.ErrUnsupported, err)
	}
	return writeMetadataFile(filepath.Join(path, ".zattrs"), data)
}

// Path is the array's folder, as given to Open or Create.
func (a *Array) Path() string { return a.path }

// Shape is the array's shape (a copy).
func (a *Array) Shape() []int { return append([]int{}, a.l.shape...) }

// ChunkShape is the shape of every chunk (a copy); chunks at the array's
// far edges are stored whole too, their items past the edge holding the
// fill value.
func (a *Array) ChunkShape() []int { return append([]int{}, a.l.chunks...) }

// GridShape is the number of chunks along each axis.
func (a *Array) GridShape() []int { return append([]int{}, a.l.grid...) }

// Descr is the dtype as NumPy's descr text ("<f8", or a structured list as
// npyheader prints it).
func (a *Array) Descr() string { return a.l.dtype.String() }

// DType is the parsed dtype (a deep copy).
func (a *Array) DType() npyheader.DType { return a.l.dtype.Clone() }

// FortranOrder reports whether the items of each chunk are stored in
// Fortran order (zarr's order "F").
func (a *Array) FortranOrder() bool { return a.l.fortran }

// ZarrFormat is the array's Zarr format: 2 or 3.
func (a *Array) ZarrFormat() int { return a.l.format }

// DimensionNames is v3's dimension_names: one name per axis, "" for an
// unnamed one; nil when the array names none (always for v2).
func (a *Array) DimensionNames() []string {
	if a.l.dimNames == nil {
		return nil
	}
	return append([]string{}, a.l.dimNames...)
}

// DimensionSeparator is "." or "/", what joins a chunk key's indices.
func (a *Array) DimensionSeparator() string { return a.l.separator }

// FillValue is the fill value as the bytes of one item (a copy), or nil
// for zarr's null, which reads as zero bytes here (zarr-python leaves such
// items uninitialised).
func (a *Array) FillValue() []byte {
	if a.l.fill == nil {
		return nil
	}
	return append([]byte{}, a.l.fill...)
}

// Codec is the codec the chunks are compressed with (v2's compressor;
// in v3 the first bytes-to-bytes codec other than crc32c), nil when they
// are not compressed.
func (a *Array) Codec() codec.Codec { return a.l.codec }

// ChunkBytes is the number of bytes of one decoded chunk.
func (a *Array) ChunkBytes() int { return a.l.chunkBytes }

// Attrs is the array's .zattrs as read by Open or written by Create or
// SetAttrs (nil when there is none); the bare NaN, Infinity and -Infinity
// zarr-python writes there read as float64s. The map is the Array's own: do not
// change it.
func (a *Array) Attrs() map[string]any { return a.attrs }

// SetAttrs replaces the array's .zattrs with attrs, written whole under a
// temporary name. It is not safe to call concurrently with Attrs.
func (a *Array) SetAttrs(attrs map[string]any) error {
	var err error
	if a.l.format == 3 {
		var meta []byte
		if meta, err = encodeV3Array(a.l, attrs); err == nil {
			err = writeMetadataFile(filepath.Join(a.path, "zarr.json"), meta)
		}
	} else {
		err = writeAttrs(a.path, attrs)
	}
	if err != nil {
		return fmt.Errorf("set attributes of %s: %w", a.path, err)
	}
	a.attrs = attrs
	return nil
}

// Key is the store key of chunk idx, as zarr-python names its file: in
// v2 (and v3's "v2" chunk key encoding) the indices joined by the
// dimension separator ("0.1" or "0/1"), "0" for a 0-d array; in v3's
// default encoding "c" and the indices, each after the separator ("c/0/1",
// "c" for a 0-d array). It panics with a *memmap.Misuse unless idx lies in
// the grid.
func (a *Array) Key(idx []int) string {
	a.checkIndex(idx)
	var b strings.Builder
	b.WriteString(a.l.keyPrefix)
	if len(idx) == 0 && a.l.keyPrefix == "" {
		return "0"
	}
	for axis, i := range idx {
		if axis > 0 || a.l.keyPrefix != "" {
			b.WriteString(a.l.separator)
		}
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}

func (a *Array) checkIndex(idx []int) {
	if len(idx) != len(a.l.grid) {
		misuse.Panicf("zarr: chunk index %v for an array of rank %d", idx, len(a.l.grid))
	}
	for axis, i := range idx {
		if i < 0 || i >= a.l.grid[axis] {
			misuse.Panicf("zarr: chunk index %v outside the grid %v", idx, a.l.grid)
		}
	}
}

func (a *Array) chunkPath(idx []int) string {
	return filepath.Join(a.path, filepath.FromSlash(a.Key(idx)))
}

// maxStoredBytes bounds a stored chunk's size: no codec here expands what
// it encodes by more than a few bytes in a thousand plus a header, and a
// shard adds its index and the framing of each inner chunk
// (pipeline.maxEncoded), so a file larger than this is damage, refused
// before it is read into memory.
func (a *Array) maxStoredBytes() int64 {
	return a.l.pipe.maxEncoded(int64(a.l.chunkBytes), a.l.chunks) + 64<<10
}

// readStored reads the stored bytes of chunk idx into buf (grown when too
// small) and returns them; found is false for a missing chunk.
func (a *Array) readStored(idx []int, buf []byte) (stored []byte, found bool, err error) {
	// regular refuses a folder, a device or a named pipe (without
	// waiting for a writer) with memmap.ErrUnsupported: no chunk either.
	f, st, err := regular.OpenStat(a.chunkPath(idx), os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return buf[:0], false, nil
	}
	if errors.Is(err, memmap.ErrUnsupported) {
		return nil, false, fmt.Errorf("%w: chunk %s: %w", ErrFormat, a.Key(idx), err)
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	size := st.Size()
	if a.l.pipe.raw() && size != int64(a.l.chunkBytes) {
		return nil, false, fmt.Errorf("%w: chunk %s holds %d bytes, not the %d of an uncompressed chunk", ErrFormat, a.Key(idx), size, a.l.chunkBytes)
	}
	if size > a.maxStoredBytes() {
		return nil, false, fmt.Errorf("%w: chunk %s holds %d bytes, more than any encoding of a %d-byte chunk", ErrFormat, a.Key(idx), size, a.l.chunkBytes)
	}
	if int64(cap(buf)) < size {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	if _, err := io.ReadFull(f, buf); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: chunk %s was cut short while read: %w", ErrFormat, a.Key(idx), err)
		}
		return nil, false, err
	}
	return buf, true, nil
}

// ReadChunk returns the decoded bytes of chunk idx, ChunkBytes() of them
// in the chunk's order (C or Fortran, over the whole chunk shape), in dst
// when it has the capacity, else in a new slice. A missing chunk reads as
// the fill value. Errors wrap: ErrFormat for a chunk file of the wrong
// size (uncompressed) or too large for its codec; codec.ErrCorrupt (and
// ErrFormat) for one that does not decode; the operating system's error.
// An idx outside the grid is misuse and panics with a *memmap.Misuse.
func (a *Array) ReadChunk(idx []int, dst []byte) ([]byte, error) {
	a.checkIndex(idx)
	if cap(dst) < a.l.chunkBytes {
		dst = make([]byte, a.l.chunkBytes)
	}
	dst = dst[:a.l.chunkBytes]
	if a.l.pipe.raw() {
		_, found, err := a.readStored(idx, dst)
		if err != nil {
			return nil, fmt.Errorf("read chunk %s of %s: %w", a.Key(idx), a.path, err)
		}
		if !found {
			fillItems(dst, a.l.fill)
		}
		return dst, nil
	}
	bp := a.getBuffer()
	defer a.stored.Put(bp)
	dst, err := a.decodeInto(idx, dst, bp)
	if err != nil {
		return nil, fmt.Errorf("read chunk %s of %s: %w", a.Key(idx), a.path, err)
	}
	return dst, nil
}

func (a *Array) getBuffer() *[]byte {
	if bp, ok := a.stored.Get().(*[]byte); ok {
		return bp
	}
	return new([]byte)
}

// decodeInto reads chunk idx's stored bytes into *stored and decodes them
// into dst, of ChunkBytes length; a missing chunk fills dst.
func (a *Array) decodeInto(idx []int, dst []byte, stored *[]byte) ([]byte, error) {
	buf, found, err := a.readStored(idx, *stored)
	if err != nil {
		return nil, err
	}
	*stored = buf
	if !found {
		fillItems(dst, a.l.fill)
		return dst, nil
	}
	if err := a.l.pipe.decode(dst, buf, a.l.chunks, a.l.dtype.ItemSize, a.l.fill); err != nil {
		return nil, err
	}
	return dst, nil
}

// OpenChunk opens chunk idx as a read-only *mmarray.File of ChunkShape in
// the chunk's order, for compute.ChunkSource: an uncompressed chunk is its
// file mapped in place (mmarray.OpenRaw, no copy), a compressed one is
// decoded into s.Data (grown when too small; s.Stored holds its encoding
// meanwhile) and a missing one is the fill value in s.Data, both opened
// with mmarray.OpenRawBytes. Close the File before using s again. Errors
// are ReadChunk's; an uncompressed chunk file of the wrong size is
// refused before it is mapped.
func (a *Array) OpenChunk(idx []int, s *compute.ChunkScratch) (*mmarray.File, error) {
	a.checkIndex(idx)
	f, err := a.openChunk(idx, s)
	if err != nil {
		return nil, fmt.Errorf("open chunk %s of %s: %w", a.Key(idx), a.path, err)
	}
	return f, nil
}

func (a *Array) openChunk(idx []int, s *compute.ChunkScratch) (*mmarray.File, error) {
	name := a.chunkPath(idx)
	descr := a.l.dtype.String()
	order := mmarray.WithFortranOrder(a.l.fortran)
	if a.l.pipe.raw() {
		f, err := mmarray.OpenRaw(name, mmarray.ReadOnly, descr, a.l.chunks, 0, order)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// missing: the fill value, below
		case errors.Is(err, mmarray.ErrFileSize):
			return nil, fmt.Errorf("%w: %w", ErrFormat, err)
		case err != nil:
			return nil, err
		case f.FileSize() != int64(a.l.chunkBytes):
			f.Close()
			return nil, fmt.Errorf("%w: chunk holds %d bytes, not the %d of an uncompressed chunk", ErrFormat, f.FileSize(), a.l.chunkBytes)
		default:
			return f, nil
		}
	}
	if cap(s.Data) < a.l.chunkBytes {
		s.Data = make([]byte, a.l.chunkBytes)
	}
	data := s.Data[:a.l.chunkBytes]
	if a.l.pipe.raw() {
		fillItems(data, a.l.fill)
	} else {
		var err error
		if data, err = a.decodeInto(idx, data, &s.Stored); err != nil {
			return nil, err
		}
	}
	return mmarray.OpenRawBytes(name, data, mmarray.ReadOnly, descr, a.l.chunks, order)
}

// WriteChunk encodes data, the ChunkBytes() bytes of chunk idx in the
// chunk's order (items past the array's edge included: pad them with the
// fill value, as zarr-python does), and stores it under its key: written
// to a temporary file beside it and renamed, so that a reader sees the old
// chunk or the new one, never part of one (nothing is synced: a store is
// as durable as zarr-python's, not more). A symbolic link at the key is
// replaced by the new file, as zarr-python replaces it, never written
// through. Chunks are written whatever
// they hold, as zarr-python 2.13 does by default (write_empty_chunks).
// Distinct chunks may be written concurrently. Errors wrap the codec's or
// the operating system's. An idx outside the grid, or data of another
// length, is misuse and panics with a *memmap.Misuse.
func (a *Array) WriteChunk(idx []int, data []byte) error {
	a.checkIndex(idx)
	if len(data) != a.l.chunkBytes {
		misuse.Panicf("zarr: WriteChunk of %d bytes for a chunk of %d", len(data), a.l.chunkBytes)
	}
	bp := a.getBuffer()
	defer a.stored.Put(bp)
	if err := a.writeChunk(idx, data, bp); err != nil {
		return fmt.Errorf("write chunk %s of %s: %w", a.Key(idx), a.path, err)
	}
	return nil
}

func (a *Array) writeChunk(idx []int, data []byte, buf *[]byte) error {
	stored, err := a.l.pipe.encode(buf, data, a.l.dtype.ItemSize)
	if err != nil {
		return err
	}
	return a.writeStored(idx, stored)
}

// writeStored writes a chunk's stored bytes as writeChunk does.
func (a *Array) writeStored(idx []int, stored []byte) error {
	path := a.chunkPath(idx)
	if a.l.separator == "/" && len(idx)+len(a.l.keyPrefix) > 1 {
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			return err
		}
	}
	f, err := atomicfile.CreateNoFollow(path)
	if err != nil {
		return err
	}
	if _, err := f.Temp().Write(stored); err != nil {
		f.Abort()
		return err
	}
	return f.Replace()
}
