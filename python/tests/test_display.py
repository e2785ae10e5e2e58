"""plot() draws the CLI's curve and bands; _repr_html_ shows the fit's own numbers."""
import numpy as np
import pytest

import scalefit

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def test_plot_draws_the_cli_curve_and_bands(tailcut, tmp_path):
    result = scalefit.fit(str(tailcut / "data.csv"), model="tailcut", holdout=3)
    ax = result.plot(points=50)
    curve, low, high = ax.lines[0], ax.lines[1], ax.lines[2]
    x = curve.get_xdata()
    reference = result.predict(list(x))
    assert np.array_equal(curve.get_ydata(), reference["value"].to_numpy())
    assert np.array_equal(low.get_ydata(), reference["prediction_low"].to_numpy())
    assert np.array_equal(high.get_ydata(), reference["prediction_high"].to_numpy())
    # the shaded band is the confidence band
    band = ax.collections[-1].get_paths()[0].vertices
    assert np.isclose(band[:, 1].min(), reference["confidence_low"].min(), rtol=1e-12)
    assert np.isclose(band[:, 1].max(), reference["confidence_high"].max(), rtol=1e-12)
    # the grid spans the data; 27 points drawn filled and the 3 held out hollow
    data = result.data()
    assert x.min() == data["x"].min() and x.max() == data["x"].max()
    filled, hollow = ax.collections[0], ax.collections[1]
    assert len(filled.get_offsets()) == 27 and len(hollow.get_offsets()) == 3
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    ax.figure.savefig(tmp_path / "fit.png")
    assert (tmp_path / "fit.png").stat().st_size > 1000


def test_plot_two_input_law():
    from conftest import fixture_path
    result = scalefit.fit(fixture_path("chinchilla-sweep", "sweep.csv"), x=("N", "D"), y="loss",
                          model="chinchilla", starts=20)
    ax = result.plot()
    bars = ax.containers[0]
    fitted = bars.lines[0].get_ydata()
    data = result.data()
    reference = result.predict(list(zip(data["x"], data["x2"])))
    assert np.array_equal(fitted, reference["value"].to_numpy())


def test_html_shows_the_numbers_and_escapes(tailcut):
    result = scalefit.fit(str(tailcut / "data.csv"), model="tailcut", truth=str(tailcut / "truth.json"))
    page = result._repr_html_()
    fit = result.to_dict()["fits"][0]
    assert "<table>" in page and fit["series"] in page
    for p in fit["parameters"]:
        assert f"<th>{p['name']}</th>" in page
        assert f"{p['value']:.6g}" in page
    assert "E(T) = sum_i p_i (1 - q_i)^T" in page
    assert "<script" not in page
    verdicts = scalefit.detect(str(tailcut / "data.csv"))
    assert "plateaued" in verdicts._repr_html_()


def test_unconverged_fit_is_not_shown_as_a_result(tailcut):
    result = scalefit.fit(str(tailcut / "data.csv"), model="tailcut")
    document = result.to_dict()
    document["fits"][0]["converged"] = False
    document["fits"][0]["status"] = "max_iterations"
    document["fits"][0]["status_detail"] = "stopped at the iteration limit"
    import json
    forged = scalefit.FitResult(json.dumps(document))
    page = forged._repr_html_()
    assert "did not converge" in page and "<table>" not in page
    assert "did not converge (max_iterations)" in repr(forged)
    assert not forged.params["converged"].any()
