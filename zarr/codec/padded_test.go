package codec

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// EncodePadded gives the bytes Encode gives the chunk written out, head
// then fill, for heads ending on a block's edge, inside a block, at 0 and
// at the chunk's end, and for fills of every kind: Blosc's blocks built one
// at a time must come out as those of the whole chunk.
func TestEncodePaddedAsEncodeOfTheWholeChunk(t *testing.T) {
	t.Parallel()
	codecs := []Codec{
		NewBlosc("lz4", 5, ByteShuffle, 0),
		NewBlosc("lz4", 5, NoShuffle, 0),
		NewBlosc("lz4", 5, BitShuffle, 0),
		NewBlosc("zstd", 1, ByteShuffle, 1<<16),
		NewBlosc("lz4", 0, ByteShuffle, 0),  // memcpyed
		NewBlosc("lz4", 5, ByteShuffle, 16), // more block offsets than bytes: memcpyed
		NewZlib(1),
		NewLZ4(1),
	}
	const size = 300_000 // blocks of 256 KiB or less: several, the last short
	for _, c := range codecs {
		for _, kind := range []string{"walk", "random"} {
			data := testData(kind, size)
			for _, fill := range [][]byte{nil, {0, 0, 0, 0, 0, 0, 0xf8, 0x7f}, {1, 2, 3}, {9}} {
				item := max(len(fill), 8)
				for _, headLen := range []int{0, 1, 4095, 1 << 16, 1<<16 + 24, 1 << 18, size - 5, size} {
					name := fmt.Sprintf("%s %v/%s/fill %v/head %d", c.ID(), c.Config(), kind, fill, headLen)
					whole := make([]byte, size)
					copy(whole, data[:headLen])
					for p := headLen; p < size; p++ {
						if fill != nil {
							whole[p] = fill[p%len(fill)]
						}
					}
					want, err := c.Encode(nil, whole, item)
					require.NoError(t, err, name)
					got, err := EncodePadded(c, []byte("prefix"), data[:headLen], size, fill, item)
					require.NoError(t, err, name)
					require.Equal(t, "prefix", string(got[:6]), name)
					require.Equal(t, want, got[6:], name)
				}
			}
		}
	}
}

func TestEncodePaddedPanicsOnAHeadLongerThanTheChunk(t *testing.T) {
	t.Parallel()
	require.Panics(t, func() { _, _ = EncodePadded(NewZlib(1), nil, make([]byte, 9), 8, nil, 1) })
}

// lz4ConstantBlock writes the block LZ4's own compressor writes for a run
// of one byte, at every length from the shortest it takes up to where the
// match's length needs several bytes, and at block sizes; into a buffer a
// byte short, both give up.
func TestLZ4ConstantBlockAsLZ4(t *testing.T) {
	t.Parallel()
	lengths := []int{lz4ConstantMin, 1 << 16, 1<<16 + 13, 1 << 17, 1 << 20}
	for n := lz4ConstantMin + 1; n < 1200; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		for _, b := range []byte{0, 0x7f, 0xff} {
			src := bytes.Repeat([]byte{b}, n)
			require.True(t, isConstant(src))
			for _, acceleration := range []int{1, 5, 9} {
				want := make([]byte, n)
				want = want[:lz4CompressLimited(want, src, acceleration)]
				got := make([]byte, n)
				got = got[:lz4ConstantBlock(got, b, n)]
				require.Equal(t, want, got, "%d bytes of %#x, acceleration %d", n, b, acceleration)
				if len(want) > 0 {
					short := make([]byte, len(want)-1)
					require.Zero(t, lz4CompressLimited(short, src, acceleration))
					require.Zero(t, lz4ConstantBlock(short, b, n))
				}
			}
		}
	}
	require.False(t, isConstant([]byte{1, 1, 1, 2, 1}))
	require.True(t, isConstant([]byte{3}))
}
