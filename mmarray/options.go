package mmarray

import (
	"fmt"

	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/pagecache"
)

// Option configures Open, Create or OpenRaw. An option that does not apply to
// the constructor it is given to makes the constructor fail with ErrOption,
// rather than being silently ignored.
type Option func(*options)

type options struct {
	maxHeaderSize int
	fortran       bool
	version       npyheader.Version
	advice        pagecache.Advice
	set           map[string]bool
}

func (o *options) mark(name string) {
	if o.set == nil {
		o.set = map[string]bool{}
	}
	o.set[name] = true
}

// WithMaxHeaderSize raises (or lowers) the largest header Open accepts, like
// NumPy's max_header_size (default npyheader.DefaultMaxHeaderSize, 10000).
// Open only.
func WithMaxHeaderSize(n int) Option {
	return func(o *options) { o.maxHeaderSize = n; o.mark("WithMaxHeaderSize") }
}

// WithFortranOrder lays the array out in Fortran (column-major) order, as
// open_memmap's fortran_order and np.memmap's order='F' do. Create and OpenRaw.
func WithFortranOrder(fortran bool) Option {
	return func(o *options) { o.fortran = fortran; o.mark("WithFortranOrder") }
}

// WithVersion forces the NPY format version Create writes (1.0, 2.0 or 3.0);
// by default Create chooses as NumPy does. Create only.
func WithVersion(major, minor uint8) Option {
	return func(o *options) {
		o.version = npyheader.Version{Major: major, Minor: minor}
		o.mark("WithVersion")
	}
}

// WithAdvice gives the kernel an access-pattern hint for the whole mapping
// right after it is made (pagecache.Sequential, Random, WillNeed, ...). All
// constructors.
func WithAdvice(a pagecache.Advice) Option {
	return func(o *options) { o.advice = a; o.mark("WithAdvice") }
}

func collectOptions(constructor string, allowed []string, opts []Option) (options, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	for name := range o.set {
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			return o, fmt.Errorf("%w: %s does not apply to %s", ErrOption, name, constructor)
		}
	}
	return o, nil
}
