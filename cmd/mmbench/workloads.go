package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/parallel"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/pagecache"
	"github.com/go-memmap/memmap/text"
)

// The workloads, in the order they run by default. Each one is implemented
// by memmapRun below and by python_engine.py for NumPy (and, where Dask has
// a counterpart, for Dask), doing the same thing.
var allWorkloads = []string{
	"open",           // open the .npy read-only and map it; median of openLaps
	"scan-warm",      // file in the page cache, fresh mapping, sum of every element block by block
	"scan-mapped",    // a second sum on the same open mapping
	"scan-cold",      // evict the file's pages first, open, sum
	"gather",         // sum of gatherCount elements at random indices read with At1, fresh mapping, warm
	"column",         // view as (N/1024, 1024), sum column 7
	"stride8",        // sum of a[::8]
	"at2",            // view as (N/16, 16), sum element by element with At2, serially (NumPy: a prefix, see memmapAt2)
	"create",         // Create (w+) a file of the same size, fill with i*0.5, Flush, Close
	"cow",            // open in mode c, set every 512th element to -1, sum
	"sum",            // compute.Sum of the whole file, warm, fresh mapping; only the sum is measured
	"sum-budget",     // sum with compute.WithMemory(64 MiB); NumPy and Dask: their plain sum
	"describe",       // compute.Describe of the whole file, warm, fresh mapping; check mean+std+min+max
	"axis0",          // compute.MeanStdAxis along axis 0 of the (N/16, 16) view; check the sum of the means and deviations
	"groupby",        // compute.GroupBy (sums only) of the data by an int64 key file of i % 1000; check Σ key × sum
	"topk",           // compute.TopK, the 100 largest with their indices; check Σ value + index
	"transform",      // compute.TransformToFile of a*2+1 into a new .npy, flushed; check the output's sum
	"transpose-copy", // compute.Copy of the transposed (N/1024, 1024) view into a C-order .npy; check its row 7's sum
	"append",         // mmarray.OpenAppend, then Append and Sync per batch of 1000 rows of 16 float32; check the file's sum
	"csv-load",       // text.LoadFileToNPY of a CSV of 10 float columns (half the dataset's size) into a new .npy; check its sum
	"csv-save",       // text.Save of the dataset's first rows as (R, 10) into a CSV as np.savetxt writes it; check the CSV's size
	"zarr-write",     // zarr.FromFile of the (N/16, 16) view into a blosc-lz4 store, chunks of 1e6 rows; check the store's sum
	"zarr-mean",      // compute.MeanAxisChunks along axis 0 of that store (made once); check the sum of the means
	"zarr-read",      // compute.SumChunks over an uncompressed store of the same chunks (made once); check its sum
}

const (
	openLaps    = 50
	gatherCount = 1_000_000
	gatherSeed  = 20240607 // the index file is made with this seed (PCG)
	columnIndex = 7
	strideStep  = 8
	cowStep     = 512
	cowChunk    = 64 * cowStep // elements per write-then-sum step: 256 KiB, in L2
	at2RowLen   = 16
	at2Prefix   = 1 << 16 // rows NumPy indexes one by one: 2^20 elements, about 0.1-0.2 s in Python
	axis0RowLen = 16
	groupCount  = 1000 // the group-by keys are i % groupCount
	topCount    = 100  // topk's k
	sumBudget   = 64 << 20
	// append: min(appendRows, N/16) rows of appendRowLen float32, in
	// batches of appendBatch rows with a Sync after each; element k (flat)
	// is (k % appendCycle) * 0.5, so every engine's sum is exact.
	appendRows   = 1_000_000
	appendRowLen = 16
	appendBatch  = 1000
	appendCycle  = 1000
)

// dataset is the file every workload reads, and the folder for what the
// workloads write.
type dataset struct {
	csvPath   string // a CSV of csvRows rows of csvColumns float64s; made only for csv-load
	csvRows   int    // rows of the CSV, and of the view csv-save writes
	path      string // a native float64 .npy, C order
	n         int    // its number of elements
	work      string // folder for the index and key files and the workloads' outputs
	indexPath string // gatherCount int64 indices into the data, an .npy
	keysPath  string // n int64 group-by keys, i % groupCount, an .npy; made only for groupby
	// The dataset's (N/16, 16) rows as Zarr stores, blosc-lz4 and
	// uncompressed, each made only for the workload that reads it.
	zarrPath, zarrRawPath string
}

// outPath is where an engine's run of a workload that writes a file
// (create, transform, transpose-copy) writes it; the workload removes it.
func (ds *dataset) outPath(engine, workload string) string {
	return filepath.Join(ds.work, "mmbench-"+workload+"-"+engine+".npy")
}

// csvOutPath is where an engine's run of csv-save writes its CSV (the
// Python engine names it the same way).
func (ds *dataset) csvOutPath(engine string) string {
	return strings.TrimSuffix(ds.outPath(engine, "csv-save"), ".npy") + ".csv"
}

// outcome is what one run of a workload produces besides its measurements.
type outcome struct {
	check float64 // the workload's numeric result
	bytes int64   // array bytes the workload reads or writes
}

// memmapRun runs one workload through the mmarray API, timing only the
// measured part with m.
func memmapRun(ds *dataset, workload string, m *meter) (outcome, error) {
	switch workload {
	case "open":
		return memmapOpen(ds, m)
	case "scan-warm":
		return memmapScan(ds, m, false)
	case "scan-cold":
		return memmapScan(ds, m, true)
	case "scan-mapped":
		return memmapScanMapped(ds, m)
	case "gather":
		return memmapGather(ds, m)
	case "column":
		return memmapColumn(ds, m)
	case "stride8":
		return memmapStride(ds, m)
	case "at2":
		return memmapAt2(ds, m)
	case "create":
		return memmapCreate(ds, m)
	case "cow":
		return memmapCOW(ds, m)
	case "sum":
		return memmapSum(ds, m)
	case "sum-budget":
		return memmapSum(ds, m, compute.WithMemory(sumBudget))
	case "describe":
		return memmapDescribe(ds, m)
	case "axis0":
		return memmapAxis0(ds, m)
	case "groupby":
		return memmapGroupBy(ds, m)
	case "topk":
		return memmapTopK(ds, m)
	case "transform":
		return memmapTransform(ds, m)
	case "transpose-copy":
		return memmapTransposeCopy(ds, m)
	case "csv-load":
		return memmapCSVLoad(ds, m)
	case "csv-save":
		return memmapCSVSave(ds, m)
	case "append":
		return memmapAppend(ds, m)
	case "zarr-write":
		return memmapZarrWrite(ds, m)
	case "zarr-mean":
		return memmapZarrMean(ds, m)
	case "zarr-read":
		return memmapZarrRead(ds, m)
	}
	return outcome{}, fmt.Errorf("unknown workload %q", workload)
}

// openFloat64 opens path and views it as a 1-D []float64-backed array.
func openFloat64(path string, mode mmarray.Mode, opts ...mmarray.OpenOption) (*mmarray.File, *mmarray.Array[float64], error) {
	f, err := mmarray.Open(path, mode, opts...)
	if err != nil {
		return nil, nil, err
	}
	a, err := mmarray.View[float64](f)
	if err == nil && a.Ndim() != 1 {
		a, err = a.Reshape(-1)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, a, nil
}

// contiguous is the zero-copy slice of a, which every view of the dataset
// has (checked once by prepareDataset).
func contiguous(a *mmarray.Array[float64]) []float64 {
	s, ok := a.Contiguous()
	if !ok {
		panic("mmbench: dataset view is not contiguous") // prepareDataset checked it
	}
	return s
}

func memmapOpen(ds *dataset, m *meter) (outcome, error) {
	var n int
	for range openLaps {
		m.start()
		f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
		m.stop()
		if err != nil {
			return outcome{}, err
		}
		n = a.Len()
		f.Close()
	}
	return outcome{check: float64(n)}, nil
}

// memmapScan sums every element through a fresh mapping with compute.Sum
// (one worker per core, each walking its chunks block by block through
// BlocksRange, which hands out the mapping in place: no copy); cold first
// evicts the file from the page cache. No access hint is given: on the measured machine Sequential made
// the cold scan with two streams about 1.8 times slower than the default
// read-around (which already reads read_ahead_kb around each miss), and
// WillNeed or Random did not help the warm scan.
func memmapScan(ds *dataset, m *meter, cold bool) (outcome, error) {
	if cold {
		if err := dropCache(ds.path); err != nil {
			return outcome{}, err
		}
	}
	m.start()
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
	if err != nil {
		m.stop()
		return outcome{}, err
	}
	s, err := sum(a)
	m.stop()
	return closing(f, outcome{check: s, bytes: int64(a.Len()) * 8}, err)
}

// sum is compute.Sum of a float64 view as a float64.
func sum(a *mmarray.Array[float64], opts ...compute.Option) (float64, error) {
	s, err := compute.Sum(context.Background(), a, opts...)
	return s.Float64(), err
}

// closing closes f and returns out with the first error of err and
// Close's.
func closing(f *mmarray.File, out outcome, err error) (outcome, error) {
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return out, err
}

// memmapScanMapped sums the view twice as memmapScan does; the first sum
// maps every page, the second is measured.
func memmapScanMapped(ds *dataset, m *meter) (outcome, error) {
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
	if err != nil {
		return outcome{}, err
	}
	defer f.Close()
	if _, err := sum(a); err != nil {
		return outcome{}, err
	}
	m.start()
	s, err := sum(a)
	m.stop()
	return outcome{check: s, bytes: int64(a.Len()) * 8}, err
}

// memmapGather reads the index list (unmeasured), then sums the elements at
// those indices, the list split across goroutines, each element read with
// At1, the element API (inlined: a bounds check, a check that the File is
// open and one load). Random turns off read-around, which would only fetch
// neighbours nobody reads.
func memmapGather(ds *dataset, m *meter) (outcome, error) {
	idx, err := loadIndices(ds.indexPath)
	if err != nil {
		return outcome{}, err
	}
	m.start()
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly, mmarray.WithAdvice(mmarray.Random))
	if err != nil {
		m.stop()
		return outcome{}, err
	}
	partial := make([]float64, parallel.Workers())
	parallel.Parallel(len(idx), parallel.Workers(), 1, func(w, lo, hi int) {
		var s float64
		for _, i := range idx[lo:hi] {
			s += a.At1(int(i))
		}
		partial[w] = s
	})
	m.stop()
	return outcome{check: parallel.SumInOrder(partial), bytes: int64(len(idx)) * 8}, f.Close()
}

// memmapColumn views the data as (N/1024, 1024) and sums column 7 with
// compute.Sum: a strided 1-D view, each worker staging its chunks through a
// small buffer; the loads, one per 8 KiB row, miss the TLB and the caches.
func memmapColumn(ds *dataset, m *meter) (outcome, error) {
	m.start()
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
	if err != nil {
		m.stop()
		return outcome{}, err
	}
	mat, err := asRows(a, rowLen)
	if err != nil {
		m.stop()
		f.Close()
		return outcome{}, err
	}
	col := mat.Slice(mmarray.All(), mmarray.Index(columnIndex))
	s, err := sum(col)
	m.stop()
	return closing(f, outcome{check: s, bytes: int64(col.Len()) * 8}, err)
}

// memmapStride sums a[::8] through the strided view a.Slice(Span(Omit,
// Omit, 8)) with compute.Sum: staging a block is a plain strided load over
// aligned native data.
func memmapStride(ds *dataset, m *meter) (outcome, error) {
	m.start()
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
	if err != nil {
		m.stop()
		return outcome{}, err
	}
	v := a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, strideStep))
	s, err := sum(v)
	m.stop()
	return closing(f, outcome{check: s, bytes: int64(v.Len()) * 8}, err)
}

// memmapAt2 is the element API's workload: it views the data as
// (N/16, 16) and sums it element by element with At2 in row-major order,
// on one goroutine, as a loop a user would write. NumPy's a[i, j] costs a
// Python call per element, about a hundred times more, so NumPy indexes
// only the first at2Prefix rows and its GB/s (8 / ns per element) is the
// rate to compare; the time columns do not compare like with like here.
// Both engines report the sum of those first rows as the check, added in
// the same order; memmap's loop notes it on the way.
func memmapAt2(ds *dataset, m *meter) (outcome, error) {
	m.start()
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
	if err != nil {
		m.stop()
		return outcome{}, err
	}
	mat, err := asRows(a, at2RowLen)
	if err != nil {
		m.stop()
		f.Close()
		return outcome{}, err
	}
	_, prefixSum := sumAt2(mat, min(mat.Shape()[0], at2Prefix))
	m.stop()
	return outcome{check: prefixSum, bytes: int64(mat.Len()) * 8}, f.Close()
}

// sumAt2 sums every element of the 2-D view a through At2, row by row,
// and returns the sum and the sum of the first prefixRows rows.
func sumAt2(a *mmarray.Array[float64], prefixRows int) (sum, prefixSum float64) {
	shape := a.Shape()
	for i := range shape[0] {
		if i == prefixRows {
			prefixSum = sum
		}
		for j := range shape[1] {
			sum += a.At2(i, j)
		}
	}
	if prefixRows == shape[0] {
		prefixSum = sum
	}
	return sum, prefixSum
}

// memmapCreate makes a new file of the dataset's length, fills it with
// i*0.5 in parallel chunks, flushes and closes it. The check, the sum of
// the new file read back, is not measured.
func memmapCreate(ds *dataset, m *meter) (outcome, error) {
	path := ds.outPath("memmap", "create")
	defer os.Remove(path)
	m.start()
	if err := createFilled(path, ds.n, nil); err != nil {
		m.stop()
		return outcome{}, err
	}
	m.stop()
	return sumOfFile(path, int64(ds.n)*8)
}

// createFilled creates path as a float64 array of n elements holding i*0.5,
// filled by all cores, then flushes and closes it. progress, if not nil, is
// called with the number of bytes filled as chunks complete.
func createFilled(path string, n int, progress func(bytes int)) error {
	// No access hint: with Sequential every written page faulted on its own
	// (262,144 faults per GiB instead of about 5,000 with large folios) and
	// creating 1 GiB took twice as long on the measured machine.
	f, err := mmarray.Create(path, "<f8", []int{n})
	if err != nil {
		return err
	}
	a, err := mmarray.View[float64](f)
	if err != nil {
		f.Close()
		return err
	}
	data := contiguous(a)
	parallel.Parallel(len(data), parallel.Workers(), cowStep, func(_, lo, hi int) {
		// Fill in 8 MiB pieces only to report progress.
		const piece = 1 << 20
		for start := lo; start < hi; start += piece {
			end := min(start+piece, hi)
			for i := start; i < end; i++ {
				data[i] = float64(i) * 0.5
			}
			if progress != nil {
				progress((end - start) * 8)
			}
		}
	})
	runtime.KeepAlive(a)
	if err := f.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// memmapCOW opens the file copy-on-write, sets every 512th element to -1
// and sums, in one pass per goroutine; afterwards (unmeasured) it checks
// that the file still holds its original values.
func memmapCOW(ds *dataset, m *meter) (outcome, error) {
	before, err := everyNth(ds.path, cowStep)
	if err != nil {
		return outcome{}, err
	}
	m.start()
	f, a, err := openFloat64(ds.path, mmarray.CopyOnWrite, mmarray.WithAdvice(mmarray.Sequential))
	if err != nil {
		m.stop()
		return outcome{}, err
	}
	data := contiguous(a)
	partial := make([]float64, parallel.Workers())
	parallel.Parallel(len(data), parallel.Workers(), cowStep, func(w, lo, hi int) {
		var s float64
		for c := lo; c < hi; c += cowChunk {
			e := min(c+cowChunk, hi)
			// Write before reading. Every page holds one of the elements
			// set, so the writes copy each page of the chunk with one
			// fault. Reading a page first would map it read-only and turn
			// the later write into a second fault whose TLB flush
			// interrupts the other core (an IPI, costly in a VM): with two
			// goroutines that made this workload three times slower. The
			// chunk's last elements share a page with the next chunk's
			// first element, so that one is set here too.
			for j := c; j < e; j += cowStep {
				data[j] = -1
			}
			if e < hi {
				data[e] = -1
			}
			s += parallel.Sum(data[c:e])
		}
		partial[w] = s
	})
	m.stop()
	runtime.KeepAlive(a)
	if err := f.Close(); err != nil {
		return outcome{}, err
	}
	if err := checkUnchanged(ds.path, before); err != nil {
		return outcome{}, err
	}
	return outcome{check: parallel.SumInOrder(partial), bytes: int64(len(data)) * 8}, nil
}

// memmapSum maps the warm file afresh (unmeasured) and measures
// compute.Sum over the whole view with the given options: the compute
// package's own figure, which scan-warm's adds the cost of opening to.
// compute.Sum compensates across 128-element blocks, so its check may
// differ from NumPy's pairwise a.sum() in the last bits. sum-budget passes
// a memory budget of 64 MiB: the engine then releases the pages it has
// passed, so the peak RSS stays near the budget instead of the file's size.
func memmapSum(ds *dataset, m *meter, opts ...compute.Option) (outcome, error) {
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
	if err != nil {
		return outcome{}, err
	}
	defer f.Close()
	m.start()
	s, err := sum(a, opts...)
	m.stop()
	if err != nil {
		return outcome{}, err
	}
	return outcome{check: s, bytes: int64(a.Len()) * 8}, nil
}

// memmapDescribe maps the warm file afresh (unmeasured) and measures
// compute.Describe, one pass for what NumPy computes with a.mean(),
// a.std(), a.min() and a.max(), four passes. The check is the sum of those
// four values (std with ddof 0, as NumPy's), so that any of them being off
// shows.
func memmapDescribe(ds *dataset, m *meter) (outcome, error) {
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
	if err != nil {
		return outcome{}, err
	}
	defer f.Close()
	m.start()
	d, err := compute.Describe(context.Background(), a)
	m.stop()
	if err != nil {
		return outcome{}, err
	}
	return outcome{check: describeCheck(d.Mean, d.Std, d.Min, d.Max), bytes: int64(a.Len()) * 8}, nil
}

// describeCheck folds the describe workload's four values into its check,
// added in the same order by every engine (describe_check in
// python_engine.py).
func describeCheck(mean, std, lo, hi float64) float64 { return mean + std + lo + hi }

// memmapAxis0 maps the warm file afresh (unmeasured), views it as
// (N/16, 16) and measures compute.MeanStdAxis (ddof 0) along axis 0: one
// pass for both, reading the rows in order with one accumulator per
// column, as a user asking for both calls it. NumPy's mat.mean(axis=0) and mat.std(axis=0) accumulate in
// float64 as the data is float64. The check is the sum over the columns of
// mean+std.
func memmapAxis0(ds *dataset, m *meter) (outcome, error) {
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
	if err != nil {
		return outcome{}, err
	}
	defer f.Close()
	mat, err := asRows(a, axis0RowLen)
	if err != nil {
		return outcome{}, err
	}
	ctx := context.Background()
	m.start()
	means, stds, err := compute.MeanStdAxis(ctx, mat, 0, 0)
	m.stop()
	if err != nil {
		return outcome{}, err
	}
	return outcome{check: axis0Check(means.Values, stds.Values), bytes: int64(mat.Len()) * 8}, nil
}

// axis0Check is axis0's check, added as axis0_check in python_engine.py.
func axis0Check(means, stds []float64) float64 {
	var s float64
	for j := range means {
		s += means[j] + stds[j]
	}
	return s
}

// asRows views the whole rows of rowLen elements of the 1-D view a as a 2-D
// (len/rowLen, rowLen) view, leaving out a last partial row.
func asRows(a *mmarray.Array[float64], rowLen int) (*mmarray.Array[float64], error) {
	n := a.Len() / rowLen
	return a.Slice(mmarray.Span(0, n*rowLen, 1)).Reshape(n, rowLen)
}

// everyNth copies a[::step] of the file at path.
func everyNth(path string, step int) ([]float64, error) {
	f, a, err := openFloat64(path, mmarray.ReadOnly)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	v := a.Slice(mmarray.Span(mmarray.Omit, mmarray.Omit, step))
	out := make([]float64, v.Len())
	v.CopyTo(out)
	return out, nil
}

// checkUnchanged verifies that a copy-on-write run left the file alone.
func checkUnchanged(path string, before []float64) error {
	after, err := everyNth(path, cowStep)
	if err != nil {
		return err
	}
	for i := range before {
		if after[i] != before[i] {
			return fmt.Errorf("cow: %s changed at element %d: %v, was %v", path, i*cowStep, after[i], before[i])
		}
	}
	return nil
}

// loadIndices reads the gather index file into memory.
func loadIndices(path string) ([]int64, error) {
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := mmarray.View[int64](f)
	if err != nil {
		return nil, err
	}
	idx := make([]int64, a.Len())
	a.CopyTo(idx)
	return idx, nil
}

// dropCache evicts path's clean pages from the page cache.
func dropCache(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pagecache.DropFileCache(f)
}

// memmapTopK maps the warm file afresh (unmeasured) and measures
// compute.TopK of the 100 largest elements with their indices: one pass,
// a threshold and a buffer of candidates per chunk, where NumPy's argpartition writes an index per
// element. The check is topkCheck of the values and indices.
func memmapTopK(ds *dataset, m *meter) (outcome, error) {
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
	if err != nil {
		return outcome{}, err
	}
	defer f.Close()
	m.start()
	top, err := compute.TopK(context.Background(), a, topCount)
	m.stop()
	if err != nil {
		return outcome{}, err
	}
	return outcome{check: topkCheck(top.Values, top.Indices), bytes: int64(a.Len()) * 8}, nil
}

// topkCheck is topk's check, the sum of every value and index, added
// largest first as topk_check in python_engine.py: exact, the values being
// multiples of 0.5 and the sum far below 2^53.
func topkCheck(values []float64, indices []int) float64 {
	var s float64
	for i, v := range values {
		s += v + float64(indices[i])
	}
	return s
}

// memmapGroupBy maps the warm data and keys afresh (unmeasured) and
// measures compute.GroupBy of the data by the keys with
// compute.WithAggregates(compute.GroupSum): one pass over both, the sum per
// key only, as NumPy's np.bincount(keys, weights=a) and Dask's
// da.bincount compute it (pandas' df.groupby("k")["v"].sum()). The check
// is groupbyCheck of the sums in key order.
func memmapGroupBy(ds *dataset, m *meter) (outcome, error) {
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
	if err != nil {
		return outcome{}, err
	}
	defer f.Close()
	kf, err := mmarray.Open(ds.keysPath, mmarray.ReadOnly)
	if err != nil {
		return outcome{}, err
	}
	defer kf.Close()
	keys, err := mmarray.View[int64](kf)
	if err != nil {
		return outcome{}, err
	}
	m.start()
	g, err := compute.GroupBy(context.Background(), keys, a, compute.WithAggregates(compute.GroupSum))
	m.stop()
	if err != nil {
		return outcome{}, err
	}
	sums := make([]float64, groupCount)
	for _, group := range g.Groups {
		if group.Key < 0 || group.Key >= groupCount {
			return outcome{}, fmt.Errorf("groupby: key %d in %s is not below %d", group.Key, ds.keysPath, groupCount)
		}
		sums[group.Key] = group.Sum
	}
	return outcome{check: groupbyCheck(sums), bytes: int64(a.Len()+keys.Len()) * 8}, nil
}

// groupbyCheck is groupby's check, the sum of key × the key's sum, added
// in key order as groupby_check in python_engine.py.
func groupbyCheck(sums []float64) float64 {
	var s float64
	for k, x := range sums {
		s += float64(k) * x
	}
	return s
}

// memmapTransform maps the warm file afresh (unmeasured) and measures
// compute.TransformToFile of a*2+1 into a new .npy: Create, the kernel
// over blocks (the mapping itself on both sides), Flush and Close. The
// check, the sum of the new file read back, is not measured.
func memmapTransform(ds *dataset, m *meter) (outcome, error) {
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
	if err != nil {
		return outcome{}, err
	}
	defer f.Close()
	path := ds.outPath("memmap", "transform")
	defer os.Remove(path)
	m.start()
	err = compute.TransformToFile(context.Background(), path, "<f8", []*mmarray.Array[float64]{a},
		func(dst []float64, src ...[]float64) {
			for i, x := range src[0] {
				dst[i] = x*2 + 1
			}
		})
	m.stop()
	if err != nil {
		return outcome{}, err
	}
	return sumOfFile(path, int64(a.Len())*8)
}

// sumOfFile is an outcome whose check is the sum of the float64 file at
// path, read back after a workload wrote it.
func sumOfFile(path string, bytes int64) (outcome, error) {
	f, a, err := openFloat64(path, mmarray.ReadOnly)
	if err != nil {
		return outcome{}, err
	}
	s, err := sum(a)
	return closing(f, outcome{check: s, bytes: bytes}, err)
}

// memmapTransposeCopy maps the warm file afresh (unmeasured), views it as
// (N/1024, 1024) and measures compute.Copy of the transposed view into a
// new C-order .npy of shape (1024, N/1024), flushed and closed: tiles of
// about a page of input by a page of output. The check (unmeasured) is the
// sum of the copy's row columnIndex, column columnIndex of the input, which
// a copy that was not transposed would not give.
func memmapTransposeCopy(ds *dataset, m *meter) (outcome, error) {
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
	if err != nil {
		return outcome{}, err
	}
	defer f.Close()
	mat, err := asRows(a, rowLen)
	if err != nil {
		return outcome{}, err
	}
	path := ds.outPath("memmap", "transpose-copy")
	defer os.Remove(path)
	m.start()
	err = compute.Copy(context.Background(), mat.Transpose(), path)
	m.stop()
	if err != nil {
		return outcome{}, err
	}
	out, err := mmarray.Open(path, mmarray.ReadOnly)
	if err != nil {
		return outcome{}, err
	}
	t, err := mmarray.View[float64](out)
	if err != nil {
		out.Close()
		return outcome{}, err
	}
	row, err := sum(t.Slice(mmarray.Index(columnIndex), mmarray.All()))
	return closing(out, outcome{check: row, bytes: int64(mat.Len()) * 8}, err)
}

// appendRowCount is the rows the append workload writes over a dataset of
// n elements: appendRows, fewer for a dataset smaller than that many rows
// of 16 (the tests' 8 MiB one), so that the workload scales down with it.
func appendRowCount(n int) int { return min(appendRows, n/appendRowLen) }

// fillAppendBatch sets batch to the appended elements from flat index
// first on: (k % appendCycle) * 0.5, as append_batch in python_engine.py.
func fillAppendBatch(batch []float32, first int) {
	for i := range batch {
		batch[i] = float32((first+i)%appendCycle) * 0.5
	}
}

// memmapAppend starts an empty (0, 16) float32 .npy (unmeasured: NewWriter
// and Close, the file np.save would write), then measures
// mmarray.OpenAppend, an Append and a Sync per batch of appendBatch rows,
// and Close. Each Sync writes the batch's rows, fdatasyncs, rewrites the
// shape in the header in place and fdatasyncs again, so that a crash
// leaves a file NumPy loads; NumPy's side does what npy-append-array does
// (reopen, write the rows at the end, rewrite the header) with one
// fdatasync per batch. The check (unmeasured) is compute.Sum of the file.
func memmapAppend(ds *dataset, m *meter) (outcome, error) {
	path := ds.outPath("memmap", "append")
	defer os.Remove(path)
	w, err := mmarray.NewWriter(path, "<f4", []int{appendRowLen})
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return outcome{}, err
	}
	rows := appendRowCount(ds.n)
	batch := make([]float32, appendBatch*appendRowLen)
	m.start()
	w, err = mmarray.OpenAppend(path)
	if err != nil {
		m.stop()
		return outcome{}, err
	}
	for lo := 0; lo < rows && err == nil; lo += appendBatch {
		b := batch[:(min(lo+appendBatch, rows)-lo)*appendRowLen]
		fillAppendBatch(b, lo*appendRowLen)
		if err = mmarray.Append(w, b); err == nil {
			err = w.Sync()
		}
	}
	if err != nil {
		m.stop()
		w.Abort()
		return outcome{}, err
	}
	err = w.Close()
	m.stop()
	if err != nil {
		return outcome{}, err
	}
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	if err != nil {
		return outcome{}, err
	}
	a, err := mmarray.View[float32](f)
	if err != nil {
		f.Close()
		return outcome{}, err
	}
	if got := a.Shape(); len(got) != 2 || got[0] != rows || got[1] != appendRowLen {
		f.Close()
		return outcome{}, fmt.Errorf("append: %s has shape %v, want (%d, %d)", path, got, rows, appendRowLen)
	}
	s, err := compute.Sum(context.Background(), a)
	return closing(f, outcome{check: s.Float64(), bytes: int64(rows) * appendRowLen * 4}, err)
}

// The text workloads' CSV: csvColumns columns, the dataset's first
// csvRows*csvColumns values in np.savetxt's default format (%.18e, about
// 25 bytes a value with its delimiter), about half the dataset's size.
const (
	csvColumns  = 10
	csvRowBytes = 250
)

// csvRowCount is the CSV's rows for a dataset of n float64s.
func csvRowCount(n int) int { return max(1, n*8/2/csvRowBytes) }

// csvView is the (csvRows, csvColumns) view of the dataset's first values.
func csvView(a *mmarray.Array[float64], rows int) (*mmarray.Array[float64], error) {
	return a.Slice(mmarray.Span(0, rows*csvColumns, 1)).Reshape(rows, csvColumns)
}

// memmapCSVLoad measures text.LoadFileToNPY of the CSV (comma-delimited,
// parsed in parallel, streamed through mmarray's Writer into a new .npy of
// shape (rows, 10)); NumPy's side is np.save(np.loadtxt(...)), pandas'
// np.save(pandas.read_csv(...).to_numpy()). The check (unmeasured) is the
// sum of the new file.
func memmapCSVLoad(ds *dataset, m *meter) (outcome, error) {
	path := ds.outPath("memmap", "csv-load")
	defer os.Remove(path)
	st, err := os.Stat(ds.csvPath)
	if err != nil {
		return outcome{}, err
	}
	m.start()
	_, err = text.LoadFileToNPY(ds.csvPath, path, text.WithDelimiter(","))
	m.stop()
	if err != nil {
		return outcome{}, err
	}
	o, err := sumOfFile(path, st.Size())
	return o, err
}

// memmapCSVSave measures text.SaveFile of the (rows, 10) view of the
// dataset's first values into a CSV, comma-delimited in np.savetxt's
// default format; NumPy's side is np.savetxt of the same view of its
// memmap. The check is the CSV's size in bytes: the engines write the same
// bytes.
func memmapCSVSave(ds *dataset, m *meter) (outcome, error) {
	f, a, err := openFloat64(ds.path, mmarray.ReadOnly)
	if err != nil {
		return outcome{}, err
	}
	defer f.Close()
	v, err := csvView(a, ds.csvRows)
	if err != nil {
		return outcome{}, err
	}
	path := ds.csvOutPath("memmap")
	defer os.Remove(path)
	m.start()
	err = text.SaveFile(path, v, text.WithDelimiter(","))
	m.stop()
	if err != nil {
		return outcome{}, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return outcome{}, err
	}
	return outcome{check: float64(st.Size()), bytes: st.Size()}, nil
}
