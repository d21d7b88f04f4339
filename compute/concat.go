package compute

import (
	"context"
	"fmt"
	"slices"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/mmarray"
)

// Concatenate writes the rows of srcs, one view after the other, to a new
// C-order .npy file at path and returns how many it wrote:
// np.save(path, np.concatenate(srcs)) without the result in memory. The
// views may come from several files and have any strides and byte order;
// each is read in chunks of rows in parallel, its rows copied as their
// bytes in order, so the file does not depend on the number of workers
// and is byte-identical to np.save's. It is written through
// mmarray.NewWriter: nothing appears at path until it is complete and
// durable, and a failure, a cancelled context or a panic leave nothing
// there. WithMemory bounds the pages held and the rows waiting to be
// written; WithProgress counts the bytes of all the views.
//
// The views must have the same dtype, byte order included: where they do
// not (a '<f4' and a '>f4' file, S5 and S8 items, two record layouts), the
// error wraps mmarray.ErrDTypeMismatch and nothing is created (NumPy would
// convert to a common dtype). Other errors wrap NewWriter's and the
// Writer's, or are the context's, as they are. Misuse panics: no views,
// a 0-d view, views whose rows (shapes without axis 0) differ (NumPy's
// ValueError).
func Concatenate[E mmarray.Element](ctx context.Context, srcs []*mmarray.Array[E], path string, opts ...Option) (int, error) {
	if len(srcs) == 0 {
		misuse.Panicf("compute: Concatenate: no source views")
	}
	rowShape := srcs[0].Shape()
	if len(rowShape) == 0 {
		misuse.Panicf("compute: Concatenate of a 0-d view: it has no rows")
	}
	rowShape = rowShape[1:]
	dtype := srcs[0].DType()
	var total int64
	for i, s := range srcs {
		if s.Ndim() == 0 {
			misuse.Panicf("compute: Concatenate: view %d is 0-d: it has no rows", i)
		}
		if !slices.Equal(s.Shape()[1:], rowShape) {
			misuse.Panicf("compute: Concatenate: view %d has shape %v, rows of shape %v expected", i, s.Shape(), rowShape)
		}
		if !s.DType().Equal(dtype) {
			return 0, fmt.Errorf("concatenate: view %d of %s has dtype %s, view 0 of %s %s: %w",
				i, s.File().Path(), s.DType(), srcs[0].File().Path(), dtype, mmarray.ErrDTypeMismatch)
		}
		total += arrayBytes(s)
	}
	cfg := newConfig(opts)
	return rowsToFile(ctx, "concatenate", path, dtype.String(), rowShape, writerBuffer(&cfg, total), func(w *mmarray.Writer) error {
		meter := newMeter(cfg, total)
		for _, s := range srcs {
			if err := writeRows(ctx, w, s, nil, &cfg, meter); err != nil {
				return err
			}
		}
		return nil
	})
}
