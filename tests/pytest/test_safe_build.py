"""BI readers while dbt writes: `growth-enrollments build` (docs/bi.md, "Building while BI tools read").

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
* Faults: SIGTERM or SIGINT to the wrapper while dbt runs stops dbt's whole
  process group (SIGKILL for a dbt that ignores the signal), deletes the
  copy and leaves the published file byte for byte as it was. After a
  SIGKILL the orphaned dbt keeps the lock, so the next build waits and names
  its process group; once that is killed, the build deletes the staging
  folder left behind and publishes.
* Backup: publishing keeps the replaced database (a hard link, with its
  write-ahead log); the printed `--rollback` command swaps it back, and a
  second rollback returns to the newer build; without a backup it refuses.
* A build that empties a mart the published database has rows in is not
  published unless --allow-empty.

The fault and backup tests that need no real model run use a stand-in dbt
(GROWTH_DBT_EXECUTABLE): it runs one SQL statement on the copy, or waits to
be signalled with a child process in its group. One real build (the
`built_database` fixture) is copied wherever a published database is needed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from datasets import generate_dataset
from dbt_project_runner import REPO_ROOT, dbt_environment

from growth_enrollments import generate

BUILD_COMMAND = (sys.executable, "-m", "growth_enrollments", "build")
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


def mart_count(path: Path, table: str = "fct_experiment_enrollments") -> int:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(f"select count(*) from main.{table}").fetchone()[0]


def wrapper_command(published: Path, events_path: str, *arguments: str, dbt_vars: dict | None = None) -> list[str]:
    return [
        *BUILD_COMMAND,
        "--database",
        str(published),
        *arguments,
        "--vars",
        json.dumps({"events_path": events_path, **(dbt_vars or {})}),
    ]


def run_wrapper(published: Path, work_dir: Path, events_path: str, *arguments: str, env=None, **kwargs):
    return subprocess.run(
        wrapper_command(published, events_path, *arguments, **kwargs),
        cwd=REPO_ROOT,
        env=dbt_environment(published, work_dir, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
    )


def start_wrapper(published: Path, work_dir: Path, events_path: str, *arguments: str, env=None) -> tuple:
    """The wrapper in the background, its output going to a file (a pipe nobody reads could block dbt)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    log = work_dir / f"wrapper-{time.monotonic_ns()}.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            wrapper_command(published, events_path, *arguments),
            cwd=REPO_ROOT,
            env=dbt_environment(published, work_dir, env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process, log


def staging_folder(published: Path, pid: int) -> Path:
    return published.parent / f".{published.name}.build-{pid}"


def backup_of(published: Path) -> Path:
    return published.parent / f".{published.name}.previous" / published.name


def wait_for(condition, what: str, wrapper: tuple | None = None, timeout: float = 300):
    """Poll `condition` until it is true; fail at once if the (process, log) wrapper has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if wrapper is not None and wrapper[0].poll() is not None:
            raise AssertionError(f"the wrapper exited {wrapper[0].returncode} before {what}:\n{wrapper[1].read_text()}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# --- processes (Linux /proc) ---


def process_state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def is_running(pid: int) -> bool:
    """Alive and not a zombie (a killed orphan may stay a zombie if init does not reap it)."""
    return process_state(pid) not in (None, "Z", "X")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def group_members(group: int) -> list[int]:
    """Running processes of a process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, _parent, process_group = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
        except OSError:
            continue
        if int(process_group) == group and state not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def lock_is_free(published: Path) -> bool:
    with open(published.parent / f".{published.name}.build.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(lock, fcntl.LOCK_UN)
        return True


@pytest.fixture
def process_groups():
    """A list for the process groups a test's wrappers start: any still running at the end are killed."""
    groups: list[int] = []
    yield groups
    for group in groups:
        if group_members(group):
            os.killpg(group, signal.SIGKILL)


needs_proc = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads processes from Linux /proc")

# A stand-in for dbt (GROWTH_DBT_EXECUTABLE). FAKE_DBT_MODE=sql runs
# FAKE_DBT_SQL on $DUCKDB_PATH and exits 0; `hang` starts a child that
# ignores SIGTERM, SIGINT and SIGHUP, writes "<own pid> <child pid>" to
# FAKE_DBT_PIDS and sleeps; `stubborn` is `hang` ignoring the signals itself.
FAKE_DBT = r"""
import os, signal, subprocess, sys, time
import duckdb

mode = os.environ["FAKE_DBT_MODE"]
if mode == "sql":
    with duckdb.connect(os.environ["DUCKDB_PATH"]) as connection:
        connection.execute(os.environ["FAKE_DBT_SQL"])
    sys.exit(0)
ignore = "import signal\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP): signal.signal(s, signal.SIG_IGN)\n"
child = subprocess.Popen(
    [sys.executable, "-c", ignore + "print('ready', flush=True)\nimport time\ntime.sleep(3600)"],
    stdout=subprocess.PIPE, text=True,
)
assert child.stdout.readline().strip() == "ready"
if mode == "stubborn":
    exec(ignore)
with open(os.environ["FAKE_DBT_PIDS"] + ".tmp", "w") as pids:
    pids.write(f"{os.getpid()} {child.pid}")
os.replace(os.environ["FAKE_DBT_PIDS"] + ".tmp", os.environ["FAKE_DBT_PIDS"])
time.sleep(3600)
"""


def fake_dbt_factory(directory: Path):
    """Install the stand-in dbt in `directory`; returns environment(mode, sql=None) for the wrapper."""
    executable = directory / "fake-dbt"
    executable.write_text(f"#!{sys.executable}\n{FAKE_DBT}")
    executable.chmod(0o755)

    def environment(mode: str, sql: str | None = None) -> dict[str, str]:
        return {
            "GROWTH_DBT_EXECUTABLE": str(executable),
            "FAKE_DBT_MODE": mode,
            "FAKE_DBT_SQL": sql or "",
            "FAKE_DBT_PIDS": str(directory / f"fake-dbt-{mode}.pids"),
        }

    return environment


@pytest.fixture
def fake_dbt(tmp_path: Path):
    """fake_dbt(mode, sql=None) -> the environment that makes the wrapper run the stand-in dbt."""
    return fake_dbt_factory(tmp_path)


def fake_dbt_pids(environment: dict[str, str]) -> tuple[int, int] | None:
    try:
        leader, child = Path(environment["FAKE_DBT_PIDS"]).read_text().split()
    except FileNotFoundError:
        return None
    return int(leader), int(child)


@pytest.fixture(scope="module")
def two_batches(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], list[Path]]:
    """Generated files split into the first and the second half of their days."""
    source = tmp_path_factory.mktemp("safe_build_source")
    generate_dataset(generate.preset_config("messy", seed=SEED, events=2_000, days=20), source)
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


@dataclass(frozen=True)
class BuiltDatabase:
    template: Path  # a published build of the first batch, never opened by a test: copy it
    events_path: str  # the first batch

    def publish_copy(self, published: Path) -> Path:
        published.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.template, published)
        return published


@pytest.fixture(scope="module")
def built_database(two_batches, tmp_path_factory: pytest.TempPathFactory) -> BuiltDatabase:
    """One real build through the wrapper (models only) of the first batch."""
    source, first, _second = two_batches
    root = tmp_path_factory.mktemp("safe_build_built")
    land(first, source, root / "landing")
    events_path = str(root / "landing" / "**" / "*.*json*")
    published = root / "bi" / "growth_enrollments.duckdb"
    built = run_wrapper(published, root / "dbt", events_path, *ONLY_MODELS)
    assert built.returncode == 0, built.stdout
    assert "No database at" in built.stdout and "Published" in built.stdout
    assert not backup_of(published).exists(), "nothing was replaced, so nothing is kept"
    template = root / "template.duckdb"
    shutil.copyfile(published, template)
    assert mart_count(template) > 0
    return BuiltDatabase(template, events_path)


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
    leftovers = sorted(path.name for path in published.parent.iterdir() if path.name != published.name)
    assert leftovers == [f".{published.name}.build.lock", f".{published.name}.previous"], leftovers
    # the backup is the first build, which the held connection was reading
    assert units(backup_of(published)) == first_units


def test_a_failed_build_leaves_the_published_file(built_database: BuiltDatabase, tmp_path: Path):
    published = built_database.publish_copy(tmp_path / "bi" / "growth_enrollments.duckdb")
    digest = file_digest(published)

    failed = run_wrapper(
        published, tmp_path / "dbt", built_database.events_path, dbt_vars={"multi_variant_policy": "not-a-policy"}
    )
    assert failed.returncode != 0
    assert "left as it was" in failed.stdout
    assert file_digest(published) == digest
    assert [path.name for path in published.parent.iterdir() if ".build-" in path.name] == []
    assert not backup_of(published).exists(), "only a published build replaces the backup"


# --- faults -------------------------------------------------------------------


@needs_proc
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_dbt_and_leaves_the_published_file(
    built_database: BuiltDatabase, tmp_path: Path, process_groups: list[int], signum
):
    published = built_database.publish_copy(tmp_path / "bi" / "growth_enrollments.duckdb")
    digest = file_digest(published)
    work_dir = tmp_path / "dbt"
    wrapper, log = start_wrapper(published, work_dir, built_database.events_path, *ONLY_MODELS)
    try:
        staging = staging_folder(published, wrapper.pid)
        # dbt is running: the wrapper's child, on the copy, past its start-up (its log exists)
        dbt = wait_for(
            lambda: (staging / published.name).exists() and (work_dir / "logs" / "dbt.log").exists() and children(wrapper.pid),
            "dbt to run",
            (wrapper, log),
        )[0]
        process_groups.append(dbt)
        assert "dbt" in Path(f"/proc/{dbt}/cmdline").read_text(), "the wrapper's child is dbt"
        assert os.getpgid(dbt) == dbt != os.getpgid(wrapper.pid), "dbt leads its own process group"
        wrapper.send_signal(signum)
        returncode = wrapper.wait(timeout=120)
    finally:
        if wrapper.poll() is None:
            wrapper.kill()
    output = log.read_text()
    assert returncode == 128 + signum, output
    assert f"Stopped by {signal.Signals(signum).name}" in output
    assert group_members(dbt) == [], "dbt and everything it started have ended"
    assert not staging.exists()
    assert file_digest(published) == digest
    assert lock_is_free(published)
    assert not backup_of(published).exists()


@needs_proc
def test_a_dbt_ignoring_the_signal_is_killed_with_its_group(
    built_database: BuiltDatabase, tmp_path: Path, fake_dbt, process_groups: list[int]
):
    published = built_database.publish_copy(tmp_path / "bi" / "growth_enrollments.duckdb")
    digest = file_digest(published)
    environment = fake_dbt("stubborn")
    wrapper, log = start_wrapper(published, tmp_path / "dbt", built_database.events_path, env=environment)
    try:
        leader, child = wait_for(lambda: fake_dbt_pids(environment), "the stand-in dbt to start", (wrapper, log))
        process_groups.append(leader)
        assert sorted(group_members(leader)) == sorted([leader, child])
        wrapper.send_signal(signal.SIGTERM)
        returncode = wrapper.wait(timeout=120)
    finally:
        if wrapper.poll() is None:
            wrapper.kill()
    output = log.read_text()
    assert returncode == 128 + signal.SIGTERM, output
    assert "did not stop within" in output, "the wrapper escalated to SIGKILL"
    assert group_members(leader) == []
    assert not is_running(leader) and not is_running(child)
    assert not staging_folder(published, wrapper.pid).exists()
    assert file_digest(published) == digest


@needs_proc
def test_after_sigkill_the_next_build_waits_for_the_orphan_then_cleans_up(
    built_database: BuiltDatabase, tmp_path: Path, fake_dbt, process_groups: list[int]
):
    published = built_database.publish_copy(tmp_path / "bi" / "growth_enrollments.duckdb")
    digest, inode = file_digest(published), published.stat().st_ino
    environment = fake_dbt("hang")
    killed, killed_log = start_wrapper(published, tmp_path / "dbt-killed", built_database.events_path, env=environment)
    try:
        orphan_group, _child = wait_for(
            lambda: fake_dbt_pids(environment), "the stand-in dbt to start", (killed, killed_log)
        )
        process_groups.append(orphan_group)
        stale = staging_folder(published, killed.pid)
        assert (stale / published.name).exists()
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=60)
        assert group_members(orphan_group), "a SIGKILLed wrapper cannot stop its dbt"

        # the orphan still holds the lock: the next build waits and names it
        build, log = start_wrapper(published, tmp_path / "dbt", built_database.events_path, *ONLY_MODELS)
        try:
            waiting = wait_for(
                lambda: re.search(r"kill -TERM -- -(\d+)", log.read_text()), "the build to wait", (build, log)
            )
            assert int(waiting.group(1)) == orphan_group, log.read_text()
            assert build.poll() is None and not staging_folder(published, build.pid).exists()
            # the operator stops the group the message names
            os.killpg(int(waiting.group(1)), signal.SIGKILL)
            wait_for(lambda: not group_members(orphan_group), "the orphan to end", timeout=60)
            returncode = build.wait(timeout=BUILD_TIMEOUT_SECONDS)
        finally:
            if build.poll() is None:
                build.kill()
    finally:
        if killed.poll() is None:
            killed.kill()
    output = log.read_text()
    assert returncode == 0, output
    assert f"Removed {stale}" in output
    assert "Published" in output
    assert not stale.exists()
    assert [path.name for path in published.parent.iterdir() if ".build-" in path.name] == []
    assert published.stat().st_ino != inode, "a new build was swapped in"
    assert is_complete(read_state_of(published))
    assert file_digest(backup_of(published)) == digest


def read_state_of(path: Path) -> tuple[int, ...]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return read_state(connection)


# --- backup and rollback ------------------------------------------------------


def marker(path: Path) -> str | None:
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = {name for (name,) in connection.execute("select table_name from duckdb_tables()").fetchall()}
        if "build_marker" not in tables:
            return None
        return connection.execute("select name from main.build_marker").fetchone()[0]


def publish_marked(published: Path, work_dir: Path, events_path: str, fake_dbt, name: str, *arguments: str):
    """A build through the wrapper whose only change is a table `build_marker` naming it."""
    sql = f"create or replace table main.build_marker as select '{name}' as name"
    return run_wrapper(published, work_dir, events_path, *arguments, env=fake_dbt("sql", sql))


def run_rollback_command(output: str):
    """Run the rollback command the wrapper printed, exactly."""
    lines = [line.strip() for line in output.splitlines() if line.strip().endswith("--rollback")]
    assert len(lines) == 1, output
    return subprocess.run(
        shlex.split(lines[0]), cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120
    )


def test_publishing_keeps_a_backup_and_rollback_swaps_it_back(built_database: BuiltDatabase, tmp_path: Path, fake_dbt):
    published = built_database.publish_copy(tmp_path / "bi" / "growth_enrollments.duckdb")
    old_digest, old_inode = file_digest(published), published.stat().st_ino

    built = publish_marked(published, tmp_path / "dbt", built_database.events_path, fake_dbt, "new")
    assert built.returncode == 0, built.stdout
    assert marker(published) == "new"
    backup = backup_of(published)
    assert file_digest(backup) == old_digest
    assert backup.stat().st_ino == old_inode, "the backup is the replaced file itself, not a copy"
    new_digest = file_digest(published)

    first = run_rollback_command(built.stdout)
    assert first.returncode == 0, first.stdout
    assert file_digest(published) == old_digest and marker(published) is None
    assert file_digest(backup) == new_digest

    second = run_rollback_command(first.stdout)
    assert second.returncode == 0, second.stdout
    assert file_digest(published) == new_digest and marker(published) == "new"
    assert file_digest(backup) == old_digest
    assert sorted(path.name for path in backup.parent.iterdir()) == [published.name]


def test_rollback_without_a_backup_refuses(built_database: BuiltDatabase, tmp_path: Path):
    published = built_database.publish_copy(tmp_path / "bi" / "growth_enrollments.duckdb")
    digest = file_digest(published)
    refused = subprocess.run(
        [*BUILD_COMMAND, "--database", str(published), "--rollback"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0
    assert "No backup" in refused.stdout
    assert file_digest(published) == digest


def test_the_backup_keeps_the_write_ahead_log(built_database: BuiltDatabase, tmp_path: Path, fake_dbt):
    published = built_database.publish_copy(tmp_path / "bi" / "growth_enrollments.duckdb")
    # a writer that died without a checkpoint: a committed table lives only in the WAL
    subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import os, duckdb
                connection = duckdb.connect({str(published)!r})
                connection.execute("create table main.only_in_the_wal as select 42 as answer")
                os._exit(0)
                """
            ),
        ],
        check=True,
        timeout=120,
    )
    wal = published.with_name(f"{published.name}.wal")
    assert wal.exists()

    built = publish_marked(published, tmp_path / "dbt", built_database.events_path, fake_dbt, "new")
    assert built.returncode == 0, built.stdout
    assert not wal.exists(), "the new build is checkpointed: no WAL beside it"
    backup = backup_of(published)
    assert backup.with_name(f"{backup.name}.wal").exists()
    for database in (published, backup):  # the build came from the file and its WAL; the backup is both
        with duckdb.connect(str(database), read_only=True) as connection:
            assert connection.execute("select answer from main.only_in_the_wal").fetchall() == [(42,)]

    rolled_back = run_rollback_command(built.stdout)
    assert rolled_back.returncode == 0, rolled_back.stdout
    assert wal.exists() and marker(published) is None
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute("select answer from main.only_in_the_wal").fetchall() == [(42,)]
    assert not backup.with_name(f"{backup.name}.wal").exists() and marker(backup) == "new"


# --- emptied marts ------------------------------------------------------------


def test_a_build_emptying_a_mart_is_not_published_unless_allowed(
    built_database: BuiltDatabase, tmp_path: Path, fake_dbt
):
    published = built_database.publish_copy(tmp_path / "bi" / "growth_enrollments.duckdb")
    digest = file_digest(published)
    rows = mart_count(published)
    assert rows > 0
    emptying = fake_dbt("sql", "delete from main.fct_experiment_enrollments")

    refused = run_wrapper(published, tmp_path / "dbt", built_database.events_path, env=emptying)
    assert refused.returncode != 0, refused.stdout
    assert "Not published" in refused.stdout
    assert f"fct_experiment_enrollments is empty, the published one has {rows:,} rows" in refused.stdout
    assert "--allow-empty" in refused.stdout
    assert file_digest(published) == digest
    assert not backup_of(published).exists()
    assert [path.name for path in published.parent.iterdir() if ".build-" in path.name] == []

    allowed = run_wrapper(published, tmp_path / "dbt", built_database.events_path, "--allow-empty", env=emptying)
    assert allowed.returncode == 0, allowed.stdout
    assert mart_count(published) == 0
    assert file_digest(backup_of(published)) == digest
