package npyheader

import (
	"encoding/binary"
	"slices"
	"strconv"
	"strings"

	"github.com/go-memmap/memmap/internal/pyrepr"
)

// Kind is the NumPy dtype kind character: byte(k) is NumPy's dtype.kind
// ('f' for float64). Its String is the constant's name in lower case
// ("float").
type Kind byte

// Dtype kinds, as in NumPy's type strings.
const (
	Bool      Kind = 'b'
	Int       Kind = 'i'
	Uint      Kind = 'u'
	Float     Kind = 'f'
	Complex   Kind = 'c'
	Bytes     Kind = 'S'
	Unicode   Kind = 'U'
	Void      Kind = 'V'
	Object    Kind = 'O'
	Datetime  Kind = 'M'
	Timedelta Kind = 'm'
)

// ByteOrder is the byte-order character of a type string: byte(o) is what
// NumPy's dtype.str starts with ('<'). Its String says it in words
// ("little-endian").
type ByteOrder byte

// Byte orders. NotApplicable is used for 1-byte types, bytes, void, object
// and structured dtypes.
const (
	LittleEndian  ByteOrder = '<'
	BigEndian     ByteOrder = '>'
	NotApplicable ByteOrder = '|'
)

// String returns the kind's name: "bool", "int", "uint", "float",
// "complex", "bytes", "unicode", "void", "object", "datetime" or
// "timedelta"; for any other value, the character in Go syntax: Kind('x').
func (k Kind) String() string {
	switch k {
	case Bool:
		return "bool"
	case Int:
		return "int"
	case Uint:
		return "uint"
	case Float:
		return "float"
	case Complex:
		return "complex"
	case Bytes:
		return "bytes"
	case Unicode:
		return "unicode"
	case Void:
		return "void"
	case Object:
		return "object"
	case Datetime:
		return "datetime"
	case Timedelta:
		return "timedelta"
	}
	return "Kind(" + strconv.QuoteRune(rune(k)) + ")"
}

// String returns "little-endian", "big-endian" or "not applicable"; for any
// other value, the character in Go syntax: ByteOrder('=').
func (o ByteOrder) String() string {
	switch o {
	case LittleEndian:
		return "little-endian"
	case BigEndian:
		return "big-endian"
	case NotApplicable:
		return "not applicable"
	}
	return "ByteOrder(" + strconv.QuoteRune(rune(o)) + ")"
}

var nativeOrder = func() ByteOrder {
	var b [2]byte
	binary.NativeEndian.PutUint16(b[:], 1)
	if b[0] == 1 {
		return LittleEndian
	}
	return BigEndian
}()

// NativeOrder returns the byte order of this machine: '<' or '>'.
func NativeOrder() ByteOrder { return nativeOrder }

// DType is a parsed NumPy dtype. Structured dtypes have Kind == Void and
// Fields != nil (an empty struct has a non-nil empty Fields). Simple dtypes
// have Fields == nil.
type DType struct {
	Kind Kind
	// Order is the byte order as NumPy's dtype.str prints it: '|' for b1,
	// i1, u1, S, V, O and structured dtypes; '=' and a missing order
	// character mean native and are stored as NativeOrder(); '<' or '>' on a
	// 1-byte type become '|'.
	Order ByteOrder
	// ItemSize is the number of bytes per element (U<n> is 4*n).
	ItemSize int
	// Unit is the datetime/timedelta unit exactly as NumPy prints it inside
	// the brackets: "ns", "D", "10s"; "" for generic M8/m8 and all other
	// kinds.
	Unit   string
	Fields []Field
}

// Field is one named field of a structured dtype.
type Field struct {
	Name  string
	Title string // "" when the field has no title
	Type  DType  // the element dtype; for a subarray field the base dtype
	Shape []int  // subarray shape; nil for a scalar field
	// ShapeLevels is nil unless the field is a subarray of a subarray, which
	// NumPy prints as ('c', ('<f8', (5,)), (2,)). It then lists the shapes
	// from the outermost to the innermost ([[2] [5]]), and Shape is their
	// concatenation ([2 5]), which describes the same memory layout.
	ShapeLevels [][]int
	// Offset is the byte offset of the field inside the record.
	Offset int
}

// Structured reports whether d is a structured (record) dtype.
func (d DType) Structured() bool { return d.Fields != nil }

// HasObject reports whether d holds Python objects anywhere, fields
// included.
func (d DType) HasObject() bool {
	if d.Kind == Object {
		return true
	}
	for _, f := range d.Fields {
		if f.Type.HasObject() {
			return true
		}
	}
	return false
}

// CheckMappable returns an error wrapping ErrObjectDType when d holds Python
// objects, whose NPY data is a pickle rather than raw memory.
func (d DType) CheckMappable() error {
	if d.HasObject() {
		return wrapf(ErrObjectDType, "dtype %s holds Python objects; nothing in this project unpickles", d.String())
	}
	return nil
}

// IsNative reports whether d's data is in the machine's byte order: Order is
// '|' or NativeOrder(), for structured dtypes in every field recursively.
func (d DType) IsNative() bool {
	if d.Structured() {
		for _, f := range d.Fields {
			if !f.Type.IsNative() {
				return false
			}
		}
		return true
	}
	return d.Order == NotApplicable || d.Order == NativeOrder()
}

// Equal reports whether d and o describe the same dtype.
func (d DType) Equal(o DType) bool {
	if d.Kind != o.Kind || d.Order != o.Order || d.ItemSize != o.ItemSize || d.Unit != o.Unit ||
		(d.Fields == nil) != (o.Fields == nil) || len(d.Fields) != len(o.Fields) {
		return false
	}
	for i := range d.Fields {
		a, b := d.Fields[i], o.Fields[i]
		if a.Name != b.Name || a.Title != b.Title || a.Offset != b.Offset || !slices.Equal(a.Shape, b.Shape) || !a.Type.Equal(b.Type) ||
			!slices.EqualFunc(a.ShapeLevels, b.ShapeLevels, slices.Equal[[]int]) {
			return false
		}
	}
	return true
}

// String returns the descr as text that ParseDescr reads back to an equal
// DType: for a simple dtype NumPy's dtype.str without quotes ("<f8"); for a
// structured dtype the Python repr of NumPy's dtype.descr list, exactly as
// NumPy prints it (padding entries regenerated from the offsets).
func (d DType) String() string {
	if d.Structured() {
		var b strings.Builder
		d.writeDescrList(&b)
		return b.String()
	}
	return d.typeStr()
}

// Repr returns the descr value as written into an .npy header: "'<f8'" for
// a simple dtype, the same as String() for a structured one.
func (d DType) Repr() string {
	if d.Structured() {
		return d.String()
	}
	return "'" + d.typeStr() + "'"
}

func (d DType) order() ByteOrder {
	switch d.Order {
	case LittleEndian, BigEndian:
		return d.Order
	}
	return NativeOrder()
}

// typeStr is NumPy's dtype.str for a simple dtype.
func (d DType) typeStr() string {
	n := strconv.Itoa(d.ItemSize)
	switch d.Kind {
	case Bool:
		return "|b1"
	case Int, Uint:
		if d.ItemSize == 1 {
			return "|" + string(rune(d.Kind)) + "1"
		}
		return string(rune(d.order())) + string(rune(d.Kind)) + n
	case Float, Complex:
		return string(rune(d.order())) + string(rune(d.Kind)) + n
	case Bytes, Void:
		return "|" + string(rune(d.Kind)) + n
	case Unicode:
		return string(rune(d.order())) + "U" + strconv.Itoa(d.ItemSize/4)
	case Object:
		return "|O"
	case Datetime, Timedelta:
		s := string(rune(d.order())) + string(rune(d.Kind)) + "8"
		if d.Unit != "" {
			s += "[" + d.Unit + "]"
		}
		return s
	}
	// Not a valid kind; print something ParseDescr rejects.
	return string(rune(d.order())) + string(rune(d.Kind)) + n
}

// writeDescrList writes the repr of NumPy's dtype.descr for a structured
// dtype (numpy/core/_internal.py _array_descr).
func (d DType) writeDescrList(b *strings.Builder) {
	b.WriteByte('[')
	offset := 0
	first := true
	sep := func() {
		if !first {
			b.WriteString(", ")
		}
		first = false
	}
	for _, f := range d.Fields {
		if f.Offset > offset {
			sep()
			b.WriteString("('', '|V")
			b.WriteString(strconv.Itoa(f.Offset - offset))
			b.WriteString("')")
			offset = f.Offset
		}
		sep()
		b.WriteByte('(')
		if f.Title != "" {
			b.WriteByte('(')
			b.WriteString(pyrepr.Str(f.Title))
			b.WriteString(", ")
			b.WriteString(pyrepr.Str(f.Name))
			b.WriteByte(')')
		} else {
			b.WriteString(pyrepr.Str(f.Name))
		}
		b.WriteString(", ")
		outer := f.Shape
		if len(f.ShapeLevels) > 1 {
			outer = f.ShapeLevels[0]
			for range f.ShapeLevels[1:] {
				b.WriteByte('(')
			}
		}
		if f.Type.Structured() {
			f.Type.writeDescrList(b)
		} else {
			b.WriteByte('\'')
			b.WriteString(f.Type.typeStr())
			b.WriteByte('\'')
		}
		if len(f.ShapeLevels) > 1 {
			for j := len(f.ShapeLevels) - 1; j >= 1; j-- {
				b.WriteString(", ")
				b.WriteString(tupleRepr(f.ShapeLevels[j]))
				b.WriteByte(')')
			}
		}
		if len(outer) > 0 {
			b.WriteString(", ")
			b.WriteString(tupleRepr(outer))
		}
		b.WriteByte(')')
		size := f.Type.ItemSize
		for _, n := range f.Shape {
			size *= n
		}
		offset += size
	}
	if d.ItemSize > offset {
		sep()
		b.WriteString("('', '|V")
		b.WriteString(strconv.Itoa(d.ItemSize - offset))
		b.WriteString("')")
	}
	b.WriteByte(']')
}

// tupleRepr is Python's repr of a tuple of ints: (), (3,), (3, 4).
func tupleRepr(s []int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, n := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(n))
	}
	if len(s) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}

// Clone returns a deep copy of d: editing the copy's fields, shapes or
// nested dtypes leaves d unchanged.
func (d DType) Clone() DType {
	if d.Fields == nil {
		return d
	}
	fields := make([]Field, len(d.Fields))
	for i, f := range d.Fields {
		f.Type = f.Type.Clone()
		f.Shape = slices.Clone(f.Shape)
		if f.ShapeLevels != nil {
			levels := make([][]int, len(f.ShapeLevels))
			for j, l := range f.ShapeLevels {
				levels[j] = slices.Clone(l)
			}
			f.ShapeLevels = levels
		}
		fields[i] = f
	}
	d.Fields = fields
	return d
}
