package npz

import "fmt"

// Option configures Open.
type Option func(*readOptions)

type readOptions struct {
	memoryLimit   int64
	tempDir       string
	maxRatio      float64
	maxTotal      int64
	maxHeaderSize int
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
	// lifetime (all Array, ReadBytes and Verify calls together).
	DefaultMaxTotal = 16 << 30
	// ratioFloor: members that declare at most this many bytes skip the
	// ratio test; tiny members compress at odd ratios and cost nothing.
	ratioFloor = 64 << 10
)

// WithMemoryLimit sets the largest deflated member decompressed into
// memory (default DefaultMemoryLimit); larger ones go to a temporary file.
// It also bounds ReadBytes. Zero sends every deflated array to a temp file.
// A negative limit panics.
func WithMemoryLimit(n int64) Option {
	if n < 0 {
		panic(fmt.Sprintf("npz: WithMemoryLimit(%d): the limit must not be negative", n))
	}
	return func(o *readOptions) { o.memoryLimit = n }
}

// WithTempDir sets the folder for temporary files (default os.TempDir()).
func WithTempDir(dir string) Option { return func(o *readOptions) { o.tempDir = dir } }

// WithMaxRatio sets the largest uncompressed/compressed ratio a deflated
// member may declare (default DefaultMaxRatio); +Inf turns the test off. A
// ratio that is not positive (zero, negative or NaN) panics.
func WithMaxRatio(r float64) Option {
	if !(r > 0) {
		panic(fmt.Sprintf("npz: WithMaxRatio(%g): the ratio must be positive", r))
	}
	return func(o *readOptions) { o.maxRatio = r }
}

// WithMaxTotal sets how many bytes the Archive may decompress in all
// (default DefaultMaxTotal); zero allows none. A negative total panics.
func WithMaxTotal(n int64) Option {
	if n < 0 {
		panic(fmt.Sprintf("npz: WithMaxTotal(%d): the total must not be negative", n))
	}
	return func(o *readOptions) { o.maxTotal = n }
}

// WithMaxHeaderSize sets the largest NPY header accepted, like np.load's
// max_header_size (default npyheader.DefaultMaxHeaderSize). A size that is
// not positive panics.
func WithMaxHeaderSize(n int) Option {
	if n <= 0 {
		panic(fmt.Sprintf("npz: WithMaxHeaderSize(%d): the size must be positive", n))
	}
	return func(o *readOptions) { o.maxHeaderSize = n }
}
