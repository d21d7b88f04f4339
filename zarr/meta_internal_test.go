package zarr

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/npyheader"
)

// seedZarrays are .zarray texts of the kinds zarr-python writes, the fuzz
// target's seeds and the round trip's cases.
var seedZarrays = []string{
	`{"chunks": [10, 7], "compressor": {"id": "zlib", "level": 1}, "dtype": "<f8", "fill_value": "NaN", "filters": null, "order": "C", "shape": [37, 23], "zarr_format": 2}`,
	`{"chunks": [], "compressor": null, "dtype": "<i8", "fill_value": 0, "filters": null, "order": "C", "shape": [], "zarr_format": 2}`,
	`{"chunks": [4], "compressor": null, "dtype": [["a", "<f8"], ["b", ">i4", [2]], ["c", "|S3"], ["d", [["e", "<u2"], ["f", "|b1"]]]], "fill_value": "AAAAAAAA+D8AAAACAAAAA3h5AAQAAQ==", "filters": null, "order": "F", "shape": [9], "zarr_format": 2, "dimension_separator": "/"}`,
	`{"chunks": [2, 3], "compressor": {"id": "gzip", "level": 5}, "dtype": "<c16", "fill_value": ["NaN", -2.5], "filters": [], "order": "C", "shape": [5, 4], "zarr_format": 2}`,
	`{"chunks": [2], "compressor": null, "dtype": "<U2", "fill_value": "x\u20ac", "filters": null, "order": "C", "shape": [5], "zarr_format": 2}`,
	`{"chunks": [2], "compressor": null, "dtype": ">m8[s]", "fill_value": -9223372036854775808, "filters": null, "order": "C", "shape": [5], "zarr_format": 2}`,
	`{"chunks": [2], "compressor": null, "dtype": "<u8", "fill_value": 18446744073709551615, "filters": null, "order": "C", "shape": [5], "zarr_format": 2}`,
	`{"chunks": [2], "compressor": null, "dtype": "|b1", "fill_value": true, "filters": null, "order": "C", "shape": [5], "zarr_format": 2}`,
	`{"chunks": [2], "compressor": null, "dtype": "<f2", "fill_value": "-Infinity", "filters": null, "order": "C", "shape": [5], "zarr_format": 2}`,
	`{"chunks": [2], "compressor": null, "dtype": "|S4", "fill_value": "YWI=", "filters": null, "order": "C", "shape": [5], "zarr_format": 2}`,
	`{"chunks": [2], "compressor": null, "dtype": "|V3", "fill_value": null, "filters": null, "order": "C", "shape": [0], "zarr_format": 2}`,
}

// Every .zarray of the seeds parses, and writing its layout and parsing
// that again gives the same layout.
func TestArrayMetaRoundTrip(t *testing.T) {
	t.Parallel()
	for _, text := range seedZarrays {
		l, err := parseArrayMeta([]byte(text))
		require.NoError(t, err, text)
		again := roundTrip(t, l)
		require.Equal(t, l, again, text)
	}
}

func roundTrip(t *testing.T, l layout) layout {
	t.Helper()
	data, err := encodeArrayMeta(l)
	require.NoError(t, err)
	require.NotContains(t, string(data), "\u20ac", "metadata is ASCII")
	again, err := parseArrayMeta(data)
	require.NoError(t, err, string(data))
	return again
}

// Fill values decode to the bytes NumPy stores (NaN as NumPy's quiet NaN
// in each width, U as UCS-4 in the byte order, S padded with NULs, an
// integral float for an int), and out-of-range or mistyped ones are
// refused.
func TestFillValues(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		descr, fill string
		want        []byte
	}{
		{"<f8", `"NaN"`, []byte{0, 0, 0, 0, 0, 0, 0xF8, 0x7F}},
		{">f4", `"NaN"`, []byte{0x7F, 0xC0, 0, 0}},
		{"<f2", `"NaN"`, []byte{0x00, 0x7E}},
		{"<f2", `"Infinity"`, []byte{0x00, 0x7C}},
		{"<f4", `1e400`, []byte{0, 0, 0x80, 0x7F}},
		{">f8", `0.5`, []byte{0x3F, 0xE0, 0, 0, 0, 0, 0, 0}},
		{"<i2", `-2`, []byte{0xFE, 0xFF}},
		{"<i4", `3.0`, []byte{3, 0, 0, 0}},
		{"|u1", `255`, []byte{255}},
		{"<M8[s]", `"NaT"`, []byte{0, 0, 0, 0, 0, 0, 0, 0x80}},
		{"|b1", `0`, []byte{0}},
		{"|S3", `"YWJj"`, []byte("abc")},
		{"|S3", `"a"`, []byte("a\x00\x00")}, // not base64: the text, as zarr-python's fallback
		{">U2", `"\u00e9"`, []byte{0, 0, 0, 0xE9, 0, 0, 0, 0}},
		{"|V2", `"AQI="`, []byte{1, 2}},
		{"<f8", `null`, nil},
	} {
		dt, err := npyheader.ParseDescr(c.descr)
		require.NoError(t, err)
		got, err := parseFill(json.RawMessage(c.fill), dt)
		require.NoError(t, err, "%s %s", c.descr, c.fill)
		require.Equal(t, c.want, got, "%s %s", c.descr, c.fill)
	}
	for _, c := range []struct{ descr, fill string }{
		{"|u1", `256`}, {"|u1", `-1`}, {"<i2", `32768`}, {"<i4", `1.5`}, {"<i8", `"1"`},
		{"<f8", `"nan"`}, {"<f8", `true`}, {"<c8", `[1]`}, {"|b1", `"x"`}, {"|V2", `"!!"`},
		{"<u8", `18446744073709551616`}, {"<f8", `[1, 2`},
	} {
		dt, err := npyheader.ParseDescr(c.descr)
		require.NoError(t, err)
		_, err = parseFill(json.RawMessage(c.fill), dt)
		require.ErrorIs(t, err, ErrFormat, "%s %s", c.descr, c.fill)
	}
	// Floats written back: NaN, infinities and Python's float repr.
	for _, c := range []struct {
		x    float64
		want string
	}{
		{math.NaN(), `"NaN"`}, {math.Inf(-1), `"-Infinity"`}, {0, `0.0`}, {math.Copysign(0, -1), `-0.0`},
		{100, `100.0`}, {0.1, `0.1`}, {1e300, `1e+300`}, {1.5e-300, `1.5e-300`},
		// Python's repr is fixed-point for exponents from -4 to 15,
		// where Go's shortest 'g' switches to exponents sooner.
		{123456789, `123456789.0`}, {1234567890123456, `1234567890123456.0`}, {1e16, `1e+16`},
		{1 << 60, `1.152921504606847e+18`}, {0.0001, `0.0001`}, {1e-5, `1e-05`}, {-2.5e-7, `-2.5e-07`},
	} {
		dt, _ := npyheader.ParseDescr("<f8")
		b := make([]byte, 8)
		byteOrder(dt).PutUint64(b, math.Float64bits(c.x))
		v, err := fillJSON(b, dt)
		require.NoError(t, err)
		text, err := json.Marshal(v)
		require.NoError(t, err)
		require.Equal(t, c.want, string(text))
	}
}

// FuzzParseArrayMeta feeds arbitrary bytes to the .zarray parser: it never
// panics, and whatever it accepts it writes back into a .zarray that
// parses to the same layout, within the chunk size limit.
func FuzzParseArrayMeta(f *testing.F) {
	for _, s := range seedZarrays {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := parseArrayMeta(data)
		if err != nil {
			return
		}
		if int64(l.chunkBytes) > MaxChunkBytes || l.chunkBytes < 0 {
			t.Fatalf("chunk of %d bytes accepted", l.chunkBytes)
		}
		enc, err := encodeArrayMeta(l)
		if err != nil {
			t.Fatalf("accepted layout does not encode: %v", err)
		}
		again, err := parseArrayMeta(enc)
		if err != nil {
			t.Fatalf("re-encoded .zarray does not parse: %v\n%s", err, enc)
		}
		a, _ := encodeArrayMeta(again)
		if !bytes.Equal(a, enc) {
			t.Fatalf("round trip differs:\n%s\n%s", enc, a)
		}
	})
}

// Shapes near the int limit count their chunks without overflowing.
func TestHugeShapes(t *testing.T) {
	t.Parallel()
	l, err := parseArrayMeta([]byte(`{"zarr_format": 2, "shape": [9223372036854775807], "chunks": [1000], "dtype": "<f8", "order": "C", "fill_value": null, "compressor": null}`))
	if math.MaxInt == math.MaxInt64 {
		require.NoError(t, err)
		require.Equal(t, int64(9223372036854776), int64(l.grid[0]))
	} else {
		// Valid Zarr, but not on this platform: too large, as a chunk
		// length beyond an int32 is (TestOpenRefusesBadMetadata).
		require.ErrorIs(t, err, memmap.ErrTooLarge)
	}
	_, err = parseArrayMeta([]byte(`{"zarr_format": 2, "shape": [9223372036854775807, 9223372036854775807], "chunks": [1, 1], "dtype": "<f8", "order": "C", "fill_value": null, "compressor": null}`))
	require.Error(t, err)
}

// seedZarrJSONs are v3 zarr.json texts: the specification's example, a
// sharded array, a transposed one and a group.
var seedZarrJSONs = []string{
	`{"zarr_format": 3, "node_type": "array", "shape": [10000, 1000], "dimension_names": ["rows", "columns"], "data_type": "float64", "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [1000, 100]}}, "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}}, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "fill_value": "NaN", "attributes": {"foo": 42}}`,
	`{"zarr_format": 3, "node_type": "array", "shape": [100, 70], "data_type": "int32", "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [64, 64]}}, "chunk_key_encoding": {"name": "default"}, "fill_value": -7, "codecs": [{"name": "sharding_indexed", "configuration": {"chunk_shape": [32, 32], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip", "configuration": {"level": 1}}], "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}], "index_location": "end"}}]}`,
	`{"zarr_format": 3, "node_type": "array", "shape": [2, 3, 4], "data_type": "complex64", "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 3, 4]}}, "chunk_key_encoding": {"name": "v2"}, "fill_value": ["NaN", "0x7f800000"], "codecs": [{"name": "transpose", "configuration": {"order": [2, 1, 0]}}, {"name": "bytes", "configuration": {"endian": "big"}}, {"name": "zstd", "configuration": {"level": 3, "checksum": false}}, "crc32c"]}`,
	`{"zarr_format": 3, "node_type": "array", "shape": [5], "data_type": "r24", "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}}, "chunk_key_encoding": {"name": "default"}, "fill_value": [1, 2, 3], "codecs": ["bytes"]}`,
	`{"zarr_format": 3, "node_type": "group", "attributes": {"spam": "ham"}}`,
}

// The seeds parse, and an unsharded array written back parses the same.
func TestV3MetaRoundTrip(t *testing.T) {
	t.Parallel()
	for _, text := range seedZarrJSONs {
		nodeType, l, attrs, err := parseV3Node([]byte(text))
		require.NoError(t, err, text)
		if nodeType == "array" && l.pipe.shard == nil {
			data, err := encodeV3Array(l, attrs)
			require.NoError(t, err)
			_, again, againAttrs, err := parseV3Node(data)
			require.NoError(t, err, string(data))
			require.Equal(t, l, again)
			require.Equal(t, attrs, againAttrs)
		}
	}
}

// FuzzParseV3Node feeds arbitrary bytes to the zarr.json parser: it never
// panics, and an unsharded array it accepts is written back into a
// zarr.json that parses to the same layout.
func FuzzParseV3Node(f *testing.F) {
	for _, s := range seedZarrJSONs {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nodeType, l, attrs, err := parseV3Node(data)
		if err != nil || nodeType != "array" || l.pipe.shard != nil || l.pipe.perm != nil {
			return
		}
		enc, err := encodeV3Array(l, attrs)
		if err != nil {
			return // a codec v3 cannot name, say
		}
		_, again, _, err := parseV3Node(enc)
		if err != nil {
			t.Fatalf("re-encoded zarr.json does not parse: %v\n%s", err, enc)
		}
		a, _ := encodeV3Array(again, attrs)
		if !bytes.Equal(a, enc) {
			t.Fatalf("round trip differs:\n%s\n%s", enc, a)
		}
	})
}

// parseAttrs reads the bare NaN, Infinity and -Infinity of Python's json
// as floats, and leaves the same words inside strings, escaped quotes and
// backslashes included, as they are; text that is not JSON otherwise is
// refused.
func TestParseAttrsNonFinite(t *testing.T) {
	t.Parallel()
	attrs, err := parseAttrs([]byte(`{"a": "x\"NaN\\", "b": [NaN, -Infinity,Infinity], "c\\": {"NaN": "Infinity"}}`))
	require.NoError(t, err)
	require.Equal(t, `x"NaN\`, attrs["a"])
	b := attrs["b"].([]any)
	require.True(t, math.IsNaN(b[0].(float64)))
	require.Equal(t, []any{math.Inf(-1), math.Inf(1)}, b[1:])
	require.Equal(t, map[string]any{"NaN": "Infinity"}, attrs[`c\`])
	for _, bad := range []string{`{"a": NaNa}`, `{"a": nan}`, `{"a": [1,}`, `[NaN]`} {
		_, err := parseAttrs([]byte(bad))
		require.Error(t, err, bad)
	}
}
