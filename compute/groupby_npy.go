package compute

import (
	"fmt"
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

// groupFields are the aggregate fields of a groups file, in order.
var groupFields = []struct {
	agg  Aggregates
	name string
}{{GroupCount, "count"}, {GroupSum, "sum"}, {GroupMean, "mean"}, {GroupMin, "min"}, {GroupMax, "max"}}

// descr is the groups file's record dtype: the key and the fields asked
// for.
func (g *Groups[Key, V]) descr() string {
	native := npyheader.NativeOrder()
	var b strings.Builder
	fmt.Fprintf(&b, "[('key', '%s')", nativeDType(g.keyDType))
	for _, f := range groupFields {
		if g.aggregates.orAll()&f.agg == 0 {
			continue
		}
		var dt string
		switch f.agg {
		case GroupCount:
			dt = string(native) + "i8"
		case GroupSum, GroupMean:
			dt = string(native) + "f8"
		default:
			dt = nativeDType(g.valueDType)
		}
		fmt.Fprintf(&b, ", ('%s', '%s')", f.name, dt)
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
	key, err := mmarray.Field[Key](rows, "key")
	if err != nil {
		return err
	}
	for i, gr := range g.Groups {
		key.Set1(gr.Key, i)
	}
	aggs := g.aggregates.orAll()
	if aggs&GroupCount != 0 {
		if err := fillField(rows, "count", g.Groups, func(gr *Group[Key, V]) int64 { return gr.Count }); err != nil {
			return err
		}
	}
	if aggs&GroupSum != 0 {
		if err := fillField(rows, "sum", g.Groups, func(gr *Group[Key, V]) float64 { return gr.Sum }); err != nil {
			return err
		}
	}
	if aggs&GroupMean != 0 {
		if err := fillField(rows, "mean", g.Groups, func(gr *Group[Key, V]) float64 { return gr.Mean }); err != nil {
			return err
		}
	}
	if aggs&GroupMin != 0 {
		if err := fillField(rows, "min", g.Groups, func(gr *Group[Key, V]) V { return gr.Min }); err != nil {
			return err
		}
	}
	if aggs&GroupMax != 0 {
		if err := fillField(rows, "max", g.Groups, func(gr *Group[Key, V]) V { return gr.Max }); err != nil {
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
