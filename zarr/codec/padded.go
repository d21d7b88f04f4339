package codec

import (
	"github.com/go-memmap/memmap/internal/fillbytes"
	"github.com/go-memmap/memmap/internal/misuse"
)

// EncodePadded appends to dst the encoding c gives a chunk of size bytes
// whose first len(head) bytes are head and whose others repeat fill, an
// item whose copies start at the chunk's first byte (byte p of the chunk
// is fill[p%len(fill)]; a nil fill is zeros): a Zarr edge chunk, the array's
// items and the fill value past its edge. Blosc encodes it without the
// chunk in memory, building only its blocks past head, one at a time; the
// other codecs are given the chunk built in a buffer of size bytes. A head
// longer than size panics.
func EncodePadded(c Codec, dst, head []byte, size int, fill []byte, itemSize int) ([]byte, error) {
	if len(head) > size {
		misuse.Panicf("codec: EncodePadded of a %d-byte head into a %d-byte chunk", len(head), size)
	}
	chunk := paddedChunk{head: head, size: size, fill: fill}
	if b, ok := c.(*bloscCodec); ok {
		return b.encode(dst, chunk, itemSize)
	}
	whole := make([]byte, size)
	chunk.fillFrom(whole, 0)
	return c.Encode(dst, whole, itemSize)
}

// paddedChunk is a chunk of size bytes: head, then fill repeated.
type paddedChunk struct {
	head []byte
	size int
	fill []byte
}

// fillFrom writes the chunk's bytes from byte lo on into dst.
func (c paddedChunk) fillFrom(dst []byte, lo int) {
	n := 0
	if lo < len(c.head) {
		n = copy(dst, c.head[lo:])
	}
	fillbytes.Items(dst[n:], c.fill, lo+n)
}

// slice returns the chunk's bytes lo to hi: head's own, or built in
// (*buf) where they reach past it.
func (c paddedChunk) slice(lo, hi int, buf *[]byte) []byte {
	if hi <= len(c.head) {
		return c.head[lo:hi]
	}
	b := (*buf)[:hi-lo]
	c.fillFrom(b, lo)
	return b
}

// appendTo appends the chunk's bytes to dst.
func (c paddedChunk) appendTo(dst []byte) []byte {
	start := len(dst)
	dst = append(dst, c.head...)
	dst = grow(dst, c.size-len(c.head))
	c.fillFrom(dst[start+len(c.head):], len(c.head))
	return dst
}
