#!/usr/bin/env bash
# Streams a large generated input through `scalefit inspect` and reports peak RSS
# (/usr/bin/time -v), then deletes the file. Needs a release build:
#   swift build -c release --product scalefit
#   benchmarks/reliability/big-input.sh log MEGABYTES    # nanoGPT log: 1 loss line per MiB of progress noise
#   benchmarks/reliability/big-input.sh csv MEGABYTES    # wide CSV step,loss: every row a point
# Check free space first (df -h /tmp); the file is written to ${TMPDIR:-/tmp}.
set -euo pipefail
cd "$(dirname "$0")/../.."
kind=$1 size=$2
bin=.build/release/scalefit
dir=$(mktemp -d "${TMPDIR:-/tmp}/scalefit-big-XXXXXX")
trap 'rm -rf "$dir"' EXIT
df -h "$dir" | tail -1
case $kind in
log)
    file=$dir/train.log
    # One MiB block: a loss line, then progress-bar noise the reader must skip.
    python3 - "$dir/block" <<'PY'
import sys
lines = ["step 100: train loss 2.5000, val loss 2.6000\n"]
size = len(lines[0])
while size < (1 << 20) - 80:
    line = "  47%|####7     | 4700/10000 [01:02<01:10, 75.3it/s, lr=3e-4 noise]\n"
    lines.append(line); size += len(line)
open(sys.argv[1], "w").write("".join(lines))
PY
    blocks=$size
    for ((i = 0; i < blocks; i++)); do cat "$dir/block"; done > "$file"
    ;;
csv)
    file=$dir/curve.csv
    python3 - "$file" "$size" <<'PY'
import sys
path, megabytes = sys.argv[1], int(sys.argv[2])
with open(path, "w") as out:
    out.write("step,loss\n")
    step, written, target = 0, 0, megabytes << 20
    while written < target:
        rows = "".join(f"{step + i},{2 + 1 / (step + i + 1):.6f}\n" for i in range(100000))
        out.write(rows); written += len(rows); step += 100000
PY
    ;;
esac
ls -la "$file"
/usr/bin/time -v "$bin" inspect "$file" 2>&1 >/dev/null | grep -E "Maximum resident|Elapsed|Exit status"
