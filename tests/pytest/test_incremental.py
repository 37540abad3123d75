"""Incremental builds and retention.

A generated data set arrives in batches of days; after each batch a plain
`dbt build` processes only what is new. The result must
equal, model for model and row for row, one full build from all the files.
Then the oldest files are deleted, as the data lake's 90-day retention
does, and further incremental runs must keep every earlier record.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from datasets import EVENTS_GLOB, generate_dataset
from dbt_project_runner import DbtProject, assert_same_models

from growth_enrollments import generate

SEED = 4242
DAY_IN_PATH = re.compile(r"year=(\d+)/month=(\d+)/day=(\d+)/")


def build_models(project: DbtProject, *args: str, dbt_vars: dict | None = None) -> None:
    """`dbt build` of seeds and models only (the data tests run in the last build)."""
    project.run("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test", *args,
                dbt_vars=dbt_vars)


def day_of(relative_path: str) -> tuple[int, int, int]:
    year, month, day = DAY_IN_PATH.search(relative_path).groups()
    return int(year), int(month), int(day)


def enrollment_events(path: Path) -> list[tuple[int, dict]]:
    """The lines of a plain-text event file that are enrollment events with
    a string meta.id, by line number (0-based), parsed."""
    events = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("action") == "experiment_enrollment" and isinstance(
            event.get("meta"), dict
        ) and isinstance(event["meta"].get("id"), str):
            events.append((number, event))
    return events


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> list[list[Path]]:
    """The generated files grouped into five arrival batches of whole days,
    plus a late file in batch 3 holding copies of batch-1 events: identical
    copies, one copy with an earlier time (it replaces the kept copy), and
    events that happened on batch-1 days but arrive only now."""
    source = tmp_path_factory.mktemp("incremental_source")
    cfg = generate.preset_config("messy", seed=SEED, events=2_500, days=20)
    generate_dataset(cfg, source)
    files = sorted(source.rglob("*.*json*"))
    days = sorted({day_of(str(path.relative_to(source))) for path in files})
    size = -(-len(days) // 5)
    day_batches = [set(days[start:start + size]) for start in range(0, len(days), size)]
    batches = [[path for path in files if day_of(str(path.relative_to(source))) in chosen] for chosen in day_batches]

    first_batch_events = [
        event
        for path in batches[0]
        if path.suffix in (".json", ".jsonl", ".ndjson")
        for _, event in enrollment_events(path)
        if isinstance(event.get("dt"), str)
    ]
    assert len(first_batch_events) > 20, "the first batch must hold events to copy"
    late_lines = [json.dumps(event) for event in first_batch_events[:10]]  # identical-content copies
    earlier = dict(first_batch_events[10])
    earlier["dt"] = "2025-02-01T00:00:00Z"  # same meta.id, earlier: this copy now counts
    late_lines.append(json.dumps(earlier))
    for index, event in enumerate(first_batch_events[11:16]):
        late = json.loads(json.dumps(event))
        late["meta"]["id"] = f"late-arrival-{index}"
        late["performer"]["id"] = 990_000 + index  # new users, enrolled on batch-1 days
        late_lines.append(json.dumps(late))
    late_folder = batches[2][0].parent
    late_file = late_folder / "late-arrivals.jsonl"
    late_file.write_text("\n".join(late_lines) + "\n")
    batches[2].append(late_file)
    assert len(batches) == 5 and all(batches)
    return batches


def arrive(batch: list[Path], source_root: Path, landing: Path) -> None:
    for path in batch:
        relative = path.relative_to(source_root)
        target = landing / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def test_incremental_batches_equal_a_full_build_and_survive_retention(batches, tmp_path: Path):
    source_root = Path(str(batches[0][0]).split("/datacenter=")[0])
    landing = tmp_path / "landing"
    landing.mkdir()
    events_path = str(landing / EVENTS_GLOB)
    incremental = DbtProject(tmp_path / "incremental.duckdb", events_path=events_path)

    # batches 1..4 arrive one by one, each followed by an incremental run
    # (seeds and models; the last one is a whole `dbt build` with its tests)
    for index, batch in enumerate(batches[:4]):
        arrive(batch, source_root, landing)
        if index == 3:
            incremental.build()
        else:
            build_models(incremental)
    after_four = incremental.public_snapshot()
    full_four = DbtProject(tmp_path / "full_four.duckdb", events_path=events_path)
    build_models(full_four)
    assert_same_models(after_four, full_four.public_snapshot())

    # the incremental runs read only new files: the first batch's files were
    # read (and committed) by the first run only
    reads = dict(incremental.query("select source_file, max(loaded_at) from state_file_reads group by 1"))
    assert len(reads) == len(list(landing.rglob("*.*json*")))
    first_batch = {str(landing / path.relative_to(source_root)) for path in batches[0]}
    assert len({reads[file] for file in first_batch}) == 1, "old files must not be read again"
    assert max(reads[file] for file in first_batch) < max(reads.values())

    # retention: the first two batches' files are deleted; nothing is lost
    deleted = []
    for batch in batches[:2]:
        for path in batch:
            landed = landing / path.relative_to(source_root)
            landed.unlink()
            deleted.append(landed)
    build_models(incremental)
    assert_same_models(incremental.public_snapshot(), after_four)

    # a plain --full-refresh must not rebuild history from the remaining files
    build_models(incremental, "--full-refresh")
    assert_same_models(incremental.public_snapshot(), after_four)

    # the last batch arrives after the deletion: the result equals a full
    # build over every file ever delivered
    arrive(batches[4], source_root, landing)
    incremental.build()
    for batch in batches[:2]:
        arrive(batch, source_root, landing)  # restore them, only for the reference build
    full_all = DbtProject(tmp_path / "full_all.duckdb", events_path=events_path)
    build_models(full_all)
    assert_same_models(incremental.public_snapshot(), full_all.public_snapshot())


def test_deliberate_history_rebuild_reads_every_file(batches, tmp_path: Path):
    source_root = Path(str(batches[0][0]).split("/datacenter=")[0])
    landing = tmp_path / "landing"
    for batch in batches[:2]:
        arrive(batch, source_root, landing)
    events_path = str(landing / EVENTS_GLOB)
    project = DbtProject(tmp_path / "rebuild.duckdb", events_path=events_path)
    build_models(project)
    before = project.public_snapshot()
    for path in batches[0]:
        (landing / path.relative_to(source_root)).unlink()
    build_models(project, "--full-refresh", dbt_vars={"rebuild_history": True})
    after = project.public_snapshot()
    # rebuilt from what is left: the deleted batch's lines are gone
    assert sum(row[1] for row in after["fct_event_line_reconciliation"]) < sum(
        row[1] for row in before["fct_event_line_reconciliation"]
    )


def test_changed_vars_and_allocations_recompute_every_unit(batches, tmp_path: Path):
    """The models recomputed per user store a fingerprint of their other
    inputs: a build whose allocations, policy or daily-series vars changed
    recomputes every unit, and equals a clean build with the new inputs."""
    source_root = Path(str(batches[0][0]).split("/datacenter=")[0])
    landing = tmp_path / "landing"
    for batch in batches[:2]:
        arrive(batch, source_root, landing)
    events_path = str(landing / EVENTS_GLOB)
    project = DbtProject(tmp_path / "changed_inputs.duckdb", events_path=events_path)
    build_models(project)

    # allocations that end on the first batch's last day, read from a table
    # of the database; units after it fall outside every window
    last_day = "{:04d}-{:02d}-{:02d}".format(*max(day_of(str(path.relative_to(source_root))) for path in batches[0]))
    with duckdb.connect(str(project.duckdb_path)) as connection:
        connection.execute(
            "create table main.shorter_allocations as select * replace (cast(? as date) as valid_to) "
            "from main.experiment_allocations",
            [last_day],
        )
    changed = {
        "experiment_allocations_relation": "main.shorter_allocations",
        "multi_variant_policy": "exclude",
        "daily_series_end": last_day,
    }
    before = project.public_snapshot()
    build_models(project, dbt_vars=changed)
    after = project.public_snapshot()
    assert after["fct_enrollments_outside_allocations"] != before["fct_enrollments_outside_allocations"]

    clean = DbtProject(tmp_path / "clean.duckdb", events_path=events_path)
    with duckdb.connect(str(clean.duckdb_path)) as connection:
        connection.execute("attach ? as changed (read_only)", [str(project.duckdb_path)])
        connection.execute("create table main.shorter_allocations as select * from changed.main.shorter_allocations")
    build_models(clean, dbt_vars=changed)
    assert_same_models(after, clean.public_snapshot())


def test_a_rewritten_file_counts_only_its_last_version(batches, tmp_path: Path):
    """A file rewritten in place (a line dropped, a user changed): the next
    incremental build counts its new version only, as a clean build of the
    files as they are now does. The events only its earlier version held,
    which no copy loaded since holds, must be recomputed too."""
    source_root = Path(str(batches[0][0]).split("/datacenter=")[0])
    landing = tmp_path / "landing"
    arrive(batches[0], source_root, landing)
    events_path = str(landing / EVENTS_GLOB)
    project = DbtProject(tmp_path / "rewritten.duckdb", events_path=events_path)
    build_models(project)

    def enrollment_lines(path: Path) -> list[int]:
        return [number for number, event in enrollment_events(path) if isinstance(event.get("performer"), dict)]

    rewritten = next(
        landing / path.relative_to(source_root)
        for path in batches[0]
        if path.suffix == ".json" and len(enrollment_lines(path)) >= 3
    )
    lines = rewritten.read_text(encoding="utf-8").splitlines()
    dropped, changed = enrollment_lines(rewritten)[:2]
    moved = json.loads(lines[changed])
    moved["performer"]["id"] = 995_001  # the same event, now of another user
    lines[changed] = json.dumps(moved)
    del lines[dropped]
    rewritten.write_text("\n".join(lines) + "\n", encoding="utf-8")

    build_models(project)
    clean = DbtProject(tmp_path / "clean.duckdb", events_path=events_path)
    build_models(clean)
    assert_same_models(project.public_snapshot(), clean.public_snapshot())
    assert 995_001 in {row[0] for row in project.query("select user_id from fct_experiment_enrollments")}
