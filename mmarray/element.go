package mmarray

import (
	"fmt"
	"reflect"

	"github.com/go-memmap/memmap/npyheader"
)

// Element is the set of Go types a view can have. Each NumPy dtype has one
// Go type that views it:
//
//	|b1                  bool (any nonzero byte reads true, as in NumPy)
//	i1 i2 i4 i8          int8 int16 int32 int64
//	u1 u2 u4 u8          uint8 uint16 uint32 uint64
//	f2 f4 f8             Float16 float32 float64
//	c8 c16               complex64 complex128
//	M8[unit] m8[unit]    Datetime64 Timedelta64
//	S<n>                 string or []byte (trailing NULs stripped)
//	U<n>                 string (UCS-4 decoded to UTF-8, trailing NULs stripped)
//	V<n>, structured     []byte (the raw item bytes); fields through Field,
//	                     whole records as Go structs through Records
//	f12 f16 c24 c32      []byte (NumPy's longdouble: the writing machine's raw bytes)
//
// Platform-sized int, uint and uintptr are left out on purpose: a file's
// layout must not depend on the machine reading it. string and []byte
// values are decoded into new memory on every read through At, Values and
// CopyTo (ItemBytes and AppendTo give an item's bytes without allocating);
// all other types are read in place.
type Element interface {
	~bool | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 |
		~float32 | ~float64 | ~complex64 | ~complex128 | string | []byte
}

// isLongDouble reports whether dt is NumPy's longdouble or clongdouble
// (f12, f16, c24, c32): its bytes are the writing machine's extended
// format (x87 80-bit on x86, IEEE binary128 elsewhere), which no Go type
// holds, so it is viewed as raw []byte items.
func isLongDouble(dt npyheader.DType) bool {
	return (dt.Kind == npyheader.Float && dt.ItemSize > 8) || (dt.Kind == npyheader.Complex && dt.ItemSize > 16)
}

// codec says how an item's bytes become a value of a string or []byte view.
type codec uint8

const (
	codecNone  codec = iota // a fixed-size value read in place: numbers, bools, times
	codecBytes              // S<n>: trailing NULs stripped; shorter values are NUL-padded
	codecUCS4               // U<n>: UCS-4 code points, trailing NULs stripped
	codecRaw                // V<n> and records: exactly the item's bytes
)

// elementInfo describes how values of a view's Go type sit in its dtype.
type elementInfo struct {
	goType   reflect.Type
	kind     npyheader.Kind // the dtype kind this Go type reads (numeric types)
	size     int            // the dtype's item size in bytes
	partSize int            // size of the unit a byte swap reverses: half of a complex, one UCS-4 code point; 1 when nothing swaps
	codec    codec
}

var (
	float16Type     = reflect.TypeFor[Float16]()
	datetime64Type  = reflect.TypeFor[Datetime64]()
	timedelta64Type = reflect.TypeFor[Timedelta64]()
)

// elementFor checks that elements of type T can view dt and says how.
func elementFor[T Element](dt npyheader.DType) (elementInfo, error) {
	return elementInfoFor(reflect.TypeFor[T](), dt)
}

// elementInfoFor checks that elements of Go type t can view dt and says how.
func elementInfoFor(t reflect.Type, dt npyheader.DType) (elementInfo, error) {
	info := elementInfo{goType: t, size: dt.ItemSize, partSize: dt.ItemSize}
	ok := false
	switch t {
	case float16Type:
		info.kind = npyheader.Float
	case datetime64Type:
		info.kind = npyheader.Datetime
	case timedelta64Type:
		info.kind = npyheader.Timedelta
	default:
		switch t.Kind() {
		case reflect.Bool:
			info.kind = npyheader.Bool
		case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			info.kind = npyheader.Int
		case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			info.kind = npyheader.Uint
		case reflect.Float32, reflect.Float64:
			info.kind = npyheader.Float
		case reflect.Complex64, reflect.Complex128:
			info.kind = npyheader.Complex
			info.partSize = dt.ItemSize / 2
		case reflect.String:
			switch {
			case dt.Kind == npyheader.Bytes:
				info.codec, info.partSize, ok = codecBytes, 1, true
			case dt.Kind == npyheader.Unicode:
				info.codec, info.partSize, ok = codecUCS4, 4, true
			}
		case reflect.Slice: // []byte: bytes as they lie, never swapped
			switch {
			case dt.Kind == npyheader.Bytes:
				info.codec, info.partSize, ok = codecBytes, 1, true
			case dt.Kind == npyheader.Void, isLongDouble(dt): // V<n>, structured, longdouble
				info.codec, info.partSize, ok = codecRaw, 1, true
			}
		}
	}
	if t.Kind() != reflect.String && t.Kind() != reflect.Slice {
		// A number, bool, Float16 or time: the dtype must be exactly its kind and size.
		ok = !dt.Structured() && dt.Kind == info.kind && dt.ItemSize == int(t.Size())
	}
	if !ok {
		return elementInfo{}, fmt.Errorf("%w: dtype %s cannot be viewed as %s", ErrDTypeMismatch, dt, t)
	}
	return info, nil
}
