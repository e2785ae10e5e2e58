#!/usr/bin/env bash
# Detect validation: 1200 generated curves (clean, saturating, tail-cut, narrowed, mixed, multi-generation,
# ridge mixture) with 0.5-5% noise; prints the confusion matrix and the timing.
# Usage: benchmarks/detect/run.sh [COUNT [SEEDS]]  (COUNT 1200 curves per seed; SEEDS a comma-separated
# list, 2026,2027,7,1,2 by default: 6,000 curves, reported per seed and pooled; the first COUNT
# curves of a seed are the same whatever COUNT is)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product detect-validation >/dev/null
.build/release/detect-validation "${1:-1200}" "${2:-2026,2027,7,1,2}"
