"""BI readers while dbt writes: scripts/build.py (README, "Building while BI tools read").

* The problem: a process holding the database open read-only keeps any
  other process from opening it to write, so a plain `dbt build` on the
  file a BI tool reads fails.
* The wrapper: with one reader holding the published file open for the
  whole build and another reconnecting over and over, an incremental build
  (after the first batch's raw files were deleted, so only the copied state
  remembers them) succeeds; every read sees a complete database (the count
  marts add up to the user-grain mart); the held connection keeps the old
  build to the end; a new connection gets the new one, with the deleted
  batch's users still there.
* A failing build leaves the published file byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import generate_events
import pytest
from datasets import generate_dataset
from dbt_project_runner import REPO_ROOT, dbt_environment

BUILD_SCRIPT = REPO_ROOT / "scripts" / "build.py"
SEED = 20250505
DAY_IN_PATH = re.compile(r"year=(\d+)/month=(\d+)/day=(\d+)")
BUILD_TIMEOUT_SECONDS = 1200
ONLY_MODELS = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
# a complete build: each count mart adds up to its cohort's units (policy `first`, no suppression)
CONSISTENCY_QUERY = """
select
    (select count(*) from main.fct_experiment_enrollments where cohort = 'account_creation'),
    (select sum(enrolled_users) from main.fct_account_creation_variant_counts),
    (select count(*) from main.fct_experiment_enrollments where cohort = 'page_impression'),
    (select sum(enrolled_users) from main.fct_page_impression_variant_counts),
    (select count(*) from main.fct_rejected_events)
"""
READER_LOOP = """
import json, os, sys, time
import duckdb
path, query, out, stop = sys.argv[1:5]
with open(out, "w") as log:
    while not os.path.exists(stop):
        started = time.monotonic()
        try:
            connection = duckdb.connect(path, read_only=True)
            try:
                row = [int(value) for value in connection.execute(query).fetchall()[0]]
            finally:
                connection.close()
            log.write(json.dumps({"ok": True, "row": row, "seconds": time.monotonic() - started}) + "\\n")
        except Exception as error:
            log.write(json.dumps({"ok": False, "error": repr(error)}) + "\\n")
        log.flush()
        time.sleep(0.05)
"""


def read_state(connection: duckdb.DuckDBPyConnection) -> tuple[int, ...]:
    return tuple(int(value) for value in connection.execute(CONSISTENCY_QUERY).fetchall()[0])


def is_complete(state) -> bool:
    account_units, account_counted, page_units, page_counted, _rejected = state
    return account_units == account_counted and page_units == page_counted and account_units > 0


def units(path: Path) -> set[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return set(
            connection.execute("select cohort, experiment, wiki, user_id from main.fct_experiment_enrollments").fetchall()
        )


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wrapper_command(published: Path, events_path: str, *arguments: str, dbt_vars: dict | None = None) -> list[str]:
    return [
        sys.executable,
        str(BUILD_SCRIPT),
        "--database",
        str(published),
        *arguments,
        "--vars",
        json.dumps({"events_path": events_path, **(dbt_vars or {})}),
    ]


def run_wrapper(published: Path, work_dir: Path, events_path: str, *arguments: str, **kwargs):
    return subprocess.run(
        wrapper_command(published, events_path, *arguments, **kwargs),
        cwd=REPO_ROOT,
        env=dbt_environment(published, work_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
    )


@pytest.fixture(scope="module")
def two_batches(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], list[Path]]:
    """Generated files split into the first and the second half of their days."""
    source = tmp_path_factory.mktemp("safe_build_source")
    generate_dataset(generate_events.preset_config("messy", seed=SEED, events=2_000, days=20), source)
    files = sorted(source.rglob("*.*json*"))
    days = sorted({DAY_IN_PATH.search(str(path)).groups() for path in files})
    first_days = set(days[: len(days) // 2])
    first = [path for path in files if DAY_IN_PATH.search(str(path)).groups() in first_days]
    second = [path for path in files if path not in first]
    assert first and second
    return source, first, second


def land(files: list[Path], source: Path, landing: Path) -> None:
    for path in files:
        target = landing / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def test_a_reader_blocks_a_writer_of_the_same_file(tmp_path: Path):
    path = tmp_path / "shared.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table t as select 1 as x")
    with duckdb.connect(str(path), read_only=True) as reader:
        assert reader.execute("select x from t").fetchall() == [(1,)]
        writer = subprocess.run(
            [sys.executable, "-c", f"import duckdb; duckdb.connect({str(path)!r})"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
        )
    assert writer.returncode != 0
    assert "lock" in writer.stdout.lower(), writer.stdout


def test_build_while_readers_read(two_batches, tmp_path: Path):
    source, first, second = two_batches
    landing = tmp_path / "landing"
    events_path = str(landing / "**" / "*.*json*")
    published = tmp_path / "bi" / "growth_enrollments.duckdb"
    work_dir = tmp_path / "dbt"

    land(first, source, landing)
    first_build = run_wrapper(published, work_dir, events_path, *ONLY_MODELS)
    assert first_build.returncode == 0, first_build.stdout
    assert "Published" in first_build.stdout
    first_units = units(published)

    # retention deletes the first batch's raw files; the second batch arrives
    shutil.rmtree(landing)
    land(second, source, landing)

    held = duckdb.connect(str(published), read_only=True)
    before = read_state(held)
    assert is_complete(before)
    stop = tmp_path / "stop-reader"
    reader_log = tmp_path / "reader.jsonl"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER_LOOP, str(published), CONSISTENCY_QUERY, str(reader_log), str(stop)]
    )
    build = subprocess.Popen(
        wrapper_command(published, events_path, *ONLY_MODELS),
        cwd=REPO_ROOT,
        env=dbt_environment(published, work_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    held_reads = 0
    try:
        deadline = time.monotonic() + BUILD_TIMEOUT_SECONDS
        while build.poll() is None and time.monotonic() < deadline:
            assert read_state(held) == before, "the held connection must keep reading the old build"
            held_reads += 1
            time.sleep(0.2)
        output, _ = build.communicate(timeout=60)
        assert build.returncode == 0, output
        assert "Published" in output
        # let the reconnecting reader see the new build at least once
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            lines = reader_log.read_text().splitlines() if reader_log.exists() else []
            if lines and json.loads(lines[-1]).get("row") not in (None, list(before)):
                break
            time.sleep(0.1)
    finally:
        stop.touch()
        reader.wait(timeout=60)
        if build.poll() is None:
            build.kill()

    assert held_reads > 3, "the build was too quick to read during it"
    assert read_state(held) == before, "a connection opened before the swap keeps the old database"
    held.close()

    observations = [json.loads(line) for line in reader_log.read_text().splitlines()]
    failures = [observation for observation in observations if not observation["ok"]]
    assert not failures, f"a reader could not connect or read during the build: {failures[:3]}"
    states = [tuple(observation["row"]) for observation in observations]
    assert len(states) > 10
    assert all(is_complete(state) for state in states), "a reader saw a half-built database"

    with duckdb.connect(str(published), read_only=True) as connection:
        after = read_state(connection)
    assert is_complete(after) and after != before
    assert set(states) == {before, after}, "readers saw the old build, then the new one, nothing else"
    assert states.index(after) > states.index(before)
    assert all(state == after for state in states[states.index(after):]), "once swapped, never back"

    # the incremental state came with the copy: the deleted batch's users are still counted
    second_units = units(published)
    assert first_units < second_units
    leftovers = [path.name for path in published.parent.iterdir() if path.name != published.name]
    assert all(name.endswith(".build.lock") for name in leftovers), leftovers


def test_a_failed_build_leaves_the_published_file(two_batches, tmp_path: Path):
    source, first, _second = two_batches
    landing = tmp_path / "landing"
    land(first, source, landing)
    events_path = str(landing / "**" / "*.*json*")
    published = tmp_path / "bi" / "growth_enrollments.duckdb"
    built = run_wrapper(published, tmp_path / "dbt", events_path, *ONLY_MODELS)
    assert built.returncode == 0, built.stdout
    digest = file_digest(published)

    failed = run_wrapper(
        published, tmp_path / "dbt", events_path, dbt_vars={"multi_variant_policy": "not-a-policy"}
    )
    assert failed.returncode != 0
    assert "left as it was" in failed.stdout
    assert file_digest(published) == digest
    assert [path.name for path in published.parent.iterdir() if ".build-" in path.name] == []
