#!/usr/bin/env bash
# Many series: `fit --model saturating` on 2,000 curves of 20 points, `fit --model auto` on
# 40, `detect` on 60 curves of 25 points, each with one thread and with every core, as
# whole processes. The analysis layer spreads the series over the threads (SeriesPool): the
# outputs must be byte-identical whatever the thread count, and the script checks that.
#
# Usage: benchmarks/scale/many.sh [REPEATS] [BINARY]   (from the repository root; release
# build by default). Prints per case the median CPU (user + system) and wall seconds.
set -euo pipefail
repeats=${1:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${2:-"$root/.build/release/scalefit"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x "$bin" ] || (cd "$root" && swift build -c release --product scalefit)
cores=$(nproc)
python3 "$root/benchmarks/scale/many.py" 2000 20 "$work/many2000.csv"
python3 "$root/benchmarks/scale/many.py" 40 20 "$work/many40.csv"
python3 "$root/benchmarks/scale/many.py" 60 25 "$work/many60.csv"
echo "machine: $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load before: $(uptime | sed 's/.*load average: //')"
run_case() {  # name, command...
    local name=$1; shift
    for threads in 1 "$cores"; do
        rm -f "$work/t-$threads" "$work/status-$threads"
        for _ in $(seq "$repeats"); do
            status=0
            /usr/bin/time -f '%U %S %e' -o "$work/t" "$bin" "$@" --threads "$threads" > "$work/out-$threads" 2> /dev/null || status=$?
            echo "$status" >> "$work/status-$threads"
            awk '$1 ~ /^[0-9.]+$/ { printf "%.3f %.3f\n", $1 + $2, $3 }' "$work/t" >> "$work/t-$threads"
        done
    done
    local same=identical
    cmp -s "$work/out-1" "$work/out-$cores" || same=DIFFERENT
    python3 - "$name" "$work" "$cores" "$same" <<'PY'
import statistics, sys
name, work, cores, same = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def med(threads, k):
    return statistics.median(float(line.split()[k]) for line in open(f"{work}/t-{threads}"))
def failed(threads):
    codes = [line.strip() for line in open(f"{work}/status-{threads}")]
    bad = [c for c in codes if c != "0"]
    return f" ({len(bad)} of {len(codes)} runs exited {','.join(sorted(set(bad)))})" if bad else ""
print(f"{name}: 1 thread cpu {med(1,0):.2f} s wall {med(1,1):.2f} s{failed(1)}; {cores} threads cpu {med(cores,0):.2f} s "
      f"wall {med(cores,1):.2f} s{failed(cores)}; speed-up {med(1,1)/med(cores,1):.2f}x; last outputs {same} across thread counts")
PY
}
run_case "fit saturating, 2000 series" fit "$work/many2000.csv" --group run --model saturating --json
run_case "fit auto, 40 series" fit "$work/many40.csv" --group run --model auto --json
run_case "detect, 60 series" detect "$work/many60.csv" --group run --json
echo "load after: $(uptime | sed 's/.*load average: //')"
