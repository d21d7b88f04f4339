package npyheader_test

import (
	"fmt"

	"github.com/go-memmap/memmap/npyheader"
)

func Example() {
	// The first bytes of a file written by np.save(f, np.zeros((3, 4))).
	prefix := []byte("\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }" +
		"                                                          \n")
	h, err := npyheader.Parse(prefix)
	if err != nil {
		panic(err)
	}
	size, _ := h.DataSize()
	fmt.Println(h.Version, h.DType, h.FortranOrder, h.Shape, h.DataOffset, size)
	fmt.Println(h.DType.Kind, h.DType.Order, h.DType.ItemSize)

	d, err := npyheader.ParseDescr("[('x', '<i4', (2,)), ('', '|V4'), (('Y value', 'y'), '>f8')]")
	if err != nil {
		panic(err)
	}
	fmt.Println(d.ItemSize, d.IsNative())
	for _, f := range d.Fields {
		fmt.Printf("%s %q %s %v at %d\n", f.Name, f.Title, f.Type, f.Shape, f.Offset)
	}
	fmt.Println(d)

	_, err = npyheader.ParseDescr("|O")
	fmt.Println(err)
	o, _ := npyheader.ParseDescr("|O")
	fmt.Println(o.CheckMappable())
	// Output:
	// 1.0 <f8 false [3 4] 128 96
	// float little-endian 8
	// 20 false
	// x "" <i4 [2] at 0
	// y "Y value" >f8 [] at 12
	// [('x', '<i4', (2,)), ('', '|V4'), (('Y value', 'y'), '>f8')]
	// <nil>
	// npyheader: pickled object arrays are not supported: dtype |O holds Python objects; nothing in this project unpickles
}
