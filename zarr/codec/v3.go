package codec

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"github.com/go-memmap/memmap"
)

// Zarr v3 names its codecs and gives each a "configuration" object apart
// from the name (zarr.json's "codecs": [{"name": ..., "configuration":
// {...}}]). The bytes-to-bytes codecs of the v3 core are "gzip", "zstd",
// "blosc" and "crc32c"; their encodings are those of the v2 codecs of the
// same name (crc32c has none in v2).

// Zarr v3's defaults where its configuration leaves a setting out (as
// zarr-python 3 writes them).
const (
	defaultV3GzipLevel = 5
	defaultV3ZstdLevel = 0 // zstd's own default, 3
)

// FromV3 makes the codec a Zarr v3 codec object describes: its "name" and
// "configuration" (nil when absent), as encoding/json decodes them. The
// configurations are gzip {level}, zstd {level, checksum}, blosc {cname,
// clevel, shuffle ("noshuffle", "shuffle" or "bitshuffle"), typesize,
// blocksize} and crc32c (none). An unknown name, key or value is an error
// wrapping memmap.ErrUnsupported.
func FromV3(name string, configuration map[string]any) (Codec, error) {
	settings := configReader{what: "codec", id: name, config: configuration, used: map[string]bool{}}
	var codec Codec
	switch name {
	case "gzip":
		level := settings.int("level", defaultV3GzipLevel)
		if settings.err == nil && !validDeflateLevel(level) {
			settings.fail("level", "out of range -1..9")
		}
		codec = &gzipCodec{level: level}
	case "zstd":
		level := settings.int("level", defaultV3ZstdLevel)
		if level == 0 {
			level = 3 // zstd's default, which level 0 stands for in v3
		}
		codec = &zstdCodec{level: level, checksum: settings.bool("checksum", false)}
	case "blosc":
		cname := settings.string("cname", bloscDefaultCName)
		clevel := settings.int("clevel", bloscDefaultCLevel)
		shuffleName := settings.string("shuffle", "shuffle")
		typesize := settings.int("typesize", 0)
		blocksize := settings.int("blocksize", 0)
		shuffle, ok := map[string]Shuffle{"noshuffle": NoShuffle, "shuffle": ByteShuffle, "bitshuffle": BitShuffle}[shuffleName]
		if !ok && settings.err == nil {
			settings.fail("shuffle", "not noshuffle, shuffle or bitshuffle")
		}
		if settings.err == nil && (typesize < 0 || typesize > bloscMaxTypesize) {
			settings.fail("typesize", "out of range 1..255")
		}
		if settings.err != nil {
			break
		}
		blosc, err := newBlosc(cname, clevel, shuffle, blocksize)
		if err != nil {
			return nil, fmt.Errorf("codec %q: %v: %w", name, err, memmap.ErrUnsupported)
		}
		blosc.typesize = typesize
		codec = blosc
	case "crc32c":
		codec = crc32cCodec{}
	default:
		return nil, fmt.Errorf("codec %q: unknown name: %w", name, memmap.ErrUnsupported)
	}
	if err := settings.finish(); err != nil {
		return nil, err
	}
	return codec, nil
}

// V3Config returns the Zarr v3 name and configuration of a codec (the
// configuration nil for crc32c, which has none), or an error wrapping
// memmap.ErrUnsupported for a codec v3's core does not have (zlib, lz4).
// Blosc's typesize is left out when the codec has none (its encodings then
// take the typesize from Encode's itemSize; zarr-python 3 writes the
// array's item size there).
func V3Config(c Codec) (name string, configuration map[string]any, err error) {
	switch c := c.(type) {
	case *gzipCodec:
		return "gzip", map[string]any{"level": c.level}, nil
	case *zstdCodec:
		return "zstd", map[string]any{"level": c.level, "checksum": c.checksum}, nil
	case *bloscCodec:
		shuffle := map[Shuffle]string{NoShuffle: "noshuffle", ByteShuffle: "shuffle", BitShuffle: "bitshuffle"}[c.shuffle]
		if shuffle == "" {
			return "", nil, fmt.Errorf("codec blosc with automatic shuffle: v3 has no such setting: %w", memmap.ErrUnsupported)
		}
		config := map[string]any{"cname": c.compressor.name, "clevel": c.clevel, "shuffle": shuffle, "blocksize": c.blocksize}
		if c.typesize > 0 {
			config["typesize"] = c.typesize
		}
		return "blosc", config, nil
	case crc32cCodec:
		return "crc32c", nil, nil
	}
	return "", nil, fmt.Errorf("codec %s: not a Zarr v3 codec: %w", c.ID(), memmap.ErrUnsupported)
}

// NewCRC32C returns Zarr v3's "crc32c" codec: the bytes, then their CRC-32C
// (Castagnoli) as 4 little-endian bytes. Decode checks and removes it.
func NewCRC32C() Codec { return crc32cCodec{} }

type crc32cCodec struct{}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func (crc32cCodec) ID() string { return "crc32c" }

// Config is {"id": "crc32c"}: crc32c has no v2 form (numcodecs 0.11 does
// not know it); V3Config gives its v3 one.
func (crc32cCodec) Config() map[string]any { return map[string]any{"id": "crc32c"} }

func (crc32cCodec) Encode(dst, src []byte, itemSize int) ([]byte, error) {
	dst = append(dst, src...)
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(src, castagnoli)), nil
}

func (crc32cCodec) Decode(dst, src []byte, size int) ([]byte, error) {
	buf := decodeBuffer(dst, size, "crc32c")
	if len(src) != size+4 {
		return dst, fmt.Errorf("decode crc32c chunk of %d bytes: %w: %d bytes stored, want %d", size, ErrCorrupt, len(src), size+4)
	}
	data := src[:size]
	if got, want := crc32.Checksum(data, castagnoli), binary.LittleEndian.Uint32(src[size:]); got != want {
		return dst, fmt.Errorf("decode crc32c chunk of %d bytes: %w: checksum %#08x, stored %#08x", size, ErrCorrupt, got, want)
	}
	copy(buf, data)
	return buf, nil
}
