#!/usr/bin/env bash
# Ingest throughput and peak memory, side by side with pandas.read_csv. Not a test.
#
#   benchmarks/ingest/run.sh [RUNS]      (default 3; needs about 2.3 GB free in /tmp)
#
# Builds the release binary, writes a generic wide CSV and a W&B panel export of 100 MB and
# 1 GB to /tmp, then for each: `scalefit inspect FILE` (tokenize, parse, fold every point
# into its series' summary as it streams: the clean-up's counts, x range, first, last,
# min), `scalefit inspect --json FILE` (the same plus the input's SHA-256, computed on a
# second thread that reads the file again), and pandas.read_csv(FILE) (in a venv under
# /tmp if pandas is missing). Reports the median over RUNS of MB/s per core (bytes / (user
# + system CPU seconds of all threads)), MB/s by wall clock for --json, and peak RSS from
# /usr/bin/time -v.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
here=benchmarks/ingest
tmp=${TMPDIR:-/tmp}/scalefit-ingest-bench
mkdir -p "$tmp"
swift build -c release --product scalefit >&2
bin=.build/release/scalefit
py=python3
if ! "$py" -c 'import pandas' 2>/dev/null; then
    [ -x "$tmp/venv/bin/python" ] || { python3 -m venv "$tmp/venv" && "$tmp/venv/bin/pip" install -q pandas; }
    py=$tmp/venv/bin/python
fi
pandas_version=$("$py" -c 'import pandas; print(pandas.__version__)')

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

cpu_rate() { awk -v mb="$1" -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.1f", mb / (u + s) }' "$tmp/time.log"; }
rss() { awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$tmp/time.log"; }

# measure LABEL FILE: prints one table row.
measure() {
    local label=$1 file=$2
    local mb
    mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f", b / 1e6 }')
    local s_rate=() s_rss=() j_rate=() j_wall=() j_rss=() p_rate=() p_rss=()
    for _ in $(seq "$runs"); do
        /usr/bin/time -v "$bin" inspect "$file" > /dev/null 2> "$tmp/time.log"
        s_rate+=("$(cpu_rate "$mb")")
        s_rss+=("$(rss)")
        /usr/bin/time -v "$bin" inspect --json "$file" > /dev/null 2> "$tmp/time.log"
        j_rate+=("$(cpu_rate "$mb")")
        j_wall+=("$(awk -v mb="$mb" -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", mb / s }' "$tmp/time.log")")
        j_rss+=("$(rss)")
        local out
        out=$(/usr/bin/time -v "$py" "$here/pandas_read.py" "$file" 2> "$tmp/time.log")
        p_rate+=("$(echo "$out" | awk -v mb="$mb" '{ printf "%.1f", mb / $1 }')")
        p_rss+=("$(rss)")
    done
    local sr jr pr
    sr=$(printf '%s\n' "${s_rate[@]}" | median); jr=$(printf '%s\n' "${j_rate[@]}" | median); pr=$(printf '%s\n' "${p_rate[@]}" | median)
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.2f |\n' "$label" "$mb" \
        "$sr" "$(printf '%s\n' "${s_rss[@]}" | median)" "$jr" "$(printf '%s\n' "${j_wall[@]}" | median)" \
        "$(printf '%s\n' "${j_rss[@]}" | median)" \
        "$pr" "$(printf '%s\n' "${p_rss[@]}" | median)" "$(awk -v a="$sr" -v b="$pr" 'BEGIN { print a / b }')"
}

echo "scalefit $(git rev-parse --short HEAD), pandas $pandas_version, $(nproc) cores, median of $runs runs, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| input | MB | inspect MB/s/core | RSS MB | inspect --json MB/s/core | --json MB/s wall | RSS MB | pandas MB/s/core | RSS MB | speed ratio inspect/pandas |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for size in 100 1000; do
    [ -f "$tmp/generic-$size.csv" ] || "$py" "$here/generate.py" generic "$size" "$tmp/generic-$size.csv"
    [ -f "$tmp/wandb-$size.csv" ] || "$py" "$here/generate.py" wandb "$size" "$tmp/wandb-$size.csv"
done
for size in 100 1000; do
    measure "generic CSV" "$tmp/generic-$size.csv"
    measure "W&B panel" "$tmp/wandb-$size.csv"
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
