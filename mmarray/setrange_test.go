package mmarray_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
)

// TestSetRangeStoresWhereSetWould stores ranges of every layout with
// SetRange and checks every element of the file against a copy written
// element by element with Set: the range's elements changed, no other.
func TestSetRangeStoresWhereSetWould(t *testing.T) {
	t.Parallel()
	for _, file := range []struct {
		name    string
		descr   string
		fortran bool
	}{
		{"native C", "<f8", false},
		{"native Fortran", "<f8", true},
		{"byte-swapped", ">f8", false},
		{"byte-swapped Fortran", ">f8", true},
	} {
		for _, l := range layouts {
			t.Run(file.name+"/"+l.name, func(t *testing.T) {
				t.Parallel()
				got := numpytest.Must(mmarray.View[float64](imageFile[float64](t, file.descr, []int{4, 5, 6}, file.fortran)))
				want := numpytest.Must(mmarray.View[float64](imageFile[float64](t, file.descr, []int{4, 5, 6}, file.fortran)))
				gv, wv := l.make(got), l.make(want)
				n := gv.Len()
				for _, r := range [][2]int{{0, n}, {n / 3, n - n/4}, {n / 2, n / 2}, {n - 1, n}} {
					lo, hi := max(r[0], 0), max(r[1], 0)
					vals := make([]float64, hi-lo)
					for i := range vals {
						vals[i] = -float64(1000*lo + i + 1)
					}
					gv.SetRange(lo, vals)
					for i, v := range vals {
						wv.Set(v, formula.Unravel(lo+i, wv.Shape())...)
					}
				}
				require.Equal(t, slices.Collect(want.Values()), slices.Collect(got.Values()))
			})
		}
	}
}

func TestSetRangeOfOtherDTypes(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, got, want []any) { require.Equal(t, want, got) }
	t.Run("int16 big-endian transposed", func(t *testing.T) {
		a := numpytest.Must(mmarray.View[int16](imageFile[int16](t, ">i2", []int{6, 7}, false))).Transpose()
		vals := []int16{-1, 2, -300, 0x1234, 5, 6, 7, 8, 9}
		a.SetRange(4, vals)
		check(t, anys(elementsByAt(a)[4:13]), anys(vals))
	})
	t.Run("bool", func(t *testing.T) {
		a := numpytest.Must(mmarray.View[bool](imageFile[bool](t, "|b1", []int{300}, false)))
		vals := []bool{true, true, false, true, false}
		a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, -3)).SetRange(1, vals)
		check(t, anys(elementsByAt(a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, -3)))[1:6]), anys(vals))
	})
	t.Run("complex128 transposed", func(t *testing.T) {
		a := numpytest.Must(mmarray.View[complex128](imageFile[complex128](t, ">c16", []int{3, 4}, false))).Transpose()
		vals := []complex128{1 + 2i, -3i, 4}
		a.SetRange(9, vals)
		check(t, anys(elementsByAt(a)[9:]), anys(vals))
	})
	t.Run("U2 strings", func(t *testing.T) {
		a := numpytest.Must(mmarray.View[string](imageFile[string](t, ">U2", []int{9}, false)))
		vals := []string{"é", "zz", ""}
		a.SetRange(6, vals)
		check(t, anys(elementsByAt(a)[6:]), anys(vals))
		requireMisuse(t, "", func() { a.SetRange(0, []string{"abc"}) }, "a string too long for U2")
	})
}

func anys[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func TestSetRangeMisusePanics(t *testing.T) {
	t.Parallel()
	f := imageFile[float64](t, "<f8", []int{4, 5}, false)
	a := numpytest.Must(mmarray.View[float64](f))
	requireMisuse(t, "mmarray: SetRange of 3 elements at 18 is not a range of a view of 20 elements", func() { a.SetRange(18, make([]float64, 3)) })
	requireMisuse(t, "mmarray: SetRange of 0 elements at -1 is not a range of a view of 20 elements", func() { a.SetRange(-1, nil) })
	path := t.TempDir() + "/ro.npy"
	c := numpytest.Must(mmarray.Create(path, "<f8", []int{3}))
	require.NoError(t, c.Close())
	ro := numpytest.Must(mmarray.Open(path, mmarray.ReadOnly))
	defer ro.Close()
	requireMisuse(t, "mmarray: SetRange on a read-only view: "+path+" is open in mode r", func() {
		numpytest.Must(mmarray.View[float64](ro)).SetRange(0, []float64{1})
	})
	require.NoError(t, f.Close())
	requireMisuse(t, "", func() { a.SetRange(0, []float64{1}) }, "after Close")
}
