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
