#!/usr/bin/env bash
# Installs the pinned test dependencies, lints the SQL and the Python, checks
# the project rules (dbt-bouncer.yml) and runs every test: dbt build (data
# and unit tests) on the shipped sample, a compile of the analyses, and
# pytest. The checks come first, without pytest (a failing one stops the
# script within two minutes; sqlfluff lints beside the others); then pytest
# runs every suite on two pytest-xdist workers, the Spark suite first on one
# of them (tests/pytest/conftest.py). With the checks beside pytest
# instead, the whole command took about a fifth more CPU time
# (docs/testing.md). Each step prints the time since the start.
# SKIP_SPARK=1 leaves the Spark suite out (quick local loops).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
step() { printf '== [%d:%02d] %s\n' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)) "$*"; }

work_dir="$(mktemp -d)"
sqlfluff_pid=""  # the linter in the background, in a process group of its own
cleanup() {
    [ -z "$sqlfluff_pid" ] || kill -- "-$sqlfluff_pid" 2>/dev/null || true
    rm -rf "$work_dir"
}
trap cleanup EXIT

step "installs: the venv with the test pins and Spark, and Chromium for the report test (when missing), side by side"
bash scripts/install_chromium.sh > "$work_dir/chromium.log" 2>&1 &
chromium_pid=$!
bash scripts/setup_venv.sh requirements-spark.txt  # test pins + Spark (itself -r requirements-dev.txt)
if ! wait "$chromium_pid"; then
    cat "$work_dir/chromium.log"
    exit 1
fi
cat "$work_dir/chromium.log"
export PATH="$PWD/.venv/bin:$PATH"

# The dbt commands of the checks build $work_dir/test.duckdb and write their
# artifacts to $work_dir/target, where dbt-bouncer reads them
# ($DBT_PROJECT_DIR/target); COLUMNS keeps its table of failures readable
# in CI.
dbt_here() { DUCKDB_PATH="$work_dir/test.duckdb" DBT_TARGET_PATH="$work_dir/target" dbt "$@"; }
bouncer() { COLUMNS=200 DBT_PROJECT_DIR="$work_dir" dbt-bouncer run --config-file dbt-bouncer.yml "$@"; }

# sqlfluff keeps one core busy for most of the checks: it lints beside the
# others, its output printed when they are done
step "sqlfluff lint, started in the background"
setsid sqlfluff lint models > "$work_dir/sqlfluff.log" 2>&1 &
sqlfluff_pid=$!

step "ruff"
ruff check .

step "project rules on the manifest (dbt parse, dbt-bouncer)"
dbt_here parse --quiet
bouncer --only manifest_checks

step "dbt build on the shipped sample: every model, seed, data test and unit test"
dbt_here build --warn-error-options '{"error": ["NoNodesForSelectionCriteria"]}'

step "project rules on the catalog (dbt docs generate, dbt-bouncer)"
dbt_here docs generate --no-compile --quiet
bouncer --only catalog_checks

step "the analyses compile (analyses/: the acceptance queries)"
dbt_here compile --select "path:analyses" --quiet --warn-error-options '{"error": ["NoNodesForSelectionCriteria"]}'

sqlfluff_status=0
wait "$sqlfluff_pid" || sqlfluff_status=$?
sqlfluff_pid=""
step "sqlfluff lint exited $sqlfluff_status"
cat "$work_dir/sqlfluff.log"
[ "$sqlfluff_status" -eq 0 ]

# the checks passed: every suite, on two workers, each taking whole modules
# (their module fixtures build once): the Spark suite starts first on one,
# the modules of the session builds on the other (tests/pytest/conftest.py)
step "pytest: the Spark and DuckDB suites"
python -m pytest tests/pytest -q -n 2 --dist loadfile --no-loadscope-reorder --durations=25
step "every check and test passed"
