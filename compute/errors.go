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

// ErrNegative is returned by Bincount and BincountWeighted for a view
// holding a negative value (NumPy raises ValueError).
var ErrNegative = errors.New("compute: negative value")

// ErrChanged is returned by an operation that reads a view twice (Bincount
// and BincountWeighted) when the second reading finds values the first did
// not: the file was written to meanwhile.
var ErrChanged = errors.New("compute: the view changed while it was read")
