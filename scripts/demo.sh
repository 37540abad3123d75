#!/usr/bin/env bash
# Installs the pinned dependencies, builds every model on the shipped sample
# events (embedded DuckDB) and prints the headline variant counts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh requirements.txt
export PATH="$PWD/.venv/bin:$PATH"
dbt build
python scripts/show_headline.py
