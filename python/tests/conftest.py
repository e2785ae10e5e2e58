"""Shared fixtures: the binary the package runs, a way to run it directly (the reference the
package's results are compared with), and generated data whose true law is known."""
import json
import os
import subprocess

import pytest

import scalefit

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fixture_path(*parts):
    """A file of the repository's fixtures/ (the tests run from a checkout)."""
    path = os.path.join(REPOSITORY, "fixtures", *parts)
    if not os.path.exists(path):
        pytest.skip(f"not in a checkout of the repository: {path}")
    return path


class CLI:
    """Runs the same binary the package runs, by hand: the reference for 'equals the CLI'."""

    def __init__(self):
        self.path = scalefit.binary()

    def run(self, *arguments, cwd=None, check=True):
        completed = subprocess.run([self.path, *map(str, arguments)], capture_output=True, text=True, cwd=cwd)
        if check and completed.returncode != 0:
            raise AssertionError(f"scalefit {' '.join(map(str, arguments))} exited {completed.returncode}: "
                                 f"{completed.stderr}")
        return completed

    def json(self, *arguments, cwd=None):
        return json.loads(self.run(*arguments, cwd=cwd).stdout)


@pytest.fixture(scope="session")
def cli():
    return CLI()


@pytest.fixture(scope="session")
def tailcut(tmp_path_factory, cli):
    """A noisy tail-cut Zipf curve (β = 2, k = 1000) written by the CLI itself."""
    folder = tmp_path_factory.mktemp("tailcut")
    cli.run("generate", "hutter", "--beta", "2", "--cut", "1000", "--noise", "0.01",
            "--t-range", "1e2:1e9:30", "--seed", "3", "--out", folder)
    return folder
