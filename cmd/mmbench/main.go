// Command mmbench measures the memmap library on a large float64 .npy file
// and, with --compare numpy,dask, measures NumPy's memmap and Dask over it on
// the same file in the same run.
//
// With no flags it generates a 1 GiB float64 array (values i*0.5, length a
// multiple of 1024) in a temporary folder, runs every workload, prints a
// table on stdout and removes what it made:
//
//	go run ./cmd/mmbench
//	go run ./cmd/mmbench --compare numpy,dask --size 4GiB --dir /tmp/mmb --json runs.jsonl
//
// Flags:
//
//	--size SIZE       dataset size: 4GiB, 512MiB, 1e9, 1.5G (K/M/G/T are binary);
//	                  rounded down to a multiple of 8 KiB (1024 float64s)
//	--dir DIR         where to put the data; kept afterwards (default: a temp
//	                  folder, removed)
//	--file FILE       use an existing native float64 .npy instead of generating
//	--workloads LIST  comma list of workloads (default all)
//	--repeat N        runs of each workload per engine (default 4); the table
//	                  shows the median. With --compare the engine that goes
//	                  first rotates between repeats, so a count that is a
//	                  multiple of the engines gives each the same share of
//	                  first places.
//	--json FILE       write one JSON object per workload run (JSON lines)
//	--compare LIST    numpy, dask, pandas or a comma list of them: also run
//	                  every workload through NumPy's np.load(mmap_mode=...),
//	                  through dask.array over it (threaded scheduler, 2
//	                  workers, chunks of 64 MiB) and through pandas (the CSV
//	                  load), in Python subprocesses interleaved with ours,
//	                  and print the ratios
//
// The workloads are open, scan-warm, scan-mapped, scan-cold, gather, column,
// stride8, at2, create, cow, sum, sum-budget, describe, axis0, groupby,
// topk, transform, transpose-copy, append, csv-load and csv-save (scan-cold only on Linux, where one
// file's pages can be evicted without root), and zarr-write, zarr-mean and
// zarr-read, which run only when named (or with --workloads all): they add
// 11 s at 1 GiB on their own, the dataset and the stores made included (more
// with --compare). See workloads.go and zarr.go for what each
// one does and python_engine.py for NumPy's and Dask's sides.
//
// The Zarr workloads view the data as (N/16, 16) in chunks of 1,000,000 rows
// (fewer for a small dataset: all its rows). zarr-write is zarr.FromFile
// into a blosc-lz4 store (Blosc lz4, level 5, byte shuffle) against
// zarr-python's zarr.array of the same rows with the same chunks and
// compressor (NumPy's column; target 2x); its check is the sum of the
// store's values, read back after the measured part. zarr-mean is
// compute.MeanAxisChunks along axis 0 of such a store (made once per dataset,
// kept in --dir) against da.from_zarr(store).mean(axis=0) on Dask's threaded
// scheduler with 2 workers (Dask's column; target 1.5x); its check is the sum
// of the means. zarr-read is compute.SumChunks over an uncompressed store of
// the same chunks (made once too), set against sum over the .npy in a line
// under the table (target 0.9x). Without zarr-python the Python engines do
// not offer these workloads.
//
// sum, describe and axis0 are the compute package's compute.Sum,
// compute.Describe, and compute.MeanStdAxis (one pass) along axis 0 of the
// (N/16, 16) view, against NumPy's a.sum(), its four calls a.mean(),
// a.std(), a.min(), a.max(), and mean(axis=0) and std(axis=0). sum-budget is
// compute.Sum with compute.WithMemory(64 MiB), against NumPy's and Dask's
// plain sums: its targets are a peak RSS of at most 1/20 of NumPy's and a
// speed of at least 0.8 times memmap's own sum (a line under the table).
// groupby is compute.GroupBy of the sums (WithAggregates(GroupSum)) by an
// int64 key file of i % 1000 (made beside the data when groupby runs)
// against np.bincount(keys, weights=a). topk is compute.TopK of the 100
// largest with their indices against np.argpartition (and a sort of the
// 100). transform is
// compute.TransformToFile of a*2+1 into a new .npy against np.multiply and
// np.add with out= a new memmap. transpose-copy is compute.Copy of the
// transposed (N/1024, 1024) view into a C-order .npy against
// np.copyto(out, a.T). The scans, column and stride8 sum their view with
// compute.Sum, which walks it with block iteration (mmarray's BlocksRange:
// the mapping itself where the view is contiguous, a reused buffer where it
// is strided); gather and at2 read through the element API (At1, At2), so
// its cost shows next to NumPy's. append writes 1 M rows of 16 float32 to
// a new .npy in batches of 1000 through mmarray.OpenAppend, Append and a
// Sync per batch, against NumPy doing what npy-append-array does per batch
// (reopen, write the rows at the end, rewrite the header's shape) and an
// os.fdatasync. csv-load reads a CSV of 10 float64 columns (the dataset's
// first values in np.savetxt's default %.18e format, comma-delimited, about
// half the dataset's size; made beside the data when csv-load runs) into a
// new .npy with text.LoadFileToNPY, against np.save(np.loadtxt(...)) and,
// with --compare pandas, np.save(pandas.read_csv(..., engine="c")
// .to_numpy()). csv-save writes the same rows of the dataset as that CSV
// with text.SaveFile, against np.savetxt; its check is the CSV's size, the
// same bytes from both. Dask has no counterpart of open, gather, at2, cow,
// append and the CSV workloads, which show "-" in its columns; pandas has
// csv-load only.
//
// Every run reports a check value (the workload's numeric result; for
// describe the sum mean+std+min+max) and its peak RSS. The engines add in
// different orders (NumPy pairwise, Dask by chunks, compute in compensated
// chunks), so check values are compared with a relative tolerance stated
// per workload in report.go (1e-9, or 0 where the check is exact), and all
// are printed; a mismatch is an error (exit status 1).
//
// Peak RSS is measured per run: every NumPy or Dask run is a fresh Python
// process that resets its peak (VmHWM, by writing "5" to
// /proc/self/clear_refs) before the measured part; mmbench returns its
// freed heap to the kernel (debug.FreeOSMemory) and resets its own peak the
// same way before each of its runs. The peak counts the pages of the mapped
// file a run touched, as the kernel does.
//
// Progress bars and messages go to stderr, and only when stderr is a
// terminal; stdout holds nothing but the table. Errors in the flags or the
// input (a missing file, a non-float64 file, a full disk) print one line,
// "mmbench: <message>", and exit with status 2.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK       = 0
	exitMismatch = 1 // the engines disagreed on a check value
	exitUsage    = 2 // bad flags, bad input, a full disk, any other failure
)

// errMismatch marks a check-value disagreement between the engines.
var errMismatch = errors.New("check mismatch")

// run is main without the process: it parses args, runs the benchmark and
// returns the exit status. Every failure is reported as one line on stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "mmbench: %v\n", oneLine(err))
		return exitUsage
	}
	err = benchmark(ctx, cfg, stdout, stderr)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errMismatch):
		fmt.Fprintf(stderr, "mmbench: %v\n", oneLine(err))
		return exitMismatch
	default:
		fmt.Fprintf(stderr, "mmbench: %v\n", oneLine(err))
		return exitUsage
	}
}

// oneLine keeps an error message on one line, whatever wrapped it (a Python
// traceback, for instance, is reduced to its last line by the numpy engine).
func oneLine(err error) string {
	b := []byte(err.Error())
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}
