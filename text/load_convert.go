package text

import (
	"encoding/binary"
	"math"
	"unicode/utf8"

	"github.com/go-memmap/memmap/npyheader"
)

// twoTo64 is 2**64, the exclusive upper bound of uint64 as a float.
const twoTo64 = 18446744073709551616.0

// convert parses cell as column c's type into dst, the item's bytes, and
// reports whether cell holds such a value by NumPy's rules.
func convert(c *column, cell, dst []byte) bool {
	switch c.kind {
	case npyheader.Float:
		v, ok := parseFloat(cell)
		if !ok {
			return false
		}
		if c.size == 4 {
			putUint(dst, 4, uint64(math.Float32bits(float32(v))), c.big)
		} else {
			putUint(dst, 8, math.Float64bits(v), c.big)
		}
	case npyheader.Int:
		v, ok := parseInt(cell, c.lo, int64(c.hi))
		if !ok {
			f, ok := intViaFloat(cell, float64(c.lo), float64(c.hi)+1)
			if !ok {
				return false
			}
			v = int64(f)
		}
		putUint(dst, c.size, uint64(v), c.big)
	case npyheader.Uint:
		v, ok := parseUint(cell, c.hi)
		if !ok {
			hi := float64(c.hi) + 1
			if c.size == 8 {
				hi = twoTo64
			}
			f, ok := intViaFloat(cell, 0, hi)
			if !ok {
				return false
			}
			v = uint64(f)
		}
		putUint(dst, c.size, v, c.big)
	case npyheader.Bool:
		v, ok := parseInt(cell, math.MinInt64, math.MaxInt64)
		if !ok {
			return false
		}
		dst[0] = 0
		if v != 0 {
			dst[0] = 1
		}
	case npyheader.Complex:
		re, im, ok := parseComplex(cell)
		if !ok {
			return false
		}
		if c.size == 8 {
			putUint(dst[:4], 4, uint64(math.Float32bits(float32(re))), c.big)
			putUint(dst[4:], 4, uint64(math.Float32bits(float32(im))), c.big)
		} else {
			putUint(dst[:8], 8, math.Float64bits(re), c.big)
			putUint(dst[8:], 8, math.Float64bits(im), c.big)
		}
	case npyheader.Bytes:
		return putLatin1(dst, cell)
	case npyheader.Unicode:
		putUCS4(dst, cell, c.big)
	}
	return true
}

// putUint stores the low size bytes of v at dst in the item's byte order.
func putUint(dst []byte, size int, v uint64, big bool) {
	switch size {
	case 1:
		dst[0] = byte(v)
	case 2:
		if big {
			binary.BigEndian.PutUint16(dst, uint16(v))
		} else {
			binary.LittleEndian.PutUint16(dst, uint16(v))
		}
	case 4:
		if big {
			binary.BigEndian.PutUint32(dst, uint32(v))
		} else {
			binary.LittleEndian.PutUint32(dst, uint32(v))
		}
	default:
		if big {
			binary.BigEndian.PutUint64(dst, v)
		} else {
			binary.LittleEndian.PutUint64(dst, v)
		}
	}
}

// putLatin1 stores the characters of cell as bytes in an S<n> item, as
// NumPy does: cut to n, padded with NULs; a character above U+00FF cannot
// be stored (NumPy refuses it the same way). An ASCII cell is copied as
// it is.
func putLatin1(dst, cell []byte) bool {
	n := 0
	for i := 0; i < len(cell) && n < len(dst); {
		c := cell[i]
		if c < utf8.RuneSelf {
			dst[n] = c
			i++
		} else {
			r, w := utf8.DecodeRune(cell[i:])
			if r > 0xff {
				return false
			}
			dst[n] = byte(r)
			i += w
		}
		n++
	}
	clear(dst[n:])
	return true
}

// putUCS4 stores the characters of cell in a U<n> item, cut to n and padded
// with NULs, as NumPy does.
func putUCS4(dst, cell []byte, big bool) {
	n := 0
	for i := 0; i < len(cell) && n+4 <= len(dst); {
		r, w := rune(cell[i]), 1
		if r >= utf8.RuneSelf {
			r, w = utf8.DecodeRune(cell[i:])
		}
		putUint(dst[n:], 4, uint64(r), big)
		i += w
		n += 4
	}
	clear(dst[n:])
}
