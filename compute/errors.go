package compute

import "errors"

// ErrEmpty is returned by the reductions that have no value on an empty
// array (Min, Max, ArgMin, ArgMax and their nan-variants, where NumPy raises
// ValueError).
var ErrEmpty = errors.New("compute: zero-size array has no minimum or maximum")

// ErrNotFinite is returned by Histogram when the view holds a NaN or an
// infinity, so that the range taken from the data is not finite (NumPy
// raises ValueError).
var ErrNotFinite = errors.New("compute: range is not finite")
