#!/usr/bin/env python3
"""Summarises benchmarks/fit/last-run.jsonl: scalefit's time against each peer as a ratio."""
import json
import sys

rows = {}
all_rows = []
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        row = json.loads(line)
        rows[row["case"]] = row
        all_rows.append(row)


def ratio(ours, peer, label):
    if ours in rows and peer in rows and "seconds" in rows[ours] and "seconds" in rows[peer]:
        a, b = rows[ours]["seconds"], rows[peer]["seconds"]
        print(f"{label:58s} scalefit {a * 1e3:10.3f} ms   peer {b * 1e3:10.3f} ms   peer/scalefit {b / a:8.1f}x")


ratio("saturating_fit", "saturating_fit_curve_fit_lm", "saturating fit (20 points) vs curve_fit LM")
ratio("saturating_fit", "saturating_fit_curve_fit_trf", "saturating fit (20 points) vs curve_fit TRF")
ratio("saturating_fit", "saturating_fit_lmfit", "saturating fit (20 points) vs lmfit")
ratio("saturating_bootstrap_1000", "saturating_bootstrap_1000_curve_fit", "1,000-resample bootstrap vs curve_fit")
ratio("chinchilla_grid_huber:0.001", "chinchilla_epoch_lbfgsb_analytic", "Chinchilla 4,500-start grid (Huber) vs L-BFGS-B analytic")
ratio("chinchilla_grid_huber:0.001", "chinchilla_epoch_lbfgsb_numeric", "Chinchilla 4,500-start grid (Huber) vs L-BFGS-B numeric")
ratio("chinchilla_bootstrap_4000_huber:0.001", "chinchilla_bootstrap_4000_lbfgsb", "Chinchilla 4,000 bootstrap refits vs L-BFGS-B")
ratio("broken1_grid", "broken1_grid_curve_fit", "broken1 135-start grid vs curve_fit LM")
peer_rounds = [r["seconds"] for r in all_rows if r["case"] == "round_curve_fit_lm"]
our_rounds = [r["seconds"] for r in all_rows if r["case"] == "round_scalefit"]
if peer_rounds and len(peer_rounds) == len(our_rounds):
    ratios = sorted(b / a for a, b in zip(our_rounds, peer_rounds))
    middle = ratios[len(ratios) // 2] if len(ratios) % 2 else 0.5 * (ratios[len(ratios) // 2 - 1] + ratios[len(ratios) // 2])
    print(f"saturating fit vs curve_fit LM, {len(ratios)} alternating rounds: median ratio {middle:.1f}x "
          f"(rounds {', '.join(f'{r:.1f}' for r in ratios)}; scalefit {min(our_rounds) * 1e3:.4f}-{max(our_rounds) * 1e3:.4f} ms, "
          f"curve_fit {min(peer_rounds) * 1e3:.3f}-{max(peer_rounds) * 1e3:.3f} ms)")
for case in ("saturating_fit", "saturating_fit_curve_fit_lm"):
    if case in rows:
        r = rows[case]
        print(f"{case}: E={r.get('E')}, A={r.get('A')}, alpha={r.get('alpha')}, objective={r.get('objective')}")
if "saturating_fit" in rows and "saturating_fit_curve_fit_lm" in rows:
    a, b = rows["saturating_fit"], rows["saturating_fit_curve_fit_lm"]
    worst = max(abs(a[k] - b[k]) / abs(b[k]) for k in ("E", "A", "alpha"))
    print(f"largest relative parameter difference vs curve_fit LM: {worst:.2e}")
for case in ("saturating_poor_start", "saturating_poor_start_curve_fit_lm"):
    if case in rows:
        print(case, rows[case])
for case in ("chinchilla_grid_huber:0.001", "chinchilla_epoch_lbfgsb_analytic", "chinchilla_epoch_lbfgsb_numeric",
             "chinchilla_grid_lsq", "broken1_grid", "broken1_grid_curve_fit"):
    if case in rows:
        r = rows[case]
        print(f"{case}: objective {r.get('objective')}")
