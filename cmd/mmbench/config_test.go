package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	t.Parallel()
	good := map[string]int64{
		"4GiB":       4 << 30,
		"4gib":       4 << 30,
		"512MiB":     512 << 20,
		"1e9":        1_000_000_000,
		"1E9":        1_000_000_000,
		"1.5G":       3 << 29,
		"2GB":        2_000_000_000,
		"100 KiB":    100 << 10,
		"1073741824": 1 << 30,
		"8KiB":       8 << 10,
		"1TiB":       1 << 40,
		" 16M ":      16 << 20,
		"2.5e3MB":    2_500_000_000,
	}
	for in, want := range good {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "GiB", "4 parsecs", "-1GiB", "0", "1e30EiB", "NaN", "4GiBs", "1e", "e9"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
}

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
	if cfg.size != 1<<30 || cfg.repeat != 4 || cfg.compare != nil || cfg.dir != "" || !slices.Equal(cfg.workloads, allWorkloads) {
		t.Errorf("defaults: %+v", cfg)
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
		{"--compare", "pandas"}, {"--compare", "numpy,pandas"}, {"--bogus"}, {"extra"}, {"--repeat", "x"},
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
	for _, in := range []string{"pandas", "numpy;dask", "NumPy", "numpy,memmap"} {
		if got, err := parseEngines(in); err == nil {
			t.Errorf("parseEngines(%q) = %q, want an error", in, got)
		}
	}
}
