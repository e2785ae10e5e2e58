#!/usr/bin/env bash
# Detect validation: 1200 generated curves (clean, saturating, tail-cut, narrowed, mixed, multi-generation,
# ridge mixture) with 0.5-5% noise; prints the confusion matrix and the timing.
# Usage: benchmarks/detect/run.sh [COUNT [SEED]]  (COUNT 1200, SEED 2026 by default; the first
# COUNT curves of a seed are the same whatever COUNT is)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product detect-validation >/dev/null
.build/release/detect-validation "${1:-1200}" "${2:-2026}"
