// Package formula is the Go side of the value formula of the module's tests:
// Value[T](k) is element k of formula_array in testdata/formula.py, the
// formula the golden files were generated with and that every NumPy script
// run by numpytest.Run can call. Check and Fill compare and write whole
// arrays with it.
//
// k is the flat row-major (C-order) index of the logical element, whatever
// the array's memory order: element k of an array of shape s is at
// Unravel(k, s).
//
//	bool     k % 3 == 0
//	int      int64(k*7 - 5) converted to the type, wrapping around
//	float    k*0.5 - 3.25, rounded to the type (as NumPy does: exact up to
//	         k = 1030 in Float16, far beyond in float32 and float64)
//	complex  (k*0.5 - 3.25) + (k*0.25 + 1)i
//
// # Caveats
//
// Only the numeric types have a formula, as in formula.py, and only the Go
// types that view them (Number): not strings, datetimes or records, nor a
// named type of the caller's whose underlying type is numeric. Check and
// Fill go element by element
// through At and Set, which is right for the small arrays of tests and slow
// for millions of elements.
package formula

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/mmarray"
)

// Number is the set of element types the formula covers.
type Number interface {
	bool | int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 |
		mmarray.Float16 | float32 | float64 | complex64 | complex128
}

// Value is element k of the shared value formula, as type T.
func Value[T Number](k int) T {
	i := int64(k)*7 - 5
	x := float64(k)*0.5 - 3.25
	var v any
	switch any(*new(T)).(type) {
	case bool:
		v = k%3 == 0
	case int8:
		v = int8(i)
	case int16:
		v = int16(i)
	case int32:
		v = int32(i)
	case int64:
		v = i
	case uint8:
		v = uint8(i)
	case uint16:
		v = uint16(i)
	case uint32:
		v = uint32(i)
	case uint64:
		v = uint64(i)
	case mmarray.Float16:
		v = mmarray.Float16FromFloat64(x)
	case float32:
		v = float32(x)
	case float64:
		v = x
	case complex64:
		v = complex64(complex(x, float64(k)*0.25+1))
	case complex128:
		v = complex(x, float64(k)*0.25+1)
	}
	return v.(T)
}

// LittleEndian is the data of elements 0 to n-1 of the formula as type T,
// little-endian, as NumPy stores a C-order array of the "<" dtype.
func LittleEndian[T Number](n int) []byte {
	values := make([]T, n)
	for k := range values {
		values[k] = Value[T](k)
	}
	b, err := binary.Append(nil, binary.LittleEndian, values)
	if err != nil {
		panic(err) // unreachable: every Number has a fixed size
	}
	return b
}

// Unravel turns a flat C-order index into one index per axis of shape.
func Unravel(k int, shape []int) []int {
	idx := make([]int, len(shape))
	for axis := len(shape) - 1; axis >= 0; axis-- {
		idx[axis] = k % shape[axis]
		k /= shape[axis]
	}
	return idx
}

// nextIndex advances idx to the next index of shape in C order, as Unravel
// of the next k would give, without allocating.
func nextIndex(idx, shape []int) {
	for axis := len(idx) - 1; axis >= 0; axis-- {
		idx[axis]++
		if idx[axis] < shape[axis] {
			return
		}
		idx[axis] = 0
	}
}

// Check requires every element of f's whole array, viewed as T, to be the
// formula's, read through At, Values and CopyTo. It compares in plain Go and
// reports each way of reading that differs once, with its count of
// mismatches and the first few.
func Check[T Number](t testing.TB, f *mmarray.File) {
	t.Helper()
	a, err := mmarray.View[T](f)
	if err != nil {
		t.Fatalf("view %s as %T: %v", f.Path(), *new(T), err)
	}
	shape := a.Shape()
	if !slices.Equal(f.Shape(), shape) {
		t.Errorf("view of %s has shape %v, the file %v", f.Path(), shape, f.Shape())
	}
	n := a.Len()

	var at mismatches
	idx := make([]int, len(shape))
	for k := range n {
		if got, want := a.At(idx...), Value[T](k); got != want {
			at.add(k, got, want)
		}
		nextIndex(idx, shape)
	}
	at.report(t, "At", f, n)

	var values mismatches
	k := 0
	for got := range a.Values() {
		if want := Value[T](k); got != want {
			values.add(k, got, want)
		}
		k++
	}
	if k != n {
		t.Errorf("Values of %s yields %d elements, want %d", f.Path(), k, n)
	}
	values.report(t, "Values", f, n)

	var copied mismatches
	dst := make([]T, n)
	if got := a.CopyTo(dst); got != n {
		t.Errorf("CopyTo of %s copies %d elements, want %d", f.Path(), got, n)
	}
	for k, got := range dst {
		if want := Value[T](k); got != want {
			copied.add(k, got, want)
		}
	}
	copied.report(t, "CopyTo", f, n)
}

// Fill writes the formula into every element of f's whole array, viewed as
// T, through Set (f must be writable).
func Fill[T Number](t testing.TB, f *mmarray.File) {
	t.Helper()
	a, err := mmarray.View[T](f)
	if err != nil {
		t.Fatalf("view %s as %T: %v", f.Path(), *new(T), err)
	}
	shape := a.Shape()
	idx := make([]int, len(shape))
	for k := range a.Len() {
		a.Set(Value[T](k), idx...)
		nextIndex(idx, shape)
	}
}

// mismatches counts the elements that differ from the formula and keeps the
// first few for the message, so a check fails once, not once per element.
type mismatches struct {
	count int
	first []string
}

const mismatchesShown = 5

func (m *mismatches) add(k int, got, want any) {
	m.count++
	if len(m.first) < mismatchesShown {
		m.first = append(m.first, fmt.Sprintf("element %d is %v, want %v", k, got, want))
	}
}

func (m *mismatches) report(t testing.TB, how string, f *mmarray.File, of int) {
	t.Helper()
	if m.count > 0 {
		t.Errorf("%s of %s: %d of %d elements differ from the formula: %s", how, f.Path(), m.count, of, strings.Join(m.first, "; "))
	}
}
