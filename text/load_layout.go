package text

import (
	"fmt"
	"math"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/npyheader"
)

// column says how one field of a row is parsed and where its item goes in
// the row's record.
type column struct {
	kind   npyheader.Kind
	size   int  // bytes of the item
	offset int  // of the item in the record
	big    bool // big-endian item
	// lo and hi bound Int and Uint items.
	lo int64
	hi uint64
	// name is the dtype as NumPy's messages print it ("float64", "<U3").
	name string
}

// layout is what the dtype and the options make of a row: the columns
// read, where their items go, and which converters apply.
type layout struct {
	dtype      npyheader.DType
	structured bool
	item       column   // a homogeneous dtype's column, offset 0
	fieldCols  []column // a structured dtype's columns, one per item
	useCols    []int    // nil: the row's fields in order
	convByCol  map[int]Converter

	// Set by fix once the first row is seen (at once when structured or
	// with usecols): the columns read from each row, their converters (nil
	// for none) and the bytes of a record.
	ncols   int // -1 until known
	cols    []column
	conv    []Converter
	rowSize int
}

// newLayout checks that dt can be parsed from text and lays out its
// columns; with usecols or a structured dtype the columns are known before
// any row is read.
func newLayout(dt npyheader.DType, useCols []int, hasUseCols bool, conv map[int]Converter) (*layout, error) {
	l := &layout{dtype: dt, structured: dt.Structured(), ncols: -1, convByCol: conv}
	if hasUseCols {
		l.useCols = append([]int{}, useCols...)
	}
	if l.structured {
		for _, f := range dt.Fields {
			c, err := columnOf(f.Type)
			if err != nil {
				return nil, fmt.Errorf("field %q: %w", f.Name, err)
			}
			n := 1
			for _, d := range f.Shape {
				n *= d
			}
			for k := 0; k < n; k++ {
				c.offset = f.Offset + k*c.size
				l.fieldCols = append(l.fieldCols, c)
			}
		}
		if hasUseCols && len(useCols) != len(l.fieldCols) {
			return nil, fmt.Errorf("usecols has %d columns for a dtype of %d: %w", len(useCols), len(l.fieldCols), ErrColumns)
		}
		l.fix(len(l.fieldCols))
		return l, nil
	}
	c, err := columnOf(dt)
	if err != nil {
		return nil, err
	}
	l.item = c
	if hasUseCols {
		l.fix(len(useCols))
	}
	return l, nil
}

// fix lays out rows of n columns.
func (l *layout) fix(n int) {
	l.ncols = n
	l.cols = make([]column, n)
	l.conv = make([]Converter, n)
	if l.structured {
		copy(l.cols, l.fieldCols)
		l.rowSize = l.dtype.ItemSize
	} else {
		for i := range l.cols {
			l.cols[i] = l.item
			l.cols[i].offset = i * l.item.size
		}
		l.rowSize = n * l.item.size
	}
	for i := range l.conv {
		l.conv[i] = l.convByCol[l.fileCol(i)]
	}
}

// fileCol is the column of the input that column i of the result is read
// from, as written in usecols (so possibly negative).
func (l *layout) fileCol(i int) int {
	if l.useCols != nil {
		return l.useCols[i]
	}
	return i
}

// rowShape is the shape of one row of the result: (columns,) for a simple
// dtype, () for a structured one.
func (l *layout) rowShape() []int {
	if l.structured {
		return []int{}
	}
	n := l.ncols
	if n < 0 {
		n = 1 // an input without rows reads as one column, as in NumPy
	}
	return []int{n}
}

// columnOf lays out one item of the simple dtype dt.
func columnOf(dt npyheader.DType) (column, error) {
	c := column{kind: dt.Kind, size: dt.ItemSize, big: dt.Order == npyheader.BigEndian}
	bits := 8 * dt.ItemSize
	ok := false
	switch dt.Kind {
	case npyheader.Bool:
		ok = dt.ItemSize == 1
		c.name = "bool"
	case npyheader.Int:
		ok = dt.ItemSize == 1 || dt.ItemSize == 2 || dt.ItemSize == 4 || dt.ItemSize == 8
		if ok {
			c.lo, c.hi = math.MinInt64>>(64-bits), uint64(math.MaxInt64>>(64-bits))
			c.name = fmt.Sprintf("int%d", bits)
		}
	case npyheader.Uint:
		ok = dt.ItemSize == 1 || dt.ItemSize == 2 || dt.ItemSize == 4 || dt.ItemSize == 8
		if ok {
			c.hi = math.MaxUint64 >> (64 - bits)
			c.name = fmt.Sprintf("uint%d", bits)
		}
	case npyheader.Float:
		ok = dt.ItemSize == 4 || dt.ItemSize == 8
		c.name = fmt.Sprintf("float%d", bits)
	case npyheader.Complex:
		ok = dt.ItemSize == 8 || dt.ItemSize == 16
		c.name = fmt.Sprintf("complex%d", bits)
	case npyheader.Bytes, npyheader.Unicode:
		// S0 and U0 are NumPy's "find the length" dtypes, which need a
		// pass over all the data before the first record can be written.
		ok = dt.ItemSize > 0
		c.name = dt.String()
	}
	if !ok {
		return column{}, fmt.Errorf("dtype %s cannot be read from text: %w", dt, memmap.ErrUnsupported)
	}
	if c.big && c.kind != npyheader.Bytes {
		c.name = dt.String() // NumPy names a non-native dtype by its type string
	}
	return c, nil
}
