"""`dbt build` without blocking, or being blocked by, BI readers.

    python scripts/build.py [--database PATH] [--keep-failed] [dbt build options...]

DuckDB lets one process write a database file, and a process that has it
open, even read-only, keeps every other process from opening it to write.
So a BI tool connected to the published file would make `dbt build` fail,
and a reader connecting during a build would fail or see it half done.

This wrapper never writes the published file:

1. it copies the published database (DUCKDB_PATH, default
   growth_enrollments.duckdb, or --database) to a new file of the same name
   in a private folder beside it (same file system, and the same DuckDB
   catalog name, which the views and the semantic manifest refer to). The
   incremental models' state comes along with the copy;
2. runs `dbt build` (with any options given) against the copy;
3. only if dbt exits 0 and the copy opens and holds the marts, checkpoints
   it, flushes it to disk and renames it over the published path
   (os.replace: atomic on POSIX file systems).

A reader that opened the published file before the rename keeps reading the
old, complete database until it reconnects; one that connects after reads
the new one. Neither ever sees a half-built database or holds up the build.
When dbt fails, the published file is left as it was. Two builds of the
same database wait for each other (a lock file beside it).

Needs Linux or macOS (on Windows a file open by a reader cannot be replaced).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

DEFAULT_DATABASE = "growth_enrollments.duckdb"
# a build that produced these is complete enough to publish
REQUIRED_TABLES = (
    "fct_experiment_enrollments",
    "fct_account_creation_variant_counts",
    "fct_page_impression_variant_counts",
)


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if found is None:
        raise SystemExit("dbt is not installed in this environment")
    return found


def fsync_path(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def check_and_checkpoint(database: Path) -> None:
    """Fail unless the new database opens and holds the marts; fold its WAL into it."""
    connection = duckdb.connect(str(database))
    try:
        present = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        }
        missing = [table for table in REQUIRED_TABLES if table not in present]
        if missing:
            raise SystemExit(f"the build has no {', '.join(missing)}: not published")
        connection.execute("checkpoint")
    finally:
        connection.close()


def build(published: Path, dbt_arguments: list[str], keep_failed: bool = False) -> int:
    published = published.resolve()
    published.parent.mkdir(parents=True, exist_ok=True)
    lock_path = published.parent / f".{published.name}.build.lock"
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"Another build of {published} is running; waiting for it.", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        staging = published.parent / f".{published.name}.build-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        candidate = staging / published.name
        try:
            if published.exists():
                started = time.monotonic()
                shutil.copyfile(published, candidate)
                wal = published.with_name(f"{published.name}.wal")
                if wal.exists():  # left by a writer that did not close: it belongs to the file
                    shutil.copyfile(wal, candidate.with_name(f"{candidate.name}.wal"))
                print(
                    f"Copied {published} ({published.stat().st_size:,} bytes) to a new file in "
                    f"{time.monotonic() - started:.1f}s; building there.",
                    flush=True,
                )
            else:
                print(f"No database at {published} yet; building a new one.", flush=True)
            environment = dict(os.environ, DUCKDB_PATH=str(candidate))
            returncode = subprocess.run([dbt_executable(), "build", *dbt_arguments], env=environment).returncode
            if returncode != 0:
                print(f"dbt build exited {returncode}: {published} was left as it was.", flush=True)
                return returncode
            check_and_checkpoint(candidate)
            fsync_path(candidate)
            os.replace(candidate, published)
            fsync_path(published.parent)
            print(f"Published {published}: readers get the new build when they reconnect.", flush=True)
            return 0
        finally:
            if keep_failed and candidate.exists():
                print(f"The failed build is kept in {candidate}", flush=True)
            else:
                shutil.rmtree(staging, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="dbt build into a copy of the published DuckDB file, then swap it in atomically.",
        epilog="Any other option is passed to `dbt build`, e.g. --select, --vars, --full-refresh.",
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("DUCKDB_PATH", DEFAULT_DATABASE),
        help="the published database (default: $DUCKDB_PATH, else growth_enrollments.duckdb)",
    )
    parser.add_argument("--keep-failed", action="store_true", help="keep the copy of a failed build to look at")
    arguments, dbt_arguments = parser.parse_known_args(argv)
    return build(Path(arguments.database), dbt_arguments, arguments.keep_failed)


if __name__ == "__main__":
    sys.exit(main())
