// Package codec holds the compressors of Zarr chunks, each byte-compatible
// with the numcodecs codec of the same id and configuration (numcodecs 0.11,
// as zarr-python 2.13 uses it): what one writes, the other reads.
//
// A Codec encodes one chunk at a time, in memory: the caller (package zarr)
// reads a chunk's stored bytes, decodes them into a buffer of the chunk's
// size, and encodes a chunk's bytes into what it stores. The codecs are:
//
//   - "zlib" and "gzip" (the deflate format in a zlib or a gzip wrapper),
//   - "zstd" (a Zstandard frame that records its content size),
//   - "lz4" (numcodecs' own framing: the size as 4 little-endian bytes,
//     then an LZ4 block),
//   - "blosc" (the Blosc 1 format of c-blosc 1.x, zarr-python's default:
//     blocks, each byte- or bit-shuffled, compressed with lz4, lz4hc, zstd
//     or zlib; blosclz chunks decode too).
//
// FromConfig makes a codec from the "compressor" object of a Zarr v2
// .zarray file, Parse from a short name ("blosc-lz4"), the New functions
// from settings, and Config gives back the object to write. For Zarr v3,
// FromV3 makes gzip, zstd, blosc and crc32c (a CRC-32C appended, NewCRC32C)
// from a codec's name and configuration, and V3Config gives them back.
//
// # Errors
//
// Decode returns an error wrapping ErrCorrupt for any input that does not
// decode to exactly the size asked for, and never panics, whatever the bytes
// claim: every size a header states is checked against the chunk's size
// before anything is allocated for it. A Blosc chunk that is well formed but
// not readable here (compressed with snappy, or of a later Blosc format)
// wraps memmap.ErrUnsupported too. Encode fails only for a chunk over a
// format's limit (memmap.ErrTooLarge: 2 GiB for blosc, 0x7E000000 bytes for
// lz4) and for blosclz (memmap.ErrUnsupported). Settings this package
// cannot honour (an unknown id, a level out of range) are
// memmap.ErrUnsupported from FromConfig, FromV3 and Parse, and a
// *memmap.Misuse panic from the New functions, whose settings come from the
// program. Every Codec is safe for concurrent use; the caller parallelises
// across chunks, a chunk is encoded and decoded on one goroutine.
//
// # Caveats
//
//   - Encodings are compatible, not always identical: a chunk this package
//     encodes decodes with numcodecs to the same bytes, and the other way
//     round. lz4 and blosc with lz4 write numcodecs' very bytes (the same
//     reference LZ4 encoder, c-blosc's block rules), except that c-blosc,
//     when it runs threads, stores the blocks in the order they finish,
//     where this package stores them in order. zlib, gzip, zstd, and
//     blosc's lz4hc, zstd and zlib come from other implementations of the
//     same formats and differ in their bytes; the Go zstd encoder has four
//     levels where zstd has 22, so a level picks the nearest.
//   - blosclz is decoded, not encoded (NewBlosc takes it; its Encode fails);
//     snappy is neither (no snappy module is allowed here).
//   - Decoding a shuffled Blosc chunk uses a scratch block (at most the
//     chunk's size, pooled across calls), so a first decode may allocate up
//     to twice the chunk; the other decoders allocate the chunk (when dst is
//     short) and a small constant.
//   - numcodecs cannot decode an empty zstd, lz4 or blosc chunk (it takes a
//     stored size of zero for "unknown" or an error); zarr-python never
//     writes one, as chunks are never empty, and this package decodes them.
//   - The gzip codec writes a modification time of zero (Python's gzip writes
//     the current time), so its output is the same for the same input. Its
//     Decode reads every gzip member and skips zero bytes after one (padding),
//     as Python's does.
//   - Bytes after a Blosc chunk's stated stored size, and after a zlib
//     stream's end, are ignored, as c-blosc and zlib ignore them.
package codec

import (
	"fmt"
	"math"
	"strings"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/misuse"
)

// A Codec turns one chunk's bytes into their stored form and back,
// byte-compatible with the numcodecs codec of the same id and configuration
// (numcodecs 0.11, zarr 2.13). A Codec is safe for concurrent use.
type Codec interface {
	// ID is the numcodecs id: "zlib", "gzip", "zstd", "lz4" or "blosc".
	ID() string
	// Config is the JSON object zarr v2 writes as the "compressor" of
	// .zarray, "id" included. The map is new on each call.
	Config() map[string]any
	// Encode appends the encoding of src to dst and returns the extended
	// slice. itemSize is the size of the array's elements (blosc's shuffle
	// needs it; the other codecs ignore it); below 1 it means 1.
	Encode(dst, src []byte, itemSize int) ([]byte, error)
	// Decode decodes src into dst[:size] (dst is reused when cap(dst) >=
	// size, else a new slice is made) and returns it. The encoding must
	// decode to exactly size bytes: anything else, and any damage, is an
	// error wrapping ErrCorrupt, found without allocating more than size and
	// a small constant, and without panics. A negative size panics.
	Decode(dst, src []byte, size int) ([]byte, error)
}

// FromConfig makes the codec a Zarr v2 .zarray "compressor" object describes,
// as encoding/json decodes it (numbers as float64; Go integers are accepted
// too). A nil config is no codec: FromConfig returns nil, nil. An unknown id,
// key or value is an error wrapping memmap.ErrUnsupported. The zstd object
// may hold the "checksum" of numcodecs 0.13 and later (frames that end with
// a checksum), which Config leaves out, as numcodecs 0.11 refuses it.
func FromConfig(config map[string]any) (Codec, error) {
	if config == nil {
		return nil, nil
	}
	id, ok := config["id"].(string)
	if !ok {
		return nil, fmt.Errorf("compressor %v: no string \"id\": %w", config, memmap.ErrUnsupported)
	}
	settings := configReader{what: "compressor", id: id, config: config, used: map[string]bool{"id": true}}
	var codec Codec
	switch id {
	case "zlib":
		level := settings.int("level", defaultZlibLevel)
		if settings.err == nil && !validDeflateLevel(level) {
			settings.fail("level", "out of range -1..9")
		}
		codec = &zlibCodec{level: level}
	case "gzip":
		level := settings.int("level", defaultGzipLevel)
		if settings.err == nil && !validDeflateLevel(level) {
			settings.fail("level", "out of range -1..9")
		}
		codec = &gzipCodec{level: level}
	case "zstd":
		// numcodecs 0.13 and later write "checksum" too.
		codec = &zstdCodec{level: settings.int("level", defaultZstdLevel), checksum: settings.bool("checksum", false)}
	case "lz4":
		codec = &lz4Codec{acceleration: settings.int("acceleration", defaultLZ4Acceleration)}
	case "blosc":
		cname := settings.string("cname", bloscDefaultCName)
		clevel := settings.int("clevel", bloscDefaultCLevel)
		shuffle := settings.int("shuffle", int(bloscDefaultShuffle))
		blocksize := settings.int("blocksize", 0)
		if settings.err != nil {
			break
		}
		blosc, err := newBlosc(cname, clevel, Shuffle(shuffle), blocksize)
		if err != nil {
			return nil, fmt.Errorf("compressor %q: %v: %w", id, err, memmap.ErrUnsupported)
		}
		codec = blosc
	default:
		return nil, fmt.Errorf("compressor %q: unknown id: %w", id, memmap.ErrUnsupported)
	}
	if err := settings.finish(); err != nil {
		return nil, err
	}
	return codec, nil
}

// parseNames are the names Parse takes, in the order its error lists them.
var parseNames = []string{"none", "zlib", "gzip", "zstd", "lz4", "blosc-lz4", "blosc-zstd", "blosc-zlib"}

// Parse makes a codec from its short name, as the command line takes it:
// "none" (no codec: nil, nil), "zlib", "gzip", "zstd", "lz4", "blosc-lz4",
// "blosc-zstd" or "blosc-zlib" (blosc with byte shuffle and automatic
// blocks), each with numcodecs' default level. "blosc-lz4" is zarr-python's
// default compressor, Blosc(cname='lz4', clevel=5, shuffle=1,
// blocksize=0). Another name is an error wrapping memmap.ErrUnsupported.
func Parse(name string) (Codec, error) {
	switch name {
	case "none":
		return nil, nil
	case "zlib":
		return NewZlib(defaultZlibLevel), nil
	case "gzip":
		return NewGzip(defaultGzipLevel), nil
	case "zstd":
		return NewZstd(defaultZstdLevel), nil
	case "lz4":
		return NewLZ4(defaultLZ4Acceleration), nil
	case "blosc-lz4":
		return NewBlosc("lz4", bloscDefaultCLevel, ByteShuffle, 0), nil
	case "blosc-zstd":
		return NewBlosc("zstd", bloscDefaultCLevel, ByteShuffle, 0), nil
	case "blosc-zlib":
		return NewBlosc("zlib", bloscDefaultCLevel, ByteShuffle, 0), nil
	}
	return nil, fmt.Errorf("codec name %q: unknown (%s): %w", name, strings.Join(parseNames, ", "), memmap.ErrUnsupported)
}

// configReader takes typed settings out of a compressor object, keeping the
// first problem and the keys it used, so that FromConfig can refuse keys it
// does not know (numcodecs refuses them too, with a TypeError).
type configReader struct {
	what   string // "compressor" (v2) or "codec" (v3), for messages
	id     string
	config map[string]any
	used   map[string]bool
	err    error
}

func (r *configReader) fail(key, why string) {
	if r.err == nil {
		r.err = fmt.Errorf("%s %q: %q = %v: %s: %w", r.what, r.id, key, r.config[key], why, memmap.ErrUnsupported)
	}
}

// int returns the integer setting key, or def when it is absent or null.
func (r *configReader) int(key string, def int) int {
	r.used[key] = true
	value, ok := r.config[key]
	if !ok || value == nil {
		return def
	}
	switch v := value.(type) {
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1<<30 {
			r.fail(key, "not an integer")
			return def
		}
		return int(v)
	case int:
		return v
	case int64:
		if v < -1<<30 || v > 1<<30 {
			r.fail(key, "out of range")
			return def
		}
		return int(v)
	case int32:
		return int(v)
	}
	r.fail(key, "not a number")
	return def
}

// bool returns the boolean setting key, or def when it is absent or null.
func (r *configReader) bool(key string, def bool) bool {
	r.used[key] = true
	value, ok := r.config[key]
	if !ok || value == nil {
		return def
	}
	b, ok := value.(bool)
	if !ok {
		r.fail(key, "not a boolean")
		return def
	}
	return b
}

// string returns the string setting key, or def when it is absent.
func (r *configReader) string(key, def string) string {
	r.used[key] = true
	value, ok := r.config[key]
	if !ok || value == nil {
		return def
	}
	s, ok := value.(string)
	if !ok {
		r.fail(key, "not a string")
		return def
	}
	return s
}

func (r *configReader) finish() error {
	if r.err != nil {
		return r.err
	}
	for key := range r.config {
		if !r.used[key] {
			return fmt.Errorf("%s %q: unknown setting %q: %w", r.what, r.id, key, memmap.ErrUnsupported)
		}
	}
	return nil
}

// decodeBuffer is dst[:size], reusing dst when it can. A negative size is
// the caller's mistake.
func decodeBuffer(dst []byte, size int, id string) []byte {
	if size < 0 {
		misuse.Panicf("codec: %s Decode with negative size %d", id, size)
	}
	if cap(dst) >= size {
		return dst[:size]
	}
	return make([]byte, size)
}
