// Package compute runs reductions and transforms over mapped arrays: sums,
// means, variances, extremes, their indices, counts and a one-pass
// Describe, over any mmarray view whole or along one axis, histograms,
// bincounts, the k largest or smallest elements, group-bys of a value
// column by a key column, and elementwise kernels, dtype conversions, row
// gathers and contiguous copies into files, row filters and
// concatenations written through mmarray's growing Writer, in parallel and
// chunk by chunk, with results that do not depend on the number of
// workers. The reductions and top-k also run over arrays stored as grids
// of chunks decoded one at a time, Zarr arrays (see Chunked stores).
//
//	s, err := compute.Describe(ctx, a, compute.WithWorkers(4))
//	fmt.Println(s.Count, s.Mean, s.Std, s.Min, s.Max)
//	cols, err := compute.MeanAxis(ctx, a, 0) // per column of an (N, K) view
//	fmt.Println(cols.Shape, cols.Values)
//	err = compute.Copy(ctx, a.Transpose(), "at.npy") // a C-order copy of a.T
//
// # Execution
//
// A view (*mmarray.Array[T] of any shape, strides, order and byte order) is
// split into chunks of a fixed number of elements, walked in the order its
// elements lie in memory where the result does not depend on the order
// (StorageOrder: a Fortran file or a transposed view is read as it is
// stored), and in the view's C order where it does (ArgMin, ArgMax,
// Describe). Workers, runtime.GOMAXPROCS(0) unless WithWorkers says
// otherwise, take chunks in turn; each walks its chunk with BlocksRange,
// reading contiguous native data in place and staging the rest through a
// small buffer of its own, and keeps a partial result per chunk. The
// partials are combined in chunk order, so a result is bit for bit the same
// whatever the number of workers.
//
// A reduction along an axis walks the view in one of two ways, chosen by
// its strides. Where the reduced axis is not the one whose elements lie
// closest together in memory (axis 0 of a C-order (N, K) file, the common
// case), the view is read row by row in the reduced axis's order, each row
// holding one element of every result: a chunk is a fixed number of whole
// rows with an accumulator per result, and chunks' accumulators are merged
// in chunk order (Chan's formula for variances). Means, variances and
// deviations take a chunk's whole rows at once, in two passes over the
// chunk in cache (each result's sum in a register over blocks of 16 rows,
// then its squared deviations from the chunk's mean), with no call per
// element or row (their nan-variants too, but for chunks holding a NaN,
// read row by row). Where the reduced axis is the closest (the last axis
// of a C-order file), each result is a run of its own, reduced with the
// whole-array kernels, chunks of a fixed number of elements ending inside
// runs where they must. Either way the chunks do not depend on the number
// of workers, nor do the results.
//
// The context is checked before each chunk; an operation stopped by it
// returns ctx.Err() as it is (context.Canceled, context.DeadlineExceeded).
// WithProgress reports the bytes done after each chunk.
//
// # Memory
//
// An operation keeps the memory it holds within a budget: WithMemory's,
// or by default a quarter of the memory the process can still take (the
// least of the system's available memory and the room under the memory
// cgroup limits above the process, their inactive page cache counted as
// room), at least 64 MiB, 1 GiB where it cannot be read (outside Linux).
// A view whose bytes fit in the budget is read as it is, and its pages
// stay mapped for the next operation. Over a larger one the engine holds
// a window of chunks: the budget, less what the partial results of a wave
// of chunks take, divided by a chunk's span (its first chunk's bytes,
// rounded out to pages). A chunk starts only when every chunk a window's
// length below it has finished; the window's chunks are read ahead
// (MADV_WILLNEED: the kernel reads them into the page cache without
// mapping them) unless a few pages spread over them are cached already (a
// warm file, where the hint's page cache lookups would cost a third of
// the time of summing them), and the chunks every worker has passed are released
// (File.Release: MADV_DONTNEED, so they leave the process's RSS and, in a
// memory cgroup, become reclaimable page cache). With WithStream they are
// also evicted from the page cache (File.DropCache), so that one pass
// over a file larger than memory does not push other programs' data out.
// Releases of a reduction's view are batched: with room for the pages of
// 16 MiB or more, the chunks passed are released once an eighth of it
// (at most 8 MiB) has passed, up to a 2 MiB boundary of the file (a huge
// page: the kernel maps a warm file's large page-cache folios 2 MiB at a
// time), and the window is shortened by what a batch holds back. Each
// release is a madvise that flushes the TLBs of every CPU the workers run
// on, and a release of part of a huge page splits its mapping: released
// chunk by chunk, a sum of a warm 1 GiB float64 file with a 64 MiB budget
// made 824 madvise calls, 42 ms of a 104 ms run under strace, and TLB
// flushes and page-table lock waits took a third of its profile; batched,
// 163 calls took 4 ms and the kernel's share fell to what an unbudgeted
// sum spends mapping pages.
// WillNeed was chosen over MADV_POPULATE_READ, which maps the pages (they
// count in the RSS before a worker needs them) and blocks the worker that
// asks until they are read: over a 2 GiB file with a 64 MiB budget, the
// peak RSS was 82-108 MiB with it against 51-76 MiB with WillNeed, and
// neither was consistently faster than the kernel's own read-ahead of
// faulting pages on a shared two-core host.
//
// Chunks of a strided view may share pages, and a release may drop a page
// another chunk in flight still reads: that costs the page being mapped
// again (or read again from the disk with WithStream), never a wrong
// result. The window and the releases never change a result either: chunk
// boundaries and the order partials are combined in stay the same.
// A view of a File opened CopyOnWrite is never released (its changed
// pages would be lost), nor one made by OpenBytes (Go memory).
//
// # Results
//
// Elements of every real dtype are accepted in both byte orders: bool, the
// integers, Float16, float32 and float64 (the Real constraint); complex64
// and complex128 (the Complex constraint) by the functions named Complex.
//
//   - Sum and NanSum return a Scalar with NumPy's result dtype: Int64 for
//     bool and signed integers, Uint64 for unsigned integers, both exact and
//     wrapping around on overflow as NumPy does; Float64 for floating point,
//     accumulated in float64: blocks of 128 elements added plainly in eight
//     lanes (NumPy's pairwise block, at memory speed), the block sums with
//     compensated (TwoSum) addition, so the error stays within a rounding
//     of the result plus about 19·ε·Σ|x| of a block's own additions, and no
//     larger than NumPy's pairwise sum, which adds log2(n/128) roundings more
//     (float32 input is also added in float64, not float32). On amd64 with
//     AVX2 the float64 blocks (sums, extremes, squared deviations) are added
//     in assembly, lane for lane the same additions in the same order as the
//     Go loops and without fused multiply-adds, so a result is bit for bit
//     the same with or without it (the purego build tag turns it off).
//   - Mean, Var, Std and their nan-variants return float64, integers being
//     converted to float64 as NumPy's mean does. Var merges per-chunk
//     moments with Chan's pairwise formula; ddof is NumPy's, n-ddof <= 0
//     giving +Inf for Var and NaN for NanVar, as np.var and np.nanvar do.
//   - Min, Max, NanMin and NanMax return the element type; ArgMin and
//     ArgMax a flat C-order index of the view. NaN rules are NumPy's: Min and
//     Max are NaN if any element is; ArgMin and ArgMax return the first NaN's
//     index; the first of equal extremes wins. For Datetime64 and
//     Timedelta64 views NaT is NaN to these, as in NumPy since 1.18: Min,
//     Max, ArgMin and ArgMax propagate it, NanMin and NanMax skip it (NaT
//     where all are NaT). The type is told once per call, and NaT, the
//     smallest count, is tested for only where a new minimum is found.
//   - CountNonzero, Any and All count nonzero elements (NaN is nonzero).
//   - Describe computes count, NaN count, sum, mean, std, min, max, argmin
//     and argmax in one pass, leaving NaNs out; for integers and bools also
//     the exact sum and extremes (SumScalar, MinScalar, MaxScalar) and the
//     true sum past the wrap-around (Stats.IntegerSum).
//   - SumAxis, MeanAxis, VarAxis, StdAxis, MinAxis and MaxAxis reduce along
//     one axis (negative counting from the end, as in NumPy) with the rules
//     of Sum, Mean, Var, Std, Min and Max, and return a Reduced: the shape
//     of the other axes and one value per position of it, in C order.
//     So do their nan-variants (NanSumAxis, NanMeanAxis, NanVarAxis,
//     NanStdAxis, NanMinAxis, NanMaxAxis) and CountNonzeroAxis, AnyAxis and
//     AllAxis. MeanStdAxis returns MeanAxis's and StdAxis's results from
//     one pass. ArgMinAxis and ArgMaxAxis return the index along the axis
//     (NumPy's first-occurrence and NaN rules, as ArgMin's). DescribeAxis
//     returns a Reduced[Stats], Describe of the elements along the axis at
//     each position, in one pass, with ArgMin and ArgMax as indices along
//     the axis (np.nanargmin(a, axis=axis)).
//   - SumComplex, MeanComplex and their nan-variants return complex128,
//     each part summed as Sum's floats are (complex64 too, which NumPy adds
//     in complex64); a NaN or infinite part affects its own part of a sum
//     only, and the means divide as NumPy does, by complex division by
//     n+0i, which makes the other part NaN ((inf+0j)/2 is inf+nanj).
//     VarComplex, StdComplex and their nan-variants return float64: the
//     mean of the squared moduli |x-mean|², as np.var. The nan-variants
//     leave out elements with a NaN part, as np.isnan does.
//
// # Histograms, bincounts and top-k
//
//   - Histogram, HistogramRange and HistogramEdges count elements in bins as
//     np.histogram does and return a Hist (Counts and Edges), exactly:
//     equal bins over the data's range (Histogram) or a given one
//     (HistogramRange), or bins between given edges (HistogramEdges); the
//     last bin closed, elements outside the range and NaNs left out. For
//     equal bins NumPy does not search the edges: it computes an element's
//     bin as (x - first) * bins / (last - first), in its bin dtype (the
//     element type for Float16 and float32, widened by NumPy's value-based
//     casting where a range bound or the scale does not fit it; float64 for
//     integers), and corrects it once down and once up against edges made by
//     np.linspace. This package repeats that arithmetic in the same
//     precisions (float16 as float32 rounded to float16, as NumPy computes
//     it), so an element within an ulp of an edge lands in NumPy's bin.
//     Histogram of a view holding a NaN or an infinity returns ErrNotFinite.
//     HistogramWeighted, HistogramRangeWeighted and HistogramEdgesWeighted
//     sum float64 weights per bin instead (a WeightedHist), read in C order
//     with the elements and added as NumPy adds them for equal bins (in
//     C order, chunk by chunk of 65536), so with float64 weights and fewer
//     than 65536 bins the sums are NumPy's bit for bit.
//   - Bincount counts each value of a view of non-negative integers
//     (Integer), np.bincount; BincountWeighted sums float64 weights (a view
//     of any real dtype and the same length, read in C order as the values
//     are) per value. Weighted sums, here and in histograms, are added in C
//     order within a chunk and chunk by chunk, so they are bit for bit the
//     same whatever the number of workers (and may differ in their last
//     bits from NumPy's single sequence in np.bincount). The view is read
//     twice: for its largest value, which sets the result's length, then
//     to count. A negative value returns ErrNegative; a result that, with
//     one chunk's counters, would not fit in the memory budget returns
//     memmap.ErrTooLarge, before anything is allocated for it (the default
//     budget is chosen for their size).
//   - TopK and BottomK return the k largest or smallest elements, best
//     first, with their flat C-order indices (Ranked): ties go to the
//     smaller index and NaN ranks above every number, where np.sort places
//     it, so BottomK is np.argsort(a, kind="stable")[:k] and TopK returns
//     NaNs first. k beyond the view's length returns every element. Each
//     chunk keeps its k best, merged in chunk order: an element is compared
//     with the worst of the k best so far and, if better, appended to a
//     buffer of candidates that a selection cuts to its k best when full:
//     an element costs a comparison and a bounded share of a selection
//     whatever the order of the elements. A chunk's first threshold is the
//     k-th best of a sample of every s-th element (s a power of two ≥ 16, 64 for k = 100),
//     which its k best cannot be worse than, so that about k·s of a chunk's
//     elements in ascending order get in rather than every one (for k up
//     to 2048 where a chunk is read in place, up to 128 where its elements
//     are converted or gathered).
//
// These keep a partial result per chunk in flight (counts or sums per
// bin, candidates for the k best: up to 4·min(k, 65536) + 1024 items of
// 16 bytes): as many chunks as fit in a quarter of the memory budget and
// 64 MiB are in flight, and at least one; the window of pages has the rest
// of the budget. With more bins than 65536, a chunk holds at least as many
// elements as there are bins, so that merging its partial costs at most an
// addition per element.
//
// A float sum holding an infinity, or overflowing, is that infinity (NaN
// if both signs occur), as in NumPy; so are the means, and variances are
// NaN.
//
// Empty views behave as in NumPy: Sum is zero, Mean, Var and Std are NaN,
// Any is false, All is true; Min, Max, ArgMin, ArgMax and the nan-variants
// of Min and Max return an error wrapping ErrEmpty (NumPy raises
// ValueError). Along an axis, an empty axis gives zero sums and counts,
// NaN means, variances and deviations, false for AnyAxis, true for AllAxis
// and Stats with a Count of 0, and MinAxis, MaxAxis, their nan-variants,
// ArgMinAxis and ArgMaxAxis return ErrEmpty even where the other axes are
// empty too; an empty other axis gives no results and no error.
//
// # Group-by
//
// GroupBy, GroupByString and GroupByTime aggregate a column of values by a
// column of keys of the same length, as pandas'
// groupby(key)[value].agg(["count", "sum", "mean", "min", "max"]): keys of
// bool and integer dtypes; S and U items (a field of a structured file),
// compared as their bytes in place and decoded once per group; datetimes
// truncated to a unit as astype("M8[unit]") floors them, calendar months and
// years included. Values are of any real dtype. Groups come back sorted by
// key (np.unique's order: numbers, S bytes, U code points) as Go values, and
// Groups.WriteNPY writes them as a structured .npy file NumPy loads.
//
// NaN values are left out of each group's count, sum, mean and extremes, as
// pandas leaves them out by default; a group whose values are all NaN is kept
// with Count 0, Sum 0 and NaN for the rest. NaT keys are dropped and
// counted (pandas' dropna=True). Sums are float64, integers converted.
//
// A key is packed into 64-bit words (an integer into one, an S or U item
// into as many as its bytes need), ordered as the keys sort. Each chunk of
// rows is aggregated into an open-addressing hash table of its own, hashed
// from the words with no call per row, its sums added plainly in row
// order; the chunks' tables are merged in chunk order into one table as the
// workers finish them, sums added with compensation (TwoSum), so results
// are identical whatever the number of workers. Where a block's one-word
// keys lie within 4096 of each other, as small integer keys do, its rows
// are aggregated instead in a window of per-key aggregates indexed by the
// key, with no lookup, the keys read in place without packing. The window
// is moved into the table's entries when the keys leave it (a group with
// rows in both has its two partial sums added), and a chunk whose rows all
// went to the window is merged from it, the merged table's entries of its
// keys found by their offset from the first such chunk's window, not
// hashed, where they lie within 4096 of it. The window's check of a block
// reads its values beside its keys, and a block of float64 values it
// finds free of NaN is added in assembly where there is AVX2: the same
// additions and comparisons as the Go loop, with the next block's keys
// and values fetched meanwhile.
//
// WithAggregates(GroupSum), or any set without GroupMin and GroupMax, has a
// group-by compute only what it asks for, as df.groupby(k)[v].sum() does:
// the window of small keys then keeps a count and a sum per key, one add
// per row with no test but for NaN, and the fields not asked for are zero
// (and left out of WriteNPY's file). The fields asked for are bit for bit
// those of the default, GroupAll.
//
// Half the memory budget (WithMemory) bounds the merged table; the other
// half is the walk's: the chunk tables in flight and the pages of both
// columns, read ahead and released together. Beyond its half, the table
// spills: its groups, and then every later chunk's, are written as records
// to 16 temporary files by 4 bits of their key's hash (in os.TempDir, or
// WithSpillDir's directory, removed before the call returns), and each file
// is merged alone, its records in the order written, split again by the
// next 4 bits while it has more groups than the budget allows. A group's
// partial results are merged in the same order as without a spill, so the
// result is the same bit for bit.
//
// # Transforms
//
// Transform runs a Go kernel over blocks of one or more source views of one
// shape and stores its results in a destination view of that shape: a
// ReadWrite (r+) or Write view of any layout, the sources' own memory
// included (a = a*2+1). TransformToFile writes into a new C-order .npy
// instead. The kernel is a func(dst []U, src ...[]T) over blocks of at most
// 4096 elements, called once per block, never per element, on the
// workers' goroutines; it sees native values whatever the files' byte
// orders. Blocks of native, aligned, C-contiguous views are the mapped
// memory itself, so a kernel over such files reads and writes the files
// with no copy; other views are staged through each worker's buffers
// (BlocksRange in, mmarray's SetRange out). The destination is walked in
// C order in chunks of a fixed number of elements, as the reductions walk
// theirs.
//
// Astype converts a view to another real dtype, in either byte order, into
// a new .npy with NumPy's astype casting (unsafe, its default) and its
// results on x86-64 where C leaves a conversion undefined (NaN and
// out-of-range floats to integers): the file is byte for byte NumPy's. Take
// gathers rows along axis 0 into a new .npy (np.take with axis=0, negative
// indices from the end). Copy writes any view as a C-order .npy (NumPy's
// a.copy(order="C")); a transposed or Fortran view is copied in square
// tiles, about a page of input and a page of output along each edge
// (512 by 512 float64s, their edges on page boundaries where the strides
// allow), so that each page is used whole while it is in memory, where a
// row-by-row copy reads each input page once per row. The tiles are taken
// in the source's memory order, so that its read-ahead is of use. Where the
// output's rows are long (64 KiB or more for a group of tiles), the tiles
// of a few consecutive tile columns are gathered in a buffer and written
// through the file (File.WriteAt), row by row, so the new file is never
// mapped and costs no write fault per page; otherwise they are written into
// its mapping, which gets no read-ahead (Random advice): a write fault
// would read in the pages around it (measured: 20 GB read for the first
// 100 MiB of a transposed copy larger than memory). Where the source and
// the copy exceed the memory budget, the groups' rows go past the page
// cache (direct I/O where the file system has it), their aligned middles
// from the groups' buffers (staged where a row's length is not a whole
// number of pages) and eight rows at a time, their ends through the page
// cache.
//
// The new files keep the source's dtype (Take, Copy) or take the one given
// (Astype, TransformToFile); they are flushed (msync and fdatasync) and
// closed before the call returns, and removed if it fails or is cancelled,
// so no partial result is left at the path. Transform does not flush its
// destination: call its File's Flush. For transforms, WithProgress counts
// the bytes of the destination written.
//
// The memory budget covers the destination and the sources walked in step
// with it together: where their bytes exceed it, the window holds as many
// chunks as the budget has room for the spans of all of them, reads the
// sources ahead and releases the chunks passed, the destination's written
// back first (File.Release on a ReadWrite or Write file), so a transform
// into a file larger than memory keeps the process's resident set
// bounded; the written pages are then in the page cache or on disk, and
// durable once the new file is flushed (or the destination's File
// Flushed). TransformToFile goes further where the sources and the new
// file together exceed the budget: the file's data is written past the
// page cache (mmarray.File.OpenDirect, O_DIRECT), each worker computing a
// unit of the file (a chunk's bytes, 512 KiB of float64s, aligned in the
// file, not in the data) into a buffer of its own and writing it to the
// disk, so no page
// of the page cache is allocated, zeroed, dirtied and written back for it
// (the first unit, holding the header, and a last, partial one go through
// the page cache). The window then holds the sources' pages only. A file
// system without direct I/O (tmpfs; Linux before 6.1) gets the mapped
// path.
//
// # Filters and concatenation
//
// Filter, Where and Concatenate write rows (a view's items along axis 0)
// to a new C-order .npy whose length is known only at the end, through
// mmarray.NewWriter: Filter keeps the rows of a view for which a predicate
// over a column holds (np.save(path, a[pred(col)])), the column being any
// 1-D view with one element per row (a column a[:, j], a field of a
// structured file, another file); Where keeps the rows where a 1-D bool
// mask is true (a[mask]); Concatenate writes the rows of several views
// one after the other (np.concatenate along axis 0). The predicate is a
// func(keep []bool, col []T) over blocks of at most 4096 native values,
// called once per block, never per element, on the workers' goroutines.
//
// Rows are copied as their bytes, whatever the dtype (records, strings,
// complex numbers and datetimes too), the byte order and the strides: a
// row's trailing axes that lie contiguous are copied at once, and runs of
// kept rows that follow each other in the file too. The view is cut into
// chunks of whole rows (512 KiB of rows, less under a budget so small that
// the workers' chunks would take more than a sixteenth of it; at least one
// row); workers select
// and copy chunks in parallel, and each chunk's rows are handed to the
// Writer in chunk order, a chunk waiting for the ones before it, so the
// file is byte for byte np.save's of NumPy's result whatever the number of
// workers. Nothing appears at the path until the Writer's Close has made
// the whole file durable and renamed it there; a failure, a cancelled
// context or a panic leave nothing (and a file already at the path as it
// was). They return the number of rows written. The memory budget covers
// the pages of the view and of the column, read ahead and released in a
// window of chunks as the reductions' are, the rows each worker holds and
// the Writer's buffer (1 MiB, or a sixteenth of a smaller budget, at least
// 64 KiB). WithProgress counts the bytes of the rows' views read (not the
// column's).
//
// # Chunked stores
//
// An array stored as a regular grid of chunks read one at a time, a Zarr
// array (package zarr's arrays satisfy ChunkSource; this package does not
// import it), is reduced by the functions named as the view's with
// "Chunks" added, the element type given explicitly: SumChunks,
// MeanChunks, VarChunks, StdChunks, MinChunks, MaxChunks, ArgMinChunks,
// ArgMaxChunks, DescribeChunks and their nan-variants; SumAxisChunks,
// MeanAxisChunks, VarAxisChunks, StdAxisChunks, MinAxisChunks,
// MaxAxisChunks, DescribeAxisChunks and the nan-variants of the sums,
// means, variances and deviations; TopKChunks and BottomKChunks; and
// GroupByChunks, of integer or bool keys and values stored in one grid.
// Their results follow the view functions' rules, over the whole array.
// TransformChunks runs an elementwise kernel over a chunked array's
// chunks and hands each chunk of results to a ChunkSink (a Zarr array
// being written) in the same grid.
//
//	s, err := compute.DescribeChunks[float64](ctx, src, compute.WithWorkers(4))
//	cols, err := compute.MeanAxisChunks[float64](ctx, src, 0) // per column of an (N, K) array
//
// Workers take the grid's chunks in its C order. Each opens its chunk with
// OpenChunk (mapped in place where the store holds it uncompressed, else
// decoded into the worker's ChunkScratch, reused chunk after chunk), views
// it sliced to the array's bounds (an edge chunk is stored whole), reduces
// it alone with the views' kernels (a whole-array reduction as a chunk of
// a view's walk, a reduction along an axis as the view's along that axis)
// and closes it, unmapping a mapped chunk, before it takes the next. The
// chunks' partial results are merged in grid order, so a result is bit for
// bit the same whatever the number of workers. Indices (ArgMinChunks,
// ArgMaxChunks, DescribeChunks, TopKChunks, BottomKChunks) are flat C-order
// indices of the whole array: a chunk that does not span the trailing axes
// in full is walked run by run, each run's elements consecutive in the
// array, and since a later chunk of the grid may hold earlier elements of
// the array (the next chunk of a band of rows), ties between chunks go to
// the smaller index: the first occurrence is kept whatever the grid. Along
// an axis, each result's chunks are merged in the axis's order, and
// DescribeAxisChunks' indices are along the axis of the whole array.
//
// A chunk in flight holds its decoded bytes and the stored bytes it is
// decoded from, counted as much again, so min(workers, budget / (2 × chunk
// bytes)) chunks are in flight, at least one. A chunk larger than the
// memory budget is an error wrapping memmap.ErrTooLarge, returned before
// any chunk is read: the chunks are the store's, chosen when it was
// written, so the caller picks them (or a larger WithMemory). The context
// is checked before each chunk. WithProgress reports the decoded bytes of
// the chunks done, out of those of every chunk (edge chunks counted
// whole).
//
// # Errors and panics
//
// Errors wrap ErrEmpty, ErrNotFinite, ErrNegative, ErrChanged (a file
// written to between Bincount's two readings) or memmap.ErrTooLarge, or are
// the context's error, or, rarely, the error of releasing a ReadWrite
// view's pages (a failed write-back: EIO, ENOSPC). Misuse panics with a
// *memmap.Misuse: a negative WithWorkers or WithMemory, and whatever
// mmarray panics for (a view used after its File was closed), raised again
// in the caller's goroutine when a worker hits it; an axis out of range
// (NumPy's AxisError), a 0-d view having none; fewer than one bin, a
// histogram range that is not finite or decreases, edges that decrease or
// are NaN, a negative minlength or k, weights of another length than the
// values; group-by columns that are not 1-D views of one length. A
// group-by's errors are also those of its spill files (the operating
// system's, wrapped), mmarray.ErrUnit for a truncation unit that does not
// parse, and memmap.ErrUnsupported for string keys that are not S or U.
//
// Over a chunked store, an error of OpenChunk, of mmarray.View (a T other
// than the store's dtype: mmarray.ErrDTypeMismatch) or a chunk opened in
// another shape than the grid's (mmarray.ErrShape) is returned wrapped
// with the chunk's grid coordinates (GroupByChunks' keys chunks too) and
// stops the walk, as do a group-by's spill errors and a ChunkSink's
// WriteChunk errors; a grid of another
// rank than the array, or with an empty chunk, wraps
// memmap.ErrUnsupported; chunks larger than the budget, memmap.ErrTooLarge.
// An axis out of range, a negative k, GroupByChunks' keys and values of
// different shapes or grids, or a nil TransformChunks kernel panic, as for
// views.
//
// The transforms' errors also wrap mmarray's for the file they create
// (mmarray.Create's; a TransformToFile descr that is not the kernel's
// type: mmarray.ErrDTypeMismatch), npyheader's for an Astype descr that
// does not parse, and memmap.ErrUnsupported for one that is not a real
// dtype. Their misuse panics: a Transform without sources, with sources of
// another shape than the destination or a read-only destination (as Set on
// a read-only view), or a nil kernel; a Take index out of range (NumPy's
// IndexError) or of a 0-d view, and an output path that is the file of a
// source view (creating it would truncate the file under its mapping),
// found before any file is created. A kernel's own panic is raised again
// in the caller's goroutine.
//
// Filter's, Where's and Concatenate's errors wrap mmarray.NewWriter's and
// the Writer's (the operating system's, wrapped; mmarray.ErrShape for rows
// of no bytes), and Concatenate's mmarray.ErrDTypeMismatch for views whose
// dtypes differ, before anything is created. Their misuse panics: a 0-d
// view, a column that is not 1-D or whose length is not the number of
// rows (NumPy's IndexError), a nil predicate, Concatenate without views
// or of views whose rows differ in shape (NumPy's ValueError). A
// predicate's own panic is raised again in the caller's goroutine.
//
// # Caveats
//
//   - Complex views have whole-array sums, means, variances and deviations
//     only: no extremes (NumPy orders complex numbers lexicographically),
//     counts, Describe or reductions along an axis.
//   - Datetime64 and Timedelta64 views are accepted by every reduction as
//     their int64 counts (NumPy refuses to sum datetimes; the counts' sum
//     is rarely meaningful); only the extremes and their indices take NaT
//     as NaN: to the others (Sum, Mean, Var, CountNonzero, Describe and
//     their variants) NaT is the smallest count.
//   - NanMin and NanMax of a view of NaNs (or NaTs) only return NaN (NaT)
//     and no error, where NumPy returns it with a RuntimeWarning; so do
//     NanMinAxis and NanMaxAxis where all elements along the axis are.
//   - Min and Max may read the view in storage order, so between 0 and -0
//     (equal to each other) either may be returned; NumPy's choice depends
//     on its SIMD loops too.
//   - Results are identical across worker counts, not across layouts: the
//     same elements in a C and a Fortran file are added in different orders
//     and a float sum may differ in its last bits.
//   - The budget bounds the pages of the view and the partial results, not
//     the result of a reduction along an axis (one value per position of
//     the other axes), the workers' staging buffers (64 KiB each) or the
//     rest of the process. The kernel maps up to 64 KiB of cached pages
//     around each page a worker faults in (fault-around), beyond the
//     chunk. A chunk whose span is larger than the budget (over a
//     transposed view, each chunk of a C-order walk spans most of the
//     file) is still read: the budget is then exceeded by about its span.
//   - A view of a CopyOnWrite File holds every page it reads, whatever the
//     budget; so does any view in other code that uses the same File
//     meanwhile, whose pages a release drops only from this process's
//     mapping for a while.
//   - WithStream evicts whole page-cache folios only: a few pages at the
//     edges of a view can stay cached, as can pages another process maps.
//   - ArgMin, ArgMax, Describe, TopK, BottomK and the weighted histograms
//     and bincount read the view in C order, so over a Fortran file or a
//     transposed view they read strided. Reductions along
//     an axis read the reduced axis first or last, the other axes in their
//     own order: the rows of a 3-D Fortran file reduced along its middle
//     axis are read strided.
//   - A reduction along an axis keeps its results in memory, one per
//     position of the other axes, and, when it reads row by row, one
//     accumulator (up to 104 bytes, 120 for DescribeAxis) per result for
//     each chunk in flight: at least one chunk per worker, more while they
//     fit in a quarter of the memory budget, at most 64 MiB. With more
//     results than a chunk's 65536 elements, a chunk is one row.
//   - Where NumPy's own bin arithmetic for equal bins leaves the bins (it
//     then raises IndexError or ValueError: float16 data with a range
//     beyond float16's precision, bins beyond 65504 for float16), the
//     element is counted in the nearest bin instead. Histograms count bool
//     elements as 0 and 1, where np.histogram refuses them; Bincount
//     accepts uint64 views, which np.bincount refuses to cast.
//   - The results of histograms, bincounts and top-k are not counted in
//     the budget (Bincount's is bounded by it); the weighted histograms and
//     bincount keep a float64 per bin for each chunk in flight. Weighted
//     histograms are float64 whatever the weights' dtype (NumPy's are of
//     the weights' dtype).
//   - The transforms take real dtypes only: complex, string and record
//     views are not transformed, taken or copied here yet (mmarray's CopyTo
//     and SetRange move any dtype).
//   - Concatenate keeps the views' dtype, byte order included, where
//     np.concatenate makes it native ('>f8' views give a '<f8' array on
//     x86-64): the values are the same, the file's bytes are those of the
//     views (Filter and Where keep it too, as a[mask] does). Concatenate refuses views whose dtypes
//     differ at all (a '<f4' and a '>f4' file, S5 and S8 items) where
//     NumPy converts them to a common dtype. A view whose rows have no
//     bytes (shape (N, 0)) cannot be written: the Writer cannot tell how
//     many such rows a file holds.
//   - Filter, Where and Concatenate copy rows from the mapping as it is
//     read, without mmarray's checks for a closed File: the views' Files
//     must stay open until the call returns, as for Contiguous slices. A
//     row whose trailing axes are not contiguous (a column slice a[:, ::2],
//     a transposed or Fortran view) is copied item by item (a copy of the
//     item's bytes, no call through an interface). Each worker holds a
//     chunk's rows (at most 512 KiB, or one row where a row is larger) while it
//     waits for the chunks before it, whatever the budget: a slow chunk
//     holds up the workers after it, not the result. The predicate's
//     column and the mask are read in blocks as Transform's sources are,
//     the mapping itself where native, aligned and contiguous.
//   - Under a budget too small to batch releases (below about 16 MiB), a
//     fault at the start of a chunk can map pages of the chunk before it,
//     already released, back in (the kernel's fault-around, up to 64 KiB
//     per fault); Filter, Where and Concatenate release the whole views
//     once more at the end, so nothing stays mapped after the call, but
//     such pages count in the process's memory until then.
//   - Transform walks the destination in C order and reads every source at
//     the same positions: a transposed or Fortran source or destination is
//     read or written strided, not tiled as Copy tiles (copy such a source
//     first, or transform its transpose into a transposed destination).
//     A destination that overlaps a source without being that source
//     (a[1:] from a[:-1]) is not supported: chunks run in parallel.
//   - A file TransformToFile wrote past the page cache (larger than the
//     budget with its sources) is on the disk, not in memory: reading it
//     right after reads the disk. Its writes are as durable as the mapped
//     path's (the file is flushed), but a power failure during the call
//     can leave any mix of its units written, as it can leave any mix of
//     pages.
//   - Astype's float to uint32 results for NaN and values out of range are
//     those of NumPy's loop over contiguous data (vectorised by the
//     compiler); NumPy's scalar loop, which it runs for strided data and
//     for the last few elements of a contiguous array, gives others there
//     (for NaN 0, not 2³¹), so NumPy disagrees with itself on such values.
//     Datetime64 and Timedelta64 views convert as their int64 counts.
//   - Take reads rows shorter than 64 elements of a view that is not
//     C-contiguous element by element (At2) and longer ones run by run;
//     indices are followed in the order given, so random indices into a
//     file larger than memory read it at random.
//   - A Take's source is read wherever its indices point and is not
//     released by the budget (only its destination is). A tiled Copy whose
//     source and destination exceed the budget releases, tile by tile, the
//     span of each tile's rows in the source, widened by 2 MiB on each side
//     for the pages a fault maps around it (a large folio), and group by
//     group those of the destination; this also drops pages of the tiles
//     beside them that other workers are reading or writing (mapped in
//     again as they do). Its tiles are not held to a window, so what is
//     resident is the workers' tiles (2 MiB of float64 each, in each file),
//     the destination's group being written, plus the kernel's read-ahead.
//   - A tiled Copy writes each tile as one page in each of its 512 output
//     rows. Over the budget, it writes its destination back in groups of
//     tile columns of at most a quarter of the budget each, so in runs of
//     a few pages per row (4 with a 64 MiB budget and 1024 rows of
//     float64), in the order of the source's memory, not the file's.
//     Measured in a 256 MiB memory cgroup (v1) with a 64 MiB budget, the
//     copy of a 2 GiB float64 file's (N/1024, 1024) view transposed read
//     2.05 GB and wrote 2.05 GB, each page once, in about 10 s on a shared
//     2-core machine, half of it waiting on write-back (sync_file_range).
//     The tiles follow the source's memory order along its two tiled axes
//     only: other axes are outermost.
//   - A result along an axis may differ in its last bits from the same
//     elements reduced whole (Mean of a column view) and between layouts:
//     the additions are grouped differently.
//   - A group-by's result is in memory, one Group per key: the budget bounds
//     its hash tables, not the result. Its chunk tables are counted at their
//     most (65536 groups each; from 2 to 16 per worker in flight, as many
//     as a quarter of the walk's half of the budget holds), which leaves a
//     small budget less room to read ahead. Keys and values must be 1-D
//     views.
//   - Group-by sums of integers are float64: beyond 2⁵³ they round, where
//     pandas' integer sums are exact (and wrap).
//   - Two U keys that differ only in code points Go strings cannot hold
//     (lone surrogates) are two groups with the same decoded key. GroupBy
//     does not take Timedelta64 keys, nor GroupByString V or record keys.
//   - Over a chunked store, float results may differ in their last bits
//     from those of the same array as one view, and between grids: the
//     additions are grouped by chunk. The same store gives the same result
//     whatever the number of workers.
//   - Only the functions named Chunks run over chunked stores: counts,
//     ArgMinAxis and ArgMaxAxis, histograms, bincounts, GroupByString and
//     GroupByTime, complex reductions and the transforms other than
//     TransformChunks (one source, no dtype conversion by descr) take
//     views only.
//   - GroupByChunks aggregates a whole chunk into one chunk table, whose
//     sums are added plainly in row order (a view's chunk is 65536 rows):
//     over chunks of millions of rows, a group's float sum rounds as
//     often as it has rows in the chunk. Its table is counted in the
//     budget as a view's chunk table (65536 groups); a chunk with more
//     groups takes more.
//   - The budget counts a chunk's stored bytes as its decoded size: a
//     store whose codec expands the data holds more. It does not bound
//     what a reduction along an axis holds beyond the chunks: its results,
//     and each chunk's accumulators (one per result the chunk holds, in
//     waves held within a quarter of the budget, at most 64 MiB, and at
//     least one chunk per worker). A reduction along an axis allocates a
//     chunk's accumulators and staging buffers anew for each chunk (the
//     view's reduction run on it); whole-array reductions and top-k reuse
//     their buffers. Mapped chunks are unmapped after use but not read
//     ahead or dropped from the page cache (WithStream does nothing here).
package compute
