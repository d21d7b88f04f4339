package compute

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// WriteNPY writes the groups to a new .npy file at path (an existing one is
// overwritten), a 1-D array of records that np.load reads:
//
//	[('key', K), ('count', '<i8'), ('sum', '<f8'), ('mean', '<f8'), ('min', V), ('max', V)]
//
// K is the keys' dtype (for GroupByTime, M8 of the truncation unit) and V
// the values' dtype, both in this machine's byte order ('<' shown). A
// group-by given WithAggregates has only the key and the fields it was
// asked for, in this order (as pandas' agg(["sum"]) has only that column).
// It is made with mmarray.Create, so its errors are Create's and Flush's.
func (g *Groups[Key, V]) WriteNPY(path string) error {
	f, err := mmarray.Create(path, g.descr(), []int{len(g.Groups)})
	if err != nil {
		return fmt.Errorf("write groups: %w", err)
	}
	if err := g.fill(f); err != nil {
		f.Close()
		return fmt.Errorf("write groups to %s: %w", path, err)
	}
	if err := f.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write groups to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write groups to %s: %w", path, err)
	}
	return nil
}

// groupField is an aggregate field of a groups file: its bit, its name and
// dtype, and how its column is filled from the groups.
type groupField struct {
	agg         Aggregates
	name, dtype string
	fill        func(rows *mmarray.Array[[]byte]) error
}

// fields returns the groups file's aggregate fields asked for, in order.
func (g *Groups[Key, V]) fields() []groupField {
	native, value := string(npyheader.NativeOrder()), nativeDType(g.valueDType)
	all := []groupField{
		{GroupCount, "count", native + "i8", func(rows *mmarray.Array[[]byte]) error {
			return fillField(rows, "count", g.Groups, func(gr *Group[Key, V]) int64 { return gr.Count })
		}},
		{GroupSum, "sum", native + "f8", func(rows *mmarray.Array[[]byte]) error {
			return fillField(rows, "sum", g.Groups, func(gr *Group[Key, V]) float64 { return gr.Sum })
		}},
		{GroupMean, "mean", native + "f8", func(rows *mmarray.Array[[]byte]) error {
			return fillField(rows, "mean", g.Groups, func(gr *Group[Key, V]) float64 { return gr.Mean })
		}},
		{GroupMin, "min", value, func(rows *mmarray.Array[[]byte]) error {
			return fillField(rows, "min", g.Groups, func(gr *Group[Key, V]) V { return gr.Min })
		}},
		{GroupMax, "max", value, func(rows *mmarray.Array[[]byte]) error {
			return fillField(rows, "max", g.Groups, func(gr *Group[Key, V]) V { return gr.Max })
		}},
	}
	asked := g.aggregates.orAll()
	return slices.DeleteFunc(all, func(f groupField) bool { return asked&f.agg == 0 })
}

// descr is the groups file's record dtype: the key and the fields asked
// for.
func (g *Groups[Key, V]) descr() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[('key', '%s')", nativeDType(g.keyDType))
	for _, f := range g.fields() {
		fmt.Fprintf(&b, ", ('%s', '%s')", f.name, f.dtype)
	}
	b.WriteString("]")
	return b.String()
}

// nativeDType is d's descr in this machine's byte order.
func nativeDType(d npyheader.DType) string {
	if d.Order == npyheader.LittleEndian || d.Order == npyheader.BigEndian {
		d.Order = npyheader.NativeOrder()
	}
	return d.String()
}

// fill sets each record of the new file f from a group.
func (g *Groups[Key, V]) fill(f *mmarray.File) error {
	rows, err := mmarray.View[[]byte](f)
	if err != nil {
		return err
	}
	if err := fillField(rows, "key", g.Groups, func(gr *Group[Key, V]) Key { return gr.Key }); err != nil {
		return err
	}
	for _, field := range g.fields() {
		if err := field.fill(rows); err != nil {
			return err
		}
	}
	return nil
}

// fillField sets field name of each record from its group.
func fillField[T mmarray.Element, Key mmarray.Element, V Real](rows *mmarray.Array[[]byte], name string, groups []Group[Key, V],
	field func(*Group[Key, V]) T) error {
	col, err := mmarray.Field[T](rows, name)
	if err != nil {
		return err
	}
	for i := range groups {
		col.Set1(field(&groups[i]), i)
	}
	return nil
}
