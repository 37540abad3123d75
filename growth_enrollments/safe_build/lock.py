"""The build lock of a published database, and tidying what killed builds left."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator

from growth_enrollments.safe_build.files import Layout, move_database, wal


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def describe_holder(lock) -> str:
    """Who holds the lock, from the pids its holder wrote into it."""
    lock.seek(0)
    fields = lock.read().split()
    if not fields or not fields[0].isdigit():
        return ""
    holder = int(fields[0])
    group = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None
    if group is None:
        return f" (pid {holder})"
    if process_exists(holder):
        return f" (pid {holder}, dbt process group {group})"
    return (
        f" (pid {holder} is gone, but its dbt, process group {group}, still runs and holds the lock;"
        f" `kill -TERM -- -{group}` stops it)"
    )


def record_holder(lock, dbt_group: int | None = None) -> None:
    """Write this process's pid, and its dbt's process group once started, into the lock file."""
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
