package text

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/npyheader"
)

// LoadOption configures Load, LoadFile, LoadArray and LoadArrayFile. The
// options are named after np.loadtxt's keywords; a later option overrides
// an earlier one.
type LoadOption interface{ applyLoad(*loadOptions) }

// Converter replaces the text of a field before it is parsed by its
// column's dtype, like an entry of np.loadtxt's converters (which returns a
// value rather than text): it returns the text to parse, which may be field
// itself, a constant, or built by appending to scratch[:0] (scratch is
// reused from call to call, so a converter need not allocate). An error it
// returns stops the load and is passed on with the line and column in front.
// Converters run on several goroutines at once when the input is parsed in
// parallel, so a converter must be safe for concurrent use.
type Converter func(field, scratch []byte) ([]byte, error)

type loadOptions struct {
	delimiter   int // -1: runs of white space
	quote       int // -1: no quoting
	comments    []string
	skipRows    int
	useCols     []int
	hasUseCols  bool
	maxRows     int64 // 0: all rows
	dtype       npyheader.DType
	hasDType    bool
	converters  map[int]Converter
	encoding    encoding
	encodingSet bool
	ndmin       int
	progress    func(done, total int64) // WithProgress; nil: none
	workers     int                     // 0: GOMAXPROCS
	budget      int64                   // 0: defaultBudget
	blockSize   int                     // 0: from the budget; tests set it to cut tiny blocks
}

func defaultLoadOptions() loadOptions {
	return loadOptions{delimiter: -1, quote: -1, comments: []string{"#"}}
}

type loadOptionFunc func(*loadOptions)

func (f loadOptionFunc) applyLoad(o *loadOptions) { f(o) }

// Option is an option that both Load (and LoadFile, LoadArray,
// LoadArrayFile) and Genfromtxt (and GenfromtxtFile) take: WithDelimiter,
// WithComments, WithMaxRows, WithDType, WithEncoding, WithNdmin.
type Option interface {
	LoadOption
	GenOption
}

type sharedOption func(*loadOptions)

func (f sharedOption) applyLoad(o *loadOptions) { f(o) }
func (f sharedOption) applyGen(o *genOptions)   { f(&o.loadOptions) }

// FormatOption is an option of the text's syntax that reading (Load,
// Genfromtxt and their variants) and writing (Save and its variants) both
// take, as np.loadtxt, np.genfromtxt and np.savetxt share the keyword:
// WithDelimiter and WithComments.
type FormatOption interface {
	LoadOption
	GenOption
	SaveOption
}

type formatOption struct {
	load func(*loadOptions)
	save func(*saveConfig)
}

func (f formatOption) applyLoad(o *loadOptions) { f.load(o) }
func (f formatOption) applyGen(o *genOptions)   { f.load(&o.loadOptions) }
func (f formatOption) applySave(c *saveConfig)  { f.save(c) }

// WithDelimiter sets what separates fields, the delimiter keyword. Reading
// takes one ASCII character other than a line end, or "" (the default) to
// split at runs of white space as Python's str.split() does; any other
// delimiter given to a read panics with a *memmap.Misuse when the read
// starts. Writing takes any text; its default is " ".
func WithDelimiter(delimiter string) FormatOption {
	return formatOption{
		load: func(o *loadOptions) {
			switch d := delimiter; {
			case d == "":
				o.delimiter = -1
			case len(d) == 1 && d[0] < utf8.RuneSelf && d[0] != '\n' && d[0] != '\r':
				o.delimiter = int(d[0])
			default:
				misuse.Panicf("text: WithDelimiter(%q): reading takes one ASCII character other than a line end, or \"\" for white space", d)
			}
		},
		save: func(c *saveConfig) { c.delimiter = delimiter },
	}
}

// WithComments sets the markers that start a comment, np.loadtxt's
// comments: the rest of the line after any of them is ignored. The default
// is "#"; WithComments() with no markers turns comments off (comments=None).
// A marker may be longer than one character; when there is more than one
// marker, or a longer one, quoting must be off, as in NumPy. An empty
// marker panics. Writing takes one prefix for the lines of the header and
// footer (default "# "), or none with WithComments(); more than one panics
// when the write starts.
func WithComments(markers ...string) FormatOption {
	for _, m := range markers {
		if m == "" {
			misuse.Panicf("text: WithComments(%s): an empty comment marker; use WithComments() to turn comments off", quotedList(markers))
		}
		if strings.ContainsAny(m, "\r\n") {
			misuse.Panicf("text: WithComments(%s): comment marker %q holds a line end", quotedList(markers), m)
		}
	}
	ms := append([]string(nil), markers...)
	return formatOption{
		load: func(o *loadOptions) { o.comments = ms },
		save: func(c *saveConfig) {
			switch len(ms) {
			case 0:
				c.comments = ""
			case 1:
				c.comments = ms[0]
			default:
				misuse.Panicf("text: WithComments(%s): writing takes one comments prefix, not %d", quotedList(ms), len(ms))
			}
		},
	}
}

// WithSkipRows skips the first n lines of the input, comments and blank
// lines included, np.loadtxt's skiprows. A negative n panics.
func WithSkipRows(n int) LoadOption {
	if n < 0 {
		misuse.Panicf("text: WithSkipRows(%d): negative line count", n)
	}
	return loadOptionFunc(func(o *loadOptions) { o.skipRows = n })
}

// WithUseCols reads only the given columns, in the given order,
// np.loadtxt's usecols: 0 is the first column, -1 the last (counted in each
// row). A row without one of them is an error wrapping ErrColumns. Rows
// may then have different numbers of fields. With a structured dtype there
// must be one column per field (per item of a subarray field), or Load
// returns an error wrapping ErrColumns.
func WithUseCols(cols ...int) LoadOption {
	cs := append([]int(nil), cols...)
	return loadOptionFunc(func(o *loadOptions) { o.useCols, o.hasUseCols = cs, true })
}

// WithMaxRows stops after n rows of data, np.loadtxt's max_rows (blank and
// comment lines are not counted, as in NumPy 1.23 and later). Zero means
// the default, every row (NumPy's max_rows=0, which reads none, has no
// equivalent); a negative n panics.
func WithMaxRows(n int64) Option {
	if n < 0 {
		misuse.Panicf("text: WithMaxRows(%d): negative row count", n)
	}
	return sharedOption(func(o *loadOptions) { o.maxRows = n })
}

// WithQuoteChar turns quoting on, np.loadtxt's quotechar (off by default):
// a field that starts with c (after leading white space when splitting at
// white space) runs to the next c, delimiters, comment markers and line
// ends included, and a doubled c inside it stands for one. The quote must
// be one ASCII character other than a line end, and not the delimiter;
// WithQuoteChar(0) turns quoting off.
func WithQuoteChar(c rune) LoadOption {
	if c != 0 && (c < 0 || c >= utf8.RuneSelf || c == '\n' || c == '\r') {
		misuse.Panicf("text: WithQuoteChar(%q): the quote is not an ASCII character other than a line end", c)
	}
	return loadOptionFunc(func(o *loadOptions) {
		o.quote = int(c)
		if c == 0 {
			o.quote = -1
		}
	})
}

// WithDType sets the dtype of the result, np.loadtxt's dtype (default
// float64, '<f8'): a bool, integer, float or complex type, S<n> or U<n>,
// in either byte order, or a structured dtype of such fields, one column
// per field (a subarray field takes as many columns as it has items).
// Other dtypes make Load return an error wrapping memmap.ErrUnsupported.
func WithDType(dt npyheader.DType) Option {
	dt = dt.Clone()
	return sharedOption(func(o *loadOptions) { o.dtype, o.hasDType = dt, true })
}

// WithConverter converts the fields of column col (counted in the input,
// as WithUseCols counts, from 0) with fn before they are parsed,
// np.loadtxt's converters={col: fn}. A negative col panics.
func WithConverter(col int, fn Converter) LoadOption {
	if col < 0 || fn == nil {
		misuse.Panicf("text: WithConverter(%d, ...): negative column or nil function", col)
	}
	return loadOptionFunc(func(o *loadOptions) {
		m := make(map[int]Converter, len(o.converters)+1)
		for k, v := range o.converters {
			m[k] = v
		}
		m[col] = fn
		o.converters = m
	})
}

type encoding int

const (
	encodingUTF8    encoding = iota // invalid UTF-8 is an error; a BOM is text
	encodingUTF8Sig                 // as UTF-8, a leading BOM dropped
	encodingLatin1
)

// WithEncoding sets the input's encoding, np.loadtxt's encoding: "utf-8"
// (the default, as NumPy's on a UTF-8 system), "utf-8-sig" (UTF-8 whose
// leading byte-order mark is dropped; with "utf-8", as in NumPy, the mark
// is part of the first field, which then is no number), or "latin-1"
// (ISO-8859-1, each byte one character). Python's spellings of these names
// are accepted ("utf8", "UTF-8", "latin1", "iso-8859-1"); others panic.
func WithEncoding(name string) Option {
	var e encoding
	switch strings.ReplaceAll(strings.ToLower(name), "_", "-") {
	case "utf-8", "utf8", "u8":
		e = encodingUTF8
	case "utf-8-sig", "utf8-sig":
		e = encodingUTF8Sig
	case "latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1":
		e = encodingLatin1
	default:
		misuse.Panicf("text: WithEncoding(%q): unsupported encoding (utf-8, utf-8-sig and latin-1 are)", name)
	}
	return sharedOption(func(o *loadOptions) { o.encoding, o.encodingSet = e, true })
}

// WithNdmin sets the fewest dimensions of the result's shape, np.loadtxt's
// ndmin: 0 (the default) squeezes every axis of length 1 away, 1 and 2
// squeeze and then add axes as NumPy does (a single column read with
// ndmin 2 has shape (rows, 1)). Other values panic.
func WithNdmin(n int) Option {
	if n < 0 || n > 2 {
		misuse.Panicf("text: WithNdmin(%d): ndmin is 0, 1 or 2", n)
	}
	return sharedOption(func(o *loadOptions) { o.ndmin = n })
}

// WithWorkers sets how many goroutines parse blocks of the input at once;
// zero means the default, runtime.GOMAXPROCS(0). The result does not
// depend on it. A negative n panics.
func WithWorkers(n int) WorkersOption {
	if n < 0 {
		misuse.Panicf("text: WithWorkers(%d): negative worker count", n)
	}
	return workersOption(n)
}

// WorkersOption is WithWorkers, which Load and Save (and their variants)
// take.
type WorkersOption interface {
	LoadOption
	SaveOption
}

type workersOption int

func (n workersOption) applyLoad(o *loadOptions) { o.workers = int(n) }
func (n workersOption) applySave(c *saveConfig)  { c.workers = int(n) }

// defaultBudget is WithMemory's default.
const defaultBudget = 64 << 20

// WithMemory bounds the bytes a load holds at once in its blocks of
// input and of parsed records (default 64 MiB): the input is cut into
// blocks small enough that all the blocks in flight, and the records they
// parse into, fit. A row longer than a block still has to be held whole.
// A negative n panics.
func WithMemory(n int64) LoadOption {
	if n < 0 {
		misuse.Panicf("text: WithMemory(%d): negative memory budget", n)
	}
	return loadOptionFunc(func(o *loadOptions) { o.budget = n })
}

// quotedList spells markers as the arguments of a call in a panic's
// message: "#", "%".
func quotedList(markers []string) string {
	q := make([]string, len(markers))
	for i, m := range markers {
		q[i] = strconv.Quote(m)
	}
	return strings.Join(q, ", ")
}

// WithProgress calls fn after each read of the input with the bytes read
// so far and the input's size: the file's for LoadFile, LoadFileToNPY and
// LoadArrayFile (its compressed bytes for a .gz file), -1 for a reader
// given to Load, LoadToNPY or LoadArray. fn is called from one goroutine
// at a time; a nil fn reports nothing.
func WithProgress(fn func(done, total int64)) LoadOption {
	return loadOptionFunc(func(o *loadOptions) { o.progress = fn })
}
