package text

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/atomicfile"
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/internal/pyrepr"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// SaveOption configures Save and SaveFile.
type SaveOption interface{ applySave(*saveConfig) }

type saveFunc func(*saveConfig)

func (f saveFunc) applySave(c *saveConfig) { f(c) }

type saveConfig struct {
	fmt        string   // one format string, np.savetxt's fmt=str
	fmtList    []string // one format per column, fmt=[...]; nil unless given
	delimiter  string
	newline    string
	header     string
	footer     string
	comments   string
	workers    int
	blockCells int   // values formatted per block; tests set it small
	releaseMin int64 // the least array size whose pages are released; tests set it
}

// WithFmt sets the format as one string, as np.savetxt's fmt=str: a single
// % conversion is applied to every column (joined by the delimiter; for a
// complex array it becomes " (F+Fj)" for each column's real and imaginary
// parts), and a string with one conversion per column (two for a complex
// column) is the whole row, the delimiter then unused. The default is
// "%.18e". The conversions are Python's %-formatting of NumPy scalars,
// byte for byte.
func WithFmt(format string) SaveOption {
	return saveFunc(func(c *saveConfig) { c.fmt, c.fmtList = format, nil })
}

// WithColumnFmts sets one format per column, as np.savetxt's fmt=[...]: the
// row's format is the formats joined by the delimiter. For a complex array
// each format takes a column's real and imaginary parts ("%.3e%+.3ej").
func WithColumnFmts(formats ...string) SaveOption {
	list := append(make([]string, 0, len(formats)), formats...)
	return saveFunc(func(c *saveConfig) { c.fmtList = list })
}

// WithNewline sets the text that ends each line; the default is "\n".
func WithNewline(newline string) SaveOption {
	return saveFunc(func(c *saveConfig) { c.newline = newline })
}

// WithHeader sets a header written before the rows, each of its lines
// prefixed by the comments string; the default "" writes none.
func WithHeader(header string) SaveOption {
	return saveFunc(func(c *saveConfig) { c.header = header })
}

// WithFooter sets a footer written after the rows, as WithHeader.
func WithFooter(footer string) SaveOption {
	return saveFunc(func(c *saveConfig) { c.footer = footer })
}

// defaultBlockCells is the number of values a block of rows holds: large
// enough that a block's hand-off between goroutines is cheap beside its
// formatting, small enough that the blocks in flight (about three per
// worker) stay at a few MiB.
const defaultBlockCells = 8192

// Save writes the array a as text to w, as np.savetxt(w, a, ...) does, byte
// for byte: rows of a 2-D view, the elements of a 1-D view one per line, or
// the fields of a 1-D structured view (a []byte view of the records) one
// column each; the header, the rows, then the footer. Any strides and byte
// order work. The rows are formatted in parallel, in blocks, and written to
// w in order, so memory stays bounded whatever the array's size: an .npy
// larger than memory streams to text. For an array of 256 MiB or more the
// pages of the rows written are released from the process behind the walk
// (File.Release: a later read maps them in again; a ReadWrite File's
// changes there are written back first); a view that walks memory
// backwards or across it (reversed, transposed) keeps them until the end.
//
// Numbers are formatted as Python's % operator formats NumPy scalars (C's
// printf rules, %g's included, which Go's fmt does not follow), a bool and
// an integer as Python's int, %s and %r of a number as NumPy's str, of an S
// column as Python's bytes repr (b'..'), of a U column as the string.
// Complex arrays take np.savetxt's forms (see WithFmt and WithColumnFmts).
// The text is UTF-8, what np.savetxt writes to a path under a UTF-8 locale.
//
// Errors wrap ErrFormat when the format does not fit the array, with NumPy's
// text ("fmt has wrong number of % formats:  %d %d", "Mismatch between
// array dtype ('float64') and format specifier ('%x')"), checked on the first
// row before anything is written; memmap.ErrUnsupported for a view NumPy's
// savetxt does not write as columns (other than 1-D or 2-D, datetimes,
// longdoubles, nested or subarray fields, a 2-D structured view); and the
// writer's own error, passed on, when a write fails.
func Save[T mmarray.Element](w io.Writer, a *mmarray.Array[T], opts ...SaveOption) error {
	return save(w, a, "save text", opts)
}

// SaveFile writes the array a as text to the file at path, as
// np.savetxt(path, a, ...) does; a path ending in ".gz" is written
// gzip-compressed (at the default level; NumPy's level 9 and its gzip
// header differ, the text inside is the same). Where NumPy truncates the
// file first and writes into it, SaveFile writes a temporary file beside
// path (".NAME.tmp-RANDOM") and renames it onto path once the text is
// complete and synced: after an error, or a crash, no partial text is at
// path, and an existing file there is kept as it was. The file that
// replaces an existing one is a new file: it has a new file's permissions
// (0666 less the umask); a symbolic link at path is followed. Errors are
// Save's, memmap.ErrUnsupported for a path that is not a regular file (a
// device, a named pipe: write to those with Save), and the operating
// system's (*fs.PathError) for the file.
func SaveFile[T mmarray.Element](path string, a *mmarray.Array[T], opts ...SaveOption) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	defer f.Abort() // after an error; nothing after Commit
	var w io.Writer = f.Temp()
	var gz *gzip.Writer
	if strings.HasSuffix(path, ".gz") {
		gz = gzip.NewWriter(w)
		w = gz
	}
	if err := save(w, a, "save "+path, opts); err != nil {
		return err
	}
	if gz != nil {
		if err := gz.Close(); err != nil {
			return fmt.Errorf("save %s: %w", path, err)
		}
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}

// save is Save with the context its errors name.
func save[T mmarray.Element](w io.Writer, a *mmarray.Array[T], context string, opts []SaveOption) error {
	if a == nil {
		misuse.Panicf("text: Save of a nil *mmarray.Array")
	}
	c := saveConfig{fmt: "%.18e", delimiter: " ", newline: "\n", comments: "# ", releaseMin: defaultReleaseMin}
	for _, o := range opts {
		o.applySave(&c)
	}
	plan, err := planSave(a, &c)
	if err != nil {
		return fmt.Errorf("%s: %w", context, err)
	}
	if err := plan.write(w, &c); err != nil {
		return fmt.Errorf("%s: %w", context, err)
	}
	return nil
}

// savePlan is what np.savetxt works out before its loop: the rows, the
// values per row, and the one format string a row is formatted with.
type savePlan struct {
	rows    int
	values  int // values per row: the columns, twice that for complex
	complex bool
	format  string
	parsed  *pyFormat
	dtype   string // str(X.dtype) for the Mismatch message
	source  saveSource
	// releasePages: the rows' pages are released behind the walk (an
	// array of at least saveConfig.releaseMin bytes, mapped from a file),
	// up to releasedTo, a page boundary of the file, so far.
	releasePages bool
	file         *mmarray.File
	releasedTo   int64
}

// planSave checks a and the options as np.savetxt does and builds the row
// format.
func planSave[T mmarray.Element](a *mmarray.Array[T], c *saveConfig) (*savePlan, error) {
	dt := a.DType()
	shape := a.Shape()
	if len(shape) == 0 || len(shape) > 2 {
		return nil, fmt.Errorf("%w: Expected 1D or 2D array, got %dD array instead", memmap.ErrUnsupported, len(shape))
	}
	f := a.File()
	p := &savePlan{rows: shape[0], dtype: dtypeStr(dt), file: f,
		releasePages: !f.IsInMemory() && f.NBytes() >= c.releaseMin}
	var ncol int
	var err error
	switch {
	case dt.Structured():
		if len(shape) != 1 {
			return nil, fmt.Errorf("%w: a 2-D structured array (its records are not columns)", memmap.ErrUnsupported)
		}
		ncol = len(dt.Fields)
		p.source, err = newSaveFields(a, dt)
	default:
		ncol = 1
		if len(shape) == 2 {
			ncol = shape[1]
		}
		p.complex = dt.Kind == npyheader.Complex
		p.source, err = newSaveArray(a, dt, ncol)
	}
	if err != nil {
		return nil, err
	}
	p.values = ncol
	if p.complex {
		p.values = 2 * ncol
	}
	if p.format, err = rowFormat(c, ncol, p.complex); err != nil {
		return nil, err
	}
	if p.rows > 0 {
		if p.parsed, err = parsePyFormat(p.format); err != nil {
			return nil, saveFormatError(err)
		}
	}
	return p, nil
}

// rowFormat builds the format of a whole row as np.savetxt does.
func rowFormat(c *saveConfig, ncol int, complex bool) (string, error) {
	if c.fmtList != nil {
		if len(c.fmtList) != ncol {
			var list []byte
			list = append(list, '[')
			for k, f := range c.fmtList {
				if k > 0 {
					list = append(list, ", "...)
				}
				list = pyrepr.AppendStr(list, f)
			}
			list = append(list, ']')
			return "", fmt.Errorf("%w: fmt has wrong shape.  %s", ErrFormat, list)
		}
		return strings.Join(c.fmtList, c.delimiter), nil
	}
	n := strings.Count(c.fmt, "%")
	switch {
	case n == 1:
		one := c.fmt
		if complex {
			one = " (" + c.fmt + "+" + c.fmt + "j)"
		}
		cols := make([]string, ncol)
		for k := range cols {
			cols[k] = one
		}
		return strings.Join(cols, c.delimiter), nil
	case complex && n != 2*ncol, !complex && n != ncol:
		return "", fmt.Errorf("%w: fmt has wrong number of %% formats:  %s", ErrFormat, c.fmt)
	}
	return c.fmt, nil
}

// saveFormatError wraps an error of the formatter: Python's exceptions as
// ErrFormat, the conversions this package does not do as
// memmap.ErrUnsupported.
func saveFormatError(err error) error {
	var pe *pyError
	if errors.As(err, &pe) {
		return fmt.Errorf("%w: %s", ErrFormat, pe.msg)
	}
	return fmt.Errorf("%w: %w", memmap.ErrUnsupported, err)
}

// rowError wraps a failure to format row i, in NumPy's words: its
// TypeErrors become the Mismatch message (complex rows keep Python's own),
// the others (NaN or infinity to %d) pass as Python says them.
func (p *savePlan) rowError(i int, err error) error {
	var pe *pyError
	if errors.As(err, &pe) && pe.class == "TypeError" && !p.complex {
		return fmt.Errorf("row %d: %w: Mismatch between array dtype (%s) and format specifier (%s)",
			i, ErrFormat, pyrepr.Str(p.dtype), pyrepr.Str(p.format))
	}
	return fmt.Errorf("row %d: %w", i, saveFormatError(err))
}

// dtypeStr is str(dtype) in NumPy: the type's name for a native number or
// bool ("float64"), its descr otherwise ("<U3", ">f8", "[('a', '<i4')]").
func dtypeStr(dt npyheader.DType) string {
	if dt.Fields == nil && (dt.Order == '|' || dt.IsNative()) {
		bits := strconv.Itoa(8 * dt.ItemSize)
		switch dt.Kind {
		case npyheader.Bool:
			return "bool"
		case npyheader.Int:
			return "int" + bits
		case npyheader.Uint:
			return "uint" + bits
		case npyheader.Float:
			if dt.ItemSize <= 8 {
				return "float" + bits
			}
		case npyheader.Complex:
			if dt.ItemSize <= 16 {
				return "complex" + bits
			}
		}
	}
	return dt.String()
}

// writeHeaderLines writes a header or footer as np.savetxt does: the
// comments string before it and after each of its newlines, then the
// newline string.
func writeHeaderLines(w io.Writer, text string, c *saveConfig) error {
	if text == "" {
		return nil
	}
	s := c.comments + strings.ReplaceAll(text, "\n", "\n"+c.comments) + c.newline
	_, err := io.WriteString(w, s)
	return err
}
