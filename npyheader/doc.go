// Package npyheader reads and writes the header of NumPy's NPY format: the
// magic string, the format version, the header dict literal and the dtype
// descr grammar. It performs no I/O beyond an io.Reader and never maps or
// opens files; see the mmarray package for that.
//
// # Byte layout
//
// An NPY file is laid out as follows (all integers little-endian):
//
//	offset      size      content
//	0           6         magic "\x93NUMPY"
//	6           1         major version (1, 2 or 3)
//	7           1         minor version (0)
//	8           2 or 4    HEADER_LEN: uint16 for 1.0, uint32 for 2.0 and 3.0
//	10 or 12    HEADER_LEN header text: latin1 for 1.0/2.0, UTF-8 for 3.0
//	...                   array data, DataOffset = 8 + len-field + HEADER_LEN
//
// The header text is a Python dict literal, followed by spaces and a final
// '\n' so that the data starts at a multiple of 64 bytes:
//
//	{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
//
// descr is a type string such as '<f8', '|S5', '<U3' or '<M8[ns]', or, for a
// structured dtype, a list of (name, descr) or (name, descr, shape) tuples as
// printed by NumPy's dtype.descr. shape is a tuple of ints; fortran_order
// says whether the data is stored column-major. The element count is the
// product of shape (1 for the 0-d shape ()), and the data is count *
// itemsize bytes.
//
// # What is accepted
//
// Read and Parse accept what NumPy 1.24's np.load accepts for non-object
// data: versions 1.0, 2.0 and 3.0; any key order; whitespace, newlines and
// comments anywhere in the dict; a header with no padding or no trailing
// newline; the legacy 16-byte alignment; Python 2 long integers in 1.0 and
// 2.0 headers, written as NumPy's filter drops them (an upper-case L after
// the number, spaces allowed: 2L, 2 L; not 2l); str literals with any quote
// style, prefix and escape; duplicate keys (the last one wins). Shapes hold
// ints only: Python's literal_eval takes (True, 2), but np.load refuses it,
// and so do Read and Parse. The header must be at most WithMaxHeaderSize
// characters (default 10000, as NumPy's max_header_size). Object dtypes
// ('|O') are parsed so that callers can report them; DType.CheckMappable
// rejects them.
//
// Encode writes exactly what NumPy 1.24+ np.save writes: sorted keys, the
// growth slack of 21 - len(repr(shape[axis])) spaces, version 1.0 when
// possible, else 2.0, else 3.0 (for non-latin1 field names).
//
// # Caveats
//
//   - Only the type-string grammar that NumPy itself writes is accepted in
//     descr: order + kind + size (+ [unit]). NumPy's other spellings that
//     np.dtype() understands ("float64", "l", "d", "a5", "b", "i4,f8",
//     "(2,)i4", "M8[D/2]") are rejected with ErrDescr, as is a tuple descr
//     (subtype, shape) at the top level. As a field's type a tuple is
//     accepted: see the subarray caveat below.
//   - Titles must be str. An empty-string title is accepted but
//     dropped (Field.Title "" means "no title").
//   - Fields with an empty name that are not padding keep that name, as
//     NumPy's descr_to_dtype keeps it; two such fields are a duplicate name.
//   - Shapes are limited to 32 dimensions (NPY_MAXDIMS in NumPy 1.x), and
//     itemsizes to 2**31-1 bytes, as in NumPy.
//   - String literals may not hold lone surrogates or \N{...} escapes.
//   - Whether a non-ASCII character is printable in a str repr follows Go's
//     unicode tables, whose Unicode version may differ from the one in the
//     Python that wrote a file; this only matters for exotic field names.
//   - Newlines are allowed anywhere between tokens, even where Python would
//     require brackets; the header dict is always bracketed anyway.
//   - Data alignment is not checked; NumPy does not check it either.
//   - A field that is a subarray of a subarray, which NumPy writes as
//     ('c', ('<f8', (5,)), (2,)), is flattened into Field.Shape [2 5];
//     Field.ShapeLevels keeps the nesting so that String and Encode
//     reproduce NumPy's text.
//   - A header length field above 4 times the WithMaxHeaderSize limit is
//     rejected before any read. When the input is an io.Seeker (files,
//     Parse) and ends before the claimed length, the error also matches
//     ErrTruncated, as NumPy, which reads first, reports it; a plain stream
//     is not read further.
//   - A length field within that bound is still only a claim: Read
//     allocates no more than the input holds, so a short input claiming
//     4 GiB costs memory in proportion to what it has. A header that
//     arrives in full costs one buffer of its length when the input's size
//     can be learned (a file or other io.Seeker, a bytes.Reader), two from
//     a stream (its bytes gathered as they arrive, then joined), and none
//     for Parse, which decodes the slice in place: at most 4 or 8 bytes per
//     character of the limit. The text is parsed as bytes, not copied.
package npyheader
