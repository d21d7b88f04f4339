//go:build !purego

#include "textflag.h"

// WINDOWMASK is denseSpan-1 (groupby_table.go; unsafe.go asserts it).
#define WINDOWMASK $4095

// WINDOWAHEAD is how far ahead of their rows the window kernels
// (addWindowSumsAsm, addWindowAllAsm) ask for the keys and values to be
// fetched: a stage (stageLen rows of 8 bytes), the next block's. A prefetch never faults, so one past a mapping's end is
// dropped, not a SIGBUS.
#define WINDOWAHEAD 32768

// The block kernels of kernels.go for float64 on AVX2, lane for lane the
// same additions as their Go loops (kernels_amd64.go says why that
// matters): lanes 0-3 of a sum in Y0, lanes 4-7 in Y1, each lane adding
// every eighth element, and the lanes combined as
// ((a0+a1)+(a2+a3))+((a4+a5)+(a6+a7)).

// LANESUM leaves ((a0+a1)+(a2+a3))+((a4+a5)+(a6+a7)) of the lanes in Y0
// (a0-a3) and Y1 (a4-a7) in the low double of X0, using X2 and X3.
// The first VHADDPD of each pair makes (a0+a1, a2+a3), the second adds
// those two.
#define LANESUM \
	VEXTRACTF128 $1, Y0, X2 \
	VHADDPD      X2, X0, X0 \
	VHADDPD      X0, X0, X0 \
	VEXTRACTF128 $1, Y1, X3 \
	VHADDPD      X3, X1, X1 \
	VHADDPD      X1, X1, X1 \
	VADDSD       X1, X0, X0

// func plainBlockSumAVX2(block *[sumBlock]float64) float64
TEXT ·plainBlockSumAVX2(SB), NOSPLIT, $0-16
	MOVQ   block+0(FP), SI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	MOVQ   $0, CX

plainLoop:
	VADDPD (SI)(CX*1), Y0, Y0
	VADDPD 32(SI)(CX*1), Y1, Y1
	VADDPD 64(SI)(CX*1), Y0, Y0
	VADDPD 96(SI)(CX*1), Y1, Y1
	ADDQ   $128, CX
	CMPQ   CX, $1024
	JB     plainLoop
	LANESUM
	VZEROUPPER
	MOVSD  X0, ret+8(FP)
	RET

// func extremeBlockSumAVX2(block *[sumBlock]float64) (sum, lo, hi float64)
TEXT ·extremeBlockSumAVX2(SB), NOSPLIT, $0-32
	MOVQ    block+0(FP), SI
	VXORPD  Y0, Y0, Y0
	VXORPD  Y1, Y1, Y1
	VMOVUPD (SI), Y4     // least, lanes 0-3
	VMOVUPD 32(SI), Y5   // least, lanes 4-7
	VMOVAPD Y4, Y6       // greatest, lanes 0-3
	VMOVAPD Y5, Y7       // greatest, lanes 4-7
	MOVQ    $0, CX

extremeLoop:
	VMOVUPD (SI)(CX*1), Y8
	VMOVUPD 32(SI)(CX*1), Y9
	VADDPD  Y8, Y0, Y0
	VADDPD  Y9, Y1, Y1
	VMINPD  Y8, Y4, Y4
	VMINPD  Y9, Y5, Y5
	VMAXPD  Y8, Y6, Y6
	VMAXPD  Y9, Y7, Y7
	ADDQ    $64, CX
	CMPQ    CX, $1024
	JB      extremeLoop
	LANESUM
	MOVSD   X0, sum+8(FP)

	// The least and greatest of the eight lanes.
	VMINPD       Y5, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VMINPD       X5, X4, X4
	VPERMILPD    $1, X4, X5
	VMINSD       X5, X4, X4
	MOVSD        X4, lo+16(FP)
	VMAXPD       Y7, Y6, Y6
	VEXTRACTF128 $1, Y6, X7
	VMAXPD       X7, X6, X6
	VPERMILPD    $1, X6, X7
	VMAXSD       X7, X6, X6
	MOVSD        X6, hi+24(FP)
	VZEROUPPER
	RET

// func squaredDeviationsAVX2(xs []float64, mean float64) float64
TEXT ·squaredDeviationsAVX2(SB), NOSPLIT, $0-40
	MOVQ         xs_base+0(FP), SI
	MOVQ         xs_len+8(FP), CX
	VBROADCASTSD mean+24(FP), Y8
	VXORPD       Y0, Y0, Y0
	VXORPD       Y1, Y1, Y1
	SHRQ         $3, CX
	JZ           deviationsDone

deviationsLoop:
	VMOVUPD (SI), Y2
	VMOVUPD 32(SI), Y3
	VSUBPD  Y8, Y2, Y2
	VSUBPD  Y8, Y3, Y3
	VMULPD  Y2, Y2, Y2
	VMULPD  Y3, Y3, Y3
	VADDPD  Y2, Y0, Y0
	VADDPD  Y3, Y1, Y1
	ADDQ    $64, SI
	DECQ    CX
	JNZ     deviationsLoop

deviationsDone:
	LANESUM
	VZEROUPPER
	MOVSD X0, ret+32(FP)
	RET

// func columnSums8AVX2(xs []float64, stride, rows int, sums *[8]float64)
// adds the eight elements at the start of each of rows rows, stride
// elements apart, column by column in row order, into sums (set, not
// added to).
TEXT ·columnSums8AVX2(SB), NOSPLIT, $0-48
	MOVQ   xs_base+0(FP), SI
	MOVQ   stride+24(FP), DX
	SHLQ   $3, DX
	MOVQ   rows+32(FP), CX
	MOVQ   sums+40(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	TESTQ  CX, CX
	JZ     columnSumsDone

columnSumsLoop:
	VADDPD (SI), Y0, Y0
	VADDPD 32(SI), Y1, Y1
	ADDQ   DX, SI
	DECQ   CX
	JNZ    columnSumsLoop

columnSumsDone:
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VZEROUPPER
	RET

// func columnDeviations8AVX2(xs []float64, stride, rows int, means, sums *[8]float64)
// is columnSums8AVX2 of the squared deviations of each column's elements
// from its mean.
TEXT ·columnDeviations8AVX2(SB), NOSPLIT, $0-56
	MOVQ    xs_base+0(FP), SI
	MOVQ    stride+24(FP), DX
	SHLQ    $3, DX
	MOVQ    rows+32(FP), CX
	MOVQ    means+40(FP), AX
	MOVQ    sums+48(FP), DI
	VMOVUPD (AX), Y8
	VMOVUPD 32(AX), Y9
	VXORPD  Y0, Y0, Y0
	VXORPD  Y1, Y1, Y1
	TESTQ   CX, CX
	JZ      columnDeviationsDone

columnDeviationsLoop:
	VMOVUPD (SI), Y2
	VMOVUPD 32(SI), Y3
	VSUBPD  Y8, Y2, Y2
	VSUBPD  Y9, Y3, Y3
	VMULPD  Y2, Y2, Y2
	VMULPD  Y3, Y3, Y3
	VADDPD  Y2, Y0, Y0
	VADDPD  Y3, Y1, Y1
	ADDQ    DX, SI
	DECQ    CX
	JNZ     columnDeviationsLoop

columnDeviationsDone:
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VZEROUPPER
	RET

// func groupAboveAVX2(xs []float64, bound float64) int is the index of the first
// group of eight elements of xs (from 0, in steps of 8) holding one not at most bound (greater than it, or NaN): not bound >= x,
// or len(xs) rounded down to a multiple of 8 where none does. The
// comparison is bound's against each element (VCMPPD $0x09), true also
// where either is NaN.
TEXT ·groupAboveAVX2(SB), NOSPLIT, $0-40
	MOVQ         xs_base+0(FP), SI
	MOVQ         xs_len+8(FP), DX
	ANDQ         $-8, DX
	VBROADCASTSD bound+24(FP), Y8
	MOVQ         $0, CX

groupAboveAVX2Loop:
	CMPQ      CX, DX
	JAE       groupAboveAVX2Done
	VCMPPD    $0x09, (SI)(CX*8), Y8, Y2
	VCMPPD    $0x09, 32(SI)(CX*8), Y8, Y3
	VORPD     Y3, Y2, Y2
	VMOVMSKPD Y2, AX
	TESTL     AX, AX
	JNZ       groupAboveAVX2Done
	ADDQ      $8, CX
	JMP       groupAboveAVX2Loop

groupAboveAVX2Done:
	VZEROUPPER
	MOVQ CX, ret+32(FP)
	RET

// func groupBelowAVX2(xs []float64, bound float64) int is the index of the first
// group of eight elements of xs (from 0, in steps of 8) holding one not at least bound (less than it, or NaN): not bound <= x,
// or len(xs) rounded down to a multiple of 8 where none does. The
// comparison is bound's against each element (VCMPPD $0x06), true also
// where either is NaN.
TEXT ·groupBelowAVX2(SB), NOSPLIT, $0-40
	MOVQ         xs_base+0(FP), SI
	MOVQ         xs_len+8(FP), DX
	ANDQ         $-8, DX
	VBROADCASTSD bound+24(FP), Y8
	MOVQ         $0, CX

groupBelowAVX2Loop:
	CMPQ      CX, DX
	JAE       groupBelowAVX2Done
	VCMPPD    $0x06, (SI)(CX*8), Y8, Y2
	VCMPPD    $0x06, 32(SI)(CX*8), Y8, Y3
	VORPD     Y3, Y2, Y2
	VMOVMSKPD Y2, AX
	TESTL     AX, AX
	JNZ       groupBelowAVX2Done
	ADDQ      $8, CX
	JMP       groupBelowAVX2Loop

groupBelowAVX2Done:
	VZEROUPPER
	MOVQ CX, ret+32(FP)
	RET

// func firstEqualAVX2(block *[sumBlock]float64, x float64) int is the
// index of the block's first element equal to x (VCMPPD's EQ_OQ: -0 equals
// +0 and NaN nothing, as Go's ==), or 0 if none is: eight elements a
// step, the first step with a match giving its lowest lane.
TEXT ·firstEqualAVX2(SB), NOSPLIT, $0-24
	MOVQ         block+0(FP), SI
	VBROADCASTSD x+8(FP), Y8
	XORQ         CX, CX

firstEqualAVX2Loop:
	VCMPPD    $0, (SI)(CX*8), Y8, Y0
	VCMPPD    $0, 32(SI)(CX*8), Y8, Y1
	VMOVMSKPD Y0, AX
	VMOVMSKPD Y1, BX
	SHLQ      $4, BX
	ORQ       BX, AX
	JNZ       firstEqualAVX2Found
	ADDQ      $8, CX
	CMPQ      CX, $128
	JB        firstEqualAVX2Loop
	VZEROUPPER
	MOVQ      $0, ret+16(FP)
	RET

firstEqualAVX2Found:
	BSFQ       AX, AX
	ADDQ       AX, CX
	VZEROUPPER
	MOVQ       CX, ret+16(FP)
	RET

// func offsetsOrAVX2(words []uint64, base uint64, values []uint64) (or uint64, nan bool)
// is the OR of w-base over the words of words[:len(words)&^7], eight at a
// time in two registers of four lanes, and whether any of
// values[:len(words)&^7] (at least as long), read as float64, is NaN.
TEXT ·offsetsOrAVX2(SB), NOSPLIT, $0-65
	MOVQ         words_base+0(FP), SI
	MOVQ         words_len+8(FP), DX
	ANDQ         $-8, DX
	VPBROADCASTQ base+24(FP), Y8
	MOVQ         values_base+32(FP), DI
	VPXOR        Y0, Y0, Y0
	VPXOR        Y1, Y1, Y1
	VPXOR        Y4, Y4, Y4
	VPXOR        Y5, Y5, Y5
	MOVQ         $0, CX

offsetsOrAVX2Loop:
	CMPQ    CX, DX
	JAE     offsetsOrAVX2Done
	VMOVDQU (SI)(CX*8), Y2
	VMOVDQU 32(SI)(CX*8), Y3
	VMOVUPD (DI)(CX*8), Y6
	VMOVUPD 32(DI)(CX*8), Y7
	VPSUBQ  Y8, Y2, Y2
	VPSUBQ  Y8, Y3, Y3
	VPOR    Y2, Y0, Y0
	VPOR    Y3, Y1, Y1
	VCMPPD  $3, Y6, Y6, Y6 // unordered: NaN
	VCMPPD  $3, Y7, Y7, Y7
	VORPD   Y6, Y4, Y4
	VORPD   Y7, Y5, Y5
	ADDQ    $8, CX
	JMP     offsetsOrAVX2Loop

offsetsOrAVX2Done:
	VPOR         Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPOR         X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPOR         X1, X0, X0
	VMOVQ        X0, AX
	VORPD        Y5, Y4, Y4
	VMOVMSKPD    Y4, BX
	VZEROUPPER
	MOVQ         AX, or+56(FP)
	TESTQ        BX, BX
	SETNE        nan+64(FP)
	RET

DATA countOne<>+0(SB)/8, $0
DATA countOne<>+8(SB)/8, $1
GLOBL countOne<>(SB), RODATA, $16

// func addWindowSumsAsm(window []uint64, keys []uint64, base uint64, vals []float64)
// adds each vals[i] to the sum of window entry (keys[i]-base)&(denseSpan-1)
// and one to its count, in row order. An entry is four words, the sum
// (its float64 bits) first and the count second, both loaded, added to
// in one register (ADDSD to the low lane, PADDQ of one to the high) and
// stored at once: one store a row, where a count and a sum stored apart
// are two. window holds denseSpan entries; vals is at least as long as
// keys and has no NaN.
//
// The next block's keys and values are fetched into L2 meanwhile
// (WINDOWAHEAD): the adds leave the memory idle, and the next block's
// check (offsetsOrAVX2), which streams the two arrays, then finds them
// there. At 4 GiB that made a group-by 15-25% faster.
TEXT ·addWindowSumsAsm(SB), NOSPLIT, $0-80
	MOVQ  window_base+0(FP), DX
	MOVQ  keys_base+24(FP), SI
	MOVQ  keys_len+32(FP), BX
	MOVQ  base+48(FP), R8
	MOVQ  vals_base+56(FP), DI
	MOVOU countOne<>(SB), X7
	XORQ  CX, CX
	MOVQ  BX, R9
	ANDQ  $-2, R9

addWindowSumsPairs:
	CMPQ       CX, R9
	JAE        addWindowSumsTail
	PREFETCHT1 WINDOWAHEAD(SI)(CX*8)
	PREFETCHT1 WINDOWAHEAD(DI)(CX*8)
	MOVQ  (SI)(CX*8), AX
	MOVQ  8(SI)(CX*8), R10
	SUBQ  R8, AX
	SUBQ  R8, R10
	ANDQ  WINDOWMASK, AX
	ANDQ  WINDOWMASK, R10
	SHLQ  $5, AX
	SHLQ  $5, R10
	MOVOU (DX)(AX*1), X0
	ADDSD (DI)(CX*8), X0
	PADDQ X7, X0
	MOVOU X0, (DX)(AX*1)
	MOVOU (DX)(R10*1), X1
	ADDSD 8(DI)(CX*8), X1
	PADDQ X7, X1
	MOVOU X1, (DX)(R10*1)
	ADDQ  $2, CX
	JMP   addWindowSumsPairs

addWindowSumsTail:
	CMPQ  CX, BX
	JAE   addWindowSumsDone
	MOVQ  (SI)(CX*8), AX
	SUBQ  R8, AX
	ANDQ  WINDOWMASK, AX
	SHLQ  $5, AX
	MOVOU (DX)(AX*1), X0
	ADDSD (DI)(CX*8), X0
	PADDQ X7, X0
	MOVOU X0, (DX)(AX*1) // the one row left of an odd count

addWindowSumsDone:
	RET

// func addWindowAllAsm(window []uint64, keys []uint64, base uint64, vals []float64, seen []bool, used []int32) int
// is addWindow's loop for float64 values none of which is NaN: each row's
// value is added to its window entry's sum, count, least and greatest (an
// entry is four words: sum, count, min, max), in row order. An entry whose
// count is 0 takes the value as both extremes, and its offset, the first
// time it is seen, is marked in seen and appended to used (at its length,
// within its capacity, which is denseSpan); the new length is returned.
// The extremes keep the first of equal values, as addWindow's Go loop:
// MINSD of v with the least returns v only where v is less (for -0 against
// +0 too), MAXSD where v is greater. The next block's keys and values are
// fetched meanwhile, as in addWindowSumsAsm.
TEXT ·addWindowAllAsm(SB), NOSPLIT, $0-136
	MOVQ  window_base+0(FP), DX
	MOVQ  keys_base+24(FP), SI
	MOVQ  keys_len+32(FP), BX
	MOVQ  base+48(FP), R8
	MOVQ  vals_base+56(FP), DI
	MOVQ  seen_base+80(FP), R12
	MOVQ  used_base+104(FP), R11
	MOVQ  used_len+112(FP), R10
	MOVQ  used_cap+120(FP), R9
	MOVOU countOne<>(SB), X7
	XORQ  CX, CX

addWindowAllLoop:
	CMPQ       CX, BX
	JAE        addWindowAllDone
	PREFETCHT1 WINDOWAHEAD(SI)(CX*8)
	PREFETCHT1 WINDOWAHEAD(DI)(CX*8)
	MOVQ       (SI)(CX*8), R13
	SUBQ       R8, R13
	ANDQ       WINDOWMASK, R13 // the offset
	MOVQ       R13, AX
	SHLQ       $5, AX          // its entry's byte offset
	MOVSD      (DI)(CX*8), X2
	CMPQ       8(DX)(AX*1), $0
	JEQ        addWindowAllFirst
	MOVAPD     X2, X3
	MINSD      16(DX)(AX*1), X3
	MOVSD      X3, 16(DX)(AX*1)
	MOVAPD     X2, X4
	MAXSD      24(DX)(AX*1), X4
	MOVSD      X4, 24(DX)(AX*1)

addWindowAllAdd:
	MOVOU (DX)(AX*1), X0
	ADDSD X2, X0
	PADDQ X7, X0
	MOVOU X0, (DX)(AX*1)
	INCQ  CX
	JMP   addWindowAllLoop

addWindowAllFirst:
	MOVSD X2, 16(DX)(AX*1)
	MOVSD X2, 24(DX)(AX*1)
	CMPB  (R12)(R13*1), $0
	JNE   addWindowAllAdd
	MOVB  $1, (R12)(R13*1)
	CMPQ  R10, R9
	JAE   addWindowAllAdd
	MOVL  R13, (R11)(R10*4)
	INCQ  R10
	JMP   addWindowAllAdd

addWindowAllDone:
	MOVQ R10, ret+128(FP)
	RET
