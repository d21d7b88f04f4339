//go:build !purego

package compute

import "golang.org/x/sys/cpu"

// hasAVX2 says whether the float64 block kernels run in assembly
// (kernels_amd64.s). They add in the same lanes and the same order as the
// Go loops they stand for, with no fused multiply-add, so a result is bit
// for bit the same on every amd64 machine, with or without AVX2, and with
// the purego build tag.
var hasAVX2 = cpu.X86.HasAVX2

// plainBlockSumAVX2 is plainBlockSum of a float64 block.
//
//go:noescape
func plainBlockSumAVX2(block *[sumBlock]float64) float64

// extremeBlockSumAVX2 is extremeBlockSum of a float64 block (of which
// zero is the least or greatest where both signs are there may differ; its
// callers take the element itself, by firstEqual).
//
//go:noescape
func extremeBlockSumAVX2(block *[sumBlock]float64) (sum, lo, hi float64)

// squaredDeviationsAVX2 is squaredDeviationLanes of xs.
//
//go:noescape
func squaredDeviationsAVX2(xs []float64, mean float64) float64

// columnSums8AVX2 is the eight-column loop of addRowBlockSums for float64:
// sums gets the sums of the eight elements at the start of each of rows
// rows of xs, stride elements apart. xs must hold them all.
//
//go:noescape
func columnSums8AVX2(xs []float64, stride, rows int, sums *[8]float64)

// columnDeviations8AVX2 is the eight-column loop of addRowMoments'
// squared deviations for float64: columnSums8AVX2 of each element's
// squared deviation from its column's mean.
//
//go:noescape
func columnDeviations8AVX2(xs []float64, stride, rows int, means, sums *[8]float64)

// groupAboveAVX2 returns the index of the first group of eight elements of
// xs (0, 8, 16, ...) holding one that is not at most bound (greater than
// it, or NaN), or len(xs) rounded down to a multiple of 8 where none does.
//
//go:noescape
func groupAboveAVX2(xs []float64, bound float64) int

// groupBelowAVX2 is groupAboveAVX2 for elements not at least bound (less
// than it, or NaN).
//
//go:noescape
func groupBelowAVX2(xs []float64, bound float64) int

// firstEqualAVX2 is firstEqual of a float64 block: the index of its first
// element equal to x (== as Go compares), or 0 if none is.
//
//go:noescape
func firstEqualAVX2(block *[sumBlock]float64, x float64) int

// offsetsOrAVX2 is spanOffsets's OR of the words' offsets from base, over
// words[:len(words)&^7], and whether any of values[:len(words)&^7], read
// as float64, is NaN.
//
//go:noescape
func offsetsOrAVX2(words []uint64, base uint64, values []uint64) (or uint64, nan bool)

// addWindowSumsAsm is addWindowSums's loop for float64 values none of which
// is NaN: each row's value is added to the sum of its window entry, and
// one to its count, in row order. window is the window's entries as words
// (unsafe.go asserts their layout); offsets are masked to the window.
//
//go:noescape
func addWindowSumsAsm(window []uint64, keys []uint64, base uint64, vals []float64)

// addWindowAllAsm is addWindow's loop for float64 values none of which is
// NaN: each row's value goes into its window entry's sum, count and
// extremes, in row order, an offset's first value marking it in seen and
// appending it to used (used's capacity is at least denseSpan). It
// returns used's new length.
//
//go:noescape
func addWindowAllAsm(window []uint64, keys []uint64, base uint64, vals []float64, seen []bool, used []int32) int
