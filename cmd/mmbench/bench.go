package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
)

// benchmark runs the configured workloads and prints the table on stdout.
func benchmark(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	ui := newUI(stderr)
	// Check the Python engines first: a missing NumPy or Dask should fail
	// before minutes of data generation.
	var others []*pythonEngine
	for _, name := range cfg.compare {
		e, err := startPython(name)
		if err != nil {
			return err
		}
		others = append(others, e)
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
	results, err := runAll(ctx, cfg, ds, others, ui, func(r result) error {
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
	for _, e := range others {
		title += fmt.Sprintf("; %s: %s (%s)", e.name, e.versions, e.python)
	}
	if err := writeTable(stdout, title, cfg.workloads, results, cfg.compare); err != nil {
		return err
	}
	if jsonOut != nil {
		if err := jsonOut.Flush(); err != nil {
			return err
		}
	}
	return findMismatch(results)
}

// runAll runs every workload cfg.repeat times per engine: memmap, and each
// Python engine that has the workload. The engines are interleaved run by
// run, and which one goes first rotates between repeats, so that none
// always inherits the others' cache state.
func runAll(ctx context.Context, cfg config, ds *dataset, others []*pythonEngine, ui *ui, emit func(result) error) ([]result, error) {
	runs := 0
	for _, wl := range cfg.workloads {
		runs++
		for _, e := range others {
			if e.has(wl) {
				runs++
			}
		}
	}
	bar := ui.countBar(cfg.repeat*runs, "run")
	defer bar.finish()
	var results []result
	for rep := range cfg.repeat {
		for _, wl := range cfg.workloads {
			engines := []*pythonEngine{nil} // nil: memmap
			for _, e := range others {
				if e.has(wl) {
					engines = append(engines, e)
				}
			}
			first := rep % len(engines)
			for i := range engines {
				if err := ctx.Err(); err != nil {
					return results, fmt.Errorf("interrupted")
				}
				e := engines[(first+i)%len(engines)]
				name := "memmap"
				if e != nil {
					name = e.name
				}
				bar.describe(fmt.Sprintf("%-6s %-14s", name, wl))
				r, err := runOne(ds, wl, e)
				if err != nil {
					return results, fmt.Errorf("%s %s: %w", name, wl, err)
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
	"sum": true, "sum-budget": true, "describe": true, "axis0": true, "groupby": true,
	"topk": true, "transform": true, "transpose-copy": true, "zarr-write": true,
}

// runOne prepares the page cache for the workload, then runs it on one
// engine: memmap when e is nil. Go's peak RSS is reset by meter.start, once
// the garbage collector has handed what earlier runs left back to the
// kernel, so that the peak is this run's.
func runOne(ds *dataset, workload string, e *pythonEngine) (r result, err error) {
	if warmWorkloads[workload] {
		if err := warmCache(ds.path); err != nil {
			return result{}, err
		}
		if workload == "groupby" {
			if err := warmCache(ds.keysPath); err != nil {
				return result{}, err
			}
		}
	}
	// The stores' chunk files start in the page cache too.
	for wl, store := range map[string]string{"zarr-mean": ds.zarrPath, "zarr-read": ds.zarrRawPath} {
		if workload == wl {
			if err := warmStore(store); err != nil {
				return result{}, err
			}
		}
	}
	if workload == "scan-cold" {
		// The next warm workload finds the file as the scan's reads cached it.
		defer func() {
			if err == nil {
				err = recache(ds.path)
			}
		}()
	}
	if e != nil {
		return e.run(ds, workload)
	}
	debug.FreeOSMemory()
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
