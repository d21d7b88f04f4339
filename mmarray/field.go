package mmarray

import (
	"fmt"
	"strings"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/npyheader"
)

// Field returns a view of one field of a structured view, with element type
// T, sharing a's memory: no data is copied, and in ReadWrite mode Set on the
// field view changes the file. It is NumPy's a["name"]. The path names a
// field, or a field of a nested record with dots ("pos.x"); a field name
// that itself contains a dot is matched whole first. A title works as well
// as the name, as in NumPy.
//
// The field view has a's shape followed by the field's subarray shape, if it
// has one (a field ('v', '<f4', (2, 3)) of a (100,) array gives a (100, 2, 3)
// view), and strides that step over whole records. A path through a
// subarray of records adds that subarray's axes too: for ('recs', [('p',
// '<i4'), ('q', '|u1')], (2,)), "recs.p" of a (100,) array is (100, 2). A nested record field
// can be viewed as []byte, and Field applies to that view again. T must be
// the Go type for the field's dtype (see Element); otherwise the error wraps
// ErrDTypeMismatch. An unknown name, or a view that is not structured, gives
// ErrField, and a closed File memmap.ErrClosed.
func Field[T, R Element](a *Array[R], path string) (*Array[T], error) {
	a.checkMade()
	if a.file.isClosed() {
		return nil, fmt.Errorf("field %q of %s: %w", path, a.file.path, memmap.ErrClosed)
	}
	dt, offset, err := findField(a.dtype, path)
	if err != nil {
		return nil, fmt.Errorf("field %q of %s: %w", path, a.file.path, err)
	}
	shape := append(append([]int{}, a.shape...), dt.shape...)
	strides := append(append([]int{}, a.strides...), dt.strides...)
	view, err := newArray[T](a.file, dt.base, a.offset+offset, shape, strides)
	if err != nil {
		return nil, fmt.Errorf("field %q of %s: %w", path, a.file.path, err)
	}
	return view, nil
}

// fieldType is where a field's items lie inside one record: its base
// dtype, and the shape and byte strides of its subarray axes (the axes of
// every subarray on the path, outermost first).
type fieldType struct {
	base    npyheader.DType
	shape   []int
	strides []int
}

// findField resolves a field path in a structured dtype to the field's type
// and its byte offset inside the record.
func findField(dt npyheader.DType, path string) (fieldType, int, error) {
	if !dt.Structured() {
		return fieldType{}, 0, fmt.Errorf("%w: dtype %s is not structured", ErrField, dt)
	}
	if f, ok := lookupField(dt, path); ok {
		return placeField(dt, f, fieldType{base: f.Type}, 0)
	}
	// Try each dot as the separator between a record field and the rest.
	for i := range len(path) {
		if path[i] != '.' {
			continue
		}
		f, ok := lookupField(dt, path[:i])
		if !ok || !f.Type.Structured() {
			continue
		}
		inner, offset, err := findField(f.Type, path[i+1:])
		if err == nil {
			return placeField(dt, f, inner, offset)
		}
	}
	return fieldType{}, 0, fmt.Errorf("%w: dtype %s has no field %q (fields: %s)", ErrField, dt, path, fieldNames(dt))
}

func lookupField(dt npyheader.DType, name string) (npyheader.Field, bool) {
	for _, f := range dt.Fields {
		if f.Name == name || (f.Title != "" && f.Title == name) {
			return f, true
		}
	}
	return npyheader.Field{}, false
}

// placeField places inner, found at offset inside one item of field f, in
// a record of dtype dt: f's subarray axes come first. It makes sure the
// result lies inside f's item and f inside the record, so that Field never
// makes a view that reaches past a record, whatever dtype it was given.
func placeField(dt npyheader.DType, f npyheader.Field, inner fieldType, offset int) (fieldType, int, error) {
	itemSize := f.Type.ItemSize
	if offset < 0 || extent(inner) > itemSize-offset {
		return fieldType{}, 0, fmt.Errorf("%w: field %q does not lie inside its %d-byte item", ErrField, f.Name, itemSize)
	}
	outer := fieldType{base: inner.base, shape: f.Shape, strides: contiguousStrides(f.Shape, itemSize, false)}
	if f.Offset < 0 || extent(fieldType{base: f.Type, shape: outer.shape, strides: outer.strides}) > dt.ItemSize-f.Offset {
		return fieldType{}, 0, fmt.Errorf("%w: field %q at offset %d does not lie inside the %d-byte record", ErrField, f.Name, f.Offset, dt.ItemSize)
	}
	outer.shape = append(append([]int{}, f.Shape...), inner.shape...)
	outer.strides = append(outer.strides, inner.strides...)
	return outer, f.Offset + offset, nil
}

// extent is the number of bytes from a field's first item to the end of its
// last one.
func extent(ft fieldType) int {
	end := ft.base.ItemSize
	for i, n := range ft.shape {
		if n == 0 {
			return 0
		}
		end += (n - 1) * ft.strides[i]
	}
	return end
}

func fieldNames(dt npyheader.DType) string {
	names := make([]string, len(dt.Fields))
	for i, f := range dt.Fields {
		names[i] = fmt.Sprintf("%q", f.Name)
	}
	return strings.Join(names, ", ")
}
