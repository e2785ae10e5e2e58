#!/usr/bin/env python3
"""Writes the benchmark inputs (invented numbers, seeded): a generic wide CSV and a W&B
panel export of about SIZE_MB megabytes each.

    python3 generate.py generic SIZE_MB OUT.csv
    python3 generate.py wandb SIZE_MB OUT.csv
"""
import random
import sys

def generic(target, out):
    rng = random.Random(1)
    out.write("step,train_loss,val_loss,lr,grad_norm,tokens_seen\n")
    written, step, lines = 0, 0, []
    while written < target:
        loss = 2.0 + 9.0 / (1.0 + step / 5000.0) + rng.random() * 0.05
        val = f"{loss + 0.03:.6f}" if step % 10 == 0 else ""
        line = f"{step},{loss:.6f},{val},{3e-4 * min(1.0, step / 2000.0):.6e},{rng.random() * 2:.5f},{step * 524288}\n"
        lines.append(line)
        written += len(line)
        step += 1
        if len(lines) == 100000:
            out.write("".join(lines))
            lines = []
    out.write("".join(lines))

def wandb(target, out):
    rng = random.Random(2)
    runs = ["tiny-70M", "base-160M - lr3e-4", "gpt2_char1729000319", "large-410M-seed1"]
    header = ['"Step"']
    for run in runs:
        header += [f'"{run} - train/loss"', f'"{run} - train/loss__MIN"', f'"{run} - train/loss__MAX"']
    out.write(",".join(header) + "\n")
    written, step, lines = 0, 0, []
    while written < target:
        cells = [f'"{step}"']
        for k in range(len(runs)):
            if step % (k + 1) == 0:
                value = 2.0 + 9.0 / (1.0 + step / (3000.0 * (k + 1))) + rng.random() * 0.01
                cells += [f'"{value!r}"', f'"{value - 0.01!r}"', f'"{value + 0.01!r}"']
            else:
                cells += ['""', '""', '""']
        line = ",".join(cells) + "\n"
        lines.append(line)
        written += len(line)
        step += 1
        if len(lines) == 20000:
            out.write("".join(lines))
            lines = []
    out.write("".join(lines))

kind, size, path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
with open(path, "w") as f:
    (generic if kind == "generic" else wandb)(int(size * 1e6), f)
