#!/usr/bin/env bash
# Measures the machine limits mmbench's workloads run into, on FILE (a large
# file, e.g. the dataset left by `mmbench --dir`): streaming reads with dd
# from the page cache, after evicting the file (posix_fadvise DONTNEED, as
# scan-cold does; no root or drop_caches needed), with 4 parallel streams,
# with O_DIRECT, a 4 GiB write with fdatasync into a fresh and into a
# preallocated file, and 1000 small appends each synced (the append
# workload's floor). Then the memory-bandwidth and page-fault benchmarks, and
# a sum of FILE through a fresh bare mapping (BenchmarkMachine).
set -euo pipefail
file="${1:?usage: bench/limits.sh FILE}"
dir="$(dirname "$file")"
# GNU dd with iflag=nocache and count=0 asks the kernel to drop the whole
# file's cached pages (posix_fadvise DONTNEED) and reads nothing.
drop() { dd if="$file" iflag=nocache count=0 status=none; }
mib=$(( $(stat -c %s "$file") >> 20 ))

echo "== dd read, warm (page cache)"
cat "$file" >/dev/null
dd if="$file" of=/dev/null bs=1M 2>&1 | tail -1
echo "== dd read, cold (after fadvise DONTNEED)"
drop; dd if="$file" of=/dev/null bs=1M 2>&1 | tail -1
echo "== 4 parallel dd streams, cold"
drop
start=$(date +%s.%N)
for j in 0 1 2 3; do dd if="$file" of=/dev/null bs=1M skip=$((j * mib / 4)) count=$((mib / 4)) 2>/dev/null & done
wait
end=$(date +%s.%N)
echo "$mib MiB in $(echo "$end - $start" | bc) s"
echo "== dd read, O_DIRECT"
dd if="$file" of=/dev/null bs=16M iflag=direct 2>&1 | tail -1
echo "== dd write 4 GiB + fdatasync, new file"
dd if=/dev/zero of="$dir/limits-write" bs=1M count=4096 conv=fdatasync 2>&1 | tail -1
rm -f "$dir/limits-write"
echo "== dd write 4 GiB + fdatasync, preallocated file"
fallocate -l 4G "$dir/limits-write"
dd if=/dev/zero of="$dir/limits-write" bs=1M count=4096 conv=fdatasync,notrunc 2>&1 | tail -1
rm -f "$dir/limits-write"
echo "== 1000 appends of 64 KiB (1000 rows of 16 float32), each synced (O_DSYNC): append's floor"
dd if=/dev/zero of="$dir/limits-write" bs=64k count=1000 oflag=dsync 2>&1 | tail -1
rm -f "$dir/limits-write"
echo "== memory bandwidth and first-touch faults"
# The writes above evicted part of the file; it is evicted whole and read
# back in one pass, as mmbench's warm runs find it (in large folios: read
# back piecemeal, it would be in small ones and its fresh mapping slower).
drop; cat "$file" >/dev/null
abs="$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
cd "$(dirname "$0")" && MMBENCH_LIMITS_FILE="$abs" go test -run XXX -bench Machine -benchtime 5x .
