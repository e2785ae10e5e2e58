# The truth check of the Tale-of-Tails notebooks (tail cutting, tail narrowing, generations,
# mixing): scripts/export-notebooks.sh puts this before each of their figure files, which
# define TRUTHS and call truth_check(TRUTHS).


def truth_check(truths):
    """Each series' fitted parameters against the generator's truth: inside its 95% interval
    (widened by 1e-6 relative, the exact laws' agreement with the generator) or a MISS."""
    misses = 0
    for s, truth in zip(SERIES, truths):
        for name, value, ci, note in zip(s["names"], s["values"], s["ci95"], s["notes"]):
            if name not in truth:
                continue
            if note == "fixed":
                print(f"{s['name']}: {name} fixed at {value:.6g} (truth {truth[name]:.6g})")
                continue
            t = truth[name]
            inside = ci is not None and ci[0] - 1e-6 * abs(ci[0]) <= t <= ci[1] + 1e-6 * abs(ci[1])
            misses += not inside
            shown = "none" if ci is None else f"[{ci[0]:.6g}, {ci[1]:.6g}]"
            print(f"{s['name']}: {name} = {value:.8g}, 95% CI {shown}, truth {t:.8g} (relative error {value / t - 1:+.1e}): {'inside' if inside else 'MISS'}")
    print(f"truth check: {misses} miss(es)")
