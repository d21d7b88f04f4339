//go:build !purego

#include "textflag.h"

// The byte shuffle of 8-byte items on SSE2 (every amd64 CPU has it), 16
// items (128 bytes, one 16-byte run of each of the 8 planes) per step: the
// 16×8 byte matrix transposed by rounds of interleaving bytes, 2-byte,
// 4-byte and 8-byte lanes between registers. plane j is at base+j*n.

// PLANEADDR leaves base+3n in R9, base+5n in R10 and base+7n in R11 (n in
// R8), for the planes that scaled indexing cannot reach.
#define PLANEADDR(base) \
	LEAQ (base)(R8*2), R9  \
	LEAQ (R9)(R8*1), R9    \
	LEAQ (base)(R8*4), R10 \
	LEAQ (R10)(R8*1), R10  \
	LEAQ (R10)(R8*2), R11

// func shuffle8SSE2(dst, src *byte, n, groups int)
TEXT ·shuffle8SSE2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), R8
	MOVQ groups+24(FP), CX
	TESTQ CX, CX
	JZ   shuffleDone

shuffleLoop:
	// Items 2k and 2k+1 in Xk.
	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVOU 32(SI), X2
	MOVOU 48(SI), X3
	MOVOU 64(SI), X4
	MOVOU 80(SI), X5
	MOVOU 96(SI), X6
	MOVOU 112(SI), X7

	// Xk: byte b of items 2k and 2k+1 side by side, b = 0..7.
	PSHUFL    $0x4e, X0, X8
	PUNPCKLBW X8, X0
	PSHUFL    $0x4e, X1, X8
	PUNPCKLBW X8, X1
	PSHUFL    $0x4e, X2, X8
	PUNPCKLBW X8, X2
	PSHUFL    $0x4e, X3, X8
	PUNPCKLBW X8, X3
	PSHUFL    $0x4e, X4, X8
	PUNPCKLBW X8, X4
	PSHUFL    $0x4e, X5, X8
	PUNPCKLBW X8, X5
	PSHUFL    $0x4e, X6, X8
	PUNPCKLBW X8, X6
	PSHUFL    $0x4e, X7, X8
	PUNPCKLBW X8, X7

	// Z0..Z7 in X0 X8 X2 X9 X4 X10 X6 X11: Z(2m) holds bytes 0-3 and
	// Z(2m+1) bytes 4-7 of items 4m..4m+3, a 4-byte lane per byte.
	MOVO      X0, X8
	PUNPCKLWL X1, X0
	PUNPCKHWL X1, X8
	MOVO      X2, X9
	PUNPCKLWL X3, X2
	PUNPCKHWL X3, X9
	MOVO      X4, X10
	PUNPCKLWL X5, X4
	PUNPCKHWL X5, X10
	MOVO      X6, X11
	PUNPCKLWL X7, X6
	PUNPCKHWL X7, X11

	// W0..W7 in X0 X1 X8 X3 X4 X5 X10 X7: bytes 2w and 2w+1 (w = 0..3)
	// of items 0-7 (W0-W3) and 8-15 (W4-W7), an 8-byte lane per byte.
	MOVO      X0, X1
	PUNPCKLLQ X2, X0
	PUNPCKHLQ X2, X1
	MOVO      X8, X3
	PUNPCKLLQ X9, X8
	PUNPCKHLQ X9, X3
	MOVO      X4, X5
	PUNPCKLLQ X6, X4
	PUNPCKHLQ X6, X5
	MOVO      X10, X7
	PUNPCKLLQ X11, X10
	PUNPCKHLQ X11, X7

	// Planes 0..7 in X0 X12 X1 X13 X8 X14 X3 X15.
	MOVO       X0, X12
	PUNPCKLQDQ X4, X0
	PUNPCKHQDQ X4, X12
	MOVO       X1, X13
	PUNPCKLQDQ X5, X1
	PUNPCKHQDQ X5, X13
	MOVO       X8, X14
	PUNPCKLQDQ X10, X8
	PUNPCKHQDQ X10, X14
	MOVO       X3, X15
	PUNPCKLQDQ X7, X3
	PUNPCKHQDQ X7, X15

	PLANEADDR(DI)
	MOVOU X0, (DI)
	MOVOU X12, (DI)(R8*1)
	MOVOU X1, (DI)(R8*2)
	MOVOU X13, (R9)
	MOVOU X8, (DI)(R8*4)
	MOVOU X14, (R10)
	MOVOU X3, (R10)(R8*1)
	MOVOU X15, (R11)

	ADDQ $128, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  shuffleLoop

shuffleDone:
	RET

// func unshuffle8SSE2(dst, src *byte, n, groups int)
TEXT ·unshuffle8SSE2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), R8
	MOVQ groups+24(FP), CX
	TESTQ CX, CX
	JZ   unshuffleDone

unshuffleLoop:
	// Plane j's bytes of items 0..15 in Xj.
	PLANEADDR(SI)
	MOVOU (SI), X0
	MOVOU (SI)(R8*1), X1
	MOVOU (SI)(R8*2), X2
	MOVOU (R9), X3
	MOVOU (SI)(R8*4), X4
	MOVOU (R10), X5
	MOVOU (R10)(R8*1), X6
	MOVOU (R11), X7

	// A0..A3 in X0 X2 X4 X6 (items 0-7) and B0..B3 in X8..X11 (items
	// 8-15): bytes 2k and 2k+1 of each item, a 2-byte lane per item.
	MOVO      X0, X8
	PUNPCKLBW X1, X0
	PUNPCKHBW X1, X8
	MOVO      X2, X9
	PUNPCKLBW X3, X2
	PUNPCKHBW X3, X9
	MOVO      X4, X10
	PUNPCKLBW X5, X4
	PUNPCKHBW X5, X10
	MOVO      X6, X11
	PUNPCKLBW X7, X6
	PUNPCKHBW X7, X11

	// Items 0-7: C0..C3 in X0 X1 X4 X3, bytes 0-3 (C0, C1) and 4-7 (C2,
	// C3) of items 0-3 (C0, C2) and 4-7 (C1, C3).
	MOVO      X0, X1
	PUNPCKLWL X2, X0
	PUNPCKHWL X2, X1
	MOVO      X4, X3
	PUNPCKLWL X6, X4
	PUNPCKHWL X6, X3

	// Items 0,1 2,3 4,5 6,7 in X0 X2 X1 X5.
	MOVO      X0, X2
	PUNPCKLLQ X4, X0
	PUNPCKHLQ X4, X2
	MOVO      X1, X5
	PUNPCKLLQ X3, X1
	PUNPCKHLQ X3, X5
	MOVOU     X0, 0(DI)
	MOVOU     X2, 16(DI)
	MOVOU     X1, 32(DI)
	MOVOU     X5, 48(DI)

	// Items 8-15 the same way: D0..D3 in X8 X12 X10 X13, then the items
	// in X8 X9 X12 X11.
	MOVO      X8, X12
	PUNPCKLWL X9, X8
	PUNPCKHWL X9, X12
	MOVO      X10, X13
	PUNPCKLWL X11, X10
	PUNPCKHWL X11, X13
	MOVO      X8, X9
	PUNPCKLLQ X10, X8
	PUNPCKHLQ X10, X9
	MOVO      X12, X11
	PUNPCKLLQ X13, X12
	PUNPCKHLQ X13, X11
	MOVOU     X8, 64(DI)
	MOVOU     X9, 80(DI)
	MOVOU     X12, 96(DI)
	MOVOU     X11, 112(DI)

	ADDQ $16, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  unshuffleLoop

unshuffleDone:
	RET

// The byte shuffle of 4-byte items, 16 items (64 bytes) per step: each
// register of 4 items rearranged so that its 4-byte lane b holds byte b of
// its items, then the 4×4 matrix of lanes transposed.

// func shuffle4SSE2(dst, src *byte, n, groups int)
TEXT ·shuffle4SSE2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), R8
	MOVQ groups+24(FP), CX
	TESTQ CX, CX
	JZ   shuffle4Done
	LEAQ (R8)(R8*2), R9 // 3n

shuffle4Loop:
	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVOU 32(SI), X2
	MOVOU 48(SI), X3

	// Items (0, 1, 2, 3) of each register as (0, 2, 1, 3), then bytes
	// b of items 0 and 1, and of items 2 and 3, side by side, then
	// byte b of the four in lane b.
	PSHUFL    $0xd8, X0, X0
	PSHUFL    $0x4e, X0, X8
	PUNPCKLBW X8, X0
	PSHUFL    $0x4e, X0, X8
	PUNPCKLWL X8, X0
	PSHUFL    $0xd8, X1, X1
	PSHUFL    $0x4e, X1, X8
	PUNPCKLBW X8, X1
	PSHUFL    $0x4e, X1, X8
	PUNPCKLWL X8, X1
	PSHUFL    $0xd8, X2, X2
	PSHUFL    $0x4e, X2, X8
	PUNPCKLBW X8, X2
	PSHUFL    $0x4e, X2, X8
	PUNPCKLWL X8, X2
	PSHUFL    $0xd8, X3, X3
	PSHUFL    $0x4e, X3, X8
	PUNPCKLBW X8, X3
	PSHUFL    $0x4e, X3, X8
	PUNPCKLWL X8, X3

	// Lanes transposed: planes 0..3 in X0 X6 X4 X7.
	MOVO       X0, X4
	PUNPCKLLQ  X1, X0
	PUNPCKHLQ  X1, X4
	MOVO       X2, X5
	PUNPCKLLQ  X3, X2
	PUNPCKHLQ  X3, X5
	MOVO       X0, X6
	PUNPCKLQDQ X2, X0
	PUNPCKHQDQ X2, X6
	MOVO       X4, X7
	PUNPCKLQDQ X5, X4
	PUNPCKHQDQ X5, X7

	MOVOU X0, (DI)
	MOVOU X6, (DI)(R8*1)
	MOVOU X4, (DI)(R8*2)
	MOVOU X7, (DI)(R9*1)

	ADDQ $64, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  shuffle4Loop

shuffle4Done:
	RET

// func unshuffle4SSE2(dst, src *byte, n, groups int)
TEXT ·unshuffle4SSE2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), R8
	MOVQ groups+24(FP), CX
	TESTQ CX, CX
	JZ   unshuffle4Done
	LEAQ (R8)(R8*2), R9 // 3n

unshuffle4Loop:
	MOVOU (SI), X0
	MOVOU (SI)(R8*1), X1
	MOVOU (SI)(R8*2), X2
	MOVOU (SI)(R9*1), X3

	// Bytes 0,1 (X0, X4) and 2,3 (X2, X5) of items 0-7 and 8-15, then
	// the items, four to a register, in X0 X6 X4 X7.
	MOVO      X0, X4
	PUNPCKLBW X1, X0
	PUNPCKHBW X1, X4
	MOVO      X2, X5
	PUNPCKLBW X3, X2
	PUNPCKHBW X3, X5
	MOVO      X0, X6
	PUNPCKLWL X2, X0
	PUNPCKHWL X2, X6
	MOVO      X4, X7
	PUNPCKLWL X5, X4
	PUNPCKHWL X5, X7

	MOVOU X0, 0(DI)
	MOVOU X6, 16(DI)
	MOVOU X4, 32(DI)
	MOVOU X7, 48(DI)

	ADDQ $16, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  unshuffle4Loop

unshuffle4Done:
	RET

// func shuffle8AVX2(dst, src *byte, n, groups int)
//
// shuffle8SSE2's steps on both 128-bit lanes of the Y registers at once:
// the low lanes take items 0-15 of a group of 32 and the high lanes items
// 16-31 (AVX2's unpacks never cross lanes), so that each plane's register
// ends with its 32 bytes in order.
TEXT ·shuffle8AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), R8
	MOVQ groups+24(FP), CX
	TESTQ CX, CX
	JZ   shuffleAVX2Done

shuffleAVX2Loop:
	VMOVDQU     0(SI), X0
	VINSERTI128 $1, 128(SI), Y0, Y0
	VMOVDQU     16(SI), X1
	VINSERTI128 $1, 144(SI), Y1, Y1
	VMOVDQU     32(SI), X2
	VINSERTI128 $1, 160(SI), Y2, Y2
	VMOVDQU     48(SI), X3
	VINSERTI128 $1, 176(SI), Y3, Y3
	VMOVDQU     64(SI), X4
	VINSERTI128 $1, 192(SI), Y4, Y4
	VMOVDQU     80(SI), X5
	VINSERTI128 $1, 208(SI), Y5, Y5
	VMOVDQU     96(SI), X6
	VINSERTI128 $1, 224(SI), Y6, Y6
	VMOVDQU     112(SI), X7
	VINSERTI128 $1, 240(SI), Y7, Y7

	VPSHUFD    $0x4e, Y0, Y8
	VPUNPCKLBW Y8, Y0, Y0
	VPSHUFD    $0x4e, Y1, Y8
	VPUNPCKLBW Y8, Y1, Y1
	VPSHUFD    $0x4e, Y2, Y8
	VPUNPCKLBW Y8, Y2, Y2
	VPSHUFD    $0x4e, Y3, Y8
	VPUNPCKLBW Y8, Y3, Y3
	VPSHUFD    $0x4e, Y4, Y8
	VPUNPCKLBW Y8, Y4, Y4
	VPSHUFD    $0x4e, Y5, Y8
	VPUNPCKLBW Y8, Y5, Y5
	VPSHUFD    $0x4e, Y6, Y8
	VPUNPCKLBW Y8, Y6, Y6
	VPSHUFD    $0x4e, Y7, Y8
	VPUNPCKLBW Y8, Y7, Y7

	VPUNPCKHWD Y1, Y0, Y8
	VPUNPCKLWD Y1, Y0, Y0
	VPUNPCKHWD Y3, Y2, Y9
	VPUNPCKLWD Y3, Y2, Y2
	VPUNPCKHWD Y5, Y4, Y10
	VPUNPCKLWD Y5, Y4, Y4
	VPUNPCKHWD Y7, Y6, Y11
	VPUNPCKLWD Y7, Y6, Y6

	VPUNPCKHDQ Y2, Y0, Y1
	VPUNPCKLDQ Y2, Y0, Y0
	VPUNPCKHDQ Y9, Y8, Y3
	VPUNPCKLDQ Y9, Y8, Y8
	VPUNPCKHDQ Y6, Y4, Y5
	VPUNPCKLDQ Y6, Y4, Y4
	VPUNPCKHDQ Y11, Y10, Y7
	VPUNPCKLDQ Y11, Y10, Y10

	VPUNPCKHQDQ Y4, Y0, Y12
	VPUNPCKLQDQ Y4, Y0, Y0
	VPUNPCKHQDQ Y5, Y1, Y13
	VPUNPCKLQDQ Y5, Y1, Y1
	VPUNPCKHQDQ Y10, Y8, Y14
	VPUNPCKLQDQ Y10, Y8, Y8
	VPUNPCKHQDQ Y7, Y3, Y15
	VPUNPCKLQDQ Y7, Y3, Y3

	PLANEADDR(DI)
	VMOVDQU Y0, (DI)
	VMOVDQU Y12, (DI)(R8*1)
	VMOVDQU Y1, (DI)(R8*2)
	VMOVDQU Y13, (R9)
	VMOVDQU Y8, (DI)(R8*4)
	VMOVDQU Y14, (R10)
	VMOVDQU Y3, (R10)(R8*1)
	VMOVDQU Y15, (R11)

	ADDQ $256, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  shuffleAVX2Loop
	VZEROUPPER

shuffleAVX2Done:
	RET

// func unshuffle8AVX2(dst, src *byte, n, groups int)
//
// unshuffle8SSE2's steps on both lanes: the low lanes take 16 bytes of
// each plane (items 0-15 of a group of 32) and give items 0-15, the high
// lanes the next 16 (items 16-31).
TEXT ·unshuffle8AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), R8
	MOVQ groups+24(FP), CX
	TESTQ CX, CX
	JZ   unshuffleAVX2Done

unshuffleAVX2Loop:
	PLANEADDR(SI)
	VMOVDQU (SI), Y0
	VMOVDQU (SI)(R8*1), Y1
	VMOVDQU (SI)(R8*2), Y2
	VMOVDQU (R9), Y3
	VMOVDQU (SI)(R8*4), Y4
	VMOVDQU (R10), Y5
	VMOVDQU (R10)(R8*1), Y6
	VMOVDQU (R11), Y7

	VPUNPCKHBW Y1, Y0, Y8
	VPUNPCKLBW Y1, Y0, Y0
	VPUNPCKHBW Y3, Y2, Y9
	VPUNPCKLBW Y3, Y2, Y2
	VPUNPCKHBW Y5, Y4, Y10
	VPUNPCKLBW Y5, Y4, Y4
	VPUNPCKHBW Y7, Y6, Y11
	VPUNPCKLBW Y7, Y6, Y6

	VPUNPCKHWD Y2, Y0, Y1
	VPUNPCKLWD Y2, Y0, Y0
	VPUNPCKHWD Y6, Y4, Y3
	VPUNPCKLWD Y6, Y4, Y4

	VPUNPCKHDQ Y4, Y0, Y2
	VPUNPCKLDQ Y4, Y0, Y0
	VPUNPCKHDQ Y3, Y1, Y5
	VPUNPCKLDQ Y3, Y1, Y1
	VMOVDQU      X0, 0(DI)
	VEXTRACTI128 $1, Y0, 128(DI)
	VMOVDQU      X2, 16(DI)
	VEXTRACTI128 $1, Y2, 144(DI)
	VMOVDQU      X1, 32(DI)
	VEXTRACTI128 $1, Y1, 160(DI)
	VMOVDQU      X5, 48(DI)
	VEXTRACTI128 $1, Y5, 176(DI)

	VPUNPCKHWD Y9, Y8, Y12
	VPUNPCKLWD Y9, Y8, Y8
	VPUNPCKHWD Y11, Y10, Y13
	VPUNPCKLWD Y11, Y10, Y10
	VPUNPCKHDQ Y10, Y8, Y9
	VPUNPCKLDQ Y10, Y8, Y8
	VPUNPCKHDQ Y13, Y12, Y11
	VPUNPCKLDQ Y13, Y12, Y12
	VMOVDQU      X8, 64(DI)
	VEXTRACTI128 $1, Y8, 192(DI)
	VMOVDQU      X9, 80(DI)
	VEXTRACTI128 $1, Y9, 208(DI)
	VMOVDQU      X12, 96(DI)
	VEXTRACTI128 $1, Y12, 224(DI)
	VMOVDQU      X11, 112(DI)
	VEXTRACTI128 $1, Y11, 240(DI)

	ADDQ $32, SI
	ADDQ $256, DI
	DECQ CX
	JNZ  unshuffleAVX2Loop
	VZEROUPPER

unshuffleAVX2Done:
	RET
