// Package npyimage makes the checks every .npy image gets before any of it
// is mapped or read, wherever it lies: a file, a section of one, memory. It
// is shared by mmarray and npz (which checks archive members before
// extracting them), so that both refuse the same images the same way.
package npyimage

import (
	"errors"
	"fmt"

	"github.com/go-memmap/memmap/npyheader"
)

// ErrFileSize is mmarray.ErrFileSize: the image is too short for the array
// its header declares. It is defined here so that npz's checks wrap the very
// value mmarray documents and exports; its text names mmarray accordingly.
var ErrFileSize = errors.New("mmarray: file size does not fit the array")

// Check makes the checks every .npy image gets: no object dtype
// (npyheader.ErrObjectDType), a data size that can be represented (the
// header's DataSize error), and data, at h.DataOffset from the image's
// start, lying wholly inside the imageLen bytes of the image (ErrFileSize).
// It returns the data size in bytes.
func Check(h npyheader.Header, imageLen int64) (int64, error) {
	if err := h.DType.CheckMappable(); err != nil {
		return 0, err
	}
	nbytes, err := h.DataSize()
	if err != nil {
		return 0, err
	}
	if h.DataOffset > imageLen || nbytes > imageLen-h.DataOffset {
		return 0, fmt.Errorf("%w: the header declares %d data bytes at offset %d, but the image is %d bytes long", ErrFileSize, nbytes, h.DataOffset, imageLen)
	}
	return nbytes, nil
}
