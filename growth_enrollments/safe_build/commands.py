"""The build and the rollback, each under the build lock, and the exit code of either."""

from __future__ import annotations

import datetime
import os
import shlex
import shutil
import signal
import sys
from pathlib import Path

from growth_enrollments.safe_build.checks import NotPublished, check_marts, checkpoint, published_row_counts
from growth_enrollments.safe_build.dbt import run_dbt
from growth_enrollments.safe_build.files import Layout, copy_published, fsync_path, keep_as, move_database, publish
from growth_enrollments.safe_build.lock import build_lock, remove_stale_builds
from growth_enrollments.safe_build.signals import SIGNALS, Interrupted


def rollback_command(published: Path) -> str:
    """The command line, with this Python, that rolls `published` back to its backup."""
    return shlex.join(
        [sys.executable, "-m", "growth_enrollments", "build", "--database", str(published), "--rollback"]
    )


def build(published: Path, dbt_arguments: list[str], keep_failed: bool = False, allow_empty: bool = False) -> int:
    """Build a copy of `published` with `dbt build` and swap it in; dbt's exit code, or 1 when not published."""
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


def run(
    database: str,
    dbt_arguments: list[str],
    keep_failed: bool = False,
    allow_empty: bool = False,
    roll_back: bool = False,
) -> int:
    """A build (or with `roll_back`, a rollback) that stop signals end cleanly; the exit code.

    A signal while dbt runs gives 128 + its number once dbt is stopped and the
    copy deleted; one while publishing or rolling back, after it finished.
    """
    SIGNALS.install()
    try:
        if roll_back:
            returncode = rollback(Path(database))
        else:
            returncode = build(Path(database), dbt_arguments, keep_failed, allow_empty)
    except Interrupted as interrupted:
        name = signal.Signals(interrupted.signum).name
        print(f"Stopped by {name}: {database} was left as it was.", flush=True)
        return 128 + interrupted.signum
    finally:
        SIGNALS.restore()
    if SIGNALS.received is not None:
        name = signal.Signals(SIGNALS.received).name
        print(f"Received {name} while finishing: finished first.", flush=True)
        return 128 + SIGNALS.received
    return returncode

