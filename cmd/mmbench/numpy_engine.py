# NumPy's side of mmbench: the same workloads through np.load(mmap_mode=...).
#
# mmbench runs this script once per benchmark and keeps it running: it reads
# one JSON command per line on stdin and answers with one JSON line on stdout,
# so Python's start-up and imports are never measured. Each workload times
# only its measured part (time.perf_counter) and reports this process's own
# page faults (getrusage) and peak RSS (VmHWM, reset before each run by
# writing "5" to /proc/self/clear_refs) over that part.
import json
import os
import resource
import sys
import time

import numpy as np

OPEN_LAPS = 50
ROW_LEN = 1024
COLUMN_INDEX = 7
STRIDE_STEP = 8
AT2_ROW_LEN = 16
AT2_PREFIX = 1 << 16  # rows indexed one element at a time; see memmapAt2 in workloads.go
COW_STEP = 512
CREATE_CHUNK = 1 << 20  # elements per assignment when filling


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
    fd = os.open(cmd["path"], os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
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
    a = load(cmd["path"])
    rows = a.size // ROW_LEN
    col = a[: rows * ROW_LEN].reshape(rows, ROW_LEN)[:, COLUMN_INDEX]
    s = float(col.sum())
    m.stop()
    return s, rows * 8


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
    a = load(cmd["path"])
    rows = a.size // AT2_ROW_LEN
    mat = a[: rows * AT2_ROW_LEN].reshape(rows, AT2_ROW_LEN)
    prefix = min(rows, AT2_PREFIX)
    s = 0.0
    for i in range(prefix):
        for j in range(AT2_ROW_LEN):
            s += mat[i, j]
    s = float(s)
    m.stop()
    return s, prefix * AT2_ROW_LEN * 8


def w_create(cmd, m):
    path, n = cmd["create_path"], cmd["n"]
    try:
        m.start()
        b = np.lib.format.open_memmap(path, mode="w+", dtype="<f8", shape=(n,))
        for lo in range(0, n, CREATE_CHUNK):
            hi = min(lo + CREATE_CHUNK, n)
            b[lo:hi] = np.arange(lo, hi, dtype=np.float64) * 0.5
        b.flush()
        del b
        m.stop()
        s = float(load(path).sum())
    finally:
        if os.path.exists(path):
            os.remove(path)
    return s, n * 8


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
    # Four calls, four passes over the file, as a NumPy user would write;
    # the check is their sum in this order, as describeCheck in workloads.go.
    a = load(cmd["path"])
    m.start()
    mean, std, lo, hi = float(a.mean()), float(a.std()), float(a.min()), float(a.max())
    m.stop()
    return mean + std + lo + hi, a.nbytes


WORKLOADS = {
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
    "describe": w_describe,
}


def main():
    print(json.dumps({"ready": True, "numpy": np.__version__}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        m = Meter()
        try:
            check, nbytes = WORKLOADS[cmd["workload"]](cmd, m)
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
