package compute_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/ciskip"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
	"github.com/stretchr/testify/require"
)

// The out-of-core test runs the operations of the table below in a child
// process (this test binary again, selected by outOfCoreEnv) inside a
// fresh memory cgroup limited to outOfCoreLimit, over a generated 2 GiB
// float64 .npy, with a memory budget of outOfCoreBudget. The parent checks
// each result against an exact formula, that the child was not
// OOM-killed, and that its peak RSS (VmHWM) stayed within the budget plus
// outOfCoreSlack (the Go runtime, the test binary's own pages, buffers).
const (
	outOfCoreEnv    = "MEMMAP_OUTOFCORE_CHILD" // "dir" of the child's inputs; unset in the parent
	outOfCoreBudget = 64 << 20
	outOfCoreLimit  = 256 << 20
	outOfCoreSlack  = 64 << 20
	// outOfCoreN is the number of float64 elements: 2 GiB.
	outOfCoreN = 1 << 28
	// outOfCoreRows is the rows of the (N, 16) float32 view of the same
	// bytes (a raw view of the .npy's data: each float64 is two float32
	// words, low word first).
	outOfCoreRows = outOfCoreN * 8 / 64
)

// outOfCoreValue is element i of the float64 file: (37i+5) mod 1024, a
// permutation of 0..1023 over every 1024 elements, scaled by 0.25 and
// shifted by 1. Each value has at most 12 significant bits, so sums of
// them are exact and the low 32-bit word of each is zero.
func outOfCoreValue(i int) float64 { return float64((37*i+5)%1024)*0.25 + 1 }

// outOfCoreWord is word w of the data viewed as float32: the high or low
// half of a float64's bits.
func outOfCoreWord(w int) float32 {
	bits := math.Float64bits(outOfCoreValue(w / 2))
	if w%2 == 0 {
		return math.Float32frombits(uint32(bits))
	}
	return math.Float32frombits(uint32(bits >> 32))
}

// outOfCoreInput is what a step of the child works on.
type outOfCoreInput struct {
	dir    string                  // a directory for the step's own output files
	values *mmarray.Array[float64] // the 2 GiB float64 file, 1-D
	// columns is the same bytes as an (N, 16) float32 view; under the
	// race detector, whose instrumented row loops are 10 times slower,
	// only its first 1/16 of the rows (128 MiB), so that the test stays
	// within a minute.
	columns *mmarray.Array[float32]
	// bits is the same bytes as int64s, each value's bits: 1024 distinct
	// keys; under the race detector only the first 1/16 of them, as
	// columns.
	bits *mmarray.Array[int64]
}

// outOfCoreStep is one operation of the test: run in the child, with the
// budget's options, and check in the parent of what run returned, in JSON.
// Add operations here; each must stay within the budget.
type outOfCoreStep struct {
	name  string
	run   func(ctx context.Context, in outOfCoreInput, opts []compute.Option) (any, error)
	check func(t *testing.T, got json.RawMessage)
}

var outOfCoreSteps = []outOfCoreStep{
	{
		name: "describe",
		run: func(ctx context.Context, in outOfCoreInput, opts []compute.Option) (any, error) {
			return compute.Describe(ctx, in.values, opts...)
		},
		check: func(t *testing.T, raw json.RawMessage) {
			var got compute.Stats
			require.NoError(t, json.Unmarshal(raw, &got))
			// Over every 1024 elements the values are 1 + 0.25*m for each m
			// in 0..1023 once.
			const reps = outOfCoreN / 1024
			mean := 1 + 0.25*1023/2
			std := 0.25 * math.Sqrt((1024*1024-1)/12.0)
			require.Equal(t, int64(outOfCoreN), got.Count)
			require.Zero(t, got.NaNCount)
			require.Equal(t, reps*1024*mean, got.Sum, "sum (exact)")
			require.InEpsilon(t, mean, got.Mean, 1e-12)
			require.InEpsilon(t, std, got.Std, 1e-9)
			require.Equal(t, 1.0, got.Min)
			require.Equal(t, 1+0.25*1023, got.Max)
			require.Equal(t, firstIndex(func(i int) bool { return outOfCoreValue(i) == 1 }), got.ArgMin)
			require.Equal(t, firstIndex(func(i int) bool { return outOfCoreValue(i) == 1+0.25*1023 }), got.ArgMax)
		},
	},
	{
		name: "mean axis 0",
		run: func(ctx context.Context, in outOfCoreInput, opts []compute.Option) (any, error) {
			r, err := compute.MeanAxis(ctx, in.columns, 0, opts...)
			return r.Values, err
		},
		check: func(t *testing.T, raw json.RawMessage) {
			var got []float64
			require.NoError(t, json.Unmarshal(raw, &got))
			require.Len(t, got, 16)
			for j := range 16 {
				mean, _ := columnMoments(j)
				require.InDelta(t, mean, got[j], 1e-9*max(1, math.Abs(mean)), "column %d", j)
			}
		},
	},
	{
		name: "std axis 0",
		run: func(ctx context.Context, in outOfCoreInput, opts []compute.Option) (any, error) {
			r, err := compute.StdAxis(ctx, in.columns, 0, 0, opts...)
			return r.Values, err
		},
		check: func(t *testing.T, raw json.RawMessage) {
			var got []float64
			require.NoError(t, json.Unmarshal(raw, &got))
			require.Len(t, got, 16)
			for j := range 16 {
				_, std := columnMoments(j)
				require.InDelta(t, std, got[j], 1e-9*max(1, std), "column %d", j)
			}
		},
	},
	{
		name: "group-by",
		run: func(ctx context.Context, in outOfCoreInput, opts []compute.Option) (any, error) {
			g, err := compute.GroupBy(ctx, in.bits, in.values.Slice(mmarray.Span(0, in.bits.Len(), 1)), opts...)
			if err != nil {
				return nil, err
			}
			return g.Groups, nil
		},
		check: func(t *testing.T, raw json.RawMessage) {
			var got []compute.Group[int64, float64]
			require.NoError(t, json.Unmarshal(raw, &got))
			// The values 1 + 0.25*m, m in 0..1023, each N/1024 times,
			// grouped by their own bits, which sort as the values do.
			require.Len(t, got, 1024)
			reps := int64(outOfCoreN / 1024)
			if raceEnabled {
				reps /= 16
			}
			for m, g := range got {
				v := 1 + 0.25*float64(m)
				want := compute.Group[int64, float64]{Key: int64(math.Float64bits(v)), Count: reps, Sum: v * float64(reps), Mean: v, Min: v, Max: v}
				require.Equal(t, want, g, "group %d", m)
			}
		},
	},
	{
		name: "transform",
		run: func(ctx context.Context, in outOfCoreInput, opts []compute.Option) (any, error) {
			path := filepath.Join(in.dir, "affine.npy")
			defer os.Remove(path)
			err := compute.TransformToFile(ctx, path, "<f8", []*mmarray.Array[float64]{in.values},
				func(dst []float64, src ...[]float64) {
					for i, x := range src[0] {
						dst[i] = x*2 + 1
					}
				}, opts...)
			if err != nil {
				return nil, err
			}
			return outOfCoreResult(ctx, path, opts)
		},
		check: func(t *testing.T, raw json.RawMessage) {
			checkOutOfCoreResult(t, raw, 2*outOfCoreSum+outOfCoreN, func(k int) float64 { return 2*outOfCoreValue(k) + 1 })
		},
	},
	{
		name: "transposed copy",
		run: func(ctx context.Context, in outOfCoreInput, opts []compute.Option) (any, error) {
			path := filepath.Join(in.dir, "transposed.npy")
			defer os.Remove(path)
			rows, err := in.values.Reshape(outOfCoreN/1024, 1024)
			if err != nil {
				return nil, err
			}
			if err := compute.Copy(ctx, rows.Transpose(), path, opts...); err != nil {
				return nil, err
			}
			return outOfCoreResult(ctx, path, opts)
		},
		check: func(t *testing.T, raw json.RawMessage) {
			// Element k of the (1024, N/1024) copy, (k/cols, k%cols), is
			// element (k%cols, k/cols) of the (N/1024, 1024) rows: a copy
			// in the source's order would differ at most samples.
			const cols = outOfCoreN / 1024
			checkOutOfCoreResult(t, raw, outOfCoreSum, func(k int) float64 { return outOfCoreValue(k%cols*1024 + k/cols) })
		},
	},
	{
		name: "top-k",
		run: func(ctx context.Context, in outOfCoreInput, opts []compute.Option) (any, error) {
			return compute.TopK(ctx, in.values, 100, opts...)
		},
		check: func(t *testing.T, raw json.RawMessage) {
			var got compute.Ranked[float64]
			require.NoError(t, json.Unmarshal(raw, &got))
			// The largest value, 1 + 0.25*1023, occurs once in every 1024
			// elements; ties rank by index, so the top 100 are its first
			// 100 occurrences.
			top := 1 + 0.25*1023
			first := firstIndex(func(i int) bool { return outOfCoreValue(i) == top })
			want := compute.Ranked[float64]{}
			for m := range 100 {
				want.Values = append(want.Values, top)
				want.Indices = append(want.Indices, first+1024*m)
			}
			require.Equal(t, want, got)
		},
	},
}

// outOfCoreSum is the exact sum of the float64 file's elements.
const outOfCoreSum = outOfCoreN * (1 + 0.25*1023/2)

// outOfCoreSamples are the flat indices of the elements of a step's output
// file that its check compares with the formula.
var outOfCoreSamples = []int{0, 1, 1023, 1024, 262143, 262144, 262145, outOfCoreN/2 + 77, outOfCoreN - 1}

// outOfCoreOutput is what a step that writes a file reports of it: its
// sum (compute.Sum, within the budget) and the sampled elements.
type outOfCoreOutput struct {
	Sum     float64   `json:"sum"`
	Samples []float64 `json:"samples"`
}

func outOfCoreResult(ctx context.Context, path string, opts []compute.Option) (any, error) {
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out, err := mmarray.View[float64](f)
	if err != nil {
		return nil, err
	}
	flat, err := out.Reshape(-1)
	if err != nil {
		return nil, err
	}
	sum, err := compute.Sum(ctx, flat, opts...)
	if err != nil {
		return nil, err
	}
	r := outOfCoreOutput{Sum: sum.Float64()}
	for _, k := range outOfCoreSamples {
		r.Samples = append(r.Samples, flat.At1(k))
	}
	return r, nil
}

func checkOutOfCoreResult(t *testing.T, raw json.RawMessage, sum float64, value func(k int) float64) {
	var got outOfCoreOutput
	require.NoError(t, json.Unmarshal(raw, &got))
	require.Equal(t, sum, got.Sum, "sum of the file (exact)")
	require.Len(t, got.Samples, len(outOfCoreSamples))
	for i, k := range outOfCoreSamples {
		require.Equal(t, value(k), got.Samples[i], "element %d", k)
	}
}

// firstIndex is the first element index (within the first 1024, where
// every value occurs) for which is holds.
func firstIndex(is func(i int) bool) int {
	for i := range 1024 {
		if is(i) {
			return i
		}
	}
	return -1
}

// columnMoments returns the mean and standard deviation (ddof 0) of
// column j of the float32 view. Element (r, j) is word 16r+j, a half of
// float64 element 8r+j/2; that element's value depends on its index
// modulo 1024, which runs through 8s+j/2 for s in 0..127 equally often
// (outOfCoreRows, and its 1/16 under the race detector, is a multiple of
// 128).
func columnMoments(j int) (mean, std float64) {
	var sum float64
	for s := range 128 {
		sum += float64(outOfCoreWord(2*(8*s+j/2) + j%2))
	}
	mean = sum / 128
	var sq float64
	for s := range 128 {
		d := float64(outOfCoreWord(2*(8*s+j/2)+j%2)) - mean
		sq += d * d
	}
	return mean, math.Sqrt(sq / 128)
}

// outOfCoreReport is what the child prints, on one line after
// outOfCorePrefix.
type outOfCoreReport struct {
	Results map[string]json.RawMessage `json:"results"`
	VmHWM   int64                      `json:"vm_hwm"` // bytes
	// StepHWM is each step's own peak RSS in bytes, where the kernel
	// lets the peak be reset (/proc/self/clear_refs), for the log.
	StepHWM  map[string]int64   `json:"step_vm_hwm"`
	Duration map[string]float64 `json:"seconds"`
}

const outOfCorePrefix = "OUTOFCORE-REPORT "

// TestOutOfCore is the parent.
func TestOutOfCore(t *testing.T) {
	if os.Getenv(outOfCoreEnv) != "" {
		t.Skip("the child runs TestOutOfCoreChild")
	}
	if testing.Short() {
		t.Skip("writes and reads a 2 GiB file: skipped under -short")
	}
	if strconv.IntSize == 32 {
		t.Skip("a 2 GiB file cannot be mapped in a 32-bit address space")
	}
	group, err := newMemoryCgroup(outOfCoreLimit)
	if err != nil {
		ciskip.Skipf(t, "no memory cgroup can be made here: %v", err)
	}
	t.Cleanup(func() {
		if err := group.remove(); err != nil {
			t.Errorf("removing cgroup %s: %v", group.dir, err)
		}
	})

	dir := t.TempDir()
	path := filepath.Join(dir, "values.npy")
	start := time.Now()
	writeOutOfCoreFile(t, path)
	t.Logf("wrote %s in %v", path, time.Since(start).Round(time.Millisecond))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestOutOfCoreChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(),
		outOfCoreEnv+"="+dir,
		"MEMMAP_OUTOFCORE_PROCS="+group.procs(),
		"MEMMAP_OUTOFCORE_BUDGET="+strconv.Itoa(outOfCoreBudget),
		"GOMAXPROCS=2",
	)
	out, runErr := cmd.CombinedOutput()
	oomKills := group.oomKills()
	t.Logf("child ran %v; cgroup peak usage %d MiB", time.Since(start).Round(time.Millisecond), group.peak()>>20)
	var ee *exec.ExitError
	if errors.As(runErr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("child killed by %v (%d OOM kills in its cgroup); output:\n%s", ws.Signal(), oomKills, tail(out))
		}
	}
	require.NoError(t, runErr, "child output:\n%s", tail(out))
	require.Zero(t, oomKills, "OOM kills in the child's cgroup")

	var report outOfCoreReport
	for line := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(line, outOfCorePrefix); ok {
			require.NoError(t, json.Unmarshal([]byte(rest), &report))
		}
	}
	require.NotNil(t, report.Results, "no report in the child's output:\n%s", tail(out))
	for _, step := range outOfCoreSteps {
		t.Run(step.name, func(t *testing.T) {
			raw, ok := report.Results[step.name]
			require.True(t, ok, "no result")
			step.check(t, raw)
		})
	}
	t.Logf("child VmHWM %d MiB with a budget of %d MiB; seconds per step %v; peak RSS per step (bytes) %v",
		report.VmHWM>>20, outOfCoreBudget>>20, report.Duration, report.StepHWM)
	limit := int64(outOfCoreBudget + outOfCoreSlack)
	if raceEnabled {
		// The race detector shadows the Go heap (about three bytes of
		// shadow and metadata per byte), and a reduction's partial
		// results may take a quarter of the budget: top-k's child peaked
		// at 134 MiB under it, 51 MiB without. The bound without the
		// race detector is the issue's, budget + 64 MiB.
		limit += 3 * outOfCoreBudget / 4
	}
	require.LessOrEqual(t, report.VmHWM, limit, "peak RSS of the child")
}

// TestOutOfCoreChild is the child: it moves itself into the cgroup, runs
// every step and prints its report. It is skipped unless the parent
// started it.
func TestOutOfCoreChild(t *testing.T) {
	dir := os.Getenv(outOfCoreEnv)
	if dir == "" {
		t.Skip("run by TestOutOfCore in a child process")
	}
	if procs := os.Getenv("MEMMAP_OUTOFCORE_PROCS"); procs != "" {
		require.NoError(t, os.WriteFile(procs, []byte(strconv.Itoa(os.Getpid())), 0))
	}
	var opts []compute.Option
	if b, _ := strconv.ParseInt(os.Getenv("MEMMAP_OUTOFCORE_BUDGET"), 10, 64); b > 0 {
		opts = append(opts, compute.WithMemory(b))
	}
	path := filepath.Join(dir, "values.npy")
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	defer f.Close()
	values, err := mmarray.View[float64](f)
	require.NoError(t, err)
	raw, err := mmarray.OpenRaw(path, mmarray.ReadOnly, "<f4", []int{outOfCoreRows, 16}, f.DataOffset())
	require.NoError(t, err)
	defer raw.Close()
	columns, err := mmarray.View[float32](raw)
	require.NoError(t, err)
	rawBits, err := mmarray.OpenRaw(path, mmarray.ReadOnly, "<i8", []int{outOfCoreN}, f.DataOffset())
	require.NoError(t, err)
	defer rawBits.Close()
	bits, err := mmarray.View[int64](rawBits)
	require.NoError(t, err)
	if raceEnabled {
		columns = columns.Slice(mmarray.Span(0, outOfCoreRows/16, 1))
		bits = bits.Slice(mmarray.Span(0, outOfCoreN/16, 1))
	}
	in := outOfCoreInput{dir: t.TempDir(), values: values, columns: columns, bits: bits}

	report := outOfCoreReport{Results: map[string]json.RawMessage{}, Duration: map[string]float64{}, StepHWM: map[string]int64{}}
	for _, step := range outOfCoreSteps {
		// Writing 5 to clear_refs resets VmHWM to the current RSS; the
		// process's peak is kept as the largest of the steps' peaks.
		before := vmHWM(t)
		report.VmHWM = max(report.VmHWM, before)
		reset := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
		start := time.Now()
		v, err := step.run(context.Background(), in, opts)
		require.NoError(t, err, step.name)
		report.Duration[step.name] = time.Since(start).Seconds()
		if reset {
			report.StepHWM[step.name] = vmHWM(t)
		}
		b, err := json.Marshal(v)
		require.NoError(t, err, step.name)
		report.Results[step.name] = b
	}
	report.VmHWM = max(report.VmHWM, vmHWM(t))
	b, err := json.Marshal(report)
	require.NoError(t, err)
	fmt.Println(outOfCorePrefix + string(b))
}

// writeOutOfCoreFile writes the float64 file with plain writes (so the
// parent does not map 2 GiB), syncs it and drops it from the page cache,
// so that the child reads it from the disk, charged to its own cgroup.
func writeOutOfCoreFile(t *testing.T, path string) {
	t.Helper()
	f, err := mmarray.Create(path, "<f8", []int{outOfCoreN})
	require.NoError(t, err)
	dataOffset := f.DataOffset()
	require.NoError(t, f.Close())
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer w.Close()
	// The values repeat every 1024 elements, so every write of perWrite
	// (a multiple of 1024) elements writes the same bytes: the buffer is
	// filled once, which matters under the race detector.
	const perWrite = 1 << 20 // elements
	buf := make([]byte, 8*perWrite)
	for i := range perWrite {
		binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(outOfCoreValue(i)))
	}
	for first := 0; first < outOfCoreN; first += perWrite {
		_, err := w.WriteAt(buf, dataOffset+int64(8*first))
		require.NoError(t, err)
	}
	require.NoError(t, w.Sync())
	require.NoError(t, pagecache.DropFileCache(w))
}

// vmHWM reads the process's peak resident set size from /proc/self/status.
func vmHWM(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// tail returns the end of a child's output, for a failure message.
func tail(out []byte) string {
	const most = 4000
	if len(out) > most {
		return "..." + string(out[len(out)-most:])
	}
	return string(out)
}

// memoryCgroup is a memory cgroup made for the test, v1 or v2.
type memoryCgroup struct {
	dir string
	v2  bool
}

// newMemoryCgroup makes a memory cgroup limited to limit bytes (swap
// included where the kernel accounts it): under the process's own cgroup
// where it can, else at the root of the hierarchy.
func newMemoryCgroup(limit int64) (*memoryCgroup, error) {
	groups, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("memmap-outofcore-%d", os.Getpid())
	var failures []error
	for line := range strings.Lines(string(groups)) {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		var g *memoryCgroup
		var err error
		switch {
		case parts[0] == "0" && parts[1] == "":
			g, err = makeCgroup(true, "/sys/fs/cgroup", parts[2], name, limit)
		case hasMemoryController(parts[1]):
			g, err = makeCgroup(false, "/sys/fs/cgroup/memory", parts[2], name, limit)
		default:
			continue
		}
		if err == nil {
			return g, nil
		}
		failures = append(failures, err)
	}
	if len(failures) == 0 {
		return nil, errors.New("the process is in no memory cgroup hierarchy")
	}
	return nil, errors.Join(failures...)
}

func hasMemoryController(list string) bool {
	for c := range strings.SplitSeq(list, ",") {
		if c == "memory" {
			return true
		}
	}
	return false
}

// makeCgroup makes the group name under own (the process's cgroup, as
// /proc/self/cgroup gives it) in the hierarchy mounted at root, falling
// back to the root itself, and sets its limit.
func makeCgroup(v2 bool, root, own, name string, limit int64) (*memoryCgroup, error) {
	if v2 {
		if b, err := os.ReadFile(filepath.Join(root, "cgroup.controllers")); err != nil || !strings.Contains(string(b), "memory") {
			return nil, fmt.Errorf("cgroup v2 at %s has no memory controller", root)
		}
	}
	var failures []error
	for _, parent := range []string{filepath.Join(root, filepath.FromSlash(own)), root} {
		if v2 {
			// A v2 group's children get the memory controller only if the
			// group enables it for them.
			_ = os.WriteFile(filepath.Join(parent, "cgroup.subtree_control"), []byte("+memory"), 0)
		}
		g := &memoryCgroup{dir: filepath.Join(parent, name), v2: v2}
		if err := os.Mkdir(g.dir, 0o755); err != nil {
			failures = append(failures, err)
			continue
		}
		if err := g.setLimit(limit); err != nil {
			failures = append(failures, err)
			_ = os.Remove(g.dir)
			continue
		}
		return g, nil
	}
	return nil, errors.Join(failures...)
}

func (g *memoryCgroup) setLimit(limit int64) error {
	value := []byte(strconv.FormatInt(limit, 10))
	if g.v2 {
		if err := os.WriteFile(filepath.Join(g.dir, "memory.max"), value, 0); err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(g.dir, "memory.swap.max")); err == nil {
			return os.WriteFile(filepath.Join(g.dir, "memory.swap.max"), []byte("0"), 0)
		}
		return nil
	}
	if err := os.WriteFile(filepath.Join(g.dir, "memory.limit_in_bytes"), value, 0); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(g.dir, "memory.memsw.limit_in_bytes")); err == nil {
		return os.WriteFile(filepath.Join(g.dir, "memory.memsw.limit_in_bytes"), value, 0)
	}
	return nil
}

func (g *memoryCgroup) procs() string { return filepath.Join(g.dir, "cgroup.procs") }

// oomKills is the number of processes the kernel OOM-killed in the group
// (-1 when the kernel does not say).
func (g *memoryCgroup) oomKills() int64 {
	name, key := "memory.oom_control", "oom_kill "
	if g.v2 {
		name = "memory.events"
	}
	b, err := os.ReadFile(filepath.Join(g.dir, name))
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, key); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			return n
		}
	}
	return -1
}

// peak is the group's peak memory use, page cache included, for the log.
func (g *memoryCgroup) peak() int64 {
	name := "memory.max_usage_in_bytes"
	if g.v2 {
		name = "memory.peak"
	}
	b, _ := os.ReadFile(filepath.Join(g.dir, name))
	n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// remove deletes the group, once the kernel has let go of the exited
// child.
func (g *memoryCgroup) remove() error {
	var err error
	for range 50 {
		if err = os.Remove(g.dir); err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}
