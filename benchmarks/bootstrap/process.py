#!/usr/bin/env python3
"""The bootstrap as users run it (issue 19): a 1,000-replicate bootstrap of a 20-point
saturating fit, timed as a whole `scalefit fit` process (with minus without --bootstrap),
side by side with scipy's curve_fit resampled 1,000 times in one Python process, as a
notebook would. Not a test.

    python3 benchmarks/bootstrap/process.py [SCALEFIT_BINARY] [ROUNDS]

The data are benchmarks/fit's saturating.csv (E = 1.8, A = 400, alpha = 0.35, n = 1e3..1e9,
20 points, 1% multiplicative noise, numpy seed 20241121), written to a temporary folder.
Each round runs every scalefit variant once, alternating, so that a change of the host's
speed hits them alike; the medians over the rounds are reported with the load average.
"""
import os, resource, subprocess, sys, tempfile, time
import numpy as np
from scipy.optimize import curve_fit

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/scalefit"
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 21


def saturating(n, E, A, alpha):
    return E + A * n ** (-alpha)


folder = tempfile.mkdtemp(prefix="scalefit-bootstrap-bench-")
rng = np.random.default_rng(20241121)
x = np.logspace(3, 9, 20)
y = saturating(x, 1.8, 400.0, 0.35) * (1 + 0.01 * rng.standard_normal(20))
path = os.path.join(folder, "saturating.csv")
np.savetxt(path, np.column_stack([x, y]), delimiter=",", header="x,y", comments="", fmt="%.17g")


def run(args):
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([binary, "fit", path, "--model", "saturating", *args], check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - start, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


variants = {}
for space in ("linear", "log"):
    for threads in ("1", "2"):
        variants[(space, threads, 0)] = ["--space", space, "--threads", threads]
        variants[(space, threads, 1000)] = ["--space", space, "--threads", threads, "--bootstrap", "1000", "--seed", "1"]
load_before = os.getloadavg()
walls = {k: [] for k in variants}
cpus = {k: [] for k in variants}
for _ in range(rounds):
    for key, args in variants.items():
        wall, cpu = run(args)
        walls[key].append(wall)
        cpus[key].append(cpu)

# The peers: curve_fit (LM, scipy's default) on 1,000 resamples in one process, on y
# (linear space, as scalefit --space linear) and on log y with the log of the law (as
# scalefit's default --space log).
p0 = [y.min() * 0.9, 1.0, 0.3]
p0[1] = (y[0] - p0[0]) * x[0] ** p0[2]
def log_saturating(n, E, A, alpha):
    return np.log(np.maximum(E + A * n ** (-alpha), 1e-300))
def boot(model, target):
    boot_rng = np.random.default_rng(1)
    for _ in range(1000):
        idx = boot_rng.integers(0, x.size, x.size)
        try:
            curve_fit(model, x[idx], target[idx], p0=p0, method="lm", maxfev=20000)
        except RuntimeError:
            pass
peer = {"linear": [], "log": []}
for _ in range(max(3, rounds // 7)):
    for space, model, target in (("linear", saturating, y), ("log", log_saturating, np.log(y))):
        start = time.perf_counter()
        boot(model, target)
        peer[space].append(time.perf_counter() - start)
load_after = os.getloadavg()
med = lambda v: float(np.median(v))
print(f"scalefit {binary}, {rounds} rounds; load before {load_before[0]:.2f}, after {load_after[0]:.2f}; "
      f"curve_fit 1,000 resamples: {med(peer['linear']) * 1e3:.1f} ms on y, {med(peer['log']) * 1e3:.1f} ms on log y "
      f"(median of {len(peer['linear'])})")
print("| space | threads | fit ms | fit + 1,000 replicates ms | net ms (wall) | net ms (CPU) | curve_fit (same space) / net wall |")
print("|---|---|---|---|---|---|---|")
for space in ("linear", "log"):
    for threads in ("1", "2"):
        base, boot_w = med(walls[(space, threads, 0)]), med(walls[(space, threads, 1000)])
        net = boot_w - base
        net_cpu = med(cpus[(space, threads, 1000)]) - med(cpus[(space, threads, 0)])
        print(f"| {space} | {threads} | {base * 1e3:.1f} | {boot_w * 1e3:.1f} | {net * 1e3:.1f} | {net_cpu * 1e3:.1f} | {med(peer[space]) / net:.1f}x |")
