package mmarray

import (
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/npyheader"
)

// Each constructor takes options of its own type, and each With function
// returns a type that satisfies exactly the option types of the
// constructors it applies to, so an option given to a constructor it does
// not apply to is a compile error.

// OpenOption configures Open and OpenFile: WithMaxHeaderSize, WithSection,
// WithAdvice.
type OpenOption interface{ applyOpen(*options) }

// CreateOption configures Create: WithFortranOrder, WithVersion,
// WithAdvice.
type CreateOption interface{ applyCreate(*options) }

// RawOption configures OpenRaw and OpenRawBytes: WithFortranOrder,
// WithAdvice.
type RawOption interface{ applyRaw(*options) }

// WriterOption configures NewWriter and OpenAppendRaw: WithFortranOrder,
// WithBufferSize.
type WriterOption interface{ applyWriter(*options) }

// AppendOption configures OpenAppend: WithBufferSize.
type AppendOption interface{ applyAppend(*options) }

// BufferOption is an option for every constructor of a Writer: NewWriter,
// OpenAppend and OpenAppendRaw.
type BufferOption interface {
	WriterOption
	AppendOption
}

// BytesOption configures OpenBytes: WithMaxHeaderSize, WithOwnedImage,
// WithAdvice.
type BytesOption interface{ applyBytes(*options) }

// HeaderOption is an option for the constructors that read a header:
// Open, OpenFile and OpenBytes.
type HeaderOption interface {
	OpenOption
	BytesOption
}

// LayoutOption is an option for the constructors that are told an array's
// layout rather than reading it from a header: Create, OpenRaw, NewWriter
// and OpenAppendRaw.
type LayoutOption interface {
	CreateOption
	RawOption
	WriterOption
}

// Option is an option every File constructor takes (Open, OpenFile,
// Create, OpenRaw, OpenBytes, OpenRawBytes); the Writer constructors take
// their own.
type Option interface {
	OpenOption
	CreateOption
	RawOption
	BytesOption
}

// options is what the options of every constructor set; each constructor
// reads only the fields its options can set.
type options struct {
	maxHeaderSize int // 0: npyheader.DefaultMaxHeaderSize
	fortran       bool
	version       npyheader.Version // zero: chosen as NumPy does
	advice        Advice
	hasAdvice     bool
	section       section // WithSection, in section.go
	hasSection    bool
	ownedImage    bool
	bufferSize    int // 0: defaultBufferSize
}

// collectOptions applies a constructor's options in order, each through
// apply, the method of that constructor's option type (OpenOption.applyOpen,
// ...): a later option overrides an earlier one.
func collectOptions[O any](opts []O, apply func(O, *options)) options {
	var o options
	for _, opt := range opts {
		apply(opt, &o)
	}
	return o
}

type maxHeaderSizeOption int

func (n maxHeaderSizeOption) applyOpen(o *options)  { o.maxHeaderSize = int(n) }
func (n maxHeaderSizeOption) applyBytes(o *options) { o.maxHeaderSize = int(n) }

// WithMaxHeaderSize raises (or lowers) the largest header, in bytes, that
// Open, OpenFile and OpenBytes accept, like NumPy's max_header_size. Zero means the
// default, npyheader.DefaultMaxHeaderSize (10000, as NumPy's); a negative n
// is misuse and panics with a *memmap.Misuse.
func WithMaxHeaderSize(n int) HeaderOption {
	if n < 0 {
		misuse.Panicf("mmarray: WithMaxHeaderSize(%d): the size must not be negative (0 means the default)", n)
	}
	return maxHeaderSizeOption(n)
}

type fortranOrderOption bool

func (f fortranOrderOption) applyCreate(o *options) { o.fortran = bool(f) }
func (f fortranOrderOption) applyRaw(o *options)    { o.fortran = bool(f) }
func (f fortranOrderOption) applyWriter(o *options) { o.fortran = bool(f) }

// WithFortranOrder lays the array out in Fortran (column-major) order, as
// open_memmap's fortran_order and np.memmap's order='F' do. Create and
// OpenRaw; for NewWriter and OpenAppendRaw it also makes the last axis the
// one that grows.
func WithFortranOrder(fortran bool) LayoutOption { return fortranOrderOption(fortran) }

type versionOption npyheader.Version

func (v versionOption) applyCreate(o *options) { o.version = npyheader.Version(v) }

// WithVersion forces the NPY format version Create writes (1.0, 2.0 or 3.0);
// by default, and with WithVersion(0, 0), Create chooses as NumPy does: the
// oldest version that can hold the header. Create only.
func WithVersion(major, minor uint8) CreateOption {
	return versionOption{Major: major, Minor: minor}
}

type adviceOption Advice

func (a adviceOption) apply(o *options)       { o.advice, o.hasAdvice = Advice(a), true }
func (a adviceOption) applyOpen(o *options)   { a.apply(o) }
func (a adviceOption) applyCreate(o *options) { a.apply(o) }
func (a adviceOption) applyRaw(o *options)    { a.apply(o) }
func (a adviceOption) applyBytes(o *options)  { a.apply(o) }

// WithAdvice gives the kernel an access-pattern hint for the whole mapping
// right after it is made (Sequential, Random, WillNeed, ...). All
// constructors; OpenBytes and OpenRawBytes accept it and do nothing, as
// File.Advise does for memory.
func WithAdvice(a Advice) Option { return adviceOption(a) }

type bufferSizeOption int

func (n bufferSizeOption) applyWriter(o *options) { o.bufferSize = int(n) }
func (n bufferSizeOption) applyAppend(o *options) { o.bufferSize = int(n) }

// WithBufferSize sets how many bytes of rows a Writer gathers before it
// writes them (rounded down to whole rows; a row larger than n bytes is
// gathered and written in pieces of n bytes, at least 64). Zero means
// the default, 1 MiB; a negative n is misuse and panics with a
// *memmap.Misuse. NewWriter, OpenAppend and OpenAppendRaw.
func WithBufferSize(n int) BufferOption {
	if n < 0 {
		misuse.Panicf("mmarray: WithBufferSize(%d): the size must not be negative (0 means the default)", n)
	}
	return bufferSizeOption(n)
}
