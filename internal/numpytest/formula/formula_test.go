package formula_test

import (
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
)

func sortedKinds() []string {
	kinds := make([]string, 0, len(formula.ByKind))
	for kind := range formula.ByKind {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	return kinds
}

// TestValueIsNumPysFormulaArray compares the Go formula's bytes with
// formula_array's for every kind, over enough elements that the ints wrap
// and float16 rounds (past 512 it cannot hold the formula's quarters).
func TestValueIsNumPysFormulaArray(t *testing.T) {
	t.Parallel()
	const n = 6000
	kinds := sortedKinds()
	var fromNumPy map[string]string
	numpytest.RunJSON(t, `
n, kinds = json.load(sys.stdin)
json.dump({kind: formula_array("<" + kind, (n,)).tobytes().hex() for kind in kinds}, sys.stdout)
`, []any{n, kinds}, &fromNumPy)
	var differ []string
	for _, kind := range kinds {
		if got := hex.EncodeToString(formula.ByKind[kind].LittleEndian(n)); got != fromNumPy[kind] {
			differ = append(differ, kind)
		}
	}
	if len(differ) > 0 {
		t.Errorf("the Go formula differs from NumPy's formula_array for %v", differ)
	}
}

// TestCheckAcceptsWhatNumPyWrites opens files NumPy wrote with
// formula_array, in both byte orders and both memory orders, and requires
// Check to pass each.
func TestCheckAcceptsWhatNumPyWrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var names []string
	numpytest.RunJSON(t, `
dir, kinds = json.load(sys.stdin)
names = []
for kind in kinds:
    for order in "<>":
        for memory in "CF":
            name = "%s%s_%s.npy" % ({"<": "le_", ">": "be_"}[order], kind, memory)
            np.save(dir + "/" + name, formula_array(order + kind, (3, 4, 5), memory))
            names.append(name)
json.dump(names, sys.stdout)
`, []any{dir, sortedKinds()}, &names)
	if want := 4 * len(formula.ByKind); len(names) != want {
		t.Fatalf("NumPy wrote %d files, want %d", len(names), want)
	}
	for _, name := range names {
		f, err := mmarray.Open(filepath.Join(dir, name), mmarray.ReadOnly)
		if err != nil {
			t.Errorf("open %s: %v", name, err)
			continue
		}
		formula.ByKind[kindOf(name)].Check(t, f)
		if err := f.Close(); err != nil {
			t.Errorf("close %s: %v", name, err)
		}
	}
}

// kindOf is the kind in a file name of TestCheckAcceptsWhatNumPyWrites.
func kindOf(name string) string { return strings.Split(name, "_")[1] }

// TestFillWritesWhatNumPyComputes fills new files in Go, in both byte
// orders, and requires NumPy to read formula_array from each.
func TestFillWritesWhatNumPyComputes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var descrs []string
	for _, kind := range sortedKinds() {
		for _, order := range "<>" {
			descr := string(order) + kind
			f, err := mmarray.Create(filepath.Join(dir, descrFileName(descr)), descr, []int{4, 3, 2})
			if err != nil {
				t.Fatalf("create %s: %v", descr, err)
			}
			formula.ByKind[kind].Fill(t, f)
			if err := f.Close(); err != nil {
				t.Fatalf("close %s: %v", descr, err)
			}
			descrs = append(descrs, descr)
		}
	}
	var wrong []string
	numpytest.RunJSON(t, `
dir, descrs = json.load(sys.stdin)
wrong = []
for descr in descrs:
    a = np.load(dir + "/" + ("le_" if descr[0] == "<" else "be_") + descr[1:] + ".npy")
    want = formula_array(descr, (4, 3, 2))
    if a.dtype != want.dtype or not np.array_equal(a, want):
        wrong.append(descr)
json.dump(wrong, sys.stdout)
`, []any{dir, descrs}, &wrong)
	if len(wrong) > 0 {
		t.Errorf("NumPy does not read the formula from the Go-filled %v", wrong)
	}
}

func descrFileName(descr string) string {
	return map[byte]string{'<': "le_", '>': "be_"}[descr[0]] + descr[1:] + ".npy"
}

// errorRecorder counts a check's failures instead of failing the test.
type errorRecorder struct {
	testing.TB
	errors []string
}

func (r *errorRecorder) Helper() {}

func (r *errorRecorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestCheckReportsEachWayOfReadingOnce changes two elements of a file that
// holds the formula and requires Check to fail once for each of At, Values
// and CopyTo, naming the count and the first element that differs.
func TestCheckReportsEachWayOfReadingOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f8.npy")
	f, err := mmarray.Create(path, "<f8", []int{5, 6})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	formula.Fill[float64](t, f)
	formula.Check[float64](t, f) // the unchanged file passes

	a, err := mmarray.View[float64](f)
	if err != nil {
		t.Fatal(err)
	}
	a.Set(100, 1, 2) // k = 8
	a.Set(-100, 4, 5)
	rec := &errorRecorder{TB: t}
	formula.Check[float64](rec, f)
	if len(rec.errors) != 3 {
		t.Fatalf("Check failed %d times, want 3 (At, Values, CopyTo): %q", len(rec.errors), rec.errors)
	}
	for i, how := range []string{"At", "Values", "CopyTo"} {
		if e := rec.errors[i]; !strings.HasPrefix(e, how+" of ") || !strings.Contains(e, "2 of 30 elements") || !strings.Contains(e, "element 8 is 100, want 0.75") {
			t.Errorf("failure %d is %q, want %s's two differences, from element 8", i, e, how)
		}
	}
}

func TestUnravelIsTheCOrderIndex(t *testing.T) {
	t.Parallel()
	for _, shape := range [][]int{{}, {7}, {3, 4}, {2, 1, 3}, {2, 3, 4, 2}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		var seen []string
		for k := range n {
			idx := formula.Unravel(k, shape)
			flat := 0
			for axis, i := range idx {
				if i < 0 || i >= shape[axis] {
					t.Fatalf("Unravel(%d, %v) = %v, out of range", k, shape, idx)
				}
				flat = flat*shape[axis] + i
			}
			if flat != k {
				t.Errorf("Unravel(%d, %v) = %v, which is element %d", k, shape, idx, flat)
			}
			seen = append(seen, fmt.Sprint(idx))
		}
		if len(slices.Compact(slices.Clone(seen))) != n {
			t.Errorf("Unravel repeats indexes of %v: %v", shape, seen)
		}
	}
}
