"""The headline variant counts of the built DuckDB database (`growth-enrollments headline`).

Users per variant in each experiment run (an allocation window of the seed
`experiment_allocations`: experiment, wiki, window), at account creation and
at page impression, the users outside every allocation, and the rejected
lines by reason. Each is a plain-text table no wider than the terminal (80
columns when unknown): a cell too long for its column wraps onto more lines,
so no column is ever hidden. The database is $DUCKDB_PATH, else
growth_enrollments.duckdb.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Sequence

import duckdb

MIN_COLUMN_WIDTH = 6
SUPPRESSED = "suppressed"


def wrap_cell(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_on_hyphens=True, break_long_words=True) or [""]


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]], width: int = 80) -> str:
    """A table of `rows` at most `width` characters wide: the widest columns
    are narrowed first and their cells wrapped; numbers are right-aligned."""
    texts = [["" if value is None else str(value) for value in row] for row in rows]
    numeric = [all(isinstance(row[index], int) for row in rows if row[index] is not None) for index in range(len(headers))]
    widths = [max([len(header)] + [len(row[index]) for row in texts]) for index, header in enumerate(headers)]
    separator = "  "
    budget = width - len(separator) * (len(headers) - 1)
    while sum(widths) > budget and max(widths) > MIN_COLUMN_WIDTH:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    lines = []

    def add_row(cells: Sequence[str], align_numbers: bool) -> None:
        wrapped = [wrap_cell(cell, widths[index]) for index, cell in enumerate(cells)]
        for line_index in range(max(len(parts) for parts in wrapped)):
            parts = []
            for index, cell_lines in enumerate(wrapped):
                part = cell_lines[line_index] if line_index < len(cell_lines) else ""
                right = align_numbers and numeric[index]
                parts.append(part.rjust(widths[index]) if right else part.ljust(widths[index]))
            lines.append(separator.join(parts).rstrip())

    add_row(list(headers), False)
    lines.append(separator.join("-" * column_width for column_width in widths))
    for cells in texts:
        add_row(cells, True)
    if not rows:
        lines.append("(no rows)")
    return "\n".join(lines)


def published(value: object, is_suppressed: bool) -> object:
    return SUPPRESSED if is_suppressed else value


def window(valid_from: object, valid_to: object) -> str:
    return f"{valid_from or '..'} to {valid_to or '..'}"


def share(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def print_headline() -> int:
    """Print the tables; 0 when done."""
    database_path = os.environ.get("DUCKDB_PATH", "growth_enrollments.duckdb")
    width = min(shutil.get_terminal_size((80, 24)).columns, 200)
    connection = duckdb.connect(database_path, read_only=True)
    try:
        account_creation = connection.execute(
            """
            select experiment, wiki, valid_from, valid_to, variant, expected_share,
                enrolled_users, enrolled_users_is_suppressed
            from main.fct_account_creation_run_variant_counts
            order by experiment, wiki, valid_from nulls first, variant
            """
        ).fetchall()
        page_impression = connection.execute(
            """
            select experiment, wiki, valid_from, valid_to, variant, enrolled_users, enrolled_users_is_suppressed,
                new_account_users, new_account_users_is_suppressed
            from main.fct_page_impression_run_variant_counts
            order by experiment, wiki, valid_from nulls first, variant
            """
        ).fetchall()
        outside = connection.execute(
            """
            select cohort, experiment, wiki, variant, outside_reason, enrolled_users, enrolled_users_is_suppressed
            from main.fct_enrollments_outside_allocations
            order by cohort, experiment, wiki, variant, outside_reason
            """
        ).fetchall()
        rejected = connection.execute(
            "select reason, count(*) as lines from main.fct_rejected_events group by reason order by lines desc, reason"
        ).fetchall()
    finally:
        connection.close()
    tables = [
        (
            "Users per variant at account creation, per experiment run",
            ["experiment", "wiki", "window", "variant", "expected", "users"],
            [
                (experiment, wiki, window(start, end), variant, share(expected), published(users, hidden))
                for experiment, wiki, start, end, variant, expected, users, hidden in account_creation
            ],
        ),
        (
            "Users per variant at page impression (new accounts included), per experiment run",
            ["experiment", "wiki", "window", "variant", "users", "new accounts"],
            [
                (experiment, wiki, window(start, end), variant, published(users, hidden), published(new, new_hidden))
                for experiment, wiki, start, end, variant, users, hidden, new, new_hidden in page_impression
            ],
        ),
        (
            "Users outside every allocation (not in the runs above)",
            ["cohort", "experiment", "wiki", "variant", "reason", "users"],
            [row[:5] + (published(row[5], row[6]),) for row in outside],
        ),
        ("Rejected lines by reason", ["reason", "lines"], rejected),
    ]
    for title, headers, rows in tables:
        print()
        print(textwrap.fill(title, width))
        print(render_table(headers, rows, width))
    print(f"\nDatabase: {os.path.abspath(database_path)}")
    return 0

