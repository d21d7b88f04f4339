package npyheader

import (
	"math"
	"strconv"
	"strings"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/pyrepr"
)

// maxItemSize is the largest dtype itemsize NumPy can represent (a C int).
const maxItemSize = math.MaxInt32

// maxDims is NumPy's NPY_MAXDIMS (1.x).
const maxDims = 32

// ParseDescr parses a dtype descriptor. It accepts a bare type string
// ("<f8", "f8", "=i4", "|S5", "<M8[ns]", "?", "b1"), a quoted one ("'<f8'")
// or a structured list literal ("[('x', '<i4', (2,)), ('y', '<f8')]").
func ParseDescr(s string) (DType, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return DType{}, wrapf(ErrDescr, "empty descriptor")
	}
	switch t[0] {
	case '[', '\'', '"', '(':
	default:
		if !(len(t) > 1 && (t[len(t)-1] == '\'' || t[len(t)-1] == '"') && strings.ContainsAny(t[:1], "rRuU")) {
			return parseTypeString(t)
		}
	}
	v, err := parseLiteral(utf8Text([]byte(t)), false)
	if err != nil {
		return DType{}, wrap2(ErrDescr, ErrSyntax, "not a Python literal: %s", detailOf(err))
	}
	return descrFromValue(v, 0)
}

// descrFromValue interprets a parsed literal as a descr (FMT descr_to_dtype).
func descrFromValue(v pyValue, depth int) (DType, error) {
	switch v.kind {
	case pyStr:
		return parseTypeString(v.s)
	case pyList:
		return parseStructured(v, depth)
	}
	return DType{}, wrapf(ErrDescr, "descr must be a str or a list, found %s %s", v.kind, v.shortRepr())
}

func parseStructured(v pyValue, depth int) (DType, error) {
	if depth > maxLiteralDepth {
		return DType{}, wrapf(ErrDescr, "structured dtype nested too deeply")
	}
	d := DType{Kind: Void, Order: NotApplicable, Fields: []Field{}}
	used := map[string]bool{}
	offset := 0
	for idx, item := range v.items {
		if item.kind != pyTuple && item.kind != pyList {
			return DType{}, wrapf(ErrDescr, "field %d: expected a (name, descr[, shape]) tuple, found %s", idx, item.shortRepr())
		}
		if len(item.items) != 2 && len(item.items) != 3 {
			return DType{}, wrapf(ErrDescr, "field %d: expected 2 or 3 elements, found %d", idx, len(item.items))
		}
		var f Field
		nameV := item.items[0]
		plainName := false
		switch nameV.kind {
		case pyStr:
			f.Name = nameV.s
			plainName = true
		case pyTuple, pyList:
			if len(nameV.items) != 2 || nameV.items[0].kind != pyStr || nameV.items[1].kind != pyStr {
				return DType{}, wrapf(ErrDescr, "field %d: name must be a str or a (title, name) pair of str, found %s", idx, nameV.shortRepr())
			}
			f.Title, f.Name = nameV.items[0].s, nameV.items[1].s
		default:
			return DType{}, wrapf(ErrDescr, "field %d: field names must be strings, found %s", idx, nameV.shortRepr())
		}
		typ, levels, err := fieldType(item.items[1], depth+1)
		if err != nil {
			return DType{}, withContext(err, "field %d (%s)", idx, truncate(pyrepr.Str(f.Name), 60))
		}
		f.Type = typ
		if len(item.items) == 3 {
			outer, err := subarrayShape(item.items[2])
			if err != nil {
				return DType{}, withContext(err, "field %d (%s)", idx, truncate(pyrepr.Str(f.Name), 60))
			}
			if outer != nil {
				levels = append([][]int{outer}, levels...)
			}
		}
		for _, l := range levels {
			f.Shape = append(f.Shape, l...)
		}
		if len(f.Shape) > maxDims {
			return DType{}, wrapf(ErrDescr, "field %d: subarray has %d dimensions, more than %d", idx, len(f.Shape), maxDims)
		}
		if len(levels) > 1 {
			f.ShapeLevels = levels
		}
		size := int64(typ.ItemSize)
		for _, n := range f.Shape {
			size *= int64(n)
			if size > maxItemSize {
				return DType{}, wrap2(ErrDescr, memmap.ErrTooLarge, "field %d: itemsize exceeds %d", idx, maxItemSize)
			}
		}
		isPad := plainName && f.Name == "" && (f.Shape != nil || (typ.Kind == Void && typ.Fields == nil))
		if !isPad {
			if used[f.Name] {
				return DType{}, wrapf(ErrDescr, "field %d: name %s already used as a name or title", idx, truncate(pyrepr.Str(f.Name), 60))
			}
			used[f.Name] = true
			if !plainName {
				if used[f.Title] {
					return DType{}, wrapf(ErrDescr, "field %d: title %s already used as a name or title", idx, truncate(pyrepr.Str(f.Title), 60))
				}
				used[f.Title] = true
			}
			f.Offset = offset
			d.Fields = append(d.Fields, f)
		}
		if int64(offset)+size > maxItemSize {
			return DType{}, wrap2(ErrDescr, memmap.ErrTooLarge, "structured itemsize exceeds %d", maxItemSize)
		}
		offset += int(size)
	}
	d.ItemSize = offset
	return d, nil
}

// fieldType interprets the descr of a field, which may also be a
// (descr, shape) tuple for a subarray of a subarray. levels lists the
// non-empty subarray shapes, outermost first.
func fieldType(v pyValue, depth int) (DType, [][]int, error) {
	if v.kind != pyTuple {
		d, err := descrFromValue(v, depth)
		return d, nil, err
	}
	if depth > maxLiteralDepth {
		return DType{}, nil, wrapf(ErrDescr, "subarray dtype nested too deeply")
	}
	if len(v.items) != 2 {
		return DType{}, nil, wrapf(ErrDescr, "subarray descr must be a (descr, shape) pair, found %s", v.shortRepr())
	}
	base, levels, err := fieldType(v.items[0], depth+1)
	if err != nil {
		return DType{}, nil, err
	}
	sh, err := subarrayShape(v.items[1])
	if err != nil {
		return DType{}, nil, err
	}
	if sh != nil {
		levels = append([][]int{sh}, levels...)
	}
	return base, levels, nil
}

// subarrayShape interprets the third element of a field tuple.
func subarrayShape(v pyValue) ([]int, error) {
	switch v.kind {
	case pyInt:
		n, ok := v.int64()
		if !ok || n < 0 || n > maxItemSize {
			return nil, wrapf(ErrDescr, "invalid subarray shape %s", v.shortRepr())
		}
		if n == 1 {
			// NumPy 1.x: (type, 1) is a deprecated synonym of type.
			return nil, nil
		}
		return []int{int(n)}, nil
	case pyTuple, pyList:
		if len(v.items) == 0 {
			return nil, nil
		}
		if len(v.items) > maxDims {
			return nil, wrapf(ErrDescr, "subarray shape has %d dimensions, more than %d", len(v.items), maxDims)
		}
		s := make([]int, len(v.items))
		for i, it := range v.items {
			n, ok := it.int64()
			if it.kind != pyInt || !ok || n < 0 || n > maxItemSize {
				return nil, wrapf(ErrDescr, "invalid subarray shape %s", v.shortRepr())
			}
			s[i] = int(n)
		}
		return s, nil
	}
	return nil, wrapf(ErrDescr, "subarray shape must be a tuple or an int, found %s", v.shortRepr())
}

// parseTypeString parses a simple type string such as "<f8", "|S5",
// "<M8[ns]".
func parseTypeString(s string) (DType, error) {
	bad := func(why string) (DType, error) {
		return DType{}, wrapf(ErrDescr, "type string %s: %s", truncate(pyrepr.Str(s), 60), why)
	}
	rest := s
	var order byte
	if rest != "" && strings.IndexByte("<>|=", rest[0]) >= 0 {
		order = rest[0]
		rest = rest[1:]
	}
	if rest == "" {
		return bad("missing type character")
	}
	kind := Kind(rest[0])
	rest = rest[1:]
	unit := ""
	if kind == Datetime || kind == Timedelta {
		if i := strings.IndexByte(rest, '['); i >= 0 {
			if !strings.HasSuffix(rest, "]") {
				return bad("unterminated datetime unit")
			}
			u, ok := parseUnit(rest[i+1 : len(rest)-1])
			if !ok {
				return bad("invalid datetime unit")
			}
			unit = u
			rest = rest[:i]
		}
	}
	size := -1
	if rest != "" {
		for i := 0; i < len(rest); i++ {
			if rest[i] < '0' || rest[i] > '9' {
				return bad("invalid size")
			}
		}
		n, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || n > maxItemSize {
			return DType{}, wrap2(ErrDescr, memmap.ErrTooLarge, "type string %s: size too large", truncate(pyrepr.Str(s), 60))
		}
		size = int(n)
	}
	d := DType{Kind: kind}
	switch kind {
	case '?':
		if size != -1 {
			return bad("'?' takes no size")
		}
		d.Kind, d.ItemSize = Bool, 1
	case Bool:
		if size != 1 {
			return bad("bool must be b1")
		}
		d.ItemSize = 1
	case Int, Uint:
		if size != 1 && size != 2 && size != 4 && size != 8 {
			return bad("integer size must be 1, 2, 4 or 8")
		}
		d.ItemSize = size
	case Float:
		if size != 2 && size != 4 && size != 8 && size != 16 {
			return bad("float size must be 2, 4, 8 or 16")
		}
		d.ItemSize = size
	case Complex:
		if size != 8 && size != 16 && size != 32 {
			return bad("complex size must be 8, 16 or 32")
		}
		d.ItemSize = size
	case Bytes, Void:
		d.ItemSize = max(size, 0)
	case Unicode:
		if size > maxItemSize/4 {
			return DType{}, wrap2(ErrDescr, memmap.ErrTooLarge, "type string %s: size too large", truncate(pyrepr.Str(s), 60))
		}
		d.ItemSize = 4 * max(size, 0)
	case Object:
		if size != -1 && size != 4 && size != 8 {
			return bad("object size must be absent, 4 or 8")
		}
		d.ItemSize = 8
	case Datetime, Timedelta:
		if size != 8 {
			return bad("datetime and timedelta must be 8 bytes")
		}
		d.ItemSize = 8
		d.Unit = unit
	default:
		return bad("unknown type character")
	}
	switch {
	case d.ItemSize == 1 && d.Kind != Bytes && d.Kind != Void,
		d.Kind == Bool, d.Kind == Bytes, d.Kind == Void, d.Kind == Object:
		d.Order = NotApplicable
	case order == '<' || order == '>':
		d.Order = ByteOrder(order)
	default:
		d.Order = NativeOrder()
	}
	return d, nil
}

var dateUnits = map[string]bool{
	"Y": true, "M": true, "W": true, "D": true, "h": true, "m": true, "s": true,
	"ms": true, "us": true, "ns": true, "ps": true, "fs": true, "as": true,
}

// parseUnit parses "[<multiplier>]<unit>" and returns it normalised as NumPy
// prints it: μs becomes us, leading zeros and a multiplier of 1 are dropped.
func parseUnit(u string) (string, bool) {
	i := 0
	for i < len(u) && u[i] >= '0' && u[i] <= '9' {
		i++
	}
	base := u[i:]
	if base == "μs" {
		base = "us"
	}
	if !dateUnits[base] {
		return "", false
	}
	if i == 0 {
		return base, true
	}
	n, err := strconv.ParseInt(u[:i], 10, 64)
	if err != nil || n > math.MaxInt32 {
		return "", false
	}
	if n == 1 {
		return base, true
	}
	return strconv.FormatInt(n, 10) + base, true
}
