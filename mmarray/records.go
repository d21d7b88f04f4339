package mmarray

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/npyheader"
)

// Records returns the whole records of a structured view as a plain Go
// slice of structs, without copying: element i is rows' record i, in the
// mapped memory. It is the record accessor to Field's columns, and works
// when the Go struct S has exactly the record's memory layout:
//
//   - unsafe.Sizeof(S{}) is the dtype's item size;
//   - every named field of S matches a field of the dtype, by its `npy`
//     tag, else by its name, else by its name ignoring case, at the same
//     byte offset; blank (_) fields and dtype fields S leaves out are
//     padding to Records;
//   - a field's Go type views the dtype field as View would (int32 for
//     <i4, Float16 for <f2, Datetime64 for <M8[ns], ...), in native byte
//     order; an S<n> or V<n> field is a [n]byte; a subarray field is a Go
//     array of the same shape ([2][3]float32 for ('<f4', (2, 3))); a nested
//     record is a nested struct following the same rules. Bool fields are
//     refused (a NumPy bool byte may be any nonzero value, which a Go bool
//     must not hold): use uint8;
//   - rows is C-contiguous and its data is aligned for S.
//
// For example, np.dtype([('x', '<f8'), ('y', '<f8'), ('id', '<i4')],
// align=True), 24 bytes, is the struct below: Go lays fields out and pads
// them as C does, and so does NumPy's align=True. A packed dtype (align
// False) matches only when its fields happen to fall on aligned offsets.
//
//	type Point struct {
//		X, Y float64
//		ID   int32 `npy:"id"`
//	}
//
// Otherwise the error wraps ErrDTypeMismatch and says which field differs;
// after Close it wraps memmap.ErrClosed.
// Go's layout depends on the platform: on 32-bit platforms 8-byte fields
// align to 4, so a record with them may need explicit padding fields there
// (the check refuses, never misreads).
//
// The slice is valid until the File is closed, as Contiguous's is. Writing
// through it faults for a file opened ReadOnly (the pages are mapped
// read-only); for a ReadOnly File from OpenBytes or OpenRawBytes, nothing stops it.
func Records[S any](rows *Array[[]byte]) ([]S, error) {
	rows.checkMade()
	if rows.file.isClosed() {
		return nil, fmt.Errorf("records of %s: %w", rows.file.path, memmap.ErrClosed)
	}
	t := reflect.TypeFor[S]()
	if !pointerFree(t) {
		// The garbage collector would read the file's bytes as pointers.
		return nil, fmt.Errorf("records of %s as %s: %w: the type holds pointers, strings, slices or interfaces, which mapped memory must never contain", rows.file.path, t, ErrDTypeMismatch)
	}
	if err := matchRecord(t, rows.dtype); err != nil {
		return nil, fmt.Errorf("records of %s as %s: %w", rows.file.path, t, err)
	}
	if !rows.isContiguous() {
		return nil, fmt.Errorf("records of %s as %s: %w: the view is not C-contiguous (strides %v)", rows.file.path, t, ErrDTypeMismatch, rows.strides)
	}
	n := rows.count()
	if n == 0 {
		return []S{}, nil
	}
	if addressOf(rows.data, rows.offset)%uintptr(t.Align()) != 0 {
		return nil, fmt.Errorf("records of %s as %s: %w: the data is not aligned for %s (alignment %d)", rows.file.path, t, ErrDTypeMismatch, t, t.Align())
	}
	return recordsAt[S](rows.data, rows.offset, n), nil
}

// pointerFree reports whether t holds only plain bits: no pointer, string,
// slice, map, channel, function or interface anywhere, padding fields
// included.
func pointerFree(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return pointerFree(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !pointerFree(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// matchRecord checks that Go struct type t has the memory layout of the
// structured dtype dt.
func matchRecord(t reflect.Type, dt npyheader.DType) error {
	if t.Kind() != reflect.Struct {
		return fmt.Errorf("%w: %s is not a struct", ErrDTypeMismatch, t)
	}
	if !dt.Structured() {
		return fmt.Errorf("%w: dtype %s is not structured", ErrDTypeMismatch, dt)
	}
	if int(t.Size()) != dt.ItemSize {
		return fmt.Errorf("%w: %s is %d bytes, the record %d", ErrDTypeMismatch, t, t.Size(), dt.ItemSize)
	}
	for i := range t.NumField() {
		gf := t.Field(i)
		if gf.Name == "_" {
			continue
		}
		f, ok := recordField(dt, gf)
		if !ok {
			return fmt.Errorf("%w: field %s of %s matches no field of the dtype (fields: %s)", ErrDTypeMismatch, gf.Name, t, fieldNames(dt))
		}
		if int(gf.Offset) != f.Offset {
			return fmt.Errorf("%w: field %s is at byte %d of %s, %q at byte %d of the record", ErrDTypeMismatch, gf.Name, gf.Offset, t, f.Name, f.Offset)
		}
		if err := matchFieldType(gf.Type, f.Type, f.Shape); err != nil {
			return fmt.Errorf("field %s (%q): %w", gf.Name, f.Name, err)
		}
	}
	return nil
}

// recordField finds the dtype field a Go struct field stands for.
func recordField(dt npyheader.DType, gf reflect.StructField) (npyheader.Field, bool) {
	if name, ok := gf.Tag.Lookup("npy"); ok {
		return lookupField(dt, name)
	}
	if f, ok := lookupField(dt, gf.Name); ok {
		return f, true
	}
	for _, f := range dt.Fields {
		if strings.EqualFold(f.Name, gf.Name) {
			return f, true
		}
	}
	return npyheader.Field{}, false
}

// matchFieldType checks that Go type t holds a field of dtype dt with
// subarray shape shape, byte for byte.
func matchFieldType(t reflect.Type, dt npyheader.DType, shape []int) error {
	for axis, n := range shape {
		if t.Kind() != reflect.Array || t.Len() != n {
			return fmt.Errorf("%w: %s cannot hold subarray shape %v (axis %d has %d items)", ErrDTypeMismatch, t, shape, axis, n)
		}
		t = t.Elem()
	}
	switch {
	case dt.Structured():
		return matchRecord(t, dt)
	case dt.Kind == npyheader.Bytes || dt.Kind == npyheader.Void:
		if t.Kind() != reflect.Array || t.Elem().Kind() != reflect.Uint8 || t.Len() != dt.ItemSize {
			return fmt.Errorf("%w: %s holds a %s as [%d]byte, not %s", ErrDTypeMismatch, dt, dt, dt.ItemSize, t)
		}
		return nil
	case dt.Kind == npyheader.Bool:
		return fmt.Errorf("%w: a bool field must be read as uint8 in a record: a NumPy bool byte may hold any nonzero value", ErrDTypeMismatch)
	}
	// Strings and slices never get here: pointerFree refused them.
	info, err := elementInfoFor(t, dt)
	if err != nil {
		return err
	}
	if !dt.IsNative() && info.size > 1 {
		return fmt.Errorf("%w: %s is not in this machine's byte order: view the field with Field instead", ErrDTypeMismatch, dt)
	}
	return nil
}
