"""A database built by an earlier release keeps its history.

* Before the stored history moved to models/state/: `dbt run-operation
  migrate_history_to_state` carries it over.
* Before the stored copies kept the singular `experiment` object: a normal
  build adds the columns and recomputes the intermediate models.

The project as it was (its commit, taken from git) builds a first batch of
files; those files are then deleted, as the data lake's retention does, and a
second batch arrives. After the upgrade, a normal build of the current
project equals a clean build of both batches, and the first files are not
read again. The one difference: what the first batch's events said in their
singular `experiment` object was not stored, so their units count as without
a singular conflict or forced assignment (fewer flags, never other ones).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from datasets import EVENTS_GLOB, generate_dataset
from dbt_project_runner import (
    REPO_ROOT,
    RUN_STAMP_COLUMN,
    DbtProject,
    assert_same_models,
    dbt_environment,
    dbt_executable,
)
from test_crash_consistency import MODELS_ONLY, copy_files, day_of

from growth_enrollments import generate

# the last commit whose history tables were int_source_files_loaded,
# int_events_deduplicated and fct_rejected_events
BEFORE_STATE_MODELS = "77e71ae8120b647fe62c2a63ce589e15b2fde7ca"
# the last commit whose stored copies had no singular `experiment` columns
BEFORE_SINGULAR_COLUMNS = "433fb6e7d816edd7a815bb3fa45cc169e4162aac"
SEED = 424242
ASSIGNMENT_SOURCE_FLAGS = ("has_singular_variant_conflict", "has_forced_assignment")


def project_at(commit: str, destination: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", "--format=tar", commit],
        capture_output=True,
    )
    if archive.returncode != 0:
        pytest.skip(f"commit {commit[:7]} is not in this clone: {archive.stderr.decode()[:200]}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")
    return destination


def batches(tmp_path: Path) -> tuple[Path, list[Path], list[Path]]:
    """Four days of messy events: the first two days, then the last two."""
    source = tmp_path / "generated"
    cfg = generate.preset_config("messy", seed=SEED, events=400, days=4, lines_per_file=30)
    generate_dataset(cfg, source)
    files = sorted(path for path in source.rglob("*") if path.is_file())
    days = sorted({day_of(path) for path in files})
    first = [path for path in files if day_of(path) in days[:2]]
    second = [path for path in files if day_of(path) in days[2:]]
    return source, first, second


def build_at(commit: str, tmp_path: Path, events_path: str, database: Path) -> None:
    old_project = project_at(commit, tmp_path / commit[:7])
    old_build = subprocess.run(
        [dbt_executable(), "build", *MODELS_ONLY, "--vars", f'{{events_path: "{events_path}"}}'],
        cwd=old_project,
        env={**dbt_environment(database, tmp_path / "old_dbt"), "DBT_PROFILES_DIR": str(old_project)},
        capture_output=True,
        text=True,
    )
    assert old_build.returncode == 0, old_build.stdout[-3000:]
    shutil.rmtree(old_project)


def flagged_units(project: DbtProject) -> dict[str, set[tuple]]:
    return {
        flag: set(
            project.query(
                f"select cohort, experiment, wiki, user_id from main.fct_experiment_enrollments where {flag}"
            )
        )
        for flag in ASSIGNMENT_SOURCE_FLAGS
    }


def assert_same_models_but_first_batch_flags(upgraded: DbtProject, clean: DbtProject) -> None:
    """Every public model equal, but for the assignment-source flags of the
    first batch's units, which the upgraded database can only miss."""

    def without_flags(project: DbtProject) -> dict:
        snapshot = project.public_snapshot()
        del snapshot["fct_assignment_source_conflicts"]
        columns = [
            name
            for (name,) in project.query(
                "select column_name from information_schema.columns "
                "where table_name = 'fct_experiment_enrollments' order by ordinal_position"
            )
            if name not in ASSIGNMENT_SOURCE_FLAGS and name != RUN_STAMP_COLUMN
        ]
        snapshot["fct_experiment_enrollments"] = sorted(
            project.read_table("fct_experiment_enrollments", columns),
            key=lambda row: [(value is None, str(value)) for value in row],
        )
        return snapshot

    assert_same_models(without_flags(upgraded), without_flags(clean))
    upgraded_flags, clean_flags = flagged_units(upgraded), flagged_units(clean)
    for flag in ASSIGNMENT_SOURCE_FLAGS:
        assert upgraded_flags[flag] <= clean_flags[flag], flag
        assert clean_flags[flag], f"the messy data should have units with {flag}"


def test_history_built_before_the_state_models_is_migrated(tmp_path: Path):
    source, first, second = batches(tmp_path)
    landing = tmp_path / "landing"
    copy_files(first, source, landing)
    events_path = str(landing / EVENTS_GLOB)
    database = tmp_path / "migrated.duckdb"

    build_at(BEFORE_STATE_MODELS, tmp_path, events_path, database)

    for path in first:  # retention: only the database remembers the first batch
        (landing / path.relative_to(source)).unlink()
    copy_files(second, source, landing)
    migrated = DbtProject(database, events_path=events_path)
    output = migrated.run("run-operation", "migrate_history_to_state").stdout
    assert "Migrated" in output
    migrated.run("build", *MODELS_ONLY)

    copy_files(first, source, landing)
    clean = DbtProject(tmp_path / "clean.duckdb", events_path=events_path)
    clean.run("build", *MODELS_ONLY)
    assert_same_models_but_first_batch_flags(migrated, clean)
    reads = dict(migrated.query("select source_file, loaded_at from state_file_reads"))
    first_reads = {reads[str(landing / path.relative_to(source))] for path in first}
    assert len(first_reads) == 1 and min(first_reads) < max(reads.values())  # not read again

    refused = migrated.run("run-operation", "migrate_history_to_state", check=False)
    assert refused.returncode != 0 and "already" in refused.stdout


def test_history_built_before_the_singular_columns_is_upgraded_by_a_normal_build(tmp_path: Path):
    source, first, second = batches(tmp_path)
    landing = tmp_path / "landing"
    copy_files(first, source, landing)
    events_path = str(landing / EVENTS_GLOB)
    database = tmp_path / "upgraded.duckdb"
    build_at(BEFORE_SINGULAR_COLUMNS, tmp_path, events_path, database)

    for path in first:  # retention: only the database remembers the first batch
        (landing / path.relative_to(source)).unlink()
    copy_files(second, source, landing)
    upgraded = DbtProject(database, events_path=events_path)
    upgraded.run("build", *MODELS_ONLY)

    copy_files(first, source, landing)
    clean = DbtProject(tmp_path / "clean.duckdb", events_path=events_path)
    clean.run("build", *MODELS_ONLY)
    assert_same_models_but_first_batch_flags(upgraded, clean)
    # the second batch's events were checked: some unit is flagged
    assert any(flagged_units(upgraded).values())
