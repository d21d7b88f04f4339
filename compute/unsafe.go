package compute

import "unsafe"

// This file holds the package's only uses of unsafe: reinterpreting a block
// of a view's element type as its underlying Go type (Datetime64 as int64,
// bool as uint8, Float16 as uint16), which have the same size and layout,
// and a block of complex128 as its float64 parts; reaching the bytes of a
// view's rows in its File's mapping from one item's bytes (filter_rows.go);
// the layout the assembly's group-by window kernel takes; and handing a
// block of elements to a write (bytesOf), or a chunk of
// results to a ChunkSink (chunks_transform.go), as its bytes.

// addWindowSumsAsm (kernels_amd64.s) takes a window of chunkAcc[float64]
// as words: four to an entry, the sum first and the count second, and
// denseSpan entries, its offsets masked with 4095. These fail to compile
// if that stops being so.
var (
	_ [unsafe.Sizeof(chunkAcc[float64]{}) - 32]struct{}
	_ [32 - unsafe.Sizeof(chunkAcc[float64]{})]struct{}
	_ [0 - unsafe.Offsetof(chunkAcc[float64]{}.sum)]struct{}
	_ [unsafe.Offsetof(chunkAcc[float64]{}.count) - 8]struct{}
	_ [8 - unsafe.Offsetof(chunkAcc[float64]{}.count)]struct{}
	_ [denseSpan - 4096]struct{}
	_ [4096 - denseSpan]struct{}
)

// windowWords returns a window's entries as the words addWindowSumsAsm
// takes, four to an entry.
func windowWords(window []chunkAcc[float64]) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(window))), 4*len(window))
}

// sliceAs returns s's memory as a []K. K must have T's size and every bit
// pattern of T must be a valid K.
func sliceAs[K, T any](s []T) []K {
	return unsafe.Slice((*K)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// pairsAs returns s's memory as a []K twice as long: each element of s
// must be two Ks (a complex number's real and imaginary parts).
func pairsAs[K, T any](s []T) []K {
	return unsafe.Slice((*K)(unsafe.Pointer(unsafe.SliceData(s))), 2*len(s))
}

// bytesOf returns the memory of s as bytes, for a write of its elements as
// they lie in memory.
func bytesOf[T any](s []T) []byte {
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

// valueAs returns v's bits as a K of the same size.
func valueAs[T, K any](v K) T {
	return *(*T)(unsafe.Pointer(&v))
}

// sizeOf is the size in bytes of a value of V.
func sizeOf[V any](v V) uintptr { return unsafe.Sizeof(v) }

// bytesAt returns the n bytes that start off bytes (negative too) from the
// first byte of item, an item of a mapped view (ItemBytes): the caller
// computes off from the view's strides, so the bytes lie in the view's
// mapping, which must stay open while they are used.
func bytesAt(item []byte, off, n int) []byte {
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(item)), off)), n)
}

// bytesAs returns b's memory as a []T, len(b)/size of T long: a direct
// writer's aligned buffer filled as elements.
func bytesAs[T any](b []byte) []T {
	var zero T
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/int(unsafe.Sizeof(zero)))
}
