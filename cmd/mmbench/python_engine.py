# NumPy's, Dask's and pandas' side of mmbench: the same workloads through
# np.load(mmap_mode=...), through dask.array over the same mappings, and
# (for the CSV workloads) through pandas.read_csv.
#
# mmbench starts this script once per workload run, with the engine ("numpy",
# "dask" or "pandas") as its argument: a fresh process, so that the peak RSS of one
# run does not include what an earlier run left in Python's heap. The script
# says it is ready (with the library versions) once its imports are done,
# then reads one JSON command per line on stdin and answers each with one
# JSON line on stdout, so Python's start-up and imports are never measured.
# Each workload times only its measured part (time.perf_counter) and reports
# this process's own page faults (getrusage) and peak RSS (VmHWM, reset
# before the measured part by writing "5" to /proc/self/clear_refs) over
# that part.
#
# Dask runs with the threaded scheduler and 2 workers, over
# da.from_array(np.load(path, mmap_mode="r")) in chunks of about 64 MiB.
# Workloads without a Dask counterpart (open, gather, at2, cow: the element
# API and writes to a mapping) are refused by the Dask engine, and mmbench
# does not ask for them.
import json
import os
import resource
import sys
import time

import numpy as np

ENGINE = sys.argv[1] if len(sys.argv) > 1 else "numpy"
if ENGINE == "dask":
    import dask
    import dask.array as da

    dask.config.set(scheduler="threads", num_workers=2)
if ENGINE == "pandas":
    import pandas as pd
# The Zarr workloads need zarr-python (and numcodecs); without them the
# engines do not offer those workloads.
try:
    import numcodecs
    import zarr

    HAVE_ZARR = True
except ImportError:
    HAVE_ZARR = False

OPEN_LAPS = 50
ROW_LEN = 1024  # rows of the column and transpose-copy workloads
COLUMN_INDEX = 7
STRIDE_STEP = 8
AT2_ROW_LEN = 16
AT2_PREFIX = 1 << 16  # rows indexed one element at a time; see memmapAt2 in workloads.go
AXIS0_ROW_LEN = 16
COW_STEP = 512
CREATE_CHUNK = 1 << 20  # elements per assignment when filling
GROUPS = 1000  # keys are i % GROUPS
TOPK = 100
DASK_CHUNK_BYTES = 64 << 20
APPEND_ROWS = 1_000_000  # at most; fewer for small datasets (appendRowCount)
APPEND_ROW_LEN = 16
APPEND_BATCH = 1000
APPEND_CYCLE = 1000
CSV_COLUMNS = 10  # the text workloads' CSV (csvColumns)
ZARR_ROW_LEN = 16  # the Zarr workloads' (N/16, 16) view (zarrRowLen)


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_rss():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Meter:
    def __init__(self):
        self.laps = []
        self.minor = 0
        self.major = 0
        self.peak = 0

    def start(self):
        reset_peak()
        self.r0 = resource.getrusage(resource.RUSAGE_SELF)
        self.t0 = time.perf_counter()

    def stop(self):
        t = time.perf_counter() - self.t0
        r = resource.getrusage(resource.RUSAGE_SELF)
        self.laps.append(t)
        self.minor += r.ru_minflt - self.r0.ru_minflt
        self.major += r.ru_majflt - self.r0.ru_majflt
        self.peak = max(self.peak, peak_rss())

    def seconds(self):
        s = sorted(self.laps)
        n = len(s)
        return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def load(path, mode="r"):
    return np.load(path, mmap_mode=mode).reshape(-1)


def matrix(a, row_len):
    """a's whole rows of row_len elements as a 2-D view, as Go's Reshape."""
    rows = a.size // row_len
    return a[: rows * row_len].reshape(rows, row_len)


def drop_cache(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def new_npy(path, shape):
    return np.lib.format.open_memmap(path, mode="w+", dtype="<f8", shape=shape)


def removing(path, fn):
    """Runs fn() and removes path afterwards, whatever happens."""
    try:
        return fn()
    finally:
        if os.path.exists(path):
            os.remove(path)


def removing_tree(path, fn):
    """removing for a folder (a Zarr store)."""
    import shutil

    try:
        return fn()
    finally:
        shutil.rmtree(path, ignore_errors=True)


def store_sum(path):
    """The sum of a Zarr store's values, chunk by chunk (not all in memory)."""
    z = zarr.open(path, mode="r")
    step = z.chunks[0]
    return sum(float(z[i : i + step].sum()) for i in range(0, z.shape[0], step))


# Checks that several engines compute the same way, in this order, as the
# Go functions of the same names in workloads.go.


def describe_check(mean, std, lo, hi):
    return mean + std + lo + hi


def axis0_check(means, stds):
    s = 0.0
    for m, d in zip(means, stds):
        s += float(m) + float(d)
    return s


def groupby_check(sums):
    s = 0.0
    for k, x in enumerate(sums):
        s += k * float(x)
    return s


def topk_check(values, indices):
    s = 0.0
    for v, i in zip(values, indices):
        s += float(v) + int(i)
    return s


def transpose_check(path):
    # Row COLUMN_INDEX of the transposed copy: column COLUMN_INDEX of the
    # original, which a plain copy would not give.
    return float(np.load(path, mmap_mode="r")[COLUMN_INDEX].sum())


# NumPy's workloads.


def w_open(cmd, m):
    for _ in range(OPEN_LAPS):
        m.start()
        a = load(cmd["path"])
        m.stop()
        n = a.size
        del a
    return float(n), 0


def w_scan_warm(cmd, m):
    m.start()
    a = load(cmd["path"])
    s = float(a.sum())
    m.stop()
    return s, a.nbytes


def w_scan_mapped(cmd, m):
    a = load(cmd["path"])
    a.sum()
    m.start()
    s = float(a.sum())
    m.stop()
    return s, a.nbytes


def w_scan_cold(cmd, m):
    drop_cache(cmd["path"])
    m.start()
    a = load(cmd["path"])
    s = float(a.sum())
    m.stop()
    return s, a.nbytes


def w_gather(cmd, m):
    idx = np.load(cmd["index_path"])
    m.start()
    a = load(cmd["path"])
    s = float(a[idx].sum())
    m.stop()
    return s, idx.size * 8


def w_column(cmd, m):
    m.start()
    col = matrix(load(cmd["path"]), ROW_LEN)[:, COLUMN_INDEX]
    s = float(col.sum())
    m.stop()
    return s, col.size * 8


def w_stride8(cmd, m):
    m.start()
    a = load(cmd["path"])
    v = a[::STRIDE_STEP]
    s = float(v.sum())
    m.stop()
    return s, v.size * 8


def w_at2(cmd, m):
    # Element by element, as the Go side does with At2, but only the first
    # AT2_PREFIX rows: a[i, j] costs a Python call each. The bytes are those
    # rows', so the rate (GB/s) compares with memmap's over the whole file.
    m.start()
    mat = matrix(load(cmd["path"]), AT2_ROW_LEN)
    prefix = min(mat.shape[0], AT2_PREFIX)
    s = 0.0
    for i in range(prefix):
        for j in range(AT2_ROW_LEN):
            s += mat[i, j]
    s = float(s)
    m.stop()
    return s, prefix * AT2_ROW_LEN * 8


def w_create(cmd, m):
    path, n = cmd["out_path"], cmd["n"]

    def body():
        m.start()
        b = new_npy(path, (n,))
        for lo in range(0, n, CREATE_CHUNK):
            hi = min(lo + CREATE_CHUNK, n)
            b[lo:hi] = np.arange(lo, hi, dtype=np.float64) * 0.5
        b.flush()
        del b
        m.stop()
        return float(load(path).sum()), n * 8

    return removing(path, body)


def w_cow(cmd, m):
    before = np.array(load(cmd["path"])[::COW_STEP])
    m.start()
    a = load(cmd["path"], "c")
    a[::COW_STEP] = -1
    s = float(a.sum())
    m.stop()
    nbytes = a.nbytes
    del a
    after = np.array(load(cmd["path"])[::COW_STEP])
    if not np.array_equal(before, after):
        raise RuntimeError("cow: %s changed on disk" % cmd["path"])
    return s, nbytes


def w_sum(cmd, m):
    a = load(cmd["path"])
    m.start()
    s = float(a.sum())
    m.stop()
    return s, a.nbytes


def w_describe(cmd, m):
    # Four calls, four passes over the file, as a NumPy user would write.
    a = load(cmd["path"])
    m.start()
    mean, std, lo, hi = float(a.mean()), float(a.std()), float(a.min()), float(a.max())
    m.stop()
    return describe_check(mean, std, lo, hi), a.nbytes


def w_axis0(cmd, m):
    # float64 data: NumPy's accumulators are float64 too.
    mat = matrix(load(cmd["path"]), AXIS0_ROW_LEN)
    m.start()
    means, stds = mat.mean(axis=0), mat.std(axis=0)
    m.stop()
    return axis0_check(means, stds), mat.nbytes


def w_groupby(cmd, m):
    a = load(cmd["path"])
    keys = load(cmd["keys_path"])
    m.start()
    sums = np.bincount(keys, weights=a, minlength=GROUPS)
    m.stop()
    return groupby_check(sums), a.nbytes + keys.nbytes


def w_topk(cmd, m):
    a = load(cmd["path"])
    m.start()
    idx = np.argpartition(a, -TOPK)[-TOPK:]
    idx = idx[np.argsort(-a[idx], kind="stable")]
    values = a[idx]
    m.stop()
    return topk_check(values, idx), a.nbytes


def w_transform(cmd, m):
    a, path = load(cmd["path"]), cmd["out_path"]

    def body():
        m.start()
        out = new_npy(path, a.shape)
        np.multiply(a, 2.0, out=out)
        np.add(out, 1.0, out=out)
        out.flush()
        del out
        m.stop()
        return float(load(path).sum()), a.nbytes

    return removing(path, body)


def w_transpose_copy(cmd, m):
    mat, path = matrix(load(cmd["path"]), ROW_LEN), cmd["out_path"]

    def body():
        m.start()
        out = new_npy(path, mat.T.shape)
        np.copyto(out, mat.T)
        out.flush()
        del out
        m.stop()
        return transpose_check(path), mat.nbytes

    return removing(path, body)


def append_batch(first, count):
    """count appended elements from flat index first on: (k % APPEND_CYCLE) * 0.5."""
    k = np.arange(first, first + count, dtype=np.int64) % APPEND_CYCLE
    return (k.astype(np.float32) * np.float32(0.5)).reshape(-1, APPEND_ROW_LEN)


def append_rows(path, rows):
    """What npy-append-array does for one append, plus an fdatasync: reopen
    the file, write the rows at its end, rewrite the shape in the header in
    place (np.save's growth-axis slack keeps its length), sync."""
    fmt = np.lib.format
    with open(path, "r+b") as f:
        version = fmt.read_magic(f)
        shape, fortran, dtype = fmt._read_array_header(f, version)
        header_len = f.tell()
        f.seek(0, os.SEEK_END)
        f.write(rows.tobytes())
        f.seek(0)
        d = {"descr": fmt.dtype_to_descr(dtype), "fortran_order": fortran,
             "shape": (shape[0] + len(rows),) + tuple(shape[1:])}
        fmt._write_array_header(f, d, version)
        if f.tell() != header_len:
            raise RuntimeError("append: the header of %s changed length" % path)
        f.flush()
        os.fdatasync(f.fileno())


def w_append(cmd, m):
    path = cmd["out_path"]
    rows = min(APPEND_ROWS, cmd["n"] // APPEND_ROW_LEN)
    np.save(path, np.zeros((0, APPEND_ROW_LEN), dtype="<f4"))

    def body():
        m.start()
        for lo in range(0, rows, APPEND_BATCH):
            hi = min(lo + APPEND_BATCH, rows)
            append_rows(path, append_batch(lo * APPEND_ROW_LEN, (hi - lo) * APPEND_ROW_LEN))
        m.stop()
        a = np.load(path, mmap_mode="r")
        if a.shape != (rows, APPEND_ROW_LEN):
            raise RuntimeError("append: %s has shape %s" % (path, a.shape))
        return float(a.sum(dtype=np.float64)), a.nbytes

    return removing(path, body)


def csv_view(cmd):
    """The (csv_rows, 10) view of the dataset's first values that the CSV
    holds and csv-save writes."""
    rows = cmd["csv_rows"]
    return load(cmd["path"])[: rows * CSV_COLUMNS].reshape(rows, CSV_COLUMNS)


def w_csv_load(cmd, m):
    path = cmd["out_path"]

    def body():
        m.start()
        a = np.loadtxt(cmd["csv_path"], delimiter=",")
        np.save(path, a)
        m.stop()
        return float(load(path).sum()), os.path.getsize(cmd["csv_path"])

    return removing(path, body)


def w_zarr_write(cmd, m):
    # zarr-python's default compressor, spelled out: Blosc lz4, level 5,
    # byte shuffle; the same chunks as memmap's (cmd["zarr_chunk_rows"]).
    path = cmd["zarr_out_path"]

    def body():
        mat = matrix(load(cmd["path"]), ZARR_ROW_LEN)
        m.start()
        zarr.array(
            mat,
            chunks=(cmd["zarr_chunk_rows"], ZARR_ROW_LEN),
            compressor=numcodecs.Blosc("lz4", 5, 1),
            store=zarr.DirectoryStore(path),
        )
        m.stop()
        return store_sum(path), mat.nbytes

    return removing_tree(path, body)


def w_csv_save(cmd, m):
    path = cmd["out_path"][: -len(".npy")] + ".csv"

    def body():
        a = csv_view(cmd)
        m.start()
        np.savetxt(path, a, delimiter=",")
        m.stop()
        size = os.path.getsize(path)
        return float(size), size

    return removing(path, body)


NUMPY = {
    "open": w_open,
    "scan-warm": w_scan_warm,
    "scan-mapped": w_scan_mapped,
    "scan-cold": w_scan_cold,
    "gather": w_gather,
    "column": w_column,
    "stride8": w_stride8,
    "at2": w_at2,
    "create": w_create,
    "cow": w_cow,
    "sum": w_sum,
    "sum-budget": w_sum,  # NumPy has no budget: the plain sum's peak RSS is the reference
    "describe": w_describe,
    "axis0": w_axis0,
    "groupby": w_groupby,
    "topk": w_topk,
    "transform": w_transform,
    "transpose-copy": w_transpose_copy,
    "append": w_append,
    "csv-load": w_csv_load,
    "csv-save": w_csv_save,
}


# Dask's workloads.


def chunk_rows(row_len):
    """Rows of row_len float64s in one chunk of about DASK_CHUNK_BYTES."""
    return max(1, DASK_CHUNK_BYTES // (8 * row_len))


def dask_1d(a):
    return da.from_array(a, chunks=chunk_rows(1))


def dask_2d(mat):
    return da.from_array(mat, chunks=(chunk_rows(mat.shape[1]), mat.shape[1]))


def d_sum_fresh(cmd, m, cold=False):
    if cold:
        drop_cache(cmd["path"])
    m.start()
    a = load(cmd["path"])
    s = float(dask_1d(a).sum().compute())
    m.stop()
    return s, a.nbytes


def d_scan_mapped(cmd, m):
    a = load(cmd["path"])
    x = dask_1d(a)
    x.sum().compute()
    m.start()
    s = float(x.sum().compute())
    m.stop()
    return s, a.nbytes


def d_column(cmd, m):
    m.start()
    mat = matrix(load(cmd["path"]), ROW_LEN)
    s = float(dask_2d(mat)[:, COLUMN_INDEX].sum().compute())
    m.stop()
    return s, mat.shape[0] * 8


def d_stride8(cmd, m):
    m.start()
    a = load(cmd["path"])
    x = dask_1d(a)[::STRIDE_STEP]
    s = float(x.sum().compute())
    m.stop()
    return s, x.size * 8


def d_create(cmd, m):
    path, n = cmd["out_path"], cmd["n"]

    def body():
        m.start()
        b = new_npy(path, (n,))
        da.store(da.arange(n, chunks=chunk_rows(1), dtype=np.float64) * 0.5, b, lock=False)
        b.flush()
        del b
        m.stop()
        return float(load(path).sum()), n * 8

    return removing(path, body)


def d_sum(cmd, m):
    a = load(cmd["path"])
    m.start()
    s = float(dask_1d(a).sum().compute())
    m.stop()
    return s, a.nbytes


def d_describe(cmd, m):
    # One dask.compute of the four: Dask shares the reads between them.
    a = load(cmd["path"])
    m.start()
    x = dask_1d(a)
    mean, std, lo, hi = dask.compute(x.mean(), x.std(), x.min(), x.max())
    m.stop()
    return describe_check(float(mean), float(std), float(lo), float(hi)), a.nbytes


def d_axis0(cmd, m):
    mat = matrix(load(cmd["path"]), AXIS0_ROW_LEN)
    m.start()
    x = dask_2d(mat)
    means, stds = dask.compute(x.mean(axis=0), x.std(axis=0))
    m.stop()
    return axis0_check(means, stds), mat.nbytes


def d_zarr_mean(cmd, m):
    m.start()
    x = da.from_zarr(cmd["zarr_path"])
    means = x.mean(axis=0).compute(scheduler="threads", num_workers=2)
    m.stop()
    return float(sum(float(v) for v in means)), x.nbytes


def d_groupby(cmd, m):
    a = load(cmd["path"])
    keys = load(cmd["keys_path"])
    m.start()
    sums = da.bincount(dask_1d(keys), weights=dask_1d(a), minlength=GROUPS).compute()
    m.stop()
    return groupby_check(sums), a.nbytes + keys.nbytes


def d_topk(cmd, m):
    a = load(cmd["path"])
    m.start()
    idx = dask_1d(a).argtopk(TOPK).compute()  # largest first
    values = a[idx]
    m.stop()
    return topk_check(values, idx), a.nbytes


def d_transform(cmd, m):
    a, path = load(cmd["path"]), cmd["out_path"]

    def body():
        m.start()
        out = new_npy(path, a.shape)
        da.store(dask_1d(a) * 2.0 + 1.0, out, lock=False)
        out.flush()
        del out
        m.stop()
        return float(load(path).sum()), a.nbytes

    return removing(path, body)


def d_transpose_copy(cmd, m):
    mat, path = matrix(load(cmd["path"]), ROW_LEN), cmd["out_path"]

    def body():
        m.start()
        out = new_npy(path, mat.T.shape)
        da.store(dask_2d(mat).T, out, lock=False)
        out.flush()
        del out
        m.stop()
        return transpose_check(path), mat.nbytes

    return removing(path, body)


DASK = {
    "scan-warm": d_sum_fresh,
    "scan-mapped": d_scan_mapped,
    "scan-cold": lambda cmd, m: d_sum_fresh(cmd, m, cold=True),
    "column": d_column,
    "stride8": d_stride8,
    "create": d_create,
    "sum": d_sum,
    "sum-budget": d_sum,  # as NumPy's: the plain sum
    "describe": d_describe,
    "axis0": d_axis0,
    "groupby": d_groupby,
    "topk": d_topk,
    "transform": d_transform,
    "transpose-copy": d_transpose_copy,
}


# pandas' workloads.


def p_csv_load(cmd, m):
    path = cmd["out_path"]

    def body():
        m.start()
        a = pd.read_csv(cmd["csv_path"], header=None, engine="c", dtype=np.float64).to_numpy()
        np.save(path, a)
        m.stop()
        return float(load(path).sum()), os.path.getsize(cmd["csv_path"])

    return removing(path, body)


if HAVE_ZARR:
    NUMPY["zarr-write"] = w_zarr_write
    DASK["zarr-mean"] = d_zarr_mean

PANDAS = {
    "csv-load": p_csv_load,
}


def main():
    workloads = {"dask": DASK, "pandas": PANDAS}.get(ENGINE, NUMPY)
    hello = {"ready": True, "numpy": np.__version__, "workloads": sorted(workloads)}
    if ENGINE == "dask":
        hello["dask"] = dask.__version__
    if ENGINE == "pandas":
        hello["pandas"] = pd.__version__
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        m = Meter()
        try:
            check, nbytes = workloads[cmd["workload"]](cmd, m)
            out = {
                "seconds": m.seconds(),
                "bytes": int(nbytes),
                "check": check,
                "peak_rss_bytes": m.peak,
                "minor_faults": m.minor,
                "major_faults": m.major,
            }
        except Exception as e:  # reported by mmbench as one line
            out = {"error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(out), flush=True)


main()
