package nprepr

import (
	"strconv"

	"github.com/go-memmap/memmap/internal/pyrepr"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// Table is an array's rows as text columns: the array's first axis is the
// rows (a 0-d array has one row), and each column is either the whole
// array (Name "") or one top-level field of a structured dtype.
type Table struct {
	Rows    int
	Columns []Column
}

// Column formats one column of a Table.
type Column struct {
	// Name is the field's name, or "" for a simple dtype.
	Name string
	// Append appends the text of row i: one element as NumPy prints it, or,
	// where the column has more axes than the rows (a 2-D array, a subarray
	// field), the elements of the row in nested brackets, separated by
	// spaces, as in NumPy's str of an array: "[1.0 2.5]". A row of more
	// than 1000 elements is summarized as NumPy does, with the first and
	// last 3 of each axis around "...", so a row's text stays small.
	Append func(dst []byte, row int) []byte
}

// Columns returns f's rows as text columns. It fails only when a view
// cannot be made (a closed File: memmap.ErrClosed).
func Columns(f *mmarray.File) (Table, error) {
	shape := f.Shape()
	t := Table{Rows: 1}
	lead := 0
	if len(shape) > 0 {
		t.Rows, lead = shape[0], 1
	}
	dt := f.DType()
	if !dt.Structured() {
		cell, err := cellOf(source{file: f}, dt, lead)
		if err != nil {
			return Table{}, err
		}
		t.Columns = []Column{{Append: cell}}
		return t, nil
	}
	rows, err := mmarray.View[[]byte](f)
	if err != nil {
		return Table{}, err
	}
	for _, fl := range dt.Fields {
		cell, err := fieldCell(rows, fl, fl.Name, lead)
		if err != nil {
			return Table{}, err
		}
		t.Columns = append(t.Columns, Column{Name: fl.Name, Append: cell})
	}
	return t, nil
}

// source is where a view comes from: the File itself, or a field of a
// structured view named by its path.
type source struct {
	file *mmarray.File
	rows *mmarray.Array[[]byte]
	path string
}

func viewOf[T mmarray.Element](s source) (*mmarray.Array[T], error) {
	if s.file != nil {
		return mmarray.View[T](s.file)
	}
	return mmarray.Field[T](s.rows, s.path)
}

// fieldCell formats field fl (at path) of rows; a nested record that is
// not a subarray prints as NumPy's tuple of its fields, "(1, b'x')".
func fieldCell(rows *mmarray.Array[[]byte], fl npyheader.Field, path string, lead int) (func([]byte, int) []byte, error) {
	if !fl.Type.Structured() || len(fl.Shape) > 0 {
		return cellOf(source{rows: rows, path: path}, fl.Type, lead)
	}
	parts := make([]func([]byte, int) []byte, len(fl.Type.Fields))
	for i, sub := range fl.Type.Fields {
		cell, err := fieldCell(rows, sub, path+"."+sub.Name, lead)
		if err != nil {
			return nil, err
		}
		parts[i] = cell
	}
	return func(dst []byte, row int) []byte {
		return AppendTuple(dst, len(parts), func(dst []byte, i int) []byte { return parts[i](dst, row) })
	}, nil
}

// cellOf picks the Go type and the formatting for dtype dt.
func cellOf(s source, dt npyheader.DType, lead int) (func([]byte, int) []byte, error) {
	switch {
	case dt.Kind == npyheader.Bool:
		return cells(s, lead, AppendBool)
	case dt.Kind == npyheader.Int && dt.ItemSize == 1:
		return cells(s, lead, func(d []byte, v int8) []byte { return strconv.AppendInt(d, int64(v), 10) })
	case dt.Kind == npyheader.Int && dt.ItemSize == 2:
		return cells(s, lead, func(d []byte, v int16) []byte { return strconv.AppendInt(d, int64(v), 10) })
	case dt.Kind == npyheader.Int && dt.ItemSize == 4:
		return cells(s, lead, func(d []byte, v int32) []byte { return strconv.AppendInt(d, int64(v), 10) })
	case dt.Kind == npyheader.Int && dt.ItemSize == 8:
		return cells(s, lead, func(d []byte, v int64) []byte { return strconv.AppendInt(d, int64(v), 10) })
	case dt.Kind == npyheader.Uint && dt.ItemSize == 1:
		return cells(s, lead, func(d []byte, v uint8) []byte { return strconv.AppendUint(d, uint64(v), 10) })
	case dt.Kind == npyheader.Uint && dt.ItemSize == 2:
		return cells(s, lead, func(d []byte, v uint16) []byte { return strconv.AppendUint(d, uint64(v), 10) })
	case dt.Kind == npyheader.Uint && dt.ItemSize == 4:
		return cells(s, lead, func(d []byte, v uint32) []byte { return strconv.AppendUint(d, uint64(v), 10) })
	case dt.Kind == npyheader.Uint && dt.ItemSize == 8:
		return cells(s, lead, func(d []byte, v uint64) []byte { return strconv.AppendUint(d, uint64(v), 10) })
	case dt.Kind == npyheader.Float && dt.ItemSize == 2:
		return cells(s, lead, func(d []byte, v mmarray.Float16) []byte { return AppendFloat(d, v.Float64(), 16) })
	case dt.Kind == npyheader.Float && dt.ItemSize == 4:
		return cells(s, lead, func(d []byte, v float32) []byte { return AppendFloat(d, float64(v), 32) })
	case dt.Kind == npyheader.Float && dt.ItemSize == 8:
		return cells(s, lead, func(d []byte, v float64) []byte { return AppendFloat(d, v, 64) })
	case dt.Kind == npyheader.Complex && dt.ItemSize == 8:
		return cells(s, lead, func(d []byte, v complex64) []byte {
			return AppendComplex(d, float64(real(v)), float64(imag(v)), 32)
		})
	case dt.Kind == npyheader.Complex && dt.ItemSize == 16:
		return cells(s, lead, func(d []byte, v complex128) []byte { return AppendComplex(d, real(v), imag(v), 64) })
	case dt.Kind == npyheader.Datetime:
		return cells(s, lead, func(d []byte, v mmarray.Datetime64) []byte { return AppendDatetime(d, int64(v), dt.Unit) })
	case dt.Kind == npyheader.Timedelta:
		return cells(s, lead, func(d []byte, v mmarray.Timedelta64) []byte { return AppendTimedelta(d, int64(v), dt.Unit) })
	case dt.Kind == npyheader.Unicode:
		return cells(s, lead, pyrepr.AppendStr)
	default: // S<n>, V<n>, longdouble: the item's bytes
		return cells(s, lead, pyrepr.AppendBytes)
	}
}

// Summarizing follows NumPy's print options: an array of more than
// summaryThreshold elements shows edgeItems at each end of every axis,
// with "..." between.
const (
	summaryThreshold = 1000
	edgeItems        = 3
)

// AppendNested appends an array of the given shape as NumPy's str prints
// it, on one line: the elements in nested brackets, one level per axis,
// separated by spaces ("[[1 2] [3 4]]"), each appended by elem given its
// index along every axis (a slice elem must not keep). An array of more
// than 1000 elements is summarized as NumPy does, with the first and last 3
// of each axis around "...". A 0-d shape is the one element, unbracketed;
// an empty array of any shape is "[]", as NumPy prints it.
func AppendNested(dst []byte, shape []int, elem func(dst []byte, idx []int) []byte) []byte {
	size := 1
	for _, n := range shape {
		size *= n
	}
	if size == 0 && len(shape) > 0 {
		return append(dst, "[]"...)
	}
	summarize := size > summaryThreshold
	idx := make([]int, len(shape))
	var walk func(dst []byte, axis int) []byte
	walk = func(dst []byte, axis int) []byte {
		if axis == len(shape) {
			return elem(dst, idx)
		}
		dst = append(dst, '[')
		n := shape[axis]
		for i := 0; i < n; i++ {
			if i > 0 {
				dst = append(dst, ' ')
			}
			if summarize && n > 2*edgeItems && i == edgeItems {
				dst = append(dst, "..."...)
				i = n - edgeItems - 1
				continue
			}
			idx[axis] = i
			dst = walk(dst, axis+1)
		}
		return append(dst, ']')
	}
	return walk(dst, 0)
}

// cells makes the row formatter of a view of type T whose first lead
// axes (0 or 1) are the rows.
func cells[T mmarray.Element](s source, lead int, elem func([]byte, T) []byte) (func([]byte, int) []byte, error) {
	a, err := viewOf[T](s)
	if err != nil {
		return nil, err
	}
	shape := a.Shape()
	idx := make([]int, len(shape))
	return func(dst []byte, row int) []byte {
		if lead == 1 {
			idx[0] = row
		}
		return AppendNested(dst, shape[lead:], func(dst []byte, rowIdx []int) []byte {
			copy(idx[lead:], rowIdx)
			return elem(dst, a.At(idx...))
		})
	}, nil
}
