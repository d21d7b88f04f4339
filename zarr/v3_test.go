package zarr_test

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/zarr"
	"github.com/go-memmap/memmap/zarr/codec"
)

// writeNode writes a zarr.json into a new folder and returns the folder.
func writeNode(t *testing.T, zarrJSON string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.zarr")
	require.NoError(t, os.Mkdir(path, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(path, "zarr.json"), []byte(zarrJSON), 0o644))
	return path
}

// The array metadata example of the v3 core specification (docs/v3/core,
// "Example") reads as the specification describes it: a 10000 x 1000
// float64 array, little-endian, in 1000 x 100 chunks keyed "c/i/j", with a
// NaN fill, named dimensions and attributes.
func TestV3SpecExample(t *testing.T) {
	t.Parallel()
	path := writeNode(t, `{
        "zarr_format": 3,
        "node_type": "array",
        "shape": [10000, 1000],
        "dimension_names": ["rows", "columns"],
        "data_type": "float64",
        "chunk_grid": {
            "name": "regular",
            "configuration": {
                "chunk_shape": [1000, 100]
            }
        },
        "chunk_key_encoding": {
            "name": "default",
            "configuration": {
                "separator": "/"
            }
        },
        "codecs": [{
            "name": "bytes",
            "configuration": {
                "endian": "little"
            }
        }],
        "fill_value": "NaN",
        "attributes": {
            "foo": 42,
            "bar": "apples",
            "baz": [1, 2, 3, 4]
        }
    }`)
	a, err := zarr.Open(path)
	require.NoError(t, err)
	require.Equal(t, 3, a.ZarrFormat())
	require.Equal(t, []int{10000, 1000}, a.Shape())
	require.Equal(t, []int{1000, 100}, a.ChunkShape())
	require.Equal(t, []int{10, 10}, a.GridShape(), "100 chunks in a 10 by 10 grid")
	require.Equal(t, "<f8", a.Descr())
	require.False(t, a.FortranOrder())
	require.Nil(t, a.Codec())
	require.Equal(t, []string{"rows", "columns"}, a.DimensionNames())
	require.Equal(t, map[string]any{"foo": 42.0, "bar": "apples", "baz": []any{1.0, 2.0, 3.0, 4.0}}, a.Attrs())
	require.Equal(t, "c/1/2", a.Key([]int{1, 2}))
	require.Equal(t, binary.LittleEndian.AppendUint64(nil, 0x7FF8000000000000), a.FillValue(), "NaN: sign 0, mantissa MSB 1")
	chunk, err := a.ReadChunk([]int{9, 9}, nil)
	require.NoError(t, err)
	require.True(t, math.IsNaN(math.Float64frombits(binary.LittleEndian.Uint64(chunk[8*99999:]))), "a missing chunk is the fill")

	// The specification's second example, an extension data type (with
	// its stray comma removed), is refused as not implemented.
	ext := writeNode(t, `{"zarr_format": 3, "node_type": "array", "shape": [10000, 1000],
        "data_type": {"name": "urn:example:datetime", "configuration": {"unit": "ns"}},
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [1000, 100]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "codecs": [{"name": "bytes", "configuration": {"endian": "big"}}], "fill_value": null}`)
	_, err = zarr.Open(ext)
	require.ErrorIs(t, err, memmap.ErrUnsupported)

	// The group example.
	g := writeNode(t, `{"zarr_format": 3, "node_type": "group", "attributes": {"spam": "ham", "eggs": 42}}`)
	group, err := zarr.OpenGroup(g)
	require.NoError(t, err)
	require.Equal(t, 3, group.ZarrFormat())
	require.Equal(t, map[string]any{"spam": "ham", "eggs": 42.0}, group.Attrs())
	_, err = zarr.Open(g)
	require.ErrorIs(t, err, zarr.ErrFormat, "a group is not an array")
}

// shardSpec is the sharding example of the sharding_indexed specification
// (inner chunks [32, 32], bytes little + gzip 1 inside, an index of
// little-endian uint64 pairs + crc32c at the end), around shards of 64 x
// 64 of an int32 array of 100 x 70, with the index's place and byte order
// as given.
func shardSpec(location, indexEndian string) string {
	return `{"zarr_format": 3, "node_type": "array", "shape": [100, 70], "data_type": "int32",
	  "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [64, 64]}},
	  "chunk_key_encoding": {"name": "default"}, "fill_value": -7,
	  "codecs": [{
          "name": "sharding_indexed",
          "configuration": {
            "chunk_shape": [32, 32],
            "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip", "configuration": {"level": 1}}],
            "index_codecs": [{"name": "bytes", "configuration": {"endian": "` + indexEndian + `"}}, {"name": "crc32c"}],
            "index_location": "` + location + `"
          }
        }]}`
}

// writeShards writes the shards of shardSpec's array by hand, as the
// specification lays them out: the inner chunks gzip-encoded one after
// another (in reverse order, which the format allows), inner chunk (1, 1)
// of every shard left empty (offset and nbytes 2^64-1), and the index with
// its checksum at the start or the end. Item (i, j) is i*1000+j.
func writeShards(t *testing.T, path string, atStart, bigIndex bool) {
	t.Helper()
	gz, err := codec.FromV3("gzip", map[string]any{"level": 1.0})
	require.NoError(t, err)
	crc := codec.NewCRC32C()
	order := binary.ByteOrder(binary.LittleEndian)
	if bigIndex {
		order = binary.BigEndian
	}
	for si := range 2 {
		for sj := range 2 {
			var body []byte
			index := make([]byte, 16*4)
			for k := 3; k >= 0; k-- {
				ci, cj := k/2, k%2
				if ci == 1 && cj == 1 {
					order.PutUint64(index[16*k:], math.MaxUint64)
					order.PutUint64(index[16*k+8:], math.MaxUint64)
					continue
				}
				raw := make([]byte, 0, 32*32*4)
				for i := range 32 {
					for j := range 32 {
						raw = binary.LittleEndian.AppendUint32(raw, uint32((si*64+ci*32+i)*1000+sj*64+cj*32+j))
					}
				}
				enc, err := gz.Encode(nil, raw, 4)
				require.NoError(t, err)
				off := len(body)
				if atStart {
					off += 16*4 + 4
				}
				order.PutUint64(index[16*k:], uint64(off))
				order.PutUint64(index[16*k+8:], uint64(len(enc)))
				body = append(body, enc...)
			}
			index, err = crc.Encode(nil, index, 8)
			require.NoError(t, err)
			require.Len(t, index, 68, "the specification's index size for 4 inner chunks")
			shard := append(body, index...)
			if atStart {
				shard = append(index, body...)
			}
			dir := filepath.Join(path, "c", string(rune('0'+si)))
			require.NoError(t, os.MkdirAll(dir, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, string(rune('0'+sj))), shard, 0o644))
		}
	}
}

// Sharded arrays read item for item, with the index at the end or the
// start, little- or big-endian; empty inner chunks read as the fill value,
// and a damaged index or an inner chunk outside the shard is an error.
func TestV3ShardingRead(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		location string
		big      bool
	}{{"end", false}, {"start", false}, {"end", true}} {
		endian := map[bool]string{false: "little", true: "big"}[c.big]
		path := writeNode(t, shardSpec(c.location, endian))
		writeShards(t, path, c.location == "start", c.big)
		a, err := zarr.Open(path)
		require.NoError(t, err)
		require.Equal(t, []int{64, 64}, a.ChunkShape(), "a chunk is a shard")
		got, err := a.ReadRegion([]int{0, 0}, []int{100, 70}, nil)
		require.NoError(t, err)
		for i := range 100 {
			for j := range 70 {
				want := int32(i*1000 + j)
				if i%64 >= 32 && j%64 >= 32 {
					want = -7 // the empty inner chunk (1, 1)
				}
				require.Equal(t, want, int32(binary.LittleEndian.Uint32(got[4*(70*i+j):])), "item (%d, %d)", i, j)
			}
		}
		shard := filepath.Join(path, "c", "0", "1")
		stored, err := os.ReadFile(shard)
		require.NoError(t, err)
		damaged := append([]byte{}, stored...)
		idx := len(damaged) - 10
		if c.location == "start" {
			idx = 10
		}
		damaged[idx] ^= 1
		require.NoError(t, os.WriteFile(shard, damaged, 0o644))
		_, err = a.ReadChunk([]int{0, 1}, nil)
		require.ErrorIs(t, err, codec.ErrCorrupt, "the index's checksum")
		require.NoError(t, os.WriteFile(shard, stored[:len(stored)/2], 0o644))
		_, err = a.ReadChunk([]int{0, 1}, nil)
		require.ErrorIs(t, err, zarr.ErrFormat)
	}
}

// Arrays written as v3 (dtypes of both byte orders, C and F order, each
// codec, both key separators, named dimensions, fill values) read back
// the same, with the zarr.json and the chunk keys the specification
// describes.
func TestV3RoundTrip(t *testing.T) {
	t.Parallel()
	var codecs []codec.Codec
	for _, name := range []string{"none", "gzip", "zstd", "blosc-lz4"} {
		c, err := codec.Parse(name)
		require.NoError(t, err)
		codecs = append(codecs, c)
	}
	codecs = append(codecs, codec.NewCRC32C())
	full := []int{13, 7, 5}
	for i, c := range codecs {
		for _, fortran := range []bool{false, true} {
			src := int32Source(t, full, fortran)
			path := filepath.Join(t.TempDir(), "a.zarr")
			opts := []zarr.FromFileOption{zarr.WithFormat(3), zarr.WithCodec(c), zarr.WithChunks(4, 3, 5),
				zarr.WithDimensionNames("x", "", "z"), zarr.WithAttrs(map[string]any{"k": "v"})}
			if i%2 == 1 {
				opts = append(opts, zarr.WithDimensionSeparator("."))
			}
			a, err := zarr.FromFile(src, path, opts...)
			require.NoError(t, err)
			b, err := zarr.Open(path)
			require.NoError(t, err)
			require.Equal(t, 3, b.ZarrFormat())
			require.Equal(t, fortran, b.FortranOrder())
			require.Equal(t, []string{"x", "", "z"}, b.DimensionNames())
			require.Equal(t, map[string]any{"k": "v"}, b.Attrs())
			require.Equal(t, a.Key([]int{3, 2, 0}), b.Key([]int{3, 2, 0}))
			_, err = os.Stat(filepath.Join(path, filepath.FromSlash(b.Key([]int{3, 2, 0}))))
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(b.Key([]int{3, 2, 0}), "c"))
			got, err := b.ReadRegion([]int{0, 0, 0}, full, nil)
			require.NoError(t, err)
			require.Equal(t, want(full, []int{0, 0, 0}, full), got, "codec %d fortran %v", i, fortran)
			checkChunks(t, b)
			if c == nil {
				f, err := b.OpenChunk([]int{0, 0, 0}, new(compute.ChunkScratch))
				require.NoError(t, err)
				require.False(t, f.IsInMemory(), "a v3 chunk of bytes alone is mapped")
				require.NoError(t, f.Close())
			}

			var doc map[string]any
			data, err := os.ReadFile(filepath.Join(path, "zarr.json"))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(data, &doc))
			require.Equal(t, "int32", doc["data_type"])
			chain := doc["codecs"].([]any)
			if fortran {
				require.Equal(t, map[string]any{"name": "transpose", "configuration": map[string]any{"order": []any{2.0, 1.0, 0.0}}}, chain[0])
				chain = chain[1:]
			}
			require.Equal(t, map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}, chain[0])
			require.Len(t, chain, map[bool]int{true: 1, false: 2}[c == nil])
		}
	}
	// v3 keeps the fill's bits: a NaN with a payload as "0x...", raw items
	// as byte lists; big-endian items say so in the bytes codec.
	for _, f := range []struct {
		descr string
		fill  []byte
		json  any
	}{
		{">f4", []byte{0x7F, 0xC0, 0, 1}, "0x7fc00001"},
		{"<f8", binary.LittleEndian.AppendUint64(nil, 0x7FF8000000000000), "NaN"},
		{"<c8", []byte{0, 0, 0x80, 0x7F, 0, 0, 0xC0, 0xFF}, []any{"Infinity", "0xffc00000"}},
		{"|V3", []byte{1, 2, 255}, []any{1.0, 2.0, 255.0}},
		{">i2", []byte{0xFF, 0xFE}, -2.0},
		{"|b1", []byte{1}, true},
	} {
		path := filepath.Join(t.TempDir(), "f.zarr")
		a, err := zarr.Create(path, f.descr, []int{3}, []int{2}, zarr.WithFormat(3), zarr.WithFill(f.fill))
		require.NoError(t, err)
		require.Equal(t, "c/1", a.Key([]int{1}))
		b, err := zarr.Open(path)
		require.NoError(t, err)
		require.Equal(t, f.descr, b.Descr())
		require.Equal(t, f.fill, b.FillValue())
		var doc map[string]any
		data, err := os.ReadFile(filepath.Join(path, "zarr.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &doc))
		require.Equal(t, f.json, doc["fill_value"], f.descr)
	}
	_, err := zarr.Create(filepath.Join(t.TempDir(), "s"), "|S3", []int{3}, []int{2}, zarr.WithFormat(3))
	require.ErrorIs(t, err, memmap.ErrUnsupported, "no core v3 data type for S")
	_, err = zarr.Create(filepath.Join(t.TempDir(), "z"), "<f8", []int{3}, []int{2}, zarr.WithFormat(3), zarr.WithCodec(codec.NewZlib(1)))
	require.ErrorIs(t, err, memmap.ErrUnsupported, "no zlib in v3")
	requireMisuse(t, func() {
		zarr.Create(filepath.Join(t.TempDir(), "n"), "<f8", []int{3}, []int{2}, zarr.WithDimensionNames("x"))
	})
	requireMisuse(t, func() { zarr.WithFormat(4) })
}

// A transpose that is neither the identity nor the reversal of the axes is
// undone item by item: chunks read in C order.
func TestV3Transpose(t *testing.T) {
	t.Parallel()
	path := writeNode(t, `{"zarr_format": 3, "node_type": "array", "shape": [2, 3, 4], "data_type": "uint16",
	  "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 3, 4]}},
	  "chunk_key_encoding": {"name": "v2", "configuration": {"separator": "."}}, "fill_value": 0,
	  "codecs": [{"name": "transpose", "configuration": {"order": [1, 2, 0]}}, {"name": "bytes", "configuration": {"endian": "big"}}]}`)
	// B[b0, b1, b2] = A[a0, a1, a2] with b = (a1, a2, a0): B's shape is (3, 4, 2).
	var stored []byte
	for b0 := range 3 {
		for b1 := range 4 {
			for b2 := range 2 {
				stored = binary.BigEndian.AppendUint16(stored, uint16(100*b2+10*b0+b1)) // A[a0][a1][a2] = 100*a0+10*a1+a2
			}
		}
	}
	require.NoError(t, os.WriteFile(filepath.Join(path, "0.0.0"), stored, 0o644))
	a, err := zarr.Open(path)
	require.NoError(t, err)
	require.Equal(t, ">u2", a.Descr())
	require.Equal(t, "0.0.0", a.Key([]int{0, 0, 0}))
	f, err := a.OpenChunk([]int{0, 0, 0}, new(compute.ChunkScratch))
	require.NoError(t, err)
	require.False(t, f.FortranOrder())
	v, err := mmarray.View[uint16](f)
	require.NoError(t, err)
	for a0 := range 2 {
		for a1 := range 3 {
			for a2 := range 4 {
				require.Equal(t, uint16(100*a0+10*a1+a2), v.At(a0, a1, a2))
			}
		}
	}
	require.NoError(t, f.Close())
}

// zarr.json that is not valid v3, or uses what is not implemented, is
// refused with the documented sentinels; an unknown field that need not be
// understood is ignored.
func TestV3Refusals(t *testing.T) {
	t.Parallel()
	base := func(edit func(map[string]any)) string {
		doc := map[string]any{
			"zarr_format": 3, "node_type": "array", "shape": []any{4}, "data_type": "float32",
			"chunk_grid":         map[string]any{"name": "regular", "configuration": map[string]any{"chunk_shape": []any{2}}},
			"chunk_key_encoding": map[string]any{"name": "default"},
			"codecs":             []any{map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}},
			"fill_value":         0,
		}
		edit(doc)
		b, _ := json.Marshal(doc)
		return string(b)
	}
	bytesLE := map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}
	for _, c := range []struct {
		name string
		edit func(map[string]any)
		want error
	}{
		{"ok", func(map[string]any) {}, nil},
		{"ignorable field", func(d map[string]any) { d["extra"] = map[string]any{"must_understand": false} }, nil},
		{"short-hand codec names", func(d map[string]any) { d["data_type"] = "uint8"; d["codecs"] = []any{"bytes", "crc32c"} }, nil},
		{"unknown field", func(d map[string]any) { d["extra"] = 1 }, memmap.ErrUnsupported},
		{"zarr_format", func(d map[string]any) { d["zarr_format"] = 2 }, zarr.ErrFormat},
		{"node_type", func(d map[string]any) { d["node_type"] = "tree" }, zarr.ErrFormat},
		{"data type", func(d map[string]any) { d["data_type"] = "string" }, memmap.ErrUnsupported},
		{"no endian", func(d map[string]any) { d["codecs"] = []any{"bytes"} }, zarr.ErrFormat},
		{"no codecs", func(d map[string]any) { d["codecs"] = []any{} }, zarr.ErrFormat},
		{"two array->bytes", func(d map[string]any) { d["codecs"] = []any{bytesLE, bytesLE} }, zarr.ErrFormat},
		{"compressor first", func(d map[string]any) { d["codecs"] = []any{"crc32c", bytesLE} }, zarr.ErrFormat},
		{"unknown codec", func(d map[string]any) { d["codecs"] = []any{bytesLE, "lz5"} }, memmap.ErrUnsupported},
		{"bad transpose", func(d map[string]any) {
			d["codecs"] = []any{map[string]any{"name": "transpose", "configuration": map[string]any{"order": []any{1}}}, bytesLE}
		}, zarr.ErrFormat},
		{"grid", func(d map[string]any) { d["chunk_grid"] = map[string]any{"name": "rectilinear"} }, memmap.ErrUnsupported},
		{"chunk shape rank", func(d map[string]any) {
			d["chunk_grid"] = map[string]any{"name": "regular", "configuration": map[string]any{"chunk_shape": []any{2, 2}}}
		}, zarr.ErrFormat},
		{"key encoding", func(d map[string]any) { d["chunk_key_encoding"] = "morton" }, memmap.ErrUnsupported},
		{"separator", func(d map[string]any) {
			d["chunk_key_encoding"] = map[string]any{"name": "default", "configuration": map[string]any{"separator": "-"}}
		}, zarr.ErrFormat},
		{"storage transformers", func(d map[string]any) { d["storage_transformers"] = []any{"x"} }, memmap.ErrUnsupported},
		{"dimension names", func(d map[string]any) { d["dimension_names"] = []any{"a", "b"} }, zarr.ErrFormat},
		{"fill", func(d map[string]any) { d["fill_value"] = "zero" }, zarr.ErrFormat},
		{"no fill", func(d map[string]any) { delete(d, "fill_value") }, zarr.ErrFormat},
		{"raw fill", func(d map[string]any) { d["data_type"] = "r16"; d["fill_value"] = []any{1, 256} }, zarr.ErrFormat},
		{"inner chunks", func(d map[string]any) {
			d["codecs"] = []any{map[string]any{"name": "sharding_indexed", "configuration": map[string]any{
				"chunk_shape": []any{3}, "codecs": []any{bytesLE}, "index_codecs": []any{bytesLE, "crc32c"}}}}
		}, zarr.ErrFormat},
		{"compressed index", func(d map[string]any) {
			d["codecs"] = []any{map[string]any{"name": "sharding_indexed", "configuration": map[string]any{
				"chunk_shape": []any{1}, "codecs": []any{bytesLE}, "index_codecs": []any{bytesLE, "gzip"}}}}
		}, zarr.ErrFormat},
	} {
		_, err := zarr.Open(writeNode(t, base(c.edit)))
		if c.want == nil {
			require.NoError(t, err, c.name)
		} else {
			require.ErrorIs(t, err, c.want, c.name)
		}
	}
}

// A v3 group made here lists its v3 members, and the members made through
// it are v3.
func TestV3Group(t *testing.T) {
	t.Parallel()
	g, err := zarr.CreateGroup(filepath.Join(t.TempDir(), "g.zarr"), map[string]any{"a": 1.0}, zarr.WithFormat(3))
	require.NoError(t, err)
	x, err := g.Create("x", "<f4", []int{3}, []int{2})
	require.NoError(t, err)
	require.Equal(t, 3, x.ZarrFormat())
	_, err = zarr.CreateGroup(filepath.Join(g.Path(), "sub"), nil, zarr.WithFormat(3))
	require.NoError(t, err)
	opened, err := zarr.OpenGroup(g.Path())
	require.NoError(t, err)
	require.Equal(t, map[string]any{"a": 1.0}, opened.Attrs())
	arrays, groups, err := opened.Members()
	require.NoError(t, err)
	require.Equal(t, []string{"x"}, arrays)
	require.Equal(t, []string{"sub"}, groups)
	_, err = zarr.OpenGroup(x.Path())
	require.ErrorIs(t, err, zarr.ErrFormat)
	require.NoError(t, x.SetAttrs(map[string]any{"u": "m"}))
	again, err := opened.Open("x")
	require.NoError(t, err)
	require.Equal(t, map[string]any{"u": "m"}, again.Attrs())
	require.Equal(t, []int{3}, again.Shape(), "SetAttrs keeps the rest of zarr.json")
}

// A shard of many tiny inner chunks, each compressed, holds far more bytes
// of framing (a gzip header and trailer and 16 bytes of index per inner
// chunk) than items, and reads: it used to be refused as damage, the bound
// on a stored shard allowing only 16 bytes per item for everything.
func TestV3ShardOfTinyCompressedInnerChunks(t *testing.T) {
	t.Parallel()
	const n = 4096
	path := writeNode(t, `{"zarr_format": 3, "node_type": "array", "shape": [`+strconv.Itoa(n)+`], "data_type": "float64",
	  "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [`+strconv.Itoa(n)+`]}},
	  "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
	  "codecs": [{"name": "sharding_indexed", "configuration": {"chunk_shape": [1],
	    "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip", "configuration": {"level": 9}}, {"name": "crc32c"}],
	    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}]}}]}`)
	gz, err := codec.FromV3("gzip", map[string]any{"level": 9.0})
	require.NoError(t, err)
	crc := codec.NewCRC32C()
	var body []byte
	index := make([]byte, 16*n)
	for i := range n {
		enc, err := gz.Encode(nil, binary.LittleEndian.AppendUint64(nil, math.Float64bits(float64(i)/3)), 8)
		require.NoError(t, err)
		enc, err = crc.Encode(nil, enc, 1)
		require.NoError(t, err)
		binary.LittleEndian.PutUint64(index[16*i:], uint64(len(body)))
		binary.LittleEndian.PutUint64(index[16*i+8:], uint64(len(enc)))
		body = append(body, enc...)
	}
	index, err = crc.Encode(nil, index, 8)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(path, "c"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(path, "c", "0"), append(body, index...), 0o644))
	a, err := zarr.Open(path)
	require.NoError(t, err)
	got, err := a.ReadChunk([]int{0}, nil)
	require.NoError(t, err)
	for i := range n {
		require.Equal(t, float64(i)/3, math.Float64frombits(binary.LittleEndian.Uint64(got[8*i:])), "item %d", i)
	}
}
