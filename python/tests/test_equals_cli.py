"""The package's results are the command line's JSON, exactly: each test runs the CLI by
hand with the same arguments and compares the parsed documents (floats compared as doubles,
so a single changed bit fails)."""
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import scalefit
from conftest import fixture_path


def test_fit_equals_cli_json(cli, tailcut):
    data, truth = tailcut / "data.csv", tailcut / "truth.json"
    result = scalefit.fit(str(data), model="tailcut", truth=str(truth), predict=[1e10, 1e11], holdout=2)
    expected = cli.json("fit", data, "--model", "tailcut", "--truth", truth, "--predict", "1e10,1e11",
                        "--holdout", "2", "--json")
    assert result.to_dict() == expected
    # the DataFrame is the same numbers, not re-computed ones
    fit = expected["fits"][0]
    for p in fit["parameters"]:
        row = result.params.loc[p["name"]]
        assert row["value"] == p["value"]
        assert row["stderr"] == p["stderr"]
        assert [row["ci95_low"], row["ci95_high"]] == p["ci95"]
        assert row["ci95_method"] == p["ci95_method"]
        assert row["truth"] == p["truth"]["value"]
        assert row["truth_in_ci95"] == p["truth"]["in_ci95"]
    for d in fit["derived"]:
        assert result.derived.loc[d["name"], "value"] == d["value"]


def test_auto_comparison_equals_cli(cli, tailcut):
    data = tailcut / "data.csv"
    result = scalefit.fit(str(data), holdout=2)  # model="auto" by default, as the CLI
    expected = cli.json("fit", data, "--holdout", "2", "--json")
    assert result.to_dict() == expected
    assert list(result.comparison["model"]) == [c["model"] for c in expected["comparison"]]
    assert list(result.comparison["aicc"]) == [c["aicc"] for c in expected["comparison"]]


def test_two_input_fit_and_optimal_equal_cli(cli, tmp_path):
    sweep = fixture_path("chinchilla-sweep", "sweep.csv")
    options = dict(x=("N", "D"), y="loss", model="chinchilla", starts=20, bootstrap=40, seed=1)
    result = scalefit.fit(sweep, **options)
    expected = cli.json("fit", sweep, "--x", "N,D", "--y", "loss", "--model", "chinchilla", "--starts", "20",
                        "--bootstrap", "40", "--seed", "1", "--json")
    assert result.to_dict() == expected

    saved = tmp_path / "fit.json"
    result.save(str(saved))
    assert json.loads(saved.read_text()) == expected
    allocations = scalefit.optimal(result, compute=[1e21, 1e24], tokens_per_parameter=100)
    reference = cli.json("optimal", saved, "--compute", "1e21", "1e24", "--tokens-per-parameter", "100", "--json")
    document = allocations.attrs["scalefit"]
    assert document["allocations"] == reference["allocations"]
    assert document["overtraining"] == reference["overtraining"]
    assert list(allocations["N"]) == [a["N"]["value"] for a in reference["allocations"]]
    assert list(allocations["loss_ci95_high"]) == [a["loss"]["ci95"][1] for a in reference["allocations"]]
    over = allocations.attrs["overtraining"]
    assert list(over["extra_compute"]) == [o["extra_compute"]["value"] for o in reference["overtraining"]]

    pairs = [(7e10, 1.4e12), (1e9, 2e10)]
    frame = scalefit.predict(str(saved), pairs)
    reference = cli.json("predict", saved, "--at", "7e10:1.4e12", "--at", "1e9:2e10", "--json")
    assert list(frame["value"]) == [p["value"] for p in reference["predictions"]]
    assert list(frame["x2"]) == [p["x2"] for p in reference["predictions"]]
    assert list(frame["prediction_low"]) == [p["prediction_interval"][0] for p in reference["predictions"]]


def test_detect_equals_cli(cli, tailcut):
    data = tailcut / "data.csv"
    verdicts = scalefit.detect(str(data))
    expected = cli.json("detect", data, "--json")
    assert verdicts.to_dict() == expected
    assert verdicts.verdicts.loc[expected["verdicts"][0]["series"], "verdict"] == expected["verdicts"][0]["verdict"]
    # a tail-cut curve measured two and a half decades past its plateau onset has plateaued
    assert expected["verdicts"][0]["verdict"] == "plateaued"


def test_ingest_equals_cli_table(cli, tmp_path):
    panel = fixture_path("wandb-panel.csv")
    with pytest.warns(UserWarning, match=r"dropped 2 points: .*truncated last row.*non-finite"):
        frame = scalefit.ingest(panel, metric="train/loss")  # what was dropped is said, with counts
    out = tmp_path / "tidy.csv"
    cli.run("ingest", panel, "--metric", "train/loss", "-o", out)
    lines = out.read_text().splitlines()
    assert list(frame.columns) == lines[0].split(",")
    assert len(frame) == len(lines) - 1
    x = [float(line.split(",")[2]) for line in lines[1:]]
    value = [float(line.split(",")[3]) for line in lines[1:]]
    assert frame["x"].tolist() == x
    assert frame["value"].tolist() == value
    assert frame["run"].tolist() == [line.split(",")[0] for line in lines[1:]]
    report = frame.attrs["scalefit"]
    assert sum(s["n_points"] for s in report["series"]) == len(frame)
    assert report["dropped_total"] == 2


def test_ingest_jsonl_output_is_the_same_table(tmp_path):
    sweep = fixture_path("sweep-compute.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing dropped, so no warning
        from_csv = scalefit.ingest(sweep, x=("N", "D"), derive=True)
    target = tmp_path / "tidy.jsonl"
    from_jsonl = scalefit.ingest(sweep, x=("N", "D"), derive=True, output=str(target))
    assert target.exists()
    pd.testing.assert_frame_equal(from_csv, from_jsonl, check_exact=True)
    assert {"x", "x2", "value"} <= set(from_csv.columns)
    # D derived from C = 6·N·D: the rows say so in the report's warnings
    assert any("derived D" in w for w in from_csv.attrs["scalefit"]["warnings"])


def test_generate_is_the_cli_generate(cli, tmp_path):
    g = scalefit.generate("hutter", beta=2, cut=1000, noise=0.01, t_range=(1e2, 1e9, 30), seed=3,
                          out=str(tmp_path / "mine"))
    cli.run("generate", "hutter", "--beta", "2", "--cut", "1000", "--noise", "0.01", "--t-range", "1e2:1e9:30",
            "--seed", "3", "--out", tmp_path / "cli")
    assert open(g.data_path, "rb").read() == (tmp_path / "cli" / "data.csv").read_bytes()
    truth = json.loads((tmp_path / "cli" / "truth.json").read_text())
    assert g.truth == truth
    assert g.data["x"].tolist() == truth["parameters"]["T"]
    samples = scalefit.generate("zipf-sample", alpha=2.5, xmin=1, count=2000, seed=7)
    reference = cli.run("generate", "zipf-sample", "--alpha", "2.5", "--xmin", "1", "--count", "2000", "--seed", "7")
    assert samples.tolist() == [int(v) for v in reference.stdout.split()]


def test_report_writes_the_cli_report(cli, tailcut, tmp_path):
    out = scalefit.report(str(tailcut / "data.csv"), out=str(tmp_path / "report.html"), model="tailcut")
    text = open(out, encoding="utf-8").read()
    assert text.lstrip().lower().startswith("<!doctype html")
    assert "tailcut" in text


def test_flags_translation():
    from scalefit._cli import flags
    assert flags({"min_x": 1000, "group": ["Domain", "Model"], "x": ("N", "D"), "fix": {"E": 1.7},
                  "derive": True, "quiet": False, "series": None, "t_range": (1e2, 1e9, 30),
                  "predict": np.array([1e9, 1e10]), "loss": "huber:1e-3"}) == [
        "--min-x=1000", "--group=Domain", "--group=Model", "--x=N,D", "--fix=E=1.7", "--derive",
        "--t-range=100.0:1000000000.0:30", "--predict=1000000000.0", "--predict=10000000000.0",
        "--loss=huber:1e-3"]
    # a value that starts with '-' stays a value
    assert flags({"min_x": -5.5}) == ["--min-x=-5.5"]
    # numpy scalars are written as the doubles they hold
    assert flags({"holdout": np.int64(3), "min_x": np.float64(0.1)}) == ["--holdout=3", "--min-x=0.1"]
