//go:build !amd64 || purego

package codec

// shuffle8Vector and unshuffle8Vector have SSE2 versions on amd64
// (shuffle_amd64.s); elsewhere they do nothing and the word loops do all.
func shuffle8Vector(dst, src []byte, n int) int   { return 0 }
func unshuffle8Vector(dst, src []byte, n int) int { return 0 }
