package zarr

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/zarr/codec"
)

// shardedLayout is a small sharded array for fuzzing: shards of 4 x 4
// int32 items in inner chunks of 2 x 2, gzip inside, a crc32c on the
// index, fill 5.
func shardedLayout(t testing.TB) layout {
	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(`{"zarr_format": 3, "node_type": "array", "shape": [8, 8], "data_type": "int32",
	  "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4, 4]}}, "chunk_key_encoding": {"name": "default"}, "fill_value": 5,
	  "codecs": [{"name": "sharding_indexed", "configuration": {"chunk_shape": [2, 2],
	    "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip", "configuration": {"level": 1}}],
	    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}]}}]}`), &doc))
	l, err := parseV3Array(doc)
	require.NoError(t, err)
	return l
}

// FuzzShardDecode feeds arbitrary bytes to the shard decoder as a stored
// shard: it never panics, and every failure is ErrFormat (or, for what a
// codec cannot handle, memmap.ErrUnsupported).
func FuzzShardDecode(f *testing.F) {
	l := shardedLayout(f)
	// A valid shard: every inner chunk empty, then one stored.
	empty := make([]byte, 0, 64)
	for range 8 {
		empty = append(empty, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
	}
	f.Add(appendCRC32C(empty))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		dst := make([]byte, l.chunkBytes)
		err := l.pipe.decode(dst, data, l.chunks, l.dtype.ItemSize, l.fill)
		if err != nil && !errors.Is(err, ErrFormat) {
			t.Fatalf("error %v is not ErrFormat", err)
		}
	})
}

// A shard whose index marks every inner chunk empty decodes to the fill
// value; with the checksum of its index damaged it is refused.
func TestShardOfEmptyInnerChunks(t *testing.T) {
	t.Parallel()
	l := shardedLayout(t)
	index := make([]byte, 0, 64)
	for range 8 {
		index = append(index, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
	}
	crc := l.pipe.shard.indexCRCs
	require.Equal(t, 1, crc)
	stored := appendCRC32C(index)
	dst := make([]byte, l.chunkBytes)
	require.NoError(t, l.pipe.decode(dst, stored, l.chunks, 4, l.fill))
	for i := 0; i < len(dst); i += 4 {
		require.Equal(t, []byte{5, 0, 0, 0}, dst[i:i+4])
	}
	stored[len(stored)-1] ^= 1
	require.ErrorIs(t, l.pipe.decode(dst, stored, l.chunks, 4, l.fill), ErrFormat)
}

func appendCRC32C(b []byte) []byte {
	out, err := codec.NewCRC32C().Encode(nil, b, 1)
	if err != nil {
		panic(err)
	}
	return out
}

// A shard of 2^27 one-byte inner chunks has an index of 2 GiB: a stored
// shard too short for it is refused, on 32-bit platforms too, where the
// index's size used to overflow an int and slicing the shard panicked.
func TestShardIndexLargerThanAnInt32(t *testing.T) {
	t.Parallel()
	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(`{"zarr_format": 3, "node_type": "array", "shape": [134217728], "data_type": "uint8",
	  "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [134217728]}}, "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
	  "codecs": [{"name": "sharding_indexed", "configuration": {"chunk_shape": [1],
	    "codecs": [{"name": "bytes"}],
	    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}]}}]}`), &doc))
	l, err := parseV3Array(doc)
	require.NoError(t, err)
	err = l.pipe.shard.decode(nil, make([]byte, 64), l.chunks, l.dtype.ItemSize, l.fill)
	require.ErrorIs(t, err, ErrFormat)
}
