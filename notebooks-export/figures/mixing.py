fig, ax = plt.subplots(figsize=(6.5, 4.5))
colours = plt.cm.viridis(np.linspace(0, 0.8, len(SERIES)))
for s, (p, _), colour in zip(SERIES, REFITS, colours):
    a, beta, floor, pi = p
    c = 1 - 1 / beta
    start = (a / floor) ** (1 / c)
    ax.axvspan(start, start / pi, color=colour, alpha=0.08)
    ax.loglog(s["x"], s["y"], "o", ms=3, color=colour)
    ax.loglog(s["x"], LAWS[s["model"]](s["x"], None, p), "-", lw=1, color=colour,
              label=f"π = {pi:.3g} (plateau {np.log10(1 / pi):.1f} decades)")
ax.set_xlabel("training samples T")
ax.set_ylabel("test error")
ax.set_title("Mixing clean and tail-cut data: plateau, then a second descent")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
