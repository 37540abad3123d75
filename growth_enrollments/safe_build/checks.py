"""Whether a build may be published: it opens and holds the marts, with rows where the published one had them."""

from __future__ import annotations

from pathlib import Path

import duckdb

from growth_enrollments.safe_build.files import fsync_path

# a build that produced these is complete enough to publish
REQUIRED_TABLES = (
    "fct_experiment_enrollments",
    "fct_account_creation_variant_counts",
    "fct_page_impression_variant_counts",
)


class NotPublished(Exception):
    """The build succeeded but must not replace the published database."""


def mart_row_counts(database: Path) -> dict[str, int]:
    """Rows in each of REQUIRED_TABLES the database has."""
    connection = duckdb.connect(str(database), read_only=True)
    try:
        present = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        }
        return {
            table: connection.execute(f'select count(*) from main."{table}"').fetchone()[0]
            for table in REQUIRED_TABLES
            if table in present
        }
    finally:
        connection.close()


def published_row_counts(published: Path, copy: Path) -> dict[str, int]:
    """The published database's mart rows, read from its copy (the guard against emptied marts)."""
    try:
        return mart_row_counts(copy)
    except duckdb.Error as error:
        print(f"Could not count the rows of {published} ({error}): its marts are not compared.", flush=True)
        return {}


def check_marts(database: Path, previous: dict[str, int], allow_empty: bool) -> None:
    """Raise NotPublished unless the build holds the marts, with rows where the published one had them."""
    counts = mart_row_counts(database)
    missing = [table for table in REQUIRED_TABLES if table not in counts]
    if missing:
        raise NotPublished(f"the build has no {', '.join(missing)}")
    emptied = [table for table in REQUIRED_TABLES if counts[table] == 0 and previous.get(table, 0) > 0]
    if emptied and not allow_empty:
        held = "; ".join(f"{table} is empty, the published one has {previous[table]:,} rows" for table in emptied)
        raise NotPublished(
            f"in the build, {held}. Check that events_path finds the raw files, "
            "or pass --allow-empty to publish it anyway"
        )
    if emptied:
        print(f"--allow-empty: publishing a build with no rows in {', '.join(emptied)}.", flush=True)


def checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the file, so that the file alone is the database."""
    connection = duckdb.connect(str(database))
    try:
        connection.execute("checkpoint")
    finally:
        connection.close()
    fsync_path(database)
