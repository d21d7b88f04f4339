// Package pagecache maps byte ranges of files into memory and manages them
// in the page cache: mmap, msync, madvise, mincore and fallocate, with the
// same API on Linux, darwin and Windows.
//
// [Map] maps any byte range of an open file, at any offset: the mapping is
// rounded out to page boundaries (to the 64 KiB allocation granularity on
// Windows) internally, and [Mapping.Bytes] returns exactly the requested
// bytes. Three access modes are offered: [ReadOnly], [ReadWrite] (writes
// reach the file) and [CopyOnWrite] (writes stay private to the process).
// [Mapping.FlushRange] makes writes durable, [Mapping.Advise] passes
// access-pattern hints, [Mapping.Resident] reports page-cache residency and
// [Preallocate] reserves disk blocks before a file is mapped for writing.
//
// Two ranged calls keep a long scan's memory bounded. [Mapping.Release]
// drops a range the caller has finished with from the process (writing a
// ReadWrite range back first), so it stops counting in the process's RSS;
// [Mapping.DropCache] also evicts the file's pages behind a range from the
// page cache, so a one-pass scan does not push out other programs' data. A DirectWriter
// (OpenDirect by name, OpenDirectFile for an open file) writes aligned
// blocks of a file past the page cache (O_DIRECT), for the bulk output of
// a new file.
// Resident cannot show what Release did: mincore reports the file's pages
// in the page cache, mapped by this process or not.
//
// Every error names the operation and the file and wraps one sentinel (test
// with [errors.Is]): one of this package's (ErrBeyondEOF, ErrBadRange, ...),
// one the module shares ([memmap.ErrClosed], [memmap.ErrTooLarge],
// [memmap.ErrUnsupported]) or, for a failing system call, an
// [*io/fs.PathError] naming the call and the file.
//
// # Caveats
//
// Truncation. Shrinking a mapped file from outside (another process, or
// os.File.Truncate) is unsupported: touching a mapped page that now lies
// past the end of the file raises SIGBUS, which the Go runtime turns into a
// fatal, unrecoverable fault. Map refuses ranges past the end of the file at
// mapping time ([ErrBeyondEOF]) but cannot prevent later truncation.
//
// Full disks. Writing through a ReadWrite mapping to a page whose disk
// blocks are not allocated (a hole of a sparse file) can also raise SIGBUS
// when the disk is full. Call [Preallocate] before mapping a file for
// writing. Where the file system has no fallocate, Preallocate allocates
// the holes it can find by a write fault on each of their pages through a
// temporary shared mapping that changes no byte (MADV_POPULATE_WRITE, or an
// atomic add of 0 on kernels before Linux 5.14 and on darwin), so data
// another process writes into a hole meanwhile stays; a file system
// that cannot report holes (lseek SEEK_HOLE) on an operating system
// without fallocate leaves them, and the risk stays. (A file open for
// writing only cannot be mapped: its holes get zeros written, which can
// overwrite such data.)
// When Preallocate fails on a full disk, the blocks it allocated before
// stay allocated until the file is truncated.
//
// File lifetime. A Mapping does not own its *os.File and Close does not
// close it, but FlushRange uses the file's descriptor: keep the file open
// until the Mapping is closed.
//
// Copy-on-write. CopyOnWrite contents are a fixed image of the file only if
// nobody else writes the file while it is mapped: pages not yet copied may
// show later changes made by others (POSIX leaves this unspecified). Copied
// pages are anonymous memory and count toward RSS and swap but not toward
// GOMEMLIMIT. The copy is made in the page fault of the first write to a
// page, where no error can be returned: in a memory cgroup without swap,
// writing more pages than its limit allows gets the process OOM-killed.
//
// Close does not sync. Like os.File.Close, [Mapping.Close] does not wait for
// modified pages of a ReadWrite mapping to reach the disk (the kernel still
// writes them back eventually). Call Flush before Close when durability
// matters.
//
// The guard. The slice returned by Bytes must not be used after Close. On
// Unix, Close does not unmap: it atomically replaces the range with an
// inaccessible (PROT_NONE) anonymous reservation at the same address, so a
// stale slice faults loudly instead of silently reading whatever is mapped
// there later. The reservation costs address space only, and is released
// (munmapped) by a cleanup once the *Mapping becomes unreachable; keep the
// Mapping reachable for as long as stale slices might be used, or the
// address may be reused after all. A Mapping that is never closed is never
// unmapped. On Windows, Close simply unmaps the view.
//
// 32-bit platforms. A mapping must fit in the address space: a range whose
// page-rounded length exceeds math.MaxInt (2 GiB on 386 and arm) gives
// [memmap.ErrTooLarge], and in practice far less address space is free. Map large
// files in windows.
//
// Windows. A file is locked while any part of it is mapped: it cannot be
// truncated, extended past the mapping or deleted until every Mapping is
// closed. Advise and DropCache are no-ops, Release only writes a ReadWrite
// range back, and Resident returns [memmap.ErrUnsupported]. DropCache is a
// no-op on darwin too.
//
// Large folios. The kernel drops only the page-cache folios that lie wholly
// inside the range given to DropCache; a file written or read in large
// pieces may be cached in folios of many pages, so a few pages at the edges
// of a small range can stay cached.
//
// Concurrency. The methods of a Mapping are safe for concurrent use; the
// mapped bytes are not synchronized, and the race detector does not see
// memory outside the Go heap.
package pagecache
