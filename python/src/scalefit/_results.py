"""Result objects: each holds the command line's JSON document as it was printed, and shows
it as DataFrames, HTML and plots without computing any number of its own."""
from __future__ import annotations

import html
import json
import math
import os
import tempfile
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
import pandas as pd

from . import _cli


def _num(value: Any) -> float:
    """A JSON number, or NaN for null (scalefit writes a value that is not finite, or not
    available, as null; the document's notes and warnings say which)."""
    return float("nan") if value is None else float(value)


def _low(interval: Optional[Sequence[Any]]) -> float:
    return float("nan") if not interval else _num(interval[0])


def _high(interval: Optional[Sequence[Any]]) -> float:
    return float("nan") if not interval else _num(interval[1])


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:.6g}"
    if isinstance(value, int):
        return str(value)
    return str(value)


def _table_html(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [frame.index.name or ""] + list(frame.columns))
    rows = []
    for label, row in frame.iterrows():
        cells = "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row.tolist())
        rows.append(f"<tr><th>{html.escape(str(label))}</th>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


class Document:
    """A scalefit JSON document: ``to_dict()`` is the document exactly as the command line
    printed it, ``text`` the printed text itself."""

    def __init__(self, text: str):
        self.text = text
        self._document = json.loads(text)

    def to_dict(self) -> Dict[str, Any]:
        return json.loads(self.text)  # a fresh copy each time: the caller may change it

    def save(self, path: str) -> None:
        """Writes the document as scalefit printed it (a temporary file, then a rename)."""
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".scalefit-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(self.text)
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    @property
    def warnings(self) -> List[str]:
        return list(self._document.get("warnings") or [])


class FitResult(Document):
    """The result of ``scalefit fit --json``: one entry of ``fits`` per series."""

    def __init__(self, text: str, load_data: Optional[Callable[[], pd.DataFrame]] = None):
        super().__init__(text)
        self._load_data = load_data
        self._data: Optional[pd.DataFrame] = None

    @property
    def fits(self) -> List[Dict[str, Any]]:
        return self._document.get("fits", [])

    @property
    def series(self) -> List[str]:
        return [f["series"] for f in self.fits]

    @property
    def converged(self) -> bool:
        return all(f.get("converged") for f in self.fits)

    @property
    def params(self) -> pd.DataFrame:
        """One row per parameter (index: its name), for every fit: value, stderr, the 95%
        interval and how it was computed, the bootstrap interval, the note, and with
        ``truth=`` the true value, whether the interval holds it and the relative error."""
        rows = []
        truth = any("truth" in p for f in self.fits for p in f.get("parameters", []))
        for f in self.fits:
            for p in f.get("parameters", []):
                row = {
                    "parameter": p["name"], "series": f["series"], "model": f["model"],
                    "converged": bool(f.get("converged")),
                    "value": _num(p.get("value")), "stderr": _num(p.get("stderr")),
                    "ci95_low": _low(p.get("ci95")), "ci95_high": _high(p.get("ci95")),
                    "ci95_method": p.get("ci95_method"),
                    "bootstrap_ci95_low": _low(p.get("bootstrap_ci95")),
                    "bootstrap_ci95_high": _high(p.get("bootstrap_ci95")),
                    "note": p.get("note"),
                }
                if truth:
                    t = p.get("truth") or {}
                    row["truth"] = _num(t.get("value"))
                    row["truth_in_ci95"] = t.get("in_ci95")
                    row["truth_in_bootstrap_ci95"] = t.get("in_bootstrap_ci95")
                    row["truth_relative_error"] = _num(t.get("relative_error"))
                rows.append(row)
        return pd.DataFrame(rows).set_index("parameter") if rows else pd.DataFrame()

    @property
    def derived(self) -> pd.DataFrame:
        """Derived quantities (plateau, plateau onset, Chinchilla's exponents…) per fit."""
        rows = []
        for f in self.fits:
            for d in f.get("derived") or []:
                t = d.get("truth") or {}
                rows.append({
                    "quantity": d["name"], "series": f["series"], "model": f["model"],
                    "value": _num(d.get("value")),
                    "ci95_low": _low(d.get("ci95")), "ci95_high": _high(d.get("ci95")),
                    "bootstrap_ci95_low": _low(d.get("bootstrap_ci95")),
                    "bootstrap_ci95_high": _high(d.get("bootstrap_ci95")),
                    "truth": _num(t.get("value")), "truth_in_ci95": t.get("in_ci95"),
                    "meaning": d.get("meaning"),
                })
        return pd.DataFrame(rows).set_index("quantity") if rows else pd.DataFrame()

    @property
    def comparison(self) -> pd.DataFrame:
        """With ``model="auto"``: every law tried, by series, with AICc, BIC, convergence."""
        return pd.DataFrame(self._document.get("comparison") or [])

    @property
    def predictions(self) -> pd.DataFrame:
        """The fit's ``predict=`` points with both bands."""
        return _predictions_frame([dict(p, series=f["series"], model=f["model"])
                                   for f in self.fits for p in (f.get("predictions") or [])])

    def predict(self, at, series: Optional[str] = None) -> pd.DataFrame:
        """The value, the 95% confidence band (mean curve) and the 95% prediction interval
        (a new run) at ``at`` (numbers, or (N, D) pairs for two-input laws), computed by
        ``scalefit predict`` on this saved fit: the numbers ``fit --predict`` gives."""
        return predict(self, at, series=series)

    def data(self) -> pd.DataFrame:
        """The points the fit read, in the normal form (``scalefit ingest`` with the fit's
        input options)."""
        if self._data is None:
            if self._load_data is None:
                raise ValueError("this fit was loaded from a file: its data are not known")
            self._data = self._load_data()
        return self._data

    def plot(self, ax=None, series: Optional[str] = None, points: int = 120, prediction_interval: bool = True):
        """Draws each converged fit with matplotlib on log–log axes: the data (held-out
        points hollow), the fitted curve and its 95% confidence band, and the 95% prediction
        interval dashed. The curve and bands are ``scalefit predict`` on a log-spaced grid
        over the data (and the fit's predictions), so they are the command line's numbers.
        Returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 4.2))
        try:
            data = self.data()
        except (ValueError, _cli.ScalefitError):
            data = None
        colours = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
        drawn = 0
        two_inputs = False
        for i, f in enumerate(self.fits):
            if series is not None and f["series"] != series:
                continue
            colour = colours[i % len(colours)]
            label = f"{f['series']} ({f['model']})"
            if not f.get("converged"):
                ax.plot([], [], " ", label=f"{label}: did not converge ({f.get('status')})")
                continue
            mine = _series_rows(data, f["series"]) if data is not None else None
            two_input = mine is not None and "x2" in mine.columns and mine["x2"].notna().any()
            held = {p["x"] for p in ((f.get("holdout") or {}).get("points") or [])}
            if mine is not None and len(mine):
                out = mine["x"].isin(held)
                ax.scatter(mine["x"][~out], mine["value"][~out], s=14, color=colour, zorder=3)
                if out.any():
                    ax.scatter(mine["x"][out], mine["value"][out], s=22, facecolors="none",
                               edgecolors=colour, zorder=3, label=f"{f['series']}: held out")
            if two_input:
                two_inputs = True
                at = list(zip(mine["x"].tolist(), mine["x2"].tolist()))
                curve = predict(self, at, series=f["series"])
                lows = curve["value"] - curve["confidence_low"]
                highs = curve["confidence_high"] - curve["value"]
                ax.errorbar(curve["x"], curve["value"], yerr=[lows, highs], fmt="x", color=colour,
                            label=f"{label}: fitted at the data, 95% band")
            else:
                xs = [p["x"] for p in (f.get("predictions") or [])]
                if mine is not None and len(mine):
                    xs += mine["x"].tolist()
                xs = [x for x in xs if x is not None and x > 0]
                if not xs:
                    continue
                grid = np.geomspace(min(xs), max(xs), points)
                curve = predict(self, grid, series=f["series"])
                ax.plot(curve["x"], curve["value"], color=colour, label=label)
                ax.fill_between(curve["x"], curve["confidence_low"], curve["confidence_high"],
                                color=colour, alpha=0.25, linewidth=0)
                if prediction_interval:
                    ax.plot(curve["x"], curve["prediction_low"], color=colour, linestyle="--", linewidth=0.8)
                    ax.plot(curve["x"], curve["prediction_high"], color=colour, linestyle="--", linewidth=0.8)
            drawn += 1
        ax.set_xscale("log")
        ax.set_yscale("log")
        options = self._document.get("options") or {}
        ax.set_xlabel(str(options.get("x") or "x").split(",")[0])
        ax.set_ylabel(str(options.get("y") or "value"))
        if two_inputs:
            ax.set_title("data (dots), fit at the data with its 95% confidence band (bars)", fontsize=9)
        else:
            ax.set_title("fit, 95% confidence band (shaded), 95% prediction interval (dashed)", fontsize=9)
        if drawn or ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
        return ax

    def _repr_html_(self) -> str:
        parts = ["<div class='scalefit-fit'>"]
        for f in self.fits:
            head = (f"<b>{html.escape(f['series'])}</b> — <code>{html.escape(f['model'])}</code>: "
                    f"{html.escape(f.get('formula') or '')}")
            parts.append(f"<p>{head}</p>")
            if not f.get("converged"):
                parts.append(f"<p><b>did not converge</b>: {html.escape(str(f.get('status_detail') or f.get('status')))}"
                             " — no estimates are shown.</p>")
            else:
                parts.append(f"<p>{f.get('n_points')} points, AICc {_fmt(f.get('aicc'))}, "
                             f"{f.get('degrees_of_freedom')} degrees of freedom, {html.escape(str(f.get('space')))} space, "
                             f"{html.escape(str(f.get('status_detail') or f.get('status')))}</p>")
                frame = self.params
                frame = frame[frame["series"] == f["series"]].drop(columns=["series", "model", "converged"])
                frame = frame.dropna(axis=1, how="all")
                parts.append(_table_html(frame))
                holdout = f.get("holdout")
                if holdout:
                    parts.append(f"<p>hold-out: {holdout.get('k')} points, RMSLE {_fmt(holdout.get('rmsle'))}</p>")
            for w in f.get("warnings") or []:
                parts.append(f"<p>⚠ {html.escape(w)}</p>")
        comparison = self._document.get("comparison")
        if comparison:
            parts.append("<p>laws compared (AICc):</p>" + self.comparison.to_html(index=False))
        parts.append("</div>")
        return "\n".join(parts)

    def __repr__(self) -> str:
        lines = []
        for f in self.fits:
            state = "converged" if f.get("converged") else f"did not converge ({f.get('status')})"
            lines.append(f"{f['series']}: {f['model']}, {f.get('n_points')} points, {state}")
            if f.get("converged"):
                for p in f.get("parameters", []):
                    ci = p.get("ci95")
                    ci_text = f" [{_fmt(_low(ci))}, {_fmt(_high(ci))}]" if ci else ""
                    lines.append(f"  {p['name']} = {_fmt(_num(p.get('value')))}{ci_text}")
        return "FitResult(\n" + "\n".join(lines) + "\n)"


def _series_rows(data: pd.DataFrame, name: str) -> Optional[pd.DataFrame]:
    if data is None or not {"run", "metric", "x", "value"} <= set(data.columns):
        return None
    names = data["run"].astype(str) + "/" + data["metric"].astype(str)
    return data[names == name]


def _predictions_frame(items: List[Dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for p in items:
        rows.append({
            "series": p.get("series"), "model": p.get("model"),
            "x": _num(p.get("x")), "x2": _num(p.get("x2")),
            "value": _num(p.get("value")),
            "confidence_low": _low(p.get("confidence_band")),
            "confidence_high": _high(p.get("confidence_band")),
            "prediction_low": _low(p.get("prediction_interval")),
            "prediction_high": _high(p.get("prediction_interval")),
        })
    columns = ["series", "model", "x", "x2", "value", "confidence_low", "confidence_high",
               "prediction_low", "prediction_high"]
    frame = pd.DataFrame(rows, columns=columns)
    if len(frame) and frame["x2"].isna().all():
        frame = frame.drop(columns=["x2"])
    return frame


def _fit_file(fit, folder: str) -> str:
    if isinstance(fit, Document):
        path = os.path.join(folder, "fit.json")
        with open(path, "w", encoding="utf-8") as out:
            out.write(fit.text)
        return path
    return os.fspath(fit)


def _at(at) -> List[str]:
    if isinstance(at, (int, float, np.number, tuple)):
        at = [at]
    return [f"--at={_cli._item(tuple(a) if isinstance(a, (list, np.ndarray)) else a)}" for a in at]


def predict(fit, at, series: Optional[str] = None) -> pd.DataFrame:
    """``scalefit predict FIT --at …``: ``fit`` is a FitResult or the path of a saved
    ``fit --json``. One row per fit and point: value, 95% confidence band (the mean curve),
    95% prediction interval (a new run). The document is in ``frame.attrs["scalefit"]``."""
    with tempfile.TemporaryDirectory(prefix="scalefit-") as folder:
        arguments = ["predict", _fit_file(fit, folder), *_at(at), "--json"]
        if series is not None:
            arguments.append(f"--series={series}")
        completed = _cli.run(arguments)
        _cli.check(completed)
    document = json.loads(completed.stdout)
    frame = _predictions_frame(document.get("predictions") or [])
    frame.attrs["scalefit"] = document
    return frame


class DetectResult(Document):
    """The result of ``scalefit detect --json``: a verdict per series."""

    @property
    def verdicts(self) -> pd.DataFrame:
        rows = []
        for v in self._document.get("verdicts", []):
            plateau = v.get("plateau") or {}
            rows.append({
                "series": v["series"], "verdict": v.get("verdict"),
                "breakpoints": [b.get("x") for b in v.get("breakpoints") or []],
                "plateau_level": _num(plateau.get("level")),
                "plateau_from_x": _num(plateau.get("from_x")),
                "plateau_to_x": _num(plateau.get("to_x")),
                "scaling_stops": _num(v.get("scaling_stops")),
                "chosen_model": (v.get("evidence") or {}).get("chosen_model"),
            })
        return pd.DataFrame(rows).set_index("series") if rows else pd.DataFrame()

    def _repr_html_(self) -> str:
        parts = ["<div class='scalefit-detect'>", _table_html(self.verdicts)]
        for v in self._document.get("verdicts", []):
            for reason in (v.get("evidence") or {}).get("reasons") or []:
                parts.append(f"<p><b>{html.escape(v['series'])}</b>: {html.escape(reason)}</p>")
            for w in v.get("warnings") or []:
                parts.append(f"<p>⚠ {html.escape(v['series'])}: {html.escape(w)}</p>")
        parts.append("</div>")
        return "\n".join(parts)

    def __repr__(self) -> str:
        return "DetectResult(\n" + "\n".join(
            f"  {v['series']}: {v.get('verdict')}" for v in self._document.get("verdicts", [])) + "\n)"


def _interval_columns(prefix: str, entry: Any) -> Dict[str, float]:
    if not isinstance(entry, dict):
        return {prefix: _num(entry)}
    return {prefix: _num(entry.get("value")),
            f"{prefix}_ci95_low": _low(entry.get("ci95")), f"{prefix}_ci95_high": _high(entry.get("ci95")),
            f"{prefix}_bootstrap_ci95_low": _low(entry.get("bootstrap_ci95")),
            f"{prefix}_bootstrap_ci95_high": _high(entry.get("bootstrap_ci95"))}


def optimal_frames(document: Dict[str, Any]):
    allocations = []
    for a in document.get("allocations") or []:
        row = {"compute": _num(a.get("compute"))}
        for key in ("N", "D", "tokens_per_parameter", "loss"):
            row.update(_interval_columns(key, a.get(key)))
        allocations.append(row)
    overtraining = []
    for o in document.get("overtraining") or []:
        row = {"compute": _num(o.get("compute")), "tokens_per_parameter": _num(o.get("tokens_per_parameter")),
               "N": _num(o.get("N")), "D": _num(o.get("D"))}
        row.update(_interval_columns("loss", o.get("loss")))
        row["optimal_loss"] = _num(o.get("optimal_loss"))
        row.update(_interval_columns("extra_compute", o.get("extra_compute")))
        overtraining.append(row)
    return pd.DataFrame(allocations), pd.DataFrame(overtraining)
