package text

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/go-memmap/memmap/internal/nprepr"
	"github.com/go-memmap/memmap/internal/pyrepr"
)

// This file formats values as Python's % operator does (printf-style
// formatting, which np.savetxt applies to each row), appending into a
// []byte so that a row costs no fmt.Sprintf and no allocation per cell.
// The values are NumPy scalars as a row of an array hands them to %: the
// numeric conversions treat them as Python's int and float, %s and %r
// print them as NumPy's str and repr do.

// pyFormat is a parsed Python %-format string: lits[i] is the literal text
// before specs[i], and lits[len(specs)] the text after the last one.
type pyFormat struct {
	lits  []string
	specs []convSpec
}

// convSpec is one conversion specification, %[flags][width][.prec]verb.
type convSpec struct {
	minus, plus, space, alt, zero bool
	width                         int
	prec                          int // -1 when not given
	verb                          byte
}

// pyError is a failure of Python's % operator, with the Python exception
// class that it raises, so that savetxt can tell the TypeErrors it
// rewords from the others it lets through.
type pyError struct {
	class string // "TypeError", "ValueError", "OverflowError"
	msg   string
}

func (e *pyError) Error() string { return e.class + ": " + e.msg }

// maxWidthOrPrec bounds a width or precision given in a format: CPython
// refuses anything past a C int; a text cell a million characters wide is
// already far past any use, and the bound keeps a format from asking for
// unbounded memory.
const maxWidthOrPrec = 1 << 20

// parsePyFormat parses a format string as Python's % operator does,
// refusing what it refuses with its ValueError texts ("incomplete format",
// "unsupported format character ..."). Mapping keys ("%(name)s") and a '*'
// width or precision, which a row of values cannot feed, are refused with
// memmap.ErrUnsupported's description.
func parsePyFormat(s string) (*pyFormat, error) {
	f := &pyFormat{}
	lit := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '%' {
			lit = append(lit, c)
			i++
			continue
		}
		i++
		if i == len(s) {
			return nil, &pyError{"ValueError", "incomplete format"}
		}
		if s[i] == '%' {
			lit = append(lit, '%')
			i++
			continue
		}
		var sp convSpec
		sp.prec = -1
		if s[i] == '(' {
			return nil, fmt.Errorf("format %s: mapping keys are not supported", pyrepr.Str(s))
		}
	flags:
		for ; i < len(s); i++ {
			switch s[i] {
			case '-':
				sp.minus = true
			case '+':
				sp.plus = true
			case ' ':
				sp.space = true
			case '#':
				sp.alt = true
			case '0':
				sp.zero = true
			default:
				break flags
			}
		}
		var ok bool
		if sp.width, i, ok = parseCount(s, i); !ok {
			return nil, &pyError{"ValueError", "width too big"}
		}
		if i < len(s) && s[i] == '.' {
			if sp.prec, i, ok = parseCount(s, i+1); !ok {
				return nil, &pyError{"ValueError", "precision too big"}
			}
		}
		if i < len(s) && s[i] == '*' {
			return nil, fmt.Errorf("format %s: '*' widths and precisions are not supported", pyrepr.Str(s))
		}
		// Python accepts and ignores C's length modifiers.
		for i < len(s) && (s[i] == 'h' || s[i] == 'l' || s[i] == 'L') {
			i++
		}
		if i == len(s) {
			return nil, &pyError{"ValueError", "incomplete format"}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case 'd', 'i', 'u', 'o', 'x', 'X', 'e', 'E', 'f', 'F', 'g', 'G', 'c', 's', 'r':
			sp.verb = byte(r)
		case '%':
			// "%5%" asks for an argument in CPython and prints '%';
			// nobody writes it on purpose.
			return nil, fmt.Errorf("format %s: a '%%' conversion with flags, width or precision is not supported", pyrepr.Str(s))
		case 'a':
			return nil, fmt.Errorf("format %s: the %%a conversion is not supported", pyrepr.Str(s))
		default:
			if r == utf8.RuneError && size <= 1 {
				r = rune(s[i])
			}
			return nil, &pyError{"ValueError", fmt.Sprintf("unsupported format character '%c' (0x%x) at index %d",
				r, r, utf8.RuneCountInString(s[:i]))}
		}
		i += size
		f.lits = append(f.lits, string(lit))
		lit = lit[:0]
		f.specs = append(f.specs, sp)
	}
	f.lits = append(f.lits, string(lit))
	return f, nil
}

// parseCount reads the decimal digits at s[i:], if any: a width or a
// precision (no digits is 0, as in CPython).
func parseCount(s string, i int) (n, next int, ok bool) {
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > maxWidthOrPrec {
			return 0, i, false
		}
	}
	return n, i, true
}

// valueKind is the Python type a NumPy scalar of an array's dtype behaves
// as under %.
type valueKind uint8

const (
	kindInt     valueKind = iota // a signed integer in i
	kindUint                     // an unsigned integer in u
	kindBool                     // np.bool_: 0 or 1 in i; an int to every conversion but %s and %r
	kindFloat                    // f, bits 16, 32 or 64
	kindComplex                  // f + im·j, bits 32 or 64 per part (a structured field)
	kindStr                      // np.str_: UTF-8 bytes in str[off:end]
	kindBytes                    // np.bytes_: bytes in str[off:end]
)

// value is one argument of a row's % operation. Strings are offsets into
// the row block's byte buffer, which grows while a block is read.
type value struct {
	kind     valueKind
	bits     uint8
	i        int64
	u        uint64
	f, im    float64
	off, end int
}

// typeName is the NumPy scalar type's name, for TypeError texts.
func (v *value) typeName() string {
	switch v.kind {
	case kindInt:
		return "numpy.int64"
	case kindUint:
		return "numpy.uint64"
	case kindBool:
		return "numpy.bool_"
	case kindFloat:
		return "numpy.float" + strconv.Itoa(int(v.bits))
	case kindComplex:
		return "numpy.complex" + strconv.Itoa(2*int(v.bits))
	case kindStr:
		return "numpy.str_"
	default:
		return "numpy.bytes_"
	}
}

// appendRow appends f % vals to dst; strs holds the strings' bytes.
func (f *pyFormat) appendRow(dst []byte, vals []value, strs []byte) ([]byte, error) {
	if len(vals) < len(f.specs) {
		return dst, &pyError{"TypeError", "not enough arguments for format string"}
	}
	if len(vals) > len(f.specs) {
		return dst, &pyError{"TypeError", "not all arguments converted during string formatting"}
	}
	var err error
	for k := range f.specs {
		dst = append(dst, f.lits[k]...)
		if dst, err = appendValue(dst, &f.specs[k], &vals[k], strs); err != nil {
			return dst, err
		}
	}
	return append(dst, f.lits[len(f.specs)]...), nil
}

// appendValue appends one conversion of v.
func appendValue(dst []byte, sp *convSpec, v *value, strs []byte) ([]byte, error) {
	switch sp.verb {
	case 'd', 'i', 'u':
		switch v.kind {
		case kindInt, kindBool:
			return appendInt(dst, sp, v.i < 0, absInt(v.i), nil), nil
		case kindUint:
			return appendInt(dst, sp, false, v.u, nil), nil
		case kindFloat, kindComplex:
			// NumPy's complex scalars convert to their real part (with
			// a ComplexWarning).
			return appendTruncated(dst, sp, v.f)
		}
		return dst, &pyError{"TypeError", fmt.Sprintf("%%%c format: a real number is required, not %s", sp.verb, v.typeName())}
	case 'o', 'x', 'X':
		switch v.kind {
		case kindInt, kindBool:
			return appendInt(dst, sp, v.i < 0, absInt(v.i), nil), nil
		case kindUint:
			return appendInt(dst, sp, false, v.u, nil), nil
		}
		return dst, &pyError{"TypeError", fmt.Sprintf("%%%c format: an integer is required, not %s", sp.verb, v.typeName())}
	case 'e', 'E', 'f', 'F', 'g', 'G':
		switch v.kind {
		case kindFloat, kindComplex:
			return appendFloat(dst, sp, v.f), nil
		case kindInt, kindBool:
			return appendFloat(dst, sp, float64(v.i)), nil
		case kindUint:
			return appendFloat(dst, sp, float64(v.u)), nil
		}
		return dst, &pyError{"TypeError", "must be real number, not " + v.typeName()[len("numpy."):]}
	case 'c':
		switch v.kind {
		case kindInt, kindBool, kindUint:
			if (v.kind == kindInt && (v.i < 0 || v.i > utf8.MaxRune)) || (v.kind == kindUint && v.u > utf8.MaxRune) {
				return dst, &pyError{"OverflowError", "%c arg not in range(0x110000)"}
			}
			r := rune(v.i)
			if v.kind == kindUint {
				r = rune(v.u)
			}
			return appendPadded(dst, sp, nil, utf8.AppendRune(nil, r), false), nil
		case kindStr:
			if s := strs[v.off:v.end]; utf8.RuneCount(s) == 1 {
				return appendPadded(dst, sp, nil, s, false), nil
			}
		}
		return dst, &pyError{"TypeError", "%c requires int or char"}
	default: // 's', 'r'
		start := len(dst)
		dst = appendStr(dst, sp.verb == 'r', v, strs)
		return padText(dst, start, sp), nil
	}
}

// absInt is |i| as a uint64, right for math.MinInt64 too.
func absInt(i int64) uint64 {
	if i < 0 {
		return -uint64(i)
	}
	return uint64(i)
}

// appendStr appends str(v), or repr(v) when repr is set, as NumPy 1.24
// prints its scalars (the two differ only for str_).
func appendStr(dst []byte, repr bool, v *value, strs []byte) []byte {
	switch v.kind {
	case kindInt:
		return strconv.AppendInt(dst, v.i, 10)
	case kindUint:
		return strconv.AppendUint(dst, v.u, 10)
	case kindBool:
		return nprepr.AppendBool(dst, v.i != 0)
	case kindFloat:
		return nprepr.AppendFloat(dst, v.f, int(v.bits))
	case kindComplex:
		return nprepr.AppendComplex(dst, v.f, v.im, int(v.bits))
	case kindStr:
		if repr {
			return pyrepr.AppendStr(dst, string(strs[v.off:v.end]))
		}
		return append(dst, strs[v.off:v.end]...)
	default:
		return pyrepr.AppendBytes(dst, strs[v.off:v.end])
	}
}

// padText applies %s's precision (the most characters kept) and width to
// the text at dst[start:], counting characters, not bytes, as Python's
// str does.
func padText(dst []byte, start int, sp *convSpec) []byte {
	text := dst[start:]
	n := utf8.RuneCount(text)
	if sp.prec >= 0 && n > sp.prec {
		cut := 0
		for k := 0; k < sp.prec; k++ {
			_, size := utf8.DecodeRune(text[cut:])
			cut += size
		}
		dst, n = dst[:start+cut], sp.prec
	}
	if n >= sp.width {
		return dst
	}
	pad := sp.width - n
	if sp.minus {
		return appendSpaces(dst, pad)
	}
	dst = appendSpaces(dst, pad)
	copy(dst[start+pad:], dst[start:len(dst)-pad])
	for k := start; k < start+pad; k++ {
		dst[k] = ' '
	}
	return dst
}

func appendSpaces(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, ' ')
	}
	return dst
}

// appendPadded appends sign, then body, padded to the width as Python pads
// a number: spaces before the sign, or zeros between the sign (and any
// prefix already in body's place) and the digits with the '0' flag, or
// spaces after with '-'. number is false for %c, which never zero-pads.
func appendPadded(dst []byte, sp *convSpec, sign, body []byte, number bool) []byte {
	n := len(sign) + utf8.RuneCount(body)
	pad := sp.width - n
	if pad <= 0 {
		return append(append(dst, sign...), body...)
	}
	switch {
	case sp.minus:
		dst = append(append(dst, sign...), body...)
		return appendSpaces(dst, pad)
	case sp.zero && number:
		dst = append(dst, sign...)
		for ; pad > 0; pad-- {
			dst = append(dst, '0')
		}
		return append(dst, body...)
	default:
		dst = appendSpaces(dst, pad)
		return append(append(dst, sign...), body...)
	}
}

// signOf is the sign Python writes before a number.
func signOf(sp *convSpec, neg bool) []byte {
	switch {
	case neg:
		return []byte("-")
	case sp.plus:
		return []byte("+")
	case sp.space:
		return []byte(" ")
	}
	return nil
}

// appendInt formats an integer of magnitude mag (or, when big is not nil,
// of magnitude big) for %d %i %u %o %x %X: at least prec digits, then
// Python's 0o/0x/0X prefix with '#', then the sign and padding.
func appendInt(dst []byte, sp *convSpec, neg bool, mag uint64, bigMag *big.Int) []byte {
	base := 10
	switch sp.verb {
	case 'o':
		base = 8
	case 'x', 'X':
		base = 16
	}
	var scratch [96]byte
	var digitBuf [64]byte
	body := scratch[:0]
	if sp.alt && base != 10 {
		body = append(body, '0', sp.verb)
		if sp.verb == 'o' {
			body[1] = 'o'
		}
	}
	prefix := len(body)
	var digits []byte
	if bigMag != nil {
		digits = bigMag.Append(nil, base)
	} else {
		digits = strconv.AppendUint(digitBuf[:0], mag, base)
	}
	for k := len(digits); k < sp.prec; k++ {
		body = append(body, '0')
	}
	if sp.verb == 'X' {
		for k, c := range digits {
			if c >= 'a' && c <= 'f' {
				digits[k] = c - 'a' + 'A'
			}
		}
	}
	body = append(body, digits...)
	sign := signOf(sp, neg)
	if sp.zero && !sp.minus && prefix > 0 && sp.width > len(sign)+len(body) {
		// The zeros go between the prefix and the digits: 0x0000ff.
		dst = append(dst, sign...)
		dst = append(dst, body[:prefix]...)
		for pad := sp.width - len(sign) - len(body); pad > 0; pad-- {
			dst = append(dst, '0')
		}
		return append(dst, body[prefix:]...)
	}
	return appendPadded(dst, sp, sign, body, true)
}

// appendTruncated formats a float for %d: Python converts it with int(),
// truncating toward zero, exactly however large; NaN and infinities have
// no int and fail as int() does.
func appendTruncated(dst []byte, sp *convSpec, x float64) ([]byte, error) {
	switch {
	case math.IsNaN(x):
		return dst, &pyError{"ValueError", "cannot convert float NaN to integer"}
	case math.IsInf(x, 0):
		return dst, &pyError{"OverflowError", "cannot convert float infinity to integer"}
	}
	t := math.Trunc(x)
	neg := t < 0
	a := math.Abs(t)
	if a < 1<<63 {
		return appendInt(dst, sp, neg, uint64(a), nil), nil
	}
	b, _ := new(big.Float).SetFloat64(a).Int(nil)
	return appendInt(dst, sp, neg, 0, b), nil
}

// appendFloat formats x for %e %E %f %F %g %G as CPython does (C's printf
// rules, correctly rounded): nan without a sign, inf, upper case for E F G,
// '#' keeping the decimal point and %g's trailing zeros.
func appendFloat(dst []byte, sp *convSpec, x float64) []byte {
	upper := sp.verb == 'E' || sp.verb == 'F' || sp.verb == 'G'
	neg := math.Signbit(x) && !math.IsNaN(x)
	var scratch [64]byte
	body := scratch[:0]
	switch {
	case math.IsNaN(x):
		body = append(body, "nan"...)
	case math.IsInf(x, 0):
		body = append(body, "inf"...)
	default:
		body = formatFinite(body, sp, math.Abs(x))
	}
	if upper {
		for k, c := range body {
			if c >= 'a' && c <= 'z' {
				body[k] = c - 'a' + 'A'
			}
		}
	}
	return appendPadded(dst, sp, signOf(sp, neg), body, true)
}

// formatFinite formats a finite x >= 0 (or -0 made +0 by Abs).
func formatFinite(dst []byte, sp *convSpec, x float64) []byte {
	prec := sp.prec
	if prec < 0 {
		prec = 6
	}
	switch sp.verb {
	case 'e', 'E':
		if prec == 18 { // np.savetxt's default
			return appendE18(dst, x)
		}
		dst = strconv.AppendFloat(dst, x, 'e', prec, 64)
		if sp.alt && prec == 0 {
			dst = insertPoint(dst, 1)
		}
		return dst
	case 'f', 'F':
		dst = strconv.AppendFloat(dst, x, 'f', prec, 64)
		if sp.alt && prec == 0 {
			dst = append(dst, '.')
		}
		return dst
	}
	// %g: C's rule on the exponent X of x rounded to P significant digits.
	p := prec
	if p == 0 {
		p = 1
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, x, 'e', p-1, 64)
	ePos := start
	for dst[ePos] != 'e' {
		ePos++
	}
	exp := 0
	for _, c := range dst[ePos+2:] {
		exp = exp*10 + int(c-'0')
	}
	if dst[ePos+1] == '-' {
		exp = -exp
	}
	if exp >= -4 && exp < p {
		// %f with p-1-exp decimals rounds at the same digit as %e with
		// p-1 did: the same p digits, placed around the point.
		dst = positional(dst, start, ePos, exp)
		ePos = len(dst)
	}
	if sp.alt {
		if !hasPoint(dst[start:ePos]) {
			dst = insertPoint(dst, ePos)
		}
		return dst
	}
	// Strip the fraction's trailing zeros, and the point if nothing is left.
	if !hasPoint(dst[start:ePos]) {
		return dst
	}
	cut := ePos
	for dst[cut-1] == '0' {
		cut--
	}
	if dst[cut-1] == '.' {
		cut--
	}
	tail := len(dst) - ePos
	copy(dst[cut:], dst[ePos:])
	return dst[:cut+tail]
}

// positional rewrites the scientific text at dst[start:ePos] (d.ddd, then
// the exponent from ePos on) with exponent exp, -4 <= exp < its digit
// count, as the same digits in positional notation.
func positional(dst []byte, start, ePos, exp int) []byte {
	var buf [32]byte
	digits := buf[:0]
	for _, c := range dst[start:ePos] {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	dst = dst[:start]
	if exp < 0 {
		dst = append(dst, '0', '.')
		for k := -1; k > exp; k-- {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:exp+1]...)
	if exp+1 < len(digits) {
		dst = append(append(dst, '.'), digits[exp+1:]...)
	}
	return dst
}

func hasPoint(b []byte) bool {
	for _, c := range b {
		if c == '.' {
			return true
		}
	}
	return false
}

// insertPoint inserts a '.' at dst[at].
func insertPoint(dst []byte, at int) []byte {
	dst = append(dst, 0)
	copy(dst[at+1:], dst[at:])
	dst[at] = '.'
	return dst
}
