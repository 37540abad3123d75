"""A database built before the stored history moved to models/state/ keeps
its history: `dbt run-operation migrate_history_to_state` carries it over.

The project as it was before the move (its last commit, taken from git) builds
a first batch of files; those files are then deleted, as the data lake's
retention does, and a second batch arrives. After the migration, a normal
build of the current project equals a clean build of both batches, and the
migrated files are not read again.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from datasets import EVENTS_GLOB, generate_dataset
from dbt_project_runner import REPO_ROOT, DbtProject, dbt_environment, dbt_executable
from test_crash_consistency import MODELS_ONLY, assert_same_models, copy_files, day_of, public_snapshot

from growth_enrollments import generate

# the last commit whose history tables were int_source_files_loaded,
# int_events_deduplicated and fct_rejected_events
BEFORE_STATE_MODELS = "77e71ae8120b647fe62c2a63ce589e15b2fde7ca"
SEED = 424242


def project_before_state_models(destination: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", "--format=tar", BEFORE_STATE_MODELS],
        capture_output=True,
    )
    if archive.returncode != 0:
        pytest.skip(f"commit {BEFORE_STATE_MODELS[:7]} is not in this clone: {archive.stderr.decode()[:200]}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")
    return destination


def test_history_built_before_the_state_models_is_migrated(tmp_path: Path):
    source = tmp_path / "generated"
    cfg = generate.preset_config("messy", seed=SEED, events=400, days=4, lines_per_file=30)
    generate_dataset(cfg, source)
    files = sorted(path for path in source.rglob("*") if path.is_file())
    days = sorted({day_of(path) for path in files})
    first = [path for path in files if day_of(path) in days[:2]]
    second = [path for path in files if day_of(path) in days[2:]]
    landing = tmp_path / "landing"
    copy_files(first, source, landing)
    events_path = str(landing / EVENTS_GLOB)
    database = tmp_path / "migrated.duckdb"

    old_project = project_before_state_models(tmp_path / "before")
    old_build = subprocess.run(
        [dbt_executable(), "build", *MODELS_ONLY, "--vars", f'{{events_path: "{events_path}"}}'],
        cwd=old_project,
        env={**dbt_environment(database, tmp_path / "old_dbt"), "DBT_PROFILES_DIR": str(old_project)},
        capture_output=True,
        text=True,
    )
    assert old_build.returncode == 0, old_build.stdout[-3000:]

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
    assert_same_models(public_snapshot(migrated), public_snapshot(clean))
    reads = dict(migrated.query("select source_file, loaded_at from state_file_reads"))
    first_reads = {reads[str(landing / path.relative_to(source))] for path in first}
    assert len(first_reads) == 1 and min(first_reads) < max(reads.values())  # not read again

    refused = migrated.run("run-operation", "migrate_history_to_state", check=False)
    assert refused.returncode != 0 and "already" in refused.stdout
    shutil.rmtree(old_project)
