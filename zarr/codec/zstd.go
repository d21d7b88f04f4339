package codec

import (
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// numcodecs' default Zstd level, and the range its compress clamps a level
// into (a level of 0 or below is its default, one above 22 is 22).
const (
	defaultZstdLevel = 1
	maxZstdLevel     = 22
)

// NewZstd returns the codec numcodecs calls Zstd(level): one Zstandard frame
// that records its content size, without a checksum. Level is zstd's,
// 1 (fast) to 22 (small); numcodecs' default is 1, and it takes 0 or less
// as 1 and more than 22 as 22, which this codec does too. The Go encoder
// has four levels where zstd has 22; the level picks the nearest.
func NewZstd(level int) Codec { return &zstdCodec{level: level} }

type zstdCodec struct {
	level    int
	checksum bool // Zarr v3's "checksum": the frame ends with a checksum
}

func (c *zstdCodec) ID() string { return "zstd" }

func (c *zstdCodec) Config() map[string]any {
	return map[string]any{"id": "zstd", "level": c.level}
}

// zstdEncoders holds one encoder per Go encoder level and checksum
// setting, made on first use; an Encoder's EncodeAll may be called
// concurrently.
var zstdEncoders struct {
	sync.Mutex
	bySettings map[zstdSettings]*zstd.Encoder
}

type zstdSettings struct {
	level    zstd.EncoderLevel
	checksum bool
}

func zstdEncoder(level int, checksum bool) (*zstd.Encoder, error) {
	level = min(max(level, 1), maxZstdLevel)
	settings := zstdSettings{zstd.EncoderLevelFromZstd(level), checksum}
	zstdEncoders.Lock()
	defer zstdEncoders.Unlock()
	if e := zstdEncoders.bySettings[settings]; e != nil {
		return e, nil
	}
	// A single segment frame always records its content size, which
	// numcodecs needs to decode it (a frame of another kind leaves out a
	// size below 256).
	e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(settings.level), zstd.WithSingleSegment(true),
		zstd.WithEncoderCRC(checksum), zstd.WithZeroFrames(true))
	if err != nil {
		return nil, err
	}
	if zstdEncoders.bySettings == nil {
		zstdEncoders.bySettings = map[zstdSettings]*zstd.Encoder{}
	}
	zstdEncoders.bySettings[settings] = e
	return e, nil
}

// zstdDecoder decodes for every codec: DecodeAll may be called concurrently,
// by as many goroutines as GOMAXPROCS, and is held to the capacity of its
// dst, which bounds what damaged input can make it allocate.
var zstdDecoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecodeAllCapLimit(true))
})

func (c *zstdCodec) Encode(dst, src []byte, itemSize int) ([]byte, error) {
	e, err := zstdEncoder(c.level, c.checksum)
	if err != nil {
		return dst, fmt.Errorf("encode zstd chunk: %w", err)
	}
	return e.EncodeAll(src, dst), nil
}

func (c *zstdCodec) Decode(dst, src []byte, size int) ([]byte, error) {
	buf := decodeBuffer(dst, size, "zstd")
	out, err := zstdDecode(buf, src)
	if err != nil {
		return dst, fmt.Errorf("decode zstd chunk of %d bytes: %w", size, err)
	}
	return out, nil
}

// zstdDecode decodes the zstd frames of src into buf, which they must fill
// exactly; it is blosc's inner zstd decoder too. Errors wrap ErrCorrupt.
func zstdDecode(buf, src []byte) ([]byte, error) {
	d, err := zstdDecoder()
	if err != nil {
		return nil, err
	}
	if len(src) == 0 {
		return nil, fmt.Errorf("%w: no data", ErrCorrupt)
	}
	// A capacity of exactly len(buf) keeps DecodeAll from going past it.
	out, err := d.DecodeAll(src, buf[:0:len(buf)])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if len(out) != len(buf) {
		return nil, fmt.Errorf("%w: it holds %d bytes", ErrCorrupt, len(out))
	}
	return buf, nil
}
