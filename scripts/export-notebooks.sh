#!/usr/bin/env bash
# Regenerates every notebook in notebooks-export/: generates each paper's data with
# `scalefit generate`, exports a notebook with `scalefit notebook` (the paper's setting and
# figure code from notebooks-export/figures/), and executes it in a real Python kernel so the
# committed notebook carries its outputs (and its final cell has checked the scipy re-fit).
# Usage: scripts/export-notebooks.sh [path/to/scalefit]      (about two minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scalefit=${1:-.build/debug/scalefit}
[ -x "$scalefit" ] || swift build --product scalefit
scalefit=$(cd "$(dirname "$scalefit")" && pwd)/$(basename "$scalefit")
python3 -c "import nbformat, nbclient, ipykernel, numpy, scipy, matplotlib" 2>/dev/null ||
    python3 -m pip install --quiet nbformat nbclient ipykernel numpy scipy matplotlib

out="$root/notebooks-export"
figures="$out/figures"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"   # relative paths only: the notebooks name their inputs by file name

# gen NAME SCENARIO ARGS...: generate into NAME/ and keep NAME.csv (a readable input name).
# The figure code of the Tale-of-Tails notebooks checks each fit against these settings
# (TRUTHS in notebooks-export/figures/*.py: keep them in step with the commands below).
gen() {
    local name=$1; shift
    "$scalefit" generate "$@" --out "$name" 2>/dev/null
    cp "$name/data.csv" "$name.csv"
}
notebook() {
    local name=$1 title=$2; shift 2
    # Figure code that checks its fits against the truth gets the shared check in front of it.
    local figure="$figures/$name.py"
    if grep -q '^truth_check(' "$figure"; then
        cat "$figures/truth-check.py" "$figures/$name.py" > "$work/$name-figure.py"
        figure="$work/$name-figure.py"
    fi
    "$scalefit" notebook "$@" --title "$title" --introduction "$figures/$name.md" --figure "$figure" \
        --out "$out/$name.ipynb" 2>/dev/null
}

# A Tale of Tails: tail cutting, tail narrowing, generations, mixing (grokking), each fitted with
# the exact memoriser law (`scalefit models`: exact vs asymptotic) and checked against its truth.
for k in 10 100 1000 10000; do gen cut-k$k hutter --beta 2 --cut $k --t-range 1e1:1e10:28; done
# (the clean curve is left out: with no cut, the exact law's k is not identified, only "beyond
# every rank the data reach", and the scipy re-fit would stop elsewhere on that flat ridge)
notebook tail-cutting "A Tale of Tails: tail cutting" cut-k10.csv cut-k100.csv cut-k1000.csv cut-k10000.csv --model tailcut

for b in 2.5 3 4; do gen narrow-$b hutter --beta 2 --narrow $b --t-range 1e2:1e10:25; done
gen clean-narrow hutter --beta 2 --t-range 1e2:1e10:25
notebook tail-narrowing "A Tale of Tails: tail narrowing" clean-narrow.csv narrow-2.5.csv narrow-3.csv narrow-4.csv --model narrowing --fix beta=2

for g in 1 2 4 8; do gen gen$g hutter --beta 2 --generations $g --t0 1e4 --t-range 1e2:1e9:22; done
notebook generations "A Tale of Tails: repeated generations" gen1.csv gen2.csv gen4.csv gen8.csv --model tailcut

for pi in 0.1 0.01 0.001; do gen mix-$pi hutter --beta 2 --cut 1000 --mix $pi --t-range 1e2:1e12:33; done
notebook mixing "A Tale of Tails: mixing clean and synthetic data (grokking)" mix-0.1.csv mix-0.01.csv mix-0.001.csv --model mixing

# Strong Model Collapse: error vs n for several synthetic fractions p2.
for p2 in 0 0.05 0.1 0.2; do gen ridge-$p2 ridge --d 50 --p2 $p2 --c2 1 --n-range 100:20000:10 --replicates 10; done
notebook strong-model-collapse "Strong Model Collapse: error vs n for several p2" \
    ridge-0.csv ridge-0.05.csv ridge-0.1.csv ridge-0.2.csv --metric test_error --model saturating

# How Bad is Training on Synthetic Data: S_m vs generation.
for n in 20 50 100; do
    gen multinomial-$n multinomial --vocab 100 --n $n --generations 100 --replicates 100
    sed -i "s/^multinomial-full,/multinomial-n$n,/" multinomial-$n.csv
done
notebook how-bad "How Bad is Training on Synthetic Data: S_m vs generation" \
    multinomial-20.csv multinomial-50.csv multinomial-100.csv --metric collision_probability --model generations-power

# Collapse or Thrive: replace vs accumulate vs accumulate-subsample.
for w in replace accumulate accumulate-subsample; do gen gauss-$w gaussian --d 2 --n 100 --iterations 100 --workflow $w --replicates 100; done
notebook collapse-or-thrive "Collapse or Thrive: replace vs accumulate vs accumulate-subsample" \
    gauss-replace.csv gauss-accumulate.csv gauss-accumulate-subsample.csv --metric mean_squared_error --model generations

cd "$root"
# The notebooks made here; from-python.ipynb is the Python package's (scripts/python-ci.sh runs it).
made=()
for name in tail-cutting tail-narrowing generations mixing strong-model-collapse how-bad collapse-or-thrive; do
    made+=("notebooks-export/$name.ipynb")
done
python3 scripts/check-notebook.py --write "${made[@]}"
ls -la "${made[@]}"
