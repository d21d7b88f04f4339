package fillbytes

import "testing"

// Items against the definition, dst[i] = item[(phase+i)%len(item)], for
// items of one to a few bytes, every phase, and lengths around an item and
// around a piece, where the doubling copies are cut.
func TestItemsAsDefined(t *testing.T) {
	t.Parallel()
	for _, item := range [][]byte{nil, {7}, {1, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8}, make([]byte, 24)} {
		for i := range item {
			item[i] = byte(i + 1)
		}
		for phase := range max(len(item), 1) {
			for _, n := range []int{0, 1, len(item) - 1, len(item) + 1, 1000, piece - 1, piece + 5, 3*piece + 7} {
				if n < 0 {
					continue
				}
				dst := make([]byte, n)
				for i := range dst {
					dst[i] = 0xEE
				}
				Items(dst, item, phase)
				for i, b := range dst {
					want := byte(0)
					if len(item) > 0 {
						want = item[(phase+i)%len(item)]
					}
					if b != want {
						t.Fatalf("item %v, phase %d, %d bytes: dst[%d] = %d, want %d", item, phase, n, i, b, want)
					}
				}
			}
		}
	}
}
