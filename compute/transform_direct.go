package compute

import (
	"context"
	"errors"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
)

// A transform into a new file (TransformToFile) whose walk does not fit in
// the memory budget writes the file's data past the page cache
// (mmarray.File.OpenDirect): each worker computes a unit of the file's
// bytes into a buffer of its own and writes it to the disk. Through a
// mapping, every page of the new file would be allocated, zeroed (read in
// as a hole), written, written back and released; on this project's VM,
// where the host backs fresh memory on first touch, that costs 5 times
// the disk's own write time.
//
// Units are aligned in the file, not in the data: unit u holds the file's
// bytes [u*unitBytes, (u+1)*unitBytes), so the first one starts with the
// header and both it and a last, partial unit are written with WriteAt
// (through the page cache), the others with the direct writer.

// directDepth is how many direct writes of a group's rows a tiled copy
// has in flight at once. A direct write returns once the disk has the
// bytes, so one at a time leaves the disk idle between them and the
// worker idle during them: a 4 GiB transposed copy, rows of 64 KiB, spent
// most of its time waiting on one write after another.
const directDepth = 8

// directUnit returns the unit, in elements of size bytes, of a direct
// transform into a file whose data starts at dataOffset: a chunk's worth
// of bytes rounded up to the writer's alignment. ok is false where the
// header is not a whole number of elements (NumPy pads it to 64 bytes, so
// only an odd file) or is longer than a unit.
func directUnit(dataOffset int64, size, align int) (unitElems int, ok bool) {
	unitBytes := (chunkLen*size + align - 1) / align * align
	if dataOffset%int64(size) != 0 || dataOffset >= int64(unitBytes) || unitBytes%size != 0 {
		return 0, false
	}
	return unitBytes / size, true
}

// transformDirect runs a transform's kernel over dst, a native C-order
// view of a new file, writing its data with w (closed on return). ins are
// the sources; the window keeps only their pages in the budget.
func transformDirect[T, U Real](ctx context.Context, dst *mmarray.Array[U], ins []input[T], srcs []*mmarray.Array[T],
	w *pagecache.DirectWriter, cfg config, kernel func(w int, dst []U, src [][]T)) (err error) {
	defer func() {
		if cerr := w.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	f := dst.File()
	var zero U
	size := int(sizeOf(zero))
	unitElems, _ := directUnit(f.DataOffset(), size, w.Align())
	unitBytes := int64(unitElems * size)
	n := dst.Len()
	// Element i is at file byte DataOffset + i*size: unit u holds elements
	// from u*unitElems - shift on.
	shift := int(f.DataOffset()) / size
	units := (n + shift + unitElems - 1) / unitElems
	dataEnd := f.DataOffset() + int64(n)*int64(size)

	type buffers struct {
		unit []U // aligned for w
		src  sourceReader[T]
	}
	workers := min(cfg.workers, max(1, units))
	bufs := make([]buffers, workers)
	for i := range bufs {
		bufs[i] = buffers{unit: bytesAs[U](w.Buffer(int(unitBytes))), src: newSourceReader(ins)}
	}
	// The budget's window covers the sources, in the units' element
	// ranges; dst's pages never enter the page cache.
	var walked []walkedView
	for _, s := range srcs {
		v := walkedOf(s, unitElems, false, &cfg)
		if r := v.residency; r != nil {
			r.bytesOf = func(first, last int) (int64, int64) {
				lo := min(max(first*unitElems-shift, 0), n)
				hi := min(max(last*unitElems-shift, 0), n)
				return s.ByteRange(lo, hi)
			}
		}
		walked = append(walked, v)
	}
	window := windowFor(&cfg, units, 0, walked...)
	meter := newMeter(cfg, int64(n)*int64(size))
	return forChunks(ctx, workers, units, 1, window, func(g, u, _ int) error {
		b := &bufs[g]
		base := u*unitElems - shift // the element at the unit's first byte
		lo, hi := max(base, 0), min(base+unitElems, n)
		for start := lo; start < hi; start += stageLen {
			end := min(start+stageLen, hi)
			kernel(g, b.unit[start-base:end-base], b.src.read(start, end))
		}
		fileOff := int64(u) * unitBytes
		if base >= 0 && fileOff+unitBytes <= dataEnd {
			if _, err := w.WriteAt(bytesOf(b.unit), fileOff); err != nil {
				return err
			}
		} else if _, err := f.WriteAt(bytesOf(b.unit[lo-base:hi-base]), int64(lo*size)); err != nil {
			return err
		}
		meter.add(int64(hi-lo) * int64(size))
		return nil
	})
}

// openDirectOutput opens dst's file for a direct transform, or returns nil
// where the transform should write through the mapping: a view that is not
// the whole data in native C order, a file system without direct I/O, a
// header that does not fit the units.
func openDirectOutput[U Real](dst *mmarray.Array[U]) (*pagecache.DirectWriter, error) {
	f := dst.File()
	if f.IsInMemory() {
		return nil, nil
	}
	size, err := f.Header().DataSize()
	if _, ok := dst.Contiguous(); !ok || err != nil || int64(dst.Len())*int64(dst.DType().ItemSize) != size {
		return nil, nil
	}
	w, err := f.OpenDirect()
	if errors.Is(err, memmap.ErrUnsupported) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var zero U
	if _, ok := directUnit(f.DataOffset(), int(sizeOf(zero)), w.Align()); !ok {
		return nil, w.Close()
	}
	return w, nil
}
