package compute

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/mmarray"
)

// Filter writes to a new C-order .npy file at path the rows of src (its
// items along axis 0) that pred keeps, in order, and returns how many it
// wrote: np.save(path, src[pred(col)]) without the mask in memory. col is
// a 1-D view with one element per row, the column the predicate reads: a
// column of src (src.Slice(mmarray.All(), mmarray.Index(j))), a field of a
// structured src (mmarray.Field), or any other view of that length.
//
//	n, err := compute.Filter(ctx, a, a.Slice(mmarray.All(), mmarray.Index(3)),
//		func(keep []bool, col []float32) {
//			for i, x := range col { keep[i] = x > 0.5 }
//		}, "big.npy")
//
// pred gets blocks of col (at most 4096 elements, native values in C order,
// the mapping itself where col is native, aligned and contiguous: pred must
// not change it) and keep, all false, of the same length, where it sets
// true the rows to keep. It runs on several goroutines at once, on
// different blocks, and must not keep a block after it returns.
//
// The rows are copied as their bytes, whatever src's dtype (records,
// strings and complex numbers too), strides and byte order: the file has
// src's dtype and row shape and is byte-identical to np.save's. It is
// written through mmarray.NewWriter, so nothing appears at path until it is
// complete and durable; a failure, a cancelled context or a panic leave
// nothing there (and an existing file at path as it was). Chunks of rows
// are read and selected in parallel and written in order, so the file
// does not depend on the number of workers; WithMemory bounds the pages
// of src and col held and the rows waiting to be written; WithProgress
// counts src's bytes.
//
// Errors wrap NewWriter's (a view whose rows have no bytes, as a (N, 0)
// view: mmarray.ErrShape) and the Writer's, or are the context's, as they
// are. Misuse panics: a 0-d src, a col that is not 1-D or whose length is
// not src's number of rows (NumPy's IndexError), a nil pred. A panic of
// pred is raised again in the caller's goroutine.
func Filter[E mmarray.Element, T Real](ctx context.Context, src *mmarray.Array[E], col *mmarray.Array[T],
	pred func(keep []bool, col []T), path string, opts ...Option) (int, error) {
	return filterTo(ctx, "Filter", src, col, pred, path, opts)
}

// Where writes to a new .npy file at path the rows of src where mask, a
// 1-D bool view with one element per row, is true, and returns how many it
// wrote: np.save(path, src[mask]). It is Filter with mask as the column and
// its own elements as the predicate's answer; see Filter for the file,
// errors and misuse.
func Where[E mmarray.Element](ctx context.Context, src *mmarray.Array[E], mask *mmarray.Array[bool],
	path string, opts ...Option) (int, error) {
	return filterTo(ctx, "Where", src, mask, func(keep, m []bool) { copy(keep, m) }, path, opts)
}

func filterTo[E mmarray.Element, T Real](ctx context.Context, op string, src *mmarray.Array[E], col *mmarray.Array[T],
	pred func(keep []bool, col []T), path string, opts []Option) (int, error) {
	if src.Ndim() == 0 {
		misuse.Panicf("compute: %s of a 0-d view: it has no rows", op)
	}
	if col.Ndim() != 1 {
		misuse.Panicf("compute: %s: the column has shape %v, not one axis", op, col.Shape())
	}
	if rows := src.Shape()[0]; col.Len() != rows {
		misuse.Panicf("compute: %s: the column has %d elements for %d rows", op, col.Len(), rows)
	}
	if pred == nil {
		misuse.Panicf("compute: %s: nil predicate", op)
	}
	cfg := newConfig(opts)
	sel := &columnSelector[T]{in: newInput(col), pred: pred}
	sel.bufs = make([][]T, cfg.workers)
	sel.scratch = make([][]T, cfg.workers)
	return rowsToFile(ctx, "filter", path, src.DType().String(), src.Shape()[1:], writerBuffer(&cfg, arrayBytes(src)), func(w *mmarray.Writer) error {
		meter := newMeter(cfg, arrayBytes(src))
		return writeRows(ctx, w, src, sel, &cfg, meter)
	})
}

// columnSelector keeps the rows whose column elements pred keeps.
type columnSelector[T Real] struct {
	in            input[T]
	pred          func(keep []bool, col []T)
	bufs, scratch [][]T // each worker's staging buffers, made on first use
}

func (s *columnSelector[T]) selectRows(w, lo int, keep []bool) {
	if !s.in.inPlace && s.bufs[w] == nil {
		s.bufs[w], s.scratch[w] = make([]T, stageLen), make([]T, stageLen)
	}
	for start := 0; start < len(keep); start += stageLen {
		end := min(start+stageLen, len(keep))
		block := s.in.read(lo+start, lo+end, s.bufs[w], s.scratch[w])
		k := keep[start:end]
		clear(k)
		s.pred(k, block)
	}
}

func (s *columnSelector[T]) walked(rows int, cfg *config) walkedView {
	return walkedOf(s.in.view, rows, false, cfg)
}

func (s *columnSelector[T]) bufferBytes() int64 {
	if s.in.inPlace {
		return 0
	}
	return 2 * stageLen * int64(sizeOf(*new(T)))
}

// arrayBytes is the bytes of a view's elements.
func arrayBytes[E mmarray.Element](a *mmarray.Array[E]) int64 {
	return int64(a.Len()) * int64(a.DType().ItemSize)
}

// writerBuffer is the Writer's buffer for an operation reading viewBytes
// bytes: its default, 1 MiB, or a sixteenth of a smaller memory budget
// (at least 64 KiB), so that the budget holds it.
func writerBuffer(cfg *config, viewBytes int64) int {
	return int(min(1<<20, max(64<<10, cfg.resolveMemory(viewBytes)/16)))
}

// rowsToFile starts a new .npy file at path through mmarray.NewWriter, for
// rows of descr and rowShape, has fill write them, and closes it (the file
// appears at path) or, on any failure, a panic included, aborts it
// (nothing appears). It returns the rows written. bufferBytes is the
// Writer's buffer (WithBufferSize). op names the operation
// in errors; the context's errors are returned as they are.
func rowsToFile(ctx context.Context, op, path, descr string, rowShape []int, bufferBytes int, fill func(w *mmarray.Writer) error) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	w, err := mmarray.NewWriter(path, descr, rowShape, mmarray.WithBufferSize(bufferBytes))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	done := false
	defer func() {
		if !done {
			w.Abort()
		}
	}()
	if err := fill(w); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return 0, err
		}
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	rows := w.Rows()
	done = true
	if err := w.Close(); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	return rows, nil
}
