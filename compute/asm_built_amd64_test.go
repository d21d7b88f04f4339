//go:build !purego

package compute

// asmBuilt says the assembly kernels are in this build: a machine without
// AVX2 then cannot run their tests (see requireAVX2).
const asmBuilt = true
