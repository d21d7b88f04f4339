package npz

import (
	"math"
	"os"

	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/npyheader"
)

// ReaderOption configures Open and NewReader. For each numeric option, zero
// means its default and a negative value is misuse: the With function
// panics with a *memmap.Misuse.
type ReaderOption func(*readOptions)

type readOptions struct {
	memoryLimit   int64
	tempDir       string
	maxRatio      float64
	maxTotal      int64
	maxHeaderSize int
}

// collectReaderOptions applies opts over the defaults; an option given as
// zero keeps its default.
func collectReaderOptions(opts []ReaderOption) readOptions {
	var o readOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.memoryLimit == 0 {
		o.memoryLimit = DefaultMemoryLimit
	}
	if o.tempDir == "" {
		o.tempDir = os.TempDir()
	}
	if o.maxRatio == 0 {
		o.maxRatio = DefaultMaxRatio
	}
	if o.maxTotal == 0 {
		o.maxTotal = DefaultMaxTotal
	}
	if o.maxHeaderSize == 0 {
		o.maxHeaderSize = npyheader.DefaultMaxHeaderSize
	}
	return o
}

// Defaults of the options.
const (
	// DefaultMemoryLimit: deflated members up to this many bytes are
	// decompressed into memory, larger ones into a temporary file.
	DefaultMemoryLimit = 64 << 20
	// DefaultMaxRatio is the largest uncompressed/compressed size ratio a
	// deflated member may declare. Deflate itself cannot exceed about
	// 1032:1 (one 258-byte match per bit or so): np.savez_compressed of a
	// large all-zero array reaches about 1030:1. A higher ratio can only be
	// a forged size, refused before anything is decompressed.
	DefaultMaxRatio = 1100
	// DefaultMaxTotal caps the bytes one Archive decompresses over its
	// lifetime (all Archive.Open, ReadBytes and Verify calls together).
	DefaultMaxTotal = 16 << 30
	// ratioFloor: members that declare at most this many bytes skip the
	// ratio test; tiny members compress at odd ratios and cost nothing.
	ratioFloor = 64 << 10
)

// WithMemoryLimit sets the largest deflated member decompressed into
// memory (zero: DefaultMemoryLimit); larger ones go to a temporary file. It
// also bounds ReadBytes. A limit of 1 byte sends every deflated array to a
// temporary file (no .npy image is that small). A negative limit panics.
func WithMemoryLimit(n int64) ReaderOption {
	if n < 0 {
		misuse.Panicf("npz: WithMemoryLimit(%d): the limit must not be negative", n)
	}
	return func(o *readOptions) { o.memoryLimit = n }
}

// WithTempDir sets the folder for temporary files (empty: os.TempDir()).
func WithTempDir(dir string) ReaderOption { return func(o *readOptions) { o.tempDir = dir } }

// WithMaxRatio sets the largest uncompressed/compressed ratio a deflated
// member may declare (zero: DefaultMaxRatio); +Inf turns the test off. A
// negative or NaN ratio panics.
func WithMaxRatio(r float64) ReaderOption {
	if r < 0 || math.IsNaN(r) {
		misuse.Panicf("npz: WithMaxRatio(%g): the ratio must not be negative or NaN", r)
	}
	return func(o *readOptions) { o.maxRatio = r }
}

// WithMaxTotal sets how many bytes the Archive may decompress in all (zero:
// DefaultMaxTotal). A negative total panics.
func WithMaxTotal(n int64) ReaderOption {
	if n < 0 {
		misuse.Panicf("npz: WithMaxTotal(%d): the total must not be negative", n)
	}
	return func(o *readOptions) { o.maxTotal = n }
}

// WithMaxHeaderSize sets the largest NPY header accepted, like np.load's
// max_header_size (zero: npyheader.DefaultMaxHeaderSize). Whatever the
// limit, a header is never read past the end of its member. A negative
// size panics.
func WithMaxHeaderSize(n int) ReaderOption {
	if n < 0 {
		misuse.Panicf("npz: WithMaxHeaderSize(%d): the size must not be negative", n)
	}
	return func(o *readOptions) { o.maxHeaderSize = n }
}

// WriterOption configures NewWriter and Create.
type WriterOption func(*writerOptions)

type writerOptions struct {
	compressed bool
}

// Compressed makes every member deflated, as np.savez_compressed does,
// instead of stored, as np.savez does. Compressed members cannot be mapped;
// their data is not aligned.
func Compressed() WriterOption {
	return func(o *writerOptions) { o.compressed = true }
}
