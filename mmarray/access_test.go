package mmarray_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// fixedRankChecks binds checkFixedRank to the Go type of each numeric kind.
var fixedRankChecks = map[string]func(*testing.T, *mmarray.File){
	"b1": checkFixedRank[bool], "i1": checkFixedRank[int8], "u1": checkFixedRank[uint8],
	"i2": checkFixedRank[int16], "u2": checkFixedRank[uint16],
	"i4": checkFixedRank[int32], "u4": checkFixedRank[uint32],
	"i8": checkFixedRank[int64], "u8": checkFixedRank[uint64],
	"f2": checkFixedRank[mmarray.Float16], "f4": checkFixedRank[float32], "f8": checkFixedRank[float64],
	"c8": checkFixedRank[complex64], "c16": checkFixedRank[complex128],
}

// TestFixedRankAllKinds checks At1, At2, Set1, Set2, ItemBytes1 and
// ItemBytes2 against At, Set and ItemBytes for every numeric dtype in both
// byte orders (native views take the direct fast path, byte-swapped ones
// the swapped one, bools and complex numbers the general one), on
// contiguous, strided, reversed and transposed views, and on a view whose
// elements are not aligned.
func TestFixedRankAllKinds(t *testing.T) {
	t.Parallel()
	for _, descr := range numericDescrs {
		t.Run(descr, func(t *testing.T) {
			t.Parallel()
			check := fixedRankChecks[formula.KindOf(descr)]
			require.NotNil(t, check, descr)
			dt := numpytest.Must(npyheader.ParseDescr(descr))
			h := npyheader.Header{DType: dt, Shape: []int{5, 7}}
			prefix := numpytest.Must(h.Encode())
			image := append(prefix, make([]byte, 35*dt.ItemSize)...)
			check(t, numpytest.Must(mmarray.OpenBytes("aligned.npy", image, mmarray.ReadWrite)))
			// The same array one byte further into the image: no element
			// is aligned, so every accessor takes the general path.
			path := filepath.Join(t.TempDir(), "unaligned.bin")
			require.NoError(t, os.WriteFile(path, make([]byte, 1+35*dt.ItemSize), 0o600))
			raw := numpytest.Must(mmarray.OpenRaw(path, mmarray.ReadWrite, descr, []int{5, 7}, 1))
			t.Cleanup(func() { raw.Close() })
			check(t, raw)
		})
	}
}

// checkFixedRank fills f's (5, 7) array with the formula and compares the
// fixed-rank accessors with the general ones on several views of it.
func checkFixedRank[T interface {
	formula.Number
	comparable
}](t *testing.T, f *mmarray.File) {
	formula.Fill[T](t, f)
	a := numpytest.Must(mmarray.View[T](f))
	flat := numpytest.Must(a.Reshape(-1))
	rev := mmarray.Span(mmarray.Omit, mmarray.Omit, -1)
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	itemSize := a.DType().ItemSize
	checkItem := func(v *mmarray.Array[T], got []byte, idx ...int) {
		want := v.ItemBytes(idx...)
		if !bytes.Equal(got, want) || len(got) != itemSize || cap(got) != itemSize || &got[0] != &want[0] {
			fail("%s: item bytes at %v are % x (cap %d), ItemBytes % x", v, idx, got, cap(got), want)
		}
	}
	for _, v := range []*mmarray.Array[T]{
		flat, flat.Slice(rev), flat.Slice(mmarray.Span(1, mmarray.Omit, 3)), a.Slice(mmarray.All(), mmarray.Index(2)),
	} {
		n := v.Len()
		for i := -n; i < n; i++ {
			if got, want := v.At1(i), v.At(i); got != want {
				fail("%s: At1(%d) = %v, At %v", v, i, got, want)
			}
			checkItem(v, v.ItemBytes1(i), i)
		}
	}
	for _, v := range []*mmarray.Array[T]{
		a, a.Transpose(), a.Slice(rev, mmarray.Span(1, mmarray.Omit, 2)),
	} {
		shape := v.Shape()
		for i := -shape[0]; i < shape[0]; i++ {
			for j := -shape[1]; j < shape[1]; j++ {
				if got, want := v.At2(i, j), v.At(i, j); got != want {
					fail("%s: At2(%d, %d) = %v, At %v", v, i, j, got, want)
				}
				checkItem(v, v.ItemBytes2(i, j), i, j)
			}
		}
	}
	// Set1 writes the elements in reverse order through a strided view,
	// negative indices included; Set2 writes them back through the
	// transpose; At sees both.
	want := make([]T, flat.Len())
	flat.CopyTo(want)
	n := len(want)
	for i := range n {
		flat.Set1(want[n-1-i], i-n*(i%2))
	}
	for i := range n {
		if got := flat.At(i); got != want[n-1-i] {
			fail("after Set1, element %d is %v, want %v", i, got, want[n-1-i])
		}
	}
	tr := a.Transpose()
	for k := range n {
		i, j := k/5, k%5 // (i, j) of the transpose is element j*7+i
		tr.Set2(want[j*7+i], i, j-5*(k%2))
	}
	for k := range n {
		if got := flat.At(k); got != want[k] {
			fail("after Set2, element %d is %v, want %v", k, got, want[k])
		}
	}
	if len(bad) > 0 {
		t.Errorf("%s: %d mismatches, first: %s", a, len(bad), bad[0])
	}
}

// TestValuesAcrossBlocks checks Values against At on views long enough
// for several of its blocks: whole runs handed out in place, runs staged
// across block boundaries, and a loop that stops early.
func TestValuesAcrossBlocks(t *testing.T) {
	t.Parallel()
	for _, descr := range []string{"<f8", ">f8"} {
		a := numpytest.Must(mmarray.View[float64](imageFile[float64](t, descr, []int{3, 700}, false)))
		for name, v := range map[string]*mmarray.Array[float64]{
			"whole":       a,
			"long rows":   a.Slice(mmarray.All(), mmarray.Span(10, 690, 1)),
			"short rows":  a.Slice(mmarray.All(), mmarray.Span(0, 200, 1)),
			"every 2nd":   a.Slice(mmarray.All(), mmarray.Span(mmarray.Omit, mmarray.Omit, 2)),
			"transposed":  a.Transpose(),
			"reversed":    a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, -1), mmarray.Span(mmarray.Omit, mmarray.Omit, -1)),
			"one row":     a.Slice(mmarray.Index(1)),
			"one element": a.Slice(mmarray.Index(1), mmarray.Span(5, 6, 1)),
			"no element":  a.Slice(mmarray.All(), mmarray.Span(5, 5, 1)),
		} {
			want := elementsByAt(v)
			got := []float64{}
			for x := range v.Values() {
				got = append(got, x)
			}
			require.Equal(t, want, got, "%s %s", descr, name)
			for _, stop := range []int{0, 1, 255, 256, 257, 700} {
				if stop >= len(want) {
					continue
				}
				got = got[:0]
				for x := range v.Values() {
					if len(got) == stop {
						break
					}
					got = append(got, x)
				}
				require.Equal(t, want[:stop], got, "%s %s stopped at %d", descr, name, stop)
			}
		}
	}
}

func TestValuesAfterClosePanics(t *testing.T) {
	t.Parallel()
	f := imageFile[float64](t, "<f8", []int{3, 700}, false)
	a := numpytest.Must(mmarray.View[float64](f))
	requireMisuse(t, "mmarray: view used after its File was closed: blocks.npy", func() {
		n := 0
		for range a.Values() {
			if n++; n == 10 {
				require.NoError(t, f.Close())
			}
		}
	})
}

// The package documentation promises that At1, At2, Set1 and Set2 on a
// native view, and ItemBytes1 and ItemBytes2 on any view, compile into the
// caller's loop: the compiler must inline each call.
func TestFixedRankAccessorsAreInlined(t *testing.T) {
	t.Parallel()
	accessors := []string{"At1", "At2", "Set1", "Set2", "ItemBytes1", "ItemBytes2"}
	source := `package inlined

import "github.com/go-memmap/memmap/mmarray"

func Calls(a1, a2 *mmarray.Array[float64]) (s float64) {
	s += a1.At1(0)
	s += a2.At2(0, 0)
	a1.Set1(1, 0)
	a2.Set2(1, 0, 0)
	s += float64(a1.ItemBytes1(0)[0])
	s += float64(a2.ItemBytes2(0, 0)[0])
	return s
}
`
	out, err := buildInModule(t, "inlined", source, "-m")
	require.NoError(t, err, out)
	var notInlined []string
	for _, name := range accessors {
		if !strings.Contains(out, "inlining call to mmarray.(*Array[go.shape.float64])."+name+"\n") {
			notInlined = append(notInlined, name)
		}
	}
	// The byte-swapped second level of At1, At2 and Set1 (one load and one
	// byte reversal) is inlined too.
	for _, name := range []string{"(*viewCore).load1", "(*viewCore).load2", "(*viewCore).store1", "loadSwappedInto", "storeSwappedFrom"} {
		if !strings.Contains(out, "inlining call to mmarray."+name+"\n") {
			notInlined = append(notInlined, name)
		}
	}
	require.Empty(t, notInlined, "not inlined; the compiler said:\n%s", out)
}
