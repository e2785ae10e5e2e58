"""A DataFrame handed to scalefit loses no point: every float arrives as the same double."""
import math
import struct

import numpy as np
import pandas as pd

import scalefit
from scalefit._frame import same_floats, write_csv


def awkward_doubles(count, seed):
    """Positive doubles whose shortest text is long or unusual: random mantissas over 600
    decades, subnormals, the largest double, halfway cases, integers past 2^53."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(1, 2**52, size=count, dtype=np.uint64) | (
        rng.integers(1023 - 990, 1023 + 1000, size=count, dtype=np.uint64) << np.uint64(52))
    values = bits.view(np.float64).tolist()
    values += [5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
               0.1, 0.2, 0.30000000000000004, 1 / 3, 2.0**53 + 2, 9007199254740993.0, 1e23, 8.98846567431158e307,
               123456789012345680.0, 4.9406564584124654e-322, 0.1 + 0.7, math.pi, math.e]
    return values


def test_dataframe_round_trip_is_bit_exact():
    values = awkward_doubles(5000, seed=11)
    xs = sorted(set(awkward_doubles(len(values), seed=12)))[:len(values)]
    values = values[:len(xs)]
    frame = pd.DataFrame({"run": "r", "metric": "loss", "x": xs, "value": values, "lr": "3e-4"})
    back = scalefit.ingest(frame)
    assert len(back) == len(frame)  # no point dropped
    back = back.sort_values("x", kind="stable").reset_index(drop=True)
    assert same_floats(back["x"], frame["x"])
    assert same_floats(back["value"], frame["value"])
    assert back["lr"].tolist() == ["3e-4"] * len(frame)  # labels as written


def test_written_text_reads_back_to_the_same_doubles(tmp_path):
    values = awkward_doubles(2000, seed=5)
    frame = pd.DataFrame({"x": np.arange(1, len(values) + 1, dtype=np.float64), "value": values})
    path = tmp_path / "frame.csv"
    write_csv(frame, str(path))
    cells = [line.split(",")[1] for line in path.read_text().splitlines()[1:]]
    for cell, value in zip(cells, values):
        assert struct.pack("<d", float(cell)) == struct.pack("<d", value)
        assert len(cell) <= len(repr(value))  # the shortest text, no padding digits


def test_fit_of_a_dataframe_equals_fit_of_the_file(tailcut):
    path = str(tailcut / "data.csv")
    frame = scalefit.ingest(path)
    from_frame = scalefit.fit(frame, model="tailcut", holdout=2, predict=[1e10])
    from_file = scalefit.fit(path, model="tailcut", holdout=2, predict=[1e10])
    assert from_frame.to_dict()["fits"] == from_file.to_dict()["fits"]


def test_wide_dataframe_with_named_index(tmp_path):
    # a plain table (a named index becomes a column): the columns are chosen as on the CLI
    n = np.geomspace(1e6, 1e10, 12)
    loss = 1.7 + 400 * n ** -0.3
    frame = pd.DataFrame({"loss": loss}, index=pd.Index(n, name="params"))
    result = scalefit.fit(frame, model="saturating", x="params", y="loss", name="sweep")
    assert result.series == ["sweep/loss"]
    fitted = result.params["value"]
    assert abs(fitted["E"] - 1.7) < 1e-6 and abs(fitted["alpha"] - 0.3) < 1e-6
    data = result.data()
    assert same_floats(data["x"], n) and same_floats(data["value"], loss)
