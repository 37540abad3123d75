"""Running `dbt build` in its own process group, and stopping all of it on a signal."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from growth_enrollments.safe_build.lock import record_holder
from growth_enrollments.safe_build.signals import SIGNALS, Interrupted

# how long dbt may take to stop after the build passes it a signal, before SIGKILL
STOP_GRACE_SECONDS = 5.0


def dbt_executable() -> str:
    """$GROWTH_DBT_EXECUTABLE, else the dbt next to this Python, else the one on PATH."""
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
