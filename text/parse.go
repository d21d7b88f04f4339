package text

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// The cell parsers below follow NumPy 1.24's loadtxt C parser
// (numpy/core/src/multiarray/textreading: conversions.c, str_to_int.h), with
// Python's own float syntax (PyOS_string_to_double) for floats: a cell is
// the UTF-8 text of one field, and each parser reports whether it holds a
// value of its type. None allocates.

// pySpaceASCII marks the ASCII characters Python's str.isspace accepts:
// \t \n \v \f \r, the four separators \x1c-\x1f, and the space.
var pySpaceASCII = [128]bool{
	'\t': true, '\n': true, '\v': true, '\f': true, '\r': true,
	0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true, ' ': true,
}

// isPySpace reports whether r is white space to Python (Py_UNICODE_ISSPACE),
// which NumPy strips around numbers: beyond ASCII the same set as Go's
// unicode.IsSpace (U+0085, U+00A0 and the Unicode White_Space separators).
func isPySpace(r rune) bool {
	if r < utf8.RuneSelf {
		return pySpaceASCII[r]
	}
	return unicode.IsSpace(r)
}

// spaceAt returns the length of the Python white-space character at b[i],
// or 0 if there is none.
func spaceAt(b []byte, i int) int {
	c := b[i]
	if c < utf8.RuneSelf {
		if pySpaceASCII[c] {
			return 1
		}
		return 0
	}
	r, n := utf8.DecodeRune(b[i:])
	if unicode.IsSpace(r) {
		return n
	}
	return 0
}

// skipSpace returns the index of the first character at or after i that is
// not Python white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		n := spaceAt(b, i)
		if n == 0 {
			break
		}
		i += n
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanDigits reads the decimal digits of b from i on into mant (mant*10 +
// digit each, wrapping past 19 digits, where the caller no longer uses
// it) and returns it with the index after the last digit. Eight digits are
// taken at a time where eight follow, in a few multiplications instead of
// a chain of eight.
func scanDigits(b []byte, i int, mant uint64) (uint64, int) {
	for i+8 <= len(b) {
		d, ok := eightDigits(binary.LittleEndian.Uint64(b[i:]))
		if !ok {
			break
		}
		mant = mant*100000000 + d
		i += 8
	}
	for i < len(b) && isDigit(b[i]) {
		mant = mant*10 + uint64(b[i]-'0')
		i++
	}
	return mant, i
}

// eightDigits returns the number that eight ASCII digits, loaded little-
// endian (the first digit in the low byte), spell, and whether all eight
// are digits: each byte's high half is 3, and adding 6 keeps it 3 (so the
// low half is at most 9). The digits are then combined in pairs, fours and
// eights (Lemire's SWAR parsing).
func eightDigits(v uint64) (uint64, bool) {
	const threes, sixes, highs = 0x3030303030303030, 0x0606060606060606, 0xF0F0F0F0F0F0F0F0
	if v&highs != threes || (v+sixes)&highs != threes {
		return 0, false
	}
	v -= threes
	v = v*10 + v>>8 // each even byte: two digits
	v = ((v&0x000000FF000000FF)*(100+(1000000<<32)) + (v>>16&0x000000FF000000FF)*(1+(10000<<32))) >> 32
	return v, true
}

// Python's NaNs: float('nan') has the bits 0x7ff8000000000000 and
// float('-nan') the same with the sign bit; Go's math.NaN() has other bits.
var (
	pyNaN    = math.Float64frombits(0x7ff8000000000000)
	pyNegNaN = math.Float64frombits(0xfff8000000000000)
)

// floatPrefix parses the longest prefix of b[i:] that Python's
// PyOS_string_to_double accepts: [sign] digits [. digits] [e [sign] digits]
// with at least one digit in the mantissa, or [sign] inf, infinity or nan in
// any case. It returns the value, the index just past the prefix, and false
// if no prefix is a number. Out-of-range exponents give ±Inf or ±0, as in
// Python (1e400 is inf), not an error. Underscores and hexadecimal floats,
// which strconv.ParseFloat accepts, are not part of the prefix.
func floatPrefix(b []byte, i int) (float64, int, bool) {
	start, j := i, i
	neg := false
	if j < len(b) && (b[j] == '+' || b[j] == '-') {
		neg = b[j] == '-'
		j++
	}
	// The mantissa's digits are gathered as they are scanned, for the fast
	// paths below; mant is only used when there are at most 19, which an
	// uint64 holds.
	var mant uint64
	signEnd := j
	mant, j = scanDigits(b, j, mant)
	digits := j - signEnd
	fracDigits := 0
	if j < len(b) && b[j] == '.' {
		j++
		fracStart := j
		mant, j = scanDigits(b, j, mant)
		fracDigits = j - fracStart
		digits += fracDigits
	}
	if digits == 0 {
		return infOrNaNPrefix(b, start)
	}
	exp, expOK := 0, true
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		k := j + 1
		expNeg := false
		if k < len(b) && (b[k] == '+' || b[k] == '-') {
			expNeg = b[k] == '-'
			k++
		}
		if k < len(b) && isDigit(b[k]) {
			for k < len(b) && isDigit(b[k]) {
				if exp < 1000 {
					exp = exp*10 + int(b[k]-'0')
				} else {
					expOK = false
				}
				k++
			}
			if expNeg {
				exp = -exp
			}
			j = k
		}
	}
	if e := exp - fracDigits; digits <= 19 && expOK {
		// Trailing zeros are dropped while the mantissa is too large for
		// Clinger's path: "1.000000000000000000e+00", savetxt's 1.0, is 1.
		// (Eight and four at a time first: savetxt's %.18e ends most
		// mantissas in a run of zeros. Dropping more of them than needed
		// only moves the value to another exact path.)
		for mant > 1<<53 && mant%100000000 == 0 {
			mant /= 100000000
			e += 8
		}
		for mant > 1<<53 && mant%10000 == 0 {
			mant /= 10000
			e += 4
		}
		for mant > 1<<53 && mant%10 == 0 {
			mant /= 10
			e++
		}
		// Clinger's fast path: a mantissa of at most 2**53 is exact in a
		// float64, and so is 10**e for |e| <= 22, so one multiplication or
		// division rounds correctly, as strconv would (and Python's dtoa).
		if mant <= 1<<53 && e >= -22 && e <= 22 {
			v := float64(mant)
			if e >= 0 {
				v *= pow10[e]
			} else {
				v /= pow10[-e]
			}
			if neg {
				v = -v
			}
			return v, j, true
		}
		if v, ok := eiselLemire(mant, e, neg); ok {
			return v, j, true
		}
	}
	v, err := strconv.ParseFloat(bytesString(b[start:j]), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		// Unreachable: the prefix is decimal float syntax Go accepts.
		return 0, i, false
	}
	return v, j, true // on ErrRange v is ±Inf or ±0, Python's values
}

// pow10 holds the powers of ten that are exact in a float64.
var pow10 = [23]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// infOrNaNPrefix parses Python's [sign] inf|infinity|nan, case-insensitive,
// at b[i:] (_Py_parse_inf_or_nan).
func infOrNaNPrefix(b []byte, i int) (float64, int, bool) {
	j := i
	neg := false
	if j < len(b) && (b[j] == '+' || b[j] == '-') {
		neg = b[j] == '-'
		j++
	}
	switch {
	case hasFoldPrefix(b[j:], "inf"):
		j += 3
		if hasFoldPrefix(b[j:], "inity") {
			j += 5
		}
		if neg {
			return math.Inf(-1), j, true
		}
		return math.Inf(1), j, true
	case hasFoldPrefix(b[j:], "nan"):
		if neg {
			return pyNegNaN, j + 3, true
		}
		return pyNaN, j + 3, true
	}
	return 0, i, false
}

// hasFoldPrefix reports whether b starts with the lower-case ASCII word w,
// ignoring ASCII case.
func hasFoldPrefix(b []byte, w string) bool {
	if len(b) < len(w) {
		return false
	}
	for k := 0; k < len(w); k++ {
		if b[k]|0x20 != w[k] {
			return false
		}
	}
	return true
}

// parseFloat parses a whole cell as a float64 the way NumPy's loadtxt
// does: white space around the number is ignored, anything else is not.
func parseFloat(b []byte) (float64, bool) {
	i := skipSpace(b, 0)
	if i == len(b) {
		return 0, false
	}
	v, j, ok := floatPrefix(b, i)
	if !ok || skipSpace(b, j) != len(b) {
		return 0, false
	}
	return v, true
}

// parseInt parses a whole cell as a decimal integer in [lo, hi], as
// NumPy's str_to_int64: white space around it, an optional sign, ASCII
// digits; an overflow is a failure, not a wrap.
func parseInt(b []byte, lo, hi int64) (int64, bool) {
	i := skipSpace(b, 0)
	neg := false
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) || !isDigit(b[i]) {
		return 0, false
	}
	var n int64
	if neg {
		// Accumulate negatively so that lo itself (-2**63) fits.
		preMin, lastMin := lo/10, -(lo % 10)
		for ; i < len(b) && isDigit(b[i]); i++ {
			d := int64(b[i] - '0')
			if n < preMin || (n == preMin && d > lastMin) {
				return 0, false
			}
			n = n*10 - d
		}
	} else {
		preMax, lastMax := hi/10, hi%10
		for ; i < len(b) && isDigit(b[i]); i++ {
			d := int64(b[i] - '0')
			if n > preMax || (n == preMax && d > lastMax) {
				return 0, false
			}
			n = n*10 + d
		}
	}
	if skipSpace(b, i) != len(b) {
		return 0, false
	}
	return n, true
}

// parseUint parses a whole cell as a decimal integer in [0, hi], as
// NumPy's str_to_uint64 (a minus sign is refused, even on "-0").
func parseUint(b []byte, hi uint64) (uint64, bool) {
	i := skipSpace(b, 0)
	if i < len(b) && b[i] == '-' {
		return 0, false
	}
	if i < len(b) && b[i] == '+' {
		i++
	}
	if i == len(b) || !isDigit(b[i]) {
		return 0, false
	}
	var n uint64
	preMax, lastMax := hi/10, hi%10
	for ; i < len(b) && isDigit(b[i]); i++ {
		d := uint64(b[i] - '0')
		if n > preMax || (n == preMax && d > lastMax) {
			return 0, false
		}
		n = n*10 + d
	}
	if skipSpace(b, i) != len(b) {
		return 0, false
	}
	return n, true
}

// intViaFloat is NumPy 1.23+'s deprecated fallback for an integer column
// whose cell is not an integer: the cell is parsed as a float and truncated
// toward zero ("1.5" is 1, "1e3" is 1000). NumPy then casts with C, whose
// result for a value outside the type (NaN, inf, 300 for int8, -1 for
// uint8) is undefined and differs between machines; here such a value is
// refused. lo and hi are the type's bounds as floats: hi is exclusive.
func intViaFloat(b []byte, lo, hiExclusive float64) (float64, bool) {
	v, ok := parseFloat(b)
	if !ok {
		return 0, false
	}
	t := math.Trunc(v)
	if !(t >= lo && t < hiExclusive) { // also false for NaN
		return 0, false
	}
	return t, true
}

// parseComplex parses a whole cell as NumPy's loadtxt parses a complex:
// white space around it; optional parentheses, with white space inside
// them; a real part, an imaginary part with the unit j ("1.5j"), or both
// joined by + or - ("1+2j", "1-2j", "1+-2j", "inf+nanj"); no space between
// the parts and no capital J.
func parseComplex(b []byte) (re, im float64, ok bool) {
	const unit = 'j'
	i := skipSpace(b, 0)
	paren := false
	if i < len(b) && b[i] == '(' {
		paren = true
		i = skipSpace(b, i+1)
	}
	re, i, ok = floatPrefix(b, i)
	if !ok {
		return 0, 0, false
	}
	if i == len(b) {
		if paren {
			return 0, 0, false
		}
		return re, 0, true
	}
	switch b[i] {
	case unit:
		re, im = 0, re
		i++
	case '+', '-':
		if b[i] == '+' {
			i++ // so that "1+-2j" and "1++2j" parse, as in NumPy
		}
		im, i, ok = floatPrefix(b, i)
		if !ok || i == len(b) || b[i] != unit {
			return 0, 0, false
		}
		i++
	}
	if paren {
		i = skipSpace(b, i)
		if i == len(b) || b[i] != ')' {
			return 0, 0, false
		}
		i++
	}
	if skipSpace(b, i) != len(b) {
		return 0, 0, false
	}
	return re, im, true
}
