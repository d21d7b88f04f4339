package compute

import (
	"encoding/binary"
	"math"

	"github.com/go-memmap/memmap/mmarray"
)

// intKeys packs integer and bool keys into one word each: the key widened
// to W, its sign bit flipped (flip) for signed keys so that the words sort
// as the keys do.
type intKeys[T GroupKey, W int64 | uint64] struct {
	view  *mmarray.Array[T]
	widen widener[T, W]
	flip  uint64
	stage []T
	wide  []W
	// words64, where the view is native, aligned and C-contiguous 64-bit
	// integers, is its memory as words: words then slices it, with no
	// block iteration per call.
	words64 []uint64
}

func newIntKeys[T GroupKey, W int64 | uint64](view *mmarray.Array[T], flip uint64) *intKeys[T, W] {
	k := &intKeys[T, W]{widen: widenerFor[T, W](), flip: flip,
		stage: make([]T, stageLen), wide: make([]W, stageLen)}
	k.setView(view)
	return k
}

// setView has k read the keys of view (nil for none).
func (k *intKeys[T, W]) setView(view *mmarray.Array[T]) {
	k.view, k.words64 = view, nil
	var zero T
	if view == nil || sizeOf(zero) != 8 {
		return
	}
	if flat, ok := view.Contiguous(); ok {
		k.words64 = sliceAs[uint64](flat)
	}
}

func (k *intKeys[T, W]) load(start int, dst []uint64) (lo, hi uint64) {
	return packKeys(dst, k.words(start, len(dst)), k.flip)
}

func (k *intKeys[T, W]) flipOf() uint64 { return k.flip }

// words returns the keys of the n rows from start on widened to W, as
// words before the flip: the mapped keys themselves where they are 64-bit
// integers lying in one block, else widened into k.wide. A block of small
// keys is aggregated by their offsets from the window's base, which the
// flip does not change, so only a block that goes to the hash table needs
// its keys packed (chunkTable.addUnpacked).
func (k *intKeys[T, W]) words(start, n int) []uint64 {
	if k.words64 != nil {
		return k.words64[start : start+n : start+n]
	}
	i := 0
	for _, block := range k.view.BlocksRange(start, start+n, k.stage) {
		for len(block) > 0 {
			var piece []W
			piece, block = k.widen(block, k.wide[i:])
			if i == 0 && len(piece) == n {
				return sliceAs[uint64](piece)
			}
			i += copy(k.wide[i:], piece)
		}
	}
	return sliceAs[uint64](k.wide[:n])
}

// packKeys writes the words of keys, x^flip, into dst and returns the least
// and greatest, tracked in two lanes so that each comparison waits for the
// one two rows back, not the previous.
func packKeys(dst []uint64, keys []uint64, flip uint64) (lo, hi uint64) {
	dst = dst[:len(keys)]
	lo0, hi0 := uint64(math.MaxUint64), uint64(0)
	lo1, hi1 := lo0, hi0
	i := 0
	for ; i+2 <= len(keys); i += 2 {
		w0, w1 := keys[i]^flip, keys[i+1]^flip
		dst[i], dst[i+1] = w0, w1
		lo0, hi0 = min(lo0, w0), max(hi0, w0)
		lo1, hi1 = min(lo1, w1), max(hi1, w1)
	}
	for ; i < len(keys); i++ {
		w := keys[i] ^ flip
		dst[i] = w
		lo0, hi0 = min(lo0, w), max(hi0, w)
	}
	return min(lo0, lo1), max(hi0, hi1)
}

// stringKeys packs S and U items read in place: an S item's bytes
// big-endian into words (zero-padded, as NumPy pads them with NULs), a U
// item's code points two to a word, so that the words sort as np.unique
// sorts the items: S by bytes, U by code points.
type stringKeys[S string | []byte] struct {
	view      *mmarray.Array[S]
	words     int
	unicode   bool
	bigEndian bool // U code units stored big-endian
}

func (k *stringKeys[S]) load(start int, dst []uint64) (lo, hi uint64) {
	w := k.words
	for r := range len(dst) / w {
		item := k.view.ItemBytes1(start + r)
		key := dst[r*w : (r+1)*w]
		if k.unicode {
			packCodePoints(key, item, k.bigEndian)
		} else {
			packBytes(key, item)
		}
	}
	return wordRange(dst, w)
}

// packBytes writes item into key big-endian, zero-padded.
func packBytes(key []uint64, item []byte) {
	for j := range key {
		lo := 8 * j
		if lo+8 <= len(item) {
			key[j] = binary.BigEndian.Uint64(item[lo:])
			continue
		}
		var x uint64
		n := 0
		for _, c := range item[min(lo, len(item)):] {
			x = x<<8 | uint64(c)
			n++
		}
		key[j] = x << (8 * (8 - n))
	}
}

// packCodePoints writes the UCS-4 code units of item into key, two to a
// word, the first in the high half, zero-padded.
func packCodePoints(key []uint64, item []byte, bigEndian bool) {
	n := len(item) / 4
	for j := range key {
		var x uint64
		for h := range 2 {
			x <<= 32
			if c := 2*j + h; c < n {
				if bigEndian {
					x |= uint64(binary.BigEndian.Uint32(item[4*c:]))
				} else {
					x |= uint64(binary.LittleEndian.Uint32(item[4*c:]))
				}
			}
		}
		key[j] = x
	}
}

// timeKeys packs Datetime64 keys truncated to a unit: the truncated count,
// sign bit flipped, and NaT as the all-zero word (a dropped row).
type timeKeys struct {
	view  *mmarray.Array[mmarray.Datetime64]
	trunc truncation
	stage []mmarray.Datetime64
}

func (k *timeKeys) load(start int, dst []uint64) (lo, hi uint64) {
	i := 0
	for _, block := range k.view.BlocksRange(start, start+len(dst), k.stage) {
		k.trunc.apply(dst[i:i+len(block)], sliceAs[int64](block))
		i += len(block)
	}
	return wordRange(dst, 1)
}

// wordRange is the range a keyLoader returns: the least and greatest key
// of one-word keys, and the widest range for longer ones, whose tables
// never index keys directly.
func wordRange(keys []uint64, words int) (lo, hi uint64) {
	if words != 1 || len(keys) == 0 {
		return 0, math.MaxUint64
	}
	return integerRange(keys)
}
