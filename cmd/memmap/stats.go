package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/bytesize"
	"github.com/go-memmap/memmap/internal/nprepr"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/zarr"
)

// progressMinBytes is the data size from which stats shows a progress bar
// (on a terminal only): below it the scan takes well under a second on a
// warm page cache, and a bar would only flicker.
const progressMinBytes = 256 << 20

// optionalInt is an int flag that knows whether it was given.
type optionalInt struct {
	set   bool
	value int
}

func (o *optionalInt) String() string {
	if o == nil || !o.set {
		return ""
	}
	return strconv.Itoa(o.value)
}

func (o *optionalInt) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not an integer", s)
	}
	o.set, o.value = true, v
	return nil
}

func runStats(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	workers := fs.Int("workers", 0, "goroutines to scan with (default: GOMAXPROCS)")
	memory := fs.String("memory", "", "bound the memory the scan keeps resident, e.g. 256MiB (default: a quarter of the memory available)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	var axis optionalInt
	fs.Var(&axis, "axis", "statistics along this axis (negative: from the end), one per position of the others")
	var raw rawArgs
	raw.register(fs)
	names, err := parseInterleaved(fs, args, stdout)
	if err != nil {
		return err
	}
	path, err := oneFile("stats", names)
	if err != nil {
		return err
	}
	if *workers < 0 {
		return fmt.Errorf("--workers: must not be negative, not %d", *workers)
	}
	opts := []compute.Option{compute.WithWorkers(*workers)}
	if *memory != "" {
		budget, err := bytesize.Parse(*memory)
		if err != nil {
			return fmt.Errorf("--memory: %w", err)
		}
		opts = append(opts, compute.WithMemory(budget))
	}
	if err := raw.check(fs); err != nil {
		return err
	}
	var src any // a *mmarray.File or a *zarr.Array
	var size int64
	r := statsReport{file: path}
	if raw.dtype == "" && isStore(path) {
		a, err := openStore("stats", path)
		if err != nil {
			return err
		}
		src, r.dtype, r.shape = a, a.DType(), a.Shape()
		size, _ = arrayBytes(r.shape, r.dtype.ItemSize)
	} else {
		f, err := openArray("stats", path, raw)
		if err != nil {
			return err
		}
		defer f.Close()
		src, r.dtype, r.shape = f, f.DType(), f.Shape()
		size, _ = f.Header().DataSize()
	}
	if axis.set {
		k, err := normalizeAxis(axis.value, len(r.shape))
		if err != nil {
			return fmt.Errorf("stats %s: --axis: %w", path, err)
		}
		r.axis = &k
	}

	// Ctrl-C stops the scan between chunks and reports it as one line.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	bar := newBar(stderr, "stats", size)
	if bar != nil {
		opts = append(opts, compute.WithProgress(func(done, _ int64) { _ = bar.Set64(done) }))
	}
	r.stats, err = describeArray(ctx, src, r.dtype, r.axis, opts)
	if bar != nil {
		_ = bar.Clear()
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("stats %s: interrupted", path)
	}
	if err != nil {
		return fmt.Errorf("stats %s: %w", path, err)
	}
	if *asJSON {
		return r.writeJSON(stdout)
	}
	return r.writeText(stdout)
}

// normalizeAxis checks axis against an array of ndim axes and returns it
// counted from the start, as NumPy does (refusing what raises AxisError).
func normalizeAxis(axis, ndim int) (int, error) {
	if axis < -ndim || axis >= ndim {
		return 0, fmt.Errorf("axis %d is out of bounds for array of dimension %d", axis, ndim)
	}
	if axis < 0 {
		axis += ndim
	}
	return axis, nil
}

// newBar is a progress bar for total bytes on stderr, or nil when stderr
// is not a terminal or the work is small.
func newBar(stderr io.Writer, what string, total int64) *progressbar.ProgressBar {
	if !isTerminal(stderr) || total < progressMinBytes {
		return nil
	}
	return barOf(stderr, what, total)
}

// newSpinner is newBar for work of unknown length, judged small or not by
// size: it counts bytes without a total.
func newSpinner(stderr io.Writer, what string, size int64) *progressbar.ProgressBar {
	if !isTerminal(stderr) || size < progressMinBytes {
		return nil
	}
	return barOf(stderr, what, -1)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	file, ok := w.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// barOf is a bar of total bytes (-1: unknown) on stderr.
func barOf(stderr io.Writer, what string, total int64) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// describeArray runs compute.Describe over the whole array of src, a
// mapped *mmarray.File or a Zarr *zarr.Array (compute.DescribeChunks), or
// compute.DescribeAxis (DescribeAxisChunks) along *axis when axis is not
// nil, with the element type its dtype dt maps to. The whole array's Stats
// come as a Reduced of no axes, with one value. Only real numbers and bools
// have statistics: the other dtypes wrap memmap.ErrUnsupported.
func describeArray(ctx context.Context, src any, dt npyheader.DType, axis *int, opts []compute.Option) (compute.Reduced[compute.Stats], error) {
	switch {
	case dt.Kind == npyheader.Bool:
		return describe[bool](ctx, src, axis, opts)
	case dt.Kind == npyheader.Int && dt.ItemSize == 1:
		return describe[int8](ctx, src, axis, opts)
	case dt.Kind == npyheader.Int && dt.ItemSize == 2:
		return describe[int16](ctx, src, axis, opts)
	case dt.Kind == npyheader.Int && dt.ItemSize == 4:
		return describe[int32](ctx, src, axis, opts)
	case dt.Kind == npyheader.Int && dt.ItemSize == 8:
		return describe[int64](ctx, src, axis, opts)
	case dt.Kind == npyheader.Uint && dt.ItemSize == 1:
		return describe[uint8](ctx, src, axis, opts)
	case dt.Kind == npyheader.Uint && dt.ItemSize == 2:
		return describe[uint16](ctx, src, axis, opts)
	case dt.Kind == npyheader.Uint && dt.ItemSize == 4:
		return describe[uint32](ctx, src, axis, opts)
	case dt.Kind == npyheader.Uint && dt.ItemSize == 8:
		return describe[uint64](ctx, src, axis, opts)
	case dt.Kind == npyheader.Float && dt.ItemSize == 2:
		return describe[mmarray.Float16](ctx, src, axis, opts)
	case dt.Kind == npyheader.Float && dt.ItemSize == 4:
		return describe[float32](ctx, src, axis, opts)
	case dt.Kind == npyheader.Float && dt.ItemSize == 8:
		return describe[float64](ctx, src, axis, opts)
	}
	return compute.Reduced[compute.Stats]{}, fmt.Errorf("dtype %s: statistics of bools, integers and floats up to 8 bytes only: %w",
		dt, memmap.ErrUnsupported)
}

func describe[T compute.Real](ctx context.Context, src any, axis *int, opts []compute.Option) (compute.Reduced[compute.Stats], error) {
	if store, ok := src.(*zarr.Array); ok {
		if axis != nil {
			return compute.DescribeAxisChunks[T](ctx, store, *axis, opts...)
		}
		s, err := compute.DescribeChunks[T](ctx, store, opts...)
		return compute.Reduced[compute.Stats]{Values: []compute.Stats{s}}, err
	}
	a, err := mmarray.View[T](src.(*mmarray.File))
	if err != nil {
		return compute.Reduced[compute.Stats]{}, err
	}
	if axis != nil {
		return compute.DescribeAxis(ctx, a, *axis, opts...)
	}
	s, err := compute.Describe(ctx, a, opts...)
	return compute.Reduced[compute.Stats]{Values: []compute.Stats{s}}, err
}

// statsReport is what stats prints about one array: the statistics of the
// whole array (axis nil; stats has one value and no shape), or along an axis,
// one per position of the other axes, in C order.
type statsReport struct {
	file  string
	dtype npyheader.DType
	shape []int
	axis  *int
	stats compute.Reduced[compute.Stats]
}

// writeText prints one "name  value" line per statistic. Sums and extremes
// of integers and bools print as exact integers, the extremes of floats as
// NumPy prints a scalar of the array's dtype, the other floats as NumPy
// prints a float64. For the whole array the arg-extremes print as the flat
// index and, after it, the index along each axis (np.unravel_index), or "-"
// when there is none. Along an axis each line is an array of the other
// axes' shape, printed as NumPy's str prints one (on one line, summarized
// beyond 1000 values), and the arg-extremes are indices along the axis
// ("-" where there is none).
func (r statsReport) writeText(w io.Writer) error {
	elementBits := 8 * r.dtype.ItemSize
	var b []byte
	// line appends one statistic: the value at each position, as an
	// array along an axis.
	line := func(name string, value func(dst []byte, s compute.Stats) []byte) {
		b = fmt.Appendf(b, "%-10s ", name)
		if r.axis == nil {
			b = value(b, r.stats.Values[0])
		} else {
			b = nprepr.AppendNested(b, r.stats.Shape, func(dst []byte, idx []int) []byte {
				return value(dst, r.stats.Values[flatIndex(idx, r.stats.Shape)])
			})
		}
		b = append(b, '\n')
	}
	// exact prints an integer extreme exactly, a float one as NumPy
	// prints a scalar of the array's dtype.
	exact := func(dst []byte, x compute.Scalar) []byte {
		if x.Kind() == compute.Float64 {
			return nprepr.AppendFloat(dst, x.Float64(), elementBits)
		}
		return append(dst, x.String()...)
	}
	index := func(arg func(compute.Stats) int) func([]byte, compute.Stats) []byte {
		return func(dst []byte, s compute.Stats) []byte {
			i := arg(s)
			switch {
			case i < 0:
				return append(dst, '-')
			case r.axis != nil:
				return strconv.AppendInt(dst, int64(i), 10)
			}
			return fmt.Appendf(dst, "%d %s", i, nprepr.Shape(unravelIndex(i, r.shape)))
		}
	}
	b = fmt.Appendf(b, "%-10s %s\n", "file", r.file)
	b = fmt.Appendf(b, "%-10s %s\n", "dtype", r.dtype)
	b = fmt.Appendf(b, "%-10s %s\n", "shape", nprepr.Shape(r.shape))
	if r.axis != nil {
		b = fmt.Appendf(b, "%-10s %d\n", "axis", *r.axis)
	}
	line("count", func(dst []byte, s compute.Stats) []byte { return strconv.AppendInt(dst, s.Count, 10) })
	line("nan_count", func(dst []byte, s compute.Stats) []byte { return strconv.AppendInt(dst, s.NaNCount, 10) })
	line("sum", func(dst []byte, s compute.Stats) []byte {
		if sum, ok := s.IntegerSum(); ok {
			return sum.Append(dst, 10)
		}
		return nprepr.AppendFloat(dst, s.Sum, 64)
	})
	line("mean", func(dst []byte, s compute.Stats) []byte { return nprepr.AppendFloat(dst, s.Mean, 64) })
	line("std", func(dst []byte, s compute.Stats) []byte { return nprepr.AppendFloat(dst, s.Std, 64) })
	line("min", func(dst []byte, s compute.Stats) []byte { return exact(dst, s.MinScalar) })
	line("max", func(dst []byte, s compute.Stats) []byte { return exact(dst, s.MaxScalar) })
	line("argmin", index(func(s compute.Stats) int { return s.ArgMin }))
	line("argmax", index(func(s compute.Stats) int { return s.ArgMax }))
	_, err := w.Write(b)
	return err
}

// flatIndex is the flat C-order index of idx in shape.
func flatIndex(idx, shape []int) int {
	flat := 0
	for i, n := range shape {
		flat = flat*n + idx[i]
	}
	return flat
}

// unravelIndex is np.unravel_index(flat, shape): the C-order index along
// each axis of the element at flat.
func unravelIndex(flat int, shape []int) []int {
	idx := make([]int, len(shape))
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] > 0 {
			idx[i] = flat % shape[i]
			flat /= shape[i]
		}
	}
	return idx
}

// jsonFloat is a float64 that marshals as a JSON number, or as the string
// "nan", "inf" or "-inf", which JSON has no numbers for.
type jsonFloat float64

func (x jsonFloat) MarshalJSON() ([]byte, error) {
	f := float64(x)
	switch {
	case math.IsNaN(f):
		return []byte(`"nan"`), nil
	case math.IsInf(f, 1):
		return []byte(`"inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-inf"`), nil
	}
	return json.Marshal(f)
}

// jsonScalar is a compute.Scalar that marshals an integer as its exact
// JSON number and a float as jsonFloat does.
type jsonScalar compute.Scalar

func (x jsonScalar) MarshalJSON() ([]byte, error) {
	s := compute.Scalar(x)
	if s.Kind() == compute.Float64 {
		return jsonFloat(s.Float64()).MarshalJSON()
	}
	return []byte(s.String()), nil
}

// statsJSON is the object stats --json prints. Axis is null for the whole
// array; then every statistic is one value: ArgMin and ArgMax flat C-order
// indices, null when no element is a number. Along an axis each statistic
// is a list of the other axes' shape (nested lists, one level per axis; one
// value when there are no other axes), ArgMin and ArgMax indices along the
// axis, null where there is none.
type statsJSON struct {
	File     string `json:"file"`
	DType    string `json:"dtype"`
	Shape    []int  `json:"shape"`
	Axis     *int   `json:"axis"`
	Count    any    `json:"count"`
	Sum      any    `json:"sum"` // jsonFloats, or json.Numbers for an integer dtype
	Mean     any    `json:"mean"`
	Std      any    `json:"std"`
	Min      any    `json:"min"` // jsonScalars
	Max      any    `json:"max"`
	ArgMin   any    `json:"argmin"`
	ArgMax   any    `json:"argmax"`
	NaNCount any    `json:"nan_count"`
}

func (r statsReport) writeJSON(w io.Writer) error {
	// field is one statistic: a value, or nested lists of them along an
	// axis.
	field := func(value func(s compute.Stats) any) any {
		return nestedLists(r.stats.Shape, func(flat int) any { return value(r.stats.Values[flat]) })
	}
	index := func(i int) any {
		if i < 0 {
			return nil
		}
		return i
	}
	shape := r.shape
	if shape == nil {
		shape = []int{} // a 0-d array: [], not null
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // a descr's '<' and '>' stay as they are
	return enc.Encode(statsJSON{
		File: r.file, DType: r.dtype.String(), Shape: shape, Axis: r.axis,
		Count: field(func(s compute.Stats) any { return s.Count }),
		Sum: field(func(s compute.Stats) any {
			if exact, ok := s.IntegerSum(); ok {
				return json.Number(exact.String())
			}
			return jsonFloat(s.Sum)
		}),
		Mean:     field(func(s compute.Stats) any { return jsonFloat(s.Mean) }),
		Std:      field(func(s compute.Stats) any { return jsonFloat(s.Std) }),
		Min:      field(func(s compute.Stats) any { return jsonScalar(s.MinScalar) }),
		Max:      field(func(s compute.Stats) any { return jsonScalar(s.MaxScalar) }),
		ArgMin:   field(func(s compute.Stats) any { return index(s.ArgMin) }),
		ArgMax:   field(func(s compute.Stats) any { return index(s.ArgMax) }),
		NaNCount: field(func(s compute.Stats) any { return s.NaNCount }),
	})
}

// nestedLists arranges the values at the flat C-order positions of shape
// as nested lists, one level per axis, as NumPy's tolist: the value at 0
// itself for a shape of no axes.
func nestedLists(shape []int, value func(flat int) any) any {
	var build func(axis, offset, stride int) any
	build = func(axis, offset, stride int) any {
		if axis == len(shape) {
			return value(offset)
		}
		stride /= max(shape[axis], 1)
		list := make([]any, shape[axis])
		for i := range list {
			list[i] = build(axis+1, offset+i*stride, stride)
		}
		return list
	}
	size := 1
	for _, n := range shape {
		size *= n
	}
	return build(0, 0, size)
}
