#!/usr/bin/env python3
"""The Python peer of `scalefit fit --model saturating` on one long curve.

pandas.read_csv, then scipy.optimize.curve_fit in log space (ln L = ln(E + A·x^(−α))),
with MINPACK's Levenberg–Marquardt (method="lm", tolerances 1e-12 like scalefit's),
from the same six starts scalefit's saturating law makes (its Guess.floorFreeExponent and
Guess.floorAndScale, ported below), keeping the lowest cost. Prints the optimum as JSON.
Usage: peer.py FILE.csv
"""
import json
import sys

import numpy as np
import pandas
from scipy.optimize import curve_fit

table = pandas.read_csv(sys.argv[1])
x = table["step"].to_numpy(dtype=np.float64)
y = table["loss"].to_numpy(dtype=np.float64)
lx, ly = np.log(x), np.log(y)


def floor_free_exponent(lx, y):
    n = len(lx)
    if n < 6:
        return None
    order = np.argsort(lx, kind="stable")
    group = 3 * np.arange(n) // n
    u = np.array([lx[order][group == g].mean() for g in range(3)])
    v = np.array([y[order][group == g].mean() for g in range(3)])
    ratio, spacing = (v[0] - v[1]) / (v[1] - v[2]), 0.5 * (u[2] - u[0])
    if not (v[0] > v[1] > v[2] and ratio > 1 and np.isfinite(ratio) and spacing > 0):
        return None
    return min(max(np.log(ratio) / spacing, 0.02), 5)


def log_log_slope(lx, y):
    return np.polyfit(lx, np.log(y), 1)[0]


def floor_and_scale(lx, y, min_y, alpha):
    w, g = 1 / (y * y), np.exp(-alpha * lx)
    s00, s01, s11 = w.sum(), (w * g).sum(), (w * g * g).sum()
    t0, t1 = (w * y).sum(), (w * g * y).sum()
    det = s00 * s11 - s01 * s01
    e = (t0 * s11 - t1 * s01) / det if det != 0 else 0
    e = min(max(e, 0), 0.99 * min_y)
    a = max((t1 - e * s01) / s11, 1e-12) if s11 > 0 else 1
    return e, a


first = floor_free_exponent(lx, y)
if first is None:
    first = max(-log_log_slope(lx, y), 0.05)
min_y = y.min()
starts = []
for alpha in [first, 0.1, 0.25, 0.5, 1.0, 2.0]:
    e, a = floor_and_scale(lx, y, min_y, alpha)
    starts.append([max(e, 1e-3 * min_y), a, alpha])


def model(lx, e, a, alpha):
    return np.log(e + a * np.exp(-alpha * lx))


best = None
for p0 in starts:
    try:
        p, cov = curve_fit(model, lx, ly, p0=p0, method="lm", ftol=1e-12, xtol=1e-12, gtol=1e-12)
    except RuntimeError:
        continue
    cost = float(((model(lx, *p) - ly) ** 2).sum())
    if best is None or cost < best[0]:
        best = (cost, p, cov)
cost, p, cov = best
print(json.dumps({"E": p[0], "A": p[1], "alpha": p[2], "chi_squared": cost,
                  "se": np.sqrt(np.diag(cov)).tolist()}))
