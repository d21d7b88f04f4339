// Package bench holds Go benchmarks for the hot paths of the memmap
// library: At on each rank, contiguous and strided scans, Slice and
// Transpose construction, header parsing, Open and Create. Its only code is
// the summation helpers (Sum, ParallelSum, ParallelSumView) that the
// benchmarks and cmd/mmbench share, so that both measure the same loops; see
// README.md for how to run and compare the benchmarks, and for the results
// of cmd/mmbench against NumPy.
package bench
