#!/usr/bin/env bash
# Installs what scalefit needs to build on a fresh Debian/Ubuntu machine that has Swift:
# GSL's headers and libraries (libgsl-dev), SQLite's (libsqlite3-dev, for MLflow's
# mlflow.db) and pkg-config; and python3 with venv and pip for the Python package. Does
# nothing when present.
set -euo pipefail

# The Python package (python/, tested by scripts/python-ci.sh) needs python3 with venv and
# pip: installed here when missing and we may, otherwise only said (the Swift build does not
# need them).
if ! python3 -c 'import venv, ensurepip' 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
    python_packages="python3 python3-venv python3-pip"
    if [ "$(id -u)" -eq 0 ]; then
        echo "scalefit: installing $python_packages (for the Python package)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $python_packages >/dev/null
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        echo "scalefit: installing $python_packages (sudo, for the Python package)" >&2
        sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $python_packages >/dev/null
    else
        echo "scalefit: the Python package needs: sudo apt-get install $python_packages" >&2
    fi
fi

if pkg-config --exists gsl 2>/dev/null && pkg-config --exists sqlite3 2>/dev/null; then
    exit 0
fi

packages="libgsl-dev libsqlite3-dev pkg-config"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "scalefit: installing $packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq $packages >/dev/null
elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "scalefit: installing $packages (sudo)" >&2
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
else
    echo "scalefit needs GSL (GNU Scientific Library), SQLite and pkg-config." >&2
    echo "  Debian/Ubuntu: sudo apt-get install $packages" >&2
    echo "  macOS:         brew install gsl pkg-config   (SQLite comes with the SDK)" >&2
    exit 2
fi
pkg-config --exists gsl || { echo "scalefit: pkg-config still cannot find gsl" >&2; exit 2; }
pkg-config --exists sqlite3 || [ "$(uname)" = Darwin ] || { echo "scalefit: pkg-config still cannot find sqlite3" >&2; exit 2; }
