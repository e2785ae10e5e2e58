"""The README's Python example runs as written (its ```python blocks, in order, in one fresh
interpreter, in an empty folder), and prints what it says it prints."""
import os
import re
import subprocess
import sys

import pytest

from conftest import REPOSITORY


def python_blocks():
    path = os.path.join(REPOSITORY, "README.md")
    if not os.path.exists(path):
        pytest.skip("not in a checkout of the repository")
    text = open(path, encoding="utf-8").read()
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M)


def test_readme_python_example_runs(tmp_path):
    blocks = python_blocks()
    assert blocks, "the README has a ```python block"
    script = "\n".join(blocks)
    completed = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                               timeout=300)
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert "['plateaued']" in out
    # both parameters of the tail-cut law, each with its truth inside the 95% interval
    rows = [line.split() for line in out.splitlines() if line.split()[:1] in (["beta"], ["k"])]
    assert [r[0] for r in rows] == ["beta", "k"]
    assert all(r[-1] == "True" for r in rows), out
    assert os.listdir(tmp_path) == []  # it left nothing behind
