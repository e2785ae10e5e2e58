fig, ax = plt.subplots(figsize=(6.5, 4.5))
colours = plt.cm.viridis(np.linspace(0, 0.85, len(SERIES)))
for s, (p, _), colour in zip(SERIES, REFITS, colours):
    beta, beta_prime = p
    exponent = (beta - 1) / beta_prime
    ax.loglog(s["x"], s["y"], "o", ms=3, color=colour)
    ax.loglog(s["x"], LAWS[s["model"]](s["x"], None, p), "-", lw=1, color=colour,
              label=f"{s['name'].split('/')[0].replace('hutter-b2-', '')}: fitted β′ = {beta_prime:.3g}, late slope {exponent:.3f}")
ax.set_xlabel("training samples T")
ax.set_ylabel("test error")
ax.set_title("Tail narrowing: a slower power law, no plateau")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# The true parameters: the settings scripts/export-notebooks.sh generates these series with
# (each one's truth.json "parameters"), in the order of SERIES.
TRUTHS = [{"beta": 2}, {"beta": 2, "beta_prime": 2.5}, {"beta": 2, "beta_prime": 3}, {"beta": 2, "beta_prime": 4}]

# truth_check is defined in figures/truth-check.py, which the export puts before this code.
truth_check(TRUTHS)
