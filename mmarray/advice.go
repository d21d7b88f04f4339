package mmarray

import "github.com/go-memmap/memmap/pagecache"

// Advice is an access-pattern hint for the kernel, given with WithAdvice or
// File.Advise (madvise on the mapping). It is pagecache's type, so that
// callers of this package need not import pagecache.
type Advice = pagecache.Advice

// The advices; pagecache documents each.
const (
	// Normal is the default read-ahead behaviour.
	Normal = pagecache.Normal
	// Sequential expects sequential reads: aggressive read-ahead, early
	// reclaim of pages already read.
	Sequential = pagecache.Sequential
	// Random expects random reads: little or no read-ahead.
	Random = pagecache.Random
	// WillNeed asks the kernel to start reading the array in.
	WillNeed = pagecache.WillNeed
	// DontNeed tells the kernel the array is not needed soon; refused in
	// mode CopyOnWrite.
	DontNeed = pagecache.DontNeed
	// PopulateRead maps the whole array in before returning, so that later
	// reads take no page faults (Linux 5.14+; WillNeed elsewhere).
	PopulateRead = pagecache.PopulateRead
)
