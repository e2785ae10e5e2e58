"""scalefit from Python.

Every function runs the scalefit command line (the binary shipped inside this package, or
the one named by $SCALEFIT_BIN) and reads its JSON output, so the numbers are the command
line's own. Options are the command line's flags in snake_case: ``min_x=1000`` is
``--min-x 1000``, ``group=["Domain", "Model"]`` repeats ``--group``, ``x=("N", "D")`` is
``--x N,D``, ``fix={"E": 1.7}`` is ``--fix E=1.7``, ``derive=True`` is ``--derive``.
A non-zero exit raises :class:`ScalefitError` with scalefit's message and exit status;
outputs are written by the command line, which writes atomically, so a failure leaves no
half-written file.
"""
from __future__ import annotations

import json
import os
import tempfile
import warnings as _warnings
from typing import Any, Dict, Optional, Union

import numpy as np
import pandas as pd

from . import _cli, _frame
from ._cli import ScalefitError, binary
from ._results import DetectResult, Document, FitResult, optimal_frames, predict

__all__ = ["ScalefitError", "FitResult", "DetectResult", "Generated", "binary", "version", "ingest",
           "inspect", "fit", "load_fit", "detect", "generate", "predict", "optimal", "report",
           "read_table", "write_table"]
__version__ = "0.1.0"

# The options that say how inputs are read: shared by ingest, fit, detect and report.
INPUT_OPTIONS = ("format", "x", "y", "group", "metric", "tokens_per_step", "min_x", "repeated",
                 "strict", "max_depth", "stitch", "derive", "run", "delimiter", "include_unfinished",
                 "series")

read_table = _frame.read_normal_form
write_table = _frame.write_csv


def version() -> str:
    """The version line of the scalefit binary in use."""
    completed = _cli.run(["--version"])
    _cli.check(completed)
    return completed.stdout.strip()


class _Inputs:
    """Paths, or a DataFrame written exactly (repr floats) to a temporary CSV for the call."""

    def __init__(self, data: Any, name: str = "data"):
        self._folder: Optional[tempfile.TemporaryDirectory] = None
        if isinstance(data, pd.DataFrame):
            self._folder = tempfile.TemporaryDirectory(prefix="scalefit-")
            self.paths = [_frame.temporary_csv(data, self._folder.name, f"{name}.csv")]
        else:
            self.paths = _cli.paths(data)

    def __enter__(self):
        return self.paths

    def __exit__(self, *exc):
        if self._folder is not None:
            self._folder.cleanup()


def _json(completed) -> Optional[Any]:
    try:
        return json.loads(completed.stdout)
    except ValueError:
        return None


def _loader(data: Any, options: Dict[str, Any], name: str):
    kept = {k: v for k, v in options.items() if k in INPUT_OPTIONS}
    if isinstance(data, pd.DataFrame):
        source: Any = data.copy()
    else:
        source = [os.path.abspath(p) if p != "-" else p for p in _cli.paths(data)]
    return lambda: ingest(source, name=name, **kept)


def ingest(paths, output: Optional[str] = None, name: str = "data", **options) -> pd.DataFrame:
    """``scalefit ingest PATHS -o FILE``: the logs as one table in the normal form
    (``run, metric, x, value`` [, ``x2``], then label columns as text), x and value as
    float64 exactly as scalefit wrote them. ``paths`` is a path, a list of paths or a
    DataFrame. ``output`` also keeps the table in that file (.csv or .jsonl). The ingest
    report (inputs with SHA-256, series, what was dropped and why) is in
    ``frame.attrs["scalefit"]``; points dropped are also announced as a warning."""
    options.pop("json", None)
    options.pop("o", None)
    with _Inputs(paths, name) as inputs, tempfile.TemporaryDirectory(prefix="scalefit-") as folder:
        target = os.fspath(output) if output is not None else os.path.join(folder, "tidy.csv")
        completed = _cli.run(["ingest", *inputs, f"--output={target}", "--json", *_cli.flags(options)])
        _cli.check(completed, _json(completed))
        if target.endswith(".jsonl"):
            with open(target, encoding="utf-8") as handle:
                rows = [json.loads(line) for line in handle if line.strip()]
            frame = pd.DataFrame(rows)
            for column in frame.columns:
                if column in _frame.NUMERIC:
                    frame[column] = frame[column].astype(np.float64)
                else:
                    frame[column] = frame[column].astype(str)
        else:
            frame = _frame.read_normal_form(target)
    report = json.loads(completed.stdout)
    frame.attrs["scalefit"] = report
    if report.get("dropped_total"):
        reasons = "; ".join(f"{d.get('count', '?')} {d.get('reason', '')}".strip() for d in report.get("dropped") or [])
        _warnings.warn(f"scalefit ingest dropped {report['dropped_total']} points: {reasons}", stacklevel=2)
    return frame


def inspect(paths, **options) -> Dict[str, Any]:
    """``scalefit inspect PATHS --json``: formats, runs, metrics, ranges, warnings."""
    options.pop("json", None)
    with _Inputs(paths) as inputs:
        completed = _cli.run(["inspect", *inputs, "--json", *_cli.flags(options)])
    _cli.check(completed, _json(completed))
    return json.loads(completed.stdout)


def fit(data, model: str = "auto", x=None, y=None, name: str = "data", **options) -> FitResult:
    """``scalefit fit DATA --model MODEL --json``. ``data`` is a path, a list of paths or a
    DataFrame (written exactly to a temporary ``NAME.csv``, so no point changes; its run
    name, when it has no run column, is ``name``). Every other option is a ``fit`` flag:
    ``holdout=2``, ``predict=[1e9, 1e10]``, ``bootstrap=1000, seed=1``,
    ``intervals="profile"``, ``truth="g/truth.json"``, ``plot="fit.svg"``…

    A fit that does not converge raises ScalefitError (status 1) whose ``result`` is the
    FitResult, so what scalefit reported is still there."""
    options.pop("json", None)
    arguments = {"model": model, "x": x, "y": y, **options}
    with _Inputs(data, name) as inputs:
        completed = _cli.run(["fit", *inputs, "--json", *_cli.flags(arguments)])
    result = None
    if completed.stdout.strip():
        try:
            result = FitResult(completed.stdout, _loader(data, arguments, name))
        except ValueError:
            result = None
    if completed.returncode != 0:
        message = completed.stderr
        if not message.strip() and result is not None:
            failed = [f"{f['series']} ({f['model']}: {f.get('status_detail') or f.get('status')})"
                      for f in result.fits if not f.get("converged")]
            message = "scalefit: a fit did not converge: " + ", ".join(failed)
        raise ScalefitError(completed.returncode, message, completed.args, result)
    return result


def load_fit(path) -> FitResult:
    """A FitResult from a saved ``scalefit fit --json`` document."""
    with open(os.fspath(path), encoding="utf-8") as handle:
        return FitResult(handle.read())


def detect(data, name: str = "data", **options) -> DetectResult:
    """``scalefit detect DATA --json``: a verdict per series (scaling, saturating,
    plateaued, grokking, degrading, collapsed with ``reference=``/``by=``), breakpoints,
    plateau, evidence. With ``fail_on_collapse=True`` a collapse raises ScalefitError
    (status 3) whose ``result`` holds the verdicts."""
    options.pop("json", None)
    with _Inputs(data, name) as inputs:
        completed = _cli.run(["detect", *inputs, "--json", *_cli.flags(options)])
    result = None
    if completed.stdout.strip():
        try:
            result = DetectResult(completed.stdout)
        except ValueError:
            result = None
    _cli.check(completed, result)
    return result


class Generated:
    """What ``scalefit generate`` wrote: ``data`` (the normal-form DataFrame, read exactly),
    ``truth`` (truth.json as a dict), and the paths ``out``, ``data_path``, ``truth_path``.
    Without ``out=`` the files live in a temporary folder as long as this object does."""

    def __init__(self, out: str, keep: Optional[tempfile.TemporaryDirectory] = None):
        self.out = out
        self._keep = keep
        self.data_path = os.path.join(out, "data.csv")
        json_data = os.path.join(out, "data.json")
        if not os.path.exists(self.data_path) and os.path.exists(json_data):
            self.data_path = json_data
        samples = os.path.join(out, "samples.txt")
        if not os.path.exists(self.data_path) and os.path.exists(samples):
            self.data_path = samples
        self.truth_path = os.path.join(out, "truth.json")
        with open(self.truth_path, encoding="utf-8") as handle:
            self.truth: Dict[str, Any] = json.load(handle)
        if self.data_path == samples:
            with open(samples, encoding="utf-8") as handle:
                self.data = np.array([int(line) for line in handle.read().split()], dtype=np.int64)
        elif self.data_path.endswith(".csv"):
            self.data = _frame.read_normal_form(self.data_path)
        else:
            with open(self.data_path, encoding="utf-8") as handle:
                document = json.load(handle)
            rows = []
            for s in document.get("series", []):
                for xv, vv in zip(s["x"], s["value"]):
                    rows.append({"run": s["run"], "metric": s["metric"], "x": _num_or_nan(xv),
                                 "value": _num_or_nan(vv), **{k: str(v) for k, v in (s.get("labels") or {}).items()}})
            self.data = pd.DataFrame(rows)

    def __repr__(self) -> str:
        return (f"Generated({self.truth.get('scenario')}: {len(self.data)} points in {self.data_path}, "
                f"truth in {self.truth_path})")


def _num_or_nan(value):
    return float("nan") if value is None else float(value)


def generate(scenario: str, out: Optional[str] = None, **options) -> Union[Generated, np.ndarray]:
    """``scalefit generate SCENARIO … --out OUT``: data whose true law is known. Returns a
    Generated (data, truth, paths). ``zipf-sample`` without ``out`` returns the samples as
    an integer array (with ``out``, ``data`` is that array). ``t_range=(1e2, 1e9, 30)`` is ``--t-range 100.0:1000000000.0:30``."""
    keep = None
    if out is None and scenario == "zipf-sample":
        completed = _cli.run(["generate", scenario, *_cli.flags(options)])
        _cli.check(completed)
        return np.array([int(line) for line in completed.stdout.split()], dtype=np.int64)
    if out is None:
        keep = tempfile.TemporaryDirectory(prefix="scalefit-generate-")
        out = os.path.join(keep.name, "out")
    out = os.fspath(out)
    completed = _cli.run(["generate", scenario, f"--out={out}", *_cli.flags(options)])
    _cli.check(completed)
    return Generated(out, keep)


def optimal(fit, compute, tokens_per_parameter=None, series: Optional[str] = None) -> pd.DataFrame:
    """``scalefit optimal FIT --compute C …``: compute-optimal N*, D*, tokens per parameter
    and loss with 95% intervals (delta method, and bootstrap percentiles when the fit has
    replicates), one row per budget. With ``tokens_per_parameter`` the over-training rows
    are in ``frame.attrs["overtraining"]``; the whole document in ``frame.attrs["scalefit"]``."""
    from ._results import _fit_file

    compute = [compute] if np.isscalar(compute) else list(compute)
    arguments: Dict[str, Any] = {"compute": compute, "series": series}
    if tokens_per_parameter is not None:
        arguments["tokens_per_parameter"] = (
            [tokens_per_parameter] if np.isscalar(tokens_per_parameter) else list(tokens_per_parameter))
    with tempfile.TemporaryDirectory(prefix="scalefit-") as folder:
        completed = _cli.run(["optimal", _fit_file(fit, folder), "--json", *_cli.flags(arguments)])
    _cli.check(completed, _json(completed))
    document = json.loads(completed.stdout)
    allocations, overtraining = optimal_frames(document)
    allocations.attrs["scalefit"] = document
    allocations.attrs["overtraining"] = overtraining
    return allocations


def report(data, out, name: str = "data", **options) -> str:
    """``scalefit report DATA --out OUT``: one self-contained HTML file (plots, fit tables,
    verdicts, inputs with SHA-256). Returns ``out``."""
    out = os.fspath(out)
    with _Inputs(data, name) as inputs:
        completed = _cli.run(["report", *inputs, f"--out={out}", *_cli.flags(options)])
    _cli.check(completed)
    return out
