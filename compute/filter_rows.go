package compute

import (
	"context"
	"errors"
	"sync"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
)

// This file holds what Filter, Where and Concatenate share: reading a
// view's rows as their bytes in the file (rowLayout), and writing the rows
// that chunks select to an mmarray.Writer in chunk order while the chunks
// run in parallel (rowSink, writeRows).

// rowChunkBytes is the bytes of rows a chunk of a row walk holds (at least
// one row) under a budget of 64 MiB or more: 512 KiB, chunkLen float64
// elements, as the reductions' chunks. The output does not depend on the
// chunking.
const rowChunkBytes = chunkLen * 8

// rowChunkFor returns the bytes of rows in a chunk of a row walk over
// viewBytes bytes: rowChunkBytes, or less where the memory budget is
// small, so that the rows the workers hold (a chunk each) take at most a
// sixteenth of it; at least a page.
func rowChunkFor(cfg *config, viewBytes int64) int {
	if cfg.rowChunk > 0 {
		return cfg.rowChunk
	}
	share := cfg.resolveMemory(viewBytes) / 16 / int64(cfg.workers)
	return int(max(int64(pagecache.PageSize()), min(rowChunkBytes, share)))
}

// rowLayout finds the bytes of a view's rows (the view without its axis 0)
// in its mapping, in C order inside a row, in the file's byte order: a
// row is gathered as runs of contiguous bytes, as long as the view's
// strides allow, with no call per element where a row's trailing axes are
// contiguous.
type rowLayout struct {
	first     []byte // the item at (0, ..., 0), from which offsets count
	rowStride int    // bytes from a row to the next (negative too)
	rowBytes  int    // bytes of a row in the output
	// run is the bytes of a row's trailing axes that lie contiguous in
	// memory, copied at once; shape and strides are the row's axes before
	// them, walked as an odometer (none where a whole row is one run).
	run            int
	shape, strides []int
	// adjacent: rows are runs too and each follows the one before, so
	// consecutive rows are copied at once.
	adjacent bool
}

// newRowLayout returns the layout of v's rows. v must have at least one
// axis and no empty one.
func newRowLayout[E mmarray.Element](v *mmarray.Array[E]) rowLayout {
	shape, strides := v.Shape(), v.Strides()
	itemSize := v.DType().ItemSize
	l := rowLayout{first: v.ItemBytes(make([]int, len(shape))...), rowStride: strides[0], run: itemSize}
	k := len(shape) - 1
	for ; k >= 1; k-- {
		// An axis of one item has no step to take: its stride does not
		// matter (NumPy leaves any value there).
		if shape[k] != 1 && strides[k] != l.run {
			break
		}
		l.run *= shape[k]
	}
	l.shape, l.strides = shape[1:k+1], strides[1:k+1]
	l.rowBytes = l.run
	for _, n := range l.shape {
		l.rowBytes *= n
	}
	l.adjacent = len(l.shape) == 0 && (l.rowStride == l.rowBytes || shape[0] == 1)
	return l
}

// appendRows appends to dst the bytes of rows lo to hi-1 for which keep
// (indexed from lo) is true, or of all of them where keep is nil. idx is
// the caller's odometer buffer, len(l.shape) long.
func (l *rowLayout) appendRows(dst []byte, lo, hi int, keep []bool, idx []int) []byte {
	for i := lo; i < hi; {
		if keep != nil && !keep[i-lo] {
			i++
			continue
		}
		end := i + 1
		if l.adjacent {
			for end < hi && (keep == nil || keep[end-lo]) {
				end++
			}
			dst = append(dst, bytesAt(l.first, i*l.rowStride, (end-i)*l.rowBytes)...)
		} else {
			dst = l.appendRow(dst, i, idx)
		}
		i = end
	}
	return dst
}

// appendRow appends row i's bytes, run by run, in C order.
func (l *rowLayout) appendRow(dst []byte, i int, idx []int) []byte {
	off := i * l.rowStride
	if len(l.shape) == 0 {
		return append(dst, bytesAt(l.first, off, l.run)...)
	}
	clear(idx)
	for {
		dst = append(dst, bytesAt(l.first, off, l.run)...)
		k := len(idx) - 1
		for ; k >= 0; k-- {
			idx[k]++
			off += l.strides[k]
			if idx[k] < l.shape[k] {
				break
			}
			off -= idx[k] * l.strides[k]
			idx[k] = 0
		}
		if k < 0 {
			return dst
		}
	}
}

// rowSink writes the rows chunks select to a Writer in chunk order:
// chunks run in parallel and each waits, holding its rows, until the
// chunks before it are written. Workers take chunks in increasing order
// (runChunks), so the lowest unwritten chunk is always in a worker's hands
// and the wait ends. After a failure (of a chunk, of a write, a cancelled
// context) every waiting chunk returns that failure.
type rowSink struct {
	w    *mmarray.Writer
	mu   sync.Mutex
	cond sync.Cond // signalled when next moves or the walk fails
	next int       // the chunk whose rows are written next
	err  error     // the walk's first failure
	// window is the walk's memory window, stopped on a failure so that
	// chunks waiting to enter it return too.
	window *chunkWindow
}

func newRowSink(w *mmarray.Writer) *rowSink {
	s := &rowSink{w: w}
	s.cond.L = &s.mu
	return s
}

// write writes chunk c's rows once every chunk before it is written.
func (s *rowSink) write(c int, rows []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.next != c && s.err == nil {
		s.cond.Wait()
	}
	if s.err != nil {
		return s.err
	}
	if len(rows) > 0 {
		if err := s.w.WriteRows(rows); err != nil {
			s.failLocked(err)
			return err
		}
	}
	s.next++
	s.cond.Broadcast()
	return nil
}

// fail records the walk's failure and wakes every waiting chunk.
func (s *rowSink) fail(err error) {
	s.mu.Lock()
	s.failLocked(err)
	s.mu.Unlock()
}

func (s *rowSink) failLocked(err error) {
	if s.err == nil {
		s.err = err
	}
	s.cond.Broadcast()
	if s.window != nil {
		s.window.stop()
	}
}

func (s *rowSink) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// selector fills keep[i] for the rows lo+i of a chunk (len(keep) rows),
// using worker w's buffers; a nil selector keeps every row.
type selector interface {
	selectRows(w, lo int, keep []bool)
	// walked is the view the selector reads, for the memory budget, in
	// chunks of rows rows.
	walked(rows int, cfg *config) walkedView
	// bufferBytes is what a worker's buffers of the selector hold.
	bufferBytes() int64
}

// writeRows writes to w the rows of src that sel keeps (all of them where
// sel is nil), in order, reading src in chunks of whole rows on
// cfg.workers goroutines. meter counts src's bytes done. It returns the
// context's error as it is, or the first error of a write or of the
// memory window.
func writeRows[E mmarray.Element](ctx context.Context, w *mmarray.Writer, src *mmarray.Array[E], sel selector,
	cfg *config, meter *meter) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	n := src.Len()
	if n == 0 || w.RowBytes() == 0 {
		return nil
	}
	layout := newRowLayout(src)
	rowsPerChunk := max(1, rowChunkFor(cfg, arrayBytes(src))/layout.rowBytes)
	rows := src.Shape()[0]
	chunks := (rows + rowsPerChunk - 1) / rowsPerChunk
	workers := min(cfg.workers, chunks)
	type buffers struct {
		out  []byte
		keep []bool
		idx  []int
	}
	bufs := make([]buffers, workers)
	for g := range bufs {
		bufs[g].idx = make([]int, len(layout.shape))
		if sel != nil {
			bufs[g].keep = make([]bool, rowsPerChunk)
		}
	}
	// What is held beside the views' pages: each worker's rows (a copy
	// of its chunk at most) and buffers, and the Writer's buffer.
	held := int64(workers)*int64(rowsPerChunk*layout.rowBytes+rowsPerChunk) + int64(writerBuffer(cfg, arrayBytes(src)))
	views := []walkedView{walkedOf(src, rowsPerChunk*(n/rows), false, cfg)}
	if sel != nil {
		held += int64(workers) * sel.bufferBytes()
		views = append(views, sel.walked(rowsPerChunk, cfg))
	}
	window := windowFor(cfg, chunks, held, views...)
	sink := newRowSink(w)
	sink.window = window
	if window != nil {
		defer func() {
			if werr := window.finish(); werr != nil && err == nil {
				err = werr
			}
			// Chunks smaller than the kernel's fault-around block (64 KiB)
			// or releases not on its boundaries (a budget too small to
			// batch them) let a fault map pages of chunks already
			// released back in; they are released here, once.
			for _, v := range views {
				if r := v.residency; r != nil {
					off, n := r.bytesOf(0, chunks)
					if rerr := r.file.Release(off, n); rerr != nil && err == nil {
						err = rerr
					}
				}
			}
		}()
	}
	stopAfter := context.AfterFunc(ctx, func() { sink.fail(ctx.Err()) })
	defer stopAfter()
	err = runChunks(ctx, workers, 0, chunks, nil, func(g, c int) (err error) {
		// A panic (in the caller's predicate) must not leave the chunks
		// after this one waiting for it; runChunks raises it again.
		done := false
		defer func() {
			if !done {
				sink.fail(errAbandoned)
			}
		}()
		if window != nil && !window.enter(c) {
			done = true
			return sink.failure()
		}
		lo, hi := c*rowsPerChunk, min((c+1)*rowsPerChunk, rows)
		b := &bufs[g]
		var keep []bool
		if sel != nil {
			keep = b.keep[:hi-lo]
			sel.selectRows(g, lo, keep)
		}
		var out []byte
		if keep == nil && layout.adjacent {
			// Every row, adjacent in the mapping: written from there.
			out = bytesAt(layout.first, lo*layout.rowStride, (hi-lo)*layout.rowBytes)
		} else {
			if b.out == nil {
				b.out = make([]byte, 0, rowsPerChunk*layout.rowBytes)
			}
			b.out = layout.appendRows(b.out[:0], lo, hi, keep, b.idx)
			out = b.out
		}
		if err := sink.write(c, out); err != nil {
			done = true
			return err
		}
		meter.add(int64(hi-lo) * int64(layout.rowBytes))
		done = true
		if window != nil {
			if err := window.leave(c); err != nil {
				sink.fail(err)
				return err
			}
		}
		return nil
	})
	return err
}

// errAbandoned is the failure the chunks after a panicking one return;
// the panic, raised again by runChunks, is what the caller sees.
var errAbandoned = errors.New("compute: a chunk before this one panicked")
