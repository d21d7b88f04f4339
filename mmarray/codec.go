package mmarray

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// This file turns the items of S<n>, U<n>, V<n> and structured dtypes into
// string and []byte values and back, with NumPy's rules.

// decodeItem reads one item. For S and U, trailing NUL characters are
// stripped, as NumPy does when it reads an element; embedded NULs stay.
func decodeItem[T Element](item []byte, c codec, swap bool) T {
	var v T
	switch p := any(&v).(type) {
	case *string:
		if c == codecUCS4 {
			*p = decodeUCS4(item, swap)
		} else {
			*p = string(trimNULs(item))
		}
	case *[]byte:
		if c == codecRaw {
			*p = bytes.Clone(item)
		} else {
			*p = bytes.Clone(trimNULs(item))
		}
	}
	return v
}

func trimNULs(b []byte) []byte { return bytes.TrimRight(b, "\x00") }

// decodeUCS4 decodes UCS-4 code points to UTF-8. Code points Go cannot hold
// in a valid string (lone surrogates, values past U+10FFFF) become U+FFFD.
func decodeUCS4(item []byte, swap bool) string {
	n := len(item) / 4
	for n > 0 && load32(item[4*n-4:], swap) == 0 {
		n--
	}
	out := make([]byte, 0, n)
	for i := range n {
		out = utf8.AppendRune(out, rune(load32(item[4*i:], swap)))
	}
	return string(out)
}

// checkItem returns an error wrapping ErrValue when v cannot be stored in
// an item of size bytes exactly: nothing is ever truncated.
func checkItem[T Element](v T, c codec, size int) error {
	switch x := any(v).(type) {
	case string:
		if c == codecUCS4 {
			if !utf8.ValidString(x) {
				return fmt.Errorf("%w: %q is not valid UTF-8", ErrValue, x)
			}
			if n := utf8.RuneCountInString(x); n > size/4 {
				return fmt.Errorf("%w: %d characters do not fit in U%d", ErrValue, n, size/4)
			}
			return nil
		}
		if len(x) > size {
			return fmt.Errorf("%w: %d bytes do not fit in S%d", ErrValue, len(x), size)
		}
	case []byte:
		if c == codecRaw && len(x) != size {
			return fmt.Errorf("%w: %d bytes given for an item of %d bytes", ErrValue, len(x), size)
		}
		if len(x) > size {
			return fmt.Errorf("%w: %d bytes do not fit in S%d", ErrValue, len(x), size)
		}
	}
	return nil
}

// encodeItem stores v into item, the item's bytes, padding with NULs.
func encodeItem[T Element](item []byte, v T, c codec, swap bool) error {
	if err := checkItem(v, c, len(item)); err != nil {
		return err
	}
	switch x := any(v).(type) {
	case string:
		if c == codecUCS4 {
			i := 0
			for _, r := range x {
				store32(item[i:], uint32(r), swap)
				i += 4
			}
			clear(item[i:])
			return nil
		}
		clear(item[copy(item, x):])
	case []byte:
		clear(item[copy(item, x):])
	}
	return nil
}
