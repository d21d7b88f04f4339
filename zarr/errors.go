package zarr

import "errors"

// ErrFormat is wrapped by every error for a store whose metadata or chunks
// are not valid Zarr: JSON that does not parse, a field of the wrong type
// or out of range (a negative dimension, a chunk shape that does not match
// the array's rank, a chunk too large), a fill value that does not fit the
// dtype, a stored chunk that does not decode to exactly the chunk's bytes.
// A store that is valid but uses what this package does not implement
// (filters, object dtypes, an unknown codec) gives memmap.ErrUnsupported
// instead.
var ErrFormat = errors.New("zarr: invalid Zarr store")
