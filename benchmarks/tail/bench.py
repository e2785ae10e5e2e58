#!/usr/bin/env python3
"""scalefit tail vs the Python `powerlaw` package on the Clauset et al. (2009) data.

Run from the repository root (results and their reading: benchmarks/tail/RESULTS.md):

    swift build -c release --product scalefit && python3 benchmarks/tail/bench.py

For each data set it fits the power law both ways (x_min by minimum KS distance, alpha,
sigma) and times it; then it times the fit plus the four likelihood-ratio tests. Times
are medians of --runs runs. scalefit is timed as a whole process (start-up, reading the
file and printing JSON included); powerlaw is timed inside Python (import and file
reading excluded), which favours powerlaw.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import powerlaw  # noqa: E402  (after the warning filter: powerlaw warns on import paths)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATASETS = [  # name, discrete, scale (PROVENANCE.md of fixtures/reference-data/zipf-csn2009)
    ("words", True, 1.0),
    ("terrorism", True, 1.0),
    ("blackouts", False, 1e-3),
    ("cities", False, 1e-3),
]
ALTERNATIVES = ["lognormal", "exponential", "stretched_exponential", "truncated_power_law"]


def run_scalefit(binary, path, discrete, scale, compare):
    args = [binary, "tail", path, "--discrete" if discrete else "--continuous",
            "--scale", repr(scale), "--compare", compare, "--json"]
    start = time.perf_counter()
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, json.loads(out)


def run_powerlaw(data, discrete, compare):
    start = time.perf_counter()
    fit = powerlaw.Fit(data, discrete=discrete, verbose=False)
    ratios = {}
    if compare:
        for name in ALTERNATIVES:
            ratios[name] = fit.distribution_compare(
                "power_law", name, normalized_ratio=(name != "truncated_power_law"))
    return time.perf_counter() - start, fit, ratios


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "scalefit"))
    parser.add_argument("--data", default=os.path.join(ROOT, "fixtures", "reference-data", "zipf-csn2009"))
    args = parser.parse_args()

    print(f"powerlaw {powerlaw.__version__ if hasattr(powerlaw, '__version__') else '?'}, "
          f"numpy {np.__version__}, python {sys.version.split()[0]}, runs {args.runs}\n")
    print("| data | scalefit x_min | powerlaw x_min | scalefit alpha | powerlaw alpha | scalefit sigma | powerlaw sigma |"
          " fit: scalefit s | fit: powerlaw s | ratio | fit+4 LR: scalefit s | fit+4 LR: powerlaw s | ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    comparisons = []
    for name, discrete, scale in DATASETS:
        path = os.path.join(args.data, name + ".txt")
        data = np.loadtxt(path) * scale
        ours = [run_scalefit(args.binary, path, discrete, scale, "none") for _ in range(args.runs)]
        theirs = [run_powerlaw(data, discrete, False) for _ in range(args.runs)]
        ours_lr = [run_scalefit(args.binary, path, discrete, scale, "all") for _ in range(args.runs)]
        theirs_lr = [run_powerlaw(data, discrete, True) for _ in range(args.runs)]
        t_ours = statistics.median(t for t, _ in ours)
        t_theirs = statistics.median(t for t, _, _ in theirs)
        t_ours_lr = statistics.median(t for t, _ in ours_lr)
        t_theirs_lr = statistics.median(t for t, _, _ in theirs_lr)
        fit = ours[0][1]["power_law"]
        pl = theirs[0][1]
        print(f"| {name} | {fit['xmin']:.6g} | {pl.xmin:.6g} | {fit['alpha']:.4f} | {pl.alpha:.4f} | "
              f"{fit['stderr']:.4f} | {pl.sigma:.4f} | {t_ours:.3f} | {t_theirs:.3f} | {t_theirs / t_ours:.1f}x | "
              f"{t_ours_lr:.3f} | {t_theirs_lr:.3f} | {t_theirs_lr / t_ours_lr:.1f}x |")
        ours_cmp = {c["alternative"]: c for c in ours_lr[0][1]["comparisons"]}
        for alt in ALTERNATIVES:
            r, p = theirs_lr[0][2][alt]
            c = ours_cmp[alt]
            ours_r = c["R"] if c["nested"] else c["normalized_R"]
            comparisons.append((name, alt, ours_r, c["p_value"], r, p))

    print("\nLikelihood ratios (normalised R for non-nested alternatives, raw R for the nested cut-off):\n")
    print("| data | alternative | scalefit R | scalefit p | powerlaw R | powerlaw p |")
    print("|---|---|---|---|---|---|")
    for name, alt, r1, p1, r2, p2 in comparisons:
        fmt = lambda x: "null" if x is None else f"{x:.3g}"  # noqa: E731
        print(f"| {name} | {alt} | {fmt(r1)} | {fmt(p1)} | {fmt(r2)} | {fmt(p2)} |")


if __name__ == "__main__":
    main()
