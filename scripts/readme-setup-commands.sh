#!/usr/bin/env bash
# Prints the README's set-up commands (the lines of its ```sh blocks that run
# scripts/install-deps.sh), one a line, as written. .ci/run runs them;
# Tests/CLITests/ReadmeTests.swift runs every other command of the README.
set -euo pipefail
cd "$(dirname "$0")/.."
awk '
    /^```/ { if (inblock) { inblock = 0 } else { inblock = 1; shell = ($0 ~ /^```(sh|bash|shell)$/) } next }
    inblock && shell && /scripts\/install-deps\.sh/ { print }
' README.md
