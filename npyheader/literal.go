package npyheader

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// This file holds a small recursive-descent parser for the subset of Python
// literal syntax that ast.literal_eval accepts and that can appear in an NPY
// header. Number literals are in literal_number.go, string literals and
// Python's repr for str in literal_string.go.

// maxLiteralDepth bounds the nesting of brackets and unary operators.
const maxLiteralDepth = 64

// sourceText is what the parser reads: bytes that are latin1, one
// character each (NPY 1.0 and 2.0 headers), or UTF-8 (3.0 headers and
// descriptor strings; an invalid byte reads as U+FFFD, as Go's []rune
// conversion reads it). The parser works on byte offsets, so that the text
// is never copied; the character indices that error messages give, counted
// as Python counts them, are computed only for an error. Every character
// the grammar gives a meaning to is ASCII, one byte in both encodings, and
// no byte of a multi-byte UTF-8 character is ASCII: so the parser compares
// bytes, and decodes a character only where it is not ASCII.
type sourceText struct {
	src    []byte
	latin1 bool
}

func latin1Text(b []byte) sourceText { return sourceText{src: b, latin1: true} }
func utf8Text(b []byte) sourceText   { return sourceText{src: b} }

// charIndex returns the index of the character that starts at byte off.
func (t sourceText) charIndex(off int) int {
	if t.latin1 {
		return off
	}
	// utf8.RuneCount would do, but it copies the text after the first
	// non-ASCII character into a string.
	n := 0
	for i := 0; i < off; n++ {
		if t.src[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, w := utf8.DecodeRune(t.src[i:off])
		i += w
	}
	return n
}

// decode returns the character at byte off and its length in bytes.
func (t sourceText) decode(off int) (rune, int) {
	if c := t.src[off]; c < utf8.RuneSelf || t.latin1 {
		return rune(c), 1
	}
	return utf8.DecodeRune(t.src[off:])
}

type litParser struct {
	sourceText
	i         int // byte offset of the next character
	depth     int
	allowLong bool // accept Python 2 long suffixes (2L) as in NPY 1.0/2.0
}

// parseLiteral parses src as a single Python literal expression followed only
// by whitespace and comments. The pos of the values is a byte offset in src.
func parseLiteral(src sourceText, allowLong bool) (pyValue, error) {
	if i := bytes.IndexByte(src.src, 0); i >= 0 {
		return pyValue{}, wrapf(ErrSyntax, "NUL character at header character %d", src.charIndex(i))
	}
	p := &litParser{sourceText: src, allowLong: allowLong}
	v, err := p.value()
	if err != nil {
		return pyValue{}, err
	}
	p.skipSpace()
	if p.i < len(p.src) {
		return pyValue{}, p.errorf("unexpected %s after the literal", p.describe())
	}
	return v, nil
}

func (p *litParser) errorf(format string, args ...any) error {
	return wrapf(ErrSyntax, "at header character %d: %s", p.charIndex(p.i), fmt.Sprintf(format, args...))
}

func (p *litParser) describe() string {
	if p.i >= len(p.src) {
		return "end of header"
	}
	c, _ := p.decode(p.i)
	return fmt.Sprintf("character %q", c)
}

// peek returns the character off characters after the next one, or -1
// past the end.
func (p *litParser) peek(off int) rune {
	i := p.i
	for ; off > 0 && i < len(p.src); off-- {
		_, w := p.decode(i)
		i += w
	}
	if i >= len(p.src) {
		return -1
	}
	c, _ := p.decode(i)
	return c
}

// skipSpace skips whitespace, comments and backslash line continuations.
func (p *litParser) skipSpace() {
	for p.i < len(p.src) {
		switch c := p.src[p.i]; c {
		case ' ', '\t', '\n', '\r', '\f':
			p.i++
		case '#':
			for p.i < len(p.src) && p.src[p.i] != '\n' && p.src[p.i] != '\r' {
				p.i++
			}
		case '\\':
			if p.peek(1) == '\n' {
				p.i += 2
			} else if p.peek(1) == '\r' {
				p.i += 2
				if p.peek(0) == '\n' {
					p.i++
				}
			} else {
				return
			}
		default:
			return
		}
	}
}

func (p *litParser) value() (pyValue, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxLiteralDepth {
		return pyValue{}, p.errorf("nesting deeper than %d levels", maxLiteralDepth)
	}
	p.skipSpace()
	if p.i >= len(p.src) {
		return pyValue{}, p.errorf("unexpected end of header, expected a value")
	}
	start := p.i
	c := rune(p.src[p.i]) // the cases are ASCII; describe decodes others
	switch {
	case c == '+' || c == '-':
		p.i++
		v, err := p.value()
		if err != nil {
			return pyValue{}, err
		}
		if (v.kind != pyInt && v.kind != pyFloat) || v.signed {
			p.i = start
			return pyValue{}, p.errorf("unary %q applied to %s; only a number literal may follow it", c, v.kind)
		}
		if c == '-' && v.kind == pyInt && (v.mag != 0 || v.overflow) {
			v.neg = true // -0 is 0: keep one representation of zero
		}
		v.signed = true
		v.pos = start
		return v, nil
	case c == '(':
		return p.sequence(pyTuple, ')')
	case c == '[':
		return p.sequence(pyList, ']')
	case c == '{':
		return p.dictOrSet()
	case c == '\'' || c == '"':
		return p.strings()
	case c >= '0' && c <= '9', c == '.' && isDigitRune(p.peek(1), 10):
		return p.number()
	case c == '_' || (c < utf8.RuneSelf && unicode.IsLetter(c)):
		for p.i < len(p.src) && isIdentRune(rune(p.src[p.i])) {
			p.i++
		}
		name := p.src[start:p.i] // ASCII
		if q := p.peek(0); q == '\'' || q == '"' {
			if len(name) <= 2 && isStringPrefix(string(name)) {
				p.i = start
				return p.strings()
			}
		}
		switch string(name) {
		case "True":
			return pyValue{kind: pyBool, b: true, pos: start}, nil
		case "False":
			return pyValue{kind: pyBool, b: false, pos: start}, nil
		case "None":
			return pyValue{kind: pyNone, pos: start}, nil
		}
		p.i = start
		return pyValue{}, p.errorf("name %q is not a literal", truncate(string(name[:min(len(name), 41)]), 40))
	}
	return pyValue{}, p.errorf("unexpected %s, expected a value", p.describe())
}

// truncate shortens s to at most n runes for an error message.
func truncate(s string, n int) string {
	runes := 0
	for i := range s {
		if runes == n {
			// Invalid UTF-8 reads as U+FFFD, as the rest of the parser reads it.
			return string([]rune(s[:i])) + "..."
		}
		runes++
	}
	return s
}

func isIdentRune(r rune) bool {
	return r == '_' || (r >= '0' && r <= '9') || (r < utf8.RuneSelf && unicode.IsLetter(r))
}

// sequence parses a tuple (or parenthesised expression) or a list.
func (p *litParser) sequence(kind pyKind, closer rune) (pyValue, error) {
	start := p.i
	p.i++ // opener
	v := pyValue{kind: kind, pos: start}
	sawComma := false
	for {
		p.skipSpace()
		if p.peek(0) == closer {
			p.i++
			break
		}
		it, err := p.value()
		if err != nil {
			return pyValue{}, err
		}
		v.items = append(v.items, it)
		p.skipSpace()
		sawComma = false
		if p.peek(0) == ',' {
			p.i++
			sawComma = true
		} else if p.peek(0) != closer {
			return pyValue{}, p.errorf("expected ',' or %q, found %s", closer, p.describe())
		}
	}
	if kind == pyTuple && len(v.items) == 1 && !sawComma {
		// A parenthesised expression, not a tuple.
		inner := v.items[0]
		return inner, nil
	}
	if kind == pyTuple && len(v.items) == 0 && sawComma {
		return pyValue{}, p.errorf("'(,)' is not a valid tuple")
	}
	return v, nil
}

func (p *litParser) dictOrSet() (pyValue, error) {
	start := p.i
	p.i++ // '{'
	p.skipSpace()
	if p.peek(0) == '}' {
		p.i++
		return pyValue{kind: pyDict, pos: start, items: []pyValue{}, vals: []pyValue{}}, nil
	}
	first, err := p.value()
	if err != nil {
		return pyValue{}, err
	}
	p.skipSpace()
	if p.peek(0) != ':' {
		// A set literal.
		p.i = start
		v, err := p.sequence(pyList, '}')
		if err != nil {
			return pyValue{}, err
		}
		v.kind = pySet
		for _, it := range v.items {
			if _, ok := it.hashKey(); !ok {
				p.i = it.pos
				return pyValue{}, p.errorf("unhashable %s in a set", it.kind)
			}
		}
		return v, nil
	}
	// Header dicts have three keys: a linear search beats a map, and string
	// keys, the usual case, compare without building a hash key.
	v := pyValue{kind: pyDict, pos: start, items: make([]pyValue, 0, 4), vals: make([]pyValue, 0, 4)}
	var hashes []string // hash keys of the non-str keys, parallel to items; "" for str keys
	key := first
	for {
		p.i++ // ':'
		val, err := p.value()
		if err != nil {
			return pyValue{}, err
		}
		h := ""
		if key.kind != pyStr {
			var ok bool
			if h, ok = key.hashKey(); !ok {
				p.i = key.pos
				return pyValue{}, p.errorf("unhashable %s used as a dict key", key.kind)
			}
		}
		dup := -1
		for j, k := range v.items {
			if (h == "" && k.kind == pyStr && k.s == key.s) || (h != "" && hashes[j] == h) {
				dup = j
				break
			}
		}
		if dup >= 0 {
			v.vals[dup] = val // Python: the later value wins, the first key stays
		} else {
			v.items = append(v.items, key)
			v.vals = append(v.vals, val)
			hashes = append(hashes, h)
		}
		p.skipSpace()
		if p.peek(0) == '}' {
			p.i++
			return v, nil
		}
		if p.peek(0) != ',' {
			return pyValue{}, p.errorf("expected ',' or '}' in dict, found %s", p.describe())
		}
		p.i++
		p.skipSpace()
		if p.peek(0) == '}' {
			p.i++
			return v, nil
		}
		key, err = p.value()
		if err != nil {
			return pyValue{}, err
		}
		p.skipSpace()
		if p.peek(0) != ':' {
			return pyValue{}, p.errorf("expected ':' in dict, found %s", p.describe())
		}
	}
}
