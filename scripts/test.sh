#!/usr/bin/env bash
# Installs the pinned test dependencies, lints the SQL and the Python, checks
# the project rules (dbt-bouncer.yml) and runs every test: dbt build (data
# and unit tests) on the shipped sample, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh requirements-spark.txt  # test pins + Spark (itself -r requirements-dev.txt)
export PATH="$PWD/.venv/bin:$PATH"
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
export DUCKDB_PATH="$work_dir/test.duckdb"
# The dbt commands here write their artifacts to $work_dir/target, where
# dbt-bouncer reads them ($DBT_PROJECT_DIR/target); COLUMNS keeps its table
# of failures readable in CI.
dbt_here() { DBT_TARGET_PATH="$work_dir/target" dbt "$@"; }
bouncer() { COLUMNS=200 DBT_PROJECT_DIR="$work_dir" dbt-bouncer run --config-file dbt-bouncer.yml "$@"; }

echo "== sqlfluff lint"
sqlfluff lint models

echo "== ruff"
ruff check .

echo "== project rules on the manifest (dbt parse, dbt-bouncer)"
dbt_here parse --quiet
bouncer --only manifest_checks

echo "== dbt build on the shipped sample"
dbt_here build --warn-error-options '{"error": ["NoNodesForSelectionCriteria"]}'

echo "== project rules on the catalog (dbt docs generate, dbt-bouncer)"
dbt_here docs generate --no-compile --quiet
bouncer --only catalog_checks

echo "== chromium for the report test (installed only when missing)"
bash scripts/install_chromium.sh

echo "== pytest"
python -m pytest tests/pytest -q
