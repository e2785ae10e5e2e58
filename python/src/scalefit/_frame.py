"""DataFrames to and from the files scalefit reads and writes, with no float changed.

Floats are written with Python's repr, the shortest text that reads back to the same
double, and read with Python's float, which is correctly rounded, so a DataFrame that
goes through a file comes back bit for bit.
"""
from __future__ import annotations

import csv
import math
import os
from typing import List

import numpy as np
import pandas as pd

# The numeric columns of scalefit's normal form (run,metric,x,value[,x2],labels…); every
# other column of it is text (labels are read as written: "2.0" stays "2.0").
NUMERIC = ("x", "value", "x2")


def _cells(column: pd.Series) -> List[str]:
    if pd.api.types.is_bool_dtype(column.dtype):
        return ["true" if v else "false" for v in column.tolist()]
    if pd.api.types.is_integer_dtype(column.dtype):
        return ["" if v is None or v is pd.NA else str(int(v)) for v in column.tolist()]
    if pd.api.types.is_float_dtype(column.dtype):
        out = []
        for v in column.tolist():
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                out.append("")  # missing: scalefit drops it and says so
            elif math.isinf(v):
                out.append("inf" if v > 0 else "-inf")
            else:
                out.append(repr(float(v)))
        return out
    out = []
    for v in column.tolist():
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            out.append("")
        elif isinstance(v, float):
            out.append(repr(v))
        else:
            out.append(str(v))
    return out


def write_csv(frame: pd.DataFrame, path: str) -> None:
    """Writes the frame as CSV (a named index becomes a column; an unnamed one is left out)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        raise ValueError(f"the DataFrame has repeated column names: {names}")
    columns = [_cells(frame.iloc[:, i]) for i in range(frame.shape[1])]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(zip(*columns))


def read_normal_form(path: str) -> pd.DataFrame:
    """Reads a table `scalefit ingest -o FILE.csv` wrote: x, value (and x2) as float64,
    every other column as text exactly as written. Numbers are converted by Python's float,
    which is correctly rounded, so each is the double scalefit wrote."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8")
    for name in NUMERIC:
        if name in frame.columns:
            column = frame[name].tolist()
            frame[name] = np.fromiter((float(v) for v in column), dtype=np.float64, count=len(column))
    return frame


def same_floats(a, b) -> bool:
    """True when two float arrays hold the same doubles bit for bit (NaN payloads aside)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.all(a.view(np.uint64) == b.view(np.uint64)))


def temporary_csv(frame: pd.DataFrame, folder: str, name: str = "data.csv") -> str:
    path = os.path.join(folder, name)
    write_csv(frame, path)
    return path
