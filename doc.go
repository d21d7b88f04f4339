// Package memmap holds what every package of this module shares: the
// sentinel errors that more than one package returns, the panic value for
// misuse, and the conventions all packages follow. The work is done by the
// packages below it:
//
//   - npyheader: the NPY format and NumPy's dtype grammar (no mapping).
//   - pagecache: the mapping layer (mmap, msync, madvise, mincore).
//   - mmarray: .npy and raw files as typed, strided array views, and
//     files that grow (crash-safe appends, streaming writers).
//   - npz: .npz archives, members mapped in place where they are stored.
//   - compute: parallel, chunked reductions over any view (sum, mean,
//     variance, extremes, Describe), group-bys and transforms into files
//     (kernels, Astype, Take, Copy), identical whatever the worker count.
//   - text: NumPy's text formats, read as np.loadtxt and np.genfromtxt
//     read them (streaming text larger than memory into an .npy file) and
//     written as np.savetxt writes them, byte for byte.
//   - zarr: Zarr v2 and v3 directory stores read and written as
//     zarr-python and Dask read and write them; its arrays are chunk
//     sources for compute. zarr/codec: numcodecs' chunk codecs (blosc,
//     zstd, lz4, zlib, gzip).
//   - gonumview: 2-D views handed to gonum as matrices, without copying
//     (the only package that imports gonum).
//
// # Errors
//
// Anything that comes from a file or from the operating system is returned
// as an error, never a panic. Each error wraps a documented sentinel,
// tested with errors.Is: one of this package's (ErrClosed, ErrTooLarge,
// ErrUnsupported, shared by several packages) or one of the returning
// package's own (mmarray.ErrFileSize, npz.ErrFormat, ...). Where two
// descriptions are both true, both match (an itemsize too large for an int
// is npyheader.ErrDescr and ErrTooLarge); the text shows the first. An
// error of the operating system (a *fs.PathError, a syscall.Errno such as
// ENOSPC) is wrapped as it is, so errors.Is(err, fs.ErrNotExist) works too.
//
// A sentinel's text starts with the name of the package that defines it
// ("npyheader: invalid header syntax"); the context a package adds names the
// operation and the object, never a package, so a message names each
// package once: `open data.npz: member "w": npyheader: invalid header syntax`.
//
// # Panics
//
// Misuse by the caller (an index out of range, Set on a read-only view, a
// negative option value, a view used after Close) panics, as an index out of
// range on a Go slice does. The panic value is always a *Misuse, whose text
// starts with the package's name, so a recover can tell misuse from other
// panics:
//
//	defer func() {
//		if m, ok := recover().(*memmap.Misuse); ok { ... }
//	}()
//
// # Options
//
// Constructors take functional options of a type per constructor
// (mmarray.OpenOption, mmarray.CreateOption, npz.ReaderOption, ...). An
// option that applies to several constructors has a type that satisfies each
// of their option interfaces, so an option given to a constructor it does
// not apply to is a compile error, not a run-time one. For a numeric option,
// zero means the documented default and a negative value is misuse: the
// With function panics with a *Misuse. An option whose numbers are
// positions, not limits, has no default to stand for, and its zero is a
// real position: mmarray.WithSection(0, 0) is an empty section at the
// start of the file; a negative position still panics.
//
// # Caveats
//
//   - Two faults are not *Misuse panics: mmarray's inlined element accessors
//     (At1, At2, Set1, Set2, ItemBytes1, ItemBytes2) on a nil *Array panic
//     with Go's own nil-dereference runtime.Error, because their fast path
//     has no room for a nil check; and touching a mapped page that another
//     process truncated away raises SIGBUS, a fatal signal no recover sees
//     (mmarray's Caveats).
//   - An error that comes from a caller's own io.Reader, io.Writer or
//     io.ReaderAt (npz.NewReader, mmarray's File.WriteTo, npz's
//     Writer.WriteFrom) is passed on, with context where a package adds
//     some, and need not wrap a sentinel of this module.
package memmap
