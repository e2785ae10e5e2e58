#!/usr/bin/env bash
# Installs what scalefit needs to build on a fresh Debian/Ubuntu machine that has Swift:
# GSL's headers and libraries (libgsl-dev), SQLite's (libsqlite3-dev, for MLflow's
# mlflow.db) and pkg-config. Does nothing when present.
set -euo pipefail

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
