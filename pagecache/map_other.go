//go:build !linux && !darwin && !windows

package pagecache

import (
	"os"

	"github.com/go-memmap/memmap"
)

// On other operating systems the package compiles, but Map (for a non-zero
// length) returns memmap.ErrUnsupported.

var granularity = pageSize

const residentSupported = false

type region struct{}

func mapRegion(f *os.File, aligned int64, viewLen int, access Access) (*region, []byte, error) {
	return nil, nil, memmap.ErrUnsupported
}

func (r *region) len() int                                  { return 0 }
func (r *region) flush(f *os.File, start, end int) error    { return memmap.ErrUnsupported }
func (r *region) advise(start, end int, a Advice) error     { return nil }
func (r *region) resident(start, end int) (int, int, error) { return 0, 0, memmap.ErrUnsupported }
func (r *region) release(f *os.File, fileOff int64, start, end int, dirty bool) error {
	return memmap.ErrUnsupported
}
func (r *region) dropCache(f *os.File, fileOff int64, start, end int, dirty bool) error {
	return memmap.ErrUnsupported
}
func (r *region) close(owner *Mapping) error   { return nil }
func preallocate(f *os.File, size int64) error { return zeroFill(f, size) }

func dropFileCache(f *os.File) error { return memmap.ErrUnsupported }
