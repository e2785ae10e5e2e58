#!/usr/bin/env python3
"""Writes many short saturating curves for the many-series benchmark: CSV `run,step,loss`.

Run r: loss = E + A·x^(−α) times log-normal noise (σ = 0.01 in log space) at `points`
log-spaced x from 10² to 10⁷, with E in [0.5, 1.5), A in [5, 25), α in [0.2, 0.5) drawn per
run; fixed seed. Usage: many.py RUNS POINTS OUT.csv
"""
import math, random, sys
n, points, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(7)
with open(path, "w") as f:
    f.write("run,step,loss\n")
    for r in range(n):
        E = 0.5 + rng.random(); A = 5 + 20 * rng.random(); alpha = 0.2 + 0.3 * rng.random()
        for i in range(points):
            x = 10 ** (2 + 5 * i / (points - 1))
            y = (E + A * x ** -alpha) * math.exp(rng.gauss(0, 0.01))
            f.write(f"run{r:05d},{x:.6g},{y:.8g}\n")
