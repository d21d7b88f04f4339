package mmarray

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/go-memmap/memmap/internal/misuse"
)

// Omit stands for a missing start or stop in Span, like the empty places in
// NumPy's "::-1".
const Omit = math.MinInt

// Sel selects along one axis: one item of a NumPy index tuple. Make one with
// Index, Span, All or Ellipsis, or parse NumPy text with ParseIndex.
type Sel struct {
	kind              selKind
	start, stop, step int
}

type selKind uint8

const (
	selSpan selKind = iota
	selIndex
	selEllipsis
)

// Index selects one position and drops the axis, like a[3]; negative
// positions count from the end.
func Index(i int) Sel { return Sel{kind: selIndex, start: i} }

// Span selects start:stop:step along an axis, exactly as a NumPy slice does:
// negative start and stop count from the end, out-of-range values are
// clipped, a negative step walks backwards, and Omit leaves start or stop
// out ("::-1" is Span(Omit, Omit, -1)). A zero step panics when used.
func Span(start, stop, step int) Sel { return Sel{kind: selSpan, start: start, stop: stop, step: step} }

// All selects a whole axis, like ":".
func All() Sel { return Span(Omit, Omit, 1) }

// Ellipsis stands for as many whole axes as needed, like NumPy's "...".
func Ellipsis() Sel { return Sel{kind: selEllipsis} }

// String prints the selection in NumPy syntax.
func (s Sel) String() string {
	switch s.kind {
	case selIndex:
		return strconv.Itoa(s.start)
	case selEllipsis:
		return "..."
	}
	part := func(v int) string {
		if v == Omit {
			return ""
		}
		return strconv.Itoa(v)
	}
	text := part(s.start) + ":" + part(s.stop)
	if s.step != 1 {
		text += ":" + strconv.Itoa(s.step)
	}
	return text
}

// ParseIndex parses NumPy index text such as "1:10:2, ::-1, 3" or "..., 0"
// into selections for Slice. An empty string selects everything.
func ParseIndex(text string) ([]Sel, error) {
	var sels []Sel
	if strings.TrimSpace(text) == "" {
		return sels, nil
	}
	items := strings.Split(text, ",")
	if len(items) > 1 && strings.TrimSpace(items[len(items)-1]) == "" {
		items = items[:len(items)-1] // "3," is a one-item tuple, as in Python
	}
	for i, item := range items {
		item = strings.TrimSpace(item)
		sel, err := parseSel(item)
		if err != nil {
			return nil, fmt.Errorf("%w %q: item %d %q: %v", ErrIndexSyntax, text, i, item, err)
		}
		sels = append(sels, sel)
	}
	return sels, nil
}

func parseSel(item string) (Sel, error) {
	if item == "..." {
		return Ellipsis(), nil
	}
	if !strings.Contains(item, ":") {
		i, err := strconv.Atoi(item)
		if err != nil {
			return Sel{}, fmt.Errorf("not an integer or a slice")
		}
		return Index(i), nil
	}
	parts := strings.Split(item, ":")
	if len(parts) > 3 {
		return Sel{}, fmt.Errorf("a slice has at most two colons")
	}
	values := []int{Omit, Omit, 1}
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		v, err := strconv.Atoi(p)
		if err != nil {
			return Sel{}, fmt.Errorf("slice bound %q is not an integer", p)
		}
		if i == 2 && v == 0 {
			return Sel{}, fmt.Errorf("slice step cannot be zero")
		}
		values[i] = v
	}
	return Span(values[0], values[1], values[2]), nil
}

// resolve clips a span to an axis of length n as Python's slice.indices
// does, returning the first position, the count and the step.
func (s Sel) resolve(n int) (first, count, step int) {
	step = s.step
	if step == 0 {
		misuse.Panicf("mmarray: slice step cannot be zero")
	}
	lower, upper := 0, n
	if step < 0 {
		lower, upper = -1, n-1
	}
	bound := func(v, omitted int) int {
		switch {
		case v == Omit:
			return omitted
		case v < 0:
			return max(v+n, lower)
		default:
			return min(v, upper)
		}
	}
	var start, stop int
	if step > 0 {
		start, stop = bound(s.start, lower), bound(s.stop, upper)
		if start < stop {
			count = (stop-start-1)/step + 1
		}
	} else {
		start, stop = bound(s.start, upper), bound(s.stop, lower)
		if stop < start {
			count = (start-stop-1)/(-step) + 1
		}
	}
	return start, count, step
}

// Slice returns the view selected by sels, one per axis from the first, as
// a[sels...] does in NumPy with basic indexing: Span keeps an axis, Index
// drops it, Ellipsis expands to whole axes, and missing trailing axes are
// whole. No data is copied. An out-of-range Index, a zero step or too many
// selections panic.
func (a *Array[T]) Slice(sels ...Sel) *Array[T] {
	a.check()
	sels = a.expandEllipsis(sels)
	offset := a.offset
	shape := make([]int, 0, len(a.shape))
	strides := make([]int, 0, len(a.shape))
	empty := slices.Contains(a.shape, 0)
	for axis, n := range a.shape {
		sel := All()
		if axis < len(sels) {
			sel = sels[axis]
		}
		switch sel.kind {
		case selIndex:
			i := sel.start
			if i < 0 {
				i += n
			}
			if i < 0 || i >= n {
				panicOutOfBounds(sel.start, axis, n)
			}
			offset += i * a.strides[axis]
		default:
			first, count, step := sel.resolve(n)
			if count > 0 && !empty {
				offset += first * a.strides[axis]
			}
			shape = append(shape, count)
			strides = append(strides, a.strides[axis]*step)
		}
	}
	return a.derive(offset, shape, strides)
}

func (a *Array[T]) expandEllipsis(sels []Sel) []Sel {
	at := -1
	for i, s := range sels {
		if s.kind == selEllipsis {
			if at >= 0 {
				misuse.Panicf("mmarray: an index can only have a single ellipsis")
			}
			at = i
		}
	}
	explicit := len(sels)
	if at >= 0 {
		explicit--
	}
	if explicit > len(a.shape) {
		misuse.Panicf("mmarray: too many indices: %d given for an array with %d axes", explicit, len(a.shape))
	}
	if at < 0 {
		return sels
	}
	out := make([]Sel, 0, len(a.shape))
	out = append(out, sels[:at]...)
	for range len(a.shape) - explicit {
		out = append(out, All())
	}
	return append(out, sels[at+1:]...)
}

// Transpose permutes the axes: the new axis i is the old axis axes[i].
// With no arguments it reverses them, like NumPy's a.T. Negative axes count
// from the end. Anything but a permutation of the axes panics.
func (a *Array[T]) Transpose(axes ...int) *Array[T] {
	a.check()
	nd := len(a.shape)
	if len(axes) == 0 {
		axes = make([]int, nd)
		for i := range axes {
			axes[i] = nd - 1 - i
		}
	}
	if len(axes) != nd {
		misuse.Panicf("mmarray: Transpose got %d axes for an array with %d", len(axes), nd)
	}
	seen := make([]bool, nd)
	shape := make([]int, nd)
	strides := make([]int, nd)
	for i, ax := range axes {
		if ax < 0 {
			ax += nd
		}
		if ax < 0 || ax >= nd || seen[ax] {
			misuse.Panicf("mmarray: Transpose axes %v are not a permutation of %d axes", axes, nd)
		}
		seen[ax] = true
		shape[i], strides[i] = a.shape[ax], a.strides[ax]
	}
	return a.derive(a.offset, shape, strides)
}

// Reshape returns a view with the given shape, in C order like NumPy's
// a.reshape(shape). One dimension may be -1 and is inferred. It returns an
// error wrapping ErrReshape when the number of elements differs or when the
// view's strides cannot express the new shape without copying (NumPy would
// copy; a mapped view never does).
func (a *Array[T]) Reshape(shape ...int) (*Array[T], error) {
	a.check()
	shape, err := a.inferShape(shape)
	if err != nil {
		return nil, err
	}
	if a.count() == 0 {
		return a.derive(a.offset, shape, contiguousStrides(shape, a.info.size, false)), nil
	}
	strides, ok := nocopyStrides(a.shape, a.strides, shape, a.info.size)
	if !ok {
		return nil, fmt.Errorf("%w: a view with shape %v and strides %v cannot take shape %v", ErrReshape, a.shape, a.strides, shape)
	}
	return a.derive(a.offset, shape, strides), nil
}

func (a *Array[T]) inferShape(shape []int) ([]int, error) {
	shape = append([]int{}, shape...)
	unknown, known := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && unknown < 0:
			unknown = i
		case d < 0:
			return nil, fmt.Errorf("%w: invalid shape %v", ErrReshape, shape)
		default:
			if d != 0 && known > math.MaxInt/d {
				return nil, fmt.Errorf("%w: shape %v is too large", ErrReshape, shape)
			}
			known *= d
		}
	}
	n := a.count()
	if unknown >= 0 {
		if known == 0 || n%known != 0 {
			return nil, fmt.Errorf("%w: cannot reshape %d elements into shape %v", ErrReshape, n, shape)
		}
		shape[unknown] = n / known
		known = n
	}
	if known != n {
		return nil, fmt.Errorf("%w: cannot reshape %d elements into shape %v", ErrReshape, n, shape)
	}
	return shape, nil
}

// nocopyStrides is NumPy's _attempt_nocopy_reshape for C order: it finds
// strides for newShape over the same memory, merging or splitting axes only
// where the old strides are contiguous with each other.
func nocopyStrides(oldShape, oldStrides, newShape []int, itemSize int) ([]int, bool) {
	var dims, strides []int
	for i, d := range oldShape {
		if d != 1 {
			dims = append(dims, d)
			strides = append(strides, oldStrides[i])
		}
	}
	newStrides := make([]int, len(newShape))
	oi, oj, ni, nj := 0, 1, 0, 1
	for ni < len(newShape) && oi < len(dims) {
		np, op := newShape[ni], dims[oi]
		for np != op {
			if np < op {
				np *= newShape[nj]
				nj++
			} else {
				op *= dims[oj]
				oj++
			}
		}
		for ok := oi; ok < oj-1; ok++ {
			if strides[ok] != dims[ok+1]*strides[ok+1] {
				return nil, false
			}
		}
		newStrides[nj-1] = strides[oj-1]
		for nk := nj - 1; nk > ni; nk-- {
			newStrides[nk-1] = newStrides[nk] * newShape[nk]
		}
		ni = nj
		nj++
		oi = oj
		oj++
	}
	last := itemSize
	if ni >= 1 {
		last = newStrides[ni-1]
	}
	for nk := ni; nk < len(newShape); nk++ {
		newStrides[nk] = last
	}
	return newStrides, true
}
