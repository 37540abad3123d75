#!/usr/bin/env bash
# Installs the pinned test dependencies, lints the SQL and runs every test:
# dbt build (data and unit tests) on the shipped sample, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh requirements-dev.txt
export PATH="$PWD/.venv/bin:$PATH"
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
export DUCKDB_PATH="$work_dir/test.duckdb"

echo "== sqlfluff lint"
sqlfluff lint models

echo "== dbt build on the shipped sample"
dbt build --warn-error-options '{"error": ["NoNodesForSelectionCriteria"]}'

echo "== pytest"
python -m pytest tests/pytest -q
