fig, ax = plt.subplots(figsize=(6.5, 4.5))
colours = plt.cm.viridis(np.linspace(0, 0.85, len(SERIES)))
for s, (p, _), colour in zip(SERIES, REFITS, colours):
    ax.loglog(s["x"], s["y"], "o", ms=3, color=colour, label=s["name"].split("/")[0].replace("hutter-b2-", ""))
    ax.loglog(s["x"], LAWS[s["model"]](s["x"], None, p), "-", lw=1, color=colour)
    floor = p[2]
    if floor > 1e-12:
        ax.axhline(floor, color=colour, ls=":", lw=0.8)
ax.set_xlabel("training samples T")
ax.set_ylabel("test error")
ax.set_title("Tail cutting: scaling stops at the missing tail mass")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
