#!/usr/bin/env python3
"""Data and Python peers for benchmarks/fit/run.sh.

`peers.py data DIR` writes the benchmark inputs (seeded numpy); `peers.py run DIR` times
scipy.optimize.curve_fit (LM and TRF), lmfit and the Epoch procedure (L-BFGS-B over the
4,500-start grid with a Huber loss on log residuals, then bootstrap) on the same files and
prints one JSON object per case (medians of repeated runs).
"""
import json
import os
import sys
import time

import numpy as np
from scipy.optimize import curve_fit, minimize


def saturating(n, E, A, alpha):
    return E + A * n ** (-alpha)


def write(path, header, columns):
    np.savetxt(path, np.column_stack(columns), delimiter=",", header=header, comments="", fmt="%.17g")


def make_data(folder):
    rng = np.random.default_rng(20241121)
    n = np.logspace(3, 9, 20)
    y = saturating(n, 1.8, 400.0, 0.35) * (1 + 0.01 * rng.standard_normal(20))
    write(f"{folder}/saturating.csv", "x,y", [n, y])
    draws = [saturating(n, 1.8, 400.0, 0.35) * (1 + 0.01 * rng.standard_normal(20)) for _ in range(200)]
    write(f"{folder}/saturating_draws.csv", "x," + ",".join(f"y{i}" for i in range(200)), [n] + draws)
    # Chinchilla: 12 x 20 grid over N in [7e7, 1.6e10], D in [5e9, 5e11], 2% noise.
    N, D = np.meshgrid(np.logspace(np.log10(7e7), np.log10(1.6e10), 12), np.logspace(np.log10(5e9), np.log10(5e11), 20), indexing="ij")
    N, D = N.ravel(), D.ravel()
    L = (1.82 + 482 * N ** -0.348 + 2085 * D ** -0.366) * np.exp(0.02 * rng.standard_normal(N.size))
    write(f"{folder}/chinchilla.csv", "N,D,loss", [N, D, L])
    # One-break smoothly broken power law, 40 points.
    x = np.logspace(2, 8, 40)
    yb = (0.05 + 10 * x ** -0.2 * (1 + (x / 1e5) ** (1 / 0.5)) ** (-0.4 * 0.5)) * (1 + 0.01 * rng.standard_normal(40))
    write(f"{folder}/broken.csv", "x,y", [x, yb])


# The clock of the single-fit cases: wall time by default; with SCALEFIT_BENCH_CLOCK=cpu,
# the calling thread's CPU time, as the Swift side then uses for the same cases (on a
# machine shared with other work). Grids and bootstraps are always timed by the wall clock.
single_clock = time.thread_time if os.environ.get("SCALEFIT_BENCH_CLOCK") == "cpu" else time.perf_counter


def timed(repeats, fn, clock=time.perf_counter):
    samples = []
    out = None
    for _ in range(repeats):
        t = clock()
        out = fn()
        samples.append(clock() - t)
    return float(np.median(samples)), out


def emit(**fields):
    print(json.dumps(fields, sort_keys=True), flush=True)


def guess(x, y):
    slope = -np.polyfit(np.log(x), np.log(y), 1)[0]
    return [0.9 * y.min(), y.max() * x.min() ** max(slope, 0.05), max(slope, 0.05)]


def run(folder, skip_numeric, only=None):
    def want(name):
        return only is None or name in only

    if only == ["round"]:
        # One round of the alternating single-fit comparison (run.sh): curve_fit LM alone.
        x, y = np.loadtxt(f"{folder}/saturating.csv", delimiter=",", skiprows=1, unpack=True)
        p0 = guess(x, y)
        sec, _ = timed(300, lambda: curve_fit(saturating, x, y, p0=p0, method="lm", maxfev=20000), clock=single_clock)
        emit(case="round_curve_fit_lm", seconds=sec)
        return
    if want("broken"):
        run_broken(folder)
    if not want("saturating") and not want("chinchilla"):
        return
    x, y = np.loadtxt(f"{folder}/saturating.csv", delimiter=",", skiprows=1, unpack=True)
    p0 = guess(x, y)
    for method in ("lm", "trf"):
        sec, (p, _) = timed(200, lambda: curve_fit(saturating, x, y, p0=p0, method=method, maxfev=20000), clock=single_clock)
        emit(case=f"saturating_fit_curve_fit_{method}", seconds=sec, E=p[0], A=p[1], alpha=p[2],
             objective=float(np.sum((saturating(x, *p) - y) ** 2)))
    try:
        import lmfit
        model = lmfit.Model(saturating)
        params = model.make_params(E=p0[0], A=p0[1], alpha=p0[2])
        sec, res = timed(100, lambda: model.fit(y, params, n=x), clock=single_clock)
        emit(case="saturating_fit_lmfit", seconds=sec, alpha=res.params["alpha"].value, objective=float(res.chisqr))
    except ImportError:
        emit(case="saturating_fit_lmfit", skipped="lmfit not installed")

    # Poor start (1, 1, 1), 200 draws, scipy LM.
    cols = np.loadtxt(f"{folder}/saturating_draws.csv", delimiter=",", skiprows=1)
    ok, rows = 0, []
    for d in range(200):
        try:
            p, _ = curve_fit(saturating, cols[:, 0], cols[:, 1 + d], p0=[1, 1, 1], method="lm", maxfev=20000)
            ok += 1
            rows.append(p)
        except RuntimeError:
            rows.append([np.nan] * 3)
    write(f"{folder}/saturating_draws_scipy.csv", "E,A,alpha", [np.array(rows)[:, i] for i in range(3)])
    emit(case="saturating_poor_start_curve_fit_lm", converged=ok, of=200)

    # Bootstrap of 1,000 resamples with curve_fit.
    rng = np.random.default_rng(1)
    def boot():
        for _ in range(1000):
            idx = rng.integers(0, x.size, x.size)
            try:
                curve_fit(saturating, x[idx], y[idx], p0=p0, method="lm", maxfev=20000)
            except RuntimeError:
                pass
    sec, _ = timed(3, boot)
    emit(case="saturating_bootstrap_1000_curve_fit", seconds=sec)

    if not want("chinchilla"):
        return

    # Epoch procedure: Huber(δ = 1e-3) on log residuals of the log-sum-exp form, L-BFGS-B
    # from every point of the 4,500-start grid; keep the best.
    N, D, L = np.loadtxt(f"{folder}/chinchilla.csv", delimiter=",", skiprows=1, unpack=True)
    lN, lD, lL = np.log(N), np.log(D), np.log(L)
    delta = 1e-3

    def logsumexp(terms, axis=0):
        # Stable log Σ exp over the first axis with plain numpy (scipy.special.logsumexp's
        # checks and broadcasting cost more than the whole objective at 240 points).
        m = np.max(terms, axis=0)
        return m + np.log(np.sum(np.exp(terms - m), axis=0))

    def huber(r):
        a = np.abs(r)
        return np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))

    def objective(t):
        a, b, e, alpha, beta = t
        pred = logsumexp([a - alpha * lN, b - beta * lD, e * np.ones_like(lN)], axis=0)
        return float(np.sum(huber(pred - lL)))

    def objective_grad(t):
        a, b, e, alpha, beta = t
        terms = np.stack([a - alpha * lN, b - beta * lD, e * np.ones_like(lN)])
        pred = logsumexp(terms, axis=0)
        r = pred - lL
        psi = np.clip(r, -delta, delta)
        w = np.exp(terms - pred)
        g = np.array([np.sum(psi * w[0]), np.sum(psi * w[1]), np.sum(psi * w[2]),
                      np.sum(psi * w[0] * -lN), np.sum(psi * w[1] * -lD)])
        return float(np.sum(huber(r))), g

    grid = [(a, b, e, al, be) for a in np.arange(0, 30, 5) for b in np.arange(0, 30, 5)
            for e in np.arange(-1, 1.5, 0.5) for al in np.arange(0, 2.5, 0.5) for be in np.arange(0, 2.5, 0.5)]

    def epoch(analytic):
        best = None
        for start in grid:
            if analytic:
                res = minimize(objective_grad, start, jac=True, method="L-BFGS-B")
            else:
                res = minimize(objective, start, method="L-BFGS-B")
            if best is None or res.fun < best.fun:
                best = res
        return best

    sec, best = timed(1, lambda: epoch(True))
    a, b, e, al, be = best.x
    emit(case="chinchilla_epoch_lbfgsb_analytic", seconds=sec, starts=len(grid), objective=float(best.fun),
         parameters=[float(np.exp(e)), float(np.exp(a)), float(np.exp(b)), float(al), float(be)])
    # 4,000 bootstrap refits from the best point (analytic gradient).
    brng = np.random.default_rng(2)
    def boot_chinchilla():
        for _ in range(4000):
            idx = brng.integers(0, lN.size, lN.size)
            def f(t, idx=idx):
                a, b, e, alpha, beta = t
                terms = np.stack([a - alpha * lN[idx], b - beta * lD[idx], e * np.ones(idx.size)])
                pred = logsumexp(terms, axis=0)
                r = pred - lL[idx]
                psi = np.clip(r, -delta, delta)
                w = np.exp(terms - pred)
                return float(np.sum(huber(r))), np.array([np.sum(psi * w[0]), np.sum(psi * w[1]), np.sum(psi * w[2]),
                                                          np.sum(psi * w[0] * -lN[idx]), np.sum(psi * w[1] * -lD[idx])])
            minimize(f, best.x, jac=True, method="L-BFGS-B")
    sec, _ = timed(1, boot_chinchilla)
    emit(case="chinchilla_bootstrap_4000_lbfgsb", seconds=sec)
    if not skip_numeric:
        sec, bestn = timed(1, lambda: epoch(False))
        emit(case="chinchilla_epoch_lbfgsb_numeric", seconds=sec, objective=float(bestn.fun))



def run_broken(folder):
    # One-break broken power law: the same 135-start grid with curve_fit (LM).
    xb, yb = np.loadtxt(f"{folder}/broken.csv", delimiter=",", skiprows=1, unpack=True)

    def broken(n, E, A, c0, c1, d1, f1):
        return E + A * n ** (-c0) * (1 + (n / d1) ** (1 / f1)) ** (-c1 * f1)

    slope = -np.polyfit(np.log(xb), np.log(yb), 1)[0]
    first = np.argmin(xb)
    A0 = (yb[first] - 1e-3 * yb.min()) * xb[first] ** slope
    locs = np.exp(np.log(xb.min()) + (np.log(xb.max()) - np.log(xb.min())) * np.arange(1, 16) / 16)
    starts = [(1e-3 * yb.min(), A0, slope, c, d, f) for d in locs for f in (0.1, 0.5, 1.0) for c in (-slope, 0.5 * slope, slope)]

    def broken_grid():
        best = np.inf
        for s in starts:
            try:
                p, _ = curve_fit(broken, xb, yb, p0=s, method="lm", maxfev=5000)
                best = min(best, float(np.sum((broken(xb, *p) - yb) ** 2)))
            except (RuntimeError, ValueError, FloatingPointError):
                pass
        return best
    with np.errstate(all="ignore"):
        sec, obj = timed(3, broken_grid)
    emit(case="broken1_grid_curve_fit", seconds=sec, starts=len(starts), objective=obj)


if __name__ == "__main__":
    if sys.argv[1] == "data":
        make_data(sys.argv[2])
    else:
        only = next((a.split("=", 1)[1].split(",") for a in sys.argv if a.startswith("--only=")), None)
        run(sys.argv[2], skip_numeric="--skip-numeric" in sys.argv, only=only)
