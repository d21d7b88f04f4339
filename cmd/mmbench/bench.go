package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
)

// benchmark runs the configured workloads and prints the table on stdout.
func benchmark(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	ui := newUI(stderr)
	// Start Python first: a missing NumPy should fail before minutes of
	// data generation.
	var np *numpyEngine
	if cfg.compare == "numpy" {
		var err error
		if np, err = startNumpy(); err != nil {
			return err
		}
		defer np.close()
	}
	var jsonOut *bufio.Writer
	if cfg.jsonPath != "" {
		f, err := os.Create(cfg.jsonPath)
		if err != nil {
			return err
		}
		defer f.Close()
		jsonOut = bufio.NewWriter(f)
		defer jsonOut.Flush()
	}
	ds, cleanup, err := prepareDataset(cfg, ui)
	defer cleanup()
	if err != nil {
		return err
	}
	results, err := runAll(ctx, cfg, ds, np, ui, func(r result) error {
		if jsonOut == nil {
			return nil
		}
		_, err := jsonOut.Write(jsonLine(r))
		return err
	})
	if err != nil {
		return err
	}
	title := fmt.Sprintf("mmbench: %s, %d float64 (%s), GOMAXPROCS %d, median time of %d run(s), highest faults and peak RSS",
		ds.path, ds.n, formatBytes(int64(ds.n)*8), runtime.GOMAXPROCS(0), cfg.repeat)
	if np != nil {
		title += fmt.Sprintf("; numpy %s (%s)", np.numpy, np.python)
	}
	if err := writeTable(stdout, title, cfg.workloads, results, np != nil); err != nil {
		return err
	}
	if jsonOut != nil {
		if err := jsonOut.Flush(); err != nil {
			return err
		}
	}
	return findMismatch(results)
}

// runAll runs every workload cfg.repeat times per engine. With NumPy the
// engines are interleaved run by run, and which one goes first alternates
// between repeats, so that neither always inherits the other's cache state.
func runAll(ctx context.Context, cfg config, ds *dataset, np *numpyEngine, ui *ui, emit func(result) error) ([]result, error) {
	engines := []string{"memmap"}
	if np != nil {
		engines = append(engines, "numpy")
	}
	bar := ui.countBar(cfg.repeat*len(cfg.workloads)*len(engines), "run")
	defer bar.finish()
	var results []result
	for rep := range cfg.repeat {
		for _, wl := range cfg.workloads {
			order := engines
			if rep%2 == 1 && len(engines) == 2 {
				order = []string{engines[1], engines[0]}
			}
			for _, engine := range order {
				if err := ctx.Err(); err != nil {
					return results, fmt.Errorf("interrupted")
				}
				bar.describe(fmt.Sprintf("%-6s %-11s", engine, wl))
				r, err := runOne(ds, engine, wl, np)
				if err != nil {
					return results, fmt.Errorf("%s %s: %w", engine, wl, err)
				}
				results = append(results, r)
				if err := emit(r); err != nil {
					return results, err
				}
				bar.add(1)
			}
		}
	}
	return results, nil
}

// warmWorkloads start with the whole file in the page cache.
var warmWorkloads = map[string]bool{
	"open": true, "scan-warm": true, "scan-mapped": true, "gather": true,
	"column": true, "stride8": true, "at2": true, "cow": true,
	"sum": true, "describe": true,
}

// runOne prepares the page cache for the workload, then runs it on one
// engine.
func runOne(ds *dataset, engine, workload string, np *numpyEngine) (result, error) {
	if warmWorkloads[workload] {
		if err := warmCache(ds.path); err != nil {
			return result{}, err
		}
	}
	if engine == "numpy" {
		return np.run(ds, workload)
	}
	var m meter
	out, err := memmapRun(ds, workload, &m)
	if err != nil {
		return result{}, err
	}
	return result{
		Engine: "memmap", Workload: workload,
		Seconds: m.seconds(), Bytes: out.bytes, GBps: gbps(out.bytes, m.seconds()),
		Check: out.check, PeakRSS: m.peakRSS, MinorFaults: m.minorFaults, MajorFaults: m.majorFaults,
	}, nil
}
