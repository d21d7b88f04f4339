package text

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Python's own number syntaxes, which np.genfromtxt uses through int(),
// float() and complex() where np.loadtxt has its C parser: underscores
// between digits are allowed, and complex() also takes "1+2J", "j" and
// "1+j".

// pyStrip is Python's str.strip(): white space off both ends.
func pyStrip(s string) string {
	return strings.TrimFunc(s, isPySpace)
}

// pyUnderscores removes the underscores of s that Python's number
// constructors allow (each between two ASCII digits) and reports whether
// there were only such underscores.
func pyUnderscores(s string) (string, bool) {
	if !strings.Contains(s, "_") {
		return s, true
	}
	var b strings.Builder
	prev := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			if !isDigit(prev) {
				return "", false
			}
		} else {
			if prev == '_' && !isDigit(c) {
				return "", false
			}
			b.WriteByte(c)
		}
		prev = c
	}
	if prev == '_' {
		return "", false
	}
	return b.String(), true
}

// pyInt parses s as Python's int(s) does, in base 10, and reports whether
// it is an integer and whether it fits an int64.
func pyInt(s string) (v int64, isInt, fits bool) {
	t, ok := pyUnderscores(pyStrip(s))
	if !ok || t == "" {
		return 0, false, false
	}
	i := 0
	if t[0] == '+' || t[0] == '-' {
		i++
	}
	if i == len(t) {
		return 0, false, false
	}
	for j := i; j < len(t); j++ {
		if !isDigit(t[j]) {
			return 0, false, false
		}
	}
	v, fits = parseInt([]byte(t), math.MinInt64, math.MaxInt64)
	return v, true, fits
}

// pyFloat parses s as Python's float(s) does.
func pyFloat(s string) (float64, bool) {
	t, ok := pyUnderscores(pyStrip(s))
	if !ok || t == "" {
		return 0, false
	}
	v, end, ok := floatPrefix([]byte(t), 0)
	if !ok || end != len(t) {
		return 0, false
	}
	return v, true
}

// pyComplex parses s as Python's complex(s) does: optional parentheses,
// then <float>, <float>j, <float><signed-float>j, <float><sign>j, <sign>j
// or j, with j or J, and white space only around the number and inside
// the parentheses.
func pyComplex(s string) (re, im float64, ok bool) {
	t, ok := pyUnderscores(s)
	if !ok {
		return 0, 0, false
	}
	b := []byte(t)
	i := skipSpace(b, 0)
	paren := false
	if i < len(b) && b[i] == '(' {
		paren = true
		i = skipSpace(b, i+1)
	}
	isJ := func(i int) bool { return i < len(b) && (b[i] == 'j' || b[i] == 'J') }
	if z, end, ok := floatPrefix(b, i); ok {
		i = end
		switch {
		case i < len(b) && (b[i] == '+' || b[i] == '-'):
			re = z
			if y, end, ok := floatPrefix(b, i); ok {
				im, i = y, end
			} else {
				im = 1
				if b[i] == '-' {
					im = -1
				}
				i++
			}
			if !isJ(i) {
				return 0, 0, false
			}
			i++
		case isJ(i):
			im = z
			i++
		default:
			re = z
		}
	} else {
		im = 1
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			if b[i] == '-' {
				im = -1
			}
			i++
		}
		if !isJ(i) {
			return 0, 0, false
		}
		i++
	}
	i = skipSpace(b, i)
	if paren {
		if i == len(b) || b[i] != ')' {
			return 0, 0, false
		}
		i = skipSpace(b, i+1)
	}
	if i != len(b) {
		return 0, 0, false
	}
	return re, im, true
}

// pyBool is NumPy's str2bool: "true" or "false" in any case, nothing
// around them.
func pyBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"): // Unicode folding, as Python's upper()
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// isHexDigit reports whether c is an ASCII hexadecimal digit.
func isHexDigit(c byte) bool {
	return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f')
}

// strtoldOK reports whether np.longdouble(s) accepts s: C's strtold syntax
// (hexadecimal floats and "nan(...)" included), white space before it but
// not after. A column whose values all pass it, and not all complex(),
// is inferred as longdouble, which this package does not make.
func strtoldOK(s string) bool {
	i := 0
	for i < len(s) && strings.IndexByte(" \t\n\v\f\r", s[i]) >= 0 {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	rest := strings.ToLower(s[i:])
	switch {
	case strings.HasPrefix(rest, "inf"):
		return rest == "inf" || rest == "infinity"
	case strings.HasPrefix(rest, "nan"):
		if rest == "nan" {
			return true
		}
		if !strings.HasPrefix(rest, "nan(") || !strings.HasSuffix(rest, ")") {
			return false
		}
		for _, c := range []byte(rest[4 : len(rest)-1]) {
			if !(isDigit(c) || ('a' <= c && c <= 'z') || c == '_') {
				return false
			}
		}
		return true
	}
	digit, expMark := isDigit, byte('e')
	if strings.HasPrefix(rest, "0x") && len(rest) > 2 && (isHexDigit(rest[2]) || (rest[2] == '.' && len(rest) > 3 && isHexDigit(rest[3]))) {
		rest, digit, expMark = rest[2:], isHexDigit, 'p'
	}
	j, n := 0, 0
	for j < len(rest) && digit(rest[j]) {
		j, n = j+1, n+1
	}
	if j < len(rest) && rest[j] == '.' {
		j++
		for j < len(rest) && digit(rest[j]) {
			j, n = j+1, n+1
		}
	}
	if n == 0 {
		return false
	}
	if j < len(rest) && rest[j] == expMark {
		k := j + 1
		if k < len(rest) && (rest[k] == '+' || rest[k] == '-') {
			k++
		}
		if k == len(rest) || !isDigit(rest[k]) {
			return false
		}
		for k < len(rest) && isDigit(rest[k]) {
			k++
		}
		j = k
	}
	return j == len(rest)
}

// latin1Bytes encodes s as latin-1, or reports that it cannot be.
func latin1Bytes(s string) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff || r == utf8.RuneError {
			return nil, false
		}
		out = append(out, byte(r))
	}
	return out, true
}
