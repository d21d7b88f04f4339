package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestJSONLine(t *testing.T) {
	t.Parallel()
	r := result{Engine: "memmap", Workload: "scan-warm", Seconds: 0.5, Bytes: 1 << 30, GBps: gbps(1<<30, 0.5),
		Check: 1.5, PeakRSS: 1 << 20, MinorFaults: 7, MajorFaults: 1}
	line := jsonLine(r)
	if !bytes.HasSuffix(line, []byte("\n")) || bytes.Count(line, []byte("\n")) != 1 {
		t.Fatalf("not one line: %q", line)
	}
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"bytes", "check", "engine", "gbps", "major_faults", "minor_faults", "peak_rss_bytes", "seconds", "workload"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	if m["engine"] != "memmap" || m["workload"] != "scan-warm" || m["seconds"] != 0.5 || m["bytes"] != float64(1<<30) ||
		m["check"] != 1.5 || m["peak_rss_bytes"] != float64(1<<20) || m["minor_faults"] != 7.0 || m["major_faults"] != 1.0 {
		t.Errorf("values: %v", m)
	}
	if g := m["gbps"].(float64); math.Abs(g-2.147483648) > 1e-12 {
		t.Errorf("gbps %v, want 2.147483648 (decimal GB/s)", g)
	}
	// open moves no array bytes: its throughput is 0, not Inf or NaN.
	if g := gbps(0, 1e-5); g != 0 {
		t.Errorf("gbps(0 bytes) = %v", g)
	}
}

func TestChecksAgree(t *testing.T) {
	t.Parallel()
	big := 0.25 * math.Pow(2, 58) // the sum of a 4 GiB array of i*0.5: beyond 2^53
	cases := []struct {
		a, b  float64
		agree bool
	}{
		{0, 0, true},
		{1.5, 1.5, true},
		{big, big + 64, true},          // rounding-order differences
		{big, big * (1 + 2e-9), false}, // beyond the tolerance
		{1e6, 1e6 + 0.5, false},        // one element of 0.5 missing in a small sum
		{-3, 3, false},
		{math.NaN(), math.NaN(), false},
		{math.Inf(1), math.Inf(1), true},
		{math.Inf(1), 1e308, false},
	}
	for _, c := range cases {
		if got := checksAgree(c.a, c.b, defaultTolerance); got != c.agree {
			t.Errorf("checksAgree(%v, %v) = %v", c.a, c.b, got)
		}
	}
}

func TestFindMismatch(t *testing.T) {
	t.Parallel()
	rs := []result{
		{Engine: "numpy", Workload: "gather", Check: 10},
		{Engine: "memmap", Workload: "gather", Check: 10},
		{Engine: "memmap", Workload: "cow", Check: 5},
		{Engine: "numpy", Workload: "cow", Check: 5},
	}
	if err := findMismatch(rs); err != nil {
		t.Fatal(err)
	}
	rs = append(rs, result{Engine: "numpy", Workload: "cow", Check: 6})
	err := findMismatch(rs)
	if !errors.Is(err, errMismatch) || !strings.Contains(err.Error(), "cow") {
		t.Fatalf("findMismatch = %v", err)
	}
}

func TestTolerances(t *testing.T) {
	t.Parallel()
	// Exact workloads allow no difference; the others the default.
	if tolerance("topk") != 0 || checksAgree(1e6, 1e6+0.5, tolerance("topk")) {
		t.Error("topk: checks must be equal")
	}
	if tolerance("sum") != defaultTolerance || !checksAgree(1e18, 1e18+64, tolerance("sum")) {
		t.Error("sum: the default tolerance")
	}
}

func TestTargets(t *testing.T) {
	t.Parallel()
	// Every workload has a goal: against NumPy, or, where NumPy has no
	// counterpart (the Zarr workloads Dask or memmap itself measure), against
	// Dask or memmap's own workload.
	for _, w := range allWorkloads {
		_, numpy := targets["numpy"][w]
		_, dask := targets["dask"][w]
		_, own := ownTargets[w]
		if !numpy && !dask && !own {
			t.Errorf("no target for %s", w)
		}
	}
	if !ownTargets["zarr-read"].met(0.9) || ownTargets["zarr-read"].met(0.89) {
		t.Error("zarr-read: 0.9 of sum's speed is the limit")
	}
	numpy := targets["numpy"]
	if !numpy["open"].met(0.1, 0, 1) || numpy["open"].met(0.2, 100, 0) {
		t.Error("open: time ratio 0.1 is the limit")
	}
	if !numpy["gather"].met(1, 2, 1) || numpy["gather"].met(0.01, 1.9, 0) {
		t.Error("gather: speed ratio 2 is the limit")
	}
	if !numpy["sum-budget"].met(2, 0.5, 0.05) || numpy["sum-budget"].met(0.1, 10, 0.06) {
		t.Error("sum-budget: an RSS ratio of 1/20 is the limit")
	}
	if !targets["dask"]["describe"].met(1, 5, 1) || targets["dask"]["describe"].met(0.1, 4.9, 0) {
		t.Error("describe against dask: speed ratio 5 is the limit")
	}
}

func TestWriteTable(t *testing.T) {
	t.Parallel()
	rs := []result{
		{Engine: "memmap", Workload: "sum", Seconds: 1, Bytes: 2e9, Check: 4.5, PeakRSS: 10 << 20},
		{Engine: "numpy", Workload: "sum", Seconds: 3, Bytes: 2e9, Check: 4.5, PeakRSS: 30 << 20},
		{Engine: "dask", Workload: "sum", Seconds: 1, Bytes: 2e9, Check: 4.5, PeakRSS: 40 << 20},
		{Engine: "memmap", Workload: "sum", Seconds: 2, Bytes: 2e9, Check: 4.5, PeakRSS: 20 << 20},
		{Engine: "numpy", Workload: "sum", Seconds: 5, Bytes: 2e9, Check: 4.5, PeakRSS: 30 << 20},
		{Engine: "dask", Workload: "sum", Seconds: 2, Bytes: 2e9, Check: 4.5, PeakRSS: 40 << 20},
		// NumPy reads a tenth of the bytes in a fifth of the time: half
		// memmap's rate, whatever the times say. Dask has no at2.
		{Engine: "memmap", Workload: "at2", Seconds: 1, Bytes: 1e9, Check: 7},
		{Engine: "numpy", Workload: "at2", Seconds: 0.2, Bytes: 1e8, Check: 7},
	}
	var b bytes.Buffer
	if err := writeTable(&b, "title", []string{"open", "sum", "at2"}, rs, []string{"numpy", "dask"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 || lines[0] != "title" {
		t.Fatalf("table:\n%s", b.String())
	}
	fields := func(line string) []string { return strings.Fields(line) }
	// Medians: memmap 1.5s, numpy 4s, dask 1.5s; speed 2.67 against
	// NumPy, 1.00 against Dask; peak RSS the highest of each engine.
	want := []string{"sum", "1.500s", "4.000s", "1.500s", "1.33", "2.67", "speed>=1.8x", "yes", "1.00", "speed>=1x", "yes",
		"20.0MiB", "30.0MiB", "40.0MiB", "4.5", "4.5", "4.5"}
	if got := fields(lines[2]); !slices.Equal(got, want) {
		t.Errorf("sum row\n%q, want\n%q", got, want)
	}
	// at2: 1 GB/s against 0.5 GB/s, a speed ratio of 2, under its target;
	// no Dask run and no Dask target.
	want = []string{"at2", "1.000s", "200.0ms", "-", "1.00", "2.00", "speed>=10x", "no", "-", "-", "-",
		"0B", "0B", "-", "7", "7", "-"}
	if got := fields(lines[3]); !slices.Equal(got, want) {
		t.Errorf("at2 row\n%q, want\n%q", got, want)
	}
	// Without other engines, the single-engine table.
	b.Reset()
	if err := writeTable(&b, "title", []string{"sum"}, rs, nil); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(b.String()), "\n"); len(lines) != 3 || !strings.Contains(lines[1], "peak RSS") ||
		!slices.Equal(fields(lines[2]), []string{"sum", "1.500s", "1.33", "0", "0", "20.0MiB", "4.5"}) {
		t.Errorf("single-engine table:\n%s", b.String())
	}
}

// sum-budget's own target compares it with memmap's sum, under the table.
func TestOwnTargets(t *testing.T) {
	t.Parallel()
	rs := []result{
		{Engine: "memmap", Workload: "sum", Seconds: 1, Bytes: 1e9},
		{Engine: "memmap", Workload: "sum-budget", Seconds: 1.25, Bytes: 1e9},
		{Engine: "numpy", Workload: "sum", Seconds: 2, Bytes: 1e9},
	}
	var b bytes.Buffer
	if err := writeTable(&b, "title", []string{"sum", "sum-budget"}, rs, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "\nsum-budget: 0.80x the speed of sum (target >= 0.8x): yes\n") {
		t.Errorf("table:\n%s", b.String())
	}
	rs[1].Seconds = 1.3
	b.Reset()
	if err := writeTable(&b, "title", []string{"sum", "sum-budget"}, rs, []string{"numpy"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "\nsum-budget: 0.77x the speed of sum (target >= 0.8x): no\n") {
		t.Errorf("table:\n%s", b.String())
	}
	// Without a run of the reference workload there is no line.
	b.Reset()
	if err := writeTable(&b, "title", []string{"sum-budget"}, rs[1:2], nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "the speed of") {
		t.Errorf("table:\n%s", b.String())
	}
}
