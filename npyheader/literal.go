package npyheader

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds a small recursive-descent parser for the subset of Python
// literal syntax that ast.literal_eval accepts and that can appear in an NPY
// header, plus Python's repr for str.

type pyKind uint8

const (
	pyNone pyKind = iota
	pyBool
	pyInt
	pyFloat // float or imaginary literal; the value itself is not kept
	pyStr
	pyBytes
	pyTuple
	pyList
	pyDict
	pySet
)

func (k pyKind) String() string {
	switch k {
	case pyNone:
		return "None"
	case pyBool:
		return "bool"
	case pyInt:
		return "int"
	case pyFloat:
		return "float"
	case pyStr:
		return "str"
	case pyBytes:
		return "bytes"
	case pyTuple:
		return "tuple"
	case pyList:
		return "list"
	case pyDict:
		return "dict"
	case pySet:
		return "set"
	}
	return "unknown"
}

// pyValue is a parsed Python literal.
type pyValue struct {
	kind     pyKind
	b        bool   // pyBool
	mag      uint64 // pyInt: magnitude
	neg      bool   // pyInt: negative
	overflow bool   // pyInt: magnitude does not fit in uint64
	signed   bool   // produced by a unary +/- (Python forbids stacking them)
	s        string // pyStr (UTF-8), pyBytes (raw bytes)
	items    []pyValue
	vals     []pyValue // pyDict: values, parallel to items (the keys)
	pos      int       // character index in the source
}

// int64 returns the value of a pyInt or pyBool as int64; ok is false when it
// does not fit.
func (v pyValue) int64() (int64, bool) {
	if v.kind == pyBool {
		if v.b {
			return 1, true
		}
		return 0, true
	}
	if v.overflow {
		return 0, false
	}
	if v.neg {
		if v.mag > 1<<63 {
			return 0, false
		}
		return -int64(v.mag), true // wraps correctly for 1<<63
	}
	if v.mag > 1<<63-1 {
		return 0, false
	}
	return int64(v.mag), true
}

// shortRepr is a bounded description of a value for error messages.
func (v pyValue) shortRepr() string {
	var s string
	switch v.kind {
	case pyNone:
		s = "None"
	case pyBool:
		if v.b {
			s = "True"
		} else {
			s = "False"
		}
	case pyInt:
		if v.overflow {
			s = "<int too large>"
		} else {
			s = strconv.FormatUint(v.mag, 10)
			if v.neg {
				s = "-" + s
			}
		}
	case pyFloat:
		s = "<float>"
	case pyStr:
		s = pyStrRepr(v.s)
	case pyBytes:
		s = "b" + pyStrRepr(v.s)
	default:
		open, close := "(", ")"
		switch v.kind {
		case pyList:
			open, close = "[", "]"
		case pyDict, pySet:
			open, close = "{", "}"
		}
		var b strings.Builder
		b.WriteString(open)
		for i, it := range v.items {
			if i > 0 {
				b.WriteString(", ")
			}
			if b.Len() > 80 {
				b.WriteString("...")
				break
			}
			b.WriteString(it.shortRepr())
			if v.kind == pyDict {
				b.WriteString(": ")
				b.WriteString(v.vals[i].shortRepr())
			}
		}
		if v.kind == pyTuple && len(v.items) == 1 {
			b.WriteString(",")
		}
		b.WriteString(close)
		s = b.String()
	}
	return truncate(s, 117)
}

// hashKey returns a string that is equal for two hashable values exactly
// when Python considers them equal as dict keys (floats are never equal to
// anything, which only matters for pathological headers). ok is false for
// unhashable values.
func (v pyValue) hashKey() (string, bool) {
	switch v.kind {
	case pyNone:
		return "N", true
	case pyBool:
		if v.b {
			return "I1", true
		}
		return "I0", true
	case pyInt:
		if v.overflow {
			return fmt.Sprintf("X%d", v.pos), true
		}
		if v.neg {
			return "I-" + strconv.FormatUint(v.mag, 10), true
		}
		return "I" + strconv.FormatUint(v.mag, 10), true
	case pyFloat:
		return fmt.Sprintf("F%d", v.pos), true
	case pyStr:
		return "S" + strconv.Itoa(len(v.s)) + ":" + v.s, true
	case pyBytes:
		return "B" + strconv.Itoa(len(v.s)) + ":" + v.s, true
	case pyTuple:
		var b strings.Builder
		b.WriteString("T(")
		for _, it := range v.items {
			k, ok := it.hashKey()
			if !ok {
				return "", false
			}
			b.WriteString(strconv.Itoa(len(k)))
			b.WriteByte(':')
			b.WriteString(k)
		}
		b.WriteString(")")
		return b.String(), true
	}
	return "", false
}

// maxLiteralDepth bounds the nesting of brackets and unary operators.
const maxLiteralDepth = 64

type litParser struct {
	src       []rune
	i         int
	depth     int
	allowLong bool // accept Python 2 long suffixes (2L) as in NPY 1.0/2.0
}

// parseLiteral parses src as a single Python literal expression followed only
// by whitespace and comments.
func parseLiteral(src []rune, allowLong bool) (pyValue, error) {
	for i, r := range src {
		if r == 0 {
			return pyValue{}, fmt.Errorf("%w: NUL character at header character %d", ErrSyntax, i)
		}
	}
	p := &litParser{src: src, allowLong: allowLong}
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
	return fmt.Errorf("%w: at header character %d: %s", ErrSyntax, p.i, fmt.Sprintf(format, args...))
}

func (p *litParser) describe() string {
	if p.i >= len(p.src) {
		return "end of header"
	}
	return fmt.Sprintf("character %q", p.src[p.i])
}

func (p *litParser) peek(off int) rune {
	if p.i+off < len(p.src) {
		return p.src[p.i+off]
	}
	return -1
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
	c := p.src[p.i]
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
		for p.i < len(p.src) && isIdentRune(p.src[p.i]) {
			p.i++
		}
		name := string(p.src[start:p.i])
		if q := p.peek(0); q == '\'' || q == '"' {
			if isStringPrefix(name) {
				p.i = start
				return p.strings()
			}
		}
		switch name {
		case "True":
			return pyValue{kind: pyBool, b: true, pos: start}, nil
		case "False":
			return pyValue{kind: pyBool, b: false, pos: start}, nil
		case "None":
			return pyValue{kind: pyNone, pos: start}, nil
		}
		p.i = start
		return pyValue{}, p.errorf("name %q is not a literal", truncate(name, 40))
	}
	return pyValue{}, p.errorf("unexpected %s, expected a value", p.describe())
}

// truncate shortens s to at most n runes for an error message.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "..."
	}
	return s
}

func isIdentRune(r rune) bool {
	return r == '_' || (r >= '0' && r <= '9') || (r < utf8.RuneSelf && unicode.IsLetter(r))
}

func isStringPrefix(s string) bool {
	switch strings.ToLower(s) {
	case "r", "u", "b", "br", "rb":
		return true
	}
	return false
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

func isDigitRune(r rune, base int) bool {
	switch base {
	case 2:
		return r == '0' || r == '1'
	case 8:
		return r >= '0' && r <= '7'
	case 16:
		return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F')
	}
	return r >= '0' && r <= '9'
}

func digitVal(r rune) uint64 {
	switch {
	case r >= '0' && r <= '9':
		return uint64(r - '0')
	case r >= 'a' && r <= 'f':
		return uint64(r-'a') + 10
	default:
		return uint64(r-'A') + 10
	}
}

// digits consumes digits of base with single underscores between them
// (allowLeadingUnderscore permits "0x_1"). It accumulates the value.
func (p *litParser) digits(base int, allowLeadingUnderscore bool, v *pyValue) (int, error) {
	n := 0
	for {
		c := p.peek(0)
		if c == '_' && (n > 0 || allowLeadingUnderscore) && isDigitRune(p.peek(1), base) {
			p.i++
			continue
		}
		if !isDigitRune(c, base) {
			break
		}
		d := digitVal(c)
		if !v.overflow {
			if v.mag > (^uint64(0)-d)/uint64(base) {
				v.overflow = true
			} else {
				v.mag = v.mag*uint64(base) + d
			}
		}
		p.i++
		n++
	}
	if p.peek(0) == '_' {
		return n, p.errorf("invalid underscore in number literal")
	}
	return n, nil
}

func (p *litParser) number() (pyValue, error) {
	start := p.i
	v := pyValue{kind: pyInt, pos: start}
	c := p.src[p.i]
	if c == '0' {
		base := 0
		switch p.peek(1) {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 0 {
			p.i += 2
			n, err := p.digits(base, true, &v)
			if err != nil {
				return pyValue{}, err
			}
			if n == 0 {
				return pyValue{}, p.errorf("invalid base-%d literal", base)
			}
			return p.finishInt(v)
		}
	}
	var scratch pyValue
	intStart := p.i
	n, err := p.digits(10, false, &v)
	if err != nil {
		return pyValue{}, err
	}
	isFloat := false
	if p.peek(0) == '.' {
		isFloat = true
		p.i++
		if _, err := p.digits(10, false, &scratch); err != nil {
			return pyValue{}, err
		}
	}
	if e := p.peek(0); (e == 'e' || e == 'E') && (n > 0 || isFloat) {
		save := p.i
		p.i++
		if s := p.peek(0); s == '+' || s == '-' {
			p.i++
		}
		m, err := p.digits(10, false, &scratch)
		if err != nil {
			return pyValue{}, err
		}
		if m == 0 {
			p.i = save
			return pyValue{}, p.errorf("invalid exponent in number literal")
		}
		isFloat = true
	}
	if j := p.peek(0); j == 'j' || j == 'J' {
		p.i++
		isFloat = true
	}
	if isFloat {
		if isIdentRune(p.peek(0)) {
			return pyValue{}, p.errorf("invalid number literal")
		}
		return pyValue{kind: pyFloat, pos: start}, nil
	}
	// Python 3 forbids leading zeros in non-zero decimal literals.
	if p.src[intStart] == '0' && v.mag != 0 {
		p.i = intStart
		return pyValue{}, p.errorf("leading zeros in decimal integer literals are not permitted")
	}
	return p.finishInt(v)
}

func (p *litParser) finishInt(v pyValue) (pyValue, error) {
	if p.allowLong {
		if c := p.peek(0); c == 'L' || c == 'l' {
			p.i++
		}
	}
	if isIdentRune(p.peek(0)) {
		return pyValue{}, p.errorf("invalid number literal")
	}
	return v, nil
}

// strings parses one string literal, with its prefix if any, and any
// adjacent ones (implicit concatenation).
func (p *litParser) strings() (pyValue, error) {
	start := p.i
	var b strings.Builder
	kind := pyKind(0)
	for {
		pfx := ""
		for p.i < len(p.src) && isIdentRune(p.src[p.i]) {
			pfx += string(p.src[p.i])
			p.i++
		}
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
		for j < len(p.src) && isIdentRune(p.src[j]) && j-p.i < 3 {
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
	q := p.src[p.i]
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
		c := p.src[p.i]
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
			p.i++
			continue
		}
		// Backslash.
		if p.i+1 >= len(p.src) {
			return p.errorf("unterminated string literal")
		}
		e := p.src[p.i+1]
		if raw {
			// The backslash stays, and quotes/newlines after it do not end
			// the literal.
			b.WriteByte('\\')
			if bytes && e >= 0x80 {
				return p.errorf("bytes literal contains a non-ASCII character")
			}
			_ = put(e)
			p.i += 2
			continue
		}
		p.i += 2
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
				r = r*8 + (p.src[p.i] - '0')
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
				val = val*16 + digitVal(p.src[p.i])
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

// pyStrRepr returns Python 3's repr() of a str.
func pyStrRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}
