package npyheader

// This file holds the parser of Python int and float literals.

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
	if p.src[p.i] == '0' {
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
		p.skipLongSuffixes()
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
	p.skipLongSuffixes()
	if isIdentRune(p.peek(0)) {
		return pyValue{}, p.errorf("invalid number literal")
	}
	return v, nil
}

// skipLongSuffixes skips Python 2 long suffixes after a number when they
// are allowed (1.0 and 2.0 headers). It does what NumPy's _filter_header
// does with Python's tokens: every name token "L" after a number token is
// dropped, so "3L", "3 L" and "3L L" are all 3; a lower-case "l" is a name
// like any other, and "3l" is refused, as by NumPy.
func (p *litParser) skipLongSuffixes() {
	if !p.allowLong {
		return
	}
	for {
		j := p.i
		for j < len(p.src) {
			if c := p.src[j]; c == ' ' || c == '\t' || c == '\f' {
				j++
			} else if c == '\\' && j+1 < len(p.src) && p.src[j+1] == '\n' {
				j += 2
			} else if c == '\\' && j+2 < len(p.src) && p.src[j+1] == '\r' && p.src[j+2] == '\n' {
				j += 3
			} else {
				break
			}
		}
		if j >= len(p.src) || p.src[j] != 'L' || (j+1 < len(p.src) && isIdentRune(rune(p.src[j+1]))) {
			return
		}
		p.i = j + 1
	}
}
