package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/bytesize"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// tinySize keeps the end-to-end tests quick: 8 MiB, 1,048,576 float64s.
const tinySize = "8MiB"

// reference computes every workload's check value with plain loops over
// the values i*0.5, independently of the engines.
func reference(n int, idx []int64) map[string]float64 {
	v := func(i int) float64 { return float64(i) * 0.5 }
	ref := map[string]float64{"open": float64(n)}
	var all, col, str, cow float64
	for i := range n {
		all += v(i)
		if i%rowLen == columnIndex {
			col += v(i)
		}
		if i%strideStep == 0 {
			str += v(i)
		}
		if i%cowStep == 0 {
			cow += -1
		} else {
			cow += v(i)
		}
	}
	var at2 float64 // the first at2Prefix rows of 16
	for i := range min(n/at2RowLen, at2Prefix) * at2RowLen {
		at2 += v(i)
	}
	ref["at2"] = at2
	var gather float64
	for _, i := range idx {
		gather += v(int(i))
	}
	ref["scan-warm"], ref["scan-mapped"], ref["scan-cold"], ref["create"], ref["sum"] = all, all, all, all, all
	// describe: the mean and the standard deviation (ddof 0, two passes),
	// minimum and maximum of the values, by plain loops.
	mean := all / float64(n)
	var sq float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range n {
		d := v(i) - mean
		sq += d * d
		lo, hi = min(lo, v(i)), max(hi, v(i))
	}
	ref["describe"] = describeCheck(mean, math.Sqrt(sq/float64(n)), lo, hi)
	ref["gather"], ref["column"], ref["stride8"], ref["cow"] = gather, col, str, cow
	ref["sum-budget"] = all
	// axis0: per column of the (n/16, 16) view, two passes.
	var means, stds [axis0RowLen]float64
	rows := n / axis0RowLen
	for i := range rows * axis0RowLen {
		means[i%axis0RowLen] += v(i)
	}
	for j := range means {
		means[j] /= float64(rows)
	}
	for i := range rows * axis0RowLen {
		d := v(i) - means[i%axis0RowLen]
		stds[i%axis0RowLen] += d * d
	}
	for j := range stds {
		stds[j] = math.Sqrt(stds[j] / float64(rows))
	}
	ref["axis0"] = axis0Check(means[:], stds[:])
	// The Zarr workloads: the (n/16, 16) rows are the whole dataset; the
	// sum of the stores' values, and the sum of the column means.
	ref["zarr-write"], ref["zarr-read"] = all, all
	var meanSum float64
	for _, x := range means {
		meanSum += x
	}
	ref["zarr-mean"] = meanSum
	// groupby: the sums by key i % groupCount.
	var groups [groupCount]float64
	for i := range n {
		groups[i%groupCount] += v(i)
	}
	var g float64
	for k, x := range groups {
		g += float64(k) * x
	}
	ref["groupby"] = g
	// topk: the values grow with the index, so the largest are the last,
	// largest first.
	var top float64
	for i := n - 1; i >= n-topCount; i-- {
		top += v(i) + float64(i)
	}
	ref["topk"] = top
	ref["transform"] = 2*all + float64(n) // the sum of 2*v+1
	// transpose-copy: row columnIndex of the transposed copy is column
	// columnIndex of the (n/1024, 1024) view.
	ref["transpose-copy"] = col
	// append: the elements (k % appendCycle) * 0.5 of the rows appended.
	var app float64
	for k := range appendRowCount(n) * appendRowLen {
		app += float64(k%appendCycle) * 0.5
	}
	ref["append"] = app
	// csv-load: the sum of the CSV's values, the first csvRowCount(n) rows
	// of csvColumns; csv-save: the CSV's size, each value in %.18e
	// (strconv's 'e' with 18 digits is that format), commas between the
	// columns and a newline after each row.
	csvRows := csvRowCount(n)
	var csvSum float64
	size := 0
	var buf []byte
	for i := range csvRows * csvColumns {
		csvSum += v(i)
		buf = strconv.AppendFloat(buf[:0], v(i), 'e', 18, 64)
		size += len(buf) + 1
	}
	ref["csv-load"], ref["csv-save"] = csvSum, float64(size)
	return ref
}

func TestWorkloadsAgainstReference(t *testing.T) {
	t.Parallel()
	size := numpytest.Must(bytesize.Parse(tinySize))
	cfg := config{size: size, dir: t.TempDir(), workloads: allWorkloads}
	ds, cleanup, err := prepareDataset(cfg, &ui{})
	defer cleanup()
	if err != nil {
		t.Fatal(err)
	}
	if ds.n != 1<<20 {
		t.Fatalf("n = %d", ds.n)
	}
	idx, err := loadIndices(ds.indexPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(idx) != gatherCount {
		t.Fatalf("%d indices", len(idx))
	}
	for _, i := range idx {
		if i < 0 || int(i) >= ds.n {
			t.Fatalf("index %d out of range", i)
		}
	}
	ref := reference(ds.n, idx)
	for _, w := range allWorkloads {
		var m meter
		out, err := memmapRun(ds, w, &m)
		if err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		if !checksAgree(out.check, ref[w], tolerance(w)) {
			t.Errorf("%s: check %v, reference %v", w, out.check, ref[w])
		}
		if len(m.laps) == 0 || m.seconds() <= 0 {
			t.Errorf("%s: not timed: %v", w, m.laps)
		}
	}
	// The workloads that write cleaned up after themselves; the data file
	// was kept (--dir given).
	for _, w := range []string{"create", "transform", "transpose-copy", "append", "csv-load"} {
		if _, err := os.Stat(ds.outPath("memmap", w)); !os.IsNotExist(err) {
			t.Errorf("%s output left behind: %v", w, err)
		}
	}
	if _, err := os.Stat(ds.csvOutPath("memmap")); !os.IsNotExist(err) {
		t.Errorf("csv-save output left behind: %v", err)
	}
	if _, err := os.Stat(ds.zarrOutPath("memmap")); !os.IsNotExist(err) {
		t.Errorf("zarr-write output left behind: %v", err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(ds.work, ".*.tmp-*")); len(leftovers) > 0 {
		t.Errorf("temporary stores left behind: %v", leftovers)
	}
	if !isGenerated(ds.path, ds.n) {
		t.Error("the dataset changed")
	}
}

// requireDask skips the test when no Python can import dask, or fails it
// when CI is set, as numpytest.Python does for NumPy.
func requireDask(t *testing.T) {
	t.Helper()
	numpytest.Python(t)
	if _, err := findPython("dask"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and Dask is missing: %v", err)
		}
		t.Skip(err)
	}
}

// requirePandas is requireDask for pandas, which the CSV workloads compare
// with.
func requirePandas(t *testing.T) {
	t.Helper()
	numpytest.Python(t)
	if _, err := findPython("pandas"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and pandas is missing: %v", err)
		}
		t.Skip(err)
	}
}

// TestPythonEnginesAgainstReference runs every workload NumPy and Dask
// have, including those memmap does not have yet, and checks them against
// the reference values; outputs they write are removed.
func TestPythonEnginesAgainstReference(t *testing.T) {
	t.Parallel()
	requireDask(t)
	requirePandas(t)
	size := numpytest.Must(bytesize.Parse(tinySize))
	cfg := config{size: size, dir: t.TempDir(), workloads: []string{"groupby", "csv-load", "zarr-mean"}}
	ds, cleanup, err := prepareDataset(cfg, &ui{})
	defer cleanup()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := loadIndices(ds.indexPath)
	if err != nil {
		t.Fatal(err)
	}
	ref := reference(ds.n, idx)
	for _, name := range pythonEngines {
		e, err := startPython(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.workloads) == 0 {
			t.Fatalf("%s: no workloads", name)
		}
		for w := range e.workloads {
			want, ok := ref[w]
			if !ok {
				t.Errorf("%s %s: no reference for this workload", name, w)
				continue
			}
			r, err := e.run(ds, w)
			if err != nil {
				t.Errorf("%s %s: %v", name, w, err)
				continue
			}
			if !checksAgree(r.Check, want, tolerance(w)) {
				t.Errorf("%s %s: check %v, reference %v", name, w, r.Check, want)
			}
			if r.Seconds <= 0 || r.Engine != name || r.Workload != w {
				t.Errorf("%s %s: result %+v", name, w, r)
			}
			if _, err := os.Stat(ds.outPath(name, w)); !os.IsNotExist(err) {
				t.Errorf("%s %s: output left behind: %v", name, w, err)
			}
			if _, err := os.Stat(ds.csvOutPath(name)); !os.IsNotExist(err) {
				t.Errorf("%s %s: CSV output left behind: %v", name, w, err)
			}
			if _, err := os.Stat(ds.zarrOutPath(name)); !os.IsNotExist(err) {
				t.Errorf("%s %s: Zarr output left behind: %v", name, w, err)
			}
		}
	}
	// The Dask engine has no counterpart of the element API's workloads.
	e, err := startPython("dask")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"open", "gather", "at2", "cow"} {
		if e.has(w) {
			t.Errorf("dask claims %s", w)
		}
	}
}

func TestCompareNumpyAndDask(t *testing.T) {
	t.Parallel()
	// Skips without NumPy and Dask, or fails under CI; the engines then find
	// their Python by their own rules (MMBENCH_PYTHON first).
	requireDask(t)
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "runs.jsonl")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--compare", "numpy,dask", "--size", tinySize, "--repeat", "2", "--dir", dir, "--json", jsonPath}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr not empty when it is not a terminal: %q", stderr.String())
	}
	table := stdout.String()
	for _, want := range append(defaultWorkloads(), "speed m/numpy", "speed m/dask", "RSS dask", "check dask") {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %s:\n%s", want, table)
		}
	}
	f, err := os.Open(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var runs []result
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%q: %v", sc.Text(), err)
		}
		runs = append(runs, r)
	}
	want := 2 * len(defaultWorkloads()) // memmap, twice
	for _, name := range []string{"numpy", "dask"} {
		e, err := startPython(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range defaultWorkloads() {
			if e.has(w) {
				want += 2
			}
		}
	}
	if len(runs) != want {
		t.Fatalf("%d JSON lines, want %d", len(runs), want)
	}
	checks := map[string]map[string]float64{}
	for _, r := range runs {
		if checks[r.Workload] == nil {
			checks[r.Workload] = map[string]float64{}
		}
		checks[r.Workload][r.Engine] = r.Check
		if r.Seconds <= 0 {
			t.Errorf("%s %s: seconds %v", r.Engine, r.Workload, r.Seconds)
		}
		if runtime.GOOS == "linux" && r.PeakRSS <= 0 {
			t.Errorf("%s %s: peak RSS %v", r.Engine, r.Workload, r.PeakRSS)
		}
	}
	for w, c := range checks {
		for _, e := range pythonEngines {
			if x, ok := c[e]; ok && !checksAgree(c["memmap"], x, tolerance(w)) {
				t.Errorf("%s: memmap %v, %s %v", w, c["memmap"], e, x)
			}
		}
	}
}

// Bad input is one line on stderr and exit status 2.
func TestErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	intFile := filepath.Join(dir, "ints.npy")
	f, err := mmarray.Create(intFile, "<i4", []int{4096})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	cases := map[string][]string{
		"bad flag":     {"--nope"},
		"bad size":     {"--size", "big"},
		"missing file": {"--file", filepath.Join(dir, "missing.npy"), "--workloads", "open", "--repeat", "1"},
		"int32 file":   {"--file", intFile, "--workloads", "open", "--repeat", "1"},
		"not npy":      {"--file", "e2e_test.go", "--repeat", "1"},
		"json dir":     {"--json", dir, "--workloads", "open", "--size", "8KiB"},
	}
	for name, args := range cases {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		msg := stderr.String()
		if code != exitUsage || !strings.HasPrefix(msg, "mmbench: ") || strings.Count(msg, "\n") != 1 || stdout.Len() != 0 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, stdout.String(), msg)
		}
	}
}
