"""DuckDB's memory settings come from the environment, through the profile.

* `DUCKDB_MEMORY_LIMIT` and `DUCKDB_TEMP_DIRECTORY` are in force in dbt's
  connection.
* A query that needs more memory than the limit spills to the temporary
  directory and completes, rather than failing with an out-of-memory error.
* At a low limit the files are still read all at once, not one by one: the
  first pass, run with a spare DuckDB thread, is tried again without it
  when the spare thread's line buffer does not fit.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from dbt_project_runner import run_dbt


def show(sql: str, tmp_path: Path, environment: dict[str, str]) -> str:
    completed = run_dbt(
        ["show", "--inline", sql, "--output", "json", "--log-format", "text"],
        tmp_path / "show.duckdb",
        tmp_path,
        env=environment,
    )
    return completed.stdout


def test_memory_settings_come_from_the_environment(tmp_path: Path):
    spill_directory = tmp_path / "spill"
    output = show(
        "select current_setting('memory_limit') as memory_limit,"
        " current_setting('temp_directory') as temp_directory",
        tmp_path,
        {"DUCKDB_MEMORY_LIMIT": "750MB", "DUCKDB_TEMP_DIRECTORY": str(spill_directory)},
    )
    # DuckDB reports the limit in MiB: 750 MB = 715.2 MiB
    assert '"memory_limit": "715.2 MiB"' in output, output
    assert f'"temp_directory": "{spill_directory}"' in output, output


def test_a_query_larger_than_the_memory_limit_spills_and_completes(tmp_path: Path):
    # about 1.5 GB of distinct strings to hash under a 600 MB limit
    output = show(
        "select count(distinct label) as distinct_labels"
        " from (select cast(i as varchar) || repeat('x', 100) as label from range(12000000) as t(i))",
        tmp_path,
        {"DUCKDB_MEMORY_LIMIT": "600MB", "DUCKDB_TEMP_DIRECTORY": str(tmp_path / "spill")},
    )
    assert '"distinct_labels": 12000000' in output, output


def test_a_low_memory_limit_still_reads_the_files_together(tmp_path: Path):
    # at 700MB the spare thread's 256 MiB line buffer does not fit beside the
    # other two (macros/sources/read_event_lines.sql)
    completed = run_dbt(
        ["run", "--select", "metricflow_time_spine", "--log-format", "text"],
        tmp_path / "low_memory.duckdb",
        tmp_path,
        env={"DUCKDB_MEMORY_LIMIT": "700MB", "DUCKDB_TEMP_DIRECTORY": str(tmp_path / "spill")},
    )
    assert "trying them one by one" not in completed.stdout, completed.stdout[-3000:]
    with duckdb.connect(str(tmp_path / "low_memory.duckdb"), read_only=True) as connection:
        files, unreadable = connection.execute(
            "select count(*), count(read_error) from main.raw_event_files"
        ).fetchone()
    assert files > 0 and unreadable == 0
