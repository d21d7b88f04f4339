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

// checkTolerances are the relative differences allowed between two
// engines' check values, per workload; workloads not listed allow
// defaultTolerance. The engines add in different orders (NumPy pairwise,
// or row by row along an axis; Dask chunk by chunk; memmap in compute's
// compensated chunks or per-goroutine parts), and sums of large arrays of
// i*0.5 go beyond 2^53, where float64 rounding depends on the order; 1e-9
// is far above that rounding and far below any real error in a sum (a
// missing row or chunk). For describe and axis0 (means and deviations of positive values) the
// rounding of NumPy's two-pass std and of compute's merged moments is about
// 1e-15 relative; there the check catches a wrong pass, not one wrong
// element. Checks made of integers and halves well below 2^53, added in the
// same order by every engine, must be equal.
var checkTolerances = map[string]float64{
	"open":     0, // the element count
	"at2":      0, // the same additions in the same order, one by one
	"topk":     0, // values i*0.5 and indices, exact in float64
	"csv-save": 0, // the CSV's size: the same bytes from every engine
}

const defaultTolerance = 1e-9

// tolerance is the relative tolerance of workload's check.
func tolerance(workload string) float64 {
	if t, ok := checkTolerances[workload]; ok {
		return t
	}
	return defaultTolerance
}

// checksAgree reports whether two check values agree within the relative
// tolerance tol.
func checksAgree(a, b, tol float64) bool {
	if a == b {
		return true
	}
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return false
	}
	return math.Abs(a-b) <= tol*math.Max(math.Abs(a), math.Abs(b))
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
		if ok && !checksAgree(r.Check, want.Check, tolerance(r.Workload)) {
			return fmt.Errorf("%w in %s: %s %s, memmap %s", errMismatch, r.Workload, r.Engine, formatCheck(r.Check), formatCheck(want.Check))
		}
	}
	return nil
}

// target is the goal for memmap against another engine on one workload.
type target struct {
	timeRatio  float64 // at most this fraction of the engine's time (open)
	speedRatio float64 // at least this multiple of the engine's throughput
	rssRatio   float64 // peak RSS at most this fraction of the engine's (sum-budget)
}

// targets are issue 9's goals, by engine and workload; a workload without
// one against an engine shows "-".
var targets = map[string]map[string]target{
	"numpy": {
		"open":           {timeRatio: 0.1},
		"scan-warm":      {speedRatio: 1.2},
		"scan-mapped":    {speedRatio: 1.25},
		"scan-cold":      {speedRatio: 1.5},
		"gather":         {speedRatio: 2},
		"column":         {speedRatio: 2},
		"stride8":        {speedRatio: 2},
		"at2":            {speedRatio: 10}, // of rates: NumPy indexes a prefix (see memmapAt2)
		"create":         {speedRatio: 2},
		"cow":            {speedRatio: 1.5},
		"sum":            {speedRatio: 1.8},
		"sum-budget":     {rssRatio: 1.0 / 20}, // against NumPy's plain memmap sum
		"describe":       {speedRatio: 10},     // NumPy: four calls (mean, std, min, max), four passes
		"axis0":          {speedRatio: 10},
		"groupby":        {speedRatio: 8},
		"topk":           {speedRatio: 6},
		"transform":      {speedRatio: 1.5},
		"transpose-copy": {speedRatio: 3},
		"append":         {speedRatio: 3}, // issue 10: fdatasync per batch on both sides
		"csv-load":       {speedRatio: 3}, // np.loadtxt + np.save
		"csv-save":       {speedRatio: 5}, // np.savetxt
		"zarr-write":     {speedRatio: 2}, // issue 11: zarr-python's zarr.array, same chunks and compressor
	},
	"pandas": {
		"csv-load": {speedRatio: 1.5}, // pandas.read_csv (C engine) + np.save
	},
	"dask": {
		"sum":       {speedRatio: 1},
		"describe":  {speedRatio: 5}, // Dask: one dask.compute of the four
		"axis0":     {speedRatio: 5},
		"groupby":   {speedRatio: 2.5},
		"topk":      {speedRatio: 3},
		"transform": {speedRatio: 1.5},
		"zarr-mean": {speedRatio: 1.5}, // issue 11: da.from_zarr(...).mean(axis=0), threads, 2 workers
	},
}

func (t target) String() string {
	switch {
	case t.timeRatio > 0:
		return fmt.Sprintf("time<=%gx", t.timeRatio)
	case t.rssRatio > 0:
		return fmt.Sprintf("rss<=%gx", t.rssRatio)
	}
	return fmt.Sprintf("speed>=%gx", t.speedRatio)
}

// met reports whether memmap meets the target, given its time as a
// fraction of the engine's, its throughput as a multiple of the engine's
// and its peak RSS as a fraction of the engine's.
func (t target) met(timeRatio, speedRatio, rssRatio float64) bool {
	switch {
	case t.timeRatio > 0:
		return timeRatio <= t.timeRatio
	case t.rssRatio > 0:
		return rssRatio <= t.rssRatio
	}
	return speedRatio >= t.speedRatio
}

// ratios are memmap's median time as a fraction of another engine's, and
// its throughput as a multiple of the engine's: the inverse of the time
// ratio when both moved the same bytes, the ratio of their rates when not
// (at2, where NumPy reads a prefix).
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

// writeTable prints the results: medians per workload, and with other
// engines the ratios memmap/engine, whether each target is met, and every
// engine's peak RSS and check. An engine without a workload shows "-".
func writeTable(w io.Writer, title string, workloads []string, results []result, others []string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, title)
	if len(others) == 0 {
		fmt.Fprintln(tw, "workload\tseconds\tGB/s\tminor faults\tmajor faults\tpeak RSS\tcheck\t")
	} else {
		header := []string{"workload", "memmap s"}
		for _, e := range others {
			header = append(header, e+" s")
		}
		header = append(header, "memmap GB/s")
		for _, e := range others {
			header = append(header, "speed m/"+e, "target", "met")
		}
		for _, e := range append([]string{"memmap"}, others...) {
			header = append(header, "RSS "+e)
		}
		for _, e := range append([]string{"memmap"}, others...) {
			header = append(header, "check "+e)
		}
		fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	}
	for _, wl := range workloads {
		m, ok := summarize(results, "memmap", wl)
		if !ok {
			continue
		}
		if len(others) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t\n", wl, formatSeconds(m.seconds), formatGBps(m.gbps),
				m.minor, m.major, formatBytes(m.peak), formatCheck(m.check))
			continue
		}
		sums := make([]summary, len(others))
		has := make([]bool, len(others))
		for i, e := range others {
			sums[i], has[i] = summarize(results, e, wl)
		}
		row := []string{wl, formatSeconds(m.seconds)}
		for i := range others {
			row = append(row, orDash(has[i], func() string { return formatSeconds(sums[i].seconds) }))
		}
		row = append(row, formatGBps(m.gbps))
		for i, e := range others {
			t, hasTarget := targets[e][wl]
			if !has[i] {
				row = append(row, "-", "-", "-")
				continue
			}
			timeRatio, speedRatio := ratios(m, sums[i])
			row = append(row, fmt.Sprintf("%.2f", speedRatio))
			if !hasTarget {
				row = append(row, "-", "-")
				continue
			}
			met := "no"
			if t.met(timeRatio, speedRatio, float64(m.peak)/float64(sums[i].peak)) {
				met = "yes"
			}
			row = append(row, t.String(), met)
		}
		row = append(row, formatBytes(m.peak))
		for i := range others {
			row = append(row, orDash(has[i], func() string { return formatBytes(sums[i].peak) }))
		}
		row = append(row, formatCheck(m.check))
		for i := range others {
			row = append(row, orDash(has[i], func() string { return formatCheck(sums[i].check) }))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeOwnTargets(w, workloads, results)
}

// ownTarget is a goal of memmap against itself: a workload's throughput at
// least speedRatio times another workload's.
type ownTarget struct {
	of         string
	speedRatio float64
}

// met reports whether a throughput speedRatio times the reference
// workload's meets the target.
func (t ownTarget) met(speedRatio float64) bool { return speedRatio >= t.speedRatio }

// ownTargets are issues 9's and 11's goals of memmap against itself.
var ownTargets = map[string]ownTarget{
	"sum-budget": {of: "sum", speedRatio: 0.8}, // the budget may cost at most a fifth of the speed
	"zarr-read":  {of: "sum", speedRatio: 0.9}, // issue 11: an uncompressed store's chunk files against one .npy
}

// writeOwnTargets prints one line under the table for each workload with
// an own target whose reference workload ran too: "sum-budget: 0.93x the
// speed of sum (target >= 0.8x): yes".
func writeOwnTargets(w io.Writer, workloads []string, results []result) error {
	for _, wl := range workloads {
		t, ok := ownTargets[wl]
		if !ok {
			continue
		}
		m, ok := summarize(results, "memmap", wl)
		ref, refOK := summarize(results, "memmap", t.of)
		if !ok || !refOK {
			continue
		}
		_, speedRatio := ratios(m, ref)
		met := "no"
		if t.met(speedRatio) {
			met = "yes"
		}
		if _, err := fmt.Fprintf(w, "%s: %.2fx the speed of %s (target >= %gx): %s\n", wl, speedRatio, t.of, t.speedRatio, met); err != nil {
			return err
		}
	}
	return nil
}

// orDash is value() when ok, "-" when not.
func orDash(ok bool, value func() string) string {
	if !ok {
		return "-"
	}
	return value()
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
