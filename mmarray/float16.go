package mmarray

import (
	"math"
	"strconv"
)

// Float16 is one element of NumPy's float16 (IEEE 754 binary16), held as
// its 16 bits. The conversions follow NumPy's own (numpy/core/src/npymath/
// halffloat.c) bit for bit: rounding to nearest even, overflow to
// infinity, and NaN payloads carried over, so a value converted here and
// one converted by NumPy's astype are the same bits.
type Float16 uint16

// Bits is h's IEEE 754 binary16 encoding.
func (h Float16) Bits() uint16 { return uint16(h) }

// IsNaN reports whether h is a NaN.
func (h Float16) IsNaN() bool { return h&0x7c00 == 0x7c00 && h&0x03ff != 0 }

// String formats h, in strconv's 'g' form, as the shortest decimal that
// converts back to h, the closest such one when several have as few
// digits (half to even): NumPy's digits ("0.1" for the float16 nearest 0.1, "0.01563"
// for 2⁻⁶).
func (h Float16) String() string {
	x := h.Float64()
	if h.IsNaN() || math.IsInf(x, 0) || x == 0 {
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	for digits := 1; digits <= 5; digits++ {
		// The correctly rounded digits may fall just outside h's rounding
		// interval where it is lopsided (at a power of two) while a
		// neighbour one unit away falls inside: try all three.
		exp := int(math.Floor(math.Log10(math.Abs(x)))) - (digits - 1)
		k := int64(math.Round(x / math.Pow10(exp)))
		best, bestDigits, found := 0.0, int64(0), false
		for _, c := range []int64{k - 1, k, k + 1} {
			y, err := strconv.ParseFloat(strconv.FormatInt(c, 10)+"e"+strconv.Itoa(exp), 64)
			if err != nil || Float16FromFloat64(y) != h {
				continue
			}
			// The closest; of two as close, the one ending in an even
			// digit, as NumPy prints them.
			if d, bd := math.Abs(y-x), math.Abs(best-x); !found || d < bd || (d == bd && c%2 == 0 && bestDigits%2 != 0) {
				best, bestDigits, found = y, c, true
			}
		}
		if found {
			return strconv.FormatFloat(best, 'g', -1, 64)
		}
	}
	return strconv.FormatFloat(x, 'g', -1, 64) // exact; not reached: five digits tell float16s apart
}

// Float32 is h as a float32, exactly (every float16 is a float32).
func (h Float16) Float32() float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h & 0x7c00)
	sig := uint32(h & 0x03ff)
	switch exp {
	case 0: // zero or subnormal: normalise the significand
		if sig == 0 {
			return math.Float32frombits(sign)
		}
		shift := uint32(0)
		for sig&0x0400 == 0 {
			sig <<= 1
			shift++
		}
		return math.Float32frombits(sign | (127-15+1-shift)<<23 | (sig&0x03ff)<<13)
	case 0x7c00: // infinity or NaN, payload kept
		return math.Float32frombits(sign | 0x7f800000 | sig<<13)
	}
	return math.Float32frombits(sign | (uint32(h&0x7fff)+0x1c000)<<13)
}

// Float64 is h as a float64, exactly.
func (h Float16) Float64() float64 {
	sign := uint64(h&0x8000) << 48
	exp := uint64(h & 0x7c00)
	sig := uint64(h & 0x03ff)
	switch exp {
	case 0:
		if sig == 0 {
			return math.Float64frombits(sign)
		}
		shift := uint64(0)
		for sig&0x0400 == 0 {
			sig <<= 1
			shift++
		}
		return math.Float64frombits(sign | (1023-15+1-shift)<<52 | (sig&0x03ff)<<42)
	case 0x7c00:
		return math.Float64frombits(sign | 0x7ff0000000000000 | sig<<42)
	}
	return math.Float64frombits(sign | (uint64(h&0x7fff)+0xfc000)<<42)
}

// Float16FromFloat32 rounds f to the nearest float16, ties to even, as
// NumPy's float32 to float16 cast does: too large a magnitude becomes
// infinity, too small a signed zero, and a NaN stays a NaN with the top
// bits of its payload.
func Float16FromFloat32(f float32) Float16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := b & 0x7f800000
	switch {
	case exp >= 0x47800000: // overflow, infinity or NaN
		sig := b & 0x007fffff
		if exp == 0x7f800000 && sig != 0 {
			h := uint16(0x7c00 + sig>>13)
			if h == 0x7c00 {
				h++ // the payload's top bits were zero: keep it a NaN
			}
			return Float16(sign | h)
		}
		return Float16(sign | 0x7c00)
	case exp <= 0x38000000: // a float16 subnormal, or zero
		if exp < 0x33000000 {
			return Float16(sign)
		}
		e := exp >> 23
		sig := 0x00800000 + b&0x007fffff
		sig >>= 113 - e
		// Round half to even. The shift above may have dropped up to 11
		// low bits, which the original still has: any of them set means
		// the value is above the halfway point.
		if sig&0x00003fff != 0x00001000 || b&0x000007ff != 0 {
			sig += 0x00001000
		}
		// A carry out of the significand makes the smallest normal,
		// which is right.
		return Float16(sign | uint16(sig>>13))
	}
	h := uint16((exp - 0x38000000) >> 13)
	sig := b & 0x007fffff
	if sig&0x00003fff != 0x00001000 { // round half to even
		sig += 0x00001000
	}
	// A carry out of the significand increments the exponent, up to
	// infinity, which is right.
	return Float16(sign | (h + uint16(sig>>13)))
}

// Float16FromFloat64 rounds f to the nearest float16, ties to even, as
// NumPy's float64 to float16 cast does: directly, not through float32,
// which could round twice.
func Float16FromFloat64(f float64) Float16 {
	b := math.Float64bits(f)
	sign := uint16(b>>48) & 0x8000
	exp := b & 0x7ff0000000000000
	switch {
	case exp >= 0x40f0000000000000: // overflow, infinity or NaN
		sig := b & 0x000fffffffffffff
		if exp == 0x7ff0000000000000 && sig != 0 {
			h := uint16(0x7c00 + sig>>42)
			if h == 0x7c00 {
				h++
			}
			return Float16(sign | h)
		}
		return Float16(sign | 0x7c00)
	case exp <= 0x3f00000000000000: // a float16 subnormal, or zero
		if exp < 0x3e60000000000000 {
			return Float16(sign)
		}
		e := exp >> 52
		sig := 0x0010000000000000 + b&0x000fffffffffffff
		// Shift left rather than right, so that no bit is lost and the
		// halfway test below sees them all.
		sig <<= e - 998
		if sig&0x003fffffffffffff != 0x0010000000000000 {
			sig += 0x0010000000000000
		}
		return Float16(sign | uint16(sig>>53))
	}
	h := uint16((exp - 0x3f00000000000000) >> 42)
	sig := b & 0x000fffffffffffff
	if sig&0x000007ffffffffff != 0x0000020000000000 {
		sig += 0x0000020000000000
	}
	return Float16(sign | (h + uint16(sig>>42)))
}
