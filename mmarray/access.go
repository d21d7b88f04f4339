package mmarray

// The fixed-rank accessors. Their fast path (a view read in place, indices
// in range) is inlined into the caller's loop; see at1 in unsafe.go.

// At1 returns element i of a 1-D view, as At(i) does: a negative index
// counts from the end, and an index out of range, a view of another rank
// or a closed File panic with a *memmap.Misuse. On a native, aligned view
// (the usual case) the call is inlined into the caller and costs a bounds
// check, a check that the File is open, and one load; for that, a nil
// *Array panics with Go's nil dereference rather than a *memmap.Misuse (as
// in At2, Set1, Set2, ItemBytes1 and ItemBytes2).
func (a *Array[T]) At1(i int) T { return at1(a, i, (*viewCore).load1) }

// At2 returns element (i, j) of a 2-D view, as At(i, j) does; see At1.
func (a *Array[T]) At2(i, j int) T { return at2(a, i, j, (*viewCore).load2) }

// At3 returns element (i, j, k) of a 3-D view, as At(i, j, k) does; see
// At1.
func (a *Array[T]) At3(i, j, k int) T { return at3(a, i, j, k, (*viewCore).load3) }

// Set1 stores v at index i of a 1-D view, as Set(v, i) does: it panics on
// a ReadOnly file, an index out of range, a view of another rank or a
// closed File. On a native, aligned view the call is inlined.
func (a *Array[T]) Set1(v T, i int) { set1(a, v, i, (*viewCore).store1) }

// Set2 stores v at (i, j) of a 2-D view, as Set(v, i, j) does; see Set1.
func (a *Array[T]) Set2(v T, i, j int) { set2(a, v, i, j, (*viewCore).store2) }

// Set3 stores v at (i, j, k) of a 3-D view, as Set(v, i, j, k) does; see
// Set1.
func (a *Array[T]) Set3(v T, i, j, k int) { set3(a, v, i, j, k, (*viewCore).store3) }

// ItemBytes returns the bytes of the item at idx (one index per axis,
// negative ones counting from the end) as they lie in the mapping, without
// copying or decoding: DType().ItemSize bytes, in the file's byte order.
// It is the allocation-free way to read string and record views: for an
// S<n> item NumPy's value is these bytes without their trailing NULs
// (bytes.TrimRight(b, "\x00")), for a U<n> item UCS-4 code points (see
// AppendTo), for V<n> and records the bytes themselves.
//
// The slice aliases the mapping, as Contiguous's does: it is valid until
// the File is closed and its capacity ends with the item. Writing through
// it changes the file in ReadWrite mode and private memory in CopyOnWrite
// mode; it faults for a file opened ReadOnly (its pages are mapped
// read-only), and for a ReadOnly File from OpenBytes or OpenRawBytes nothing stops it.
// An index out of range panics, as At does.
func (a *Array[T]) ItemBytes(idx ...int) []byte {
	a.checkMade()
	return a.itemBytes(idx...)
}

// ItemBytes1 is ItemBytes(i) for a 1-D view, without the variadic index:
// on a view of any dtype with an index in range, the call is inlined into
// the caller and costs a bounds check, a check that the File is open and
// no allocation.
func (a *Array[T]) ItemBytes1(i int) []byte {
	return itemBytes1(&a.viewCore, i, (*viewCore).itemBytesSlow1)
}

// ItemBytes2 is ItemBytes(i, j) for a 2-D view; see ItemBytes1.
func (a *Array[T]) ItemBytes2(i, j int) []byte {
	return itemBytes2(&a.viewCore, i, j, (*viewCore).itemBytesSlow2)
}

func (c *viewCore) itemBytesSlow1(i int) []byte { return c.itemBytes(i) }

func (c *viewCore) itemBytesSlow2(i, j int) []byte { return c.itemBytes(i, j) }

// itemBytes is ItemBytes, for every element type.
func (c *viewCore) itemBytes(idx ...int) []byte {
	off := c.byteOffset(idx)
	return c.data[off : off+c.info.size : off+c.info.size]
}

// AppendTo appends the element at idx to dst and returns the extended
// slice, without allocating when dst has room: for string and []byte views
// the bytes At would return (an S<n> item without trailing NULs, a U<n>
// item as UTF-8, a V<n> or record item whole), for other views the item's
// bytes as ItemBytes gives them. It panics as At does.
func (a *Array[T]) AppendTo(dst []byte, idx ...int) []byte {
	item := a.ItemBytes(idx...)
	switch a.info.codec {
	case codecBytes:
		return append(dst, trimNULs(item)...)
	case codecUCS4:
		return appendUCS4(dst, item, a.swap)
	}
	return append(dst, item...)
}
