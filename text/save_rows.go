package text

import (
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/pagecache"
)

// saveSource reads blocks of rows of the array being saved as the values
// the row format takes.
type saveSource interface {
	// fill reads rows [lo, hi) into s.vals, the values of each row in turn,
	// and the bytes of their strings into s.strs.
	fill(s *saveScratch, lo, hi int)
	// byteRange is the span of the File's data bytes that rows [lo, hi)
	// lie in (mmarray's ByteRange), lo < hi.
	byteRange(lo, hi int) (off, n int64)
}

// saveScratch is one worker's reused memory: the values of a block, its
// strings, and a staging buffer for each column's Blocks walk.
type saveScratch struct {
	vals   []value
	strs   []byte
	stages []any
}

// saveStageLen is the length of a column's staging buffer: the most elements
// one Blocks step copies where the layout is not a run of native elements.
const saveStageLen = 1024

// defaultReleaseMin is the smallest array whose pages Save releases behind
// its walk: below it the pages cost little, and keeping them spares a
// caller that reads the array again their faulting back in.
const defaultReleaseMin = 256 << 20

// saveColumn reads one view's elements into the values of rows: element j of
// a block (flat C-order index from the block's first row) goes to
// vals[j*mul+off], its imaginary part, when split, to the next value.
type saveColumn[T mmarray.Element] struct {
	a        *mmarray.Array[T]
	width    int // elements per row in this view: the columns of a 2-D array, else 1
	mul, off int
	slot     int  // index of this column's staging buffer in saveScratch.stages
	split    bool // a complex array: real and imaginary parts are two values
	strKind  valueKind
	strings  bool
}

// checkSaveElement reports whether a view's Go type is one this package reads:
// the Element types of mmarray's table, not a caller's own named type.
func checkSaveElement[T mmarray.Element]() error {
	switch any([]T(nil)).(type) {
	case []bool, []int8, []int16, []int32, []int64, []uint8, []uint16, []uint32, []uint64,
		[]mmarray.Float16, []float32, []float64, []complex64, []complex128, []string, [][]byte:
		return nil
	}
	var zero T
	return fmt.Errorf("%w: elements of Go type %T", memmap.ErrUnsupported, zero)
}

// checkSaveKind refuses what np.savetxt does not write as a column of values
// this package formats exactly.
func checkSaveKind(dt npyheader.DType, what string) error {
	switch dt.Kind {
	case npyheader.Bool, npyheader.Int, npyheader.Uint, npyheader.Bytes, npyheader.Unicode:
		return nil
	case npyheader.Float:
		if dt.ItemSize <= 8 {
			return nil
		}
	case npyheader.Complex:
		if dt.ItemSize <= 16 {
			return nil
		}
	}
	return fmt.Errorf("%w: %s of dtype %s", memmap.ErrUnsupported, what, dt)
}

func newSaveColumn[T mmarray.Element](a *mmarray.Array[T], dt npyheader.DType, width, mul, off, slot int) (*saveColumn[T], error) {
	if err := checkSaveElement[T](); err != nil {
		return nil, err
	}
	c := &saveColumn[T]{a: a, width: width, mul: mul, off: off, slot: slot}
	switch dt.Kind {
	case npyheader.Bytes:
		c.strings, c.strKind = true, kindBytes
	case npyheader.Unicode:
		c.strings, c.strKind = true, kindStr
	}
	return c, nil
}

func (c *saveColumn[T]) fill(s *saveScratch, lo, hi int) {
	if c.strings {
		c.fillStrings(s, lo, hi)
		return
	}
	stage, _ := s.stages[c.slot].([]T)
	if stage == nil {
		stage = make([]T, saveStageLen)
		s.stages[c.slot] = stage
	}
	first := lo * c.width
	for start, block := range c.a.BlocksRange(first, hi*c.width, stage) {
		c.put(s.vals, start-first, block)
	}
}

// put converts one block, whose first element is element base of the
// rows being filled. The type switch runs once per block; each case is a
// plain loop.
func (c *saveColumn[T]) put(vals []value, base int, block []T) {
	mul, off := c.mul, c.off
	switch b := any(block).(type) {
	case []float64:
		for k, x := range b {
			vals[(base+k)*mul+off] = value{kind: kindFloat, bits: 64, f: x}
		}
	case []float32:
		for k, x := range b {
			vals[(base+k)*mul+off] = value{kind: kindFloat, bits: 32, f: float64(x)}
		}
	case []mmarray.Float16:
		for k, x := range b {
			vals[(base+k)*mul+off] = value{kind: kindFloat, bits: 16, f: x.Float64()}
		}
	case []int64:
		putInts(vals, base, mul, off, b)
	case []int32:
		putInts(vals, base, mul, off, b)
	case []int16:
		putInts(vals, base, mul, off, b)
	case []int8:
		putInts(vals, base, mul, off, b)
	case []uint64:
		putUints(vals, base, mul, off, b)
	case []uint32:
		putUints(vals, base, mul, off, b)
	case []uint16:
		putUints(vals, base, mul, off, b)
	case []uint8:
		putUints(vals, base, mul, off, b)
	case []bool:
		for k, x := range b {
			v := value{kind: kindBool}
			if x {
				v.i = 1
			}
			vals[(base+k)*mul+off] = v
		}
	case []complex128:
		for k, x := range b {
			putComplex(vals, (base+k)*mul+off, real(x), imag(x), 64, c.split)
		}
	case []complex64:
		for k, x := range b {
			putComplex(vals, (base+k)*mul+off, float64(real(x)), float64(imag(x)), 32, c.split)
		}
	}
}

// putInts stores a block of signed integers, element k at (base+k)*mul+off.
func putInts[I int8 | int16 | int32 | int64](vals []value, base, mul, off int, b []I) {
	for k, x := range b {
		vals[(base+k)*mul+off] = value{kind: kindInt, i: int64(x)}
	}
}

// putUints is putInts for unsigned integers.
func putUints[U uint8 | uint16 | uint32 | uint64](vals []value, base, mul, off int, b []U) {
	for k, x := range b {
		vals[(base+k)*mul+off] = value{kind: kindUint, u: uint64(x)}
	}
}

// putComplex stores a complex element: as two float values, its .real and
// .imag, for a complex array; as one complex value for a field, which %s
// prints as NumPy's str of the scalar.
func putComplex(vals []value, at int, re, im float64, bits uint8, split bool) {
	if split {
		vals[at] = value{kind: kindFloat, bits: bits, f: re}
		vals[at+1] = value{kind: kindFloat, bits: bits, f: im}
		return
	}
	vals[at] = value{kind: kindComplex, bits: bits, f: re, im: im}
}

// fillStrings reads S and U items one by one as their bytes (S without
// trailing NULs, U as UTF-8), appended to s.strs without an allocation.
func (c *saveColumn[T]) fillStrings(s *saveScratch, lo, hi int) {
	j := 0
	for r := lo; r < hi; r++ {
		for col := 0; col < c.width; col++ {
			start := len(s.strs)
			if c.a.Ndim() == 1 {
				s.strs = c.a.AppendTo(s.strs, r)
			} else {
				s.strs = c.a.AppendTo(s.strs, r, col)
			}
			s.vals[j*c.mul+c.off] = value{kind: c.strKind, off: start, end: len(s.strs)}
			j++
		}
	}
}

func (c *saveColumn[T]) byteRange(lo, hi int) (off, n int64) {
	return c.a.ByteRange(lo*c.width, hi*c.width)
}

// newSaveArray reads a simple (not structured) 1-D or 2-D view.
func newSaveArray[T mmarray.Element](a *mmarray.Array[T], dt npyheader.DType, ncol int) (saveSource, error) {
	if err := checkSaveKind(dt, "an array"); err != nil {
		return nil, err
	}
	split := dt.Kind == npyheader.Complex
	mul := 1
	if split {
		mul = 2
	}
	c, err := newSaveColumn(a, dt, ncol, mul, 0, 0)
	if err != nil {
		return nil, err
	}
	c.split = split
	return c, nil
}

// saveFields reads a 1-D structured view, one column per field.
type saveFields struct {
	rows    *mmarray.Array[[]byte]
	columns []interface {
		fill(s *saveScratch, lo, hi int)
	}
}

func (f *saveFields) fill(s *saveScratch, lo, hi int) {
	for _, c := range f.columns {
		c.fill(s, lo, hi)
	}
}

func (f *saveFields) byteRange(lo, hi int) (off, n int64) {
	return f.rows.ByteRange(lo, hi)
}

// newSaveFields makes a column of each field of a 1-D structured view,
// which must be a []byte view of the records.
func newSaveFields[T mmarray.Element](a *mmarray.Array[T], dt npyheader.DType) (saveSource, error) {
	rows, ok := any(a).(*mmarray.Array[[]byte])
	if !ok {
		var zero T
		return nil, fmt.Errorf("%w: a structured array viewed as %T (view the records as []byte)", memmap.ErrUnsupported, zero)
	}
	src := &saveFields{rows: rows}
	n := len(dt.Fields)
	for k, fl := range dt.Fields {
		what := "field " + fl.Name
		if fl.Shape != nil || fl.Type.Fields != nil {
			return nil, fmt.Errorf("%w: %s, a subarray or nested record (not one value per row)", memmap.ErrUnsupported, what)
		}
		if err := checkSaveKind(fl.Type, what); err != nil {
			return nil, err
		}
		var c interface{ fill(*saveScratch, int, int) }
		var err error
		switch t := fl.Type; t.Kind {
		case npyheader.Bool:
			c, err = saveFieldColumn[bool](rows, fl.Name, t, n, k)
		case npyheader.Int:
			switch t.ItemSize {
			case 1:
				c, err = saveFieldColumn[int8](rows, fl.Name, t, n, k)
			case 2:
				c, err = saveFieldColumn[int16](rows, fl.Name, t, n, k)
			case 4:
				c, err = saveFieldColumn[int32](rows, fl.Name, t, n, k)
			default:
				c, err = saveFieldColumn[int64](rows, fl.Name, t, n, k)
			}
		case npyheader.Uint:
			switch t.ItemSize {
			case 1:
				c, err = saveFieldColumn[uint8](rows, fl.Name, t, n, k)
			case 2:
				c, err = saveFieldColumn[uint16](rows, fl.Name, t, n, k)
			case 4:
				c, err = saveFieldColumn[uint32](rows, fl.Name, t, n, k)
			default:
				c, err = saveFieldColumn[uint64](rows, fl.Name, t, n, k)
			}
		case npyheader.Float:
			switch t.ItemSize {
			case 2:
				c, err = saveFieldColumn[mmarray.Float16](rows, fl.Name, t, n, k)
			case 4:
				c, err = saveFieldColumn[float32](rows, fl.Name, t, n, k)
			default:
				c, err = saveFieldColumn[float64](rows, fl.Name, t, n, k)
			}
		case npyheader.Complex:
			if t.ItemSize == 8 {
				c, err = saveFieldColumn[complex64](rows, fl.Name, t, n, k)
			} else {
				c, err = saveFieldColumn[complex128](rows, fl.Name, t, n, k)
			}
		default: // S, U
			c, err = saveFieldColumn[string](rows, fl.Name, t, n, k)
		}
		if err != nil {
			return nil, err
		}
		src.columns = append(src.columns, c)
	}
	return src, nil
}

func saveFieldColumn[F mmarray.Element](rows *mmarray.Array[[]byte], name string, dt npyheader.DType, nfields, k int) (*saveColumn[F], error) {
	view, err := mmarray.Field[F](rows, name)
	if err != nil {
		return nil, fmt.Errorf("field %s: %w", name, err)
	}
	return newSaveColumn(view, dt, 1, nfields, k, k)
}

// saveStages is the number of staging buffers a source's columns use.
func saveStages(src saveSource) int {
	if f, ok := src.(*saveFields); ok {
		return len(f.columns)
	}
	return 1
}

// formatBlock formats rows [lo, hi) onto out, each followed by newline.
func (p *savePlan) formatBlock(s *saveScratch, lo, hi int, out []byte, newline string) ([]byte, error) {
	n := (hi - lo) * p.values
	if cap(s.vals) < n {
		s.vals = make([]value, n)
	}
	s.vals = s.vals[:n]
	s.strs = s.strs[:0]
	p.source.fill(s, lo, hi)
	var err error
	for r := 0; r < hi-lo; r++ {
		start := len(out)
		if out, err = p.parsed.appendRow(out, s.vals[r*p.values:(r+1)*p.values], s.strs); err != nil {
			return out, p.rowError(lo+r, err)
		}
		out = append(out, newline...)
		if p.complex {
			out = replacePlusMinus(out, start)
		}
	}
	return out, nil
}

// replacePlusMinus does np.savetxt's s.replace('+-', '-') on a complex
// row's text at b[start:]: left to right, matches not overlapping.
func replacePlusMinus(b []byte, start int) []byte {
	w := start
	for r := start; r < len(b); r++ {
		if b[r] == '+' && r+1 < len(b) && b[r+1] == '-' {
			continue // drop the '+', keep the '-' next
		}
		b[w] = b[r]
		w++
	}
	return b[:w]
}

// releaseTrail is how far behind the release frontier each release
// reaches again: pages there that a fault near the frontier mapped back
// (the kernel maps up to 64 KiB around a faulting page, and large folios
// whole) are released once more rather than left in the resident set.
const releaseTrail = 2 << 20

// release releases, once the rows before hi are written, the pages of the
// data below every byte the rows from hi on need (for an array large
// enough to release). The frontier only moves forward: a view that walks
// memory backwards or across it (a reversed or transposed view) keeps its
// pages until the end.
func (p *savePlan) release(hi int) error {
	if !p.releasePages {
		return nil
	}
	frontier := p.file.NBytes()
	if hi < p.rows {
		off, _ := p.source.byteRange(hi, p.rows)
		page := int64(pagecache.PageSize())
		frontier = (p.file.DataOffset()+off)/page*page - p.file.DataOffset()
	}
	if frontier <= p.releasedTo {
		return nil
	}
	start := max(0, p.releasedTo-releaseTrail)
	if err := p.file.Release(start, frontier-start); err != nil {
		return fmt.Errorf("release the rows before %d: %w", hi, err)
	}
	p.releasedTo = frontier
	return nil
}

// blockJob is one block of rows on its way from a worker to the writer.
type blockJob struct {
	lo, hi int
	out    []byte
	err    error
	done   chan struct{}
}

// write writes the header, the rows and the footer. The first block is
// formatted before anything is written, so that a format that does not
// fit the values fails with nothing written; the others are formatted by
// the workers and written in order, at most about three blocks per worker
// held at once.
func (p *savePlan) write(w io.Writer, c *saveConfig) error {
	blockCells := c.blockCells
	if blockCells == 0 {
		blockCells = defaultBlockCells
	}
	per := max(1, blockCells/max(1, p.values))
	nblocks := (p.rows + per - 1) / per
	var first []byte
	if nblocks > 0 {
		s := &saveScratch{stages: make([]any, saveStages(p.source))}
		var err error
		if first, err = p.formatBlock(s, 0, min(per, p.rows), nil, c.newline); err != nil {
			return err
		}
	}
	if err := writeHeaderLines(w, c.header, c); err != nil {
		return err
	}
	if nblocks > 0 {
		if _, err := w.Write(first); err != nil {
			return err
		}
		if err := p.release(min(per, p.rows)); err != nil {
			return err
		}
		if err := p.writeBlocks(w, c, per, nblocks); err != nil {
			return err
		}
	}
	return writeHeaderLines(w, c.footer, c)
}

// writeBlocks formats blocks 1 to nblocks-1 on the workers and writes them
// in order.
func (p *savePlan) writeBlocks(w io.Writer, c *saveConfig, per, nblocks int) error {
	if nblocks <= 1 {
		return nil
	}
	workers := c.workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, nblocks-1)
	jobs := make(chan *blockJob)
	order := make(chan *blockJob, 2*workers)
	free := make(chan []byte, 3*workers)
	stop := make(chan struct{})
	go func() { // the producer: blocks in order, at most 2·workers ahead of the writer
		defer close(order)
		defer close(jobs)
		for b := 1; b < nblocks; b++ {
			j := &blockJob{lo: b * per, hi: min((b+1)*per, p.rows), done: make(chan struct{})}
			select {
			case order <- j:
			case <-stop:
				return
			}
			select {
			case jobs <- j:
			case <-stop:
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &saveScratch{stages: make([]any, saveStages(p.source))}
			for j := range jobs {
				var out []byte
				select {
				case out = <-free:
				default:
				}
				j.out, j.err = p.formatBlock(s, j.lo, j.hi, out[:0], c.newline)
				close(j.done)
			}
		}()
	}
	var err error
	for j := range order {
		if err != nil {
			continue // drain: the producer is stopping
		}
		<-j.done
		if err = j.err; err == nil {
			if _, err = w.Write(j.out); err == nil {
				err = p.release(j.hi)
			}
		}
		if err != nil {
			close(stop)
			continue
		}
		select {
		case free <- j.out:
		default:
		}
	}
	wg.Wait() // no worker reads the array once Save has returned
	return err
}
