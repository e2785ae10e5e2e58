fig, ax = plt.subplots(figsize=(6.5, 4.5))
colours = plt.cm.viridis(np.linspace(0, 0.85, len(SERIES)))
for s, (p, _), colour in zip(SERIES, REFITS, colours):
    exponent = (p[1] - 1) / p[2]
    ax.loglog(s["x"], s["y"], "o", ms=3, color=colour)
    ax.loglog(s["x"], LAWS[s["model"]](s["x"], None, p), "-", lw=1, color=colour,
              label=f"{s['name'].split('/')[0].replace('hutter-b2-', '')}: fitted β′ = {p[2]:.2f}, slope {exponent:.3f}")
ax.set_xlabel("training samples T")
ax.set_ylabel("test error")
ax.set_title("Tail narrowing: a slower power law, no plateau")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
