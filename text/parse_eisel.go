package text

import (
	"math"
	"math/big"
	"math/bits"
	"sync"
)

// The Eisel-Lemire algorithm turns a decimal mantissa of up to 19 digits and
// a power of ten into the correctly rounded float64 with one or two 64x64-bit
// multiplications, or reports that it cannot decide (rarely; strconv then
// does). strconv.ParseFloat uses it too, but only after scanning the text
// again; parse.go has already gathered the digits. See Nigel Tao's
// description, https://nigeltao.github.io/blog/2020/eisel-lemire.html.

const (
	pow10MinExp = -348
	pow10MaxExp = 347
)

// pow10Table holds, for each e in [pow10MinExp, pow10MaxExp], 10**e times
// the power of two that brings it into [2**127, 2**128), rounded down, as
// {high 64 bits, low 64 bits}. It is computed once, on first use.
var pow10Table = sync.OnceValue(func() [][2]uint64 {
	table := make([][2]uint64, 0, pow10MaxExp-pow10MinExp+1)
	ten := big.NewInt(10)
	mask64 := new(big.Int).SetUint64(math.MaxUint64)
	for e := pow10MinExp; e <= pow10MaxExp; e++ {
		var m *big.Int
		if e >= 0 {
			m = new(big.Int).Exp(ten, big.NewInt(int64(e)), nil)
			if n := m.BitLen(); n > 128 {
				m.Rsh(m, uint(n-128))
			} else {
				m.Lsh(m, uint(128-n))
			}
		} else {
			// 2**k / 10**-e with k such that the quotient has 128 bits:
			// 10**-e lies in [2**(n-1), 2**n), so k = 127+n does.
			p := new(big.Int).Exp(ten, big.NewInt(int64(-e)), nil)
			m = new(big.Int).Lsh(big.NewInt(1), uint(127+p.BitLen()))
			m.Quo(m, p)
		}
		lo := new(big.Int).And(m, mask64).Uint64()
		hi := new(big.Int).Rsh(m, 64).Uint64()
		table = append(table, [2]uint64{hi, lo})
	}
	return table
})

// eiselLemire returns man * 10**exp10, correctly rounded, negated when neg,
// or false when it cannot tell the rounding or the result is out of the
// normal range (the caller then asks strconv).
func eiselLemire(man uint64, exp10 int, neg bool) (float64, bool) {
	if man == 0 {
		if neg {
			return math.Copysign(0, -1), true
		}
		return 0, true
	}
	if exp10 < pow10MinExp || exp10 > pow10MaxExp {
		return 0, false
	}
	pow := pow10Table()[exp10-pow10MinExp]
	clz := bits.LeadingZeros64(man)
	man <<= uint(clz)
	const bias = 1023
	retExp2 := uint64(217706*exp10>>16+64+bias) - uint64(clz)
	xHi, xLo := bits.Mul64(man, pow[0])
	if xHi&0x1FF == 0x1FF && xLo+man < man {
		// The product with the high half may be off by the low half.
		yHi, yLo := bits.Mul64(man, pow[1])
		mergedHi, mergedLo := xHi, xLo+yHi
		if mergedLo < xLo {
			mergedHi++
		}
		if mergedHi&0x1FF == 0x1FF && mergedLo+1 == 0 && yLo+man < man {
			return 0, false
		}
		xHi, xLo = mergedHi, mergedLo
	}
	msb := xHi >> 63
	mant := xHi >> (msb + 9)
	retExp2 -= 1 ^ msb
	if xLo == 0 && xHi&0x1FF == 0 && mant&3 == 1 {
		return 0, false // halfway between two floats: strconv decides
	}
	mant += mant & 1
	mant >>= 1
	if mant>>53 > 0 {
		mant >>= 1
		retExp2++
	}
	if retExp2-1 >= 0x7FF-1 { // subnormal, zero, or infinite
		return 0, false
	}
	b := retExp2<<52 | mant&(1<<52-1)
	if neg {
		b |= 1 << 63
	}
	return math.Float64frombits(b), true
}
