package mmarray_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/stretchr/testify/require"
)

// contiguityCase is a view of a file: an index (NumPy's text, "" for none),
// then an optional reshape, then an optional transpose.
type contiguityCase struct {
	name      string
	fortran   bool
	shape     []int
	index     string
	reshape   []int
	transpose bool
}

// python is the case as a NumPy expression over a.
func (c contiguityCase) python() string {
	expr := "a"
	if c.index != "" {
		expr += "[" + c.index + "]"
	}
	if c.reshape != nil {
		expr += ".reshape(" + pyList(c.reshape) + ")"
	}
	if c.transpose {
		expr += ".T"
	}
	return expr
}

// TestContiguityWithSizeOneAxes checks IsContiguous and Contiguous against
// NumPy's C_CONTIGUOUS flag for views whose length-1 axes have unusual
// strides (NumPy ignores the stride of a length-1 axis), and that each
// reshape stays a view as NumPy's does: a view NumPy calls C-contiguous must
// get the zero-copy slice, holding NumPy's elements.
func TestContiguityWithSizeOneAxes(t *testing.T) {
	t.Parallel()
	cases := []contiguityCase{
		{name: "fortran (1,7)", fortran: true, shape: []int{1, 7}},
		{name: "fortran (7,1)", fortran: true, shape: []int{7, 1}},
		{name: "fortran (1,5,1)", fortran: true, shape: []int{1, 5, 1}},
		{name: "fortran (3,4)", fortran: true, shape: []int{3, 4}},
		{name: "fortran (3,4).T", fortran: true, shape: []int{3, 4}, transpose: true},
		{name: "fortran (1,7).T", fortran: true, shape: []int{1, 7}, transpose: true},
		{name: "fortran (1,7) reshaped (7,)", fortran: true, shape: []int{1, 7}, reshape: []int{7}},
		{name: "fortran (7,1) reshaped (1,7,1)", fortran: true, shape: []int{7, 1}, reshape: []int{1, 7, 1}},
		{name: "a[0:1:2, :]", shape: []int{4, 6}, index: "0:1:2, :"},
		{name: "a[2:3, 1:5]", shape: []int{4, 6}, index: "2:3, 1:5"},
		{name: "a[1:2, ::2]", shape: []int{4, 6}, index: "1:2, ::2"},
		{name: "a[:, 2:3]", shape: []int{4, 6}, index: ":, 2:3"},
		{name: "a[::2]", shape: []int{4, 6}, index: "::2"},
		{name: "a[3:0:-3, :]", shape: []int{4, 6}, index: "3:0:-3, :"},
		{name: "a[1:2, :] reshaped (1,6)", shape: []int{4, 6}, index: "1:2, :", reshape: []int{1, 6}},
		{name: "reshaped (1,24,1)", shape: []int{4, 6}, reshape: []int{1, 24, 1}},
		{name: "reshaped (1,4,1,6,1)", shape: []int{4, 6}, reshape: []int{1, 4, 1, 6, 1}},
		{name: "a[0:1:2, :] reshaped (6,1)", shape: []int{4, 6}, index: "0:1:2, :", reshape: []int{6, 1}},
		{name: "a[:, 2:3] reshaped (1,4)", shape: []int{4, 6}, index: ":, 2:3", reshape: []int{1, 4}},
		{name: "a[:, 2:3].T", shape: []int{4, 6}, index: ":, 2:3", transpose: true},
	}

	// NumPy's verdicts: the flag and the elements in C order.
	type numpyCase struct {
		Expr  string `json:"expr"`
		Shape []int  `json:"shape"`
		Order string `json:"order"`
	}
	var in []numpyCase
	for _, c := range cases {
		in = append(in, numpyCase{c.python(), c.shape, map[bool]string{false: "C", true: "F"}[c.fortran]})
	}
	script := `
out = []
for case in json.load(sys.stdin):
    shape = tuple(case["shape"])
    a = np.array(np.arange(int(np.prod(shape)), dtype='<f8').reshape(shape), order=case["order"])
    v = eval(case["expr"])
    out.append({"c": bool(v.flags.c_contiguous), "view": bool(np.shares_memory(v, a)), "values": v.ravel().tolist()})
print(json.dumps(out))
`
	var want []struct {
		C      bool      `json:"c"`
		View   bool      `json:"view"`
		Values []float64 `json:"values"`
	}
	numpytest.RunJSON(t, script, in, &want)
	require.Len(t, want, len(cases))

	dir := t.TempDir()
	var bad []string
	for n, c := range cases {
		require.True(t, want[n].View, "%s: NumPy copies here; the case tests nothing", c.name)
		path := filepath.Join(dir, fmt.Sprintf("case%d.npy", n))
		f, err := mmarray.Create(path, "<f8", c.shape, mmarray.WithFortranOrder(c.fortran))
		require.NoError(t, err)
		base, err := mmarray.View[float64](f)
		require.NoError(t, err)
		for k := range base.Len() {
			base.Set(float64(k), formula.Unravel(k, c.shape)...)
		}
		v := base
		if c.index != "" {
			sels, err := mmarray.ParseIndex(c.index)
			require.NoError(t, err)
			v = v.Slice(sels...)
		}
		if c.reshape != nil {
			v, err = v.Reshape(c.reshape...)
			require.NoError(t, err, "%s: NumPy reshapes without copying", c.name)
		}
		if c.transpose {
			v = v.Transpose()
		}

		got := make([]float64, v.Len())
		v.CopyTo(got)
		flat, ok := v.Contiguous()
		switch {
		case fmt.Sprint(got) != fmt.Sprint(want[n].Values):
			bad = append(bad, fmt.Sprintf("%s: elements %v, NumPy %v", c.name, got, want[n].Values))
		case v.IsContiguous() != want[n].C:
			bad = append(bad, fmt.Sprintf("%s: IsContiguous %v, NumPy's C_CONTIGUOUS %v (shape %v strides %v)", c.name, v.IsContiguous(), want[n].C, v.Shape(), v.Strides()))
		case ok != want[n].C:
			bad = append(bad, fmt.Sprintf("%s: Contiguous ok=%v, NumPy's C_CONTIGUOUS %v", c.name, ok, want[n].C))
		case ok && fmt.Sprint(flat) != fmt.Sprint(got):
			bad = append(bad, fmt.Sprintf("%s: Contiguous slice %v, elements %v", c.name, flat, got))
		}
		require.NoError(t, f.Close())
	}
	require.Empty(t, bad, "\n"+strings.Join(bad, "\n"))
}
