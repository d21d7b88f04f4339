package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestElementsFor(t *testing.T) {
	t.Parallel()
	n, err := elementsFor(1 << 30)
	if err != nil || n != 1<<27 {
		t.Errorf("elementsFor(1GiB) = %d, %v", n, err)
	}
	// Rounded down to whole rows of 1024 float64s.
	if n, _ := elementsFor(1e9); n%rowLen != 0 || n != int(int64(1e9)/8/rowLen*rowLen) {
		t.Errorf("elementsFor(1e9) = %d", n)
	}
	if _, err := elementsFor(8<<10 - 1); err == nil {
		t.Error("elementsFor below one row: want an error")
	}
}

func TestParseWorkloads(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"scan-warm":                     {"scan-warm"},
		"cow, open ,cow":                {"cow", "open"},
		"all":                           allWorkloads,
		"gather,all":                    append([]string{"gather"}, slices.DeleteFunc(slices.Clone(allWorkloads), func(s string) bool { return s == "gather" })...),
		"stride8,,column,":              {"stride8", "column"},
		strings.Join(allWorkloads, ","): allWorkloads,
	}
	for in, want := range cases {
		got, err := parseWorkloads(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("parseWorkloads(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", " , ", "scan", "open,scanwarm"} {
		if got, err := parseWorkloads(in); err == nil {
			t.Errorf("parseWorkloads(%q) = %v, want an error", in, got)
		}
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	cfg, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.size != 1<<30 || cfg.repeat != 4 || cfg.compare != nil || cfg.dir != "" || !slices.Equal(cfg.workloads, defaultWorkloads()) {
		t.Errorf("defaults: %+v", cfg)
	}
	for _, w := range cfg.workloads {
		if zarrWorkloads[w] {
			t.Errorf("%s runs by default: it adds about 10 s at 1 GiB", w)
		}
	}
	if !slices.Contains(cfg.workloads, "sum") {
		t.Errorf("sum does not run by default: %v", cfg.workloads)
	}
	cfg, err = parseFlags([]string{"--size", "4GiB", "--workloads=open,cow", "--repeat", "2", "--compare", "numpy", "--json", "x.jsonl", "--dir", "d"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.size != 4<<30 || cfg.repeat != 2 || !slices.Equal(cfg.compare, []string{"numpy"}) || cfg.jsonPath != "x.jsonl" || cfg.dir != "d" || !slices.Equal(cfg.workloads, []string{"open", "cow"}) {
		t.Errorf("parsed: %+v", cfg)
	}
	for _, args := range [][]string{
		{"--size", "lots"}, {"--size", "1KiB"}, {"--workloads", "nope"}, {"--repeat", "0"},
		{"--compare", "polars"}, {"--compare", "numpy,polars"}, {"--bogus"}, {"extra"}, {"--repeat", "x"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q): want an error", args)
		}
	}
}

func TestParseEngines(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"":                 nil,
		"numpy":            {"numpy"},
		"dask":             {"dask"},
		"numpy,dask":       {"numpy", "dask"},
		"numpy,pandas":     {"numpy", "pandas"},
		" dask , numpy ":   {"dask", "numpy"},
		"numpy,numpy,dask": {"numpy", "dask"},
		",":                nil,
		"numpy,":           {"numpy"},
	}
	for in, want := range cases {
		got, err := parseEngines(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("parseEngines(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"polars", "numpy;dask", "NumPy", "numpy,memmap"} {
		if got, err := parseEngines(in); err == nil {
			t.Errorf("parseEngines(%q) = %q, want an error", in, got)
		}
	}
}
