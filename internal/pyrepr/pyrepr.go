// Package pyrepr writes Python 3's repr() of str and bytes values, for the
// module's messages and printing: npyheader names fields and type strings in
// its errors and descr strings as Python writes them, and nprepr prints S
// and U items as NumPy does. It imports nothing of the module, so both can
// use it.
//
// # Caveats
//
//   - Which non-ASCII characters are printable (kept as they are rather than
//     escaped) follows Go's unicode tables, which may differ from a Python's
//     Unicode version for rare characters.
package pyrepr

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Str returns Python's repr of the str s.
func Str(s string) string { return string(AppendStr(make([]byte, 0, len(s)+2), s)) }

// AppendStr appends Python's repr of a str value: '...' with printable
// characters as they are and \t, \n, \r, \\, \xNN, \uNNNN, \UNNNNNNNN escapes
// for the others, in double quotes when the value holds a single quote and
// no double quote. Bytes of s that are not UTF-8 print as U+FFFD, as Go
// decodes them.
func AppendStr(dst []byte, s string) []byte {
	quote := pickQuote(s)
	dst = append(dst, quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == '\t':
			dst = append(dst, `\t`...)
		case r == '\n':
			dst = append(dst, `\n`...)
		case r == '\r':
			dst = append(dst, `\r`...)
		case r < 0x20 || r == 0x7f:
			dst = appendByteEscape(dst, byte(r))
		case r < 0x7f || unicode.IsPrint(r):
			dst = utf8.AppendRune(dst, r)
		case r < 0x100:
			dst = appendByteEscape(dst, byte(r))
		case r < 0x10000:
			dst = append(dst, '\\', 'u')
			dst = appendHex(dst, uint32(r), 4)
		default:
			dst = append(dst, '\\', 'U')
			dst = appendHex(dst, uint32(r), 8)
		}
	}
	return append(dst, quote)
}

// AppendBytes appends Python's repr of a bytes value: b'...' with \t, \n,
// \r, \\ and \xNN escapes, quoted as AppendStr quotes.
func AppendBytes(dst []byte, b []byte) []byte {
	quote := pickQuote(string(b))
	dst = append(dst, 'b', quote)
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\t':
			dst = append(dst, `\t`...)
		case c == '\n':
			dst = append(dst, `\n`...)
		case c == '\r':
			dst = append(dst, `\r`...)
		case c < 0x20 || c >= 0x7f:
			dst = appendByteEscape(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, quote)
}

const hexDigits = "0123456789abcdef"

func appendByteEscape(dst []byte, c byte) []byte {
	return append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
}

func appendHex(dst []byte, v uint32, width int) []byte {
	for shift := 4 * (width - 1); shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[(v>>shift)&15])
	}
	return dst
}

// pickQuote is Python's choice: single quotes unless the text holds a
// single quote and no double quote.
func pickQuote(s string) byte {
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		return '"'
	}
	return '\''
}
