from scipy.special import zeta as _zeta

fig, ax = plt.subplots(figsize=(6.5, 4.5))
colours = plt.cm.viridis(np.linspace(0, 0.85, len(SERIES)))
for s, (p, _), colour in zip(SERIES, REFITS, colours):
    beta, k = p
    ax.loglog(s["x"], s["y"], "o", ms=3, color=colour, label=s["name"].split("/")[0].replace("hutter-b2-", "") + f": fitted k = {k:.4g}")
    ax.loglog(s["x"], LAWS[s["model"]](s["x"], None, p), "-", lw=1, color=colour)
    plateau = _zeta(beta, k + 1) / _zeta(beta)  # the unseen tail mass
    if plateau > 1e-12 and plateau > 0.1 * s["y"].min():
        ax.axhline(plateau, color=colour, ls=":", lw=0.8)
ax.set_xlabel("training samples T")
ax.set_ylabel("test error")
ax.set_title("Tail cutting: scaling stops at the missing tail mass")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# The true parameters: the settings scripts/export-notebooks.sh generates these series with
# (each one's truth.json "parameters"), in the order of SERIES.
TRUTHS = [{"beta": 2, "k": 10}, {"beta": 2, "k": 100}, {"beta": 2, "k": 1000}, {"beta": 2, "k": 10000}]

# truth_check is defined in figures/truth-check.py, which the export puts before this code.
truth_check(TRUTHS)
