package zarr

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/zarr/codec"
)

// Zarr v3 keeps an array's metadata in zarr.json: "data_type" names the
// item type without its byte order, which the "bytes" codec gives; the
// "codecs" list replaces v2's order, filters and compressor; chunk keys
// start with "c" by default. Its core data types are the numbers and bool
// ("r<N>" raw bytes too, as V items); NumPy's strings, datetimes and
// structured types have no core v3 form.

// v3DataTypes maps v3's core data type names to NumPy's kind and item
// size.
var v3DataTypes = map[string]struct {
	kind npyheader.Kind
	size int
}{
	"bool": {npyheader.Bool, 1}, "int8": {npyheader.Int, 1}, "int16": {npyheader.Int, 2},
	"int32": {npyheader.Int, 4}, "int64": {npyheader.Int, 8}, "uint8": {npyheader.Uint, 1},
	"uint16": {npyheader.Uint, 2}, "uint32": {npyheader.Uint, 4}, "uint64": {npyheader.Uint, 8},
	"float16": {npyheader.Float, 2}, "float32": {npyheader.Float, 4}, "float64": {npyheader.Float, 8},
	"complex64": {npyheader.Complex, 8}, "complex128": {npyheader.Complex, 16},
}

// v3Extension is an extension point's value: a short-hand name or an
// object with a name, a configuration and must_understand.
type v3Extension struct {
	Name           string
	Configuration  map[string]any
	MustUnderstand bool
}

func parseExtension(raw json.RawMessage, what string) (v3Extension, error) {
	var name string
	if err := json.Unmarshal(raw, &name); err == nil {
		return v3Extension{Name: name, MustUnderstand: true}, nil
	}
	var obj struct {
		Name           *string        `json:"name"`
		Configuration  map[string]any `json:"configuration"`
		MustUnderstand *bool          `json:"must_understand"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil || obj.Name == nil {
		return v3Extension{}, fmt.Errorf("%w: %s %s is neither a name nor an object with a name", ErrFormat, what, raw)
	}
	e := v3Extension{Name: *obj.Name, Configuration: obj.Configuration, MustUnderstand: true}
	if obj.MustUnderstand != nil {
		e.MustUnderstand = *obj.MustUnderstand
	}
	return e, nil
}

// v3Array is zarr.json's fields for an array.
var v3ArrayKeys = map[string]bool{
	"zarr_format": true, "node_type": true, "shape": true, "data_type": true, "chunk_grid": true,
	"chunk_key_encoding": true, "fill_value": true, "codecs": true, "attributes": true,
	"storage_transformers": true, "dimension_names": true,
}

// parseV3Node reads a zarr.json: its node type ("array" or "group"), and
// for an array its layout; attributes for both.
func parseV3Node(data []byte) (nodeType string, l layout, attrs map[string]any, err error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return "", layout{}, nil, fmt.Errorf("%w: zarr.json: %v", ErrFormat, err)
	}
	var format int
	if err := json.Unmarshal(doc["zarr_format"], &format); err != nil || format != 3 {
		return "", layout{}, nil, fmt.Errorf("%w: zarr.json: zarr_format %s, not 3", ErrFormat, doc["zarr_format"])
	}
	if err := json.Unmarshal(doc["node_type"], &nodeType); err != nil || (nodeType != "array" && nodeType != "group") {
		return "", layout{}, nil, fmt.Errorf("%w: zarr.json: node_type %s is neither \"array\" nor \"group\"", ErrFormat, doc["node_type"])
	}
	if raw, ok := doc["attributes"]; ok {
		if err := json.Unmarshal(raw, &attrs); err != nil {
			return "", layout{}, nil, fmt.Errorf("%w: zarr.json: attributes: %v", ErrFormat, err)
		}
	}
	for key, raw := range doc {
		known := key == "zarr_format" || key == "node_type" || key == "attributes"
		if nodeType == "array" {
			known = v3ArrayKeys[key]
		}
		if !known && !ignorable(raw) {
			return "", layout{}, nil, fmt.Errorf("zarr.json: %w: field %q", memmap.ErrUnsupported, key)
		}
	}
	if nodeType == "group" {
		return nodeType, layout{}, attrs, nil
	}
	l, err = parseV3Array(doc)
	if err != nil {
		return "", layout{}, nil, fmt.Errorf("zarr.json: %w", err)
	}
	return nodeType, l, attrs, nil
}

// ignorable reports whether an unknown field may be ignored: an object
// with "must_understand": false.
func ignorable(raw json.RawMessage) bool {
	var obj struct {
		MustUnderstand *bool `json:"must_understand"`
	}
	return json.Unmarshal(raw, &obj) == nil && obj.MustUnderstand != nil && !*obj.MustUnderstand
}

func parseV3Array(doc map[string]json.RawMessage) (layout, error) {
	l := layout{format: 3}
	var shape []int64
	if err := json.Unmarshal(doc["shape"], &shape); err != nil || shape == nil {
		return layout{}, fmt.Errorf("%w: shape %s is not a list of integers", ErrFormat, doc["shape"])
	}
	var err error
	if l.shape, err = dims("shape", shape, 0); err != nil {
		return layout{}, err
	}
	// The chunk grid: regular.
	grid, err := parseExtension(doc["chunk_grid"], "chunk_grid")
	if err != nil {
		return layout{}, err
	}
	if grid.Name != "regular" {
		return layout{}, fmt.Errorf("%w: chunk grid %q", memmap.ErrUnsupported, grid.Name)
	}
	chunks, err := intList(grid.Configuration["chunk_shape"])
	if err != nil {
		return layout{}, fmt.Errorf("%w: chunk_grid's chunk_shape: %v", ErrFormat, err)
	}
	if l.chunks, err = dims("chunk_shape", chunks, 1); err != nil {
		return layout{}, err
	}
	// The chunk key encoding: default ("c/0/1") or v2 ("0.1").
	keys, err := parseExtension(doc["chunk_key_encoding"], "chunk_key_encoding")
	if err != nil {
		return layout{}, err
	}
	switch keys.Name {
	case "default":
		l.keyPrefix, l.separator = "c", "/"
	case "v2":
		l.separator = "."
	default:
		return layout{}, fmt.Errorf("%w: chunk key encoding %q", memmap.ErrUnsupported, keys.Name)
	}
	for k, v := range keys.Configuration {
		if sep, ok := v.(string); k != "separator" || !ok || (sep != "." && sep != "/") {
			return layout{}, fmt.Errorf("%w: chunk_key_encoding configuration %q: %v", ErrFormat, k, v)
		}
		l.separator = v.(string)
	}
	if raw, ok := doc["storage_transformers"]; ok {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil || len(list) > 0 {
			return layout{}, fmt.Errorf("%w: storage transformers", memmap.ErrUnsupported)
		}
	}
	if raw, ok := doc["dimension_names"]; ok && string(raw) != "null" {
		var names []*string
		if err := json.Unmarshal(raw, &names); err != nil || len(names) != len(l.shape) {
			return layout{}, fmt.Errorf("%w: dimension_names %s is not a list of %d strings or nulls", ErrFormat, raw, len(l.shape))
		}
		l.dimNames = make([]string, len(names))
		for i, n := range names {
			if n != nil {
				l.dimNames[i] = *n
			}
		}
	}
	// The data type, whose byte order the codecs give.
	dataType, err := parseExtension(doc["data_type"], "data_type")
	if err != nil {
		return layout{}, err
	}
	var codecs []json.RawMessage
	if err := json.Unmarshal(doc["codecs"], &codecs); err != nil || len(codecs) == 0 {
		return layout{}, fmt.Errorf("%w: codecs %s is not a non-empty list", ErrFormat, doc["codecs"])
	}
	var endian string
	if l.pipe, endian, err = parsePipeline(codecs, len(l.shape), 0); err != nil {
		return layout{}, err
	}
	if l.dtype, err = v3DType(dataType, endian); err != nil {
		return layout{}, err
	}
	l.fortran = l.pipe.fortran
	for _, c := range l.pipe.codecs {
		if !isCRC32C(c) {
			l.codec = c
			break
		}
	}
	if err := l.check(); err != nil {
		return layout{}, err
	}
	if s := l.pipe.shard; s != nil {
		if err := s.check(l.chunks); err != nil {
			return layout{}, err
		}
	}
	if l.fill, err = parseFillV3(doc["fill_value"], l.dtype); err != nil {
		return layout{}, err
	}
	return l, nil
}

// intList converts a JSON list of integers.
func intList(v any) ([]int64, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%v is not a list", v)
	}
	out := make([]int64, len(list))
	for i, x := range list {
		f, ok := x.(float64)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return nil, fmt.Errorf("%v is not a list of integers", v)
		}
		out[i] = int64(f)
	}
	return out, nil
}

// maxPipelineDepth bounds sharding inside sharding.
const maxPipelineDepth = 4

// parsePipeline reads a v3 codecs list for chunks of the given rank: at
// most array->array codecs (transpose), then one array->bytes codec (bytes,
// sharding_indexed), then bytes->bytes codecs. It returns the endianness
// the innermost bytes codec gives the items ("" when it gives none).
func parsePipeline(list []json.RawMessage, rank, depth int) (pipeline, string, error) {
	if depth > maxPipelineDepth {
		return pipeline{}, "", fmt.Errorf("%w: sharding nested more than %d deep", memmap.ErrUnsupported, maxPipelineDepth)
	}
	var p pipeline
	var perm []int
	endian := ""
	stage := 0 // 0: array->array, 1: bytes->bytes (after the array->bytes codec)
	for _, raw := range list {
		e, err := parseExtension(raw, "codec")
		if err != nil {
			return pipeline{}, "", err
		}
		switch e.Name {
		case "transpose":
			if stage != 0 {
				return pipeline{}, "", fmt.Errorf("%w: transpose after the array->bytes codec", ErrFormat)
			}
			order, err := intList(e.Configuration["order"])
			if err != nil || !isPermutation(order, rank) {
				return pipeline{}, "", fmt.Errorf("%w: transpose order %v is not a permutation of %d axes", ErrFormat, e.Configuration["order"], rank)
			}
			perm = composePerm(perm, order)
		case "bytes":
			if stage != 0 {
				return pipeline{}, "", fmt.Errorf("%w: two array->bytes codecs", ErrFormat)
			}
			stage = 1
			for k, v := range e.Configuration {
				if s, ok := v.(string); k != "endian" || !ok || (s != "little" && s != "big") {
					return pipeline{}, "", fmt.Errorf("%w: bytes configuration %q: %v", ErrFormat, k, v)
				}
				endian = v.(string)
			}
		case "sharding_indexed":
			if stage != 0 {
				return pipeline{}, "", fmt.Errorf("%w: two array->bytes codecs", ErrFormat)
			}
			if perm != nil {
				return pipeline{}, "", fmt.Errorf("%w: a transpose before sharding", memmap.ErrUnsupported)
			}
			stage = 1
			if p.shard, endian, err = parseSharding(e.Configuration, rank, depth); err != nil {
				return pipeline{}, "", err
			}
		default:
			if stage != 1 {
				return pipeline{}, "", fmt.Errorf("%w: codec %q before the array->bytes codec", ErrFormat, e.Name)
			}
			c, err := codec.FromV3(e.Name, e.Configuration)
			if err != nil {
				return pipeline{}, "", err
			}
			p.codecs = append(p.codecs, c)
		}
	}
	if stage != 1 {
		return pipeline{}, "", fmt.Errorf("%w: no array->bytes codec", ErrFormat)
	}
	switch {
	case perm == nil || isIdentity(perm):
	case rank > 1 && isReversal(perm):
		p.fortran = true
	default:
		p.perm = perm
	}
	return p, endian, nil
}

func isPermutation(order []int64, rank int) bool {
	if len(order) != rank {
		return false
	}
	seen := make([]bool, rank)
	for _, a := range order {
		if a < 0 || a >= int64(rank) || seen[a] {
			return false
		}
		seen[a] = true
	}
	return true
}

// composePerm is the permutation of transposing by first, then by next.
func composePerm(first []int, next []int64) []int {
	out := make([]int, len(next))
	for i, a := range next {
		if first == nil {
			out[i] = int(a)
		} else {
			out[i] = first[a]
		}
	}
	return out
}

func isIdentity(p []int) bool {
	for i, a := range p {
		if a != i {
			return false
		}
	}
	return true
}

func isReversal(p []int) bool {
	for i, a := range p {
		if a != len(p)-1-i {
			return false
		}
	}
	return true
}

func parseSharding(cfg map[string]any, rank, depth int) (*sharding, string, error) {
	s := &sharding{}
	inner, err := intList(cfg["chunk_shape"])
	if err != nil {
		return nil, "", fmt.Errorf("%w: sharding chunk_shape: %v", ErrFormat, err)
	}
	if len(inner) != rank {
		return nil, "", fmt.Errorf("%w: sharding chunk_shape %v for %d axes", ErrFormat, inner, rank)
	}
	if s.inner, err = dims("sharding chunk_shape", inner, 1); err != nil {
		return nil, "", err
	}
	codecs, err := rawList(cfg["codecs"])
	if err != nil {
		return nil, "", fmt.Errorf("%w: sharding codecs: %v", ErrFormat, err)
	}
	var endian string
	if s.codecs, endian, err = parsePipeline(codecs, rank, depth+1); err != nil {
		return nil, "", fmt.Errorf("sharding: %w", err)
	}
	indexCodecs, err := rawList(cfg["index_codecs"])
	if err != nil {
		return nil, "", fmt.Errorf("%w: sharding index_codecs: %v", ErrFormat, err)
	}
	index, indexEndian, err := parsePipeline(indexCodecs, rank+1, depth+1)
	if err != nil {
		return nil, "", fmt.Errorf("sharding index: %w", err)
	}
	if index.shard != nil || index.perm != nil || index.fortran {
		return nil, "", fmt.Errorf("%w: sharding index codecs other than bytes and crc32c", memmap.ErrUnsupported)
	}
	for _, c := range index.codecs {
		if !isCRC32C(c) {
			return nil, "", fmt.Errorf("%w: sharding index codec %s (of variable size)", ErrFormat, c.ID())
		}
		s.indexCRCs++
	}
	if indexEndian == "" {
		return nil, "", fmt.Errorf("%w: sharding index bytes codec without endian", ErrFormat)
	}
	s.indexBig = indexEndian == "big"
	switch loc := cfg["index_location"]; loc {
	case nil, "end":
	case "start":
		s.indexAtStart = true
	default:
		return nil, "", fmt.Errorf("%w: sharding index_location %v", ErrFormat, loc)
	}
	return s, endian, nil
}

func rawList(v any) ([]json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var list []json.RawMessage
	if err := json.Unmarshal(b, &list); err != nil || len(list) == 0 {
		return nil, fmt.Errorf("%v is not a non-empty list", v)
	}
	return list, nil
}

// check verifies that the inner chunks divide the shard shape.
func (s *sharding) check(shard []int) error {
	for axis, c := range s.inner {
		if shard[axis]%c != 0 {
			return fmt.Errorf("%w: inner chunks %v do not divide the shards %v", ErrFormat, s.inner, shard)
		}
	}
	if s.codecs.shard != nil {
		return s.codecs.shard.check(s.inner)
	}
	return nil
}

// v3DType is the NumPy dtype of a v3 data type whose bytes codec gives
// endian.
func v3DType(e v3Extension, endian string) (npyheader.DType, error) {
	if len(e.Configuration) > 0 {
		return npyheader.DType{}, fmt.Errorf("%w: data type %q with a configuration", memmap.ErrUnsupported, e.Name)
	}
	var kind npyheader.Kind
	var size int
	if t, ok := v3DataTypes[e.Name]; ok {
		kind, size = t.kind, t.size
	} else if bits, err := strconv.Atoi(strings.TrimPrefix(e.Name, "r")); err == nil && strings.HasPrefix(e.Name, "r") && bits > 0 && bits%8 == 0 && bits <= 1<<20 {
		kind, size = npyheader.Void, bits/8
	} else {
		return npyheader.DType{}, fmt.Errorf("%w: data type %q", memmap.ErrUnsupported, e.Name)
	}
	order := "|"
	if size > 1 && kind != npyheader.Void {
		switch endian {
		case "little":
			order = "<"
		case "big":
			order = ">"
		default:
			return npyheader.DType{}, fmt.Errorf("%w: data type %s needs a bytes codec with an endian", ErrFormat, e.Name)
		}
	}
	return npyheader.ParseDescr(order + string(rune(kind)) + strconv.Itoa(size))
}

// v3DataTypeName is the v3 name of dt, or an error wrapping
// memmap.ErrUnsupported for a dtype v3's core lacks.
func v3DataTypeName(dt npyheader.DType) (string, error) {
	if dt.Kind == npyheader.Void && !dt.Structured() && dt.ItemSize > 0 {
		return "r" + strconv.Itoa(8*dt.ItemSize), nil
	}
	for name, t := range v3DataTypes {
		if t.kind == dt.Kind && t.size == dt.ItemSize {
			return name, nil
		}
	}
	return "", fmt.Errorf("%w: dtype %s has no Zarr v3 core data type", memmap.ErrUnsupported, dt)
}

// parseFillV3 decodes a v3 fill_value: v2's forms for bool, numbers and
// complex numbers, "0x..." for a float's bits, and a list of byte values
// for raw r<N> items; null gives nil.
func parseFillV3(raw json.RawMessage, dt npyheader.DType) ([]byte, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: fill_value is required", ErrFormat)
	}
	if dt.Kind != npyheader.Void {
		fill, err := parseFill(raw, dt)
		if err != nil {
			return nil, fmt.Errorf("fill_value: %w", err)
		}
		return fill, nil
	}
	if string(raw) == "null" {
		return nil, nil
	}
	var vals []int
	if err := json.Unmarshal(raw, &vals); err != nil || len(vals) != dt.ItemSize {
		return nil, fmt.Errorf("%w: fill_value %s is not a list of %d byte values", ErrFormat, raw, dt.ItemSize)
	}
	fill := make([]byte, dt.ItemSize)
	for i, v := range vals {
		if v < 0 || v > 255 {
			return nil, fmt.Errorf("%w: fill_value %s is not a list of byte values", ErrFormat, raw)
		}
		fill[i] = byte(v)
	}
	return fill, nil
}

// fillJSONV3 is the v3 fill_value of an item: v2's forms, a NaN other
// than the canonical one as "0x..." (its bits), raw items as byte lists.
func fillJSONV3(fill []byte, dt npyheader.DType) (any, error) {
	if fill == nil {
		return nil, nil
	}
	switch dt.Kind {
	case npyheader.Void:
		vals := make([]int, len(fill))
		for i, b := range fill {
			vals[i] = int(b)
		}
		return vals, nil
	case npyheader.Float:
		return floatJSONV3(fill, dt.ItemSize, byteOrder(dt))
	case npyheader.Complex:
		half := dt.ItemSize / 2
		re, err := floatJSONV3(fill[:half], half, byteOrder(dt))
		if err != nil {
			return nil, err
		}
		im, err := floatJSONV3(fill[half:], half, byteOrder(dt))
		return []any{re, im}, err
	}
	return fillJSON(fill, dt)
}

func floatJSONV3(b []byte, size int, order binary.ByteOrder) (any, error) {
	var bits, canonicalNaN uint64
	switch size {
	case 2:
		bits, canonicalNaN = uint64(order.Uint16(b)), nan16
	case 4:
		bits, canonicalNaN = uint64(order.Uint32(b)), nan32
	case 8:
		bits, canonicalNaN = order.Uint64(b), nan64
	default:
		return nil, fmt.Errorf("%w: fill values for floats of %d bytes", memmap.ErrUnsupported, size)
	}
	v, err := floatJSON(b, size, order)
	if v == "NaN" && bits != canonicalNaN {
		return fmt.Sprintf("0x%0*x", 2*size, bits), nil
	}
	return v, err
}

// encodeV3Array is the zarr.json of an array: its layout and attributes.
func encodeV3Array(l layout, attrs map[string]any) ([]byte, error) {
	dataType, err := v3DataTypeName(l.dtype)
	if err != nil {
		return nil, err
	}
	fill, err := fillJSONV3(l.fill, l.dtype)
	if err != nil {
		return nil, err
	}
	var codecs []any
	if l.fortran && len(l.shape) > 1 {
		order := make([]int, len(l.shape))
		for i := range order {
			order[i] = len(order) - 1 - i
		}
		codecs = append(codecs, map[string]any{"name": "transpose", "configuration": map[string]any{"order": order}})
	}
	endian := "little"
	if l.dtype.Order == npyheader.BigEndian {
		endian = "big"
	}
	codecs = append(codecs, map[string]any{"name": "bytes", "configuration": map[string]any{"endian": endian}})
	for _, c := range l.pipe.codecs {
		name, cfg, err := codec.V3Config(c)
		if err != nil {
			return nil, err
		}
		entry := map[string]any{"name": name}
		if cfg != nil {
			entry["configuration"] = cfg
		}
		codecs = append(codecs, entry)
	}
	keys := map[string]any{"name": "v2", "configuration": map[string]any{"separator": l.separator}}
	if l.keyPrefix == "c" {
		keys["name"] = "default"
	}
	doc := map[string]any{
		"zarr_format":        3,
		"node_type":          "array",
		"shape":              nonNil(l.shape),
		"data_type":          dataType,
		"chunk_grid":         map[string]any{"name": "regular", "configuration": map[string]any{"chunk_shape": nonNil(l.chunks)}},
		"chunk_key_encoding": keys,
		"fill_value":         fill,
		"codecs":             codecs,
	}
	if attrs != nil {
		doc["attributes"] = attrs
	}
	if l.dimNames != nil {
		names := make([]any, len(l.dimNames))
		for i, n := range l.dimNames {
			if n != "" {
				names[i] = n
			}
		}
		doc["dimension_names"] = names
	}
	return encodeJSON(doc)
}
