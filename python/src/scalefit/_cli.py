"""Finding and running the scalefit binary, and turning Python options into its flags."""
from __future__ import annotations

import math
import numbers
import os
import subprocess
from typing import Any, Iterable, List, Mapping, Optional, Sequence

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class ScalefitError(Exception):
    """scalefit exited with a non-zero status.

    ``status`` is its exit status (1 a fit or check failed, 2 bad input or usage, 3 a
    collapse found with ``fail_on_collapse``, 4 an output could not be written), ``message``
    what it wrote on standard error, ``command`` the arguments it was run with, and
    ``result`` the parsed result when it still printed one (a fit that did not converge).
    """

    def __init__(self, status: int, message: str, command: Sequence[str], result: Any = None):
        self.status = status
        self.message = message
        self.command = list(command)
        self.result = result
        first = message.strip() or f"scalefit exited with status {status}"
        super().__init__(f"{first} (exit status {status})")


def binary() -> str:
    """The scalefit binary this package runs: $SCALEFIT_BIN when set, else the one it ships."""
    named = os.environ.get("SCALEFIT_BIN")
    if named:
        if not (os.path.isfile(named) and os.access(named, os.X_OK)):
            raise ScalefitError(2, f"scalefit: SCALEFIT_BIN={named} is not an executable file", [named])
        return named
    shipped = os.path.join(_PACKAGE_DIR, "bin", "scalefit")
    if os.path.isfile(shipped) and os.access(shipped, os.X_OK):
        return shipped
    raise ScalefitError(
        2, "scalefit: no binary shipped with this package (an editable install?); "
           "set SCALEFIT_BIN to a scalefit binary", [shipped])


def run(arguments: Sequence[str], *, input: Optional[bytes] = None) -> subprocess.CompletedProcess:
    """Runs scalefit with these arguments; returns the completed process (stdout and stderr
    as text) whatever its status: the callers decide what a status means."""
    command = [binary(), *arguments]
    completed = subprocess.run(command, input=input, capture_output=True)
    return subprocess.CompletedProcess(
        command, completed.returncode,
        completed.stdout.decode("utf-8", errors="replace"),
        completed.stderr.decode("utf-8", errors="replace"))


def check(completed: subprocess.CompletedProcess, result: Any = None) -> None:
    if completed.returncode != 0:
        raise ScalefitError(completed.returncode, completed.stderr, completed.args, result)


def number(value: Any) -> str:
    """A number as text that reads back to the same double (Python's repr is the shortest
    such text); integers stay integers."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    return str(value)


def _item(value: Any) -> str:
    if isinstance(value, tuple):  # a pair N:D, a range FROM:TO:COUNT
        return ":".join(_item(v) for v in value)
    if isinstance(value, (os.PathLike,)):
        return os.fspath(value)
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return number(value)
    return str(value)


# Options whose list is one comma-separated value, not a repeated flag.
_COMMA_JOINED = {"x"}


def flags(options: Mapping[str, Any]) -> List[str]:
    """Python keyword options as scalefit flags: ``snake_case`` becomes ``--kebab-case``;
    True gives the bare flag and False or None leaves it out; a list repeats the flag once
    per item; a tuple is joined with ':' (``(7e10, 1.4e12)`` is ``7e10:1.4e12``,
    ``(1e2, 1e9, 30)`` a range); a dict gives ``KEY=VALUE`` items (``fix={"E": 1.7}``);
    ``x`` as a list or tuple is joined with ',' (``x=("N", "D")`` is ``--x N,D``).
    Every value is passed as ``--flag=value``, so a value that starts with '-' is not
    read as a flag."""
    result: List[str] = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if value is True:
            result.append(flag)
            continue
        if key in _COMMA_JOINED and isinstance(value, (list, tuple)):
            result.append(f"{flag}={','.join(_item(v) for v in value)}")
            continue
        if isinstance(value, Mapping):
            items: Iterable[Any] = [f"{k}={_item(v)}" for k, v in value.items()]
        elif isinstance(value, (list, set, frozenset)) or _is_array(value):
            items = list(value)
        else:
            items = [value]
        for item in items:
            result.append(f"{flag}={_item(item)}")
    return result


def _is_array(value: Any) -> bool:
    return type(value).__module__ in ("numpy", "pandas.core.series") and hasattr(value, "tolist") \
        and getattr(value, "ndim", 0) == 1


def paths(value: Any) -> List[str]:
    if isinstance(value, (str, os.PathLike)):
        return [os.fspath(value)]
    return [os.fspath(v) for v in value]
