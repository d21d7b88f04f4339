package numpytest_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
)

func TestRunPassesArgumentsAndDefinesTheFormula(t *testing.T) {
	t.Parallel()
	out := numpytest.Run(t, `
print(json.dumps({"args": sys.argv[1:], "kind": formula_kind("<u2"),
                  "a": formula_array("<i4", (2, 3), order="F").flatten(order="K").tolist(),
                  "zip": zipfile.__name__}))
`, "one", "two words")
	want := `{"args": ["one", "two words"], "kind": "int", "a": [-5, 16, 2, 23, 9, 30], "zip": "zipfile"}`
	if strings.TrimSpace(out) != want {
		t.Errorf("script printed %s, want %s", out, want)
	}
}

func TestRunJSONRoundTrips(t *testing.T) {
	t.Parallel()
	in := map[string][]int{"shape": {4, 5}}
	var out struct {
		Size  int    `json:"size"`
		DType string `json:"dtype"`
	}
	numpytest.RunJSON(t, `
shape = tuple(json.load(sys.stdin)["shape"])
a = formula_array("<f8", shape)
json.dump({"size": int(a.size), "dtype": a.dtype.str}, sys.stdout)
`, in, &out)
	if out.Size != 20 || out.DType != "<f8" {
		t.Errorf("got %+v, want size 20 and dtype <f8", out)
	}
}

// fatalRecorder stands for a test in a helper that must fail: its Fatalf
// records the message and ends the goroutine, as testing.T's does.
type fatalRecorder struct {
	testing.TB
	message string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.message = format
	runtime.Goexit()
}

// Skipf ends the goroutine as Fatalf does: a helper that skips has stopped
// the test too.
func (r *fatalRecorder) Skipf(format string, args ...any) {
	r.message = format
	runtime.Goexit()
}

func TestRunFailsTheTestWhenTheScriptFails(t *testing.T) {
	t.Parallel()
	numpytest.Python(t) // skip here, on the test's goroutine, without NumPy
	rec := &fatalRecorder{TB: t}
	var wg sync.WaitGroup
	wg.Go(func() {
		numpytest.Run(rec, `raise SystemExit("no such luck")`)
		t.Error("Run returned after the script failed")
	})
	wg.Wait()
	if !strings.Contains(rec.message, "NumPy script failed") {
		t.Errorf("Run failed with %q, want the NumPy script's failure", rec.message)
	}
}

func TestRequireModuleStopsTheTestWithoutTheModule(t *testing.T) {
	t.Parallel()
	numpytest.RequireModule(t, "json") // in every Python: must return
	rec := &fatalRecorder{TB: t}
	var wg sync.WaitGroup
	wg.Go(func() {
		numpytest.RequireModule(rec, "no_such_module_for_numpytest")
		t.Error("RequireModule returned for a module Python cannot import")
	})
	wg.Wait()
	if !strings.Contains(rec.message, "install python3-%s") {
		t.Errorf("RequireModule stopped with %q, want the install hint", rec.message)
	}
}

func TestCopyToTempCopiesTheFile(t *testing.T) {
	t.Parallel()
	src := filepath.Join(t.TempDir(), "fixture.npy")
	if err := os.WriteFile(src, []byte("\x93NUMPY fixture"), 0o444); err != nil {
		t.Fatal(err)
	}
	dst := numpytest.CopyToTemp(t, src)
	if dst == src || filepath.Base(dst) != "fixture.npy" {
		t.Fatalf("copy is %s, want another fixture.npy than %s", dst, src)
	}
	got, err := os.ReadFile(dst)
	if err != nil || string(got) != "\x93NUMPY fixture" {
		t.Fatalf("copy holds %q (%v)", got, err)
	}
	if err := os.WriteFile(dst, []byte("changed"), 0o644); err != nil {
		t.Fatalf("the copy is not writable: %v", err)
	}
}
