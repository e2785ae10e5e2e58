#!/usr/bin/env bash
# Long series: `scalefit fit --model saturating` on one per-step curve of 199,270 and of
# 1,920,000 points, side by side with the Python peer (peer.py: pandas.read_csv and
# scipy.optimize.curve_fit in log space from the same starts), as whole processes.
#
# Usage: benchmarks/scale/long.sh [REPEATS] [THREADS]   (from the repository root; release build)
# Prints, per size: median CPU (user + system) and wall seconds, peak RSS, bytes a point
# above the empty-process baseline (scalefit fitting a 5-point file), the CPU and wall
# ratios peer/scalefit, and the largest relative difference between the two optima.
set -euo pipefail
repeats=${1:-5}
threads=${2:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/.build/release/scalefit"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x "$bin" ] || (cd "$root" && swift build -c release --product scalefit)
thread_args=()
[ -n "$threads" ] && thread_args=(--threads "$threads")

printf 'step,loss\n1,2\n2,1.5\n3,1.3\n4,1.2\n5,1.1\n' > "$work/tiny.csv"
measure() {  # measure OUT COMMAND...: appends "cpu wall rss_kb" to OUT
    local out=$1; shift
    /usr/bin/time -f '%U %S %e %M' -o "$work/t" "$@" > "$work/stdout" 2> /dev/null
    awk '{ printf "%.3f %.3f %d\n", $1 + $2, $3, $4 }' "$work/t" >> "$out"
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load before: $(uptime | sed 's/.*load average: //')"
for _ in $(seq "$repeats"); do measure "$work/baseline" "$bin" fit "$work/tiny.csv" --model saturating; done
for n in 199270 1920000; do
    csv="$work/long-$n.csv"
    python3 "$root/benchmarks/scale/generate.py" "$n" "$csv"
    "$bin" fit "$csv" --model saturating --json "${thread_args[@]}" > "$work/scalefit.json"
    python3 "$root/benchmarks/scale/peer.py" "$csv" > "$work/peer.json"
    rm -f "$work/s" "$work/p"
    for _ in $(seq "$repeats"); do
        measure "$work/s" "$bin" fit "$csv" --model saturating "${thread_args[@]}"
        measure "$work/p" python3 "$root/benchmarks/scale/peer.py" "$csv"
    done
    python3 - "$n" "$work" <<'PY'
import json, statistics, sys
n, work = int(sys.argv[1]), sys.argv[2]
def rows(name):
    return [list(map(float, line.split())) for line in open(f"{work}/{name}")]
def med(rs, k):
    return statistics.median(r[k] for r in rs)
s, p, b = rows("s"), rows("p"), rows("baseline")
fit = json.load(open(f"{work}/scalefit.json"))["fits"][0]
ours = {q["name"]: q["value"] for q in fit["parameters"]}
peer = json.load(open(f"{work}/peer.json"))
diff = max(abs(ours[k] - peer[k]) / abs(peer[k]) for k in ("E", "A", "alpha"))
base = med(b, 2)
print(f"n={n}: scalefit cpu {med(s,0):.3f} s wall {med(s,1):.3f} s rss {med(s,2)/1024:.1f} MB "
      f"({(med(s,2)-base)*1024/n:.1f} B/point above the {base/1024:.1f} MB baseline); "
      f"peer cpu {med(p,0):.3f} s wall {med(p,1):.3f} s rss {med(p,2)/1024:.1f} MB; "
      f"ratio peer/scalefit cpu {med(p,0)/med(s,0):.2f} wall {med(p,1)/med(s,1):.2f}; "
      f"max relative parameter difference {diff:.2e}; status {fit['status']}, {fit['iterations']} iterations")
PY
done
echo "load after: $(uptime | sed 's/.*load average: //')"
