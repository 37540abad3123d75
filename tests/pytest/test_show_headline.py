"""The demo's headline (`growth-enrollments headline`): plain-text tables that fit
the terminal's width and wrap long cells, so that every column (experiment,
wiki, window, variant, users) is shown whatever the names' lengths."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from growth_enrollments import headline

LONG_VARIANT = "growthexperiments-revise-tone_treatment-with-a-very-long-name"


def columns_read_back(table: str, header: bool = False) -> list[str]:
    """Each column's text over all data lines (or the header's), spaces
    removed (wrapping only moves text to the next line), from the spans of
    the dashed rule."""
    lines = table.splitlines()
    rule_index = next(index for index, line in enumerate(lines) if set(line) <= {"-", " "} and line)
    spans, start = [], 0
    for part in lines[rule_index].split("  "):
        spans.append((start, start + len(part)))
        start += len(part) + 2
    chosen = lines[:rule_index] if header else lines[rule_index + 1 :]
    return ["".join(line[a:b] for line in chosen).replace(" ", "") for a, b in spans]


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_tables_fit_the_width_and_keep_every_value(width: int) -> None:
    rows = [
        ("growth-experiments", "be_x_oldwiki", "2025-02-18 to 2025-06-24", LONG_VARIANT, 123456),
        ("growth-experiments", "ptwiki", ".. to 2025-03-15", "control", 7),
    ]
    headers = ["experiment", "wiki", "window", "variant", "users"]
    text = headline.render_table(headers, rows, width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    assert columns_read_back(text, header=True) == headers
    # every value is there, wrapped over lines at most (no ellipsis, no hidden column)
    assert columns_read_back(text) == ["".join(str(row[index]) for row in rows).replace(" ", "") for index in range(5)]
    assert "…" not in text


def test_headline_prints_each_experiment_run(tmp_path: Path) -> None:
    database = tmp_path / "headline.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "create table fct_account_creation_run_variant_counts as select 'growth-experiments' as experiment, "
            "'zh_min_nanwiki' as wiki, date '2025-02-18' as valid_from, cast(null as date) as valid_to, "
            f"'{LONG_VARIANT}' as variant, 0.5 as expected_share, 4242 as enrolled_users, "
            "false as enrolled_users_is_suppressed"
        )
        connection.execute(
            "create table fct_page_impression_run_variant_counts as select 'growth-experiments' as experiment, "
            "'zh_min_nanwiki' as wiki, date '2025-02-18' as valid_from, cast(null as date) as valid_to, "
            f"'{LONG_VARIANT}' as variant, 99 as enrolled_users, false as enrolled_users_is_suppressed, "
            "null as new_account_users, true as new_account_users_is_suppressed"
        )
        connection.execute(
            "create table fct_enrollments_outside_allocations as select 'account_creation' as cohort, "
            "'growth-experiments' as experiment, 'enwiki' as wiki, 'control' as variant, "
            "'no_allocation' as outside_reason, 17 as enrolled_users, false as enrolled_users_is_suppressed"
        )
        connection.execute("create table fct_rejected_events as select 'canary' as reason")
    run = subprocess.run(
        [sys.executable, "-m", "growth_enrollments", "headline"],
        env={**os.environ, "DUCKDB_PATH": str(database), "COLUMNS": "80"},
        capture_output=True,
        text=True,
        check=True,
    )
    lines = run.stdout.splitlines()
    assert max(len(line) for line in lines if not line.startswith("Database: ")) <= 80
    for text in ("zh_min_nanwiki", "4242", "suppressed", "no_allocation", "17"):
        assert text in run.stdout, text
    # every column shown; the long variant is wrapped, never cut
    first_table = run.stdout.strip().split("\n\n")[0].split("\n", 1)[1]
    assert columns_read_back(first_table, header=True) == ["experiment", "wiki", "window", "variant", "expected", "users"]
    assert columns_read_back(first_table) == [
        "growth-experiments", "zh_min_nanwiki", "2025-02-18to..", LONG_VARIANT, "50.0%", "4242"
    ]
