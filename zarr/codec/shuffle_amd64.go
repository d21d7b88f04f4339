//go:build !purego

package codec

import "golang.org/x/sys/cpu"

// hasAVX2 selects shuffle8AVX2 and unshuffle8AVX2 over their SSE2 code.
var hasAVX2 = cpu.X86.HasAVX2

// shuffle8AVX2 is shuffle8SSE2 for groups of 32 items, 32 bytes into each
// plane (shuffle_amd64.s). Only where hasAVX2.
//
//go:noescape
func shuffle8AVX2(dst, src *byte, n, groups int)

// unshuffle8AVX2 is unshuffle8SSE2 for groups of 32 items. Only where
// hasAVX2.
//
//go:noescape
func unshuffle8AVX2(dst, src *byte, n, groups int)

// shuffle8SSE2 writes groups×16 8-byte items from src into the planes at
// dst, dst+n, ..., dst+7n, 16 bytes into each (shuffle_amd64.s).
//
//go:noescape
func shuffle8SSE2(dst, src *byte, n, groups int)

// unshuffle8SSE2 undoes shuffle8SSE2: 16 bytes from each plane at src,
// src+n, ..., src+7n become groups×16 items at dst.
//
//go:noescape
func unshuffle8SSE2(dst, src *byte, n, groups int)

// shuffle4SSE2 and unshuffle4SSE2 are shuffle8SSE2 and unshuffle8SSE2 for
// 4-byte items: 16 of them, 16 bytes of each of 4 planes, per group.
//
//go:noescape
func shuffle4SSE2(dst, src *byte, n, groups int)

//go:noescape
func unshuffle4SSE2(dst, src *byte, n, groups int)

// shuffle8Vector shuffles the first n/16*16 of the n 8-byte items of src
// into the planes of n bytes in dst, and returns how many it did.
func shuffle8Vector(dst, src []byte, n int) int {
	return vector8(dst, src, n, shuffle8AVX2, shuffle8SSE2)
}

// unshuffle8Vector undoes shuffle8Vector.
func unshuffle8Vector(dst, src []byte, n int) int {
	return vector8(src, dst, n,
		func(planes, items *byte, n, groups int) { unshuffle8AVX2(items, planes, n, groups) },
		func(planes, items *byte, n, groups int) { unshuffle8SSE2(items, planes, n, groups) })
}

// vector8 runs an 8-byte shuffle's or unshuffle's assembly over the first
// n/16*16 of n items, between planes (n bytes each) and items: avx2 over
// groups of 32 where the CPU has it, then sse2 over the group of 16 left
// (or over all of them). It returns how many items it did.
func vector8(planes, items []byte, n int, avx2, sse2 func(planes, items *byte, n, groups int)) int {
	groups := n / 16
	if groups == 0 || len(planes) < 8*n || len(items) < 8*n {
		return 0
	}
	done := 0
	if hasAVX2 && groups >= 2 {
		avx2(&planes[0], &items[0], n, groups/2)
		done = groups / 2 * 32
	}
	if groups%2 == 1 || done == 0 {
		sse2(&planes[done], &items[8*done], n, groups-done/16)
	}
	return groups * 16
}

// shuffle4Vector shuffles the first n/16*16 of the n 4-byte items of src
// into the planes of n bytes in dst, and returns how many it did.
func shuffle4Vector(dst, src []byte, n int) int {
	groups := n / 16
	if groups == 0 || len(dst) < 4*n || len(src) < 4*n {
		return 0
	}
	shuffle4SSE2(&dst[0], &src[0], n, groups)
	return groups * 16
}

// unshuffle4Vector undoes shuffle4Vector.
func unshuffle4Vector(dst, src []byte, n int) int {
	groups := n / 16
	if groups == 0 || len(dst) < 4*n || len(src) < 4*n {
		return 0
	}
	unshuffle4SSE2(&dst[0], &src[0], n, groups)
	return groups * 16
}
