//go:build !amd64 || purego

package compute

// hasAVX2 is false outside amd64: the Go loops of kernels.go run.
const hasAVX2 = false

// The assembly kernels' names, never called where hasAVX2 is false.

func plainBlockSumAVX2(*[sumBlock]float64) float64 { panic("compute: no assembly kernels") }

func extremeBlockSumAVX2(*[sumBlock]float64) (sum, lo, hi float64) {
	panic("compute: no assembly kernels")
}

func squaredDeviationsAVX2([]float64, float64) float64 { panic("compute: no assembly kernels") }

func columnSums8AVX2([]float64, int, int, *[8]float64) { panic("compute: no assembly kernels") }

func columnDeviations8AVX2([]float64, int, int, *[8]float64, *[8]float64) {
	panic("compute: no assembly kernels")
}

func groupAboveAVX2([]float64, float64) int { panic("compute: no assembly kernels") }

func groupBelowAVX2([]float64, float64) int { panic("compute: no assembly kernels") }

func firstEqualAVX2(*[sumBlock]float64, float64) int { panic("compute: no assembly kernels") }

func offsetsOrAVX2([]uint64, uint64, []uint64) (uint64, bool) { panic("compute: no assembly kernels") }

func addWindowSumsAsm([]uint64, []uint64, uint64, []float64) { panic("compute: no assembly kernels") }

func addWindowAllAsm([]uint64, []uint64, uint64, []float64, []bool, []int32) int {
	panic("compute: no assembly kernels")
}
