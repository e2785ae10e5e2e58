#!/usr/bin/env python3
"""Independent numpy/scipy reference numbers for scalefit's allocation, iso-FLOP and saved-fit
tests (issue 20). Run once from the repository root; commit what it writes, not the libraries:

    python3 scripts/allocation-reference.py

Writes
  fixtures/chinchilla-sweep/sweep.csv        a generated iso-FLOP sweep of a known Chinchilla law
  fixtures/chinchilla-sweep/reference.json   scipy's fits, allocations and iso-FLOP analysis of
                                             that sweep and of the rpj runs of
                                             fixtures/reference-data/overtrain-gadre2024

Nothing here calls scalefit. The allocation is found by root-finding dL/d(ln N) = 0 along
C = 6·N·D (scipy.optimize.brentq), not by the closed form scalefit uses; the fits are
scipy.optimize.least_squares on ln L − ln y, in the parametrisation (ln E, ln A, ln B, α, β);
the iso-FLOP parabolas are numpy least squares.
"""
import csv
import json
import math
import os

import numpy as np
from scipy import optimize, stats

TRUTH = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}  # Hoffmann et al. 2022, eq. 10
BUDGETS = [1e18, 3e18, 1e19, 3e19, 1e20, 3e20]
PER_BUDGET = 9
SIGMA = 0.01  # log-normal noise on the loss
SEED = 20
QUERY_BUDGETS = [1e21, 1e24]
PREDICT_AT = [(7e10, 1.4e12), (1e9, 2e10)]


def loss(p, n, d):
    e, a, b, alpha, beta = p
    return e + a * n ** -alpha + b * d ** -beta


def optimum(p, c):
    """N*, D*, L* by brentq on dL/du = 0, u = ln N, along D = C/(6N)."""
    e, a, b, alpha, beta = p
    lc = math.log(c / 6)

    def slope(u):  # d/du [A e^{-αu} + B e^{-β(lc-u)}]
        return -alpha * a * math.exp(-alpha * u) + beta * b * math.exp(-beta * (lc - u))

    u = optimize.brentq(slope, 0.0, lc, xtol=1e-15, rtol=1e-15, maxiter=500)
    n = math.exp(u)
    d = c / (6 * n)
    return n, d, loss(p, n, d)


def fit_chinchilla(n, d, y, starts):
    n, d, y = map(np.asarray, (n, d, y))

    def residuals(t):
        return np.log(np.exp(t[0]) + np.exp(t[1]) * n ** -t[3] + np.exp(t[2]) * d ** -t[4]) - np.log(y)

    best = None
    for s in starts:
        t0 = [math.log(s[0]), math.log(s[1]), math.log(s[2]), s[3], s[4]]
        try:
            r = optimize.least_squares(residuals, t0, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=200000)
        except Exception:
            continue
        if np.all(np.isfinite(r.x)) and (best is None or r.cost < best.cost):
            best = r
    t = best.x
    return [math.exp(t[0]), math.exp(t[1]), math.exp(t[2]), t[3], t[4]], 2 * best.cost


STARTS = [
    [e, a, b, al, be]
    for e in (0.5, 1.5)
    for a in (100.0, 1000.0)
    for b in (100.0, 1000.0)
    for al in (0.2, 0.5)
    for be in (0.2, 0.5)
]


def isoflop(budget_of, n, y):
    """Approach 2: a parabola of L in ln N per budget, its vertex with a delta-method 95%
    interval (Student's t, n − 3 degrees of freedom), then ln N* = a0 + a·ln C by ordinary
    least squares with a t interval on a (k − 2 degrees of freedom)."""
    groups = sorted(set(budget_of))
    rows = []
    for c in groups:
        idx = [i for i, b in enumerate(budget_of) if b == c]
        u = np.log(np.asarray([n[i] for i in idx]))
        v = np.asarray([y[i] for i in idx])
        X = np.vstack([np.ones_like(u), u, u * u]).T
        coef, *_ = np.linalg.lstsq(X, v, rcond=None)
        resid = v - X @ coef
        dof = len(u) - 3
        s2 = float(resid @ resid) / dof
        cov = s2 * np.linalg.inv(X.T @ X)
        c0, c1, c2 = coef
        vertex = -c1 / (2 * c2)
        grad = np.array([0.0, -1 / (2 * c2), c1 / (2 * c2 * c2)])
        se = math.sqrt(float(grad @ cov @ grad))
        t = stats.t.ppf(0.975, dof)
        rows.append({
            "compute": c, "curvature": float(c2), "curvature_se": math.sqrt(cov[2, 2]),
            "log_n_opt": float(vertex), "log_n_opt_se": se,
            "n_opt": math.exp(vertex), "n_opt_ci95": [math.exp(vertex - t * se), math.exp(vertex + t * se)],
            "loss_at_opt": float(c0 + c1 * vertex + c2 * vertex * vertex),
        })
    lc = np.log([r["compute"] for r in rows])
    ln = np.array([r["log_n_opt"] for r in rows])
    ld = np.log(np.array([r["compute"] for r in rows]) / 6) - ln
    out = {"budgets": rows}
    for name, target in (("N", ln), ("D", ld)):
        X = np.vstack([np.ones_like(lc), lc]).T
        coef, *_ = np.linalg.lstsq(X, target, rcond=None)
        resid = target - X @ coef
        dof = len(lc) - 2
        s2 = float(resid @ resid) / dof
        cov = s2 * np.linalg.inv(X.T @ X)
        t = stats.t.ppf(0.975, dof)
        se = math.sqrt(cov[1, 1])
        out[name] = {"exponent": float(coef[1]), "exponent_se": se,
                     "exponent_ci95": [float(coef[1] - t * se), float(coef[1] + t * se)],
                     "log_coefficient": float(coef[0])}
    return out


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    out_dir = os.path.join(root, "fixtures", "chinchilla-sweep")
    os.makedirs(out_dir, exist_ok=True)
    truth = [TRUTH[k] for k in ("E", "A", "B", "alpha", "beta")]

    # The sweep: per budget, N log-spaced over ±1 decade around the true optimum.
    rng = np.random.default_rng(SEED)
    rows = []
    for c in BUDGETS:
        n_star, _, _ = optimum(truth, c)
        for k in range(PER_BUDGET):
            n = n_star * 10 ** (-1 + 2 * k / (PER_BUDGET - 1))
            n = float(f"{n:.6g}")
            d = float(f"{c / (6 * n):.6g}")
            y = loss(truth, n, d) * math.exp(SIGMA * rng.standard_normal())
            rows.append({"C": c, "N": n, "D": d, "loss": float(f"{y:.10g}")})
    with open(os.path.join(out_dir, "sweep.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["C", "N", "D", "loss"], lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: repr(v) for k, v in r.items()})

    n = [r["N"] for r in rows]
    d = [r["D"] for r in rows]
    y = [r["loss"] for r in rows]
    p, rss = fit_chinchilla(n, d, y, STARTS)
    sweep = {
        "truth": TRUTH,
        "fit": dict(zip(("E", "A", "B", "alpha", "beta"), p)), "rss": rss,
        "allocation_truth": [dict(zip(("compute", "N", "D", "loss"), (c, *optimum(truth, c)))) for c in QUERY_BUDGETS],
        "allocation_fit": [dict(zip(("compute", "N", "D", "loss"), (c, *optimum(p, c)))) for c in QUERY_BUDGETS],
        "predictions_fit": [{"N": a, "D": b, "value": loss(p, a, b)} for a, b in PREDICT_AT],
        "isoflop": isoflop([r["C"] for r in rows], n, y),
    }

    # overtrain-gadre2024: every rpj run, loss_c4_val.
    with open(os.path.join(root, "fixtures", "reference-data", "overtrain-gadre2024", "overtrain_losses.csv")) as f:
        g = [r for r in csv.DictReader(f) if r["train_dataset"] == "rpj"]
    gn = [float(r["N_params"]) for r in g]
    gd = [float(r["D_tokens"]) for r in g]
    gy = [float(r["loss_c4_val"]) for r in g]
    gp, grss = fit_chinchilla(gn, gd, gy, STARTS)
    gadre = {
        "rows": len(g), "fit": dict(zip(("E", "A", "B", "alpha", "beta"), gp)), "rss": grss,
        "allocation_fit": [dict(zip(("compute", "N", "D", "loss"), (c, *optimum(gp, c)))) for c in QUERY_BUDGETS],
        "predictions_fit": [{"N": a, "D": b, "value": loss(gp, a, b)} for a, b in PREDICT_AT],
    }
    doc = {"generated_by": "scripts/allocation-reference.py", "numpy": np.__version__,
           "scipy": __import__("scipy").__version__, "sweep": sweep, "gadre_rpj": gadre}
    with open(os.path.join(out_dir, "reference.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
