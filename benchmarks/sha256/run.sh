#!/usr/bin/env bash
# SHA-256 throughput: Ingest's hasher against Python's hashlib (OpenSSL) and coreutils'
# sha256sum, on the same MB megabytes (default 100), median of RUNS (default 5). Not a test.
#
#   benchmarks/sha256/run.sh [MB] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
mb=${1:-100}
runs=${2:-5}
swift build -c release --product sha256-benchmark >&2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
.build/release/sha256-benchmark "$mb" "$runs"
python3 - "$mb" "$runs" <<'PY'
import hashlib, sys, time
mb, runs = int(sys.argv[1]), int(sys.argv[2])
data = bytes(range(256)) * (mb * 1_000_000 // 256 + 1)  # SHA-256's speed does not depend on the bytes
view = memoryview(data)[: mb * 1_000_000]
rates = []
for _ in range(runs):
    t = time.perf_counter(); h = hashlib.sha256()
    for off in range(0, len(data), 1 << 20): h.update(view[off:off + (1 << 20)])
    h.hexdigest(); rates.append(mb / (time.perf_counter() - t))
rates.sort()
print(f"python hashlib SHA256: {mb} MB, median of {runs}: {rates[len(rates)//2]:.1f} MB/s (min {rates[0]:.1f}, max {rates[-1]:.1f})")
PY
tmp=$(mktemp); head -c "${mb}000000" /dev/urandom > "$tmp"; sha256sum "$tmp" > /dev/null
rates=()
for _ in $(seq "$runs"); do
    s=$(date +%s.%N); sha256sum "$tmp" > /dev/null; e=$(date +%s.%N)
    rates+=("$(awk -v mb="$mb" -v s="$s" -v e="$e" 'BEGIN { printf "%.1f", mb / (e - s) }')")
done
rm -f "$tmp"
printf '%s\n' "${rates[@]}" | sort -g | awk -v mb="$mb" -v n="$runs" '{ a[NR] = $1 } END { printf "coreutils sha256sum (file in page cache): %d MB, median of %d: %s MB/s (min %s, max %s)\n", mb, n, a[int((NR + 1) / 2)], a[1], a[NR] }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
