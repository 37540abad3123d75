"""`dbt build` without blocking, or being blocked by, BI readers.

    python scripts/build.py [--database PATH] [--keep-failed] [--allow-empty] [dbt build options...]
    python scripts/build.py [--database PATH] --rollback

DuckDB lets one process write a database file, and a process that has it
open, even read-only, keeps every other process from opening it to write.
So a BI tool connected to the published file would make `dbt build` fail,
and a reader connecting during a build would fail or see it half done.

This wrapper never writes the published file:

1. it copies the published database (DUCKDB_PATH, default
   growth_enrollments.duckdb, or --database) to a new file of the same name
   in a private folder beside it, `.NAME.build-<pid>/` (same file system,
   and the same DuckDB catalog name, which the views and the semantic
   manifest refer to). The incremental models' state comes along with the
   copy;
2. runs `dbt build` (with any options given) against the copy;
3. only if dbt exits 0 and the copy opens and holds the marts, checkpoints
   it, flushes it to disk and renames it over the published path
   (os.replace: atomic on POSIX file systems).

A reader that opened the published file before the rename keeps reading the
old, complete database until it reconnects; one that connects after reads
the new one. Neither ever sees a half-built database or holds up the build.
When dbt fails, the published file is left as it was.

Faults:

* Two builds of the same database wait for each other: each holds an flock
  on `.NAME.build.lock` beside it, and so does its dbt, which inherits the
  lock; a dbt orphaned by a killed wrapper keeps later builds waiting until
  it ends (the waiting build prints its process group, to kill it by hand).
* SIGTERM, SIGINT or SIGHUP stop the build: dbt runs in its own process
  group, which gets the same signal, then SIGKILL if it has not exited after
  STOP_GRACE_SECONDS; the copy is deleted, the published file is left as it
  was, and the wrapper exits 128 + the signal's number.
* A wrapper killed with SIGKILL cannot clean up: the next build (which holds
  the lock, so no other build is running) deletes every `.NAME.build-<pid>/`
  folder it finds and says so.
* A build whose marts hold no rows where the published database held rows
  (an empty or missing file listing, say) is not published, unless
  --allow-empty is given.

Backup and rollback: when a build is published, the database it replaces is
kept as `.NAME.previous/NAME` (a hard link to it, so no copy; its write-ahead
log `NAME.wal`, if it had one, goes along), and the wrapper prints the
command that rolls back to it. `--rollback` swaps the backup back in
atomically, under the same lock, and keeps the build it replaced as the
backup: a second rollback returns to it.

GROWTH_DBT_EXECUTABLE, when set, is the dbt executable to run (default: the
dbt next to this Python, else the one on PATH).

Needs Linux or macOS (on Windows a file open by a reader cannot be replaced).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import fcntl
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

DEFAULT_DATABASE = "growth_enrollments.duckdb"
# a build that produced these is complete enough to publish
REQUIRED_TABLES = (
    "fct_experiment_enrollments",
    "fct_account_creation_variant_counts",
    "fct_page_impression_variant_counts",
)
# how long dbt may take to stop after the wrapper passes it a signal, before SIGKILL
STOP_GRACE_SECONDS = 5.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Interrupted(BaseException):
    """The wrapper received one of STOP_SIGNALS."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class NotPublished(Exception):
    """The build succeeded but must not replace the published database."""


class SignalGuard:
    """Turns STOP_SIGNALS into Interrupted, except while held, when they are only recorded.

    Only the first signal counts: later ones are ignored, so that cleaning up
    after the first is not cut short.
    """

    def __init__(self) -> None:
        self.received: int | None = None
        self._holding = False
        self._previous: dict[int, object] = {}

    def install(self) -> None:
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, _frame) -> None:
        if self.received is not None:
            return
        self.received = signum
        if not self._holding:
            raise Interrupted(signum)

    def hold(self) -> None:
        """From now on only record a signal: what follows must run to its end."""
        self._holding = True

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Only record a signal while the block runs; raise Interrupted after it if one came."""
        holding, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = holding
        if self.received is not None and not holding:
            raise Interrupted(self.received)


SIGNALS = SignalGuard()


@dataclass(frozen=True)
class Layout:
    """The files of one published database."""

    published: Path

    @property
    def name(self) -> str:
        return self.published.name

    @property
    def folder(self) -> Path:
        return self.published.parent

    @property
    def lock(self) -> Path:
        return self.folder / f".{self.name}.build.lock"

    def staging(self, pid: int) -> Path:
        return self.folder / f".{self.name}.build-{pid}"

    def stale_staging(self) -> list[Path]:
        own = self.staging(os.getpid())
        return sorted(path for path in self.folder.glob(f".{self.name}.build-*") if path != own)

    @property
    def backup_folder(self) -> Path:
        return self.folder / f".{self.name}.previous"

    @property
    def backup(self) -> Path:
        # same file name, hence the same DuckDB catalog name: it opens as it is
        return self.backup_folder / self.name


def wal(database: Path) -> Path:
    return database.with_name(f"{database.name}.wal")


def dbt_executable() -> str:
    override = os.environ.get("GROWTH_DBT_EXECUTABLE")
    if override:
        return override
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


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def rollback_command(published: Path) -> str:
    script = Path(__file__).resolve()
    return shlex.join([sys.executable, str(script), "--database", str(published), "--rollback"])


# --- the lock ---------------------------------------------------------------


def describe_holder(lock) -> str:
    """Who holds the lock, from the pids its holder wrote into it."""
    lock.seek(0)
    fields = lock.read().split()
    if not fields or not fields[0].isdigit():
        return ""
    wrapper = int(fields[0])
    group = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None
    if group is None:
        return f" (pid {wrapper})"
    if process_exists(wrapper):
        return f" (pid {wrapper}, dbt process group {group})"
    return (
        f" (pid {wrapper} is gone, but its dbt, process group {group}, still runs and holds the lock;"
        f" `kill -TERM -- -{group}` stops it)"
    )


def record_holder(lock, dbt_group: int | None = None) -> None:
    lock.seek(0)
    lock.truncate()
    lock.write(f"{os.getpid()}" + (f" {dbt_group}" if dbt_group is not None else "") + "\n")
    lock.flush()


@contextlib.contextmanager
def build_lock(layout: Layout) -> Iterator[object]:
    """Hold the lock of the published database; wait for another holder to let go."""
    layout.folder.mkdir(parents=True, exist_ok=True)
    with open(layout.lock, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(
                f"Another build of {layout.published} is running{describe_holder(lock)}; waiting for it.",
                flush=True,
            )
            fcntl.flock(lock, fcntl.LOCK_EX)
        record_holder(lock)
        yield lock


def remove_stale_builds(layout: Layout) -> None:
    """Delete what killed builds left. Only call with the lock held: then no other build is running."""
    for path in layout.stale_staging():
        pid = path.name.rsplit("-", 1)[-1]
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        print(f"Removed {path}, left by build {pid}, which was killed before it could clean up.", flush=True)
    tidy_backup_folder(layout)


def tidy_backup_folder(layout: Layout) -> None:
    """Finish or undo what a killed publish or rollback left in the backup folder."""
    if not layout.backup_folder.is_dir():
        return
    for path in sorted(layout.backup_folder.iterdir()):
        if path in (layout.backup, wal(layout.backup)) or not path.exists():
            continue
        if ".replaced-" in path.name and path.suffix != ".wal" and not layout.backup.exists():
            # a rollback stopped between its two renames: this is the build it replaced
            move_database(path, layout.backup)
            print(f"Restored the backup {layout.backup} from {path}, left by an interrupted rollback.", flush=True)
        else:
            path.unlink()
            print(f"Removed {path}, left by an interrupted publish or rollback.", flush=True)


# --- running dbt ------------------------------------------------------------


def signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signum)


def wait_without_reaping(process: subprocess.Popen, timeout: float | None) -> bool:
    """Wait until `process` exits, leaving it a zombie so that its pid, the group's id, is not reused."""
    if not hasattr(os, "waitid"):  # macOS before Python 3.13
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            if os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None:
                return True
        except ChildProcessError:  # already reaped
            return True
        if deadline is not None and time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def stop_dbt(process: subprocess.Popen, signum: int) -> None:
    """Pass the signal to dbt's process group; SIGKILL it if dbt has not exited in time; leave none of it."""
    name = signal.Signals(signum).name
    print(f"Received {name}: stopping dbt (process group {process.pid}).", flush=True)
    signal_group(process.pid, signum)
    if not wait_without_reaping(process, STOP_GRACE_SECONDS):
        print(f"dbt did not stop within {STOP_GRACE_SECONDS:g}s of {name}: killing it.", flush=True)
        signal_group(process.pid, signal.SIGKILL)
        wait_without_reaping(process, None)
    signal_group(process.pid, signal.SIGKILL)  # anything dbt started that outlived it
    process.wait()


def run_dbt(arguments: list[str], database: Path, lock) -> int:
    """`dbt build` on `database`, in its own process group, holding the build lock too."""
    environment = dict(os.environ, DUCKDB_PATH=str(database))
    process = None
    try:
        with SIGNALS.held():  # a signal now must not lose the handle of a started dbt
            process = subprocess.Popen(
                [dbt_executable(), "build", *arguments],
                env=environment,
                start_new_session=True,
                pass_fds=(lock.fileno(),),
            )
            record_holder(lock, process.pid)
        return process.wait()
    except Interrupted as interrupted:
        if process is not None:
            stop_dbt(process, interrupted.signum)
        raise


# --- checking a build -------------------------------------------------------


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


# --- moving databases (a file and its write-ahead log) ----------------------


def move_database(source: Path, target: Path) -> None:
    """Rename `source` and its WAL over `target` and its WAL.

    The target's old WAL goes first, so that a reader opening `target` sees it
    either as it was at its last checkpoint or as `source`, never with a WAL
    that belongs to another file.
    """
    wal(target).unlink(missing_ok=True)
    os.replace(source, target)
    if wal(source).exists():
        os.replace(wal(source), wal(target))


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, target)


def keep_as(source: Path, target: Path) -> None:
    """Make `target` (with its WAL) the database `source` is now, without copying where possible."""
    target.parent.mkdir(exist_ok=True)
    temporary = target.with_name(f"{target.name}.incoming-{os.getpid()}")
    link_or_copy(source, temporary)
    if wal(source).exists():
        link_or_copy(wal(source), wal(temporary))
    move_database(temporary, target)
    fsync_path(target.parent)


def publish(layout: Layout, candidate: Path) -> bool:
    """Swap the candidate in; keep what it replaces as the backup. True when there was one."""
    published = layout.published
    had_previous = published.exists()
    if had_previous:
        keep_as(published, layout.backup)
        # its WAL now lives beside the backup; it must not stay beside the new file
        wal(published).unlink(missing_ok=True)
    os.replace(candidate, published)
    fsync_path(layout.folder)
    return had_previous


# --- the commands -----------------------------------------------------------


def copy_published(published: Path, candidate: Path) -> None:
    started = time.monotonic()
    shutil.copyfile(published, candidate)
    if wal(published).exists():  # left by a writer that did not close: it belongs to the file
        shutil.copyfile(wal(published), wal(candidate))
    print(
        f"Copied {published} ({published.stat().st_size:,} bytes) to a new file in "
        f"{time.monotonic() - started:.1f}s; building there.",
        flush=True,
    )


def published_row_counts(published: Path, copy: Path) -> dict[str, int]:
    """The published database's mart rows, read from its copy (the guard against emptied marts)."""
    try:
        return mart_row_counts(copy)
    except duckdb.Error as error:
        print(f"Could not count the rows of {published} ({error}): its marts are not compared.", flush=True)
        return {}


def build(published: Path, dbt_arguments: list[str], keep_failed: bool = False, allow_empty: bool = False) -> int:
    layout = Layout(published.resolve())
    published = layout.published
    with build_lock(layout) as lock:
        remove_stale_builds(layout)
        staging = layout.staging(os.getpid())
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        candidate = staging / layout.name
        try:
            previous_counts: dict[str, int] = {}
            if published.exists():
                copy_published(published, candidate)
                previous_counts = published_row_counts(published, candidate)
            else:
                print(f"No database at {published} yet; building a new one.", flush=True)
            returncode = run_dbt(dbt_arguments, candidate, lock)
            if returncode != 0:
                print(f"dbt build exited {returncode}: {published} was left as it was.", flush=True)
                return returncode
            check_marts(candidate, previous_counts, allow_empty)
            checkpoint(candidate)
            SIGNALS.hold()  # from here on the build completes; a signal is acted on after
            kept_previous = publish(layout, candidate)
            print(f"Published {published}: readers get the new build when they reconnect.", flush=True)
            if kept_previous:
                print(
                    f"The build it replaced is kept in {layout.backup}; to go back to it:\n"
                    f"    {rollback_command(published)}",
                    flush=True,
                )
            return 0
        except NotPublished as refusal:
            print(f"Not published: {refusal}. {published} was left as it was.", flush=True)
            return 1
        finally:
            SIGNALS.hold()
            if keep_failed and candidate.exists() and SIGNALS.received is None:
                print(f"The failed build is kept in {candidate}", flush=True)
            else:
                shutil.rmtree(staging, ignore_errors=True)


def rollback(published: Path) -> int:
    """Swap the backup in; the build it replaces becomes the backup."""
    layout = Layout(published.resolve())
    published = layout.published
    with build_lock(layout):
        remove_stale_builds(layout)
        backup = layout.backup
        if not backup.exists():
            print(
                f"No backup of {published} to roll back to ({backup} does not exist): "
                "a build keeps one when it replaces a published database.",
                flush=True,
            )
            return 1
        written = datetime.datetime.fromtimestamp(backup.stat().st_mtime).isoformat(sep=" ", timespec="seconds")
        SIGNALS.hold()  # the swap runs to its end
        if published.exists():
            replaced = backup.with_name(f"{backup.name}.replaced-{os.getpid()}")
            keep_as(published, replaced)
            move_database(backup, published)
            move_database(replaced, backup)
        else:
            move_database(backup, published)
        fsync_path(layout.folder)
        fsync_path(layout.backup_folder)
        print(f"Rolled back {published} to the build written {written}.", flush=True)
        if backup.exists():
            print(
                f"The build it replaced is now the backup; to return to it:\n    {rollback_command(published)}",
                flush=True,
            )
        return 0


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
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="publish even if a mart has no rows where the published database has some",
    )
    parser.add_argument(
        "--rollback",
        action="store_true",
        help="swap the previous build back in (the current one becomes the backup); runs no dbt",
    )
    arguments, dbt_arguments = parser.parse_known_args(argv)
    if arguments.rollback and dbt_arguments:
        parser.error(f"--rollback runs no dbt: unexpected {' '.join(dbt_arguments)}")
    SIGNALS.install()
    try:
        if arguments.rollback:
            returncode = rollback(Path(arguments.database))
        else:
            returncode = build(Path(arguments.database), dbt_arguments, arguments.keep_failed, arguments.allow_empty)
    except Interrupted as interrupted:
        name = signal.Signals(interrupted.signum).name
        print(f"Stopped by {name}: {arguments.database} was left as it was.", flush=True)
        return 128 + interrupted.signum
    finally:
        SIGNALS.restore()
    if SIGNALS.received is not None:
        name = signal.Signals(SIGNALS.received).name
        print(f"Received {name} while finishing: finished first.", flush=True)
        return 128 + SIGNALS.received
    return returncode


if __name__ == "__main__":
    sys.exit(main())
