package compute_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func isFloatType[T compute.Real]() bool {
	if reflect.TypeFor[T]() == reflect.TypeFor[mmarray.Float16]() {
		return true
	}
	k := reflect.TypeFor[T]().Kind()
	return k == reflect.Float32 || k == reflect.Float64
}

// asFloat converts a floating-point element to float64.
func asFloat[T compute.Real](v T) float64 {
	switch x := any(v).(type) {
	case mmarray.Float16:
		return x.Float64()
	case float32:
		return float64(x)
	case float64:
		return x
	}
	panic("asFloat of a " + reflect.TypeFor[T]().String())
}

// intString formats an integer or bool element as Python's str(int(x)).
func intString[T compute.Real](v T) string {
	if b, ok := any(v).(bool); ok {
		if b {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v)
}
