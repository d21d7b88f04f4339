// Package nprepr formats the elements of mapped arrays as NumPy 1.24 prints
// them: str() of a NumPy scalar for numbers, bools, datetimes and
// timedeltas, repr() for bytes and str items (b'..' and '..'), so that text
// printed from Go can be compared with text printed by NumPy. Columns builds
// one formatter per column of a File (the array itself, or each field of a
// structured dtype), which is what cmd/memmap's head prints; AppendTuple
// and Shape print tuples as Python does, for a structured row and for the
// shapes cmd/memmap prints.
//
// It is internal because it is one command's presentation, not a stable API:
// the per-element rules are NumPy's, but the layout around them (one row per
// line, brackets for trailing axes) is this module's choice.
//
// # Caveats
//
//   - Elements are formatted one by one as NumPy formats a scalar, not with
//     array2string's common format for a whole array: a float64 0.5 prints
//     "0.5" here, where print(np.array([0.5, 1e20])) shows 5.0e-01.
//   - Datetimes are checked against NumPy for years of up to six digits,
//     negative ones included; a count whose unit multiplier ("10s") takes it
//     past int64 prints as the raw count and unit, "12 [10s]", where NumPy
//     would convert it (or fail).
//   - longdouble (f12, f16) and clongdouble items print as their raw bytes,
//     b'...', as mmarray views them: their format is the writing machine's.
//     V<n> items print as NumPy's str of them does, b'...'.
//   - A string item prints whole, however long: an item of a U<n> with a huge
//     n makes a line as long.
//   - Python's repr of a str keeps printable non-ASCII characters; which
//     characters are printable follows Go's unicode tables, which may differ
//     from the Python's Unicode version for rare characters.
package nprepr

import (
	"math"
	"strconv"
	"strings"

	"github.com/go-memmap/memmap/mmarray"
)

// AppendFloat appends x as NumPy prints a float scalar of the given bit
// size (16, 32 or 64): the shortest digits that read back to the same value
// of that size, positional with at least one decimal ("0.1", "1.0") when
// 1e-4 <= |x| < 1e16 or x is zero, scientific otherwise ("1e+20",
// "1.5e-05"); "nan", "inf", "-inf".
func AppendFloat(dst []byte, x float64, bits int) []byte {
	return appendFloat(dst, x, bits, false)
}

// appendFloat implements AppendFloat; trim drops a bare ".0" as NumPy does
// inside complex numbers ("(1+2j)").
func appendFloat(dst []byte, x float64, bits int, trim bool) []byte {
	switch {
	case math.IsNaN(x):
		return append(dst, "nan"...)
	case math.IsInf(x, 1):
		return append(dst, "inf"...)
	case math.IsInf(x, -1):
		return append(dst, "-inf"...)
	}
	var digits string
	if bits == 16 {
		// Float16's String gives NumPy's shortest digits; a decimal that
		// short reads back into float64 and prints the same digits.
		v, _ := strconv.ParseFloat(mmarray.Float16FromFloat64(x).String(), 64)
		digits = strconv.FormatFloat(v, 'e', -1, 64)
	} else {
		digits = strconv.FormatFloat(x, 'e', -1, bits)
	}
	// digits is "-d.ddde±XX": split into sign, mantissa digits and exponent.
	neg := digits[0] == '-'
	if neg {
		digits = digits[1:]
		dst = append(dst, '-')
	}
	e := strings.IndexByte(digits, 'e')
	mant := strings.Replace(digits[:e], ".", "", 1)
	exp, _ := strconv.Atoi(digits[e+1:])
	abs := math.Abs(x)
	if abs != 0 && (abs < 1e-4 || abs >= 1e16) {
		dst = append(dst, mant[0])
		if len(mant) > 1 {
			dst = append(dst, '.')
			dst = append(dst, mant[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	if abs == 0 {
		mant, exp = "0", 0
	}
	point := exp + 1 // digits before the decimal point
	switch {
	case point <= 0:
		dst = append(dst, "0."...)
		dst = append(dst, strings.Repeat("0", -point)...)
		return append(dst, mant...)
	case point >= len(mant):
		dst = append(dst, mant...)
		dst = append(dst, strings.Repeat("0", point-len(mant))...)
		if trim {
			return dst
		}
		return append(dst, ".0"...)
	default:
		dst = append(dst, mant[:point]...)
		dst = append(dst, '.')
		return append(dst, mant[point:]...)
	}
}

// AppendComplex appends the complex number (re, im) as NumPy prints a
// complex scalar whose parts have the given bit size (32 or 64): "2j" for a
// real part of +0, "(1.5-2j)" otherwise, parts without a bare ".0".
func AppendComplex(dst []byte, re, im float64, bits int) []byte {
	if re == 0 && !math.Signbit(re) {
		dst = appendFloat(dst, im, bits, true)
		return append(dst, 'j')
	}
	dst = append(dst, '(')
	dst = appendFloat(dst, re, bits, true)
	if !(im < 0 || math.Signbit(im)) || math.IsNaN(im) {
		dst = append(dst, '+')
	}
	dst = appendFloat(dst, im, bits, true)
	return append(dst, "j)"...)
}

// AppendBool appends True or False.
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "True"...)
	}
	return append(dst, "False"...)
}
