package mmarray

import (
	"bytes"
	"fmt"
	"slices"
	"unicode/utf8"
)

// This file turns the items of S<n>, U<n>, V<n> and structured dtypes into
// string and []byte values and back, with NumPy's rules. The functions
// are not generic: the element access paths call them for string and
// []byte views alike, through unsafe.go's loadInto and storeFrom.

// decodeString reads one S<n> or U<n> item as a string. Trailing NUL
// characters are stripped, as NumPy does when it reads an element;
// embedded NULs stay.
func decodeString(item []byte, c codec, swap bool) string {
	if c == codecUCS4 {
		return decodeUCS4(item, swap)
	}
	return string(trimNULs(item))
}

// decodeBytes reads one item as a new []byte: an S<n> item without its
// trailing NULs, any other item (V<n>, a record, a longdouble) whole.
func decodeBytes(item []byte, c codec) []byte {
	if c == codecRaw {
		return bytes.Clone(item)
	}
	return bytes.Clone(trimNULs(item))
}

func trimNULs(b []byte) []byte { return bytes.TrimRight(b, "\x00") }

// decodeUCS4 decodes UCS-4 code points to UTF-8. Code points Go cannot hold
// in a valid string (lone surrogates, values past U+10FFFF) become U+FFFD.
func decodeUCS4(item []byte, swap bool) string {
	return string(appendUCS4(nil, item, swap))
}

// appendUCS4 appends the UTF-8 of a U<n> item, without its trailing NULs,
// to dst.
func appendUCS4(dst, item []byte, swap bool) []byte {
	n := len(item) / 4
	for n > 0 && load32(item[4*n-4:], swap) == 0 {
		n--
	}
	dst = slices.Grow(dst, n) // one growth for the common ASCII case
	for i := range n {
		dst = utf8.AppendRune(dst, rune(load32(item[4*i:], swap)))
	}
	return dst
}

// stringMisfit says why s cannot be stored in an S or U item of size
// bytes exactly, or returns "" when it can: nothing is ever truncated. The
// text is the detail alone; Fits wraps it in ErrValue, Set in a panic.
func stringMisfit(s string, c codec, size int) string {
	if c == codecUCS4 {
		if !utf8.ValidString(s) {
			return fmt.Sprintf("%q is not valid UTF-8", s)
		}
		if n := utf8.RuneCountInString(s); n > size/4 {
			return fmt.Sprintf("%d characters do not fit in U%d", n, size/4)
		}
		return ""
	}
	if len(s) > size {
		return fmt.Sprintf("%d bytes do not fit in S%d", len(s), size)
	}
	return ""
}

// bytesMisfit is stringMisfit for a []byte value: a V<n> or record item
// takes exactly its size, an S item at most its size.
func bytesMisfit(b []byte, c codec, size int) string {
	if c == codecRaw && len(b) != size {
		return fmt.Sprintf("%d bytes given for an item of %d bytes", len(b), size)
	}
	if len(b) > size {
		return fmt.Sprintf("%d bytes do not fit in S%d", len(b), size)
	}
	return ""
}

// encodeString stores s into item, padding with NULs, and returns "";
// when s does not fit, it stores nothing and returns why (stringMisfit).
func encodeString(item []byte, s string, c codec, swap bool) (misfit string) {
	if misfit := stringMisfit(s, c, len(item)); misfit != "" {
		return misfit
	}
	if c == codecUCS4 {
		i := 0
		for _, r := range s {
			store32(item[i:], uint32(r), swap)
			i += 4
		}
		clear(item[i:])
		return ""
	}
	clear(item[copy(item, s):])
	return ""
}

// encodeBytes stores b into item, padding with NULs, as encodeString does.
func encodeBytes(item, b []byte, c codec) (misfit string) {
	if misfit := bytesMisfit(b, c, len(item)); misfit != "" {
		return misfit
	}
	clear(item[copy(item, b):])
	return ""
}
