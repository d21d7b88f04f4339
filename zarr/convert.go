package zarr

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/memlimit"
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/internal/regular"
	"github.com/go-memmap/memmap/mmarray"
)

// Conversions run on workers that each take the next chunk of the grid,
// in the order of the file's memory (the grid in C order for a C-order
// file, in Fortran order for a Fortran one), so that the chunks in flight
// lie close together in the file. The file is mapped, not read: a worker
// moves a chunk's items between the mapping and its own buffer, run by
// run, or, when the chunk is one run of the file, encodes it in place. When the file is larger than the memory budget its pages are
// released behind the workers: a slab of the file (the rows of one grid
// step along its slowest axis) as soon as every chunk in it is done.

// zarr-python's guess_chunks constants (zarr/util.py).
const (
	chunkBase = 256 << 10
	chunkMin  = 128 << 10
	chunkMax  = 64 << 20
)

// guessChunks is zarr-python 2.13's guess_chunks: halve the axes in turn,
// first to last, until a chunk is near a target size that grows with the
// array (between 128 KiB and 64 MiB).
func guessChunks(shape []int, item int) []int {
	chunks := make([]float64, len(shape))
	size := float64(item)
	for i, n := range shape {
		chunks[i] = math.Max(float64(n), 1)
		size *= chunks[i]
	}
	target := chunkBase * math.Pow(2, math.Log10(size/(1024*1024)))
	target = min(max(target, chunkMin), chunkMax)
	for idx := 0; ; idx++ {
		count := 1.0
		for _, c := range chunks {
			count *= c
		}
		bytes := count * float64(item)
		if (bytes < target || math.Abs(bytes-target)/target < 0.5) && bytes < chunkMax {
			break
		}
		if count == 1 {
			break
		}
		axis := idx % len(chunks)
		chunks[axis] = math.Ceil(chunks[axis] / 2)
	}
	out := make([]int, len(chunks))
	for i, c := range chunks {
		out[i] = int(c)
	}
	return out
}

// Memory defaults, as compute's: a quarter of what the process can still
// take, at least 64 MiB; 1 GiB where that cannot be read.
const (
	memoryFraction = 4
	minMemory      = 64 << 20
	unknownMemory  = 1 << 30
)

func (o *options) budget() int64 {
	if o.memory > 0 {
		return o.memory
	}
	avail, err := memlimit.Available()
	if err != nil {
		return unknownMemory
	}
	return max(minMemory, avail/memoryFraction)
}

// workerCount is the number of workers for chunks of perWorker bytes each:
// the option's (or GOMAXPROCS), within the budget, at least one, at most
// one per chunk.
func (o *options) workerCount(perWorker int64, chunks int) int {
	n := o.workers
	if n == 0 {
		n = runtime.GOMAXPROCS(0)
	}
	if perWorker > 0 {
		n = int(min(int64(n), max(1, o.budget()/perWorker)))
	}
	return max(1, min(n, chunks))
}

// walk is one conversion's schedule over an array's chunk grid: which
// chunk each step takes, the progress, the slabs to release and the first
// error.
type walk struct {
	grid, chunks, shape []int
	fortran             bool // the grid in Fortran order (first axis fastest)
	item                int
	total               int64 // the array's bytes
	next                atomic.Int64
	count               int
	stop                atomic.Bool

	mu       sync.Mutex
	done     int64
	progress func(done, total int64)
	err      error
	// slabLeft counts the chunks of each slab still to finish, when
	// release is set; release is called with a slab's bytes once it is 0.
	slabLeft []int
	release  func(off, n int64) error
	slabSize int64 // the file's bytes per unit of the slowest axis
}

func newWalk(grid, chunks, shape []int, item int, fortran bool) *walk {
	w := &walk{grid: grid, chunks: chunks, shape: shape, item: item, fortran: fortran, count: 1}
	w.total = int64(item)
	for axis, n := range grid {
		w.count *= n
		w.total *= int64(shape[axis])
	}
	return w
}

// slowAxis is the axis whose grid index changes slowest in the walk.
func (w *walk) slowAxis() int {
	if w.fortran {
		return len(w.grid) - 1
	}
	return 0
}

// releaseBehind has the walk call release on each slab's bytes of the file
// (laid out in the walk's order) once all its chunks are done.
func (w *walk) releaseBehind(release func(off, n int64) error) {
	if len(w.grid) == 0 {
		return
	}
	slow := w.slowAxis()
	w.release = release
	w.slabLeft = make([]int, w.grid[slow])
	perSlab := w.count / max(1, w.grid[slow])
	for i := range w.slabLeft {
		w.slabLeft[i] = perSlab
	}
	w.slabSize = int64(w.item)
	for axis, n := range w.shape {
		if axis != slow {
			w.slabSize *= int64(n)
		}
	}
}

// take returns the grid index of the next chunk into idx, or false when
// there is none left (or the walk stopped).
func (w *walk) take(idx []int) bool {
	if w.stop.Load() {
		return false
	}
	k := int(w.next.Add(1) - 1)
	if k >= w.count {
		return false
	}
	for j := range idx {
		axis := len(idx) - 1 - j
		if w.fortran {
			axis = j
		}
		idx[axis] = k % w.grid[axis]
		k /= w.grid[axis]
	}
	return true
}

// finish records chunk idx done (with err, if it failed): progress, and
// the release of its slab when it was the slab's last chunk.
func (w *walk) finish(idx []int, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		if w.err == nil {
			w.err = err
		}
		w.stop.Store(true)
		return
	}
	bytes := int64(w.item)
	_, extent := boxOf(idx, w.chunks, w.shape)
	for _, n := range extent {
		bytes *= int64(n)
	}
	w.done += bytes
	if w.progress != nil {
		w.progress(w.done, w.total)
	}
	if w.release == nil {
		return
	}
	slow := w.slowAxis()
	s := idx[slow]
	w.slabLeft[s]--
	if w.slabLeft[s] == 0 {
		lo := int64(s*w.chunks[slow]) * w.slabSize
		n := int64(extent[slow]) * w.slabSize
		if err := w.release(lo, n); err != nil && w.err == nil {
			w.err = err
			w.stop.Store(true)
		}
	}
}

// run runs n workers, each with its own work function from newWorker
// (which holds the worker's buffers), until the grid is done or a chunk
// fails, and returns the first error.
func (w *walk) run(n int, newWorker func() func(idx []int) error) error {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		work := newWorker()
		go func() {
			defer wg.Done()
			idx := make([]int, len(w.grid))
			for w.take(idx) {
				w.finish(idx, work(idx))
			}
		}()
	}
	wg.Wait()
	return w.err
}

// FromFile writes the array of src (any *mmarray.File: an .npy file, an
// .npz member, a raw file; any dtype, C or Fortran order) into a new Zarr
// array at path (v2, or v3 with WithFormat(3)), which must not exist or be
// an empty folder, and returns it. Workers each gather one chunk from the
// mapped file into a buffer (items past the array's edge get the fill
// value), encode it and write it; a whole chunk that lies in the file as
// one run (a C-order file of native numbers, chunked along its first axis
// only) is encoded from the mapping without the copy. The memory held is
// about workers × (chunk + its encoding) plus the file's pages in flight,
// which are released behind the workers when the file is larger than the
// budget (WithMemory). Every chunk is written, as zarr-python writes them.
//
// Options: Create's (WithFormat, default 2; WithCodec, default none;
// WithFortranOrder, default the file's order; WithDimensionSeparator;
// WithFill, default zeros; WithAttrs; WithDimensionNames), WithChunks (default zarr-python's guess), WithWorkers,
// WithMemory, WithProgress. On an error the folder at path is removed.
// Errors wrap Create's, the codec's, the operating system's, and
// memmap.ErrClosed for a closed src. Chunks of another rank than src is
// misuse and panics with a *memmap.Misuse.
func FromFile(src *mmarray.File, path string, opts ...FromFileOption) (*Array, error) {
	o := collect(opts, FromFileOption.applyFromFile)
	shape := src.Shape()
	dt := src.DType()
	chunks := o.chunks
	if chunks == nil {
		chunks = guessChunks(shape, dt.ItemSize)
	}
	if len(chunks) != len(shape) {
		misuse.Panicf("zarr: FromFile: WithChunks(%v) for an array of shape %v", chunks, shape)
	}
	if !o.hasOrder {
		o.fortran = src.FortranOrder()
	}
	a, err := create(path, src.Descr(), shape, chunks, o)
	if err != nil {
		return nil, fmt.Errorf("convert %s to %s: %w", src.Path(), path, err)
	}
	if err := a.writeFrom(src, o); err != nil {
		os.RemoveAll(path)
		return nil, fmt.Errorf("convert %s to %s: %w", src.Path(), path, err)
	}
	return a, nil
}

// writeFrom writes every chunk of a from src.
func (a *Array) writeFrom(src *mmarray.File, o options) error {
	l := a.l
	item := l.dtype.ItemSize
	w := newWalk(l.grid, l.chunks, l.shape, item, src.FortranOrder())
	w.progress = o.progress
	if w.total > o.budget() {
		w.releaseBehind(src.Release)
	}
	srcStrides := layoutStrides(l.shape, item, src.FortranOrder())
	chunkStrides := layoutStrides(l.chunks, item, l.fortran)
	// A whole chunk that is one run of the file is encoded from the
	// mapping itself: no copy, and no chunk buffer.
	mapped, keep, direct := mappedData(src)
	defer runtime.KeepAlive(keep)
	n := o.workerCount(2*int64(l.chunkBytes), w.count)
	return w.run(n, func() func([]int) error {
		var chunk []byte // allocated for the first chunk gathered
		stored := new([]byte)
		return func(idx []int) error {
			lo, extent := boxOf(idx, l.chunks, l.shape)
			base := offset(lo, srcStrides)
			whole := slices.Equal(extent, l.chunks)
			var data []byte
			if direct && !whole && l.pipe.padded() && isOneRun(extent, chunkStrides, srcStrides, item) {
				if head := filledBefore(extent, l.chunks, chunkStrides); head > 0 {
					// An edge chunk whose items are one run of the file,
					// followed by fill: encoded from the mapping, with
					// only the codec's blocks past the edge built, rather
					// than written out whole in a chunk-sized buffer
					// (fresh memory, faulted in a page at a time, is what
					// converting a file then mostly costs).
					_ = src.AdviseRange(int64(base), int64(head), mmarray.PopulateRead)
					out, err := l.pipe.encodePadded(stored, mapped[base:base+head], l.chunkBytes, l.fill, item)
					if err == nil {
						err = a.writeStored(idx, out)
					}
					if err != nil {
						return fmt.Errorf("write chunk %s: %w", a.Key(idx), err)
					}
					return nil
				}
			}
			if direct && whole && isOneRun(extent, chunkStrides, srcStrides, item) {
				data = mapped[base : base+l.chunkBytes]
				// Mapped in first (a hint: errors are the writes'), so that
				// an uncompressed chunk's write copies it whole: a write
				// from pages not yet mapped copies a page at a time after
				// each fault, and the chunk file's page cache is then
				// made of single pages, which later readers of the chunk
				// map three times slower and unmap twenty times slower
				// than the large folios of one whole copy (measured on
				// 128 MB chunks: 15 against 5 ms to sum, 5 against 0.3 ms
				// to unmap).
				_ = src.AdviseRange(int64(base), int64(l.chunkBytes), mmarray.PopulateRead)
			} else {
				if chunk == nil {
					chunk = make([]byte, l.chunkBytes)
				}
				if !whole {
					fillItems(chunk[filledBefore(extent, l.chunks, chunkStrides):], l.fill) // the items past the edge
				}
				var err error
				runs(extent, chunkStrides, srcStrides, item, func(d, s, n int) {
					if err == nil {
						_, err = src.ReadAt(chunk[d:d+n], int64(base+s))
					}
				})
				if err != nil {
					return err
				}
				data = chunk
			}
			if err := a.writeChunk(idx, data, stored); err != nil {
				return fmt.Errorf("write chunk %s: %w", a.Key(idx), err)
			}
			return nil
		}
	})
}

// ToNPY writes the Zarr array a into a new .npy file at path, in a's
// order (a Fortran-order array gives a Fortran-order file unless it is
// C-contiguous too: a zero-length axis, or at most one axis longer than
// 1), as np.save(path, z[...]) writes it. Workers each read and
// decode one chunk into a buffer and write its items into the file
// (mmarray's File.WriteAt: through the file, not the mapping), so the
// memory held is about workers × (chunk + its encoding), within the budget
// (WithMemory). An existing file at path is overwritten, as mmarray.Create
// does; a path that is not a regular file (a folder, a device) is refused
// and left alone. The file is flushed and closed before ToNPY returns,
// and removed if anything fails after it was created. Options:
// WithWorkers, WithMemory, WithProgress. Errors wrap mmarray.Create's,
// ReadChunk's and Flush's.
func ToNPY(a *Array, path string, opts ...ToNPYOption) error {
	o := collect(opts, ToNPYOption.applyToNPY)
	if err := a.toNPY(path, o); err != nil {
		return fmt.Errorf("convert %s to %s: %w", a.path, path, err)
	}
	return nil
}

// toNPY writes a into a new .npy file at path, and removes the file when
// anything fails once it is created.
func (a *Array) toNPY(path string, o options) error {
	// np.save writes fortran_order True only for an array that is not
	// C-contiguous too: not for one with a zero-length axis or at most one
	// axis longer than 1 (0-d and 1-d arrays among them), whose bytes are
	// the same in either order.
	fortran := a.l.fortran && !cContiguousToo(a.l.shape)
	f, err := mmarray.Create(path, a.l.dtype.String(), a.l.shape, mmarray.WithFortranOrder(fortran))
	if err != nil {
		// Create leaves no file of its own behind, and whatever it refused
		// (a folder, a device) is not ToNPY's to remove.
		return err
	}
	err = a.writeAll(f, fortran, o)
	if err == nil {
		err = f.Flush()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		os.Remove(path)
	}
	return err
}

// ToRaw writes the Zarr array a into a new raw file at path (an existing
// file is overwritten): its items only, with no header, in C order and in
// a's dtype and byte order, as z[...].tofile(path) writes them, whatever
// a's order. Workers each read and decode one chunk and write its runs of
// items into the file at their places, as ToNPY does, within the same
// memory. A path that is not a regular file (a folder, a device, a named
// pipe) is refused with memmap.ErrUnsupported and left alone. The file is
// closed before ToRaw returns, and removed if anything fails after it was
// opened. Options: WithWorkers, WithMemory, WithProgress. Errors wrap the
// operating system's, ReadChunk's and memmap.ErrTooLarge for an array of
// more than 2^62 bytes.
func ToRaw(a *Array, path string, opts ...ToNPYOption) error {
	o := collect(opts, ToNPYOption.applyToNPY)
	if err := a.toRaw(path, o); err != nil {
		return fmt.Errorf("convert %s to %s: %w", a.path, path, err)
	}
	return nil
}

// toRaw writes a into a new raw file at path, and removes the file when
// anything fails once it is opened.
func (a *Array) toRaw(path string, o options) error {
	size := int64(a.l.dtype.ItemSize)
	for _, n := range a.l.shape {
		if n != 0 && size > (1<<62)/int64(n) {
			return fmt.Errorf("an array of shape %v: %w", a.l.shape, memmap.ErrTooLarge)
		}
		size *= int64(n)
	}
	// regular refuses a folder, a device or a named pipe (without waiting
	// for a reader), which are not ToRaw's to truncate or remove.
	f, err := regular.Open(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return err
	}
	// The file gets its size first: the workers' runs land at their
	// places in any order.
	err = f.Truncate(size)
	if err == nil {
		err = a.writeAll(f, false, o)
	}
	if err = errors.Join(err, f.Close()); err != nil {
		os.Remove(path)
	}
	return err
}

// writeAll writes every item of a into w, laid out as an array of a's
// shape in C (or, fortran, Fortran) order from offset 0, on parallel
// workers that each read and decode a chunk and write its contiguous
// runs. The items go in through w (pwrite for a File), not a mapping: the
// pages written are page cache, never the process's memory, so there is
// nothing to release behind the workers.
func (a *Array) writeAll(w io.WriterAt, fortran bool, o options) error {
	l := a.l
	item := l.dtype.ItemSize
	walk := newWalk(l.grid, l.chunks, l.shape, item, l.fortran)
	walk.progress = o.progress
	fileStrides := layoutStrides(l.shape, item, fortran)
	chunkStrides := layoutStrides(l.chunks, item, l.fortran)
	perWorker := int64(l.chunkBytes)
	if l.codec != nil {
		perWorker *= 2
	}
	n := o.workerCount(perWorker, walk.count)
	return walk.run(n, func() func([]int) error {
		var chunk []byte
		return func(idx []int) error {
			var err error
			if chunk, err = a.ReadChunk(idx, chunk); err != nil {
				return err
			}
			lo, extent := boxOf(idx, l.chunks, l.shape)
			base := int64(offset(lo, fileStrides))
			runs(extent, fileStrides, chunkStrides, item, func(d, s, n int) {
				if err == nil {
					_, err = w.WriteAt(chunk[s:s+n], base+int64(d))
				}
			})
			return err
		}
	})
}

// cContiguousToo reports whether a Fortran-order array of shape is laid
// out as the C-order one too: it has a zero-length axis, or at most one
// axis longer than 1.
func cContiguousToo(shape []int) bool {
	long := 0
	for _, n := range shape {
		if n == 0 {
			return true
		}
		if n > 1 {
			long++
		}
	}
	return long <= 1
}
