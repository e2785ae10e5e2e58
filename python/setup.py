"""Build step of the scalefit Python package: puts the scalefit binary inside the package.

The binary is the one named by the environment variable SCALEFIT_BIN when it is set;
otherwise it is compiled from the Swift package one folder up with
`swift build -c release --product scalefit`. It is copied to scalefit/bin/scalefit in the
build tree, so the wheel (and the installed package) carries it. Everything else is in
pyproject.toml.
"""
import os
import shutil
import stat
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def log(message):
    print(f"scalefit build: {message}", file=sys.stderr, flush=True)


def locate_binary():
    named = os.environ.get("SCALEFIT_BIN")
    if named:
        if not (os.path.isfile(named) and os.access(named, os.X_OK)):
            raise SystemExit(f"scalefit build: SCALEFIT_BIN={named} is not an executable file")
        log(f"using SCALEFIT_BIN={named}")
        return named
    if not os.path.isfile(os.path.join(ROOT, "Package.swift")):
        raise SystemExit(
            "scalefit build: no Swift package found above python/ and SCALEFIT_BIN is not set; "
            "build from the repository (pip install ./python) or set SCALEFIT_BIN to a scalefit binary")
    if shutil.which("swift") is None:
        raise SystemExit("scalefit build: `swift` is not on PATH; install Swift 6 or set SCALEFIT_BIN")
    log("compiling the binary: swift build -c release --product scalefit (minutes on a small machine)")
    subprocess.run(["swift", "build", "-c", "release", "--product", "scalefit"], cwd=ROOT, check=True)
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                              check=True, capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_path, "scalefit")


class BuildWithBinary(build_py):
    def run(self):
        super().run()
        source = locate_binary()
        folder = os.path.join(self.build_lib, "scalefit", "bin")
        os.makedirs(folder, exist_ok=True)
        target = os.path.join(folder, "scalefit")
        shutil.copyfile(source, target)
        mode = os.stat(target).st_mode
        os.chmod(target, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        log(f"shipped {source} as scalefit/bin/scalefit")


class BinaryDistribution(Distribution):
    """The wheel holds a compiled program, so it is tagged for this platform, not pure."""

    def has_ext_modules(self):
        return True


try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70: the wheel package has it
    from wheel.bdist_wheel import bdist_wheel


class PlatformWheel(bdist_wheel):
    """Any Python 3 on this platform: the binary is a program, not a CPython extension."""

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(cmdclass={"build_py": BuildWithBinary, "bdist_wheel": PlatformWheel}, distclass=BinaryDistribution)
