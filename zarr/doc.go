// Package zarr reads and writes Zarr arrays in directory stores: Zarr v2,
// the format zarr-python 2.13 and Dask 2022.12 read and write, so that an
// array moves between this module and a Python cluster without a hand-made
// conversion, and the core of Zarr v3.
//
// A store is a folder: an array's folder holds its metadata (v2: .zarray,
// and user attributes in .zattrs; v3: zarr.json) and one file per chunk of
// a regular grid, named by the chunk's indices joined by "." ("0.3") or,
// with dimension_separator "/", as nested folders ("0/3"); v3's default
// keys start with "c" ("c/0/3"). A group's folder holds a .zgroup (or a
// zarr.json of node_type "group") and its members in subfolders.
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
// of a chunk). Sink adapts WriteChunk to compute.ChunkSink, whose chunks
// come in C order, in the machine's byte order, zero past the edges: it
// reorders each chunk to the array's order and byte order and pads it with
// the fill value, so compute.TransformChunks writes any array:
//
//	dst, err := zarr.Create("out.zarr", src.Descr(), src.Shape(), src.ChunkShape(), zarr.WithFill(src.FillValue()))
//	sink, err := dst.Sink()
//	err = compute.TransformChunks(ctx, sink, src, func(d, s []float64) { ... })
//
// Create makes a new array; FromFile converts any
// *mmarray.File (.npy, .npz member, raw) into a store, ToNPY a store into
// an .npy file and ToRaw into a raw C-order file, all on parallel workers
// within a memory budget.
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
// keys, four spaces of indent, ASCII only, dimension_separator always
// given).
//
// # Zarr v3
//
// Open reads a v3 zarr.json when a folder has no .zarray: the core data
// types (bool, int8 to uint64, float16 to float64, complex64, complex128,
// r<N> raw items as V), their byte order from the "bytes" codec; the
// regular chunk grid; the "default" and "v2" chunk key encodings; fill
// values as the specification writes them ("0x..." bits for floats, byte
// lists for raw items); dimension_names; attributes; and the codecs
// transpose, bytes, gzip, zstd, blosc, crc32c and, for reading,
// sharding_indexed (a chunk of the Array is then a whole shard, its inner
// chunks decoded into it). A transpose that reverses the axes is a
// Fortran-order chunk, handed out and mapped as such; another permutation
// is undone item by item. Unknown fields are refused unless marked
// "must_understand": false. WithFormat(3) makes Create, FromFile and
// CreateGroup write v3: bytes (and a transpose for Fortran order), then
// the codec of WithCodec, keys "c/..." with "/" unless
// WithDimensionSeparator says ".". The v3 support is checked against the
// specification's examples and round trips here: no v3 implementation
// could be run as an oracle.
//
// # Errors
//
// Errors follow the module's conventions (package memmap): each wraps
// ErrFormat for a store that is not valid Zarr (codec.ErrCorrupt too for a
// chunk that does not decode or whose checksum differs), memmap.ErrUnsupported for what this package
// does not implement, memmap.ErrTooLarge, or the operating system's error;
// the context names the operation and the store or chunk. Misuse (a chunk
// index outside the grid, a buffer of the wrong length) panics with a
// *memmap.Misuse.
//
// # Caveats
//
//   - Only directory stores are implemented: no zip, consolidated
//     (.zmetadata and v3's consolidated_metadata are ignored: members are
//     read from their own files) or remote stores. A member created in a
//     group that has a .zmetadata is missing from it, and readers that
//     prefer it (xarray's open_zarr) do not see the member until the store
//     is consolidated again (zarr.consolidate_metadata).
//   - Zarr v3: only the core data types (no strings, datetimes or
//     structured items, which Create refuses for v3 with
//     memmap.ErrUnsupported), the regular grid, and sharding for reading
//     only (a shard is read and decoded whole); a compressor after
//     sharding, a transpose before it and index codecs other than bytes
//     and crc32c are refused. Unknown codecs are refused even when marked
//     "must_understand": false, since decoding without them would be
//     wrong.
//   - Attributes holding NaN or an infinity, which zarr-python writes to
//     .zattrs as the bare words NaN, Infinity and -Infinity (not JSON), are
//     read as those floats but not written: WithAttrs and SetAttrs refuse
//     them with memmap.ErrUnsupported.
//   - v3 dimension names read as "" for a null name; an empty name and no
//     name are not told apart.
//   - Filters and object dtypes (which need an object codec) are refused
//     with memmap.ErrUnsupported, as are field titles in a structured
//     dtype, which zarr's JSON dtype cannot hold. A subarray of a subarray
//     field is written as one flattened subarray (the same bytes).
//   - A missing chunk of an array whose fill_value is null reads as zero
//     bytes; zarr-python leaves such items uninitialised.
//   - Fill values of longdouble items (f12, f16, c24, c32) are refused
//     unless null.
//   - Array satisfies compute.ChunkSink's method set, but only a C-order
//     array in the machine's byte order whose fill is zero stores its
//     chunks as that contract gives them: give TransformChunks a.Sink().
//     Sink refuses a structured dtype in the other byte order.
//   - A chunk is decoded whole into memory, so chunks are limited to
//     MaxChunkBytes; a stored chunk much larger than its decoded size is
//     refused as damage.
//   - An uncompressed chunk opened by OpenChunk is mapped: truncating its
//     file from outside while the File is open raises SIGBUS on access (see
//     mmarray's Caveats). WriteChunk replaces a chunk's file with a new one
//     and never truncates it, so that does not happen between writers and
//     readers of this package.
//   - A symbolic link at a chunk's key or at a metadata file is replaced
//     by what WriteChunk or SetAttrs writes, never written through, as
//     zarr-python replaces it; a link to a folder (a member, or a folder
//     of nested "/" keys) is followed, by reads and writes alike, as
//     zarr-python follows it.
//   - Chunks and metadata are not synced chunk by chunk (metadata files
//     are): after a power failure a store may lack chunks written just
//     before, as one zarr-python wrote may.
//   - Create and FromFile refuse a folder that is not empty: an existing
//     store is never overwritten in part.
//   - FromFile releases the source's pages a slab at a time (the rows of one
//     step of the chunk grid along the file's slowest axis), once every
//     chunk of the slab is written: with chunks much narrower than the
//     file's rows, each chunk touches every page of its slab, so a whole
//     slab stays mapped meanwhile (clean pages the kernel can reclaim, but
//     counted in RSS). Chunks that span whole rows avoid it.
//   - ToNPY and ToRaw write each contiguous run of a chunk with one write call: chunks
//     that span whole rows of the file are one call each, but a chunk much
//     narrower than the rows costs a call per row it spans.
package zarr
