package zarr

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/mmarray"
)

// mappedData gives a file's data bytes, the same as ReadAt reads, for the
// files whose array is one plain slice of native numbers in C order, and
// refuses the others (which FromFile then gathers through ReadAt).
func TestMappedData(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		descr   string
		shape   []int
		fortran bool
		ok      bool
	}{
		{"<f8", []int{6, 4}, false, true},
		{"<i4", []int{5, 3, 2}, false, true},
		{"|u1", []int{9}, false, true},
		{"<c16", []int{3, 2}, false, true},
		{"<f2", []int{7}, false, true},
		{"<f8", []int{6, 4}, true, false}, // Fortran order
		{"<f8", []int{6}, true, true},     // 1-d: both orders are the same bytes
		{">f8", []int{6, 4}, false, false},
		{"|b1", []int{8}, false, false},
		{"<U3", []int{4}, false, false},
		{"<f8", []int{0, 4}, false, true},
	} {
		f, err := mmarray.Create(filepath.Join(t.TempDir(), "a.npy"), tc.descr, tc.shape, mmarray.WithFortranOrder(tc.fortran))
		require.NoError(t, err)
		image := make([]byte, f.NBytes())
		for i := range image {
			image[i] = byte(i*7 + 1)
		}
		if tc.descr == "|b1" {
			clear(image)
		}
		_, err = f.WriteAt(image, 0)
		require.NoError(t, err)
		data, keep, ok := mappedData(f)
		require.Equal(t, tc.ok, ok, "%s %v fortran %v", tc.descr, tc.shape, tc.fortran)
		if ok {
			require.Equal(t, image, data, "%s %v", tc.descr, tc.shape)
			require.NotNil(t, keep)
		}
		require.NoError(t, f.Close())
	}
}

// isOneRun is true exactly when runs makes one call covering the box.
func TestIsOneRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		box, full    []int
		srcF, chunkF bool
	}{
		{[]int{4, 7, 5}, []int{13, 7, 5}, false, false},
		{[]int{4, 3, 5}, []int{13, 7, 5}, false, false},
		{[]int{1, 1, 5}, []int{13, 7, 5}, false, false},
		{[]int{4, 7, 5}, []int{13, 7, 5}, true, true},
		{[]int{13, 7, 2}, []int{13, 7, 5}, true, true},
		{[]int{13, 7, 5}, []int{13, 7, 5}, false, true},
		{[]int{3, 1}, []int{3, 4}, false, false},
		{[]int{1, 1}, []int{3, 4}, true, false},
		{[]int{}, []int{}, false, false},
	} {
		src := layoutStrides(tc.full, 8, tc.srcF)
		dst := layoutStrides(tc.box, 8, tc.chunkF)
		calls, first := 0, [3]int{}
		runs(tc.box, dst, src, 8, func(d, s, n int) {
			if calls == 0 {
				first = [3]int{d, s, n}
			}
			calls++
		})
		size := 8
		for _, n := range tc.box {
			size *= n
		}
		one := calls == 1 && first == [3]int{0, 0, size}
		require.Equal(t, one, isOneRun(tc.box, dst, src, 8), "%+v", tc)
	}
}
