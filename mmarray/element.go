package mmarray

import (
	"fmt"
	"reflect"

	"github.com/go-memmap/memmap/npyheader"
)

// Element is the set of Go types a numeric view can have. Platform-sized int,
// uint and uintptr are left out on purpose: a file's layout must not depend
// on the machine reading it.
type Element interface {
	~bool | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 |
		~float32 | ~float64 | ~complex64 | ~complex128
}

// elementInfo describes how T is stored.
type elementInfo struct {
	goType   reflect.Type
	kind     npyheader.Kind
	size     int
	partSize int // size of the unit a byte swap reverses: half of a complex
}

func infoOf[T Element]() elementInfo {
	t := reflect.TypeFor[T]()
	size := int(t.Size())
	switch t.Kind() {
	case reflect.Bool:
		return elementInfo{t, npyheader.Bool, size, size}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return elementInfo{t, npyheader.Int, size, size}
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return elementInfo{t, npyheader.Uint, size, size}
	case reflect.Float32, reflect.Float64:
		return elementInfo{t, npyheader.Float, size, size}
	default: // complex64, complex128
		return elementInfo{t, npyheader.Complex, size, size / 2}
	}
}

// checkDType reports whether elements of type T can view dt.
func (e elementInfo) checkDType(dt npyheader.DType) error {
	if dt.Structured() || dt.Kind != e.kind || dt.ItemSize != e.size {
		return fmt.Errorf("%w: dtype %s cannot be viewed as %s", ErrDTypeMismatch, dt, e.goType)
	}
	return nil
}
