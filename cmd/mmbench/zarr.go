package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/zarr"
	"github.com/go-memmap/memmap/zarr/codec"
)

// The Zarr workloads view the dataset as (N/16, 16) and store it in chunks
// of zarrChunkRows whole rows (128 MiB each): the chunks of zarr-write on
// both sides, and of the stores zarr-mean and zarr-read read.
const (
	zarrRowLen    = 16
	zarrChunkRows = 1_000_000
	zarrCodec     = "blosc-lz4" // Blosc('lz4', clevel=5, shuffle=1), zarr-python's default
)

// zarrChunkRowsFor is the chunk length for a dataset of n elements: at most
// its rows, so that a small dataset is one chunk rather than one mostly
// made of padding (python_engine.py's zarr_chunk_rows).
func zarrChunkRowsFor(n int) int {
	return min(zarrChunkRows, n/zarrRowLen)
}

// zarrStorePath is where the dataset's store with the given codec is kept
// in the work folder, named by what it holds so that a kept --dir reuses
// it only for the same data and chunks.
func (ds *dataset) zarrStorePath(codecName string) string {
	return filepath.Join(ds.work, fmt.Sprintf("mmbench-f8-%d-%s-%d.zarr", ds.n, codecName, zarrChunkRowsFor(ds.n)))
}

// zarrOutPath is where an engine's run of zarr-write writes its store; the
// workload removes it.
func (ds *dataset) zarrOutPath(engine string) string {
	return filepath.Join(ds.work, "mmbench-zarr-write-"+engine+".zarr")
}

// openRows maps the dataset's data as the (N/16, 16) array the Zarr
// workloads store: a raw view of the .npy's data bytes.
func openRows(ds *dataset) (*mmarray.File, error) {
	f, err := mmarray.Open(ds.path, mmarray.ReadOnly)
	if err != nil {
		return nil, err
	}
	offset := f.DataOffset()
	if err := f.Close(); err != nil {
		return nil, err
	}
	return mmarray.OpenRaw(ds.path, mmarray.ReadOnly, "<f8", []int{ds.n / zarrRowLen, zarrRowLen}, offset)
}

// writeZarr writes the dataset's (N/16, 16) rows into a new store at path
// with the named codec, in chunks of zarrChunkRowsFor rows.
func writeZarr(ds *dataset, path, codecName string) error {
	c, err := codec.Parse(codecName)
	if err != nil {
		return err
	}
	src, err := openRows(ds)
	if err != nil {
		return err
	}
	defer src.Close()
	_, err = zarr.FromFile(src, path, zarr.WithCodec(c), zarr.WithChunks(zarrChunkRowsFor(ds.n), zarrRowLen))
	return err
}

// ensureZarr makes the dataset's store with the named codec unless the
// work folder has it: written into a temporary folder and renamed, so that
// a store found there is whole.
func ensureZarr(ds *dataset, codecName string, ui *ui) (string, error) {
	path := ds.zarrStorePath(codecName)
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return path, nil
	}
	ui.printf("generating %s\n", path)
	tmp, err := os.MkdirTemp(ds.work, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // nothing is left there after the rename
	if err := writeZarr(ds, tmp, codecName); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// warmStore reads every file of a store into the page cache.
func warmStore(path string) error {
	entries, err := os.ReadDir(path)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := warmCache(filepath.Join(path, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// memmapZarrWrite measures zarr.FromFile of the dataset's (N/16, 16) rows
// into a new blosc-lz4 store (its chunks encoded on GOMAXPROCS workers);
// NumPy's side is zarr-python's zarr.array of the same rows of its memmap,
// with the same chunks and compressor. The check, taken after the measured
// part, is the sum of the store's values.
func memmapZarrWrite(ds *dataset, m *meter) (outcome, error) {
	path := ds.zarrOutPath("memmap")
	defer os.RemoveAll(path)
	m.start()
	err := writeZarr(ds, path, zarrCodec)
	m.stop()
	if err != nil {
		return outcome{}, err
	}
	return sumOfStore(path, int64(ds.n/zarrRowLen*zarrRowLen)*8)
}

// sumOfStore is compute.SumChunks over the store at path, as an outcome of
// the given bytes.
func sumOfStore(path string, bytes int64) (outcome, error) {
	a, err := zarr.Open(path)
	if err != nil {
		return outcome{}, err
	}
	s, err := compute.SumChunks[float64](context.Background(), a)
	return outcome{check: s.Float64(), bytes: bytes}, err
}

// memmapZarrMean measures compute.MeanAxisChunks along axis 0 of the
// dataset's blosc-lz4 store, opening it included; Dask's side is
// da.from_zarr(store).mean(axis=0) on its threaded scheduler with 2
// workers. The check is the sum of the means.
func memmapZarrMean(ds *dataset, m *meter) (outcome, error) {
	m.start()
	a, err := zarr.Open(ds.zarrPath)
	var means compute.Reduced[float64]
	if err == nil {
		means, err = compute.MeanAxisChunks[float64](context.Background(), a, 0)
	}
	m.stop()
	if err != nil {
		return outcome{}, err
	}
	var s float64
	for _, x := range means.Values {
		s += x
	}
	return outcome{check: s, bytes: int64(ds.n/zarrRowLen*zarrRowLen) * 8}, nil
}

// memmapZarrRead measures compute.SumChunks over the dataset's
// uncompressed store (each chunk's file mapped in place), opening it
// included: set against sum, the same data as one mapped .npy, it shows
// what the chunk files cost.
func memmapZarrRead(ds *dataset, m *meter) (outcome, error) {
	m.start()
	o, err := sumOfStore(ds.zarrRawPath, int64(ds.n/zarrRowLen*zarrRowLen)*8)
	m.stop()
	return o, err
}
