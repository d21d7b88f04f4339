package codec

import (
	"fmt"
	"testing"
)

// The shuffles (word-at-a-time loops for typesizes 2, 4 and 8, then plain
// loops for the last elements short of eight) against the definitions,
// written as plainly as possible: plane j of the byte shuffle holds byte j
// of every element; row 8j+b of the bit shuffle holds bit b of byte j of
// every element.
func TestShufflesMatchTheirDefinitions(t *testing.T) {
	t.Parallel()
	for _, typesize := range []int{1, 2, 3, 4, 5, 8, 16, 17} {
		for _, size := range []int{0, 1, 7, 8 * typesize, 8*typesize + 1, 13*typesize + 3, 24 * typesize, 1000*typesize + 5, 1003 * typesize, 4096 * typesize} {
			src := testData("random", size)
			n := size / typesize
			name := fmt.Sprintf("typesize %d, %d bytes", typesize, size)

			want := append([]byte(nil), src...)
			for j := range typesize {
				for i := range n {
					want[j*n+i] = src[i*typesize+j]
				}
			}
			got := make([]byte, size)
			byteShuffle(got, src, typesize)
			if string(got) != string(want) {
				t.Errorf("byteShuffle, %s: wrong", name)
			}
			back := make([]byte, size)
			byteUnshuffle(back, got, typesize)
			if string(back) != string(src) {
				t.Errorf("byteUnshuffle, %s: does not undo byteShuffle", name)
			}

			want = append([]byte(nil), src...)
			if n%8 == 0 {
				clear(want[:n*typesize])
				for j := range typesize {
					for b := range 8 {
						row := want[(8*j+b)*(n/8):]
						for i := range n {
							row[i/8] |= (src[i*typesize+j] >> b & 1) << (i % 8)
						}
					}
				}
			}
			bitShuffle(got, src, typesize)
			if string(got) != string(want) {
				t.Errorf("bitShuffle, %s: wrong", name)
			}
			bitUnshuffle(back, got, typesize)
			if string(back) != string(src) {
				t.Errorf("bitUnshuffle, %s: does not undo bitShuffle", name)
			}
		}
	}
}

// Each path of the 8- and 4-byte shuffles on its own (the SSE2 code on
// amd64, the word loops, which there only see the last eight items
// otherwise) gives what the plain loop gives, for the items it says it
// did, and leaves the others alone.
func TestShuffleFastPaths(t *testing.T) {
	t.Parallel()
	type shuffleFunc func(dst, src []byte, n int) int
	words := func(f func(dst, src []byte, n, from int) int) shuffleFunc {
		return func(dst, src []byte, n int) int { return f(dst, src, n, 0) }
	}
	for _, path := range []struct {
		name               string
		typesize, multiple int
		shuffle, unshuffle shuffleFunc
	}{
		{"vector 8", 8, 16, shuffle8Vector, unshuffle8Vector},
		{"words 8", 8, 8, words(shuffle8Words), words(unshuffle8Words)},
		{"vector 4", 4, 16, shuffle4Vector, unshuffle4Vector},
		{"words 4", 4, 8, words(shuffle4Words), words(unshuffle4Words)},
	} {
		ts := path.typesize
		for _, n := range []int{0, 7, 8, 15, 16, 17, 24, 31, 32, 1000, 4099} {
			src := testData("random", ts*n)
			plain := make([]byte, ts*n)
			for j := range ts {
				for i := range n {
					plain[j*n+i] = src[ts*i+j]
				}
			}
			got := make([]byte, ts*n)
			done := path.shuffle(got, src, n)
			if done != 0 && done != n/path.multiple*path.multiple {
				t.Fatalf("%s: shuffle of %d items did %d", path.name, n, done)
			}
			for j := range ts {
				for i := range n {
					want := plain[j*n+i]
					if i >= done {
						want = 0
					}
					if got[j*n+i] != want {
						t.Fatalf("%s: shuffle of %d items: plane %d item %d is %#x, want %#x", path.name, n, j, i, got[j*n+i], want)
					}
				}
			}
			back := make([]byte, ts*n)
			done = path.unshuffle(back, plain, n)
			want := append(src[:ts*done:ts*done], make([]byte, ts*(n-done))...)
			if string(back) != string(want) {
				t.Fatalf("%s: unshuffle of %d items (%d done) differs from the items", path.name, n, done)
			}
		}
	}
}
