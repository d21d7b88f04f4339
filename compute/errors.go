package compute

import "errors"

// ErrEmpty is returned by the reductions that have no value on an empty
// array (Min, Max, ArgMin, ArgMax and their nan-variants, where NumPy raises
// ValueError).
var ErrEmpty = errors.New("compute: zero-size array has no minimum or maximum")
