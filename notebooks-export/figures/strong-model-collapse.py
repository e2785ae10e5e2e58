fig, ax = plt.subplots(figsize=(6.5, 4.5))
colours = plt.cm.viridis(np.linspace(0, 0.85, len(SERIES)))
for s, (p, _), colour in zip(SERIES, REFITS, colours):
    p2 = float(s["name"].split("p2_")[1].split("/")[0]) if "p2_" in s["name"] else 0.0
    ax.loglog(s["x"], s["y"], "o", ms=3, color=colour, label=f"p₂ = {p2:g}: fitted floor {p[0]:.3g}")
    ax.loglog(s["x"], LAWS[s["model"]](s["x"], None, p), "-", lw=1, color=colour)
    if p2 > 0:
        ax.axhline(p2 ** 2, color=colour, ls=":", lw=0.8)
ax.set_xlabel("samples n")
ax.set_ylabel("test error")
ax.set_title("Strong model collapse: error vs n for several synthetic fractions")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
