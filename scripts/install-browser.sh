#!/usr/bin/env bash
# Installs headless Chromium (Debian's `chromium` package) for the report's browser test
# (Tests/CLITests/BrowserTests.swift). Does nothing when a browser is present.
# Measured on the CI machine: about 136 s (apt-get install chromium, packages downloaded).
# Without it the test skips itself; SCALEFIT_BROWSER_TESTS=1 makes a missing browser a failure.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
start=$(date +%s)
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq chromium >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
    echo "scalefit: cannot install chromium here; the browser test will be skipped" >&2
    exit 0
fi
echo "scalefit: chromium installed in $(( $(date +%s) - start )) s" >&2
