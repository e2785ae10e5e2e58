fig, ax = plt.subplots(figsize=(6.5, 4.5))
colours = {"replace": "#c62828", "accumulate": "#2e7d32", "accumulate-subsample": "#1565c0"}
for s, (p, _) in zip(SERIES, REFITS):
    workflow = s["name"].split("/")[0].replace("gaussian-", "")
    colour = colours.get(workflow, "#555555")
    ax.plot(s["x"], s["y"], "o", ms=2.5, color=colour, label=f"{workflow} ({s['model']} fit)")
    ax.plot(s["x"], LAWS[s["model"]](s["x"], None, p), "-", lw=1, color=colour)
ax.set_xlabel("model-fitting iteration t")
ax.set_ylabel("‖μ̂ − μ₀‖²")
ax.set_yscale("log")
ax.set_title("Replace collapses, accumulate stays bounded")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
