from scipy.special import zeta as _zeta

fig, (ax, floor_ax) = plt.subplots(1, 2, figsize=(10, 4.2))
colours = plt.cm.viridis(np.linspace(0, 0.85, len(SERIES)))
generations, floors = [], []
for s, (p, _), colour in zip(SERIES, REFITS, colours):
    name = s["name"].split("/")[0]
    g = int(name.split("-gen")[1].split("-")[0]) if "-gen" in name else 0
    ax.loglog(s["x"], s["y"], "o", ms=3, color=colour, label=f"generation {g}")
    ax.loglog(s["x"], LAWS[s["model"]](s["x"], None, p), "-", lw=1, color=colour)
    beta, k = p
    generations.append(g)
    # The exact tail-cut law's plateau: the tail mass beyond the effective cut k.
    floors.append(_zeta(beta, k + 1) / _zeta(beta))
ax.set_xlabel("training samples T")
ax.set_ylabel("test error")
ax.set_title("Generations: the floor rises")
ax.legend(fontsize=8)
floor_ax.semilogy(generations, floors, "o-")
floor_ax.set_xlabel("generation")
floor_ax.set_ylabel("fitted plateau (tail mass beyond k)")
floor_ax.set_title("Floor vs generation")
fig.tight_layout()
plt.show()

# The true parameters: the settings scripts/export-notebooks.sh generates these series with
# (each one's truth.json "parameters"), in the order of SERIES.
TRUTHS = [{"beta": 2}, {"beta": 2}, {"beta": 2}, {"beta": 2}]

# truth_check is defined in figures/truth-check.py, which the export puts before this code.
truth_check(TRUTHS)
