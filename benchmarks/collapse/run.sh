#!/usr/bin/env bash
# Recovery and 95%-interval coverage of the exact collapse laws (see Sources/main.swift).
# Usage: benchmarks/collapse/run.sh [replicates]   (default 200; prints Markdown tables)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product collapse-recovery >&2
echo "load: $(uptime)" >&2
.build/release/collapse-recovery "${1:-200}"
