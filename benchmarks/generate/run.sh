#!/usr/bin/env bash
# Generate benchmark, Swift (release) and numpy side by side on the same tasks.
# Usage (from the repository root): benchmarks/generate/run.sh
# numpy runs with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset (machine docs: they may be
# set for other jobs and would skew numpy's figures).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product generate-benchmark >&2
echo "# swift (release)"
swift_out=$(.build/release/generate-benchmark)
echo "$swift_out"
echo "# numpy $(python3 -c 'import numpy; print(numpy.__version__)')"
numpy_out=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 benchmarks/generate/numpy_bench.py)
echo "$numpy_out"
echo "# ratios (numpy median / swift median; > 1 means swift is faster)"
python3 - "$swift_out" "$numpy_out" <<'PY'
import json, sys
s = {j["task"]: j for j in map(json.loads, sys.argv[1].splitlines())}
n = {j["task"]: j for j in map(json.loads, sys.argv[2].splitlines())}
for task in ("exact_n1e6_t50", "exact_n1e9_t100", "montecarlo_t1e12_n1e6"):
    print(f"{task}: swift {s[task]['median_s']*1e3:.2f} ms, numpy {n[task]['median_s']*1e3:.1f} ms, ratio {n[task]['median_s']/s[task]['median_s']:.1f}x")
for beta in ("1.5", "1.1"):
    sw = s[f"emit_n1e6_beta{beta}"]["tokens_per_s"]
    for other in (f"emit_n1e6_beta{beta}_searchsorted", f"emit_n1e6_beta{beta}_choice", f"emit_unbounded_beta{beta}_generator_zipf"):
        o = n[other]["tokens_per_s"]
        print(f"emit beta={beta}: swift {sw/1e6:.1f} M tokens/s vs {other} {o/1e6:.1f} M/s, ratio {sw/o:.1f}x")
print(f"montecarlo_t1e12_ninf (unbounded support; numpy has no counterpart): swift {s['montecarlo_t1e12_ninf']['median_s']*1e3:.1f} ms")
g = s["gsl_ran_discrete_n1e6_beta1.5"]["tokens_per_s"]
print(f"gsl_ran_discrete (alias table over 1e6 ranks, build included): {g/1e6:.1f} M tokens/s")
PY
