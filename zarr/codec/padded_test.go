package codec

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
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

// FuzzEncodePadded checks EncodePadded against Encode of the chunk written
// out (head, then fill repeated from the chunk's first byte), for arbitrary
// heads, padding lengths, fills, item sizes and Blosc settings (blocks of
// any size, so that the head ends anywhere in a block, and chunks that do
// not compress and are memcpyed), and that the chunk decodes to itself.
func FuzzEncodePadded(f *testing.F) {
	f.Add(testData("walk", 3000), uint32(5000), []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f}, uint8(8), uint8(1), uint8(5), uint16(0), uint8(0))
	f.Add(testData("random", 700), uint32(129), []byte{1, 2, 3}, uint8(3), uint8(2), uint8(9), uint16(300), uint8(1))
	f.Add(testData("small", 4000), uint32(40000), []byte(nil), uint8(4), uint8(0), uint8(1), uint16(128), uint8(2))
	f.Add([]byte{}, uint32(100), []byte{9}, uint8(1), uint8(3), uint8(5), uint16(0), uint8(4))
	cnames := []string{"lz4", "zstd", "zlib", "lz4hc"}
	f.Fuzz(func(t *testing.T, head []byte, padding uint32, fill []byte, itemSize, shuffle, clevel uint8, blocksize uint16, choice uint8) {
		if len(fill) > 32 {
			fill = fill[:32]
		}
		size := len(head) + int(padding%(1<<18))
		var c Codec
		switch choice % 6 {
		case 4:
			c = NewLZ4(int(clevel % 10))
		case 5:
			c = NewZlib(int(clevel % 10))
		default:
			c = NewBlosc(cnames[int(choice%6)%len(cnames)], int(clevel%10), Shuffle(int(shuffle%4)-1), int(blocksize))
		}
		whole := make([]byte, size)
		copy(whole, head)
		if len(fill) > 0 {
			for p := len(head); p < size; p++ {
				whole[p] = fill[p%len(fill)]
			}
		}
		item := int(itemSize % 20)
		want, err := c.Encode(nil, whole, item)
		if err != nil {
			t.Fatalf("%v: Encode: %v", c.Config(), err)
		}
		got, err := EncodePadded(c, []byte("prefix"), head, size, fill, item)
		if err != nil {
			t.Fatalf("%v: EncodePadded: %v", c.Config(), err)
		}
		if string(got[:6]) != "prefix" || !bytes.Equal(got[6:], want) {
			t.Fatalf("%v, %d-byte head in %d bytes, fill %v, item %d: EncodePadded differs from Encode of the chunk", c.Config(), len(head), size, fill, item)
		}
		back, err := c.Decode(nil, got[6:], size)
		if err != nil || !bytes.Equal(back, whole) {
			t.Fatalf("%v: Decode of EncodePadded: %v", c.Config(), err)
		}
	})
}

// FuzzLZ4ConstantBlock checks lz4ConstantBlock against LZ4's compressor for
// runs of any length and output buffers of any size around the block's:
// the same block, or 0 from both when it does not fit.
func FuzzLZ4ConstantBlock(f *testing.F) {
	f.Add(uint32(13), byte(0), uint16(10), uint8(1))
	f.Add(uint32(65536+11), byte(0x7f), uint16(300), uint8(9))
	f.Add(uint32(270+10), byte(0xff), uint16(12), uint8(5))
	f.Fuzz(func(t *testing.T, n uint32, b byte, room uint16, acceleration uint8) {
		length := lz4ConstantMin + int(n%(1<<21))
		src := bytes.Repeat([]byte{b}, length)
		// Rooms from a few bytes up to past the block's size.
		size := min(int(room)%(length/255+32), length)
		want := make([]byte, size)
		want = want[:lz4CompressLimited(want, src, int(acceleration%12))]
		got := make([]byte, size)
		got = got[:lz4ConstantBlock(got, b, length)]
		if !bytes.Equal(got, want) {
			t.Fatalf("%d bytes of %#x into %d: % x, LZ4 gives % x", length, b, size, got, want)
		}
	})
}

// Streams of one byte value longer than the interop test's (up to 256
// KiB, on both sides of the size at which LZ4 changes its hash table, and
// a leftover block), encoded with lz4ConstantBlock, are c-blosc's own
// bytes, and numcodecs decodes them.
func TestBloscConstantStreamsAsNumcodecs(t *testing.T) {
	t.Parallel()
	var cases []interopCase
	add := func(config map[string]any, itemSize int, data []byte) {
		c, err := FromConfig(config)
		require.NoError(t, err)
		cases = append(cases, interopCase{
			name:   fmt.Sprintf("%v, item %d, %d bytes", config, itemSize, len(data)),
			config: config, codec: c, itemSize: itemSize, data: data,
			pythonEncodes: true, pythonDecodes: true,
		})
	}
	for _, blocksize := range []int{1 << 16, 1<<16 + 10, 1<<16 + 11, 1 << 18} {
		random := testData("random", blocksize)
		var data []byte
		data = append(data, bytes.Repeat([]byte{0}, blocksize)...)
		data = append(data, random...)
		data = append(data, bytes.Repeat([]byte{0xff}, blocksize)...)
		data = append(data, bytes.Repeat([]byte{0x42}, 1000)...) // the leftover block
		add(map[string]any{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 0, "blocksize": blocksize}, 1, data)
	}
	// float64 of one value but in a block of their own: planes of 128 KiB.
	data := make([]byte, 2<<20)
	for i := 0; i < len(data); i += 8 {
		binary.LittleEndian.PutUint64(data[i:], math.Float64bits(1.5))
	}
	copy(data[1<<20:], testData("walk", 1<<16))
	add(map[string]any{"id": "blosc", "cname": "lz4", "clevel": 9, "shuffle": 1, "blocksize": 0}, 8, data)
	theirs := checkInterop(t, cases)
	for i, c := range cases {
		if theirs[i] == nil {
			continue
		}
		ours, err := c.codec.Encode(nil, c.data, c.itemSize)
		require.NoError(t, err)
		require.True(t, sameBloscChunk(ours, theirs[i], len(c.data)), "%s: our encoding (%d bytes) differs from numcodecs' (%d bytes)", c.name, len(ours), len(theirs[i]))
	}
}
