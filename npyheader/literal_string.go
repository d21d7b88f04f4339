package npyheader

import (
	"strings"
	"unicode"
)

// This file holds the parser of Python str and bytes literals and Python's
// repr for str.

func isStringPrefix(s string) bool {
	switch strings.ToLower(s) {
	case "r", "u", "b", "br", "rb":
		return true
	}
	return false
}

// strings parses one string literal, with its prefix if any, and any
// adjacent ones (implicit concatenation).
func (p *litParser) strings() (pyValue, error) {
	start := p.i
	var b strings.Builder
	kind := pyKind(0)
	for {
		pfxStart := p.i
		for p.i < len(p.src) && isIdentRune(rune(p.src[p.i])) {
			p.i++
		}
		pfx := string(p.src[pfxStart:p.i]) // at most 2 ASCII letters: value and the loop below checked
		if pfx != "" && !isStringPrefix(pfx) {
			return pyValue{}, p.errorf("invalid string prefix %q", truncate(pfx, 10))
		}
		lp := strings.ToLower(pfx)
		k := pyStr
		if strings.Contains(lp, "b") {
			k = pyBytes
		}
		if kind != 0 && k != kind {
			return pyValue{}, p.errorf("cannot mix bytes and str literals")
		}
		kind = k
		if err := p.stringBody(&b, strings.Contains(lp, "r"), k == pyBytes); err != nil {
			return pyValue{}, err
		}
		// Implicit concatenation with a following literal.
		save := p.i
		p.skipSpace()
		j := p.i
		for j < len(p.src) && isIdentRune(rune(p.src[j])) && j-p.i < 3 {
			j++
		}
		if j < len(p.src) && (p.src[j] == '\'' || p.src[j] == '"') && (j == p.i || isStringPrefix(string(p.src[p.i:j]))) {
			continue
		}
		p.i = save
		break
	}
	return pyValue{kind: kind, s: b.String(), pos: start}, nil
}

func (p *litParser) stringBody(b *strings.Builder, raw, bytes bool) error {
	q := rune(p.src[p.i])
	triple := p.peek(1) == q && p.peek(2) == q
	if triple {
		p.i += 3
	} else {
		p.i++
	}
	put := func(r rune) error {
		if bytes {
			if r > 0xff {
				return p.errorf("bytes literal value out of range")
			}
			b.WriteByte(byte(r))
			return nil
		}
		b.WriteRune(r)
		return nil
	}
	for {
		if p.i >= len(p.src) {
			return p.errorf("unterminated string literal")
		}
		c, width := p.decode(p.i)
		if c == q {
			if !triple {
				p.i++
				return nil
			}
			if p.peek(1) == q && p.peek(2) == q {
				p.i += 3
				return nil
			}
		}
		if !triple && (c == '\n' || c == '\r') {
			return p.errorf("newline in a single-quoted string literal")
		}
		if bytes && c >= 0x80 {
			return p.errorf("bytes literal contains a non-ASCII character")
		}
		if c != '\\' {
			if err := put(c); err != nil {
				return err
			}
			p.i += width
			continue
		}
		// Backslash.
		if p.i+1 >= len(p.src) {
			return p.errorf("unterminated string literal")
		}
		e, width := p.decode(p.i + 1)
		if raw {
			// The backslash stays, and quotes/newlines after it do not end
			// the literal.
			b.WriteByte('\\')
			if bytes && e >= 0x80 {
				return p.errorf("bytes literal contains a non-ASCII character")
			}
			_ = put(e)
			p.i += 1 + width
			continue
		}
		p.i += 1 + width
		var r rune
		switch e {
		case '\n':
			continue
		case '\r':
			if p.peek(0) == '\n' {
				p.i++
			}
			continue
		case '\\', '\'', '"':
			r = e
		case 'n':
			r = '\n'
		case 'r':
			r = '\r'
		case 't':
			r = '\t'
		case 'a':
			r = 7
		case 'b':
			r = 8
		case 'f':
			r = 12
		case 'v':
			r = 11
		case '0', '1', '2', '3', '4', '5', '6', '7':
			r = e - '0'
			for k := 0; k < 2 && isDigitRune(p.peek(0), 8); k++ {
				r = r*8 + rune(p.src[p.i]-'0')
				p.i++
			}
		case 'x', 'u', 'U':
			n := 2
			if e == 'u' {
				n = 4
			} else if e == 'U' {
				n = 8
			}
			if bytes && e != 'x' {
				b.WriteByte('\\')
				r = e
				break
			}
			var val uint64
			for k := 0; k < n; k++ {
				if !isDigitRune(p.peek(0), 16) {
					return p.errorf("truncated \\%c escape", e)
				}
				val = val*16 + digitVal(rune(p.src[p.i]))
				p.i++
			}
			if val > unicode.MaxRune {
				return p.errorf("illegal Unicode character in \\U escape")
			}
			if val >= 0xd800 && val <= 0xdfff {
				return p.errorf("surrogate code point U+%04X in a string is not supported", val)
			}
			r = rune(val)
		case 'N':
			if !bytes {
				return p.errorf("\\N{...} escapes are not supported")
			}
			b.WriteByte('\\')
			r = e
		default:
			// Unknown escapes keep the backslash (Python warns).
			if bytes && e >= 0x80 {
				return p.errorf("bytes literal contains a non-ASCII character")
			}
			b.WriteByte('\\')
			r = e
		}
		if err := put(r); err != nil {
			return err
		}
	}
}
