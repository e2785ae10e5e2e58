#!/usr/bin/env bash
# Streams a large generated input through `scalefit inspect` and reports peak RSS
# (/usr/bin/time -v), then deletes the file. Needs a release build:
#   swift build -c release --product scalefit
#   benchmarks/reliability/big-input.sh log MEGABYTES    # nanoGPT log: 1 loss line per MiB of progress noise
#   benchmarks/reliability/big-input.sh csv MEGABYTES    # wide CSV step,loss: every row a point
# Check free space first (df -h /tmp); the file is written to ${TMPDIR:-/tmp}.
# SCALEFIT_BIN overrides the binary. `inspect` streams: every point is folded into its
# series' summary as it is read, so peak RSS should not depend on MEGABYTES.
set -euo pipefail
cd "$(dirname "$0")/../.."
kind=$1 size=$2
bin=${SCALEFIT_BIN:-.build/release/scalefit}
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
    # A small C writer (Python's formatting runs at about 15 MB/s, so 10 GB would take
    # over ten minutes): rows `step,loss` with loss = 2 + 1/(step + 1) to 6 decimals.
    cat > "$dir/gen.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    FILE *out = fopen(argv[1], "w");
    long long target = atoll(argv[2]) << 20, written = 0, step = 0;
    static char buf[1 << 20];
    size_t n = 0;
    n += sprintf(buf, "step,loss\n");
    while (written + (long long)n < target) {
        char row[64], digits[24];
        int len = 0, d = 0;
        long long s = step;
        do { digits[d++] = '0' + s % 10; s /= 10; } while (s);
        while (d) row[len++] = digits[--d];
        row[len++] = ',';
        long long micro = (long long)((2.0 + 1.0 / (double)(step + 1)) * 1e6 + 0.5);
        row[len++] = '0' + micro / 1000000; row[len++] = '.';
        for (int k = 100000; k; k /= 10) row[len++] = '0' + (micro / k) % 10;
        row[len++] = '\n';
        if (n + len > sizeof buf) { fwrite(buf, 1, n, out); written += n; n = 0; }
        for (int k = 0; k < len; k++) buf[n++] = row[k];
        step++;
    }
    fwrite(buf, 1, n, out);
    return fclose(out) != 0;
}
C
    cc -O2 -o "$dir/gen" "$dir/gen.c"
    "$dir/gen" "$file" "$size"
    ;;
esac
ls -la "$file"
/usr/bin/time -v "$bin" inspect "$file" 2>&1 >"$dir/out.txt" | grep -E "User time|System time|Maximum resident|Elapsed|Exit status"
tail -3 "$dir/out.txt"
