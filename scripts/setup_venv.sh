#!/usr/bin/env bash
# Creates .venv (if missing), installs the pinned requirements file given as
# $1 into it, then the project's package (pyproject.toml: the
# `growth-enrollments` command), editable and without dependencies: the
# requirements pin them. Run by demo.sh and test.sh.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="${1:-requirements.txt}"
if [ ! -x "$repo_root/.venv/bin/python" ]; then
    python3 -m venv "$repo_root/.venv"
fi
"$repo_root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$repo_root/$requirements"
"$repo_root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$repo_root"
