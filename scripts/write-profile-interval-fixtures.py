#!/usr/bin/env python3
"""Writes fixtures/profile-intervals/*.json: 95% profile-likelihood intervals computed by
lmfit's conf_interval (F test, one parameter profiled) for laws fitted in log space, so that
Tests/FitTests/IntervalTests.swift can check scalefit's `--intervals profile` against an
independent implementation.

Run once (needs `pip install lmfit numpy scipy`):
    python3 scripts/write-profile-interval-fixtures.py
"""
import csv
import json
import os
import sys

import lmfit
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "fixtures", "profile-intervals")


def nmt_curve():
    """The NMT "6 Enc, 6 Dec" learning curve (Training == 1) of the revisiting benchmark."""
    path = os.path.join(ROOT, "fixtures", "reference-data", "revisiting-benchmark", "benchmark.lang.csv")
    xs, ys = [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["Domain"] == "NMT" and row["Model"] == "6 Enc, 6 Dec" and row["Training"] == "1":
                xs.append(float(row["Seen Examples"]))
                ys.append(float(row["Loss"]))
    order = np.argsort(xs)
    return np.array(xs)[order], np.array(ys)[order]


def fit(name, x, y, params, model):
    def residual(p):
        return np.log(model(p, x)) - np.log(y)

    minimizer = lmfit.Minimizer(residual, params)
    result = minimizer.minimize(method="leastsq", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=100000)
    ci = lmfit.conf_interval(minimizer, result, sigmas=[0.95], maxiter=1000)
    out = {
        "source": "lmfit %s conf_interval(sigmas=[0.95]) on log-space residuals ln L(x) - ln y" % lmfit.__version__,
        "law": name,
        "x": list(map(float, x)),
        "y": list(map(float, y)),
        "chi_squared": float(result.chisqr),
        "parameters": {},
    }
    for pname, rows in ci.items():
        # rows: (probability, value) for the lower end, the estimate, the upper end.
        (_, lower), (_, best), (_, upper) = rows
        out["parameters"][pname] = {"value": float(best), "ci95": [float(lower), float(upper)]}
    with open(os.path.join(OUT, name + "-nmt.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(name, out["parameters"], file=sys.stderr)


def main():
    os.makedirs(OUT, exist_ok=True)
    x, y = nmt_curve()

    p = lmfit.Parameters()
    p.add("A", value=1.0, min=0)
    p.add("alpha", value=0.05)
    fit("power", x, y, p, lambda p, x: p["A"] * x ** (-p["alpha"]))

    p = lmfit.Parameters()
    p.add("E", value=0.28, min=0)
    p.add("A", value=200, min=0)
    p.add("alpha", value=0.44, min=0)
    fit("saturating", x, y, p, lambda p, x: p["E"] + p["A"] * x ** (-p["alpha"]))


if __name__ == "__main__":
    main()
