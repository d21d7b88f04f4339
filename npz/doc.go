// Package npz reads and writes NumPy .npz archives (zip files of .npy
// members) and memory-maps their stored members in place.
//
// # Reading
//
// Open (an archive file) or NewReader (any io.ReaderAt: bytes in memory, a
// section of a larger file) reads an archive's central directory and the
// NPY header of every array member, but no array data. Members lists the members in archive
// order with np.load's keys ("x" for "x.npy"); Archive.Open opens one as an
// *mmarray.File, by key or by name, in the archive's mode:
//
//	a, err := npz.Open("data.npz", mmarray.ReadOnly)
//	if err != nil { ... }
//	defer a.Close()
//	f, err := a.Open("weights") // or "weights.npy"
//	if err != nil { ... }
//	defer f.Close()
//	w, err := mmarray.View[float32](f)
//
// NumPy itself cannot map npz members: np.load silently ignores mmap_mode for
// .npz files (numpy issue #5976) and reads every array into memory. This
// package maps them where the format allows (from Open, or NewReader over an
// *os.File; NewReader over anything else reads every member into memory or
// a temporary file, as it does deflated ones):
//
//   - Stored members (np.savez) are mapped straight from the archive
//     (Storage InPlace): no copy and no read at Open. In mode r+ writes go
//     into the archive's bytes; a member never changes size. Sync (called by
//     Close) then rewrites the member's CRC-32, without which np.load
//     rejects the changed archive.
//   - Deflated members (np.savez_compressed) cannot be mapped: Archive.Open
//     decompresses them, checking size and CRC-32, into memory (InMemory,
//     up to WithMemoryLimit, default 64 MiB) or into a temporary file that
//     is mapped (TempFile; WithTempDir). Mode c gives a private writable
//     copy; r+ is refused with ErrCompressedWrite, since writes could never
//     reach the archive. Member.Storage says beforehand which one happens.
//
// ReadBytes returns any member's bytes (np.load returns non-array members as
// bytes), bounded by the memory limit; Verify checks a member's CRC-32.
//
// # Lifetime
//
// A File returned by Archive.Open is independent of its Archive: it stays valid
// after Archive.Close, until it is closed itself. Close Files opened in r+
// (or Flush them) before closing the Archive, so that Sync sees the final
// bytes.
//
// # Untrusted archives
//
// Member names are only names: "../x", "/abs" or "a\b" are looked up as
// given and never become paths; no file is ever made from a name. A broken
// or contradictory archive fails at Open with ErrFormat: a broken central
// directory, a local header whose name or method differs from the central
// directory's, member data running past the archive or overlapping another
// member (the non-recursive zip bomb). A member that is damaged inside fails
// when it is read: a bad NPY header (as with np.load), a CRC mismatch
// (ErrChecksum), a size other than declared (ErrSizeMismatch). Against zip
// bombs, a deflated member may not declare more than WithMaxRatio times its
// compressed size (default 1100: deflate cannot exceed about 1032:1, so only
// a forged size is refused), nor may an Archive decompress more than
// WithMaxTotal bytes in all (default 16 GiB); decompression never writes
// more than the declared size, in memory or on disk.
//
// # Caveats
//
//   - In r and c, stored members' CRC-32 is not verified when they are
//     mapped (that would read all the data); call Verify when it matters.
//     np.load verifies it as it reads.
//   - In r+, a stored member is read through twice: by its first Archive.Open,
//     which checks its CRC-32 before mapping it (a member already damaged
//     fails with ErrChecksum, rather than have Sync make the damage look
//     valid), and by every Sync (and Close), which recomputes the CRC of
//     every member ever opened r+ (a mapping does not say which bytes
//     changed) and writes it only when it changed. Listing and verifying
//     go on while Sync reads; another Archive.Open in r+ waits for it.
//   - Stored array data inside an archive written by np.savez is not
//     aligned (it starts at 30 + name + 20 + header bytes), so views read it
//     element by element, without the zero-copy slice of Contiguous. Archives
//     from this package's Writer align stored data to MemberAlign.
//   - r+ writes that are not followed by Sync or Close leave a stale CRC-32,
//     and np.load then rejects the member.
//   - A stored member is mapped from the file the Archive read, not by
//     opening its path again, so a file put in its place is never seen;
//     Archive.Open refuses an archive whose size changed since Open, but
//     truncating the archive while a member is mapped is not supported
//     (SIGBUS on a truncated mapping).
//   - Open refuses what is not a regular file (a named pipe, a directory,
//     a device) with memmap.ErrUnsupported, found without reading.
//   - Temporary files have no name from the start on Linux (O_TMPFILE) and
//     are unlinked right after they are created on other Unix systems, so
//     a process killed while decompressing leaves none behind (on other
//     Unix systems, one killed between the two calls would). On Windows an
//     open file cannot be removed; Archive.Close removes those whose File
//     is closed by then, and the others stay behind.
//   - Some archives np.load accepts are refused: a local header that
//     disagrees with the central directory on the method (zipfile trusts the
//     directory), and deflated members declaring a size above the ratio
//     limit (np.load reads only as many bytes as the NPY header needs).
//   - Only stored and deflated members can be read (the methods NumPy
//     writes); others, and encrypted members, fail with memmap.ErrUnsupported.
//   - Of members sharing a name, the last wins, as in Python's zipfile.
package npz
