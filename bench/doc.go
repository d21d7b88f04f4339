// Package bench holds Go benchmarks for the hot paths of the memmap
// library: At and the fixed-rank accessors, contiguous and strided scans,
// string columns, block iteration, Slice and Transpose construction,
// header parsing, Open and Create. It has no code of its own: scans sum
// with compute.Sum, and BenchmarkBlocks with internal/parallel's Sum.
// See README.md for how to run and compare the benchmarks, and for the
// results of cmd/mmbench against NumPy.
package bench
