//go:build !amd64 || purego

package codec

// The Vector shuffles have SSE2 and AVX2 versions on amd64 (shuffle_amd64.s);
// elsewhere they do nothing and the word loops do all.
func shuffle8Vector(dst, src []byte, n int) int   { return 0 }
func unshuffle8Vector(dst, src []byte, n int) int { return 0 }
func shuffle4Vector(dst, src []byte, n int) int   { return 0 }
func unshuffle4Vector(dst, src []byte, n int) int { return 0 }
