//go:build !purego

package codec

import (
	"fmt"
	"testing"
)

// The 8-byte vector shuffles with AVX2 and without it (SSE2 alone), for
// every item count up to twenty groups of 16 (an odd number of groups is
// AVX2's pairs then one SSE2 group), from and into unaligned buffers:
// each item done lands in its place in its plane, and no byte outside the
// planes' items done is written. Not parallel: it sets hasAVX2.
func TestShuffle8VectorWithAndWithoutAVX2(t *testing.T) {
	saved := hasAVX2
	defer func() { hasAVX2 = saved }()
	const guard = 0xEE
	for _, avx2 := range []bool{false, true} {
		if avx2 && !saved {
			t.Log("no AVX2 on this CPU: its path is not run")
			continue
		}
		hasAVX2 = avx2
		for n := range 20*16 + 1 {
			name := fmt.Sprintf("AVX2 %v, %d items", avx2, n)
			items := testData("random", 8*n+1)[1:] // unaligned
			out := make([]byte, 8*n+40)
			for i := range out {
				out[i] = guard
			}
			planes := out[1 : 1+8*n]
			done := shuffle8Vector(planes, items, n)
			if done != n/16*16 {
				t.Fatalf("%s: shuffle did %d", name, done)
			}
			for k, b := range out {
				want := byte(guard)
				if p := k - 1; p >= 0 && p < 8*n && p%max(n, 1) < done {
					j, i := p/n, p%n
					want = items[8*i+j]
				}
				if b != want {
					t.Fatalf("%s: shuffle wrote %#x at byte %d of the output, want %#x", name, b, k-1, want)
				}
			}

			back := make([]byte, 8*n+40)
			for i := range back {
				back[i] = guard
			}
			done = unshuffle8Vector(back[1:1+8*n], planes, n)
			if done != n/16*16 {
				t.Fatalf("%s: unshuffle did %d", name, done)
			}
			for k, b := range back {
				want := byte(guard)
				if p := k - 1; p >= 0 && p < 8*done {
					want = items[p]
				}
				if b != want {
					t.Fatalf("%s: unshuffle wrote %#x at byte %d of the output, want %#x", name, b, k-1, want)
				}
			}
		}
	}
}
