package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"

	"github.com/go-memmap/memmap/internal/bytesize"
)

// config is the parsed command line.
type config struct {
	size      int64    // requested dataset size in bytes (before rounding)
	dir       string   // where data goes; "" means a temporary folder
	file      string   // an existing .npy to use instead of generating
	workloads []string // in the order given
	repeat    int
	jsonPath  string
	compare   []string // engines to compare with: "numpy", "dask", in the order given
}

const defaultSize = 1 << 30

var errHelp = errors.New("help requested")

// parseFlags parses the command line. Errors are returned, never printed,
// so that main prints exactly one line; -h prints the usage and returns
// errHelp.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	// Four repeats by default: an even count, so that with --compare each
	// engine runs first equally often (the first of a pair can inherit a
	// colder state, e.g. the kernel's writeback throttling for create).
	cfg := config{size: defaultSize, repeat: 4}
	fs := flag.NewFlagSet("mmbench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	sizeText := fs.String("size", "1GiB", "dataset size, e.g. 4GiB, 512MiB, 1e9")
	fs.StringVar(&cfg.dir, "dir", "", "where to put the data (kept if given; default a temporary folder)")
	fs.StringVar(&cfg.file, "file", "", "use an existing float64 .npy instead of generating one")
	workloads := fs.String("workloads", strings.Join(defaultWorkloads(), ","), "comma list of workloads")
	fs.IntVar(&cfg.repeat, "repeat", cfg.repeat, "runs of each workload per engine; the table shows the median")
	fs.StringVar(&cfg.jsonPath, "json", "", "write one JSON object per workload run to this file")
	compare := fs.String("compare", "", `"numpy", "dask", "pandas" or a comma list ("numpy,dask"): also run the workloads through them and print ratios`)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "usage: mmbench [flags]")
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return cfg, errHelp
		}
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q (all options are flags)", fs.Arg(0))
	}
	var err error
	if cfg.size, err = bytesize.Parse(*sizeText); err != nil {
		return cfg, fmt.Errorf("--size: %w", err)
	}
	if _, err := elementsFor(cfg.size); err != nil {
		return cfg, fmt.Errorf("--size: %w", err)
	}
	if cfg.workloads, err = parseWorkloads(*workloads); err != nil {
		return cfg, fmt.Errorf("--workloads: %w", err)
	}
	if cfg.repeat < 1 {
		return cfg, fmt.Errorf("--repeat: must be at least 1, not %d", cfg.repeat)
	}
	if cfg.compare, err = parseEngines(*compare); err != nil {
		return cfg, fmt.Errorf("--compare: %w", err)
	}
	return cfg, nil
}

// pythonEngines are the engines --compare accepts, each run by
// python_engine.py.
var pythonEngines = []string{"numpy", "dask", "pandas"}

// parseEngines parses --compare's comma list, keeping the order given and
// dropping repeats; "" is no comparison.
func parseEngines(s string) ([]string, error) {
	var out []string
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "" || slices.Contains(out, name):
		case slices.Contains(pythonEngines, name):
			out = append(out, name)
		default:
			return nil, fmt.Errorf("unknown engine %q (want numpy, dask, pandas or a comma list of them)", name)
		}
	}
	return out, nil
}

// rowLen is the length of the rows of the column workload; the generated
// array's length is a multiple of it.
const rowLen = 1024

// elementsFor is the number of float64s in a generated dataset of the given
// size: rounded down to a multiple of rowLen, at least one row.
func elementsFor(size int64) (int, error) {
	n := size / 8 / rowLen * rowLen
	if n < rowLen {
		return 0, fmt.Errorf("size %d bytes is below the minimum of 8KiB (%d float64s)", size, rowLen)
	}
	if n > math.MaxInt {
		return 0, fmt.Errorf("size %d bytes does not fit this platform's address space", size)
	}
	return int(n), nil
}

// parseWorkloads parses a comma list of workload names, keeping the order
// given and dropping repeats. "all" stands for every workload.
func parseWorkloads(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		names := []string{name}
		if name == "all" {
			names = allWorkloads
		} else if !isWorkload(name) {
			return nil, fmt.Errorf("unknown workload %q (known: %s)", name, strings.Join(allWorkloads, ", "))
		}
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no workload given (known: %s)", strings.Join(allWorkloads, ", "))
	}
	return out, nil
}

func isWorkload(name string) bool {
	for _, w := range allWorkloads {
		if w == name {
			return true
		}
	}
	return false
}

// defaultWorkloads are the workloads run without --workloads: all of them
// but the Zarr ones (zarrWorkloads), which take about 10 s more at the
// default 1 GiB (two stores made, a compressed write per run); "all" or
// their names run them. Off Linux scan-cold is left out too, because
// evicting one file's pages (pagecache.DropFileCache) is Linux-only; asking
// for it by name there fails with a one-line error.
func defaultWorkloads() []string {
	return slices.DeleteFunc(slices.Clone(allWorkloads), func(w string) bool {
		return zarrWorkloads[w] || w == "scan-cold" && runtime.GOOS != "linux"
	})
}

// zarrWorkloads are the workloads over Zarr stores.
var zarrWorkloads = map[string]bool{"zarr-write": true, "zarr-mean": true, "zarr-read": true}
