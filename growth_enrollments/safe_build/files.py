"""The files of a published database, and moving them: a database is a file and its write-ahead log."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path


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


def fsync_path(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


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


def copy_published(published: Path, candidate: Path) -> None:
    """Copy the published database (and a WAL it has) to the candidate the build writes."""
    started = time.monotonic()
    shutil.copyfile(published, candidate)
    if wal(published).exists():  # left by a writer that did not close: it belongs to the file
        shutil.copyfile(wal(published), wal(candidate))
    print(
        f"Copied {published} ({published.stat().st_size:,} bytes) to a new file in "
        f"{time.monotonic() - started:.1f}s; building there.",
        flush=True,
    )
