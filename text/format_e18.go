package text

import (
	"math"
	"math/bits"
	"strconv"
)

// np.savetxt's default format, %.18e, asks for 19 significant digits, one
// more than strconv's fast fixed-precision path (Ryū, up to 18 digits)
// handles: strconv falls back to its multiprecision decimal, which took
// four fifths of Save's time. appendE18 computes the 19 digits exactly in
// 192-bit integer arithmetic instead, for the doubles between 1e-20 and
// 1e38 (the ones data holds, nearly always), and leaves the others to
// strconv. The result is the same correctly rounded text: x = m·2^e is
// scaled by 10^k into an integer part N of 19 digits and a remainder,
// both exact, and N is rounded half to even on the remainder.

// pow10s[k] is 10^k as a 128-bit integer (hi, lo), k <= 38.
var pow10s = func() (p [39][2]uint64) {
	p[0] = [2]uint64{0, 1}
	for k := 1; k < len(p); k++ {
		hiLo, lo := bits.Mul64(p[k-1][1], 10)
		p[k] = [2]uint64{p[k-1][0]*10 + hiLo, lo}
	}
	return p
}()

const (
	e18Low  uint64 = 1e18 // the least 19-digit N
	e18High uint64 = 1e19 // the least 20-digit N
)

// appendE18 appends x, finite and >= 0, as strconv.AppendFloat(dst, x,
// 'e', 18, 64) does.
func appendE18(dst []byte, x float64) []byte {
	b := math.Float64bits(x)
	biased := int(b >> 52 & 0x7ff)
	if biased == 0 { // zero and subnormals: rare, and outside the range below
		return strconv.AppendFloat(dst, x, 'e', 18, 64)
	}
	m := b&(1<<52-1) | 1<<52
	e := biased - 1075
	// X, the decimal exponent, estimated from the binary one (log10(2) ≈
	// 78913/2^18) and corrected below.
	exp := ((e + 52) * 78913) >> 18
	for range 3 {
		if exp < -20 || exp > 37 {
			break
		}
		n, up, ok := scaled19(m, e, 18-exp)
		switch {
		case !ok || n >= e18High:
			exp++
			continue
		case n < e18Low:
			exp--
			continue
		}
		if up {
			if n++; n == e18High {
				n, exp = e18Low, exp+1
			}
		}
		return appendScientific(dst, n, exp)
	}
	return strconv.AppendFloat(dst, x, 'e', 18, 64)
}

// scaled19 returns the integer part n of m·2^e·10^k and whether rounding
// it half to even goes up; ok is false when n does not fit 64 bits (or the
// arithmetic would not fit 192), which the caller's exponent corrects.
func scaled19(m uint64, e, k int) (n uint64, up, ok bool) {
	if k < 0 {
		// n = m·2^e / 10^-k, with m·2^e in 128 bits.
		if -k > 19 || e < 0 || e > 75 {
			return 0, false, false
		}
		d := pow10s[-k][1]
		var hi, lo uint64
		if e < 64 {
			hi, lo = m>>(64-e), m<<e // m>>64 is 0 in Go
		} else {
			hi = m << (e - 64)
		}
		if hi >= d {
			return 0, false, false
		}
		q, r := bits.Div64(hi, lo, d)
		// Half to even: up when r > d/2, or r == d/2 and q is odd.
		half := d - r
		return q, r > half || (r == half && q&1 == 1), true
	}
	// p = m·10^k in 192 bits (p2, p1, p0).
	t := pow10s[k]
	a1, a0 := bits.Mul64(m, t[1])
	b1, b0 := bits.Mul64(m, t[0])
	p0 := a0
	p1, c := bits.Add64(a1, b0, 0)
	p2 := b1 + c
	if e >= 0 {
		// n = p << e: p must fit 64 bits less e.
		if p2 != 0 || p1 != 0 || e >= 64 || p0>>(64-e) != 0 { // p0>>64 is 0
			return 0, false, false
		}
		return p0 << e, false, true
	}
	s := -e
	if s >= 128 {
		return 0, false, false
	}
	// n = p >> s, which must fit 64 bits; the rounding looks at bit s-1
	// (the half) and the bits below it.
	var n1 uint64
	switch {
	case s == 0:
		n, n1 = p0, p1
	case s < 64:
		n, n1 = p0>>s|p1<<(64-s), p1>>s|p2<<(64-s)
		if p2>>s != 0 {
			return 0, false, false
		}
	case s == 64:
		n, n1 = p1, p2
	default:
		n, n1 = p1>>(s-64)|p2<<(128-s), p2>>(s-64)
	}
	if n1 != 0 {
		return 0, false, false
	}
	halfBit, below := bitAndBelow(p0, p1, s-1)
	return n, halfBit && (below || n&1 == 1), true
}

// bitAndBelow reports bit i of the 128-bit (p1, p0) and whether any bit
// below it is set.
func bitAndBelow(p0, p1 uint64, i int) (bit, below bool) {
	if i < 64 {
		return p0>>i&1 == 1, p0&(1<<i-1) != 0
	}
	return p1>>(i-64)&1 == 1, p0 != 0 || p1&(1<<(i-64)-1) != 0
}

// appendScientific appends the 19 digits of n (10^18 <= n < 10^19) as
// d.dddddddddddddddddde±XX.
func appendScientific(dst []byte, n uint64, exp int) []byte {
	var digits [19]byte
	for k := 18; k >= 0; k-- {
		digits[k] = byte('0' + n%10)
		n /= 10
	}
	dst = append(dst, digits[0], '.')
	dst = append(dst, digits[1:]...)
	dst = append(dst, 'e')
	if exp < 0 {
		dst, exp = append(dst, '-'), -exp
	} else {
		dst = append(dst, '+')
	}
	if exp < 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, int64(exp), 10)
}
