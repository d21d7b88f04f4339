package gonumview

import "errors"

// ErrLayout: the view's layout is not a row-major matrix gonum can address
// in place (see the package documentation for which views are).
var ErrLayout = errors.New("gonumview: view is not a row-major matrix in place")
