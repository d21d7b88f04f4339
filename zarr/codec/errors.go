package codec

import "errors"

// ErrCorrupt: a chunk's stored bytes do not decode, or decode to a size other
// than the one the caller expects (a damaged or truncated chunk, a header
// whose sizes disagree with the chunk's, a checksum that does not match).
var ErrCorrupt = errors.New("codec: corrupt data")
