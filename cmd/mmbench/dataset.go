package main

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/parallel"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
	"github.com/go-memmap/memmap/text"
)

// prepareDataset finds or makes the data file, the gather index file and,
// when the workloads that need them are to run, the keys file, the CSV and
// the Zarr stores.
// The returned cleanup removes whatever was made that the user did not ask
// to keep: the temporary folder, or nothing when --dir was given.
func prepareDataset(cfg config, ui *ui) (*dataset, func(), error) {
	cleanup := func() {}
	work := cfg.dir
	if work == "" {
		tmp, err := os.MkdirTemp("", "mmbench-")
		if err != nil {
			return nil, cleanup, err
		}
		work = tmp
		cleanup = func() { os.RemoveAll(tmp) }
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, cleanup, err
	}
	ds := &dataset{work: work, indexPath: filepath.Join(work, "mmbench-gather-idx.npy")}
	if cfg.file != "" {
		ds.path = cfg.file
	} else {
		n, err := elementsFor(cfg.size)
		if err != nil {
			return nil, cleanup, err
		}
		ds.path = filepath.Join(work, fmt.Sprintf("mmbench-f8-%d.npy", n))
		if !isGenerated(ds.path, n) {
			ui.printf("generating %s (%s)\n", ds.path, formatBytes(int64(n)*8))
			bar := ui.bar(int64(n)*8, "generate")
			err := createFilled(ds.path, n, func(b int) { bar.add(b) })
			bar.finish()
			if err != nil {
				os.Remove(ds.path)
				return nil, cleanup, err
			}
		}
	}
	n, err := checkDataset(ds.path)
	if err != nil {
		return nil, cleanup, err
	}
	ds.n = n
	if err := writeIndices(ds.indexPath, n); err != nil {
		return nil, cleanup, err
	}
	if slices.Contains(cfg.workloads, "groupby") {
		ds.keysPath = filepath.Join(work, fmt.Sprintf("mmbench-keys-%d.npy", n))
		if !isKeys(ds.keysPath, n) {
			ui.printf("generating %s (%s)\n", ds.keysPath, formatBytes(int64(n)*8))
			if err := writeKeys(ds.keysPath, n); err != nil {
				os.Remove(ds.keysPath)
				return nil, cleanup, err
			}
		}
	}
	if slices.Contains(cfg.workloads, "csv-load") || slices.Contains(cfg.workloads, "csv-save") {
		ds.csvRows = csvRowCount(n)
		ds.csvPath = filepath.Join(work, fmt.Sprintf("mmbench-csv-%d.csv", ds.csvRows))
		if _, err := os.Stat(ds.csvPath); err != nil && slices.Contains(cfg.workloads, "csv-load") {
			ui.printf("generating %s (%d rows of %d values)\n", ds.csvPath, ds.csvRows, csvColumns)
			if err := writeCSV(ds.path, ds.csvPath, ds.csvRows); err != nil {
				return nil, cleanup, err
			}
		}
	}
	if slices.Contains(cfg.workloads, "zarr-mean") {
		if ds.zarrPath, err = ensureZarr(ds, zarrCodec, ui); err != nil {
			return nil, cleanup, err
		}
	}
	if slices.Contains(cfg.workloads, "zarr-read") {
		if ds.zarrRawPath, err = ensureZarr(ds, "none", ui); err != nil {
			return nil, cleanup, err
		}
	}
	return ds, cleanup, nil
}

// writeCSV writes the CSV of the text workloads: the (rows, csvColumns)
// view of the dataset's first values as np.savetxt(path, a,
// delimiter=",") writes it. text.SaveFile writes under a temporary name
// renamed when complete, so a CSV that exists is whole.
func writeCSV(dataPath, path string, rows int) error {
	f, a, err := openFloat64(dataPath, mmarray.ReadOnly)
	if err != nil {
		return err
	}
	defer f.Close()
	v, err := csvView(a, rows)
	if err != nil {
		return err
	}
	return text.SaveFile(path, v, text.WithDelimiter(","))
}

// checkDataset makes sure path is an .npy mmbench can use: float64 in the
// machine's byte order and C-contiguous (so that it has a zero-copy slice),
// with at least rowLen elements. It returns the element count.
func checkDataset(path string) (int, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, err // "stat x.npy: no such file or directory"
	}
	f, a, err := openFloat64(path, mmarray.ReadOnly)
	if err != nil {
		if errors.Is(err, mmarray.ErrDTypeMismatch) {
			return 0, fmt.Errorf("%s: not a float64 array: %w", path, err)
		}
		if errors.Is(err, mmarray.ErrReshape) {
			return 0, fmt.Errorf("%s: the array must be in C order: %w", path, err)
		}
		return 0, err
	}
	defer f.Close()
	if _, ok := a.Contiguous(); !ok {
		return 0, fmt.Errorf("%s: dtype %s is not float64 in this machine's byte order", path, f.Descr())
	}
	if a.Len() < rowLen {
		return 0, fmt.Errorf("%s: %d elements; mmbench needs at least %d", path, a.Len(), rowLen)
	}
	return a.Len(), nil
}

// isGenerated reports whether path already holds the dataset a previous
// run generated there (kept with --dir): n float64s whose first and last
// rows hold i*0.5.
func isGenerated(path string, n int) bool {
	f, a, err := openFloat64(path, mmarray.ReadOnly)
	if err != nil {
		return false
	}
	defer f.Close()
	if a.Len() != n {
		return false
	}
	for _, i := range []int{0, 1, rowLen - 1, n / 2, n - rowLen, n - 1} {
		if a.At(i) != float64(i)*0.5 {
			return false
		}
	}
	return true
}

// writeKeys writes the group-by keys beside the data: n int64s, i %
// groupCount, filled by all cores, flushed.
func writeKeys(path string, n int) error {
	f, err := mmarray.Create(path, "<i8", []int{n})
	if err != nil {
		return err
	}
	a, err := mmarray.View[int64](f)
	if err != nil {
		f.Close()
		return err
	}
	keys, ok := a.Contiguous()
	if !ok {
		f.Close()
		return fmt.Errorf("%s: a new file's view is not contiguous", path)
	}
	parallel.Parallel(n, parallel.Workers(), groupCount, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			keys[i] = int64(i % groupCount)
		}
	})
	runtime.KeepAlive(a)
	if err := f.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// isKeys reports whether path already holds the keys writeKeys writes for
// n elements (kept with --dir), by its length and a few of its values.
func isKeys(path string, n int) bool {
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	if err != nil {
		return false
	}
	defer f.Close()
	a, err := mmarray.View[int64](f)
	if err != nil || a.Ndim() != 1 || a.Len() != n {
		return false
	}
	for _, i := range []int{0, 1, groupCount - 1, groupCount, n / 2, n - 1} {
		if a.At(i) != int64(i%groupCount) {
			return false
		}
	}
	return true
}

// writeIndices writes gatherCount uniform random indices in [0, n) with a
// fixed seed, as an int64 .npy both engines read, so that they gather the
// same elements.
func writeIndices(path string, n int) error {
	f, err := mmarray.Create(path, "<i8", []int{gatherCount})
	if err != nil {
		return err
	}
	a, err := mmarray.View[int64](f)
	if err != nil {
		f.Close()
		return err
	}
	rng := rand.New(rand.NewPCG(gatherSeed, gatherSeed))
	for i := range gatherCount {
		a.Set(int64(rng.IntN(n)), i)
	}
	if err := f.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// warmCache reads path through the page cache with read(2) before a warm
// workload, whatever ran before it. One read would be enough to make the
// file resident, but a read also marks the pages accessed: pages that were
// just read in by scan-cold are still on the kernel's inactive list, and the
// first engine to touch them afterwards paid for their activation (gather
// was 3 times slower for whichever engine went first). Reading every time
// gives both engines the same, settled state.
//
// A file not wholly resident (a Python engine's memory pressure evicted part
// of it) is first evicted whole, so that the read brings all of it back in
// one sequential pass; recache does the same for a file left resident in
// whatever folios the last engine's reads made.
func warmCache(path string) error {
	resident, total, err := residency(path)
	if errors.Is(err, memmap.ErrUnsupported) {
		return readThrough(path) // no mincore (Windows)
	}
	if err != nil {
		return err
	}
	if resident < total {
		return recache(path)
	}
	return readThrough(path)
}

// recache evicts path from the page cache and reads it back in one
// sequential pass, which the kernel caches in large folios (2 MiB on this
// machine's ext4). After a cold scan the file is resident in whatever
// folios the scan's reads made: Dask's two threads reading through a
// mapping leave much of it in small ones, and a later mapped scan of it
// takes about 5 times the page faults (sum: 14,800 against 3,100, and 20%
// slower). Every engine's warm run gets the same state this way, whichever
// engine ran the cold scan last.
func recache(path string) error {
	if err := dropCache(path); err != nil {
		return err
	}
	return readThrough(path)
}

// residency returns how many of path's pages are in the page cache, out of
// how many.
func residency(path string) (resident, total int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	m, err := pagecache.Map(f, 0, st.Size(), pagecache.ReadOnly)
	if err != nil {
		return 0, 0, err
	}
	defer m.Close()
	return m.Resident(0, st.Size())
}

// readThrough reads path with read(2), 8 MiB at a time.
func readThrough(path string) error {
	r, err := os.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	buf := make([]byte, 8<<20)
	for {
		_, err := r.Read(buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func formatBytes(b int64) string {
	switch {
	case b >= 1<<30 && b%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", b>>30)
	case b >= 1<<30:
		return fmt.Sprintf("%.2fGiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1fMiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%dB", b)
}
