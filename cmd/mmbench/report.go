package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// result is one run of one workload by one engine; its JSON form is one
// line of the --json file.
type result struct {
	Engine      string  `json:"engine"`
	Workload    string  `json:"workload"`
	Seconds     float64 `json:"seconds"`
	Bytes       int64   `json:"bytes"`
	GBps        float64 `json:"gbps"`
	Check       float64 `json:"check"`
	PeakRSS     int64   `json:"peak_rss_bytes"`
	MinorFaults int64   `json:"minor_faults"`
	MajorFaults int64   `json:"major_faults"`
}

// gbps is the throughput in decimal gigabytes per second; 0 when the
// workload moves no array bytes (open).
func gbps(bytes int64, seconds float64) float64 {
	if bytes == 0 || seconds <= 0 {
		return 0
	}
	return float64(bytes) / seconds / 1e9
}

// jsonLine is r as one line of JSON, newline included.
func jsonLine(r result) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err) // only finite floats and plain fields: cannot fail
	}
	return append(b, '\n')
}

// checkTolerance is the relative difference allowed between two check
// values, the same for every workload. The engines add in different orders
// (NumPy pairwise, mmbench in per-goroutine chunks, or compensated chunk by
// chunk through compute), and sums of large arrays of i*0.5 go beyond 2^53,
// where float64 rounding depends on the order; 1e-9 is far above that
// rounding and far below any real error in a sum (one element wrong). For
// describe (mean+std+min+max of values that are all positive) the rounding
// of NumPy's two-pass std and of compute's merged moments is about 1e-15
// relative; an error of one element in the mean or the std is below 1e-9,
// so there the check catches a wrong pass, not one wrong element.
const checkTolerance = 1e-9

// checksAgree reports whether two check values agree within checkTolerance.
func checksAgree(a, b float64) bool {
	if a == b {
		return true
	}
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return false
	}
	return math.Abs(a-b) <= checkTolerance*math.Max(math.Abs(a), math.Abs(b))
}

// findMismatch returns an error wrapping errMismatch for the first run whose
// check disagrees with the first memmap run of the same workload.
func findMismatch(results []result) error {
	ref := map[string]result{}
	for _, r := range results {
		if r.Engine == "memmap" {
			if _, ok := ref[r.Workload]; !ok {
				ref[r.Workload] = r
			}
		}
	}
	for _, r := range results {
		want, ok := ref[r.Workload]
		if ok && !checksAgree(r.Check, want.Check) {
			return fmt.Errorf("%w in %s: %s %s, memmap %s", errMismatch, r.Workload, r.Engine, formatCheck(r.Check), formatCheck(want.Check))
		}
	}
	return nil
}

// target is the goal for memmap against NumPy on one workload.
type target struct {
	timeRatio  float64 // at most this fraction of NumPy's time (open)
	speedRatio float64 // at least this multiple of NumPy's throughput
}

var targets = map[string]target{
	"open":        {timeRatio: 0.1},
	"scan-warm":   {speedRatio: 1.2},
	"scan-mapped": {speedRatio: 1.25},
	"scan-cold":   {speedRatio: 1.5},
	"gather":      {speedRatio: 2},
	"column":      {speedRatio: 2},
	"stride8":     {speedRatio: 2},
	"at2":         {speedRatio: 10}, // of rates: NumPy indexes a prefix (see memmapAt2)
	"create":      {speedRatio: 2},
	"cow":         {speedRatio: 1.5},
	"sum":         {speedRatio: 1.8},
	"describe":    {speedRatio: 10}, // NumPy: four calls (mean, std, min, max), four passes
}

func (t target) String() string {
	if t.timeRatio > 0 {
		return fmt.Sprintf("time<=%gx", t.timeRatio)
	}
	return fmt.Sprintf("speed>=%gx", t.speedRatio)
}

// met reports whether memmap meets the target, given its time as a
// fraction of NumPy's and its throughput as a multiple of NumPy's.
func (t target) met(timeRatio, speedRatio float64) bool {
	if t.timeRatio > 0 {
		return timeRatio <= t.timeRatio
	}
	return speedRatio >= t.speedRatio
}

// ratios are memmap's median time as a fraction of NumPy's, and its
// throughput as a multiple of NumPy's: the inverse of the time ratio when
// both moved the same bytes, the ratio of their rates when not (at2, where
// NumPy reads a prefix).
func ratios(m, n summary) (timeRatio, speedRatio float64) {
	timeRatio, speedRatio = m.seconds/n.seconds, n.seconds/m.seconds
	if m.bytes > 0 && n.bytes > 0 {
		speedRatio = m.gbps / n.gbps
	}
	return timeRatio, speedRatio
}

// summary is one engine's runs of one workload: the median time, and the
// highest fault counts and peak RSS.
type summary struct {
	seconds, gbps, check float64
	bytes                int64
	minor, major, peak   int64
}

func summarize(results []result, engine, workload string) (summary, bool) {
	var secs []float64
	var s summary
	for _, r := range results {
		if r.Engine != engine || r.Workload != workload {
			continue
		}
		secs = append(secs, r.Seconds)
		s.check = r.Check
		s.minor = max(s.minor, r.MinorFaults)
		s.major = max(s.major, r.MajorFaults)
		s.peak = max(s.peak, r.PeakRSS)
		s.bytes = r.Bytes
	}
	if len(secs) == 0 {
		return s, false
	}
	s.seconds = median(secs)
	s.gbps = gbps(s.bytes, s.seconds)
	return s, true
}

// writeTable prints the results: medians per workload, and with a NumPy
// engine the ratios memmap/NumPy and whether each target is met.
func writeTable(w io.Writer, title string, workloads []string, results []result, compare bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, title)
	if compare {
		fmt.Fprintln(tw, "workload\tmemmap s\tnumpy s\tmemmap GB/s\tnumpy GB/s\ttime m/n\tspeed m/n\ttarget\tmet\tcheck memmap\tcheck numpy\t")
	} else {
		fmt.Fprintln(tw, "workload\tseconds\tGB/s\tminor faults\tmajor faults\tpeak RSS\tcheck\t")
	}
	for _, wl := range workloads {
		m, ok := summarize(results, "memmap", wl)
		if !ok {
			continue
		}
		if !compare {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t\n", wl, formatSeconds(m.seconds), formatGBps(m.gbps),
				m.minor, m.major, formatBytes(m.peak), formatCheck(m.check))
			continue
		}
		n, ok := summarize(results, "numpy", wl)
		if !ok {
			continue
		}
		t := targets[wl]
		timeRatio, speedRatio := ratios(m, n)
		met := "no"
		if t.met(timeRatio, speedRatio) {
			met = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.3f\t%.2f\t%s\t%s\t%s\t%s\t\n", wl,
			formatSeconds(m.seconds), formatSeconds(n.seconds), formatGBps(m.gbps), formatGBps(n.gbps),
			timeRatio, speedRatio, t, met, formatCheck(m.check), formatCheck(n.check))
	}
	return tw.Flush()
}

func formatSeconds(s float64) string {
	switch {
	case s < 1e-3:
		return strconv.FormatFloat(s*1e6, 'f', 1, 64) + "µs"
	case s < 1:
		return strconv.FormatFloat(s*1e3, 'f', 1, 64) + "ms"
	}
	return strconv.FormatFloat(s, 'f', 3, 64) + "s"
}

func formatGBps(g float64) string {
	if g == 0 {
		return "-"
	}
	return strconv.FormatFloat(g, 'f', 2, 64)
}

// formatCheck prints a check value exactly (shortest round-trip form).
func formatCheck(c float64) string {
	return strings.Replace(strconv.FormatFloat(c, 'g', -1, 64), "e+", "e", 1)
}
