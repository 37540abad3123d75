"""Run the dbt project in a process of its own and read what it built.

Each `DbtProject` owns a DuckDB file and a working folder (dbt's `target/`
and `logs/` go there, so tests never touch the repository's own and can run
beside other dbt commands in the same tree). dbt always runs from the
repository root, where it finds `dbt_project.yml` and `profiles.yml`.

    project = DbtProject(tmp_path / "warehouse.duckdb", events_path="/data/**/*.*json*")
    project.build()                          # raises DbtCommandError with dbt's output on failure
    rows = project.read_table("fct_rejected_events", ["reason", "raw_line"])

Its commands write no JSON artifacts and no log file (dbt's `target/*.json`,
`logs/dbt.log`), which the tests seldom read: a command that needs them
passes `env=WRITE_ARTIFACTS`. Without artifacts, the commands of a project
with the same vars share one parse (dbt_fork_server.py).

`events_path` and any other vars are passed with `--vars` as JSON. Each dbt
command is a fork of a process that has loaded dbt already
(dbt_fork_server.py), or a plain `dbt` subprocess with DBT_TESTS_SUBPROCESS=1.
A project with `in_process_server = True` (Spark's) runs its commands one
after the other in one long-lived process instead, which keeps Spark's JVM.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb
from dbt_fork_server import ForkServer

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TIMEOUT_SECONDS = 1800


# what DbtProject's commands run with, unless a command asks for WRITE_ARTIFACTS
WITHOUT_ARTIFACTS = {"DBT_WRITE_JSON": "false", "DBT_LOG_LEVEL_FILE": "none"}
# dbt's manifest, run results, sources.json and semantic manifest, and dbt.log
WRITE_ARTIFACTS = {"DBT_WRITE_JSON": "true", "DBT_LOG_LEVEL_FILE": "debug"}


class DbtCommandError(AssertionError):
    """A dbt command exited non-zero; the message holds its full output."""


def dbt_executable() -> str:
    """The dbt of the running Python's environment, else the one on PATH."""
    candidate = Path(sys.executable).with_name("dbt")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if found is None:
        raise FileNotFoundError("dbt is not installed in this environment")
    return found


def dbt_environment(duckdb_path: Path | str, work_dir: Path | str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment dbt runs with: the DuckDB file and private target/log folders."""
    environment = dict(os.environ)
    environment.update(
        {
            "DUCKDB_PATH": str(duckdb_path),
            "DBT_PROFILES_DIR": str(REPO_ROOT),
            "DBT_TARGET_PATH": str(Path(work_dir) / "target"),
            "DBT_LOG_PATH": str(Path(work_dir) / "logs"),
            "DBT_USE_COLORS": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # The unit tests read only their fixtures, never the events: the
            # test command runs them once, in its build on the shipped sample
            # (scripts/test.sh), and the Spark suite in its first Spark build;
            # the suite's other builds leave them out. "" runs them.
            "DBT_EXCLUDE_RESOURCE_TYPES": "unit_test",
        }
    )
    environment.update(extra or {})
    return environment


def use_fork_server() -> bool:
    """dbt commands start as forks of a warmed-up process (dbt_fork_server.py)
    unless DBT_TESTS_SUBPROCESS=1."""
    return os.environ.get("DBT_TESTS_SUBPROCESS", "") in ("", "0")


def run_dbt(
    args: Sequence[str],
    duckdb_path: Path | str,
    work_dir: Path | str,
    dbt_vars: dict | None = None,
    check: bool = True,
    env: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    in_process_server: bool = False,
) -> subprocess.CompletedProcess:
    """Run `dbt <args> [--vars <json>]` from the repository root.

    With in_process_server=True the command runs in the in-process server
    (dbt_fork_server.py), after any command started there before. With
    check=True a non-zero exit raises DbtCommandError carrying dbt's output;
    otherwise the CompletedProcess (stdout and stderr merged in `.stdout`)
    is returned whatever the exit code.
    """
    command = [dbt_executable(), *args]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    environment = dbt_environment(duckdb_path, work_dir, env)
    if use_fork_server():
        completed = ForkServer.get(in_process_server).run(command[1:], REPO_ROOT, environment, timeout)
    else:
        completed = subprocess.run(
            command,
            cwd=REPO_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
    if check and completed.returncode != 0:
        raise DbtCommandError(
            f"`{' '.join(command)}` exited {completed.returncode}\n--- dbt output ---\n{completed.stdout}"
        )
    return completed


def read_table(
    duckdb_path: Path | str, table: str, columns: Sequence[str] | None = None, schema: str = "main"
) -> list[tuple]:
    """All rows of a table (or view) of a built DuckDB file, read-only."""
    selected = ", ".join(f'"{column}"' for column in columns) if columns else "*"
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        return connection.execute(f'select {selected} from "{schema}"."{table}"').fetchall()


# the start of the run that wrote a row: the only column in which two builds
# of the same data differ
RUN_STAMP_COLUMN = "computed_at"


def public_snapshot(duckdb_path: Path | str) -> dict[str, list[tuple]]:
    """Every public model's rows without the run stamp, sorted (NULLs made comparable)."""
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        columns: dict[str, list[str]] = {}
        for table, column in connection.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'main' and table_name like 'fct_%' order by table_name, ordinal_position"
        ).fetchall():
            if column != RUN_STAMP_COLUMN:
                columns.setdefault(table, []).append(f'"{column}"')
        return {
            table: sorted(
                connection.execute(f'select {", ".join(selected)} from main."{table}"').fetchall(),
                key=lambda row: [(value is None, str(value)) for value in row],
            )
            for table, selected in columns.items()
        }


def assert_same_models(actual: dict[str, list[tuple]], expected: dict[str, list[tuple]]) -> None:
    """The same public models (public_snapshot), row for row."""
    assert sorted(actual) == sorted(expected)
    for name in expected:
        assert len(actual[name]) == len(expected[name]), name
        assert actual[name] == expected[name], name


def query(duckdb_path: Path | str, sql: str, parameters: Sequence | None = None) -> list[tuple]:
    """Rows of any query against a built DuckDB file, read-only."""
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


class DbtProject:
    """One DuckDB warehouse of the project, built with fixed vars."""

    # run the commands in the in-process server (dbt_fork_server.py), not forks
    in_process_server = False

    def __init__(
        self,
        duckdb_path: Path | str,
        events_path: str | None = None,
        dbt_vars: dict | None = None,
        work_dir: Path | str | None = None,
        env: dict[str, str] | None = None,
    ):
        self.duckdb_path = Path(duckdb_path)
        self.work_dir = Path(work_dir) if work_dir else self.duckdb_path.parent / f"{self.duckdb_path.stem}_dbt"
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.vars = dict(dbt_vars or {})
        if events_path is not None:
            self.vars["events_path"] = events_path
        self.env = {**WITHOUT_ARTIFACTS, **(env or {})}
        self.last_run: subprocess.CompletedProcess | None = None

    def run(
        self, *args: str, dbt_vars: dict | None = None, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        """Run a dbt command with this project's vars and environment (updated
        by `dbt_vars` and `env`)."""
        merged = {**self.vars, **(dbt_vars or {})}
        self.last_run = run_dbt(
            args, self.duckdb_path, self.work_dir, merged, check=check, env={**self.env, **(env or {})},
            in_process_server=self.in_process_server,
        )
        return self.last_run

    def build(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("build", *args, check=check)

    def read_table(self, table: str, columns: Sequence[str] | None = None, schema: str = "main") -> list[tuple]:
        return read_table(self.duckdb_path, table, columns, schema)

    def query(self, sql: str, parameters: Sequence | None = None) -> list[tuple]:
        return query(self.duckdb_path, sql, parameters)

    def public_snapshot(self) -> dict[str, list[tuple]]:
        return public_snapshot(self.duckdb_path)
