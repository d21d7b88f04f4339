package compute

import (
	"fmt"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// WriteNPY writes the groups to a new .npy file at path (an existing one is
// overwritten), a 1-D array of records that np.load reads:
//
//	[('key', K), ('count', '<i8'), ('sum', '<f8'), ('mean', '<f8'), ('min', V), ('max', V)]
//
// K is the keys' dtype (for GroupByTime, M8 of the truncation unit) and V
// the values' dtype, both in this machine's byte order ('<' shown). It is
// made with mmarray.Create, so its errors are Create's and Flush's.
func (g *Groups[Key, V]) WriteNPY(path string) error {
	native := npyheader.NativeOrder()
	descr := fmt.Sprintf("[('key', '%s'), ('count', '%ci8'), ('sum', '%cf8'), ('mean', '%cf8'), ('min', '%s'), ('max', '%s')]",
		nativeDType(g.keyDType), native, native, native, nativeDType(g.valueDType), nativeDType(g.valueDType))
	f, err := mmarray.Create(path, descr, []int{len(g.Groups)})
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
	count, err := mmarray.Field[int64](rows, "count")
	if err != nil {
		return err
	}
	sum, err := mmarray.Field[float64](rows, "sum")
	if err != nil {
		return err
	}
	mean, err := mmarray.Field[float64](rows, "mean")
	if err != nil {
		return err
	}
	lo, err := mmarray.Field[V](rows, "min")
	if err != nil {
		return err
	}
	hi, err := mmarray.Field[V](rows, "max")
	if err != nil {
		return err
	}
	for i, gr := range g.Groups {
		key.Set1(gr.Key, i)
		count.Set1(gr.Count, i)
		sum.Set1(gr.Sum, i)
		mean.Set1(gr.Mean, i)
		lo.Set1(gr.Min, i)
		hi.Set1(gr.Max, i)
	}
	return nil
}
