package mmarray

import (
	"encoding/binary"
	"math/bits"
)

// Loads and stores of one byte-order unit, in native order or swapped.
// binary.NativeEndian's methods compile to single (possibly unaligned)
// loads and stores, and bits.ReverseBytes to one instruction.

func load16(b []byte, swap bool) uint16 {
	x := binary.NativeEndian.Uint16(b)
	if swap {
		x = bits.ReverseBytes16(x)
	}
	return x
}

func load32(b []byte, swap bool) uint32 {
	x := binary.NativeEndian.Uint32(b)
	if swap {
		x = bits.ReverseBytes32(x)
	}
	return x
}

func load64(b []byte, swap bool) uint64 {
	x := binary.NativeEndian.Uint64(b)
	if swap {
		x = bits.ReverseBytes64(x)
	}
	return x
}

func store16(b []byte, x uint16, swap bool) {
	if swap {
		x = bits.ReverseBytes16(x)
	}
	binary.NativeEndian.PutUint16(b, x)
}

func store32(b []byte, x uint32, swap bool) {
	if swap {
		x = bits.ReverseBytes32(x)
	}
	binary.NativeEndian.PutUint32(b, x)
}

func store64(b []byte, x uint64, swap bool) {
	if swap {
		x = bits.ReverseBytes64(x)
	}
	binary.NativeEndian.PutUint64(b, x)
}
