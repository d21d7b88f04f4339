// Package bench holds Go benchmarks for the hot paths of the memmap
// library: At on each rank, contiguous and strided scans, Slice and
// Transpose construction, header parsing, Open and Create. It has no code of
// its own; see README.md for how to run and compare them, and for the
// results of cmd/mmbench against NumPy.
package bench
