#!/usr/bin/env bash
# Installs the pinned test dependencies, lints the SQL and the Python, checks
# the project rules (dbt-bouncer.yml) and runs every test: dbt build (data
# and unit tests) on the shipped sample, a compile of the analyses, and
# pytest. The checks come first, without pytest (a failing one stops the
# script within two minutes; sqlfluff lints beside the others); then the
# two pytest runs (the Spark suite; the DuckDB suites on two pytest-xdist
# workers) run side by side in the background. With the checks beside the
# pytest runs instead, the whole command took about a fifth more CPU time
# (docs/testing.md). Each step prints the time since the start.
# SKIP_SPARK=1 leaves the Spark suite out (quick local loops).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
step() { printf '== [%d:%02d] %s\n' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)) "$*"; }

work_dir="$(mktemp -d)"
declare -A background_pid=()  # command in the background -> its process group
cleanup() {
    # each command with its children (a suite: its dbt commands and its JVM):
    # one process group (setsid)
    for pid in "${background_pid[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
    rm -rf "$work_dir"
}
trap cleanup EXIT

# A command in the background: its name, then the command. Its output goes
# to a log, printed by finish_background, which waits for it and returns its
# status.
start_background() {
    local name="$1"
    shift
    step "$name, started in the background"
    setsid "$@" > "$work_dir/$name.log" 2>&1 &
    background_pid[$name]=$!
}
finish_background() {
    local name="$1" status=0
    wait "${background_pid[$name]}" || status=$?
    unset "background_pid[$name]"
    step "$name exited $status"
    cat "$work_dir/$name.log"
    return "$status"
}

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
start_background "sqlfluff lint" sqlfluff lint models

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

finish_background "sqlfluff lint"

# the checks passed: the two pytest runs
if [ "${SKIP_SPARK:-}" != "1" ]; then
    start_background "Spark suite" python -m pytest tests/pytest/test_spark_equality.py -q --durations=10
fi
# two workers, each taking whole modules (their module fixtures build once),
# one of them every module of the session builds (tests/pytest/conftest.py)
start_background "DuckDB suites" python -m pytest tests/pytest -q -n 2 --dist loadfile --no-loadscope-reorder \
    --durations=25 --ignore=tests/pytest/test_spark_equality.py

step "waiting for pytest"
failed=()
for name in "DuckDB suites" "Spark suite"; do
    [ -n "${background_pid[$name]:-}" ] || continue
    finish_background "$name" || failed+=("the $name")
done
if [ "${#failed[@]}" -ne 0 ]; then
    echo "pytest failed: ${failed[*]}"
    exit 1
fi
step "every check and test passed"
