#!/usr/bin/env bash
# Exports a few notebooks with scalefit (a fit of each kind), validates each with nbformat
# and executes it with nbclient in a real Python kernel (and validates the committed ones in
# notebooks-export/); each notebook's last cell asserts that the scipy re-fit agrees with
# scalefit's parameters within 1e-3 relative. Installs the Python packages it needs.
# Called by .ci/run after the tests. Usage: scripts/check-notebooks.sh [path/to/scalefit]
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scalefit=${1:-.build/debug/scalefit}
[ -x "$scalefit" ] || swift build --product scalefit

python3 -c "import nbformat, nbclient, ipykernel, numpy, scipy, matplotlib" 2>/dev/null ||
    python3 -m pip install --quiet nbformat nbclient ipykernel numpy scipy matplotlib
python3 -c "import jupyter_client.kernelspec as k; k.KernelSpecManager().get_kernel_spec('python3')" 2>/dev/null ||
    python3 -m ipykernel install --user --name python3 >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A tail-cut curve (collapse law), a noisy saturating curve with a hold-out, and a family of generations.
"$scalefit" generate hutter --beta 2 --cut 1000 --t-range 1e2:1e7:16 --out "$work/cut" 2>/dev/null
"$scalefit" notebook "$work/cut/data.csv" --model tailcut --out "$work/tailcut.ipynb" 2>/dev/null
python3 - "$work/noisy.csv" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(7)  # a saturating law E = 0.4, A = 20, alpha = 0.35 with 2% noise
n = np.geomspace(1e3, 1e9, 18)
with open(sys.argv[1], "w") as out:
    out.write("n,loss\n")
    for x, e in zip(n, rng.normal(0, 0.02, n.size)):
        out.write(f"{float(x)!r},{float((0.4 + 20 * x ** -0.35) * np.exp(e))!r}\n")
PY
"$scalefit" notebook "$work/noisy.csv" --x n --y loss --model saturating --holdout 3 --loss huber:0.02 --out "$work/huber.ipynb" 2>/dev/null
for g in 1 3; do
    "$scalefit" generate hutter --beta 2 --generations $g --t0 1e4 --t-range 1e2:1e7:14 --out "$work/g$g" 2>/dev/null
done
"$scalefit" notebook "$work/g1/data.csv" "$work/g3/data.csv" --model auto --out "$work/family.ipynb" 2>/dev/null

python3 scripts/check-notebook.py "$work"/*.ipynb
# The committed notebooks in notebooks-export/ were executed when they were made
# (scripts/export-notebooks.sh); here they are only validated, to keep CI short.
shopt -s nullglob
committed=(notebooks-export/*.ipynb)
if [ ${#committed[@]} -gt 0 ]; then
    python3 -c 'import sys, nbformat
for p in sys.argv[1:]:
    nbformat.validate(nbformat.read(p, as_version=4)); print("check-notebooks:", p, "valid")' "${committed[@]}"
fi
echo "check-notebooks: done in $(( $(date +%s) - start )) s"
