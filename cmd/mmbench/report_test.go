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
		if got := checksAgree(c.a, c.b); got != c.agree {
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

func TestTargets(t *testing.T) {
	t.Parallel()
	for _, w := range allWorkloads {
		if _, ok := targets[w]; !ok {
			t.Errorf("no target for %s", w)
		}
	}
	if !targets["open"].met(0.1, 0) || targets["open"].met(0.2, 100) {
		t.Error("open: time ratio 0.1 is the limit")
	}
	if !targets["gather"].met(1, 2) || targets["gather"].met(0.01, 1.9) {
		t.Error("gather: speed ratio 2 is the limit")
	}
}

func TestWriteTable(t *testing.T) {
	t.Parallel()
	rs := []result{
		{Engine: "memmap", Workload: "scan-warm", Seconds: 1, Bytes: 2e9, Check: 4.5},
		{Engine: "numpy", Workload: "scan-warm", Seconds: 3, Bytes: 2e9, Check: 4.5},
		{Engine: "memmap", Workload: "scan-warm", Seconds: 2, Bytes: 2e9, Check: 4.5},
		{Engine: "numpy", Workload: "scan-warm", Seconds: 5, Bytes: 2e9, Check: 4.5},
		// NumPy reads a tenth of the bytes in a fifth of the time: half
		// memmap's rate, whatever the times say.
		{Engine: "memmap", Workload: "at2", Seconds: 1, Bytes: 1e9, Check: 7},
		{Engine: "numpy", Workload: "at2", Seconds: 0.2, Bytes: 1e8, Check: 7},
	}
	var b bytes.Buffer
	if err := writeTable(&b, "title", []string{"open", "scan-warm", "at2"}, rs, true); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 || lines[0] != "title" {
		t.Fatalf("table:\n%s", b.String())
	}
	// Medians: memmap 1.5s, numpy 4s: time ratio 0.375, speed ratio 2.67.
	for _, want := range []string{"scan-warm", "1.500s", "4.000s", "0.375", "2.67", "speed>=1.2x", "yes", "4.5"} {
		if !strings.Contains(lines[2], want) {
			t.Errorf("row %q lacks %q", lines[2], want)
		}
	}
	// at2: 1 GB/s against 0.5 GB/s, a speed ratio of 2, under its target.
	for _, want := range []string{"at2", "1.00", "0.50", "5.000", "2.00", "speed>=10x", "no"} {
		if !strings.Contains(lines[3], want) {
			t.Errorf("row %q lacks %q", lines[3], want)
		}
	}
}
