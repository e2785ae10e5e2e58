#!/usr/bin/env bash
# Tests the Python package as a user gets it: a fresh virtual environment, `pip install
# ./python`, then pytest (python/tests) and an execution of notebooks-export/from-python.ipynb
# in a kernel of that environment. The package ships the binary named by SCALEFIT_BIN, or
# .build/release/scalefit when it exists (CI built it for the demo), or compiles one
# (`swift build -c release`, minutes). The tests then run the shipped binary, not SCALEFIT_BIN.
# Called by .ci/run. Usage: scripts/python-ci.sh
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' 2>/dev/null || {
    echo "python-ci: python3 with venv is needed (Debian: apt-get install python3-venv; scripts/install-deps.sh does it)" >&2
    exit 2
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
python="$work/venv/bin/python"

if [ -z "${SCALEFIT_BIN:-}" ] && [ -x .build/release/scalefit ]; then
    export SCALEFIT_BIN="$PWD/.build/release/scalefit"
fi
t=$(date +%s)
"$python" -m pip install --quiet ./python
echo "python-ci: pip install ./python took $(( $(date +%s) - t )) s (binary: ${SCALEFIT_BIN:-compiled by the build step})"
unset SCALEFIT_BIN  # from here on the package runs the binary it ships
"$python" -c 'import os, scalefit; b = scalefit.binary(); assert b.startswith(os.path.dirname(scalefit.__file__)), b; print("python-ci: shipped binary", scalefit.version())'

"$python" -m pip install --quiet pytest nbformat nbclient ipykernel matplotlib
# A kernel of this environment, under its own name, so the notebook imports this install.
"$python" -m ipykernel install --prefix "$work/venv" --name scalefit-python-ci >/dev/null

status=0
(cd python && MPLBACKEND=Agg "$python" -m pytest -p no:cacheprovider tests) || status=$?
[ "$status" -ne 5 ] || { echo "python-ci: pytest collected no test" >&2; status=1; }

"$python" - notebooks-export/from-python.ipynb <<'PY' || status=$?
import sys, time
import nbformat
from nbclient import NotebookClient
path = sys.argv[1]
start = time.time()
notebook = nbformat.read(path, as_version=4)
nbformat.validate(notebook)
NotebookClient(notebook, timeout=300, kernel_name="scalefit-python-ci",
               resources={"metadata": {"path": "notebooks-export"}}).execute()
nbformat.validate(notebook)
print(f"python-ci: {path}: executed in {time.time() - start:.1f} s")
PY
rm -rf python/build python/src/scalefit.egg-info "$work"  # what the in-tree build left; the venv
trap - EXIT
echo "python-ci: done in $(( $(date +%s) - start )) s with status $status"
exit "$status"
