fig, ax = plt.subplots(figsize=(6.5, 4.5))
colours = plt.cm.viridis(np.linspace(0, 0.85, len(SERIES)))
for s, (p, _), colour in zip(SERIES, REFITS, colours):
    n = int(s["name"].split("-n")[1].split("/")[0].split("-")[0]) if "-n" in s["name"] else None
    m = s["x"]
    ax.plot(m, s["y"], "o", ms=3, color=colour, label=f"n = {n}" if n else s["name"])
    if n:
        ax.plot(m, 1 - (1 - 1 / n) ** m * (1 - s["y"][0]), "-", lw=1, color=colour)
ax.set_xlabel("generation m")
ax.set_ylabel("collision probability S_m")
ax.set_title("Fully synthetic recursion: S_m → 1 (lines: closed form)")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
