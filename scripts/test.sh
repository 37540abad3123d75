#!/usr/bin/env bash
# Installs the pinned test dependencies, lints the SQL and the Python, checks
# the project rules (dbt-bouncer.yml) and runs every test: dbt build (data
# and unit tests) on the shipped sample, a compile of the analyses, and
# pytest: the Spark suite starts first, in the background, the DuckDB
# suites after the checks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh requirements-spark.txt  # test pins + Spark (itself -r requirements-dev.txt)
export PATH="$PWD/.venv/bin:$PATH"
work_dir="$(mktemp -d)"
spark_pid=""
cleanup() {
    # the Spark suite, its dbt and its JVM: one process group (setsid)
    if [ -n "$spark_pid" ]; then kill -- "-$spark_pid" 2>/dev/null || true; fi
    rm -rf "$work_dir"
}
trap cleanup EXIT
export DUCKDB_PATH="$work_dir/test.duckdb"
# The dbt commands here write their artifacts to $work_dir/target, where
# dbt-bouncer reads them ($DBT_PROJECT_DIR/target); COLUMNS keeps its table
# of failures readable in CI.
dbt_here() { DBT_TARGET_PATH="$work_dir/target" dbt "$@"; }
bouncer() { COLUMNS=200 DBT_PROJECT_DIR="$work_dir" dbt-bouncer run --config-file dbt-bouncer.yml "$@"; }

# The Spark suite (a JVM, mostly waiting on Spark) starts first and runs in
# the background beside everything else: the checks below and the DuckDB
# suites, which run on pytest-xdist workers, each taking whole modules
# (their module fixtures build once). A dbt command leaves the cores idle
# much of the time (start-up, subprocesses, waits), so more processes than
# cores keep both busy. SKIP_SPARK=1 leaves the Spark suite out (quick
# local loops).
spark_log="$work_dir/spark-pytest.log"
spark_status=0
if [ "${SKIP_SPARK:-}" != "1" ]; then
    echo "== pytest: the Spark suite starts in the background"
    setsid python -m pytest tests/pytest/test_spark_equality.py -q --durations=10 > "$spark_log" 2>&1 &
    spark_pid=$!
fi

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

echo "== the analyses compile (analyses/: the acceptance queries)"
dbt_here compile --select "path:analyses" --quiet --warn-error-options '{"error": ["NoNodesForSelectionCriteria"]}'

echo "== chromium for the report test (installed only when missing)"
bash scripts/install_chromium.sh

echo "== pytest: every other suite (two workers)"
set +e
python -m pytest tests/pytest -q -n 2 --dist loadfile --durations=25 --ignore=tests/pytest/test_spark_equality.py
duckdb_status=$?
if [ "${SKIP_SPARK:-}" != "1" ]; then
    wait "$spark_pid"
    spark_status=$?
    spark_pid=""
    echo "== pytest: the Spark suite"
    cat "$spark_log"
fi
set -e
if [ "$duckdb_status" -ne 0 ] || [ "$spark_status" -ne 0 ]; then
    echo "pytest failed: DuckDB suites exited $duckdb_status, the Spark suite $spark_status"
    exit 1
fi
