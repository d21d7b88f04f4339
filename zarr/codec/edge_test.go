package codec

import (
	"errors"
	"testing"
)

// TestDecodeOfAnEmptyChunk decodes into zero bytes, with a nil dst as
// well as an empty one: the empty encodings (numcodecs' where it writes
// one) decode, and anything else is ErrCorrupt, without a panic (the LZ4
// decoder once wrote through a nil dst).
func TestDecodeOfAnEmptyChunk(t *testing.T) {
	t.Parallel()
	garbage := []byte("\x00\x00\x00\x00000000000000000000") // an lz4 size of 0, then literals
	for _, c := range allCodecs(t) {
		empty, err := c.Encode(nil, nil, 1)
		if err != nil {
			t.Fatalf("%s: Encode of nothing: %v", c.ID(), err)
		}
		for _, dst := range [][]byte{nil, make([]byte, 0, 64)} {
			if got, err := c.Decode(dst, empty, 0); err != nil || len(got) != 0 {
				t.Errorf("%s: Decode of its empty chunk: %d bytes, %v", c.ID(), len(got), err)
			}
			for _, src := range [][]byte{garbage, append(empty, 0), append(empty, 0x30, 0x30, 0x30)} {
				if _, err := c.Decode(dst, src, 0); err != nil && !errors.Is(err, ErrCorrupt) {
					t.Errorf("%s: Decode of % x into 0 bytes: %v, want ErrCorrupt", c.ID(), src, err)
				}
			}
		}
	}
	if got, err := NewLZ4(1).Decode(nil, []byte{0, 0, 0, 0, 0}, 0); err != nil || len(got) != 0 {
		t.Errorf("lz4: Decode of numcodecs' empty chunk: %d bytes, %v", len(got), err)
	}
	if _, err := NewLZ4(1).Decode(nil, garbage, 0); !errors.Is(err, ErrCorrupt) {
		t.Errorf("lz4: Decode of literals into 0 bytes: %v, want ErrCorrupt", err)
	}
}
