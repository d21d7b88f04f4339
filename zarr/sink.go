package zarr

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"sync"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/npyheader"
)

// compute.ChunkSink hands over a chunk in C order, in the machine's byte
// order, with the items past an edge chunk's bounds zero; WriteChunk
// stores the chunk as it is given, so it wants it in the array's order
// and byte order, padded with the fill value. A Sink adapts the first to
// the second: per chunk it copies the items inside the array into a
// pooled buffer, run by run, transposing C to Fortran order and swapping
// bytes on the way, and pads the rest with the fill value. A chunk that
// needs none of that (a C-order array in the machine's byte order whose
// fill is zero, or an interior chunk of one with any fill) goes to
// WriteChunk as it is, without a copy.

// Sink returns a compute.ChunkSink that stores the chunks it receives in
// a (compute.TransformChunks writes a Zarr array through it): each chunk,
// given in C order and the machine's byte order, is reordered to a's
// order (C or Fortran) and byte order, its items past the array's edge
// set to a's fill value, then written as WriteChunk writes it. The
// sink's chunks must hold a's dtype in the machine's byte order (for
// TransformChunks, U must be the element type of a's dtype, whatever its
// byte order). Its WriteChunk is safe for concurrent use on distinct
// chunks; it holds one chunk-sized buffer per goroutine writing at once,
// pooled. Its errors are WriteChunk's; a chunk of the wrong length or an
// idx outside the grid is misuse and panics with a *memmap.Misuse.
//
// A structured dtype not in the machine's byte order is refused with an
// error wrapping memmap.ErrUnsupported: its fields would need swapping one
// by one.
func (a *Array) Sink() (compute.ChunkSink, error) {
	dt := a.l.dtype
	s := &chunkSink{a: a}
	if !dt.IsNative() {
		if dt.Structured() {
			return nil, fmt.Errorf("sink for %s: dtype %s is not in the machine's byte order: %w", a.path, dt, memmap.ErrUnsupported)
		}
		s.swap = swapUnit(dt)
	}
	zeroFill := true
	for _, b := range a.l.fill {
		zeroFill = zeroFill && b == 0
	}
	s.asIs = !a.l.fortran && s.swap == 0
	s.asIsAtEdge = s.asIs && zeroFill
	s.cStrides = layoutStrides(a.l.chunks, dt.ItemSize, false)
	s.chunkStrides = layoutStrides(a.l.chunks, dt.ItemSize, a.l.fortran)
	return s, nil
}

// swapUnit is the number of bytes whose order a non-native simple dtype
// reverses: a complex number's halves separately, a UCS4 character each.
func swapUnit(dt npyheader.DType) int {
	switch dt.Kind {
	case npyheader.Complex:
		return dt.ItemSize / 2
	case npyheader.Unicode:
		return 4
	}
	return dt.ItemSize
}

type chunkSink struct {
	a    *Array
	swap int // bytes per unit to reverse; 0 for none
	// asIs: an interior chunk needs no change; asIsAtEdge: nor does an
	// edge chunk (its zero padding is the fill value).
	asIs, asIsAtEdge       bool
	cStrides, chunkStrides []int
	chunks                 sync.Pool // *[]byte, of ChunkBytes
}

// WriteChunk stores chunk idx, given as compute.ChunkSink's contract says.
func (s *chunkSink) WriteChunk(idx []int, data []byte) error {
	a := s.a
	a.checkIndex(idx)
	if len(data) != a.l.chunkBytes {
		misuse.Panicf("zarr: Sink's WriteChunk of %d bytes for a chunk of %d", len(data), a.l.chunkBytes)
	}
	_, extent := boxOf(idx, a.l.chunks, a.l.shape)
	edge := !slices.Equal(extent, a.l.chunks)
	if s.asIsAtEdge || (s.asIs && !edge) {
		return a.WriteChunk(idx, data)
	}
	bp, _ := s.chunks.Get().(*[]byte)
	if bp == nil {
		b := make([]byte, a.l.chunkBytes)
		bp = &b
	}
	defer s.chunks.Put(bp)
	chunk := *bp
	if edge {
		fillItems(chunk, a.l.fill)
	}
	runs(extent, s.chunkStrides, s.cStrides, a.l.dtype.ItemSize, func(d, c, n int) {
		copy(chunk[d:d+n], data[c:c+n])
		swapBytes(chunk[d:d+n], s.swap)
	})
	return a.WriteChunk(idx, chunk)
}

// swapBytes reverses the bytes of each unit-byte word of b (a multiple of
// unit long); unit 0 or 1 leaves b as it is.
func swapBytes(b []byte, unit int) {
	le := binary.LittleEndian
	switch unit {
	case 2:
		for i := 0; i+2 <= len(b); i += 2 {
			le.PutUint16(b[i:], bits.ReverseBytes16(le.Uint16(b[i:])))
		}
	case 4:
		for i := 0; i+4 <= len(b); i += 4 {
			le.PutUint32(b[i:], bits.ReverseBytes32(le.Uint32(b[i:])))
		}
	case 8:
		for i := 0; i+8 <= len(b); i += 8 {
			le.PutUint64(b[i:], bits.ReverseBytes64(le.Uint64(b[i:])))
		}
	default:
		if unit > 1 {
			for i := 0; i+unit <= len(b); i += unit {
				slices.Reverse(b[i : i+unit])
			}
		}
	}
}
