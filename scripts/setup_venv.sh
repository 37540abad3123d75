#!/usr/bin/env bash
# Creates .venv (if missing), installs the pinned requirements file given as
# $1 into it, then the project's package (pyproject.toml: the
# `growth-enrollments` command), editable and without dependencies: the
# requirements pin them. Run by demo.sh and test.sh.
#
# The pins go in with uv (its version pinned here), which downloads and
# unpacks in parallel: a new venv with requirements-spark.txt took 23 s,
# against 51 s with pip alone, the same packages. uv reads the index pip is
# set to (PIP_INDEX_URL, else pip's configuration); should it fail (say, an
# index it cannot reach), pip installs them instead.
#
# Both write the modules' bytecode at install (uv with --compile-bytecode,
# pip by default). Without it, where PYTHONDONTWRITEBYTECODE is set (as on
# these machines) every process compiles every module it imports: importing
# dbt with the DuckDB adapter took 3.5 to 3.8 CPU-s against 2.0, `mf
# --help` 4.4 to 4.7 against 2.3 to 2.5 (2026-12-08). Compiling adds about
# 10 s to a new venv with requirements-spark.txt.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="${1:-requirements.txt}"
uv_version="0.13.10"
python="$repo_root/.venv/bin/python"
if [ ! -x "$python" ]; then
    python3 -m venv "$repo_root/.venv"
fi
pip_install() { "$python" -m pip install --quiet --disable-pip-version-check "$@"; }
index="${PIP_INDEX_URL:-$("$python" -m pip config get global.index-url 2>/dev/null || true)}"
uv_install() {
    "$repo_root/.venv/bin/uv" pip install --quiet --compile-bytecode --python "$python" \
        ${index:+--default-index "$index"} "$@"
}
if ! { pip_install "uv==$uv_version" && uv_install -r "$repo_root/$requirements"; }; then
    echo "setup_venv.sh: uv did not install $requirements; pip installs it" >&2
    pip_install -r "$repo_root/$requirements"
fi
pip_install --no-deps -e "$repo_root"
