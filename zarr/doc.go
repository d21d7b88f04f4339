// Package zarr reads and writes Zarr v2 arrays in directory stores, the
// format zarr-python 2.13 and Dask 2022.12 read and write, so that an array
// moves between this module and a Python cluster without a hand-made
// conversion.
//
// A store is a folder: an array's folder holds its metadata (.zarray, and
// user attributes in .zattrs) and one file per chunk of a regular grid,
// named by the chunk's indices joined by "." ("0.3") or, with
// dimension_separator "/", as nested folders ("0/3"). A group's folder holds
// a .zgroup and its members in subfolders.
//
//	a, err := zarr.Open("data.zarr") // or "data.zarr/member" in a group
//	if err != nil { ... }
//	b, err := a.ReadRegion([]int{0, 0}, []int{10, 4}, nil) // C-order bytes
//	f, err := mmarray.OpenRawBytes("head", b, mmarray.ReadOnly, a.Descr(), []int{10, 4})
//	v, err := mmarray.View[float64](f)
//
// Array has the chunk-level calls: ReadChunk (decoded bytes), OpenChunk (a
// read-only *mmarray.File of the chunk: an uncompressed chunk is its file
// mapped in place, with no copy; an Array is a compute.ChunkSource, so
// compute's reductions run over it chunk by chunk) and WriteChunk (encoded,
// written under a temporary name and renamed, so readers never see part
// of a chunk). Create makes a new array; FromFile converts any
// *mmarray.File (.npy, .npz member, raw) into a store and ToNPY a store into
// an .npy file, both on parallel workers within a memory budget.
//
// # Metadata
//
// .zarray is read as zarr-python 2.13 reads it: zarr_format 2; shape and
// chunks; dtype as NumPy's type string ("<f8", "|b1", "<f2", "<M8[ns]",
// "|S5", "<U3", "|V8", both byte orders) or a structured list
// ([["a", "<f8"], ["b", "<i4", [2]]]), parsed by npyheader; compressor as
// package codec's FromConfig reads it (null: uncompressed); fill_value as
// zarr-python encodes it ("NaN", "Infinity", "-Infinity" and numbers for
// floats, [re, im] for complex numbers, integers for M8 and m8, base64 for
// S, V and structured items, the string for U, null for none); order "C" or
// "F"; filters null; dimension_separator "." or "/". Everything is checked
// before a chunk is touched: a negative dimension, a chunk shape of another
// rank, a chunk larger than MaxChunkBytes or an unknown key value is refused.
// What Create writes is what zarr-python writes for the same array (sorted
// keys, four spaces of indent, dimension_separator always given).
//
// # Errors
//
// Errors follow the module's conventions (package memmap): each wraps
// ErrFormat for a store that is not valid Zarr (codec.ErrCorrupt too for a
// chunk that does not decode), memmap.ErrUnsupported for what this package
// does not implement, memmap.ErrTooLarge, or the operating system's error;
// the context names the operation and the store or chunk. Misuse (a chunk
// index outside the grid, a buffer of the wrong length) panics with a
// *memmap.Misuse.
//
// # Caveats
//
//   - Only Zarr v2 directory stores are implemented: no v3, no zip,
//     consolidated (.zmetadata is ignored: members are read from their own
//     files) or remote stores.
//   - Filters and object dtypes (which need an object codec) are refused
//     with memmap.ErrUnsupported, as are field titles in a structured
//     dtype, which zarr's JSON dtype cannot hold. A subarray of a subarray
//     field is written as one flattened subarray (the same bytes).
//   - A missing chunk of an array whose fill_value is null reads as zero
//     bytes; zarr-python leaves such items uninitialised.
//   - Fill values of longdouble items (f12, f16, c24, c32) are refused
//     unless null.
//   - A chunk is decoded whole into memory, so chunks are limited to
//     MaxChunkBytes; a stored chunk much larger than its decoded size is
//     refused as damage.
//   - An uncompressed chunk opened by OpenChunk is mapped: truncating its
//     file from outside while the File is open raises SIGBUS on access (see
//     mmarray's Caveats). WriteChunk replaces a chunk's file with a new one
//     and never truncates it, so that does not happen between writers and
//     readers of this package.
//   - Chunks and metadata are not synced chunk by chunk (metadata files
//     are): after a power failure a store may lack chunks written just
//     before, as one zarr-python wrote may.
//   - Create and FromFile refuse a folder that is not empty: an existing
//     store is never overwritten in part.
package zarr
