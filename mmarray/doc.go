// Package mmarray memory-maps NumPy .npy files and raw binary files into
// typed, strided array views, with NumPy's memmap modes and flush, and
// grows them crash-safely (Writer, Recover).
//
// A File is one mapped array. Open maps an existing .npy file (as
// np.load(path, mmap_mode=...)), Create makes a new one (as
// np.lib.format.open_memmap(path, mode="w+")), and OpenRaw maps a raw file
// (as np.memmap). OpenFile maps the image in a file the caller already has
// open. An .npy image inside a larger file (a stored .npz member) opens in
// place with Open or OpenFile and WithSection, and one held in memory (a
// decompressed member) with OpenBytes; package npz does both. OpenRawBytes
// wraps raw array bytes in memory (a decompressed chunk). View[T] gives
// an *Array[T] over the whole array; its Slice, Transpose and Reshape make
// further views of the same memory, At and Set read and write single
// elements, Contiguous hands out the zero-copy []T when the layout allows,
// and CopyTo and Values read any view in C order. File.WriteTo streams the
// whole .npy image, File.WriteDataTo and File.ReadAt the data bytes, from
// what is mapped; File.WriteAt writes data bytes through the file, without
// faulting the mapping's pages in.
//
//	f, err := mmarray.Open("features.npy", mmarray.ReadOnly)
//	if err != nil { ... }
//	defer f.Close()
//	a, err := mmarray.View[float32](f)
//	if err != nil { ... }
//	rows := a.Slice(mmarray.Span(1000, 2000, 1)) // rows 1000..1999, no copy
//	fmt.Println(rows.At(0, 7))
//
// # Dtypes
//
// Every dtype NumPy writes without pickles has a view; Element lists the Go
// type for each. Numbers, bools, Float16 and the datetime types are read in
// place, and native aligned C-contiguous data is handed out as a plain Go
// slice by Contiguous. Datetime64 and Timedelta64 are the raw int64 counts
// (NaT included); a TimeUnit parsed from the dtype's unit converts them to
// and from time.Time and time.Duration, exactly or with an error. S<n> and U<n> view as
// string, S<n>, V<n> and structured dtypes as []byte, with NumPy's rules
// for trailing NULs. Field gives a strided, zero-copy view of one field of
// a structured array (nested fields by "a.b", subarray fields as trailing
// axes), so a table of records reads and writes column by column:
//
//	rows, _ := mmarray.View[[]byte](f) // dtype [('x', '<f8'), ('name', '<U8')]
//	x, _ := mmarray.Field[float64](rows, "x")
//	name, _ := mmarray.Field[string](rows, "name")
//	fmt.Println(x.At(3), name.At(3))
//
// Records hands out whole records as a zero-copy []S of a Go struct with
// the same memory layout.
//
// # Element access
//
// At and Set take one index per axis for a view of any rank. At1, At2 and
// At3 (and Set1, Set2, Set3) do the same for views of rank 1, 2 and 3
// without a variadic index: on a native, aligned view At1, At2, Set1 and
// Set2 compile into the caller's loop as a bounds check, a check that the
// File is open and one load or store, and on a byte-swapped, aligned view
// At1, At2 and Set1 add one byte reversal there (Set2 makes one short
// call; At3 and Set3 one call on every view). Negative indices count from
// the end, as in At; anything else (an index out of range, a view of
// another rank, a closed File) panics with a *memmap.Misuse.
//
// Loops over a whole view should not go element by element: Blocks walks
// any view as contiguous []T blocks in C order (slices of the mapping where
// the layout allows, a reused buffer otherwise), BlocksRange splits that
// walk between workers, StorageOrder reorders a view so that the walk
// follows memory, and Values and CopyTo are built on the same runs; a
// range loop over Values compiles into a loop over blocks with no call per
// element. SetRange is the walk's counterpart for writing: it stores a
// block at a range of flat C-order indices of any view, one loop per run. ItemBytes, ItemBytes1 and ItemBytes2 return an item's bytes in
// place (ItemBytes1 and ItemBytes2 inlined, for a view of any dtype) and
// AppendTo decodes an S, U or record item into a caller's buffer: string
// columns read without an allocation per row. To match an S<n> column
// against a key, convert the item to a fixed-width array, which compares
// in place without a call: [2]byte(col.ItemBytes1(i)) == [2]byte{'U', 'S'}
// (pad a shorter key with NULs, as NumPy stores it).
//
// A walk over an array larger than memory keeps what it holds bounded with
// the ranged calls: ByteRange gives the bytes of the data that a range of
// a view's elements spans (any strides), File.AdviseRange asks the kernel
// to read such a range ahead, File.Release drops it from the process once
// passed (writing ReadWrite changes back first; nothing in CopyOnWrite) and
// File.DropCache evicts it from the page cache too; File.ResidentRange
// says how much of such a range is in the page cache. Package compute does
// this for its reductions.
//
// # Growing files
//
// A Writer appends rows to an array whose length is not known in advance,
// along its growth axis (axis 0 in C order, the last axis in Fortran order,
// the axis NumPy pads the header for): a row is the array without that
// axis. NewWriter starts a new .npy file, OpenAppend appends to an existing
// one in place and OpenAppendRaw to a raw file (as np.memmap r+ with a
// larger shape). WriteRows takes rows as bytes in the file's layout and
// the generic Append takes them as the dtype's Go type ([]float32 for
// "<f4", swapped on the way for ">f4"); both gather rows in a buffer
// (WithBufferSize, 1 MiB by default) and write them in large writes, with
// no call per element. The Writer never maps the file.
//
//	w, err := mmarray.NewWriter("out.npy", "<f4", []int{16}) // rows of 16 float32
//	for batch := range batches {
//		err = mmarray.Append(w, batch) // len(batch) a multiple of 16
//	}
//	err = w.Close() // out.npy appears, whole, byte-identical to np.save
//
// Sync makes the rows given so far part of the array, in the one order that
// keeps the file loadable whatever happens: the rows' blocks are reserved
// (fallocate without changing the size, where the file system has it), the
// rows are written and synced (fdatasync), then the shape is rewritten
// inside the header and synced again. The header therefore never claims a
// row the file does not hold: a process killed, or a machine stopped, at
// any moment leaves a file that NumPy loads (np.load, with or without
// mmap_mode) with a prefix of the rows, every synced one included. Rows
// written after the last Sync lie past the header's shape, where np.load
// ignores them; Recover (and "memmap recover FILE") adopts them and cuts off
// a partial row, and says which in a Recovery. Recover also repairs a file
// whose header claims more rows than it holds (a writer that rewrote the
// header first, as npy-append-array does) by cutting the shape to the whole
// rows present. Close syncs; Abort does not.
//
// The shape is rewritten in place, so the header must have room for the
// growing count: files of NumPy 1.24+ np.save and of this package have it
// (21 digits of slack on the growth axis). A file of an older writer
// without room is refused by OpenAppend with ErrNoRoom and never rewritten
// silently: MakeAppendable rewrites it, explicitly, under a header with
// room (copying the data once).
//
// NewWriter writes to a temporary file in the destination's folder and
// renames it onto the path at Close, after the last sync: an interrupted
// conversion never leaves a file under the output name, and an existing
// file there is replaced only when the new one is complete. OpenAppend and
// OpenAppendRaw write in place; their crash safety is Sync's order above.
//
// Growing never moves or shrinks what a File maps, so Files open on the
// same file and their views (Contiguous slices included) stay valid: they
// keep the shape and the mapping they were opened with, and read the same
// bytes after any number of appends and Recovers (a write through them to
// the old rows reaches the file as before). New rows are seen by opening
// the file again, which maps the new shape. The Close contract is
// unchanged: the guard of each File covers exactly its own mapping.
//
// # Modes
//
// The modes are NumPy's: ReadOnly ("r"), ReadWrite ("r+": writes reach the
// file, durably after Flush), Write ("w+": create or overwrite, then as r+)
// and CopyOnWrite ("c": writes change private memory only; the file is opened
// read-only and never changes). ParseMode accepts NumPy's strings and their
// aliases. Open refuses Write: NumPy's np.load(mmap_mode="w+") truncates the
// file before failing, and Create is the way to make a new file.
//
// # Options
//
// Each constructor takes options of its own type (OpenOption for Open and
// OpenFile, CreateOption, RawOption, BytesOption), and each With function
// returns a type that only the constructors it applies to accept, so a
// misplaced option does not compile. A numeric option's zero means its
// documented default; a negative value panics. WithSection's offset and
// length are positions, not limits, so zero is a real position there
// (WithSection(0, 0) is an empty section) and only a negative one panics.
// Advice and its constants
// (Sequential, Random, WillNeed, ...) are here, so no caller needs package
// pagecache to give WithAdvice or File.Advise a hint.
//
// # Errors and panics
//
// Anything that comes from a file or from the operating system is returned
// as an error, never a panic, and follows the module's conventions (see
// package memmap): each error wraps a documented sentinel, tested with
// errors.Is: one of this package's (ErrFileSize, ErrDTypeMismatch,
// ErrMode, ...), one of the module's shared ones (memmap.ErrClosed after
// Close, memmap.ErrTooLarge, memmap.ErrUnsupported), one of npyheader's for
// a bad header (npyheader.ErrBadMagic, ErrSyntax, ErrObjectDType, ...) or
// one of pagecache's from the mapping layer. Where two descriptions are
// both true, both match (an itemsize too large for an int is
// npyheader.ErrDescr and memmap.ErrTooLarge); the text shows the first.
// Errors of the operating system (*fs.PathError, syscall.Errno) are wrapped
// as they are. The context this
// package adds names the operation and the file, never the package:
// "open x.npy: npyheader: invalid header syntax".
//
// Every header is checked, and the file must hold every byte it declares,
// before anything is mapped, so no input file can make a view touch a byte
// past the end of its mapping. Misuse by the caller panics with a
// *memmap.Misuse whose text starts with "mmarray:": an index out of range,
// Set on a ReadOnly file, a zero slice step, using a view after Close.
//
// # Close
//
// Close is explicit and deterministic: it unmaps the array and closes the file
// at once, whatever views exist; it does not wait for the garbage collector.
// Views must not be used afterwards, and this package makes misuse loud
// instead of silent:
//
//   - Every Array method checks the File first (Values when its loop
//     starts, and before each block) and panics with "mmarray: view used
//     after its File was closed" (View, Field and Records return an error
//     wrapping memmap.ErrClosed instead).
//   - A nil or zero File or Array is misuse too: every method of either,
//     and View, Field and Records given one, panics with a *memmap.Misuse
//     that says so. The one exception is kept for speed: on a nil *Array
//     (not a zero Array) At1, At2, Set1, Set2, ItemBytes1 and ItemBytes2
//     panic with Go's nil pointer dereference, a runtime.Error, because
//     their fast path loads the view's fields before anything else and a
//     nil check would not fit the inlining budget.
//   - On Unix, the address range of the old mapping stays reserved with no
//     access rights after Close, so a slice obtained from Contiguous that is
//     used after Close faults at once rather than reading another file's
//     bytes or freed memory. The reservation holds address space only, no
//     memory, and is released when the File and all its Arrays have been
//     garbage collected.
//
// # Caveats
//
//   - A slice from Contiguous is protected only while its Array (or the
//     File) is reachable: keep the Array alive, for instance with
//     runtime.KeepAlive, for as long as the slice is used.
//   - Using a File or its views in one goroutine while another calls Close is
//     a race; coordinate Close with the readers. Concurrent reads are safe;
//     concurrent writes to the same element are the caller's to coordinate.
//     The race detector cannot see accesses to mapped memory.
//   - Truncating a mapped file from outside (another process, or os.Truncate)
//     is not supported: touching a page past the new end raises SIGBUS, which
//     Go cannot recover from. Files this package creates or grows are
//     preallocated, so a full disk is reported by Create and OpenRaw instead.
//   - In CopyOnWrite mode the view is a fixed image of the file only while
//     nobody else writes the file: pages not yet copied may show later
//     outside changes (POSIX leaves this unspecified). Copied pages are
//     anonymous memory: they count towards RSS but not towards GOMEMLIMIT.
//   - Writing through a slice from Contiguous, ItemBytes, Blocks or Records
//     faults for a file opened ReadOnly (the pages are mapped read-only),
//     and for a ReadOnly File from OpenBytes or OpenRawBytes nothing stops it; use Set,
//     which panics with a clear message.
//   - Close does not flush; call Flush when changes must be durable.
//   - On Windows a mapped file stays locked until Close, and a use after
//     Close is caught by the method checks only.
//   - string and []byte views decode each element into new memory on every
//     read through At, Values and CopyTo; the other types read in place.
//     ItemBytes, ItemBytes1, ItemBytes2 and AppendTo read string and record
//     items without allocating. U<n> code points that Go strings cannot
//     hold (lone surrogates) read as U+FFFD.
//   - Set panics, and never truncates, when a string or []byte does not fit
//     the item (NumPy would truncate silently); Fits tells beforehand.
//   - Records needs the Go struct's layout to be the record's, and Go's
//     layout depends on the platform: 8-byte fields align to 4 on 32-bit
//     platforms, where such records may need explicit padding fields.
//     A layout that differs is refused, never misread.
//   - Object ('|O') dtypes hold pickles and are never mapped: Open fails
//     with npyheader.ErrObjectDType. Nothing in this project unpickles.
//   - On 32-bit platforms an array must fit in the address space; larger
//     ones fail with memmap.ErrTooLarge.
//   - Copy-on-write pages are private memory: writing to more of a
//     CopyOnWrite array than the memory limit allows gets the process
//     killed by the kernel's OOM killer, not an error (measured: in a 1 GiB
//     memory cgroup, writing every page of a 4 GiB file in mode c was
//     killed at 1 GiB). Use ReadWrite, or copy into bounded buffers, when
//     the changes may be large.
//   - A Writer is not safe for concurrent use, and two Writers appending
//     to the same file at once corrupt it: appends are not locked.
//   - An error while writing or syncing (ENOSPC on a full disk, EIO)
//     breaks a Writer: the file is cut back to the rows of the last Sync,
//     the rows given since are lost, and every later call returns the
//     error. NewWriter then leaves nothing at the path.
//   - OpenAppend drops bytes after the header's rows (an append that
//     stopped before its Sync): run Recover first to keep them.
//     OpenAppendRaw refuses a raw file that ends in a partial row; a raw
//     file has no header to recover.
//   - Sync's guarantee rests on fdatasync: on a file system or disk that
//     acknowledges a sync it has not done, a power failure can still lose
//     synced rows (never make the header claim missing ones, as long as
//     the file system keeps the order of the two syncs). The SIGKILL test
//     checks a killed process, not a power failure.
//   - Recover adopts rows that no Sync made durable. After a killed
//     process they are what was written, but after a power failure or a
//     kernel crash the file's size may have reached the disk before its
//     data (file systems and mount options differ), so adopted rows may be
//     zeros or stale bytes; Recovery.String calls them unsynced. Check
//     them, or open with OpenAppend, which drops them, when that matters.
//   - Append takes numbers, bools, Float16, Datetime64 and Timedelta64; S,
//     U, V and structured rows are written as bytes with WriteRows. Rows
//     of zero bytes (a zero dimension in the row shape) cannot grow a
//     file: no file size could count them.
//   - Open, OpenFile, OpenRaw and Create refuse what is not a regular file
//     (named pipes, directories, devices) with memmap.ErrUnsupported, found
//     without reading: an array needs a size and pages to map.
package mmarray
