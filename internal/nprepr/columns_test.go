package nprepr

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
)

// TestAppendNestedMatchesNumPy compares AppendNested with NumPy's str of
// np.arange(size).reshape(shape) on one line: elements unpadded (a str
// formatter), the newlines between rows and the indentation after them as
// one space, and NumPy's summarization beyond 1000 elements.
func TestAppendNestedMatchesNumPy(t *testing.T) {
	t.Parallel()
	shapes := [][]int{{}, {0}, {1}, {7}, {1000}, {1001}, {2, 3}, {3, 0}, {0, 4}, {2, 2, 2},
		{40, 30}, {5, 300}, {4, 6}, {1, 1001}, {10, 10, 11}, {2, 3, 4, 5}, {6, 2, 100}}
	var want []string
	numpytest.RunJSON(t, `
import re
shapes = json.load(sys.stdin)
out = []
for shape in shapes:
    a = np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape)
    s = np.array2string(a, formatter={'int': str}, max_line_width=10**9)
    out.append(re.sub(r'\n\s*', ' ', s))
print(json.dumps(out))
`, shapes, &want)
	var mismatches []string
	for i, shape := range shapes {
		strides := make([]int, len(shape))
		step := 1
		for ax := len(shape) - 1; ax >= 0; ax-- {
			strides[ax] = step
			step *= shape[ax]
		}
		got := string(AppendNested(nil, shape, func(dst []byte, idx []int) []byte {
			flat := 0
			for ax, j := range idx {
				flat += j * strides[ax]
			}
			return strconv.AppendInt(dst, int64(flat), 10)
		}))
		if got != want[i] {
			mismatches = append(mismatches, fmt.Sprintf("shape %v:\n got  %s\n want %s", shape, got, want[i]))
		}
	}
	if len(mismatches) > 0 {
		t.Errorf("AppendNested differs from NumPy:\n%s", strings.Join(mismatches, "\n"))
	}
}
