package mmarray_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// imageFile makes an in-memory .npy of descr and shape, opened ReadWrite,
// whose element k (in the file's own order, C or Fortran) is formula(k).
func imageFile[T mmarray.Element](t *testing.T, descr string, shape []int, fortran bool) *mmarray.File {
	t.Helper()
	dt, err := npyheader.ParseDescr(descr)
	require.NoError(t, err)
	h := npyheader.Header{DType: dt, Shape: shape, FortranOrder: fortran}
	prefix, err := h.Encode()
	require.NoError(t, err)
	n, err := h.DataSize()
	require.NoError(t, err)
	f, err := mmarray.OpenBytes("blocks.npy", append(prefix, make([]byte, n)...), mmarray.ReadWrite)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	a, err := mmarray.View[T](f)
	require.NoError(t, err)
	storage := a
	if fortran {
		storage = a.Transpose()
	}
	for k := range storage.Len() {
		var v T
		switch p := any(&v).(type) {
		case *string: // one or two letters: NUL padding in every item
			*p = strings.Repeat(string(rune('a'+k%26)), k%2+1)
		case *[]byte: // records: zeros, set field by field by the test
			continue
		case *float64:
			*p = formula.Value[float64](k)
		case *int16:
			*p = formula.Value[int16](k)
		case *bool:
			*p = formula.Value[bool](k)
		case *complex128:
			*p = formula.Value[complex128](k)
		default:
			t.Fatalf("imageFile has no values for %T", v)
		}
		storage.Set(v, formula.Unravel(k, storage.Shape())...)
	}
	return f
}

// layouts are views of a (4, 5, 6) array that cover the ways a view can
// lie in memory.
var layouts = []struct {
	name string
	make func(a *mmarray.Array[float64]) *mmarray.Array[float64]
}{
	{"whole", func(a *mmarray.Array[float64]) *mmarray.Array[float64] { return a }},
	{"rows", func(a *mmarray.Array[float64]) *mmarray.Array[float64] { return a.Slice(mmarray.Span(1, 3, 1)) }},
	{"steps", func(a *mmarray.Array[float64]) *mmarray.Array[float64] {
		return a.Slice(mmarray.Span(1, 4, 1), mmarray.Span(mmarray.Omit, mmarray.Omit, 2), mmarray.Span(mmarray.Omit, mmarray.Omit, -1))
	}},
	{"reversed", func(a *mmarray.Array[float64]) *mmarray.Array[float64] {
		return a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, -1), mmarray.Span(mmarray.Omit, mmarray.Omit, -1), mmarray.Span(mmarray.Omit, mmarray.Omit, -1))
	}},
	{"transposed", func(a *mmarray.Array[float64]) *mmarray.Array[float64] { return a.Transpose() }},
	{"axes 2,0,1", func(a *mmarray.Array[float64]) *mmarray.Array[float64] { return a.Transpose(2, 0, 1) }},
	{"flat", func(a *mmarray.Array[float64]) *mmarray.Array[float64] { return flatOf(a) }},
	{"flat every 7th", func(a *mmarray.Array[float64]) *mmarray.Array[float64] {
		return flatOf(a).Slice(mmarray.Span(2, mmarray.Omit, 7))
	}},
	{"column", func(a *mmarray.Array[float64]) *mmarray.Array[float64] {
		return numpytest.Must(flatOf(a).Reshape(20, 6)).Slice(mmarray.All(), mmarray.Index(4))
	}},
	{"matrix", func(a *mmarray.Array[float64]) *mmarray.Array[float64] { return a.Slice(mmarray.Index(2)) }},
	{"short rows", func(a *mmarray.Array[float64]) *mmarray.Array[float64] {
		return a.Slice(mmarray.All(), mmarray.All(), mmarray.Span(1, 3, 1))
	}},
	{"size-1 axes", func(a *mmarray.Array[float64]) *mmarray.Array[float64] {
		return a.Slice(mmarray.Span(0, 1, 2), mmarray.All(), mmarray.Span(5, 6, 1))
	}},
	{"0-d", func(a *mmarray.Array[float64]) *mmarray.Array[float64] {
		return a.Slice(mmarray.Index(1), mmarray.Index(2), mmarray.Index(3))
	}},
	{"empty", func(a *mmarray.Array[float64]) *mmarray.Array[float64] {
		return a.Slice(mmarray.All(), mmarray.Span(3, 3, 1))
	}},
}

// flatOf is a 1-D view of a C- or Fortran-ordered array, in storage order.
func flatOf(a *mmarray.Array[float64]) *mmarray.Array[float64] {
	if flat, err := a.Reshape(-1); err == nil {
		return flat
	}
	return numpytest.Must(a.Transpose().Reshape(-1))
}

// elementsByAt is the oracle: every element of v in C order through At.
func elementsByAt[T mmarray.Element](v *mmarray.Array[T]) []T {
	out := make([]T, 0, v.Len())
	shape := v.Shape()
	for k := range v.Len() {
		out = append(out, v.At(formula.Unravel(k, shape)...))
	}
	return out
}

// sameElements reports whether a and b hold the same elements, each as
// often, in any order: the sorted elements compared, for element types such
// as bool and complex128 that have no order.
func sameElements[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	count := make(map[T]int, len(a))
	for _, x := range a {
		count[x]++
	}
	for _, x := range b {
		if count[x] == 0 {
			return false
		}
		count[x]--
	}
	return true
}

// checkElementPaths compares every element path with At on view v.
func checkElementPaths[T interface {
	mmarray.Element
	comparable
}](t *testing.T, v *mmarray.Array[T], want []T) {
	t.Helper()
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }

	got := make([]T, v.Len())
	v.CopyTo(got)
	if !slices.Equal(got, want) {
		fail("CopyTo %v", got)
	}
	if got := slices.Collect(v.Values()); !slices.Equal(got, want) {
		fail("Values %v", got)
	}
	for _, bufLen := range []int{0, 1, 3, 7, 256, 1000} {
		var buf []T
		if bufLen > 0 {
			buf = make([]T, bufLen)
		}
		var all []T
		for pos, block := range v.Blocks(buf) {
			if pos != len(all) {
				fail("buf %d: block at %d after %d elements", bufLen, pos, len(all))
			}
			if len(block) == 0 {
				fail("buf %d: empty block at %d", bufLen, pos)
			}
			all = append(all, block...)
		}
		if !slices.Equal(all, want) {
			fail("Blocks with buf %d: %v", bufLen, all)
		}
		// Three workers' ranges cover the view once.
		n := v.Len()
		all = all[:0]
		for w := range 3 {
			lo, hi := w*n/3, (w+1)*n/3
			for pos, block := range v.BlocksRange(lo, hi, buf) {
				if pos != len(all) {
					fail("range %d..%d: block at %d after %d elements", lo, hi, pos, len(all))
				}
				all = append(all, block...)
			}
		}
		if !slices.Equal(all, want) {
			fail("BlocksRange in 3 parts with buf %d: %v", bufLen, all)
		}
	}
	// Stopping early stops: a yield that returns false is called once (a
	// range loop's break cannot show this, since Go panics on a further
	// yield).
	if v.Len() > 0 {
		yields := 0
		v.Blocks(make([]T, 1))(func(int, []T) bool {
			yields++
			return false
		})
		if yields != 1 {
			fail("Blocks yielded %d times after the first yield returned false", yields)
		}
	}
	// StorageOrder holds the same elements.
	so := slices.Collect(v.StorageOrder().Values())
	if !sameElements(so, want) {
		fail("StorageOrder holds %v", so)
	}
	// The fixed-rank accessors agree with At, negative indices included.
	shape := v.Shape()
	for k := range v.Len() {
		idx := formula.Unravel(k, shape)
		neg := make([]int, len(idx))
		for i := range idx {
			neg[i] = idx[i] - shape[i]
		}
		for _, ix := range [][]int{idx, neg} {
			var got T
			switch len(ix) {
			case 1:
				got = v.At1(ix[0])
			case 2:
				got = v.At2(ix[0], ix[1])
			case 3:
				got = v.At3(ix[0], ix[1], ix[2])
			default:
				continue
			}
			if got != want[k] {
				fail("fixed-rank At%v = %v, want %v", ix, got, want[k])
			}
		}
	}
	if len(bad) > 0 {
		t.Errorf("%s: %d mismatches, first: %s", v, len(bad), bad[0])
	}
}

func TestBlocksAndAccessorsAgreeWithAt(t *testing.T) {
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
		f := imageFile[float64](t, file.descr, []int{4, 5, 6}, file.fortran)
		a := numpytest.Must(mmarray.View[float64](f))
		for _, l := range layouts {
			t.Run(file.name+"/"+l.name, func(t *testing.T) {
				v := l.make(a)
				checkElementPaths(t, v, elementsByAt(v))
				so := slices.Sorted(v.StorageOrder().Values())
				require.Equal(t, slices.Sorted(slices.Values(elementsByAt(v))), so)
			})
		}
	}
}

func TestBlocksOfOtherDTypes(t *testing.T) {
	t.Parallel()
	t.Run("int16 big-endian", func(t *testing.T) {
		a := numpytest.Must(mmarray.View[int16](imageFile[int16](t, ">i2", []int{6, 7}, false)))
		checkElementPaths(t, a, elementsByAt(a))
		checkElementPaths(t, a.Transpose(), elementsByAt(a.Transpose()))
	})
	t.Run("bool", func(t *testing.T) {
		a := numpytest.Must(mmarray.View[bool](imageFile[bool](t, "|b1", []int{300}, false)))
		checkElementPaths(t, a, elementsByAt(a))
	})
	t.Run("complex128", func(t *testing.T) {
		a := numpytest.Must(mmarray.View[complex128](imageFile[complex128](t, ">c16", []int{3, 4}, false)))
		checkElementPaths(t, a.Transpose(), elementsByAt(a.Transpose()))
	})
	t.Run("S3 strings", func(t *testing.T) {
		a := numpytest.Must(mmarray.View[string](imageFile[string](t, "|S3", []int{5, 4}, false)))
		checkElementPaths(t, a.Slice(mmarray.All(), mmarray.Span(mmarray.Omit, mmarray.Omit, -2)), elementsByAt(a.Slice(mmarray.All(), mmarray.Span(mmarray.Omit, mmarray.Omit, -2))))
	})
	t.Run("U2 strings", func(t *testing.T) {
		a := numpytest.Must(mmarray.View[string](imageFile[string](t, ">U2", []int{9}, false)))
		checkElementPaths(t, a, elementsByAt(a))
	})
	t.Run("fields", func(t *testing.T) {
		for _, descr := range []string{
			"[('x', '<f8'), ('id', '>i4'), ('code', '|S2')]",              // packed: x unaligned in record 1
			"[('x', '<f8'), ('id', '<i4'), ('code', '|S2'), ('p', 'V2')]", // 16 bytes: x aligned
		} {
			f := imageFile[[]byte](t, descr, []int{5, 3}, false)
			rows := numpytest.Must(mmarray.View[[]byte](f))
			for k := range rows.Len() {
				idx := formula.Unravel(k, rows.Shape())
				x, id, code := numpytest.Must(mmarray.Field[float64](rows, "x")), numpytest.Must(mmarray.Field[int32](rows, "id")), numpytest.Must(mmarray.Field[string](rows, "code"))
				x.Set(float64(k)+0.5, idx...)
				id.Set(int32(-k), idx...)
				code.Set(string(rune('a'+k%26)), idx...) // one letter: a NUL pads the item
			}
			x := numpytest.Must(mmarray.Field[float64](rows, "x"))
			checkElementPaths(t, x, elementsByAt(x))
			checkElementPaths(t, x.Transpose(), elementsByAt(x.Transpose()))
			id := numpytest.Must(mmarray.Field[int32](rows, "id"))
			checkElementPaths(t, id, elementsByAt(id))
			code := numpytest.Must(mmarray.Field[string](rows, "code"))
			checkElementPaths(t, code, elementsByAt(code))
		}
	})
}

func TestFixedRankSetAgreesWithAt(t *testing.T) {
	t.Parallel()
	for _, descr := range []string{"<f8", ">f8"} {
		a := numpytest.Must(mmarray.View[float64](imageFile[float64](t, descr, []int{3, 4, 5}, false)))
		flat := numpytest.Must(a.Reshape(-1))
		mat := a.Slice(mmarray.Index(1))
		for i := range flat.Len() {
			flat.Set1(float64(-i), i)
		}
		for i := range 4 {
			for j := range 5 {
				mat.Set2(float64(100*i+j), i, -5+j) // negative j counts from the end
			}
		}
		a.Set3(7.5, 2, 3, 4)
		var bad []string
		for k := range a.Len() {
			idx := formula.Unravel(k, a.Shape())
			want := float64(-k)
			switch {
			case idx[0] == 2 && idx[1] == 3 && idx[2] == 4:
				want = 7.5
			case idx[0] == 1:
				want = float64(100*idx[1] + idx[2])
			}
			if got := a.At(idx...); got != want {
				bad = append(bad, fmt.Sprintf("%v: %v, want %v", idx, got, want))
			}
		}
		require.Empty(t, bad, descr)
	}
}

func TestFixedRankMisusePanics(t *testing.T) {
	t.Parallel()
	f := imageFile[float64](t, "<f8", []int{3, 4}, false)
	a := numpytest.Must(mmarray.View[float64](f))
	row := a.Slice(mmarray.Index(0))
	swapped := numpytest.Must(mmarray.View[float64](imageFile[float64](t, ">f8", []int{3, 4}, false)))
	misuses := map[string]func(){
		"At1 on 2-D":        func() { a.At1(0) },
		"At2 out of range":  func() { a.At2(3, 0) },
		"At2 negative":      func() { a.At2(0, -5) },
		"At3 on 2-D":        func() { a.At3(0, 0, 0) },
		"At1 past the end":  func() { row.At1(4) },
		"Set2 out":          func() { a.Set2(1, 0, 4) },
		"ItemBytes out":     func() { a.ItemBytes(0, 9) },
		"ItemBytes1 on 2-D": func() { a.ItemBytes1(0) },
		"ItemBytes2 out":    func() { a.ItemBytes2(0, 4) },
		"ItemBytes2 on 1-D": func() { row.ItemBytes2(0, 0) },
		"Set2 swapped out":  func() { swapped.Set2(1, 3, 0) },
		"At1 swapped out":   func() { numpytest.Must(swapped.Reshape(-1)).At1(12) },
		"BlocksRange":       func() { a.BlocksRange(2, 13, nil) },
	}
	for name, fn := range misuses {
		require.PanicsWithError(t, panicText(fn), fn, name) // a *memmap.Misuse ...
		require.Contains(t, panicText(fn), "mmarray: ", name)
	}
	h := npyheader.Header{DType: numpytest.Must(npyheader.ParseDescr("<f8")), Shape: []int{3}}
	prefix := numpytest.Must(h.Encode())
	ro := numpytest.Must(mmarray.OpenBytes("ro.npy", append(prefix, make([]byte, 24)...), mmarray.ReadOnly))
	roView := numpytest.Must(mmarray.View[float64](ro))
	require.PanicsWithError(t, "mmarray: Set1 on a read-only view: ro.npy is open in mode r", func() { roView.Set1(1, 0) })
	swappedRO := numpytest.Must(mmarray.View[float64](numpytest.Must(mmarray.OpenBytes("ro.npy", append(numpytest.Must(npyheader.Header{DType: numpytest.Must(npyheader.ParseDescr(">f8")), Shape: []int{3, 1}}.Encode()), make([]byte, 24)...), mmarray.ReadOnly))))
	require.PanicsWithError(t, "mmarray: Set2 on a read-only view: ro.npy is open in mode r", func() { swappedRO.Set2(1, 0, 0) })
	require.PanicsWithError(t, "mmarray: Set1 on a read-only view: ro.npy is open in mode r", func() { numpytest.Must(swappedRO.Reshape(-1)).Set1(1, 0) })
}

// panicText runs fn and returns the text of the *memmap.Misuse it panics
// with, or fails.
func panicText(fn func()) (text string) {
	defer func() {
		m, ok := recover().(*memmap.Misuse)
		if !ok {
			text = "no *memmap.Misuse"
			return
		}
		text = m.Message
	}()
	fn()
	return "no panic"
}

func TestFixedRankAfterClosePanics(t *testing.T) {
	t.Parallel()
	f := imageFile[float64](t, "<f8", []int{3, 4}, false)
	a := numpytest.Must(mmarray.View[float64](f))
	flat := numpytest.Must(a.Reshape(-1))
	sf := imageFile[float64](t, ">f8", []int{3, 4}, false)
	swapped := numpytest.Must(mmarray.View[float64](sf))
	swappedFlat := numpytest.Must(swapped.Reshape(-1))
	require.NoError(t, f.Close())
	require.NoError(t, sf.Close())
	for name, fn := range map[string]func(){
		"At1": func() { flat.At1(0) }, "At2": func() { a.At2(0, 0) }, "Set1": func() { flat.Set1(1, 0) },
		"At1 swapped": func() { swappedFlat.At1(0) }, "At2 swapped": func() { swapped.At2(0, 0) },
		"Set1 swapped": func() { swappedFlat.Set1(1, 0) }, "Set2 swapped": func() { swapped.Set2(1, 0, 0) },
		"ItemBytes1": func() { flat.ItemBytes1(0) }, "ItemBytes2": func() { a.ItemBytes2(0, 0) },
		"Blocks": func() {
			for range a.Blocks(nil) {
			}
		},
	} {
		requireMisuse(t, "mmarray: view used after its File was closed: blocks.npy", fn, name)
	}
}

func TestItemBytesAndAppendTo(t *testing.T) {
	// Not parallel: testing.AllocsPerRun refuses to run in a parallel test.
	f := imageFile[string](t, "|S4", []int{30}, false)
	a := numpytest.Must(mmarray.View[string](f))
	a.Set1("ab", 3) // two NULs of padding
	a.Set1("a\x00c", 4)
	var bad []string
	var buf []byte
	for i := range a.Len() {
		raw := a.ItemBytes1(i)
		if len(raw) != 4 || cap(raw) != 4 || !bytes.Equal(raw, a.ItemBytes(i)) {
			bad = append(bad, fmt.Sprintf("%d: raw %q", i, raw))
		}
		if got := string(bytes.TrimRight(raw, "\x00")); got != a.At1(i) {
			bad = append(bad, fmt.Sprintf("%d: trimmed %q, At %q", i, got, a.At1(i)))
		}
		buf = a.AppendTo(buf[:0], i)
		if string(buf) != a.At1(i) {
			bad = append(bad, fmt.Sprintf("%d: AppendTo %q, At %q", i, buf, a.At1(i)))
		}
	}
	require.Empty(t, bad)
	require.Equal(t, "a\x00c", a.At1(4))
	u := numpytest.Must(mmarray.View[string](imageFile[string](t, ">U3", []int{4}, false)))
	u.Set1("日本", 2)
	require.Equal(t, "日本", string(u.AppendTo(nil, 2)))
	require.Equal(t, 12, len(u.ItemBytes(2)))
	grid := numpytest.Must(a.Reshape(5, 6))
	allocs := testing.AllocsPerRun(100, func() {
		for i := range a.Len() {
			buf = a.AppendTo(buf[:0], i)
			_ = a.ItemBytes1(i)
			_ = grid.ItemBytes2(i/6, i%6)
		}
	})
	require.Zero(t, allocs)
}

// imageFile stores the formula's values, which increase with k, in memory
// order: so a walk whose values increase is a walk in increasing address
// order. StorageOrder must give one for every layout, with positive,
// non-increasing strides.
func TestStorageOrderWalksMemoryInOrder(t *testing.T) {
	t.Parallel()
	var bad []string
	for _, descr := range []string{"<f8", ">f8"} {
		for _, fortran := range []bool{false, true} {
			a := numpytest.Must(mmarray.View[float64](imageFile[float64](t, descr, []int{4, 5, 6}, fortran)))
			for _, l := range layouts {
				name := fmt.Sprintf("%s fortran=%v %s", descr, fortran, l.name)
				so := l.make(a).StorageOrder()
				if so.Len() == 0 {
					continue
				}
				strides := so.Strides()
				for axis, s := range strides {
					if s <= 0 || (axis > 0 && s > strides[axis-1]) {
						bad = append(bad, fmt.Sprintf("%s: strides %v", name, strides))
						break
					}
				}
				values := slices.Collect(so.Values())
				for k := 1; k < len(values); k++ {
					if values[k] <= values[k-1] {
						bad = append(bad, fmt.Sprintf("%s: element %d (%v) lies before element %d (%v)", name, k, values[k], k-1, values[k-1]))
						break
					}
				}
			}
		}
	}
	require.Empty(t, bad)
}

// Blocks hands out a native contiguous view's elements as slices of the
// mapping itself and stages a strided view's in buf; Values reads a long
// contiguous run in place too.
func TestBlocksAndValuesAreZeroCopyWhereContiguous(t *testing.T) {
	t.Parallel()
	a := numpytest.Must(mmarray.View[float64](imageFile[float64](t, "<f8", []int{4, 5, 6}, false)))
	strided := map[string]bool{
		"steps": true, "reversed": true, "transposed": true, "axes 2,0,1": true,
		"flat every 7th": true, "column": true, "size-1 axes": true,
	}
	var bad []string
	for _, l := range layouts {
		v := l.make(a)
		contig, isContig := v.Contiguous()
		switch {
		case isContig:
			for pos, block := range v.Blocks(nil) {
				if &block[0] != &contig[pos] {
					bad = append(bad, fmt.Sprintf("%s: block at %d is not the mapping", l.name, pos))
				}
			}
		case strided[l.name]:
			buf := make([]float64, 4)
			for pos, block := range v.Blocks(buf) {
				if &block[0] != &buf[0] {
					bad = append(bad, fmt.Sprintf("%s: block at %d is not staged in buf", l.name, pos))
				}
			}
		}
	}
	require.Empty(t, bad)

	// Runs shorter than buf (three elements of each row of a wide array) are
	// staged into buf until it is full, rather than handed out in place one
	// short run at a time: every block but the last is len(buf) long.
	wide := numpytest.Must(mmarray.View[float64](imageFile[float64](t, "<f8", []int{500, 40}, false)))
	narrow := wide.Slice(mmarray.All(), mmarray.Span(0, 3, 1))
	buf := make([]float64, 1000)
	var got []float64
	for pos, block := range narrow.Blocks(buf) {
		if want := min(len(buf), narrow.Len()-pos); len(block) != want || &block[0] != &buf[0] {
			t.Fatalf("a[:, :3] with a buf of %d: block at %d has %d elements, staged in buf %t; want %d staged in buf",
				len(buf), pos, len(block), &block[0] == &buf[0], want)
		}
		got = append(got, block...)
	}
	require.Equal(t, elementsByAt(narrow), got)

	// Values over a contiguous view sees a write made through Contiguous's
	// slice just ahead of it: it reads the mapping, not a staged copy.
	long := numpytest.Must(mmarray.View[float64](imageFile[float64](t, "<f8", []int{3, 700}, false)))
	contig, ok := long.Contiguous()
	require.True(t, ok)
	k, stale := 0, 0
	for x := range long.Values() {
		if k > 0 && x != -1 {
			stale++
		}
		if k+1 < len(contig) {
			contig[k+1] = -1 // never a formula value
		}
		k++
	}
	require.Equal(t, len(contig), k)
	require.Zero(t, stale, "elements Values read from a copy made before the write")
}
