"""Generate benchmark: the numpy side, the same tasks as swift/main.swift.

Prints one JSON object per task (median wall time over repeats)."""
import json
import time

import numpy as np


WALL = {}


def timed(fn, repeats):
    """Thread CPU seconds per repeat (the machine is shared); wall times kept in WALL."""
    out, wall = [], []
    for _ in range(repeats):
        w, t = time.perf_counter(), time.thread_time()
        fn()
        out.append(time.thread_time() - t)
        wall.append(time.perf_counter() - w)
    WALL["last"] = wall
    return out


def report(task, times, **extra):
    print(json.dumps({"task": task, "median_s": float(np.median(times)),
                      "median_wall_s": float(np.median(WALL["last"])), "repeats": len(times), **extra}))


def exact(beta, n, ts):
    i = np.arange(1, n + 1, dtype=np.float64)
    p = i ** -beta
    p /= p.sum()
    log_miss = np.log1p(-p)
    return [float(np.sum(p * np.exp(t * log_miss))) for t in ts]


# 1. Exact curve, N = 1e6, 50 values of T (vectorised sum per T).
ts = np.logspace(2, 12, 50)
report("exact_n1e6_t50", timed(lambda: exact(1.5, 1_000_000, ts), 7))

# 2. N = 1e9 would need 16 GB of arrays; measure N = 1e7 with 100 T and scale by 100.
ts100 = np.logspace(2, 15, 100)
t7 = timed(lambda: exact(1.5, 10_000_000, ts100), 3)
WALL["last"] = [100 * x for x in WALL["last"]]
report("exact_n1e9_t100", [100 * x for x in t7], extrapolated_from_n=1e7)

# 3. Monte Carlo, T = 1e12 tokens over 1e6 ranks: numpy's multinomial (conditional binomials).
rng = np.random.default_rng(1)
i = np.arange(1, 1_000_001, dtype=np.float64)
p2 = i ** -2.0
p2 /= p2.sum()
def mc():
    counts = rng.multinomial(10**12, p2)
    return float(p2[counts == 0].sum())
report("montecarlo_t1e12_n1e6", timed(mc, 5))

# 4. Token emission over 1e6 ranks.
for beta in (1.5, 1.1):
    p = i ** -beta
    cdf = np.cumsum(p / p.sum())
    m = 10_000_000
    def searchsorted():
        return np.searchsorted(cdf, rng.random(m), side="right") + 1
    t = timed(searchsorted, 5)
    report(f"emit_n1e6_beta{beta}_searchsorted", t, tokens_per_s=m / float(np.median(t)))
    def choice():
        return rng.choice(1_000_000, size=m, p=p / p.sum()) + 1
    t = timed(choice, 3)
    report(f"emit_n1e6_beta{beta}_choice", t, tokens_per_s=m / float(np.median(t)))
    def zipf():
        return rng.zipf(beta, size=m)
    t = timed(zipf, 3)
    report(f"emit_unbounded_beta{beta}_generator_zipf", t, tokens_per_s=m / float(np.median(t)))
