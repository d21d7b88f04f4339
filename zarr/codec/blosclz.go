package codec

import "fmt"

// BloscLZ is Blosc's own LZ77 compressor (c-blosc's blosclz.c). Only its
// decoder is here: zarr-python writes it when asked for cname="blosclz",
// and such stores must read. The format, as c-blosc 1.21 decodes it:
//
//   - A stream is a sequence of instructions, each starting with a control
//     byte; the first instruction is a literal run whatever its top 3 bits
//     (they hold the compressor's level marker).
//   - A control byte below 32 is a literal run of ctrl+1 bytes that follow.
//   - Otherwise it is a match: length code ctrl>>5 (7 means more length
//     bytes follow, each added, until one is not 255), then a distance byte;
//     the match is length+2 bytes long and starts ((ctrl&31)<<8 + distance
//     byte + 1) bytes back. A distance byte of 255 with (ctrl&31) == 31
//     means two more bytes follow (big-endian) and the distance is their
//     value + 8191 + 1.
//   - A match that is the last instruction is not copied (c-blosc stops
//     before it), so the decoded size falls short and is refused.
const (
	blosclzMaxDistance = 8191
)

// blosclzDecode decodes the BloscLZ stream src into buf, which it must
// fill exactly. Errors wrap ErrCorrupt.
func blosclzDecode(buf, src []byte) error {
	if len(src) == 0 {
		return fmt.Errorf("%w: no data", ErrCorrupt)
	}
	fail := func(what string) error {
		return fmt.Errorf("%w: blosclz %s", ErrCorrupt, what)
	}
	ip, op := 0, 0
	ctrl := int(src[ip] & 31)
	ip++
	for {
		if ctrl >= 32 {
			length := ctrl>>5 - 1
			offset := (ctrl & 31) << 8
			if length == 6 {
				for {
					if ip+1 >= len(src) {
						return fail("match length past the end of the input")
					}
					code := int(src[ip])
					ip++
					length += code
					if code != 255 {
						break
					}
				}
			} else if ip+1 >= len(src) {
				return fail("match past the end of the input")
			}
			code := int(src[ip])
			ip++
			length += 3
			distance := offset + code + 1
			if code == 255 && offset == 31<<8 {
				if ip+1 >= len(src) {
					return fail("far match past the end of the input")
				}
				distance = int(src[ip])<<8 + int(src[ip+1]) + blosclzMaxDistance + 1
				ip += 2
			}
			if length > len(buf)-op {
				return fail("match past the end of the output")
			}
			if distance > op {
				return fail("match before the start of the output")
			}
			if ip >= len(src) {
				break // c-blosc stops here, without copying the match
			}
			ctrl = int(src[ip])
			ip++
			from := op - distance
			if distance >= length {
				copy(buf[op:op+length], buf[from:from+length])
			} else {
				// An overlapping match repeats its first distance bytes.
				for i := range length {
					buf[op+i] = buf[from+i]
				}
			}
			op += length
		} else {
			n := ctrl + 1
			if n > len(buf)-op {
				return fail("literals past the end of the output")
			}
			if n > len(src)-ip {
				return fail("literals past the end of the input")
			}
			copy(buf[op:], src[ip:ip+n])
			op += n
			ip += n
			if ip >= len(src) {
				break
			}
			ctrl = int(src[ip])
			ip++
		}
	}
	if op != len(buf) {
		return fmt.Errorf("%w: it holds %d bytes", ErrCorrupt, op)
	}
	return nil
}
