package mmarray

import (
	"fmt"

	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/pagecache"
)

// Option configures Open, Create, OpenRaw or OpenBytes. An option that does
// not apply to the constructor it is given to makes the constructor fail with
// ErrOption, rather than being silently ignored.
type Option func(*options)

// optionSet records which options were given, one bit each.
type optionSet uint8

const (
	optMaxHeaderSize optionSet = 1 << iota
	optFortranOrder
	optVersion
	optAdvice
	optSection
	optOwnedImage
)

var optionNames = []struct {
	bit  optionSet
	name string
}{
	{optMaxHeaderSize, "WithMaxHeaderSize"},
	{optFortranOrder, "WithFortranOrder"},
	{optVersion, "WithVersion"},
	{optAdvice, "WithAdvice"},
	{optSection, "WithSection"},
	{optOwnedImage, "WithOwnedImage"},
}

type options struct {
	maxHeaderSize int
	fortran       bool
	version       npyheader.Version
	advice        pagecache.Advice
	section       section // WithSection, in section.go
	set           optionSet
}

// WithMaxHeaderSize raises (or lowers) the largest header Open accepts, like
// NumPy's max_header_size (default npyheader.DefaultMaxHeaderSize, 10000).
// Open only.
func WithMaxHeaderSize(n int) Option {
	return func(o *options) { o.maxHeaderSize = n; o.set |= optMaxHeaderSize }
}

// WithFortranOrder lays the array out in Fortran (column-major) order, as
// open_memmap's fortran_order and np.memmap's order='F' do. Create and OpenRaw.
func WithFortranOrder(fortran bool) Option {
	return func(o *options) { o.fortran = fortran; o.set |= optFortranOrder }
}

// WithVersion forces the NPY format version Create writes (1.0, 2.0 or 3.0);
// by default Create chooses as NumPy does. Create only.
func WithVersion(major, minor uint8) Option {
	return func(o *options) {
		o.version = npyheader.Version{Major: major, Minor: minor}
		o.set |= optVersion
	}
}

// WithAdvice gives the kernel an access-pattern hint for the whole mapping
// right after it is made (pagecache.Sequential, Random, WillNeed, ...). All
// constructors.
func WithAdvice(a pagecache.Advice) Option {
	return func(o *options) { o.advice = a; o.set |= optAdvice }
}

// collectOptions applies opts and refuses those not in allowed.
func collectOptions(constructor string, allowed optionSet, opts []Option) (options, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	for _, n := range optionNames {
		if o.set&n.bit != 0 && allowed&n.bit == 0 {
			return o, fmt.Errorf("%w: %s does not apply to %s", ErrOption, n.name, constructor)
		}
	}
	return o, nil
}
