#!/usr/bin/env bash
# Detect validation: 600 generated curves (clean, tail-cut, narrowed, mixed, multi-generation,
# ridge mixture) with 0.5-5% noise; prints the confusion matrix and the timing.
# Usage: benchmarks/detect/run.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product detect-validation >/dev/null
.build/release/detect-validation "${1:-600}"
