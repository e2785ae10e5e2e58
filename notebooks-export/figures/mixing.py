from scipy.special import zeta as _zeta

fig, ax = plt.subplots(figsize=(6.5, 4.5))
colours = plt.cm.viridis(np.linspace(0, 0.8, len(SERIES)))
for s, (p, _), colour in zip(SERIES, REFITS, colours):
    beta, k, pi = p
    start = k ** beta * _zeta(beta)  # T1 = k^β ζ(β): the cut ranks are learned
    ax.axvspan(start, start / pi, color=colour, alpha=0.08)
    ax.loglog(s["x"], s["y"], "o", ms=3, color=colour)
    ax.loglog(s["x"], LAWS[s["model"]](s["x"], None, p), "-", lw=1, color=colour,
              label=f"fitted π = {pi:.4g}, k = {k:.4g} (plateau {np.log10(1 / pi):.1f} decades)")
ax.set_xlabel("training samples T")
ax.set_ylabel("test error")
ax.set_title("Mixing clean and tail-cut data: plateau, then a second descent")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# The true parameters: the settings scripts/export-notebooks.sh generates these series with
# (each one's truth.json "parameters"), in the order of SERIES.
TRUTHS = [{"beta": 2, "k": 1000, "pi": 0.1}, {"beta": 2, "k": 1000, "pi": 0.01}, {"beta": 2, "k": 1000, "pi": 0.001}]

# truth_check is defined in figures/truth-check.py, which the export puts before this code.
truth_check(TRUTHS)
