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

// pythonScript is NumPy's and Dask's side of every workload.
//
//go:embed python_engine.py
var pythonScript string

// pythonEngine runs workloads through NumPy or Dask, in a fresh Python
// process per workload run, so that one run's peak RSS does not include what
// an earlier run left in Python's heap. The process answers once its imports
// are done, so neither Python's start-up nor the imports are measured.
type pythonEngine struct {
	name      string // "numpy" or "dask"
	python    string
	versions  string // e.g. "numpy 1.24.2", "dask 2022.12.1, numpy 1.24.2"
	workloads map[string]bool
}

// hello is the first line the script prints, once its imports are done.
type hello struct {
	Ready     bool     `json:"ready"`
	NumPy     string   `json:"numpy"`
	Dask      string   `json:"dask"`
	Pandas    string   `json:"pandas"`
	Workloads []string `json:"workloads"`
}

// pythonCandidates are tried in order; MMBENCH_PYTHON, if set, first.
func pythonCandidates() []string {
	c := []string{"python3", "/usr/bin/python3", "python"}
	if p := os.Getenv("MMBENCH_PYTHON"); p != "" {
		c = append([]string{p}, c...)
	}
	return c
}

// findPython returns the first candidate that can import the engine's
// modules.
func findPython(engine string) (string, error) {
	imports, install := "import numpy", "python3-numpy"
	switch engine {
	case "dask":
		imports, install = "import numpy, dask.array", "python3-dask"
	case "pandas":
		imports, install = "import numpy, pandas", "python3-pandas"
	}
	for _, p := range pythonCandidates() {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", imports).Run() == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("--compare %s needs a Python that can %q; none of %s can (install it, e.g. apt-get install %s, or set MMBENCH_PYTHON)",
		engine, imports, strings.Join(pythonCandidates(), ", "), install)
}

// startPython finds a Python for the engine and starts the script once, to
// fail early when it cannot run and to learn the versions and the
// workloads it has.
func startPython(engine string) (*pythonEngine, error) {
	python, err := findPython(engine)
	if err != nil {
		return nil, err
	}
	e := &pythonEngine{name: engine, python: python}
	p, h, err := e.spawn()
	if err != nil {
		return nil, err
	}
	if err := p.close(); err != nil {
		return nil, err
	}
	e.versions = "numpy " + h.NumPy
	if h.Dask != "" {
		e.versions = "dask " + h.Dask + ", " + e.versions
	}
	if h.Pandas != "" {
		e.versions = "pandas " + h.Pandas + ", " + e.versions
	}
	e.workloads = map[string]bool{}
	for _, w := range h.Workloads {
		e.workloads[w] = true
	}
	return e, nil
}

// has reports whether the engine has a counterpart of the workload.
func (e *pythonEngine) has(workload string) bool { return e.workloads[workload] }

// pythonProcess is one running copy of the script.
type pythonProcess struct {
	engine string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *bytes.Buffer
}

// spawn starts the script and waits for its hello.
func (e *pythonEngine) spawn() (*pythonProcess, hello, error) {
	p := &pythonProcess{engine: e.name, stderr: &bytes.Buffer{}}
	p.cmd = exec.Command(e.python, "-u", "-c", pythonScript, e.name)
	p.cmd.Stderr = p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return nil, hello{}, err
	}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, hello{}, err
	}
	p.stdout = bufio.NewReader(out)
	if err := p.cmd.Start(); err != nil {
		return nil, hello{}, fmt.Errorf("start %s: %w", e.python, err)
	}
	var h hello
	if err := p.read(&h); err != nil {
		p.close()
		return nil, hello{}, err
	}
	return p, h, nil
}

// read decodes the next answer line; if the process died, the error is the
// last line it wrote to stderr.
func (p *pythonProcess) read(v any) error {
	line, err := p.stdout.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("%s engine stopped: %s", p.engine, lastLine(p.stderr.String(), err))
	}
	if err := json.Unmarshal(line, v); err != nil {
		return fmt.Errorf("%s engine: bad answer %q: %w", p.engine, line, err)
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

// close ends the script's input and waits for it to exit.
func (p *pythonProcess) close() error {
	p.stdin.Close()
	err := p.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("%s engine: %s", p.engine, lastLine(p.stderr.String(), err))
	}
	return err
}

// pythonCommand is what the script reads for each run.
type pythonCommand struct {
	Workload  string `json:"workload"`
	Path      string `json:"path"`
	N         int    `json:"n"`
	IndexPath string `json:"index_path"`
	KeysPath  string `json:"keys_path"`
	OutPath   string `json:"out_path"`
	CSVPath   string `json:"csv_path"`
	CSVRows   int    `json:"csv_rows"`
	// The Zarr workloads': the store zarr-mean reads, where zarr-write
	// writes, and the chunks' rows.
	ZarrPath      string `json:"zarr_path"`
	ZarrOutPath   string `json:"zarr_out_path"`
	ZarrChunkRows int    `json:"zarr_chunk_rows"`
}

// run runs one workload in a fresh Python process.
func (e *pythonEngine) run(ds *dataset, workload string) (result, error) {
	p, _, err := e.spawn()
	if err != nil {
		return result{}, err
	}
	r, err := p.run(ds, workload)
	if cerr := p.close(); err == nil && cerr != nil {
		err = cerr
	}
	return r, err
}

func (p *pythonProcess) run(ds *dataset, workload string) (result, error) {
	cmd := pythonCommand{
		Workload: workload, Path: ds.path, N: ds.n,
		IndexPath: ds.indexPath, KeysPath: ds.keysPath, OutPath: ds.outPath(p.engine, workload),
		CSVPath: ds.csvPath, CSVRows: ds.csvRows,
		ZarrPath: ds.zarrPath, ZarrOutPath: ds.zarrOutPath(p.engine), ZarrChunkRows: zarrChunkRowsFor(ds.n),
	}
	line, _ := json.Marshal(cmd)
	if _, err := p.stdin.Write(append(line, '\n')); err != nil {
		return result{}, fmt.Errorf("%s engine: %w", p.engine, err)
	}
	var ans struct {
		result
		Error string `json:"error"`
	}
	if err := p.read(&ans); err != nil {
		return result{}, err
	}
	if ans.Error != "" {
		return result{}, fmt.Errorf("%s engine, %s: %s", p.engine, workload, ans.Error)
	}
	r := ans.result
	r.Engine, r.Workload = p.engine, workload
	r.GBps = gbps(r.Bytes, r.Seconds)
	return r, nil
}
