#!/usr/bin/env python3
"""Writes a per-step training curve for the long-series benchmark: CSV `step,loss`.

loss = E + A·step^(−α) times log-normal noise (σ = 0.02 in log space), steps 1..N,
E = 1.7, A = 8, α = 0.32, fixed seed. Usage: generate.py N OUT.csv
"""
import sys

import numpy as np

n, out = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(20261204)
step = np.arange(1, n + 1, dtype=np.float64)
loss = (1.7 + 8.0 * step ** -0.32) * np.exp(0.02 * rng.standard_normal(n))
with open(out, "w") as f:
    f.write("step,loss\n")
    for s, v in zip(step.astype(np.int64).tolist(), loss.tolist()):
        f.write(f"{s},{v!r}\n")
