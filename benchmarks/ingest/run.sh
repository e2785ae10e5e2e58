#!/usr/bin/env bash
# Ingest throughput and peak memory, side by side with pandas.read_csv. Not a test.
#
#   benchmarks/ingest/run.sh [RUNS]      (default 3; needs about 2.3 GB free in /tmp)
#
# Builds the release binary, writes a generic wide CSV and a W&B panel export of 100 MB and
# 1 GB to /tmp, then for each: `scalefit inspect FILE` (the whole Ingest.read: tokenize,
# parse, build the series, clean up) and `scalefit inspect FILE --metric M` (one metric
# kept), and pandas.read_csv(FILE) (in a venv under /tmp if pandas is missing). Reports the
# median over RUNS of MB/s per core (bytes / (user + system CPU seconds)) and peak RSS
# from /usr/bin/time -v.
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

# measure LABEL FILE METRIC: prints one table row.
measure() {
    local label=$1 file=$2 metric=$3
    local mb
    mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f", b / 1e6 }')
    local s_rate=() s_rss=() m_rate=() m_rss=() p_rate=() p_rss=()
    for _ in $(seq "$runs"); do
        /usr/bin/time -v "$bin" inspect "$file" > /dev/null 2> "$tmp/time.log"
        s_rate+=("$(awk -v mb="$mb" -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.1f", mb / (u + s) }' "$tmp/time.log")")
        s_rss+=("$(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$tmp/time.log")")
        /usr/bin/time -v "$bin" inspect "$file" --metric "$metric" > /dev/null 2> "$tmp/time.log"
        m_rate+=("$(awk -v mb="$mb" -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.1f", mb / (u + s) }' "$tmp/time.log")")
        m_rss+=("$(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$tmp/time.log")")
        local out
        out=$(/usr/bin/time -v "$py" "$here/pandas_read.py" "$file" 2> "$tmp/time.log")
        p_rate+=("$(echo "$out" | awk -v mb="$mb" '{ printf "%.1f", mb / $1 }')")
        p_rss+=("$(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$tmp/time.log")")
    done
    local sr mr pr
    sr=$(printf '%s\n' "${s_rate[@]}" | median); mr=$(printf '%s\n' "${m_rate[@]}" | median); pr=$(printf '%s\n' "${p_rate[@]}" | median)
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %.2f |\n' "$label" "$mb" \
        "$sr" "$(printf '%s\n' "${s_rss[@]}" | median)" "$mr" "$(printf '%s\n' "${m_rss[@]}" | median)" \
        "$pr" "$(printf '%s\n' "${p_rss[@]}" | median)" "$(awk -v a="$sr" -v b="$pr" 'BEGIN { print a / b }')"
}

echo "scalefit $(git rev-parse --short HEAD), pandas $pandas_version, $(nproc) cores, median of $runs runs"
echo
echo "| input | MB | scalefit MB/s/core | RSS MB | with --metric MB/s/core | RSS MB | pandas MB/s/core | RSS MB | speed ratio scalefit/pandas |"
echo "|---|---|---|---|---|---|---|---|---|"
for size in 100 1000; do
    [ -f "$tmp/generic-$size.csv" ] || "$py" "$here/generate.py" generic "$size" "$tmp/generic-$size.csv"
    [ -f "$tmp/wandb-$size.csv" ] || "$py" "$here/generate.py" wandb "$size" "$tmp/wandb-$size.csv"
done
for size in 100 1000; do
    measure "generic CSV" "$tmp/generic-$size.csv" train_loss
    measure "W&B panel" "$tmp/wandb-$size.csv" train/loss
done
