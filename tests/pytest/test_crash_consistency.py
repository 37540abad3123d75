"""Stored history survives faults (docs/stored-history.md).

Every scenario ends the same way: after the fault, a normal `dbt build`
must leave every public model exactly as a clean build of the same files
does. The faults:

* SIGKILL of `dbt build` at many points of an incremental run: during the
  on-run-start hook that reads the files, as each state model starts and
  once it is written, and downstream of them;
* single nodes failing (var `fail_models`, macros/state/inject_fault.sql);
* a file read while half written, then completed;
* file names holding `[ ] * ? { } '` and spaces (never read as patterns);
* the oldest files deleted (the data lake's retention) after the recovery.

One small generated data set; each incremental trial starts from a copy of
the same database built from its first days.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from datasets import EVENTS_GLOB, generate_dataset
from dbt_fork_server import ForkServer
from dbt_project_runner import (
    REPO_ROOT,
    DbtProject,
    assert_same_models,
    dbt_environment,
    dbt_executable,
    use_fork_server,
)

from growth_enrollments import generate

SEED = 97531
DAY_IN_PATH = re.compile(r"year=(\d+)/month=(\d+)/day=(\d+)/")
MODELS_ONLY = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
KILL_TIMEOUT_SECONDS = 600
# (what dbt prints, the node it names): the kill comes right after that line
KILL_POINTS = [
    ("Concurrency:", None),  # the on-run-start hook is reading the files
    ("START", "state_event_copies"),
    ("OK created", "state_event_copies"),
    ("OK created", "state_rejected_lines"),
    ("START", "state_file_reads"),
    ("OK created", "state_file_reads"),
    ("OK created", "int_events_deduplicated"),
    ("OK created", "fct_rejected_events"),
    # inside the models per user: first_per_user committed, its readers not
    ("OK created", "int_enrollments_first_per_user"),
]
FAILING_NODES = [
    # the parsed lines of the run, created then filled (the model's
    # uncompressed columns, macros/storage/duckdb__create_table_as.sql)
    ["int_event_lines_classified"],
    ["state_event_copies"],
    ["state_rejected_lines"],
    ["state_file_reads"],
    ["int_events_deduplicated", "fct_rejected_events"],
    # after int_events_deduplicated committed: the log of changed users
    # reads the events it recomputed since the log's own last run
    ["int_enrollment_users_changed"],
    # after the log of changed users committed: the models per user catch up
    ["int_enrollments_first_per_user"],
    # after int_enrollments_first_per_user committed, beside its other readers
    ["int_enrollments_windowed", "fct_experiment_enrollments"],
]
# names a glob would misread, and a file whose name another one's pattern matches
ODD_NAMES = ["x[1].json", "x1.json", "a*b?.jsonl", "{a,b} it's here.ndjson", "brackets [a-z] end.json"]


def warehouse_file(root: Path, name: str) -> Path:
    """The DuckDB file of one project: a folder per project, one file name for
    all, so that the projects of the same events share one parse (the file's
    name is the database every node names, tests/pytest/dbt_fork_server.py)."""
    folder = root / name
    folder.mkdir()
    return folder / "warehouse.duckdb"


def day_of(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in DAY_IN_PATH.search(str(path)).groups())


def copy_files(files: list[Path], source_root: Path, landing: Path) -> None:
    for path in files:
        target = landing / path.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def run_and_kill(project: DbtProject, marker: str, node: str | None) -> bool:
    """Start `dbt build` (models only), SIGKILL it right after it prints `marker`
    (for `node`); True when the kill happened before dbt finished."""
    args = ["build", *MODELS_ONLY, "--vars", json.dumps(project.vars)]
    environment = dbt_environment(project.duckdb_path, project.work_dir, project.env)
    if use_fork_server():
        process = ForkServer.get().start(args, REPO_ROOT, environment)
        lines = _lines_of_fork(process)
    else:
        process = subprocess.Popen(
            [dbt_executable(), *args],
            cwd=REPO_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        lines = process.stdout
    deadline = time.monotonic() + KILL_TIMEOUT_SECONDS
    marker_seen = False
    for line in lines:
        if marker in line and (node is None or re.search(rf"\b{node}\b", line)):
            marker_seen = True
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:  # dbt had already exited
                pass
            break
        if time.monotonic() > deadline:
            break
    if use_fork_server():
        process.kill_group()
        returncode = process.wait(KILL_TIMEOUT_SECONDS)
    else:
        process.kill()
        returncode = process.wait()
        process.stdout.close()
    return marker_seen and returncode == -signal.SIGKILL  # not a dbt that had finished


def _lines_of_fork(process):
    """The output lines of a forked dbt command as they are written."""
    while True:
        finished = process.poll() is not None
        yield from process.read_new_output().splitlines(keepends=True)
        if finished:
            return
        time.sleep(0.02)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Six generated days: the first four built into a base database; then
    the last two arrive, one first-day file is rewritten (a new version),
    and the clean build of the final files is the reference."""
    root = tmp_path_factory.mktemp("crash")
    source = root / "generated"
    cfg = generate.preset_config("messy", seed=SEED, events=500, days=6, lines_per_file=30)
    generate_dataset(cfg, source)
    files = sorted(path for path in source.rglob("*") if path.is_file())
    days = sorted({day_of(path) for path in files})
    first, last = [p for p in files if day_of(p) in days[:4]], [p for p in files if day_of(p) in days[4:]]

    landing = root / "landing"
    copy_files(first, source, landing)
    events_path = str(landing / EVENTS_GLOB)
    base = DbtProject(warehouse_file(root, "base"), events_path=events_path)
    base.run("build", *MODELS_ONLY)

    copy_files(last, source, landing)
    rewritten = next(path for path in sorted(landing.rglob("*.json")) if day_of(path) == days[0])
    with open(rewritten, "a", encoding="utf-8") as handle:
        handle.write('{"appended": "a line the first read did not see"}\n')
    reference = DbtProject(warehouse_file(root, "reference"), events_path=events_path)
    reference.run("build", *MODELS_ONLY)
    return {
        "root": root,
        "landing": landing,
        "events_path": events_path,
        "base": base,
        "expected": reference.public_snapshot(),
        "first_day_files": [p for p in sorted(landing.rglob("*")) if p.is_file() and day_of(p) == days[0]],
    }


def trial_from_base(scenario: dict, name: str) -> DbtProject:
    path = warehouse_file(scenario["root"], name)
    shutil.copyfile(scenario["base"].duckdb_path, path)
    return DbtProject(path, events_path=scenario["events_path"])


@pytest.mark.parametrize(("marker", "node"), KILL_POINTS, ids=[f"{m}-{n}" for m, n in KILL_POINTS])
def test_sigkill_then_a_normal_build_equals_a_clean_build(scenario: dict, marker: str, node: str | None):
    trial = trial_from_base(scenario, f"killed_{marker.split()[0]}_{node}")
    assert run_and_kill(trial, marker, node), f"dbt finished before printing {marker} {node}"
    trial.run("build", *MODELS_ONLY)
    assert_same_models(trial.public_snapshot(), scenario["expected"])


@pytest.mark.parametrize("failing", FAILING_NODES, ids=["+".join(nodes) for nodes in FAILING_NODES])
def test_a_failed_node_then_a_normal_build_equals_a_clean_build(scenario: dict, failing: list[str]):
    trial = trial_from_base(scenario, "failed_" + "_".join(failing))
    failed = trial.run("build", *MODELS_ONLY, dbt_vars={"fail_models": failing}, check=False)
    assert failed.returncode != 0 and "fault injected in " + failing[0] in failed.stdout
    trial.run("build", *MODELS_ONLY)
    assert_same_models(trial.public_snapshot(), scenario["expected"])


def test_history_survives_a_crash_then_retention(scenario: dict, tmp_path: Path):
    """Killed while writing the state, recovered, then the first day's files are
    deleted: nothing they contributed is lost."""
    trial = trial_from_base(scenario, "retention")
    assert run_and_kill(trial, "OK created", "state_rejected_lines")
    trial.run("build", *MODELS_ONLY)
    for path in scenario["first_day_files"]:
        moved = tmp_path / path.relative_to(scenario["landing"])
        moved.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, moved)
    try:
        trial.run("build", *MODELS_ONLY)
        assert_same_models(trial.public_snapshot(), scenario["expected"])
    finally:
        for path in scenario["first_day_files"]:
            shutil.move(tmp_path / path.relative_to(scenario["landing"]), path)


def test_a_file_read_half_written_counts_as_completed(tmp_path: Path):
    """A file read while half written (its last line cut) and completed before
    the next run: the fragment's rejection is replaced, the reconciliation holds."""
    cfg = generate.preset_config("messy", seed=SEED + 1, events=200, days=2, lines_per_file=40)
    generate_dataset(cfg, tmp_path / "generated")
    complete = sorted((tmp_path / "generated").rglob("*.json"))[0]
    text = complete.read_text(encoding="utf-8")
    landing = tmp_path / "landing"
    copy_files(sorted(p for p in (tmp_path / "generated").rglob("*") if p.is_file()), tmp_path / "generated", landing)
    landed = landing / complete.relative_to(tmp_path / "generated")
    landed.write_text(text[: len(text) // 2], encoding="utf-8")  # cut inside a line
    events_path = str(landing / EVENTS_GLOB)

    incremental = DbtProject(warehouse_file(tmp_path, "incremental"), events_path=events_path)
    incremental.build()
    landed.write_text(text, encoding="utf-8")
    stat = landed.stat()
    os.utime(landed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a later write, as on any file system
    incremental.build()  # every data test, the reconciliation among them

    clean = DbtProject(warehouse_file(tmp_path, "clean"), events_path=events_path)
    clean.run("build", *MODELS_ONLY)
    assert_same_models(incremental.public_snapshot(), clean.public_snapshot())


def test_odd_file_names_are_read_as_names(scenario: dict, tmp_path: Path):
    """Names with glob characters, quotes and spaces, arriving on an incremental
    run: each file is read once, as itself."""
    landing = tmp_path / "landing"
    shutil.copytree(scenario["landing"], landing)
    events_path = str(landing / EVENTS_GLOB)
    incremental = DbtProject(warehouse_file(tmp_path, "incremental"), events_path=events_path)
    incremental.run("build", *MODELS_ONLY)

    donors = [p for p in sorted(landing.rglob("*.json")) if p.stat().st_size > 0][: len(ODD_NAMES)]
    folder = donors[0].parent
    for index, (donor, name) in enumerate(zip(donors, ODD_NAMES)):
        lines = donor.read_text(encoding="utf-8").splitlines()
        # new events (new ids), so that a file read in place of another changes the counts
        renamed = [line.replace('"id": "', f'"id": "odd{index}-') for line in lines]
        (folder / name).write_text("\n".join(renamed) + "\n", encoding="utf-8")
    incremental.build()

    clean = DbtProject(warehouse_file(tmp_path, "clean"), events_path=events_path)
    clean.run("build", *MODELS_ONLY)
    assert_same_models(incremental.public_snapshot(), clean.public_snapshot())
    read = {file for (file,) in incremental.query("select source_file from state_file_reads")}
    assert {str(folder / name) for name in ODD_NAMES} <= read
    lines = dict(incremental.query("select source_file, raw_lines from fct_event_line_reconciliation"))
    for index, name in enumerate(ODD_NAMES):
        assert lines[str(folder / name)] == len(donors[index].read_text(encoding="utf-8").splitlines()), name
