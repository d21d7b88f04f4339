// Package gonumview hands 2-D views of mapped arrays to gonum without
// copying: Dense makes a *mat.Dense over a float64 view, General64 and
// General32 make the blas64.General and blas32.General that gonum's BLAS
// routines take. It is a package of its own so that the rest of the module
// does not depend on gonum.
//
//	f, err := mmarray.Open("weights.npy", mmarray.ReadOnly) // (N, K) float64
//	if err != nil { ... }
//	defer f.Close()
//	a, err := mmarray.View[float64](f)
//	if err != nil { ... }
//	w, err := gonumview.Dense(a.Slice(mmarray.All(), mmarray.Span(2, 5, 1))) // a[:, 2:5]
//	if err != nil { ... }
//	var g mat.Dense
//	g.Mul(w.T(), w) // 3×3, read straight from the mapping
//
// # Which views
//
// gonum describes a matrix as rows of contiguous elements, each row a fixed
// number of elements (the stride) after the one before. A 2-D view has that
// layout when it is in the machine's byte order, aligned, its elements
// within a row are adjacent, and its rows follow each other in increasing
// memory order at least a row apart: a whole C-order array, a block of rows,
// a block of columns such as a[:, 2:5] (rows spaced by the full row), every
// other row (a[::2]), and a float64 field of a structured array whose
// record size is a multiple of 8 bytes. NumPy's rule that an axis of length
// 1 has no stride applies: a single row or a single column always fits.
//
// Anything else is refused with an error wrapping ErrLayout, saying why: a
// view of another rank, byte-swapped data (">f8" on a little-endian
// machine), a column-major view (a Fortran-order file, a transposed view:
// its Transpose is row-major and fits, and gonum's Dense.T turns it back
// without copying), a view that skips or reverses columns (a[:, ::2],
// a[:, ::-1]), reversed rows (a[::-1]) and misaligned data. CopyTo into a
// slice and mat.NewDense over that slice is the way to hand such a view
// to gonum. Dense also refuses an empty view, since gonum has no empty
// matrix with a shape; General64 and General32 describe one with nil Data.
//
// # Aliasing
//
// The matrix is the mapping, as a slice from mmarray's Contiguous is:
//
//   - It is valid until the File is closed; do not use it afterwards. On
//     Unix, touching it after Close faults, which crashes the program
//     (mmarray keeps the address range reserved with no access); elsewhere
//     it may read whatever is mapped there next.
//   - Keep the Array (or its File) reachable while the matrix is in use, for
//     instance with runtime.KeepAlive: the matrix points into the mapping,
//     which the garbage collector does not see, and after Close the address
//     range is held only as long as the File or one of its Arrays is.
//   - Writes through the matrix (Set, a Dense used as the receiver of Mul,
//     Add, Scale, ...) change the mapped memory: they reach the file in
//     ReadWrite and Write mode (durably after File.Flush), change private
//     memory only in CopyOnWrite mode, and fault, crashing the program, on a
//     file opened ReadOnly, whose pages are mapped read-only (for a ReadOnly
//     File from mmarray.OpenBytes, nothing stops them). Check Writable on the
//     view before writing.
//   - The view and the matrix see each other's writes at once: a Set on the
//     Array is read by Dense.At and the other way round.
//
// # Errors and panics
//
// The functions return an error wrapping ErrLayout for a view gonum cannot
// address in place; the context names the view and the reason. A nil view,
// or a view whose File is closed, panics with mmarray's *memmap.Misuse, as
// every Array method does.
//
// # Caveats
//
//   - For a column block such as a[:, 2:5], the matrix's backing slice
//     (RawMatrix().Data) spans the whole rows between its first and last
//     element, columns outside the view included; gonum itself touches only
//     the view's elements, but code reading Data directly sees the others.
//     For a field of a structured array, the bytes between rows are the
//     other fields of the records.
//   - Do not Reset a Dense from this package (nor use one after Reset):
//     gonum reuses a reset matrix's Data as a plain buffer for the next
//     result, so that result would be written into the mapping as one
//     contiguous run, over columns outside the view and other fields'
//     bytes, or fault on a ReadOnly file.
//   - gonum checks that a receiver does not overlap its operands by their
//     Data; two views of one file may overlap in memory, and an operation
//     whose receiver partly overlaps an operand panics as gonum does for any
//     overlapping matrices.
//   - The race detector cannot see accesses to mapped memory, so races
//     between goroutines writing through the matrix go unreported.
package gonumview
