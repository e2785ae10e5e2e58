#!/usr/bin/env bash
# Fit benchmarks, side by side in one run: scalefit (release build) against
# scipy.optimize.curve_fit (LM, TRF), lmfit and the Epoch procedure (scipy L-BFGS-B).
# Usage: benchmarks/fit/run.sh [--skip-numeric]   (the numeric-gradient Epoch run takes minutes)
# Results: one JSON line per case in benchmarks/fit/last-run.jsonl; see RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
folder=$(mktemp -d)
python3 -c "import lmfit" 2>/dev/null || pip install -q lmfit >/dev/null 2>&1 || echo "lmfit not installed: skipped" >&2
python3 benchmarks/fit/peers.py data "$folder"
swift build -c release --product fit-benchmarks >/dev/null
out=benchmarks/fit/last-run.jsonl
# OpenBLAS variables slow a current numpy (machine notes); unset them for the peers only.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 benchmarks/fit/peers.py run "$folder" "$@" > "$out.peers"
.build/release/fit-benchmarks "$folder" > "$out.ours"
# The single fit takes microseconds, and this host's per-core speed drifts within minutes:
# seven short rounds alternate curve_fit LM and scalefit, and the report gives the median
# of the rounds' ratios besides the ratio of the two long runs above.
for _ in 1 2 3 4 5 6 7; do
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 benchmarks/fit/peers.py run "$folder" --only=round >> "$out.ours"
    .build/release/fit-benchmarks "$folder" round >> "$out.ours"
done
cat "$out.peers" "$out.ours" > "$out" && rm "$out.peers" "$out.ours"
python3 benchmarks/fit/report.py "$out"
rm -rf "$folder"
