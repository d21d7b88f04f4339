package zarr

import (
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/zarr/codec"
)

// Each constructor takes options of its own type, and each With function
// returns a type that satisfies exactly the option types of the
// constructors it applies to (the module's convention, see package
// memmap), so a misplaced option does not compile.

// CreateOption configures Create: WithFormat, WithCodec,
// WithFortranOrder, WithDimensionSeparator, WithFill, WithAttrs,
// WithDimensionNames.
type CreateOption interface{ applyCreate(*options) }

// FromFileOption configures FromFile: Create's options, WithChunks, and
// the run options WithWorkers, WithMemory and WithProgress.
type FromFileOption interface{ applyFromFile(*options) }

// ToNPYOption configures ToNPY and ToRaw: WithWorkers, WithMemory,
// WithProgress.
type ToNPYOption interface{ applyToNPY(*options) }

// GroupOption configures CreateGroup: WithFormat.
type GroupOption interface{ applyGroup(*options) }

// GroupLayoutOption is an option for everything that makes a new node:
// Create, FromFile and CreateGroup.
type GroupLayoutOption interface {
	LayoutOption
	GroupOption
}

// LayoutOption is an option for what makes a new store: Create and
// FromFile.
type LayoutOption interface {
	CreateOption
	FromFileOption
}

// RunOption is an option for the conversions, FromFile, ToNPY and ToRaw.
type RunOption interface {
	FromFileOption
	ToNPYOption
}

type options struct {
	codec     codec.Codec
	fortran   bool
	hasOrder  bool
	separator string
	fill      []byte
	hasFill   bool
	attrs     map[string]any
	chunks    []int
	format    int // 0: 2
	dimNames  []string
	workers   int
	memory    int64
	progress  func(done, total int64)
}

func collect[O any](opts []O, apply func(O, *options)) options {
	var o options
	for _, opt := range opts {
		apply(opt, &o)
	}
	return o
}

type layoutFunc func(*options)

func (f layoutFunc) applyCreate(o *options)   { f(o) }
func (f layoutFunc) applyFromFile(o *options) { f(o) }

type groupLayoutFunc func(*options)

func (f groupLayoutFunc) applyCreate(o *options)   { f(o) }
func (f groupLayoutFunc) applyFromFile(o *options) { f(o) }
func (f groupLayoutFunc) applyGroup(o *options)    { f(o) }

type runFunc func(*options)

func (f runFunc) applyFromFile(o *options) { f(o) }
func (f runFunc) applyToNPY(o *options)    { f(o) }

type fromFileFunc func(*options)

func (f fromFileFunc) applyFromFile(o *options) { f(o) }

// WithCodec sets the codec chunks are stored with (zarr's "compressor");
// nil stores them uncompressed, as raw files that are mapped in place when
// read. Create's default is no codec; FromFile's default is no codec too
// (pass a codec.Parse("blosc-lz4") for zarr-python's default compressor).
func WithCodec(c codec.Codec) LayoutOption {
	return layoutFunc(func(o *options) { o.codec = c })
}

// WithFortranOrder stores the items of each chunk in Fortran order
// (zarr's order "F") instead of C order. Create's default is C order;
// FromFile's default is the source File's order.
func WithFortranOrder(fortran bool) LayoutOption {
	return layoutFunc(func(o *options) { o.fortran, o.hasOrder = fortran, true })
}

// WithDimensionSeparator sets how chunk keys join their indices: "." (the
// default, files "0.1") or "/" (nested folders "0/1"). Anything else is
// misuse and panics with a *memmap.Misuse.
func WithDimensionSeparator(sep string) LayoutOption {
	if sep != "." && sep != "/" {
		misuse.Panicf("zarr: WithDimensionSeparator(%q): the separator is \".\" or \"/\"", sep)
	}
	return layoutFunc(func(o *options) { o.separator = sep })
}

// WithFill sets the fill value, as the bytes of one item in the array's
// dtype and byte order: what missing chunks read as and what pads the edge
// chunks. nil means zarr's null fill value (missing chunks read as zero
// bytes). The default is an item of zero bytes, as zarr-python's
// fill_value=0. A fill whose length is not the item size makes Create
// and FromFile panic with a *memmap.Misuse.
func WithFill(item []byte) LayoutOption {
	item = append([]byte(nil), item...)
	return layoutFunc(func(o *options) { o.fill, o.hasFill = item, true })
}

// WithFormat sets the Zarr format written: 2 (the default, what
// zarr-python 2 and Dask 2022 read) or 3 (zarr.json; chunk keys "c/0/1" by
// default; only v3's core data types: numbers, bool and V items; codecs
// gzip, zstd, blosc, crc32c). Another value is misuse and panics with a
// *memmap.Misuse.
func WithFormat(format int) GroupLayoutOption {
	if format != 2 && format != 3 {
		misuse.Panicf("zarr: WithFormat(%d): the format is 2 or 3", format)
	}
	return groupLayoutFunc(func(o *options) { o.format = format })
}

// WithDimensionNames names the array's axes (v3's dimension_names, one
// name per axis; "" leaves an axis unnamed). Format 3 only: Create and
// FromFile panic with a *memmap.Misuse for format 2, or for a count of
// names other than the rank.
func WithDimensionNames(names ...string) LayoutOption {
	names = append([]string{}, names...)
	return layoutFunc(func(o *options) { o.dimNames = names })
}

// WithAttrs sets the user attributes written to .zattrs (JSON values).
func WithAttrs(attrs map[string]any) LayoutOption {
	return layoutFunc(func(o *options) { o.attrs = attrs })
}

// WithChunks sets the chunk shape of the store FromFile writes, one
// positive length per axis of the source. Zero (no WithChunks) means
// zarr-python's default, which aims at chunks of 1 to 8 MiB. A length that
// is not positive is misuse and panics with a *memmap.Misuse.
func WithChunks(chunks ...int) FromFileOption {
	for axis, n := range chunks {
		if n <= 0 {
			misuse.Panicf("zarr: WithChunks(%v): the length along axis %d is not positive", chunks, axis)
		}
	}
	chunks = append([]int(nil), chunks...)
	return fromFileFunc(func(o *options) { o.chunks = chunks })
}

// WithWorkers sets the number of goroutines a conversion runs on, each
// encoding or decoding one chunk at a time. Zero means the default,
// runtime.GOMAXPROCS(0), bounded by the memory budget; a negative n panics
// with a *memmap.Misuse.
func WithWorkers(n int) RunOption {
	if n < 0 {
		misuse.Panicf("zarr: WithWorkers(%d): negative worker count", n)
	}
	return runFunc(func(o *options) { o.workers = n })
}

// WithMemory bounds the memory a conversion holds, in bytes: each worker
// holds one chunk and its encoding, and the pages of the source (or
// destination) already passed are released when the file is larger than
// the budget. Zero means the default, a quarter of the memory the process
// can still take, at least 64 MiB (compute's default); a negative value
// panics with a *memmap.Misuse. At least one worker runs whatever the
// budget.
func WithMemory(bytes int64) RunOption {
	if bytes < 0 {
		misuse.Panicf("zarr: WithMemory(%d): negative memory budget", bytes)
	}
	return runFunc(func(o *options) { o.memory = bytes })
}

// WithProgress has a conversion call fn after each chunk with the array's
// bytes done so far and its total bytes. Calls come from the workers one at
// a time, with done increasing.
func WithProgress(fn func(done, total int64)) RunOption {
	return runFunc(func(o *options) { o.progress = fn })
}
