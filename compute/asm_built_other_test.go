//go:build !amd64 || purego

package compute

// asmBuilt says the assembly kernels are not in this build (see
// requireAVX2).
const asmBuilt = false
