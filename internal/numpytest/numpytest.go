// Package numpytest runs real NumPy as the oracle of this module's tests.
//
// It finds a Python that can import numpy (Python), runs scripts with the
// shared value formula of testdata/formula.py already defined (Run, RunJSON)
// from any package's tests, and copies fixtures where a test may change them
// (CopyToTemp). The Go side of the value formula and the checks on
// it are in the subpackage formula, which imports mmarray; this package
// imports nothing of the module, so the internal tests of every package,
// npyheader's included, can use it.
//
// A test that needs NumPy is skipped when no Python can import numpy, and
// fails instead when the environment variable CI is set, so that the interop
// tests cannot silently stop running in CI.
//
// # Caveats
//
// The Python is found once per test binary; a Python installed while the
// tests run is not seen. Every Run starts a new Python process (about 0.2 s
// with numpy's import), so tests should batch their cases into one script.
// testdata/formula.py is found by walking up from the working directory to
// the module's go.mod, so the working directory must be inside the module, as
// go test arranges.
package numpytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// pythonCandidates are tried in order: PATH's python3 may be a virtual
// environment without numpy, where the system's one has it.
var pythonCandidates = []string{"python3", "/usr/bin/python3", "python"}

var (
	findOnce   sync.Once
	pythonPath string
	findReport string // why no candidate was taken, for the skip message
)

func findPython() {
	var why []string
	for _, candidate := range pythonCandidates {
		path, err := exec.LookPath(candidate)
		if err != nil {
			why = append(why, fmt.Sprintf("%s: not found", candidate))
			continue
		}
		out, err := exec.Command(path, "-c", "import numpy").CombinedOutput()
		if err == nil {
			pythonPath = path
			return
		}
		why = append(why, fmt.Sprintf("%s: %v: %s", path, err, lastLine(string(out))))
	}
	findReport = strings.Join(why, "; ")
}

// lastLine is the last non-empty line of a Python error report (the
// exception), which is all a skip message needs.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// Python returns the path of a Python that can import numpy. Without one it
// skips the test, or fails it when CI is set.
func Python(t testing.TB) string {
	t.Helper()
	findOnce.Do(findPython)
	if pythonPath == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("no Python that can import numpy was found, and CI is set: the NumPy interop tests must run (apt-get install python3-numpy): %s", findReport)
		}
		t.Skipf("no Python that can import numpy was found; install python3-numpy to run the NumPy interop tests (%s)", findReport)
	}
	return pythonPath
}

// modulesFound caches RequireModule's answers: module name -> error text
// of its import ("" when it imports).
var modulesFound sync.Map

// RequireModule skips the test, or fails it when CI is set, unless the
// Python that Python finds can import module (such as "zarr" or
// "numcodecs"). Each module is tried once per test binary.
func RequireModule(t testing.TB, module string) {
	t.Helper()
	python := Python(t)
	why, ok := modulesFound.Load(module)
	if !ok {
		out, err := exec.Command(python, "-c", "import "+module).CombinedOutput()
		why = ""
		if err != nil {
			why = fmt.Sprintf("%v: %s", err, lastLine(string(out)))
		}
		modulesFound.Store(module, why)
	}
	if why != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s cannot import %s, and CI is set: the interop tests that need it must run (apt-get install python3-%s): %s", python, module, module, why)
		}
		t.Skipf("%s cannot import %s; install python3-%s to run the interop tests that need it (%s)", python, module, module, why)
	}
}

// prelude is put ahead of every script: the imports the scripts share and the
// value formula (formula_array, formula_kind), read once from
// testdata/formula.py.
var prelude = sync.OnceValues(func() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	formula, err := os.ReadFile(filepath.Join(root, "testdata", "formula.py"))
	if err != nil {
		return "", err
	}
	return "import sys, json, zipfile\nimport numpy as np\n" + string(formula) + "\n", nil
})

// Run runs a Python script with sys, json, zipfile and numpy (as np)
// imported, formula_array and formula_kind of testdata/formula.py defined and
// args in sys.argv[1:], and returns its standard output. A script that fails
// fails the test, with the script and its standard error in the message.
func Run(t testing.TB, script string, args ...string) string {
	t.Helper()
	return string(run(t, script, nil, args))
}

// RunJSON runs script as Run does, with the JSON encoding of in on its
// standard input, and decodes its standard output as JSON into out.
func RunJSON(t testing.TB, script string, in, out any) {
	t.Helper()
	input, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("encode the input of a NumPy script: %v", err)
	}
	stdout := run(t, script, input, nil)
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("decode the output of a NumPy script: %v\noutput:\n%s", err, stdout)
	}
}

func run(t testing.TB, script string, stdin []byte, args []string) []byte {
	t.Helper()
	python := Python(t)
	prefix, err := prelude()
	if err != nil {
		t.Fatalf("read the value formula: %v", err)
	}
	cmd := exec.Command(python, append([]string{"-c", prefix + script}, args...)...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("NumPy script failed: %v\nscript:\n%s\nstderr:\n%s", err, script, stderr.String())
	}
	return out
}

// moduleRoot is the folder of the module's go.mod, found by walking up from
// the working directory (a package's folder under go test).
var moduleRoot = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in the working directory or above it")
		}
		dir = parent
	}
})

// CopyToTemp copies the file at src into the test's temporary folder, under
// the same base name, and returns the copy's path: tests that write (r+ and
// copy-on-write opens) never change testdata.
func CopyToTemp(t testing.TB, src string) string {
	t.Helper()
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("copy a fixture: %v", err)
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(dst, raw, 0o644); err != nil {
		t.Fatalf("copy a fixture: %v", err)
	}
	return dst
}

// Must returns v, and panics when err is not nil: for a call in a test
// whose error cannot happen unless the test itself is wrong.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
