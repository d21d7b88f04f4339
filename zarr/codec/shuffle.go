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
		done := shuffle2Words(dst[:n], dst[n:2*n], src)
		p0, p1 := dst[:n], dst[n:2*n]
		for i := done; i < n; i++ {
			p0[i], p1[i] = src[2*i], src[2*i+1]
		}
	case 4:
		done := shuffle4Vector(dst[:whole], src[:whole], n)
		done = shuffle4Words(dst[:whole], src[:whole], n, done)
		p0, p1, p2, p3 := dst[:n], dst[n:2*n], dst[2*n:3*n], dst[3*n:4*n]
		for i := done; i < n; i++ {
			v := binary.LittleEndian.Uint32(src[4*i:])
			p0[i], p1[i], p2[i], p3[i] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		}
	case 8:
		done := shuffle8Vector(dst[:whole], src[:whole], n)
		done = shuffle8Words(dst[:whole], src[:whole], n, done)
		p0, p1, p2, p3 := dst[:n], dst[n:2*n], dst[2*n:3*n], dst[3*n:4*n]
		p4, p5, p6, p7 := dst[4*n:5*n], dst[5*n:6*n], dst[6*n:7*n], dst[7*n:8*n]
		for i := done; i < n; i++ {
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
		done := unshuffle2Words(dst, p0, p1)
		for i := done; i < n; i++ {
			dst[2*i], dst[2*i+1] = p0[i], p1[i]
		}
	case 4:
		done := unshuffle4Vector(dst[:whole], src[:whole], n)
		done = unshuffle4Words(dst[:whole], src[:whole], n, done)
		p0, p1, p2, p3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		for i := done; i < n; i++ {
			binary.LittleEndian.PutUint32(dst[4*i:],
				uint32(p0[i])|uint32(p1[i])<<8|uint32(p2[i])<<16|uint32(p3[i])<<24)
		}
	case 8:
		done := unshuffle8Vector(dst[:whole], src[:whole], n)
		done = unshuffle8Words(dst[:whole], src[:whole], n, done)
		p0, p1, p2, p3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		p4, p5, p6, p7 := src[4*n:5*n], src[5*n:6*n], src[6*n:7*n], src[7*n:8*n]
		for i := done; i < n; i++ {
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

// The fast loops below move eight elements at a time as 64-bit words: the
// bytes of eight 8-byte elements are an 8×8 byte matrix, and shuffling is
// transposing it, in three rounds of swapping halves (bytes, then byte
// pairs, then 4-byte halves) between words. They return how many elements
// they did (a multiple of 8); the plain loops do the rest. For 8- and
// 4-byte elements on amd64, SSE2 code (shuffle_amd64.s) does 16 at a time
// first (the 8-byte shuffle 32 at a time in AVX2 where the CPU has it) and
// the word loops only the eight that may be left.

// Masks of the low byte of each 2-byte lane, and the low pair of each
// 4-byte lane.
const (
	evenBytes = 0x00FF00FF00FF00FF
	evenPairs = 0x0000FFFF0000FFFF
	lowHalf   = 0x00000000FFFFFFFF
)

// swapLanes swaps, between a and b, the lanes of a's mask<<shift bits
// and b's mask bits: one round of a transpose.
func swapLanes(a, b uint64, shift uint, mask uint64) (uint64, uint64) {
	t := (a>>shift ^ b) & mask
	return a ^ t<<shift, b ^ t
}

// transposeBytes8x8 transposes the 8×8 byte matrix whose row k is word rk
// (byte c of the row is bits 8c..8c+7): word c of the result holds byte c
// of each row, row k at byte k. The words travel in registers, hence the
// spelled-out arguments.
func transposeBytes8x8(r0, r1, r2, r3, r4, r5, r6, r7 uint64) (c0, c1, c2, c3, c4, c5, c6, c7 uint64) {
	r0, r1 = swapLanes(r0, r1, 8, evenBytes)
	r2, r3 = swapLanes(r2, r3, 8, evenBytes)
	r4, r5 = swapLanes(r4, r5, 8, evenBytes)
	r6, r7 = swapLanes(r6, r7, 8, evenBytes)
	r0, r2 = swapLanes(r0, r2, 16, evenPairs)
	r1, r3 = swapLanes(r1, r3, 16, evenPairs)
	r4, r6 = swapLanes(r4, r6, 16, evenPairs)
	r5, r7 = swapLanes(r5, r7, 16, evenPairs)
	r0, r4 = swapLanes(r0, r4, 32, lowHalf)
	r1, r5 = swapLanes(r1, r5, 32, lowHalf)
	r2, r6 = swapLanes(r2, r6, 32, lowHalf)
	r3, r7 = swapLanes(r3, r7, 32, lowHalf)
	return r0, r1, r2, r3, r4, r5, r6, r7
}

// shuffle8Words shuffles the n 8-byte elements of src from element from (a
// multiple of 8) up to the last whole eight into the planes of n bytes in
// dst, and returns how many are done from the first.
func shuffle8Words(dst, src []byte, n, from int) int {
	le := binary.LittleEndian
	p0, p1, p2, p3 := dst[:n], dst[n:2*n], dst[2*n:3*n], dst[3*n:4*n]
	p4, p5, p6, p7 := dst[4*n:5*n], dst[5*n:6*n], dst[6*n:7*n], dst[7*n:8*n]
	src = src[:8*n]
	for i := from; i+8 <= n; i += 8 {
		in := src[8*i : 8*i+64]
		c0, c1, c2, c3, c4, c5, c6, c7 := transposeBytes8x8(
			le.Uint64(in[0:]), le.Uint64(in[8:]), le.Uint64(in[16:]), le.Uint64(in[24:]),
			le.Uint64(in[32:]), le.Uint64(in[40:]), le.Uint64(in[48:]), le.Uint64(in[56:]))
		le.PutUint64(p0[i:], c0)
		le.PutUint64(p1[i:], c1)
		le.PutUint64(p2[i:], c2)
		le.PutUint64(p3[i:], c3)
		le.PutUint64(p4[i:], c4)
		le.PutUint64(p5[i:], c5)
		le.PutUint64(p6[i:], c6)
		le.PutUint64(p7[i:], c7)
	}
	return n / 8 * 8
}

// unshuffle8Words undoes shuffle8Words: the planes of n bytes in src
// become the elements in dst, from element from to the last whole eight.
func unshuffle8Words(dst, src []byte, n, from int) int {
	le := binary.LittleEndian
	p0, p1, p2, p3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
	p4, p5, p6, p7 := src[4*n:5*n], src[5*n:6*n], src[6*n:7*n], src[7*n:8*n]
	dst = dst[:8*n]
	for i := from; i+8 <= n; i += 8 {
		e0, e1, e2, e3, e4, e5, e6, e7 := transposeBytes8x8(
			le.Uint64(p0[i:]), le.Uint64(p1[i:]), le.Uint64(p2[i:]), le.Uint64(p3[i:]),
			le.Uint64(p4[i:]), le.Uint64(p5[i:]), le.Uint64(p6[i:]), le.Uint64(p7[i:]))
		out := dst[8*i : 8*i+64]
		le.PutUint64(out[0:], e0)
		le.PutUint64(out[8:], e1)
		le.PutUint64(out[16:], e2)
		le.PutUint64(out[24:], e3)
		le.PutUint64(out[32:], e4)
		le.PutUint64(out[40:], e5)
		le.PutUint64(out[48:], e6)
		le.PutUint64(out[56:], e7)
	}
	return n / 8 * 8
}

// transposeBytes4x4Pairs transposes the two 4×4 byte matrices held in the
// low and the high halves of four words (row k in word rk), as
// transposeBytes8x8 does with its first two rounds.
func transposeBytes4x4Pairs(r0, r1, r2, r3 uint64) (c0, c1, c2, c3 uint64) {
	r0, r1 = swapLanes(r0, r1, 8, evenBytes)
	r2, r3 = swapLanes(r2, r3, 8, evenBytes)
	r0, r2 = swapLanes(r0, r2, 16, evenPairs)
	r1, r3 = swapLanes(r1, r3, 16, evenPairs)
	return r0, r1, r2, r3
}

// shuffle4Words shuffles the n 4-byte elements of src from element from (a
// multiple of 8) up to the last whole eight into the planes of n bytes in
// dst, and returns how many are done from the first. Element k and k+4 of
// each eight share word k, in its low and high half.
func shuffle4Words(dst, src []byte, n, from int) int {
	le := binary.LittleEndian
	p0, p1, p2, p3 := dst[:n], dst[n:2*n], dst[2*n:3*n], dst[3*n:4*n]
	src = src[:4*n]
	for i := from; i+8 <= n; i += 8 {
		in := src[4*i : 4*i+32]
		w0, w1, w2, w3 := le.Uint64(in), le.Uint64(in[8:]), le.Uint64(in[16:]), le.Uint64(in[24:])
		c0, c1, c2, c3 := transposeBytes4x4Pairs(
			w0&lowHalf|w2<<32, w0>>32|w2&^lowHalf, w1&lowHalf|w3<<32, w1>>32|w3&^lowHalf)
		le.PutUint64(p0[i:], c0)
		le.PutUint64(p1[i:], c1)
		le.PutUint64(p2[i:], c2)
		le.PutUint64(p3[i:], c3)
	}
	return n / 8 * 8
}

// unshuffle4Words undoes shuffle4Words.
func unshuffle4Words(dst, src []byte, n, from int) int {
	le := binary.LittleEndian
	p0, p1, p2, p3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
	dst = dst[:4*n]
	for i := from; i+8 <= n; i += 8 {
		e0, e1, e2, e3 := transposeBytes4x4Pairs(le.Uint64(p0[i:]), le.Uint64(p1[i:]), le.Uint64(p2[i:]), le.Uint64(p3[i:]))
		out := dst[4*i : 4*i+32]
		le.PutUint64(out, e0&lowHalf|e1<<32)
		le.PutUint64(out[8:], e2&lowHalf|e3<<32)
		le.PutUint64(out[16:], e0>>32|e1&^lowHalf)
		le.PutUint64(out[24:], e2>>32|e3&^lowHalf)
	}
	return n / 8 * 8
}

// gatherEvenBytes packs the even bytes of w (bytes 0, 2, 4, 6) into the
// low 4 bytes of the result.
func gatherEvenBytes(w uint64) uint64 {
	w &= evenBytes
	w = (w | w>>8) & evenPairs
	return (w | w>>16) & lowHalf
}

// spreadEvenBytes undoes gatherEvenBytes: the low 4 bytes of w go to the
// even bytes of the result.
func spreadEvenBytes(w uint64) uint64 {
	w &= lowHalf
	w = (w | w<<16) & evenPairs
	return (w | w<<8) & evenBytes
}

// shuffle2Words shuffles the first len(p0)/8*8 2-byte elements of src into
// the planes p0 (low bytes) and p1, and returns how many it did.
func shuffle2Words(p0, p1, src []byte) int {
	le := binary.LittleEndian
	n := min(len(p0), len(p1), len(src)/2)
	for i := 0; i+8 <= n; i += 8 {
		in := src[2*i : 2*i+16]
		a, b := le.Uint64(in), le.Uint64(in[8:])
		le.PutUint64(p0[i:], gatherEvenBytes(a)|gatherEvenBytes(b)<<32)
		le.PutUint64(p1[i:], gatherEvenBytes(a>>8)|gatherEvenBytes(b>>8)<<32)
	}
	return n / 8 * 8
}

// unshuffle2Words undoes shuffle2Words.
func unshuffle2Words(dst, p0, p1 []byte) int {
	le := binary.LittleEndian
	n := min(len(p0), len(p1), len(dst)/2)
	for i := 0; i+8 <= n; i += 8 {
		lo, hi := le.Uint64(p0[i:]), le.Uint64(p1[i:])
		out := dst[2*i : 2*i+16]
		le.PutUint64(out, spreadEvenBytes(lo)|spreadEvenBytes(hi)<<8)
		le.PutUint64(out[8:], spreadEvenBytes(lo>>32)|spreadEvenBytes(hi>>32)<<8)
	}
	return n / 8 * 8
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
