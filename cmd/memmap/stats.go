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
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/bytesize"
	"github.com/go-memmap/memmap/internal/nprepr"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// notYet are the flags of stats that the issue names but that need engine
// features not built yet, with what they wait for: they are refused with
// that reason rather than with flag's "flag provided but not defined".
var notYet = map[string]string{
	"axis": "reductions along an axis are not built yet",
}

// progressMinBytes is the data size from which stats shows a progress bar
// (on a terminal only): below it the scan takes well under a second on a
// warm page cache, and a bar would only flicker.
const progressMinBytes = 256 << 20

func runStats(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	workers := fs.Int("workers", 0, "goroutines to scan with (default: GOMAXPROCS)")
	memory := fs.String("memory", "", "bound the memory the scan keeps resident, e.g. 256MiB (default: a quarter of the memory available)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	var raw rawArgs
	raw.register(fs)
	if err := refuseNotYet(args); err != nil {
		return err
	}
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
	f, err := openArray("stats", path, raw)
	if err != nil {
		return err
	}
	defer f.Close()

	// Ctrl-C stops the scan between chunks and reports it as one line.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	bar := newProgress(stderr, f)
	if bar != nil {
		opts = append(opts, compute.WithProgress(func(done, _ int64) { _ = bar.Set64(done) }))
	}
	s, err := describeFile(ctx, f, opts)
	if bar != nil {
		_ = bar.Clear()
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("stats %s: interrupted", path)
	}
	if err != nil {
		return fmt.Errorf("stats %s: %w", path, err)
	}
	r := statsReport{file: path, dtype: f.DType(), shape: f.Shape(), stats: s}
	if *asJSON {
		return r.writeJSON(stdout)
	}
	return r.writeText(stdout)
}

// refuseNotYet refuses the flags of notYet, in any of flag's spellings
// (-axis, --axis, --axis=1), before "--".
func refuseNotYet(args []string) error {
	for _, a := range args {
		if a == "--" {
			return nil
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if why, ok := notYet[name]; ok {
			return fmt.Errorf("stats: --%s is not supported yet: %s", name, why)
		}
	}
	return nil
}

// newProgress returns a progress bar on stderr for a scan of f's data, or
// nil when stderr is not a terminal or the data is small.
func newProgress(stderr io.Writer, f *mmarray.File) *progressbar.ProgressBar {
	file, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(file.Fd())) {
		return nil
	}
	size, err := f.Header().DataSize()
	if err != nil || size < progressMinBytes {
		return nil
	}
	return progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("stats"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// describeFile runs compute.Describe over the whole array of f with the
// element type its dtype maps to. Only real numbers and bools have
// statistics: the other dtypes wrap memmap.ErrUnsupported.
func describeFile(ctx context.Context, f *mmarray.File, opts []compute.Option) (compute.Stats, error) {
	dt := f.DType()
	switch {
	case dt.Kind == npyheader.Bool:
		return describe[bool](ctx, f, opts)
	case dt.Kind == npyheader.Int && dt.ItemSize == 1:
		return describe[int8](ctx, f, opts)
	case dt.Kind == npyheader.Int && dt.ItemSize == 2:
		return describe[int16](ctx, f, opts)
	case dt.Kind == npyheader.Int && dt.ItemSize == 4:
		return describe[int32](ctx, f, opts)
	case dt.Kind == npyheader.Int && dt.ItemSize == 8:
		return describe[int64](ctx, f, opts)
	case dt.Kind == npyheader.Uint && dt.ItemSize == 1:
		return describe[uint8](ctx, f, opts)
	case dt.Kind == npyheader.Uint && dt.ItemSize == 2:
		return describe[uint16](ctx, f, opts)
	case dt.Kind == npyheader.Uint && dt.ItemSize == 4:
		return describe[uint32](ctx, f, opts)
	case dt.Kind == npyheader.Uint && dt.ItemSize == 8:
		return describe[uint64](ctx, f, opts)
	case dt.Kind == npyheader.Float && dt.ItemSize == 2:
		return describe[mmarray.Float16](ctx, f, opts)
	case dt.Kind == npyheader.Float && dt.ItemSize == 4:
		return describe[float32](ctx, f, opts)
	case dt.Kind == npyheader.Float && dt.ItemSize == 8:
		return describe[float64](ctx, f, opts)
	}
	return compute.Stats{}, fmt.Errorf("dtype %s: statistics of bools, integers and floats up to 8 bytes only: %w",
		dt, memmap.ErrUnsupported)
}

func describe[T compute.Real](ctx context.Context, f *mmarray.File, opts []compute.Option) (compute.Stats, error) {
	a, err := mmarray.View[T](f)
	if err != nil {
		return compute.Stats{}, err
	}
	return compute.Describe(ctx, a, opts...)
}

// statsReport is what stats prints about one array.
type statsReport struct {
	file  string
	dtype npyheader.DType
	shape []int
	stats compute.Stats
}

// writeText prints one "name  value" line per statistic. Sums and extremes
// of integers and bools print as exact integers, the extremes of floats as NumPy
// prints a scalar of the array's dtype, the other floats as NumPy prints a
// float64; the arg-extremes print as the flat index and, after it, the
// index along each axis (np.unravel_index), or "-" when there is none.
func (r statsReport) writeText(w io.Writer) error {
	s := r.stats
	elementBits := 8 * r.dtype.ItemSize
	var b []byte
	number := func(name string, x float64, bits int) {
		b = fmt.Appendf(b, "%-10s ", name)
		b = nprepr.AppendFloat(b, x, bits)
		b = append(b, '\n')
	}
	// exact prints an integer extreme exactly, a float one as number does.
	exact := func(name string, x compute.Scalar, bits int) {
		if x.Kind() == compute.Float64 {
			number(name, x.Float64(), bits)
			return
		}
		b = fmt.Appendf(b, "%-10s %s\n", name, x)
	}
	index := func(name string, flat int) {
		b = fmt.Appendf(b, "%-10s ", name)
		if flat < 0 {
			b = append(b, "-\n"...)
			return
		}
		b = fmt.Appendf(b, "%d %s\n", flat, pyTuple(unravelIndex(flat, r.shape)))
	}
	b = fmt.Appendf(b, "%-10s %s\n", "file", r.file)
	b = fmt.Appendf(b, "%-10s %s\n", "dtype", r.dtype)
	b = fmt.Appendf(b, "%-10s %s\n", "shape", pyTuple(r.shape))
	b = fmt.Appendf(b, "%-10s %d\n", "count", s.Count)
	b = fmt.Appendf(b, "%-10s %d\n", "nan_count", s.NaNCount)
	if sum, ok := s.IntegerSum(); ok {
		b = fmt.Appendf(b, "%-10s %s\n", "sum", sum)
	} else {
		number("sum", s.Sum, 64)
	}
	number("mean", s.Mean, 64)
	number("std", s.Std, 64)
	exact("min", s.MinScalar, elementBits)
	exact("max", s.MaxScalar, elementBits)
	index("argmin", s.ArgMin)
	index("argmax", s.ArgMax)
	_, err := w.Write(b)
	return err
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

// statsJSON is the object stats --json prints. Axis is always null: the
// statistics are of the whole array. ArgMin and ArgMax are flat C-order
// indices, null when there is no element that is not NaN.
type statsJSON struct {
	File     string     `json:"file"`
	DType    string     `json:"dtype"`
	Shape    []int      `json:"shape"`
	Axis     *int       `json:"axis"`
	Count    int64      `json:"count"`
	Sum      any        `json:"sum"` // a jsonFloat, or a json.Number for an integer dtype
	Mean     jsonFloat  `json:"mean"`
	Std      jsonFloat  `json:"std"`
	Min      jsonScalar `json:"min"`
	Max      jsonScalar `json:"max"`
	ArgMin   *int       `json:"argmin"`
	ArgMax   *int       `json:"argmax"`
	NaNCount int64      `json:"nan_count"`
}

func (r statsReport) writeJSON(w io.Writer) error {
	s := r.stats
	index := func(flat int) *int {
		if flat < 0 {
			return nil
		}
		return &flat
	}
	var sum any = jsonFloat(s.Sum)
	if exact, ok := s.IntegerSum(); ok {
		sum = json.Number(exact.String())
	}
	shape := r.shape
	if shape == nil {
		shape = []int{} // a 0-d array: [], not null
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // a descr's '<' and '>' stay as they are
	return enc.Encode(statsJSON{
		File: r.file, DType: r.dtype.String(), Shape: shape,
		Count: s.Count, Sum: sum, Mean: jsonFloat(s.Mean), Std: jsonFloat(s.Std),
		Min: jsonScalar(s.MinScalar), Max: jsonScalar(s.MaxScalar),
		ArgMin: index(s.ArgMin), ArgMax: index(s.ArgMax), NaNCount: s.NaNCount,
	})
}
