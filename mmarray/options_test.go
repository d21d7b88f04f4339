package mmarray_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// misplacedOptions are calls that give a constructor an option it does not
// take; each must be a compile error, with the option's type named.
var misplacedOptions = []struct{ call, optionType string }{
	{`mmarray.Open("x.npy", mmarray.ReadOnly, mmarray.WithFortranOrder(true))`, "LayoutOption"},
	{`mmarray.Open("x.npy", mmarray.ReadOnly, mmarray.WithVersion(2, 0))`, "CreateOption"},
	{`mmarray.Open("x.npy", mmarray.ReadOnly, mmarray.WithOwnedImage())`, "BytesOption"},
	{`mmarray.Create("x.npy", "<f8", nil, mmarray.WithMaxHeaderSize(1))`, "HeaderOption"},
	{`mmarray.Create("x.npy", "<f8", nil, mmarray.WithSection(0, 1))`, "OpenOption"},
	{`mmarray.Create("x.npy", "<f8", nil, mmarray.WithOwnedImage())`, "BytesOption"},
	{`mmarray.OpenRaw("x.dat", mmarray.ReadOnly, "<f8", nil, 0, mmarray.WithMaxHeaderSize(1))`, "HeaderOption"},
	{`mmarray.OpenRaw("x.dat", mmarray.ReadOnly, "<f8", nil, 0, mmarray.WithSection(0, 1))`, "OpenOption"},
	{`mmarray.OpenRaw("x.dat", mmarray.ReadOnly, "<f8", nil, 0, mmarray.WithVersion(2, 0))`, "CreateOption"},
	{`mmarray.OpenRaw("x.dat", mmarray.ReadOnly, "<f8", nil, 0, mmarray.WithOwnedImage())`, "BytesOption"},
	{`mmarray.OpenBytes("x.npy", nil, mmarray.ReadOnly, mmarray.WithSection(0, 1))`, "OpenOption"},
	{`mmarray.OpenBytes("x.npy", nil, mmarray.ReadOnly, mmarray.WithFortranOrder(true))`, "LayoutOption"},
	{`mmarray.OpenBytes("x.npy", nil, mmarray.ReadOnly, mmarray.WithVersion(2, 0))`, "CreateOption"},
	{`mmarray.OpenAppend("x.npy", mmarray.WithFortranOrder(true))`, "LayoutOption"},
	{`mmarray.OpenAppend("x.npy", mmarray.WithAdvice(mmarray.Random))`, "Option"},
	{`mmarray.NewWriter("x.npy", "<f8", nil, mmarray.WithVersion(2, 0))`, "CreateOption"},
	{`mmarray.NewWriter("x.npy", "<f8", nil, mmarray.WithAdvice(mmarray.Random))`, "Option"},
	{`mmarray.OpenAppendRaw("x.dat", "<f8", nil, 0, mmarray.WithSection(0, 1))`, "OpenOption"},
	{`mmarray.Create("x.npy", "<f8", nil, mmarray.WithBufferSize(1))`, "BufferOption"},
	{`mmarray.OpenRaw("x.dat", mmarray.ReadOnly, "<f8", nil, 0, mmarray.WithBufferSize(1))`, "BufferOption"},
}

// An option given to a constructor it does not apply to is a compile
// error, not a run-time one: each misplaced call, compiled in a package
// added to the module through an overlay, fails on its own line with its
// option type named, while the same file with the options in their places
// compiles.
func TestMisplacedOptionsDoNotCompile(t *testing.T) {
	t.Parallel()
	var bad, good strings.Builder
	for _, b := range []*strings.Builder{&bad, &good} {
		b.WriteString("package misplaced\n\nimport \"github.com/go-memmap/memmap/mmarray\"\n\nfunc calls() {\n")
	}
	const firstCallLine = 6
	for _, c := range misplacedOptions {
		fmt.Fprintf(&bad, "\t_, _ = %s\n", c.call)
	}
	// The same constructors with options they take.
	good.WriteString(`	_, _ = mmarray.Open("x.npy", mmarray.ReadOnly, mmarray.WithMaxHeaderSize(1), mmarray.WithSection(0, 1), mmarray.WithAdvice(mmarray.Random))
	_, _ = mmarray.Create("x.npy", "<f8", nil, mmarray.WithFortranOrder(true), mmarray.WithVersion(2, 0), mmarray.WithAdvice(mmarray.Random))
	_, _ = mmarray.OpenRaw("x.dat", mmarray.ReadOnly, "<f8", nil, 0, mmarray.WithFortranOrder(true), mmarray.WithAdvice(mmarray.Random))
	_, _ = mmarray.OpenBytes("x.npy", nil, mmarray.ReadOnly, mmarray.WithMaxHeaderSize(1), mmarray.WithOwnedImage(), mmarray.WithAdvice(mmarray.Random))
	_, _ = mmarray.NewWriter("x.npy", "<f8", nil, mmarray.WithFortranOrder(true), mmarray.WithBufferSize(1))
	_, _ = mmarray.OpenAppend("x.npy", mmarray.WithBufferSize(1))
	_, _ = mmarray.OpenAppendRaw("x.dat", "<f8", nil, 0, mmarray.WithFortranOrder(true), mmarray.WithBufferSize(1))
`)
	out, err := buildInModule(t, "misplacedgood", good.String()+"}\n", "-e")
	require.NoError(t, err, "options in their places must compile:\n%s", out)

	out, err = buildInModule(t, "misplacedbad", bad.String()+"}\n", "-e")
	require.Error(t, err, "misplaced options must not compile")
	var missing []string
	for i, c := range misplacedOptions {
		want := fmt.Sprintf("misplacedbad.go:%d:", firstCallLine+i)
		found := false
		for line := range strings.SplitSeq(out, "\n") {
			if strings.Contains(line, want) && strings.Contains(line, "mmarray."+c.optionType) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, c.call)
		}
	}
	require.Empty(t, missing, "these calls gave no compile error naming their option type:\n%s", out)
}

// A negative numeric option is misuse, caught where it is made; zero means
// the documented default.
func TestOptionValues(t *testing.T) {
	t.Parallel()
	requireMisuse(t, "mmarray: WithMaxHeaderSize(-5): the size must not be negative (0 means the default)", func() { mmarray.WithMaxHeaderSize(-5) })

	big, err := os.ReadFile(testdataPath("npy/struct_500_fields_v2.npy"))
	require.NoError(t, err)
	_, err = mmarray.OpenBytes("big.npy", big, mmarray.ReadOnly, mmarray.WithMaxHeaderSize(0))
	require.ErrorIs(t, err, npyheader.ErrHeaderTooLarge, "zero means the default limit, which this header exceeds")
	f, err := mmarray.OpenBytes("big.npy", big, mmarray.ReadOnly, mmarray.WithMaxHeaderSize(len(big)))
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// buildInModule compiles source as package name, a package that exists
// only in an overlay inside this module (under mmarray/internal), with the
// given -gcflags, and returns the compiler's output. It skips the test
// when there is no go tool, except in CI.
func buildInModule(t *testing.T, name, source, gcflags string) (string, error) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the go tool is needed to compile test programs")
		}
		t.Skip("no go tool on PATH")
	}
	moduleRoot, err := filepath.Abs("..")
	require.NoError(t, err)
	dir := t.TempDir()
	file := filepath.Join(dir, name+".go")
	require.NoError(t, os.WriteFile(file, []byte(source), 0o644))
	pkgDir := filepath.Join(moduleRoot, "mmarray", "internal", name)
	overlay, err := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(pkgDir, name+".go"): file}})
	require.NoError(t, err)
	overlayFile := filepath.Join(dir, "overlay.json")
	require.NoError(t, os.WriteFile(overlayFile, overlay, 0o644))
	cmd := exec.Command(goTool, "build", "-overlay", overlayFile, "-gcflags="+gcflags, "-o", os.DevNull, "./mmarray/internal/"+name)
	cmd.Dir = moduleRoot
	out, err := cmd.CombinedOutput()
	return string(out), err
}
