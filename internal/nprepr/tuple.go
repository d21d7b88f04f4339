package nprepr

import "strconv"

// AppendTuple appends n items as Python prints a tuple, item appending the
// i-th: (), (a,), (a, b). A one-item tuple keeps its trailing comma.
func AppendTuple(dst []byte, n int, item func(dst []byte, i int) []byte) []byte {
	dst = append(dst, '(')
	for i := range n {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = item(dst, i)
	}
	if n == 1 {
		dst = append(dst, ',')
	}
	return append(dst, ')')
}

// Shape returns shape as Python prints an array's shape, a tuple of ints:
// (), (3,), (3, 4).
func Shape(shape []int) string {
	return string(AppendTuple(nil, len(shape), func(dst []byte, i int) []byte {
		return strconv.AppendInt(dst, int64(shape[i]), 10)
	}))
}
