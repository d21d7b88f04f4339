package zarr

import (
	"unsafe"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// mappedData returns the data bytes of src as they lie in its mapping, so
// that a chunk which is one contiguous run of the file is encoded from
// there rather than copied out first. It gives them for the files whose
// whole array mmarray hands out as a plain slice (Contiguous: a C-order,
// native-order, aligned array of numbers), and ok false for any other.
// keep is the view that owns the slice: keep it reachable (runtime.
// KeepAlive) while the bytes are used, as mmarray's Caveats ask.
func mappedData(src *mmarray.File) (data []byte, keep any, ok bool) {
	dt := src.DType()
	switch dt.Kind {
	case npyheader.Int:
		switch dt.ItemSize {
		case 1:
			return mappedBytesOf[int8](src)
		case 2:
			return mappedBytesOf[int16](src)
		case 4:
			return mappedBytesOf[int32](src)
		case 8:
			return mappedBytesOf[int64](src)
		}
	case npyheader.Uint:
		switch dt.ItemSize {
		case 1:
			return mappedBytesOf[uint8](src)
		case 2:
			return mappedBytesOf[uint16](src)
		case 4:
			return mappedBytesOf[uint32](src)
		case 8:
			return mappedBytesOf[uint64](src)
		}
	case npyheader.Float:
		switch dt.ItemSize {
		case 2:
			return mappedBytesOf[mmarray.Float16](src)
		case 4:
			return mappedBytesOf[float32](src)
		case 8:
			return mappedBytesOf[float64](src)
		}
	case npyheader.Complex:
		switch dt.ItemSize {
		case 8:
			return mappedBytesOf[complex64](src)
		case 16:
			return mappedBytesOf[complex128](src)
		}
	}
	return nil, nil, false
}

// mappedBytesOf is mappedData for a file whose dtype T views.
func mappedBytesOf[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 |
	mmarray.Float16 | float32 | float64 | complex64 | complex128](src *mmarray.File) ([]byte, any, bool) {
	view, err := mmarray.View[T](src)
	if err != nil {
		return nil, nil, false
	}
	items, ok := view.Contiguous()
	if !ok {
		return nil, nil, false
	}
	var zero T
	n := len(items) * int(unsafe.Sizeof(zero))
	if n == 0 {
		return []byte{}, view, true
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(items))), n), view, true
}
