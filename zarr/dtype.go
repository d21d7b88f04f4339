package zarr

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/pyrepr"
	"github.com/go-memmap/memmap/npyheader"
)

// A v2 .zarray "dtype" is NumPy's dtype.str ("<f8", "|S5", "<M8[ns]") for a
// simple dtype and the JSON form of dtype.descr for a structured one: a
// list of [name, type] or [name, type, shape] lists, the type itself a
// string or, for a nested record, such a list. npyheader parses the same
// descr as Python text, so the JSON is turned into that text and parsed
// there, with npyheader's checks.

// maxDTypeDepth bounds the nesting of a structured dtype's JSON, as
// npyheader bounds its text's.
const maxDTypeDepth = 32

// parseDType reads a .zarray "dtype" value into a dtype. Object dtypes
// (which need an object codec in "filters") are refused with
// memmap.ErrUnsupported.
func parseDType(raw json.RawMessage) (npyheader.DType, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return npyheader.DType{}, fmt.Errorf("%w: dtype: %v", ErrFormat, err)
	}
	var b strings.Builder
	switch v := v.(type) {
	case string:
		b.WriteString(v)
	case []any:
		if err := writeDescrList(&b, v, 0); err != nil {
			return npyheader.DType{}, err
		}
	default:
		return npyheader.DType{}, fmt.Errorf("%w: dtype %s is neither a type string nor a list of fields", ErrFormat, raw)
	}
	dt, err := npyheader.ParseDescr(b.String())
	if err != nil {
		return npyheader.DType{}, fmt.Errorf("%w: dtype %s: %w", ErrFormat, raw, err)
	}
	if dt.HasObject() {
		return npyheader.DType{}, fmt.Errorf("dtype %s: %w: object dtypes need an object codec", raw, memmap.ErrUnsupported)
	}
	return dt, nil
}

// writeDescrList writes the Python text of a structured descr from its
// JSON list of fields.
func writeDescrList(b *strings.Builder, fields []any, depth int) error {
	if depth > maxDTypeDepth {
		return fmt.Errorf("%w: dtype nested more than %d deep", ErrFormat, maxDTypeDepth)
	}
	b.WriteByte('[')
	for i, f := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		field, ok := f.([]any)
		if !ok || len(field) < 2 || len(field) > 3 {
			return fmt.Errorf("%w: dtype field %v is not a [name, type] or [name, type, shape] list", ErrFormat, f)
		}
		name, ok := field[0].(string)
		if !ok {
			return fmt.Errorf("%w: dtype field name %v is not a string", ErrFormat, field[0])
		}
		b.WriteByte('(')
		b.WriteString(pyrepr.Str(name))
		b.WriteString(", ")
		switch t := field[1].(type) {
		case string:
			b.WriteString(pyrepr.Str(t))
		case []any:
			if err := writeDescrList(b, t, depth+1); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: dtype field %q has type %v, neither a type string nor a list of fields", ErrFormat, name, field[1])
		}
		if len(field) == 3 {
			shape, ok := field[2].([]any)
			if !ok {
				return fmt.Errorf("%w: dtype field %q has shape %v, not a list", ErrFormat, name, field[2])
			}
			b.WriteString(", (")
			for _, n := range shape {
				x, ok := n.(float64)
				if !ok || x != float64(int64(x)) {
					return fmt.Errorf("%w: dtype field %q has shape %v, not a list of integers", ErrFormat, name, field[2])
				}
				b.WriteString(strconv.FormatInt(int64(x), 10))
				b.WriteString(",")
			}
			b.WriteByte(')')
		}
		b.WriteByte(')')
	}
	b.WriteByte(']')
	return nil
}

// dtypeJSON is the .zarray "dtype" value zarr-python writes for dt:
// dtype.str for a simple dtype, dtype.descr as JSON lists for a structured
// one (padding as ["", "|V<n>"] entries, as NumPy's descr has them). A
// subarray of a subarray is written flattened into one shape, which lays
// out the same bytes.
func dtypeJSON(dt npyheader.DType) any {
	if !dt.Structured() {
		return dt.String()
	}
	var fields []any
	offset := 0
	for _, f := range dt.Fields {
		if f.Offset > offset {
			fields = append(fields, []any{"", "|V" + strconv.Itoa(f.Offset-offset)})
			offset = f.Offset
		}
		field := []any{f.Name, dtypeJSON(f.Type)}
		if len(f.Shape) > 0 {
			field = append(field, f.Shape)
		}
		fields = append(fields, field)
		size := f.Type.ItemSize
		for _, n := range f.Shape {
			size *= n
		}
		offset += size
	}
	if dt.ItemSize > offset {
		fields = append(fields, []any{"", "|V" + strconv.Itoa(dt.ItemSize-offset)})
	}
	if fields == nil {
		fields = []any{}
	}
	return fields
}
