"""predict equals fit --predict; generate → fit recovers the truth within the intervals."""
import json

import numpy as np
import pytest

import scalefit


def test_predict_equals_fit_predict(cli, tailcut, tmp_path):
    at = [3e2, 1e5, 1e8, 1e10, 1e12]
    result = scalefit.fit(str(tailcut / "data.csv"), model="tailcut", predict=at)
    from_fit = result.predictions
    from_predict = result.predict(at)
    for column in ("x", "value", "confidence_low", "confidence_high", "prediction_low", "prediction_high"):
        assert from_predict[column].tolist() == from_fit[column].tolist(), column
    # and the CLI's own predict on the saved document gives the same doubles
    saved = tmp_path / "fit.json"
    result.save(str(saved))
    reference = cli.json("predict", saved, *[f"--at={x!r}" for x in at], "--json")
    assert [p["value"] for p in reference["predictions"]] == from_predict["value"].tolist()
    assert [p["confidence_band"] for p in reference["predictions"]] == \
        from_predict[["confidence_low", "confidence_high"]].values.tolist()
    # the bands are ordered around the value and the prediction interval is the wider
    assert (from_predict["confidence_low"] < from_predict["value"]).all()
    assert (from_predict["prediction_low"] <= from_predict["confidence_low"]).all()
    assert (from_predict["prediction_high"] >= from_predict["confidence_high"]).all()


@pytest.mark.parametrize("scenario, model, options", [
    ("cut", "tailcut", dict(beta=2, cut=1000, noise=0.01, t_range=(1e2, 1e9, 30), seed=4)),
    ("narrow", "narrowing", dict(beta=1.5, narrow=3, noise=0.01, t_range=(1e2, 1e10, 30), seed=5)),
])
def test_generate_then_fit_recovers_the_truth(scenario, model, options):
    g = scalefit.generate("hutter", **options)
    result = scalefit.fit(g.data, model=model, truth=g.truth_path)
    params = result.params
    named = {k: v for k, v in g.truth["parameters"].items() if k in params.index}
    assert named, "the law's parameters are named in truth.json"
    for name, true in named.items():
        row = params.loc[name]
        assert row["truth"] == true
        assert row["ci95_low"] <= true <= row["ci95_high"], (name, true, row["ci95_low"], row["ci95_high"])
        assert bool(row["truth_in_ci95"]) is True
        assert abs(row["value"] - true) / abs(true) < 0.05


def test_saved_fit_loads_back(tailcut, tmp_path):
    result = scalefit.fit(str(tailcut / "data.csv"), model="tailcut")
    path = tmp_path / "fit.json"
    result.save(str(path))
    loaded = scalefit.load_fit(str(path))
    assert loaded.to_dict() == result.to_dict()
    assert loaded.predict(1e6)["value"].tolist() == result.predict(1e6)["value"].tolist()
