package zarr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/zarr/codec"
)

// MaxChunkBytes is the largest chunk, in decoded bytes, this package reads
// or writes: a chunk is decoded whole into memory, so metadata claiming a
// larger one is refused before anything is allocated (zarr-python's own
// chunks are limited to 2 GiB by its codecs).
const MaxChunkBytes int64 = 1 << 31

// maxRank bounds the number of dimensions, as NumPy's NPY_MAXDIMS.
const maxRank = 32

// maxMetadataBytes bounds what is read of a .zarray, .zgroup or .zattrs
// file, so that a huge file is refused rather than read into memory.
const maxMetadataBytes = 64 << 20

// arrayMeta is the JSON of a v2 .zarray, as zarr-python writes it.
type arrayMeta struct {
	ZarrFormat         int             `json:"zarr_format"`
	Shape              []int64         `json:"shape"`
	Chunks             []int64         `json:"chunks"`
	DType              json.RawMessage `json:"dtype"`
	Compressor         map[string]any  `json:"compressor"`
	FillValue          json.RawMessage `json:"fill_value"`
	Order              string          `json:"order"`
	Filters            json.RawMessage `json:"filters"`
	DimensionSeparator string          `json:"dimension_separator,omitempty"`
}

// layout is everything an array's metadata says, checked: what Open reads
// from a .zarray and what Create writes into one.
type layout struct {
	format        int // 2 or 3
	shape, chunks []int
	dtype         npyheader.DType
	codec         codec.Codec // the compressor (v3: the first bytes->bytes codec); nil for none
	pipe          pipeline
	fill          []byte // one element; nil for fill_value null
	fortran       bool   // chunks stored in Fortran order (pipe.fortran)
	separator     string // "." or "/"
	keyPrefix     string // "c" for v3's default chunk key encoding, else ""
	dimNames      []string
	chunkBytes    int   // the decoded bytes of one chunk
	grid          []int // chunks along each axis
}

// parseArrayMeta reads and checks the JSON of a .zarray.
func parseArrayMeta(data []byte) (layout, error) {
	var m arrayMeta
	if err := json.Unmarshal(data, &m); err != nil { // text after the object too
		return layout{}, fmt.Errorf("%w: .zarray: %v", ErrFormat, err)
	}
	if m.ZarrFormat != 2 {
		return layout{}, fmt.Errorf("%w: .zarray: zarr_format %d, not 2", ErrFormat, m.ZarrFormat)
	}
	if m.Shape == nil || m.Chunks == nil || m.DType == nil || m.Order == "" {
		return layout{}, fmt.Errorf("%w: .zarray: shape, chunks, dtype and order are required", ErrFormat)
	}
	l := layout{format: 2}
	var err error
	if l.dtype, err = parseDType(m.DType); err != nil {
		return layout{}, fmt.Errorf(".zarray: %w", err)
	}
	if l.shape, err = dims("shape", m.Shape, 0); err != nil {
		return layout{}, err
	}
	if l.chunks, err = dims("chunks", m.Chunks, 1); err != nil {
		return layout{}, err
	}
	switch m.Order {
	case "C":
	case "F":
		l.fortran = true
	default:
		return layout{}, fmt.Errorf("%w: .zarray: order %q is neither \"C\" nor \"F\"", ErrFormat, m.Order)
	}
	if f := bytes.TrimSpace(m.Filters); len(f) > 0 && string(f) != "null" && string(f) != "[]" {
		return layout{}, fmt.Errorf(".zarray: filters %s: %w: filters are not implemented", f, memmap.ErrUnsupported)
	}
	switch m.DimensionSeparator {
	case "", ".":
		l.separator = "."
	case "/":
		l.separator = "/"
	default:
		return layout{}, fmt.Errorf("%w: .zarray: dimension_separator %q is neither \".\" nor \"/\"", ErrFormat, m.DimensionSeparator)
	}
	if m.Compressor != nil {
		if l.codec, err = codec.FromConfig(m.Compressor); err != nil {
			return layout{}, fmt.Errorf(".zarray: compressor: %w", err)
		}
	}
	l.pipe = v2Pipeline(l.codec, l.fortran)
	// The sizes first: the fill value is an item, allocated once the item
	// is known to fit a chunk within MaxChunkBytes.
	if err := l.check(); err != nil {
		return layout{}, fmt.Errorf(".zarray: %w", err)
	}
	if l.fill, err = parseFill(m.FillValue, l.dtype); err != nil {
		return layout{}, fmt.Errorf(".zarray: %w", err)
	}
	return l, nil
}

// v2Pipeline is a v2 array's pipeline: its compressor, if any.
func v2Pipeline(c codec.Codec, fortran bool) pipeline {
	p := pipeline{fortran: fortran}
	if c != nil {
		p.codecs = []codec.Codec{c}
	}
	return p
}

// dims converts a JSON shape to ints, each at least least.
func dims(name string, v []int64, least int64) ([]int, error) {
	if len(v) > maxRank {
		return nil, fmt.Errorf("%w: .zarray: %s has %d dimensions, more than %d", ErrFormat, name, len(v), maxRank)
	}
	out := make([]int, len(v))
	for i, n := range v {
		if n < least {
			return nil, fmt.Errorf("%w: .zarray: %s %v: dimension %d is out of range", ErrFormat, name, v, i)
		}
		if n > math.MaxInt32 && int64(int(n)) != n { // valid, but not on a 32-bit platform
			return nil, fmt.Errorf("%w: .zarray: %s %v: dimension %d does not fit an int", memmap.ErrTooLarge, name, v, i)
		}
		out[i] = int(n)
	}
	return out, nil
}

// check validates the layout's sizes and fills in chunkBytes and grid: the
// chunk shape matches the rank, one chunk's bytes fit MaxChunkBytes, and
// the number of chunks fits an int.
func (l *layout) check() error {
	if len(l.chunks) != len(l.shape) {
		return fmt.Errorf("%w: chunks %v do not match the rank of shape %v", ErrFormat, l.chunks, l.shape)
	}
	if len(l.fill) != 0 && len(l.fill) != l.dtype.ItemSize {
		return fmt.Errorf("%w: a fill value of %d bytes for items of %d", ErrFormat, len(l.fill), l.dtype.ItemSize)
	}
	nbytes := int64(l.dtype.ItemSize)
	count := int64(1)
	l.grid = make([]int, len(l.shape))
	for i, c := range l.chunks {
		if c < 1 {
			return fmt.Errorf("%w: chunks %v: dimension %d is not positive", ErrFormat, l.chunks, i)
		}
		if l.shape[i] < 0 {
			return fmt.Errorf("%w: shape %v: dimension %d is negative", ErrFormat, l.shape, i)
		}
		if nbytes > 0 && int64(c) > MaxChunkBytes/nbytes {
			return fmt.Errorf("%w: chunks %v of %d-byte items: a chunk is larger than %d bytes", memmap.ErrTooLarge, l.chunks, l.dtype.ItemSize, int64(MaxChunkBytes))
		}
		if nbytes > 0 {
			nbytes *= int64(c)
		}
		l.grid[i] = l.shape[i] / c
		if l.shape[i]%c != 0 {
			l.grid[i]++ // a partial chunk at the edge
		}
		if l.grid[i] > 0 && count > math.MaxInt/int64(l.grid[i]) {
			return fmt.Errorf("%w: shape %v in chunks %v: too many chunks", memmap.ErrTooLarge, l.shape, l.chunks)
		}
		count *= int64(l.grid[i])
	}
	if nbytes > MaxChunkBytes || nbytes > math.MaxInt {
		return fmt.Errorf("%w: chunks %v of %d-byte items: a chunk is larger than %d bytes", memmap.ErrTooLarge, l.chunks, l.dtype.ItemSize, int64(MaxChunkBytes))
	}
	l.chunkBytes = int(nbytes)
	return nil
}

// encodeArrayMeta is the .zarray of l, as zarr-python writes it: sorted
// keys, four spaces of indent.
func encodeArrayMeta(l layout) ([]byte, error) {
	fill, err := fillJSON(l.fill, l.dtype)
	if err != nil {
		return nil, err
	}
	var compressor map[string]any
	if l.codec != nil {
		compressor = l.codec.Config()
	}
	order := "C"
	if l.fortran {
		order = "F"
	}
	m := map[string]any{
		"zarr_format":         2,
		"shape":               nonNil(l.shape),
		"chunks":              nonNil(l.chunks),
		"dtype":               dtypeJSON(l.dtype),
		"compressor":          compressor,
		"fill_value":          fill,
		"order":               order,
		"filters":             nil,
		"dimension_separator": l.separator,
	}
	return encodeJSON(m)
}

func nonNil(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

// encodeJSON writes v as zarr-python's json_dumps does: keys sorted, an
// indent of four spaces, no final newline, and only ASCII (ensure_ascii:
// zarr-python decodes metadata as ASCII, so a non-ASCII character is
// written as a \u escape, as a UTF-16 surrogate pair beyond U+FFFF).
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	text := bytes.TrimRight(b.Bytes(), "\n")
	// Non-ASCII bytes occur only inside JSON strings, where an escape
	// stands for the same character.
	var out []byte
	for i, r := range string(text) {
		if r < utf8.RuneSelf {
			if out != nil {
				out = append(out, byte(r))
			}
			continue
		}
		if out == nil {
			out = append(make([]byte, 0, len(text)+64), text[:i]...)
		}
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			out = fmt.Appendf(out, "\\u%04x\\u%04x", r1, r2)
		} else {
			out = fmt.Appendf(out, "\\u%04x", r)
		}
	}
	if out == nil {
		return text, nil
	}
	return out, nil
}
