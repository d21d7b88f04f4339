package codec

import "encoding/binary"

// Blosc's filters rearrange a block's bytes so that the compressor sees
// like with like. The byte shuffle writes byte j of every element together
// (a "plane" per byte of the element); the bit shuffle writes bit b of byte
// j of every element together (a row per bit). Bytes after the last whole
// element are kept where they are. The byte shuffle has loops of its own
// for the typesizes of NumPy's common dtypes (2, 4, 8); any other goes
// through the generic loop, as every typesize does for the bit shuffle.

// byteShuffle writes src's elements of size typesize byte-plane by
// byte-plane into dst (len(dst) == len(src)).
func byteShuffle(dst, src []byte, typesize int) {
	n := len(src) / typesize
	whole := n * typesize
	switch typesize {
	case 2:
		p0, p1 := dst[:n], dst[n:2*n]
		for i := range p0 {
			p0[i], p1[i] = src[2*i], src[2*i+1]
		}
	case 4:
		p0, p1, p2, p3 := dst[:n], dst[n:2*n], dst[2*n:3*n], dst[3*n:4*n]
		for i := range p0 {
			v := binary.LittleEndian.Uint32(src[4*i:])
			p0[i], p1[i], p2[i], p3[i] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		}
	case 8:
		p0, p1, p2, p3 := dst[:n], dst[n:2*n], dst[2*n:3*n], dst[3*n:4*n]
		p4, p5, p6, p7 := dst[4*n:5*n], dst[5*n:6*n], dst[6*n:7*n], dst[7*n:8*n]
		for i := range p0 {
			v := binary.LittleEndian.Uint64(src[8*i:])
			p0[i], p1[i], p2[i], p3[i] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
			p4[i], p5[i], p6[i], p7[i] = byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56)
		}
	default:
		for j := range typesize {
			plane := dst[j*n : (j+1)*n]
			for i := range plane {
				plane[i] = src[i*typesize+j]
			}
		}
	}
	copy(dst[whole:], src[whole:])
}

// byteUnshuffle undoes byteShuffle: src holds the planes, dst gets the
// elements.
func byteUnshuffle(dst, src []byte, typesize int) {
	n := len(src) / typesize
	whole := n * typesize
	switch typesize {
	case 2:
		p0, p1 := src[:n], src[n:2*n]
		for i := range p0 {
			dst[2*i], dst[2*i+1] = p0[i], p1[i]
		}
	case 4:
		p0, p1, p2, p3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		for i := range p0 {
			binary.LittleEndian.PutUint32(dst[4*i:],
				uint32(p0[i])|uint32(p1[i])<<8|uint32(p2[i])<<16|uint32(p3[i])<<24)
		}
	case 8:
		p0, p1, p2, p3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		p4, p5, p6, p7 := src[4*n:5*n], src[5*n:6*n], src[6*n:7*n], src[7*n:8*n]
		for i := range p0 {
			binary.LittleEndian.PutUint64(dst[8*i:],
				uint64(p0[i])|uint64(p1[i])<<8|uint64(p2[i])<<16|uint64(p3[i])<<24|
					uint64(p4[i])<<32|uint64(p5[i])<<40|uint64(p6[i])<<48|uint64(p7[i])<<56)
		}
	default:
		for j := range typesize {
			plane := src[j*n : (j+1)*n]
			for i, b := range plane {
				dst[i*typesize+j] = b
			}
		}
	}
	copy(dst[whole:], src[whole:])
}

// transposeBits8x8 transposes the 8×8 bit matrix whose row m is byte m of
// x (little-endian): bit b of byte m becomes bit m of byte b. It is its
// own inverse.
func transposeBits8x8(x uint64) uint64 {
	t := (x ^ (x >> 7)) & 0x00AA00AA00AA00AA
	x ^= t ^ (t << 7)
	t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCC
	x ^= t ^ (t << 14)
	t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0
	x ^= t ^ (t << 28)
	return x
}

// bitShuffle writes src's elements of size typesize as 8*typesize rows of
// bits into dst (len(dst) == len(src)): row 8j+b holds bit b of byte j of
// each element, element i at bit i%8 of the row's byte i/8. As c-blosc's,
// it only shuffles a whole number of groups of 8 elements: a block of
// another count is copied as it is.
func bitShuffle(dst, src []byte, typesize int) {
	n := len(src) / typesize
	if n%8 != 0 {
		copy(dst, src)
		return
	}
	whole := n * typesize
	rowLen := n / 8
	for j := range typesize {
		rows := dst[8*j*rowLen : 8*(j+1)*rowLen]
		for g := range rowLen {
			base := 8*g*typesize + j
			var x uint64
			for m := range 8 {
				x |= uint64(src[base+m*typesize]) << (8 * m)
			}
			x = transposeBits8x8(x)
			for b := range 8 {
				rows[b*rowLen+g] = byte(x >> (8 * b))
			}
		}
	}
	copy(dst[whole:], src[whole:])
}

// bitUnshuffle undoes bitShuffle.
func bitUnshuffle(dst, src []byte, typesize int) {
	n := len(src) / typesize
	if n%8 != 0 {
		copy(dst, src)
		return
	}
	whole := n * typesize
	rowLen := n / 8
	for j := range typesize {
		rows := src[8*j*rowLen : 8*(j+1)*rowLen]
		for g := range rowLen {
			var x uint64
			for b := range 8 {
				x |= uint64(rows[b*rowLen+g]) << (8 * b)
			}
			x = transposeBits8x8(x)
			base := 8*g*typesize + j
			for m := range 8 {
				dst[base+m*typesize] = byte(x >> (8 * m))
			}
		}
	}
	copy(dst[whole:], src[whole:])
}
