"""`dbt build` without blocking, or being blocked by, BI readers.

    growth-enrollments build [--database PATH] [--keep-failed] [--allow-empty] [dbt build options...]
    growth-enrollments build [--database PATH] --rollback

DuckDB lets one process write a database file, and a process that has it
open, even read-only, keeps every other process from opening it to write.
So a BI tool connected to the published file would make `dbt build` fail,
and a reader connecting during a build would fail or see it half done.

This command never writes the published file:

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
  lock; a dbt orphaned by a killed build keeps later builds waiting until
  it ends (the waiting build prints its process group, to kill it by hand).
* SIGTERM, SIGINT or SIGHUP stop the build: dbt runs in its own process
  group, which gets the same signal, then SIGKILL if it has not exited after
  STOP_GRACE_SECONDS; the copy is deleted, the published file is left as it
  was, and the command exits 128 + the signal's number.
* A build killed with SIGKILL cannot clean up: the next build (which holds
  the lock, so no other build is running) deletes every `.NAME.build-<pid>/`
  folder it finds and says so.
* A build whose marts hold no rows where the published database held rows
  (an empty or missing file listing, say) is not published, unless
  --allow-empty is given.

Backup and rollback: when a build is published, the database it replaces is
kept as `.NAME.previous/NAME` (a hard link to it, so no copy; its write-ahead
log `NAME.wal`, if it had one, goes along), and the command prints the
command that rolls back to it. `--rollback` swaps the backup back in
atomically, under the same lock, and keeps the build it replaced as the
backup: a second rollback returns to it.

GROWTH_DBT_EXECUTABLE, when set, is the dbt executable to run (default: the
dbt next to this Python, else the one on PATH).

Needs Linux or macOS (on Windows a file open by a reader cannot be replaced).

Modules: `signals` (stop signals), `files` (the files of a published
database and moving them), `lock` (the build lock and what killed builds
left), `dbt` (running and stopping dbt), `checks` (whether a build may be
published), `commands` (build, rollback and the exit code).
"""

from growth_enrollments.safe_build.commands import build, rollback, run

__all__ = ["build", "rollback", "run"]
