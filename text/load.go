package text

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/internal/pyrepr"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// A RowSink receives the rows that Load parses, in the order of the input,
// as records ready to be written into an .npy file's data: each row is
// the bytes of one row of the result, in the dtype's byte order.
type RowSink interface {
	// Begin is called once, before WriteRows, with the dtype of the
	// result's items and the shape of one row: (columns,) for a simple
	// dtype, () for a structured one (a row is then one record). An input
	// without rows calls it too, at its end, with one column unless
	// WithUseCols says how many.
	Begin(dtype npyheader.DType, rowShape []int) error
	// WriteRows receives rows whole rows, len(records)/rows bytes each.
	// records is only valid during the call. An error stops the load,
	// which returns it.
	WriteRows(records []byte, rows int) error
}

// Result describes what Load read.
type Result struct {
	// DType is the dtype of the result's items.
	DType npyheader.DType
	// Rows is the number of rows written to the sink.
	Rows int64
	// Shape is the shape np.loadtxt would give the result, after its
	// squeeze and ndmin rules: (rows, columns) for a simple dtype, (rows,)
	// for a structured one, less every axis of length 1 (unless WithNdmin
	// keeps it). The records the sink received are its data in C order.
	Shape []int
}

// MemorySink is a RowSink that keeps the rows in memory.
type MemorySink struct {
	DType    npyheader.DType
	RowShape []int
	Data     []byte // the records of all rows, one after the other
	Rows     int64
}

// Begin implements RowSink.
func (s *MemorySink) Begin(dtype npyheader.DType, rowShape []int) error {
	s.DType, s.RowShape = dtype, rowShape
	return nil
}

// WriteRows implements RowSink.
func (s *MemorySink) WriteRows(records []byte, rows int) error {
	s.Data = append(s.Data, records...)
	s.Rows += int64(rows)
	return nil
}

// LoadArray reads text as np.loadtxt does and returns the result as an
// in-memory .npy File (mmarray.OpenBytes, mode ReadWrite), of
// Result.Shape. It holds the whole result in memory; Load streams to a
// RowSink instead.
func LoadArray(r io.Reader, opts ...LoadOption) (*mmarray.File, error) {
	return loadArray("loadtxt", func(s RowSink) (Result, error) { return Load(r, s, opts...) })
}

// LoadArrayFile is LoadArray for the file at path; a name ending in .gz is
// read through gzip, as np.loadtxt does.
func LoadArrayFile(path string, opts ...LoadOption) (*mmarray.File, error) {
	return loadArray(path, func(s RowSink) (Result, error) { return LoadFile(path, s, opts...) })
}

func loadArray(name string, load func(RowSink) (Result, error)) (*mmarray.File, error) {
	var sink imageSink
	res, err := load(&sink)
	if err != nil {
		return nil, err
	}
	hdr, err := npyheader.Header{DType: res.DType, Shape: res.Shape}.Encode()
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	return mmarray.OpenBytes(name, sink.image(hdr), mmarray.ReadWrite, mmarray.WithOwnedImage())
}

// imageSink is a MemorySink whose Data starts with room bytes left for the
// .npy header, so that the records need not be copied behind it once they
// are all read: room holds the header of any shape of as many axes as the
// result may have (a row's, one for the rows, at least ndmin's 2), the
// header being placed to end where the records start.
type imageSink struct {
	MemorySink
	room int
}

// Begin implements RowSink.
func (s *imageSink) Begin(dtype npyheader.DType, rowShape []int) error {
	ones := make([]int, max(len(rowShape)+1, 2))
	for i := range ones {
		ones[i] = 1
	}
	// A header that cannot be encoded leaves no room: loadArray then
	// reports why with the shape read.
	if hdr, err := (npyheader.Header{DType: dtype, Shape: ones}).Encode(); err == nil {
		// Each axis's length takes at most 18 more digits than "1" (the
		// first axis's are taken from its growth slack); the length field
		// may grow from 2 to 4 bytes; the header is padded to a multiple
		// of 64 bytes.
		const maxLengthDigits = 19
		s.room = (len(hdr) + (maxLengthDigits-1)*len(ones) + 2 + 63) / 64 * 64
		s.Data = make([]byte, s.room)
	}
	return s.MemorySink.Begin(dtype, rowShape)
}

// image is the .npy image of the records with hdr in front of them: in
// place, ending the room left for it, or, should it not fit, copied.
func (s *imageSink) image(hdr []byte) []byte {
	if len(hdr) > s.room {
		return append(hdr, s.Data[s.room:]...)
	}
	image := s.Data[s.room-len(hdr):]
	copy(image, hdr)
	return image
}

// LoadFile is Load for the file at path; a name ending in .gz is read
// through gzip, as np.loadtxt does. WithProgress counts the file's bytes
// read (compressed ones for .gz) against its size. Errors name the file.
func LoadFile(path string, sink RowSink, opts ...LoadOption) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, err // a *fs.PathError names the file
	}
	defer f.Close()
	var raw io.Reader = f
	if progress := progressOf(opts); progress != nil {
		size := int64(-1)
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		raw = &progressReader{r: f, report: progress, total: size}
		// Counted here, below gzip: Load must not count again.
		opts = append(opts[:len(opts):len(opts)], loadOptionFunc(func(o *loadOptions) { o.progress = nil }))
	}
	r, closeGzip, err := gunzipped(raw, path)
	if err != nil {
		return Result{}, fmt.Errorf("load %s: %w", path, err)
	}
	defer closeGzip()
	res, err := Load(r, sink, opts...)
	if err != nil {
		return res, fmt.Errorf("load %s: %w", path, err)
	}
	return res, nil
}

// gunzipped is r, read through gzip when path ends in .gz (np.loadtxt's and
// np.genfromtxt's rule) with the stream's errors wrapping ErrGzip, and the
// function that closes the gzip reader.
func gunzipped(r io.Reader, path string) (io.Reader, func(), error) {
	if !strings.HasSuffix(path, ".gz") {
		return r, func() {}, nil
	}
	zr, err := gzip.NewReader(bufio.NewReader(r))
	if err != nil {
		if errors.Is(err, io.EOF) { // an empty file
			err = io.ErrUnexpectedEOF
		}
		return nil, nil, fmt.Errorf("%w: %w", ErrGzip, err)
	}
	return gzipErrors{zr}, func() { zr.Close() }, nil
}

// progressReader reports the bytes read through it so far, and total, to
// report after each read.
type progressReader struct {
	r      io.Reader
	report func(done, total int64)
	done   int64
	total  int64
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.done += int64(n)
		p.report(p.done, p.total)
	}
	return n, err
}

// progressOf is the WithProgress function among opts, or nil.
func progressOf(opts []LoadOption) func(done, total int64) {
	var o loadOptions
	for _, opt := range opts {
		opt.applyLoad(&o)
	}
	return o.progress
}

// gzipErrors marks the errors of a gzip stream with ErrGzip.
type gzipErrors struct{ r io.Reader }

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %w", ErrGzip, err)
	}
	return n, err
}

// Load reads the text of r as NumPy 1.24's np.loadtxt reads it, with the
// options named after its keywords, and hands the rows to sink in order,
// so that text larger than memory can be converted: blocks of whole rows
// are parsed on several goroutines at once, within the memory budget. It
// returns what it read, or the first error in the order of the input; the
// rows before it have then been written to the sink.
//
// Errors name the line of the input (counted from 1, skipped lines
// included) and the column: "line 3, column 2: could not convert 'abc' to
// float64: text: invalid value". The caller's options are checked first:
// a comment marker that is the delimiter or the quote, several comment
// markers with quoting on, a quote that is the delimiter, or white space
// as a comment or quote when splitting at white space, panic, as NumPy
// raises for them.
func Load(r io.Reader, sink RowSink, opts ...LoadOption) (Result, error) {
	o := defaultLoadOptions()
	for _, opt := range opts {
		opt.applyLoad(&o)
	}
	checkControls(&o)
	if o.progress != nil {
		r = &progressReader{r: r, report: o.progress, total: -1}
	}
	dt := o.dtype
	if !o.hasDType {
		dt = npyheader.DType{Kind: npyheader.Float, Order: npyheader.NativeOrder(), ItemSize: 8}
	}
	lay, err := newLayout(dt, o.useCols, o.hasUseCols, o.converters)
	if err != nil {
		return Result{}, err
	}
	l := &loader{o: &o, lay: lay, sink: sink}
	l.split = newSplitter(r, &o, newTokenizer(&o), l.blockSize())
	err = l.run()
	res := Result{DType: dt, Rows: l.rows}
	if err == nil && !l.begun {
		err = l.begin()
	}
	res.Shape = ndminShape(append([]int{int(l.rows)}, lay.rowShape()...), o.ndmin)
	return res, err
}

// checkControls panics for the option combinations np.loadtxt refuses.
func checkControls(o *loadOptions) {
	single := len(o.comments) == 1 && utf8.RuneCountInString(o.comments[0]) == 1
	if len(o.comments) > 0 && !single && o.quote >= 0 {
		misuse.Panicf("text: several comment markers, or a longer one, need quoting off, as in NumPy")
	}
	for _, m := range o.comments {
		switch {
		case o.delimiter >= 0 && m == string(rune(o.delimiter)):
			misuse.Panicf("text: comment marker %q is the delimiter", m)
		case o.quote >= 0 && m == string(rune(o.quote)):
			misuse.Panicf("text: comment marker %q is the quotechar", m)
		case o.delimiter < 0 && single && isPySpace([]rune(m)[0]):
			misuse.Panicf("text: comment marker %q is white space, the delimiter", m)
		}
	}
	if o.quote >= 0 && (o.quote == o.delimiter || (o.delimiter < 0 && isPySpace(rune(o.quote)))) {
		misuse.Panicf("text: quotechar %q is the delimiter", rune(o.quote))
	}
}

// ndminShape applies np.loadtxt's _ensure_ndmin_ndarray to shape: squeeze
// when there are more than ndmin axes, then add axes up to ndmin (with
// ndmin 2, a single axis becomes the first: atleast_2d(a).T).
func ndminShape(shape []int, ndmin int) []int {
	if len(shape) > ndmin {
		shape = slices.DeleteFunc(shape, func(n int) bool { return n == 1 })
	}
	switch {
	case len(shape) >= ndmin:
	case ndmin == 1:
		shape = []int{1}
	case len(shape) == 0:
		shape = []int{1, 1}
	default: // one axis, ndmin 2
		shape = []int{shape[0], 1}
	}
	return shape
}

// loader runs one Load.
type loader struct {
	o     *loadOptions
	lay   *layout
	sink  RowSink
	split *splitter
	begun bool
	rows  int64
}

// inFlight is how many blocks are read ahead of the one being written.
func (l *loader) inFlight() int { return 2 * l.workers() }

func (l *loader) workers() int {
	if l.o.workers > 0 {
		return l.o.workers
	}
	return runtime.GOMAXPROCS(0)
}

// blockSize is the input bytes of a block: small enough that all the
// blocks in flight, and the records they can parse into, fit the budget.
// A row needs at least one byte and its fields at most one more each, so
// a block's records take at most 2 items per input byte, or one record
// per byte when the columns are fixed.
func (l *loader) blockSize() int {
	if l.o.blockSize > 0 {
		return l.o.blockSize
	}
	budget := l.o.budget
	if budget == 0 {
		budget = defaultBudget
	}
	perByte := int64(1)
	if l.lay.ncols >= 0 {
		perByte += int64(l.lay.rowSize)
	} else {
		perByte += 2 * int64(l.lay.item.size)
	}
	n := budget / (int64(l.inFlight()+2) * perByte)
	return int(min(max(n, 4<<10), 16<<20))
}

func (l *loader) begin() error {
	l.begun = true
	return l.sink.Begin(l.lay.dtype.Clone(), l.lay.rowShape())
}

// emit writes a parsed block's rows to the sink, at most up to max_rows,
// and reports whether the load is done; a parse error past max_rows is not
// one.
func (l *loader) emit(b *parsed) (done bool, err error) {
	rows := b.rows
	limited := l.o.maxRows > 0 && l.rows+int64(rows) >= l.o.maxRows
	if limited {
		rows = int(l.o.maxRows - l.rows)
	}
	if rows > 0 {
		if !l.begun {
			if err := l.begin(); err != nil {
				return true, err
			}
		}
		if err := l.sink.WriteRows(b.records[:rows*l.lay.rowSize], rows); err != nil {
			return true, err
		}
		l.rows += int64(rows)
	}
	if limited {
		return true, nil
	}
	return b.err != nil, b.err
}

// run parses the blocks of the input in order until the first row fixes
// the number of columns, then on the workers.
func (l *loader) run() error {
	p := newParser(l.o, l.lay)
	for l.lay.ncols < 0 {
		blk, err := l.split.next()
		if blk == nil || err != nil {
			return err
		}
		p.parse(blk)
		if done, err := l.emit(&blk.parsed); done || err != nil {
			return err
		}
	}
	return l.runParallel()
}

func (l *loader) runParallel() error {
	workers := l.workers()
	jobs := make(chan *block, l.inFlight())
	order := make(chan *block, l.inFlight())
	stop := make(chan struct{})
	free := make(chan *block, l.inFlight()+2)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := newParser(l.o, l.lay)
			for b := range jobs {
				p.parse(b)
				b.done <- struct{}{}
			}
		}()
	}
	wg.Add(1)
	go func() { // the reader: cuts blocks, in order
		defer wg.Done()
		defer close(jobs)
		defer close(order)
		for {
			var reuse *block
			select {
			case reuse = <-free:
			default:
			}
			blk, err := l.split.nextInto(reuse)
			if blk == nil && err == nil {
				return
			}
			if err != nil { // passed on in order, after the blocks before it
				blk = &block{done: make(chan struct{}, 1)}
				blk.err = err
				blk.done <- struct{}{}
				select {
				case order <- blk:
				case <-stop:
				}
				return
			}
			select {
			case order <- blk:
			case <-stop:
				return
			}
			jobs <- blk
		}
	}()
	var err error
	for b := range order {
		<-b.done
		var done bool
		if done, err = l.emit(&b.parsed); done || err != nil {
			break
		}
		select {
		case free <- b:
		default:
		}
	}
	close(stop)
	for b := range order { // let the reader and the workers finish
		<-b.done
	}
	wg.Wait()
	return err
}

// block is a run of whole rows of the input, and what they parse into.
type block struct {
	data      []byte
	firstLine int64 // of data[0], counted from 1
	done      chan struct{}
	parsed
}

type parsed struct {
	records []byte
	rows    int
	err     error // the first error in the block; rows are those before it
}

// parser parses blocks into records; each worker has its own.
type parser struct {
	o       *loadOptions
	lay     *layout
	tok     *tokenizer
	scratch []byte
}

func newParser(o *loadOptions, lay *layout) *parser {
	return &parser{o: o, lay: lay, tok: newTokenizer(o), scratch: make([]byte, 0, 256)}
}

// parse parses b.data into b.parsed.
func (p *parser) parse(b *block) {
	b.records, b.rows, b.err = b.records[:0], 0, nil
	data, line := b.data, b.firstLine
	bad := len(data) // the first byte that is not UTF-8
	if p.o.encoding != encodingLatin1 && !utf8.Valid(data) {
		bad = firstInvalidUTF8(data)
	}
	lay := p.lay
	for i := 0; i < len(data); {
		next, lines := p.tok.row(data, i)
		if next > bad { // the row holds it: the rows before are good
			b.err = fmt.Errorf("line %d: byte %#x is not UTF-8: %w", b.firstLine+int64(lineEnds(data[:bad])), data[bad], ErrEncoding)
			return
		}
		rowLine := line
		i, line = next, line+int64(lines)
		nf := p.tok.numFields()
		if nf == 0 {
			continue
		}
		if lay.ncols < 0 { // the first row (parse runs alone until then)
			lay.fix(nf)
			if err := p.checkConverters(nf); err != nil {
				b.err = err
				return
			}
		}
		if lay.useCols == nil && nf != lay.ncols {
			b.err = fmt.Errorf("line %d: the number of columns changed from %d to %d: %w", rowLine, lay.ncols, nf, ErrColumns)
			return
		}
		off := len(b.records)
		b.records = slices.Grow(b.records, lay.rowSize)[:off+lay.rowSize]
		rec := b.records[off:]
		for k := range lay.cols {
			col := k
			if lay.useCols != nil {
				col = lay.useCols[k]
				if col < 0 {
					col += nf
				}
				if col < 0 || col >= nf {
					b.records = b.records[:off]
					b.err = fmt.Errorf("line %d: invalid column index %d with %d columns: %w", rowLine, lay.useCols[k], nf, ErrColumns)
					return
				}
			}
			c := &lay.cols[k]
			cell := p.tok.field(col)
			if conv := lay.conv[k]; conv != nil {
				out, err := conv(cell, p.scratch[:0])
				if err != nil {
					b.records = b.records[:off]
					b.err = fmt.Errorf("line %d, column %d: %w", rowLine, col+1, err)
					return
				}
				cell = out
			}
			if !convert(c, cell, rec[c.offset:c.offset+c.size]) {
				b.records = b.records[:off]
				b.err = fmt.Errorf("line %d, column %d: could not convert %s to %s: %w", rowLine, col+1, cellRepr(cell), c.name, ErrSyntax)
				return
			}
		}
		b.rows++
		if p.o.maxRows > 0 && int64(b.rows) >= p.o.maxRows {
			return // no later row of this block can be needed
		}
	}
}

// checkConverters refuses, as NumPy does, a converter for a column the
// rows do not have when the columns are not chosen with usecols.
func (p *parser) checkConverters(nf int) error {
	if p.lay.useCols != nil {
		return nil
	}
	for col := range p.lay.convByCol {
		if col >= nf {
			return fmt.Errorf("converter for column %d, which is invalid for %d columns: %w", col, nf, ErrColumns)
		}
	}
	return nil
}

// cellRepr is Python's repr of a cell, cut to 100 characters as NumPy
// cuts it in its messages.
func cellRepr(cell []byte) string {
	if utf8.RuneCount(cell) > 100 {
		n := 0
		for i := range string(cell) {
			if n == 100 {
				cell = cell[:i]
				break
			}
			n++
		}
	}
	return pyrepr.Str(string(cell))
}

// firstInvalidUTF8 returns the index of the first byte of data that is not
// part of valid UTF-8.
func firstInvalidUTF8(data []byte) int {
	i := 0
	for i < len(data) {
		r, w := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && w == 1 {
			break
		}
		i += w
	}
	return i
}

// splitter reads the input and cuts it into blocks of whole rows, after
// dropping a byte-order mark (utf-8-sig) and the skipped lines.
type splitter struct {
	r         io.Reader
	tok       *tokenizer
	blockSize int
	pending   []byte // read, not yet in a block
	eof       bool
	line      int64 // the line pending starts on
	started   bool
	o         *loadOptions
}

func newSplitter(r io.Reader, o *loadOptions, tok *tokenizer, blockSize int) *splitter {
	if o.encoding == encodingLatin1 {
		r = &latin1Reader{r: r}
	}
	return &splitter{r: r, tok: tok, blockSize: blockSize, line: 1, o: o}
}

// fill reads until pending holds at least n bytes or the input ends.
func (s *splitter) fill(n int) error {
	for len(s.pending) < n && !s.eof {
		if cap(s.pending)-len(s.pending) < 4<<10 || cap(s.pending) < n {
			s.pending = slices.Grow(s.pending, max(n, 2*cap(s.pending))-len(s.pending))
		}
		m, err := s.r.Read(s.pending[len(s.pending):cap(s.pending)])
		s.pending = s.pending[:len(s.pending)+m]
		if errors.Is(err, io.EOF) {
			s.eof = true
		} else if err != nil {
			return fmt.Errorf("line %d: read: %w", s.line+int64(lineEnds(s.pending)), err)
		}
	}
	return nil
}

// start drops the byte-order mark and the skipped lines.
func (s *splitter) start() error {
	s.started = true
	if s.o.encoding == encodingUTF8Sig {
		if err := s.fill(3); err != nil {
			return err
		}
		s.pending = bytes.TrimPrefix(s.pending, []byte("\uFEFF"))
	}
	for skipped := 0; skipped < s.o.skipRows; {
		i, ok := skipLine(s.pending, 0, s.eof)
		if !ok {
			if s.eof {
				s.pending = s.pending[:0]
				return nil
			}
			if err := s.fill(len(s.pending) + s.blockSize); err != nil {
				return err
			}
			continue
		}
		s.pending = s.pending[i:]
		s.line++
		skipped++
	}
	return nil
}

func (s *splitter) next() (*block, error) { return s.nextInto(nil) }

// nextInto returns the next block, reusing the buffers of b if it is not
// nil, or nil at the end of the input.
func (s *splitter) nextInto(b *block) (*block, error) {
	if !s.started {
		if err := s.start(); err != nil {
			return nil, err
		}
	}
	want := s.blockSize
	cut := 0
	for {
		if err := s.fill(want); err != nil {
			return nil, err
		}
		if len(s.pending) == 0 {
			return nil, nil
		}
		cut = s.tok.lastRowEnd(s.pending, s.eof)
		if cut > 0 {
			break
		}
		want = 2 * max(want, len(s.pending)) // a row longer than a block
	}
	if b == nil {
		b = &block{done: make(chan struct{}, 1)}
	}
	// The block keeps pending's buffer; what follows the cut moves to a
	// buffer of its own (the previous block's, when reused).
	rest := b.data[:0]
	b.data = s.pending[:cut]
	b.firstLine = s.line
	s.pending = append(rest, s.pending[cut:]...)
	s.line += int64(lineEnds(b.data))
	return b, nil
}

// latin1Reader turns latin-1 text into UTF-8.
type latin1Reader struct {
	r   io.Reader
	raw []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	// Each latin-1 byte takes at most 2 UTF-8 bytes.
	n := len(p) / 2
	if n == 0 {
		n = 1
		if len(p) == 0 {
			return 0, nil
		}
	}
	if cap(l.raw) < n {
		l.raw = make([]byte, n)
	}
	m, err := l.r.Read(l.raw[:n])
	out := 0
	for _, c := range l.raw[:m] {
		if c < utf8.RuneSelf {
			p[out] = c
			out++
		} else if out+2 <= len(p) {
			out += utf8.EncodeRune(p[out:], rune(c))
		} else {
			// Only when len(p) is 1: a 2-byte character does not fit.
			return out, fmt.Errorf("latin-1 character in a 1-byte read: %w", io.ErrShortBuffer)
		}
	}
	return out, err
}
