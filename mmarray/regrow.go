package mmarray

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/go-memmap/memmap/npyheader"
)

// The shape of a growing .npy file is rewritten inside its existing header:
// the data must not move. NumPy (1.24+) and this package pad the header
// for 21 digits on the growth axis, so the new header encodes to the same
// length; a header written by an older writer may still have room in its
// alignment padding. These helpers decide, and build the new header.

// maxRowDigits is the number of digits of the largest row count an int64
// can hold: a header with room for it never has to move the data.
const maxRowDigits = 19

// growthAxis is the axis a file of this layout grows along: the first for C
// order, the last for Fortran order, as NumPy's header slack intends.
func growthAxis(h npyheader.Header) int {
	if h.FortranOrder {
		return len(h.Shape) - 1
	}
	return 0
}

// encodeInPlace returns the NPY prefix for h, exactly dataOffset bytes long
// (h.Version must be the version of the file's header): NumPy's encoding
// when it has that length, else the same dict padded with spaces to it.
// The error wraps ErrNoRoom when the dict does not fit.
func encodeInPlace(h npyheader.Header, dataOffset int64) ([]byte, error) {
	enc, err := h.Encode()
	if err != nil {
		return nil, err
	}
	if int64(len(enc)) == dataOffset {
		return enc, nil
	}
	dict := bytes.TrimRight(enc, " \n")
	if int64(len(dict))+1 > dataOffset {
		return nil, fmt.Errorf("%w: the shape %v needs a %d-byte header, and the data starts at byte %d", ErrNoRoom, h.Shape, len(dict)+1, dataOffset)
	}
	out := make([]byte, dataOffset)
	copy(out, dict)
	for i := len(dict); i < len(out)-1; i++ {
		out[i] = ' '
	}
	out[len(out)-1] = '\n'
	lenField := out[npyheader.MagicLen:]
	if h.Version == npyheader.Version1 {
		binary.LittleEndian.PutUint16(lenField, uint16(dataOffset-npyheader.MagicLen-2))
	} else {
		binary.LittleEndian.PutUint32(lenField, uint32(dataOffset-npyheader.MagicLen-4))
	}
	return out, nil
}

// checkRoom returns an error wrapping ErrNoRoom unless h's header, whose
// data starts at dataOffset, can hold any row count an int64 can: the
// growth axis written with maxRowDigits digits.
func checkRoom(h npyheader.Header, dataOffset int64) error {
	enc, err := h.Encode()
	if err != nil {
		return err
	}
	dict := bytes.TrimRight(enc, " \n")
	digits := len(strconv.Itoa(h.Shape[growthAxis(h)]))
	if need := int64(len(dict)) + int64(maxRowDigits-digits) + 1; need > dataOffset {
		return fmt.Errorf("%w: its header (data at byte %d) has no room for a %d-digit row count; MakeAppendable rewrites the file with room", ErrNoRoom, dataOffset, maxRowDigits)
	}
	return nil
}
