"""Errors carry scalefit's message and exit status; a failed command leaves no file."""
import os

import pytest

import scalefit


def test_bad_file_raises_with_location_and_status(tmp_path):
    bad = tmp_path / "ragged.csv"
    bad.write_text("step,loss\n1,2.0\n2,1.5,7\n3,1.2\n")
    out = tmp_path / "tidy.csv"
    with pytest.raises(scalefit.ScalefitError) as caught:
        scalefit.ingest(str(bad), output=str(out))
    error = caught.value
    assert error.status == 2
    assert "ragged.csv:3:7: error: expected 2 cells as in the header, found 3" in error.message
    assert "exit status 2" in str(error)
    assert not out.exists()  # nothing half-written
    assert os.listdir(tmp_path) == ["ragged.csv"]  # and no temporary left beside it


def test_fit_errors(tmp_path, tailcut):
    with pytest.raises(scalefit.ScalefitError) as caught:
        scalefit.fit(str(tmp_path / "missing.csv"))
    assert caught.value.status == 2
    assert "missing.csv: error: cannot open" in caught.value.message

    with pytest.raises(scalefit.ScalefitError) as caught:
        scalefit.fit(str(tailcut / "data.csv"), model="no-such-law")
    assert caught.value.status == 2
    assert 'unknown model "no-such-law"' in caught.value.message

    with pytest.raises(scalefit.ScalefitError) as caught:
        scalefit.fit(str(tailcut / "data.csv"), model="tailcut", x="nosuch")
    assert caught.value.status == 2
    assert 'no column "nosuch" for --x' in caught.value.message


def test_fit_plot_output_not_written_on_bad_input(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,value\n1,2\n3,abc\n")
    svg = tmp_path / "fit.svg"
    with pytest.raises(scalefit.ScalefitError) as caught:
        scalefit.fit(str(bad), x="x", y="value", model="power", plot=str(svg))
    assert caught.value.status == 2
    assert 'bad.csv:3:3: error: in value: expected a number, found "abc"' in caught.value.message
    assert not svg.exists()


def test_detect_fail_on_collapse_keeps_the_verdicts(tailcut):
    with pytest.raises(scalefit.ScalefitError) as caught:
        scalefit.detect(str(tailcut / "data.csv"), fail_on_collapse=True)
    assert caught.value.status == 3
    assert "collapse or plateau detected" in caught.value.message
    verdicts = caught.value.result.verdicts
    assert verdicts["verdict"].tolist() == ["plateaued"]


def test_bad_generate_parameter_writes_nothing(tmp_path):
    out = tmp_path / "g"
    with pytest.raises(scalefit.ScalefitError) as caught:
        scalefit.generate("hutter", beta=0.5, t=[1e3], out=str(out))
    assert caught.value.status == 2
    assert "beta" in caught.value.message
    assert not out.exists() or os.listdir(out) == []


def test_missing_binary_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("SCALEFIT_BIN", str(tmp_path / "nowhere"))
    with pytest.raises(scalefit.ScalefitError) as caught:
        scalefit.version()
    assert caught.value.status == 2
    assert "SCALEFIT_BIN" in caught.value.message


def test_output_that_cannot_be_written_is_an_error(tmp_path, tailcut):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(scalefit.ScalefitError) as caught:
        scalefit.ingest(str(tailcut / "data.csv"), output=str(folder))
    assert caught.value.status == 2
    assert "a-folder" in caught.value.message
    assert os.listdir(folder) == []


def test_a_failed_check_keeps_the_result(cli, tailcut, tmp_path):
    # the truth of another curve (cut at k = 3000): --fail-on-miss exits 1 and says which
    cli.run("generate", "hutter", "--beta", "2", "--cut", "3000", "--t", "1e3", "--out", tmp_path / "other")
    other = tmp_path / "other" / "truth.json"
    with pytest.raises(scalefit.ScalefitError) as caught:
        scalefit.fit(str(tailcut / "data.csv"), model="tailcut", truth=str(other), fail_on_miss=True)
    error = caught.value
    assert error.status == 1
    assert "the truth lies outside the 95% interval" in error.message and " k" in error.message
    params = error.result.params
    assert params.loc["k", "truth"] == 3000 and not params.loc["k", "truth_in_ci95"]
    assert params.loc["beta", "truth_in_ci95"]  # β is 2 in both
    expected = cli.run("fit", tailcut / "data.csv", "--model", "tailcut", "--truth", other, "--fail-on-miss",
                       "--json", check=False)
    assert expected.returncode == 1
    import json
    assert error.result.to_dict() == json.loads(expected.stdout)
