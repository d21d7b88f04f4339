package main

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// numpyScript is NumPy's side of every workload.
//
//go:embed numpy_engine.py
var numpyScript string

// numpyEngine runs the workloads in one long-lived Python process, one JSON
// command and answer per line, so that Python's start-up is not measured.
type numpyEngine struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *bytes.Buffer
	python string
	numpy  string // NumPy's version
}

// pythonCandidates are tried in order; MMBENCH_PYTHON, if set, first.
func pythonCandidates() []string {
	c := []string{"python3", "/usr/bin/python3", "python"}
	if p := os.Getenv("MMBENCH_PYTHON"); p != "" {
		c = append([]string{p}, c...)
	}
	return c
}

// findPython returns the first candidate that can import numpy.
func findPython() (string, error) {
	for _, p := range pythonCandidates() {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import numpy").Run() == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("--compare numpy needs a Python that can import numpy; none of %s can (install numpy, e.g. apt-get install python3-numpy, or set MMBENCH_PYTHON)",
		strings.Join(pythonCandidates(), ", "))
}

func startNumpy() (*numpyEngine, error) {
	python, err := findPython()
	if err != nil {
		return nil, err
	}
	e := &numpyEngine{python: python, stderr: &bytes.Buffer{}}
	e.cmd = exec.Command(python, "-u", "-c", numpyScript)
	e.cmd.Stderr = e.stderr
	if e.stdin, err = e.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := e.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	e.stdout = bufio.NewReader(out)
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", python, err)
	}
	var hello struct {
		Ready bool   `json:"ready"`
		NumPy string `json:"numpy"`
	}
	if err := e.read(&hello); err != nil {
		e.close()
		return nil, err
	}
	e.numpy = hello.NumPy
	return e, nil
}

// read decodes the next answer line; if the process died, the error is the
// last line it wrote to stderr.
func (e *numpyEngine) read(v any) error {
	line, err := e.stdout.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("numpy engine (%s) stopped: %s", e.python, lastLine(e.stderr.String(), err))
	}
	if err := json.Unmarshal(line, v); err != nil {
		return fmt.Errorf("numpy engine: bad answer %q: %w", line, err)
	}
	return nil
}

func lastLine(s string, fallback error) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return l
	}
	return fallback.Error()
}

// numpyCommand is what the script reads for each run.
type numpyCommand struct {
	Workload   string `json:"workload"`
	Path       string `json:"path"`
	N          int    `json:"n"`
	IndexPath  string `json:"index_path"`
	CreatePath string `json:"create_path"`
}

// run runs one workload in the Python process.
func (e *numpyEngine) run(ds *dataset, workload string) (result, error) {
	cmd := numpyCommand{
		Workload: workload, Path: ds.path, N: ds.n,
		IndexPath: ds.indexPath, CreatePath: ds.createPath("numpy"),
	}
	line, _ := json.Marshal(cmd)
	if _, err := e.stdin.Write(append(line, '\n')); err != nil {
		return result{}, fmt.Errorf("numpy engine: %w", err)
	}
	var ans struct {
		result
		Error string `json:"error"`
	}
	if err := e.read(&ans); err != nil {
		return result{}, err
	}
	if ans.Error != "" {
		return result{}, fmt.Errorf("numpy engine, %s: %s", workload, ans.Error)
	}
	r := ans.result
	r.Engine, r.Workload = "numpy", workload
	r.GBps = gbps(r.Bytes, r.Seconds)
	return r, nil
}

func (e *numpyEngine) close() error {
	e.stdin.Close()
	err := e.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("numpy engine: %s", lastLine(e.stderr.String(), err))
	}
	return err
}
