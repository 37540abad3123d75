"""Start dbt commands as forks of one process that has already loaded dbt.

A dbt command spends seconds before it does any work: importing dbt and its
adapter, then building the JSON schemas and Jinja templates it parses the
project with (a new warehouse or new vars mean a full parse). The suites run
over a hundred dbt commands, so that start-up is much of their CPU time.

The server (this file run as a script) imports dbt, parses the project and
compiles every macro's template once, then forks one child per command. It
also has dbt build a logging event only when something reads it (the debug
events no logger writes were a fifth of a command's Python time).
Each child is a process of its own, as a `dbt` subprocess would be: its own
session (so a test can SIGKILL its process group), working directory,
environment and output file; it runs the same entry point as the `dbt`
executable (`dbt.cli.main.cli`) and exits with its status. Nothing of an
earlier command is in it: every child is forked from the same warmed-up
state, in which no command has run since the warm-up (dbt re-initialises
flags, adapters and logging for each command).

The client, `ForkServer`, starts one server per test process and gives
`start()` (a `DbtProcess`, like `subprocess.Popen`: `pid`, `wait()`,
`read_new_output()`) and `run()` (like `subprocess.run`). Protocol: one JSON
line per command on the server's stdin, `{"pid": n}` back; the server reaps
its children and writes each exit status to the command's status file.

The parse itself is shared too. A command that writes no JSON artifacts
(DBT_WRITE_JSON=false, the tests' default) gets the manifest the server
parsed for the same project inputs: the same working directory, vars and
environment (less the command's own target and log folders; of the DuckDB
file only the name counts, the database of every node), and no flag that
chooses another project, profile or target or that a config reads while
parsing (`--full-refresh`: is_history_rebuild). The server parses once per
such key, in its own process, keeps the last few manifests, and the child
passes its manifest to `dbtRunner` instead of parsing; any other command
parses as the `dbt` executable does. So the commands of one project share
a parse, and so do projects of the same events and vars whose DuckDB files
have one name in different folders (the trials of one scenario).

A server started with `in_process=True` (`ForkServer.get(in_process=True)`)
runs its commands one after the other in its own process instead of forking:
for Spark, whose JVM (started by the first command, through dbt-spark's
`session` method) and its warmed-up code then serve every later command, as
a long-lived Spark session would. Such a command cannot be killed alone.

Set DBT_TESTS_SUBPROCESS=1 to run every dbt command as a plain subprocess
instead (dbt_project_runner.run_dbt).
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------
# Server


def _warm_up() -> None:
    """Import dbt and parse the project once (into a throw-away folder), then
    do here what every command would otherwise do again in its fork.

    With dbt's test caching on (dbt_common.tests, as dbt's own test fixtures
    do), the parse keeps what Jinja parsed of every macro and the blocks of
    every file, keyed by their text: the children inherit both, so the full
    parse each new warehouse or new vars need skips that work. Before it,
    `_skip_debug_events_no_logger_writes`; after it,
    `_compile_macro_templates` and `_import_what_commands_import`."""
    from dbt.cli.main import dbtRunner
    from dbt_common.tests import enable_test_caching

    _skip_debug_events_no_logger_writes()
    enable_test_caching()

    scratch = tempfile.mkdtemp(prefix="dbt_fork_server_")
    saved = dict(os.environ)
    os.environ.update(
        {
            "DUCKDB_PATH": os.path.join(scratch, "warm_up.duckdb"),
            "DBT_TARGET_PATH": os.path.join(scratch, "target"),
            "DBT_LOG_PATH": os.path.join(scratch, "logs"),
            "DBT_PROFILES_DIR": str(REPO_ROOT),
            "DBT_TARGET": "duckdb",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    os.chdir(REPO_ROOT)
    try:
        # without the static parser: its Rust thread pool (dbt_extractor)
        # would outlive the parse, and a fork must not inherit threads
        result = dbtRunner().invoke(["parse", "--quiet", "--no-static-parser"])
        if result.success and result.result is not None:
            _compile_macro_templates(result.result)
        _import_what_commands_import()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(scratch, ignore_errors=True)


def _skip_debug_events_no_logger_writes() -> None:
    """Build a dbt logging event only when something reads it.

    dbt fires a dozen debug events per node (each query, connection and
    timing), and builds each one twice as a protobuf message (at its
    creation, then with its header in `fire_event`), then formats its line,
    which the console logger drops below its level (info). That was about a
    fifth of a command's Python time (py-spy), and a sample build took about
    a fifth more CPU time with it (interleaved, in one process).

    Here an event keeps its fields and builds its message on first use, and
    `fire_event` returns at once for a debug event that no logger writes: all
    loggers above debug, no callback but dbt's own tracking one (which reads
    only a warning), and not one of the events printed at any level (`dbt
    show`'s output). A command that writes dbt.log (WRITE_ARTIFACTS) has a
    debug logger, so it fires every event; what a command prints is the
    same either way."""
    from dbt.tracking import track_behavior_change_warn
    from dbt_common.events.base_types import BaseEvent, EventLevel
    from dbt_common.events.event_manager import EventManager
    from dbt_common.events.logger import PRINT_EVENT_NAMES

    build_message = BaseEvent.__init__
    fire_event = EventManager.fire_event
    debug_levels = (EventLevel.DEBUG, EventLevel.TEST)

    def keep_fields(event, *args, **kwargs) -> None:
        object.__setattr__(event, "_unbuilt_fields", (args, kwargs))

    def get_attribute(event, name: str):
        if name == "pb_msg":
            fields = event.__dict__.pop("_unbuilt_fields", None)
            if fields is None:
                raise AttributeError(name)
            build_message(event, *fields[0], **fields[1])
            return event.__dict__["pb_msg"]
        return getattr(event.pb_msg, name)

    def set_attribute(event, name: str, value) -> None:
        if name == "pb_msg":
            object.__setattr__(event, name, value)
        else:
            setattr(event.pb_msg, name, value)

    def fire_if_read(manager, event, level=None, node=None, force_warn_or_error_handling=False) -> None:
        unread = (
            (level or event.level_tag()) in debug_levels
            and not force_warn_or_error_handling
            and type(event).__name__ not in PRINT_EVENT_NAMES
            and all(logger.level not in debug_levels for logger in manager.loggers)
            and all(callback is track_behavior_change_warn for callback in manager.callbacks)
        )
        if not unread:
            fire_event(manager, event, level, node, force_warn_or_error_handling)

    BaseEvent.__init__ = keep_fields
    BaseEvent.__getattr__ = get_attribute
    BaseEvent.__setattr__ = set_attribute
    EventManager.fire_event = fire_if_read


def _compile_macro_templates(manifest) -> None:
    """Compile the Jinja template of every macro of the project and of dbt.

    dbt compiles a macro's template the first time a command calls it and
    keeps it, keyed by the macro's text, for the rest of that process
    (dbt_common.clients.jinja.template_cache): the materializations, the
    adapter's macros and the tests' are compiled again in every fork, about
    a tenth of a command's Python time. Compiled here, every fork inherits
    them; a macro whose text a command changes is compiled again, as
    before."""
    from dbt_common.clients.jinja import template_cache

    for macro in manifest.macros.values():
        try:
            template_cache.get_node_template(macro)
        except Exception:  # noqa: BLE001 - the command compiles (and reports) it itself
            continue


def _import_what_commands_import() -> None:
    """Import the modules dbt's commands import only when they run: the task
    modules, and numpy, which DuckDB imports when the project's plugin
    registers its Python functions on each new connection
    (plugins/event_file_reader.py). numpy's OpenBLAS, held to one thread
    here, starts no thread: forking is only safe from one thread."""
    import importlib

    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    for module in (
        "numpy",
        "dbt.task.build",
        "dbt.task.compile",
        "dbt.task.run",
        "dbt.task.seed",
        "dbt.task.show",
        "dbt.task.test",
    ):
        importlib.import_module(module)


# flags that choose another project, profile or target, or that a config reads
# while parsing (is_history_rebuild reads flags.FULL_REFRESH): such a command parses
PARSE_CHANGING_FLAGS = ("--project-dir", "--profiles-dir", "--profile", "--target", "-t", "--full-refresh", "-f")
# the environment that differs between commands without changing the parse
# (pytest names the running test in PYTEST_CURRENT_TEST)
PER_COMMAND_ENVIRONMENT = ("DBT_TARGET_PATH", "DBT_LOG_PATH", "PYTEST_CURRENT_TEST")
# of the DuckDB file, only the name changes the parse: it is the database
# every node names, while the folder is read when the command connects
DUCKDB_FILE = "DUCKDB_PATH"
MANIFESTS_KEPT = 8


def _parse_key(request: dict) -> str | None:
    """What the manifest of `request` depends on, or None when the command
    must parse itself (it writes artifacts, or names another project)."""
    env = request["env"]
    args = list(request["args"])
    if env.get("DBT_WRITE_JSON", "").lower() not in ("false", "0"):
        return None
    if not args or args[0] in ("parse", "docs", "deps", "debug", "init", "clean"):
        return None
    if any(arg.split("=", 1)[0] in PARSE_CHANGING_FLAGS for arg in args):
        return None
    if any(arg.startswith("--vars=") for arg in args):
        return None
    dbt_vars = next((args[at + 1] for at, arg in enumerate(args[:-1]) if arg == "--vars"), "")
    environment = {name: value for name, value in env.items() if name not in PER_COMMAND_ENVIRONMENT}
    if DUCKDB_FILE in environment:
        environment[DUCKDB_FILE] = Path(environment[DUCKDB_FILE]).name
    return json.dumps([request["cwd"], dbt_vars, environment], sort_keys=True)


def _parsed_manifest(request: dict, key: str, manifests: dict):
    """The manifest for `key`, parsed here on first use (None if the parse
    failed or left threads behind: the command then parses itself)."""
    if key in manifests:
        manifests[key] = manifests.pop(key)  # the most recently used, last
        return manifests[key]
    from dbt.cli.main import dbtRunner

    _, dbt_vars, _ = json.loads(key)
    scratch = tempfile.mkdtemp(prefix="dbt_fork_server_parse_")
    scratch_folders = {"DBT_TARGET_PATH": os.path.join(scratch, "target"), "DBT_LOG_PATH": os.path.join(scratch, "logs")}
    try:
        with _working_directory_and_environment(request["cwd"], {**request["env"], **scratch_folders}):
            # no static parser: its thread pool would outlive the parse (see _warm_up)
            result = dbtRunner().invoke(
                ["parse", "--quiet", "--no-static-parser", "--no-partial-parse", *(["--vars", dbt_vars] if dbt_vars else [])]
            )
    except BaseException:  # noqa: BLE001 - the command will parse (and report) itself
        return None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if not result.success or result.result is None or _thread_count() != 1:
        return None
    manifests[key] = result.result
    while len(manifests) > MANIFESTS_KEPT:
        manifests.pop(next(iter(manifests)))
    return result.result


@contextmanager
def _working_directory_and_environment(cwd: str, env: dict[str, str]):
    """This process in `cwd` with exactly `env`, both restored afterwards."""
    saved_cwd = os.getcwd()
    saved_env = dict(os.environ)
    try:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def _write_output_to(path: str) -> None:
    """Standard output and error (file descriptors 1 and 2) append to `path`."""
    output = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)


def _child(request: dict, protocol_fd: int, manifest=None) -> None:
    """In the fork: become the dbt command of `request`, with `manifest` when
    the server parsed one for it. Never returns: it ends with SystemExit,
    which the server lets through, so that the child exits as a `dbt`
    process does (DuckDB closes and checkpoints its file, atexit handlers
    run)."""
    code = 1
    try:
        # the server's replies are not the child's: its copy points nowhere
        discard = os.open(os.devnull, os.O_WRONLY)
        os.dup2(discard, protocol_fd)
        os.close(discard)
        os.setsid()
        _write_output_to(request["output_path"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["dbt", *request["args"]]
        if manifest is not None:
            from dbt.cli.main import dbtRunner

            code = _exit_code(dbtRunner(manifest=manifest).invoke(list(request["args"])))
        else:
            from dbt.cli.main import cli

            try:
                cli()
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:  # noqa: BLE001 - the child reports anything and exits
        traceback.print_exc()
        code = 1
    raise SystemExit(code)


def _exit_code(result) -> int:
    """The exit code the `dbt` executable gives a dbtRunner result."""
    return 0 if result.success else (2 if result.exception is not None else 1)


def _run_in_process(request: dict) -> int:
    """Run the dbt command of `request` in this process (the in-process
    server), its output in the command's file; the process's working
    directory, environment and standard output are restored afterwards."""
    from dbt.cli.main import dbtRunner

    saved_fds = (os.dup(1), os.dup(2))
    sys.stdout.flush()
    sys.stderr.flush()
    _write_output_to(request["output_path"])
    try:
        with _working_directory_and_environment(request["cwd"], request["env"]):
            return _exit_code(dbtRunner().invoke(list(request["args"])))
    except BaseException:  # noqa: BLE001 - reported in the command's output
        traceback.print_exc()
        return 2
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_fds[0], 1)
        os.dup2(saved_fds[1], 2)
        for descriptor in saved_fds:
            os.close(descriptor)


def _thread_count() -> int:
    """Every thread of this process, those of native libraries included."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _write_status(path: str, code: int) -> None:
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(str(code))
    os.replace(temporary, path)


def serve(in_process: bool) -> None:
    # replies go to the client on a copy of stdout; what dbt prints goes nowhere
    protocol = os.fdopen(os.dup(1), "w")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    _warm_up()
    if not in_process and _thread_count() != 1:  # forking is only safe from one thread
        protocol.write(json.dumps({"error": "threads left after the warm-up"}) + "\n")
        protocol.flush()
        return
    protocol.write(json.dumps({"ready": True}) + "\n")
    protocol.flush()
    pending: dict[int, str] = {}
    manifests: dict[str, object] = {}  # parse key -> manifest, the most recently used last
    buffer = b""
    stdin = sys.stdin.fileno()
    open_input = True
    while open_input or pending:
        readable, _, _ = select.select([stdin] if open_input else [], [], [], 0.05)
        if readable:
            chunk = os.read(stdin, 65536)
            if not chunk:
                open_input = False  # the client is gone: finish the running children
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                if in_process:
                    protocol.write(json.dumps({"pid": os.getpid()}) + "\n")
                    protocol.flush()
                    _write_status(request["status_path"], _run_in_process(request))
                    continue
                key = _parse_key(request)
                manifest = None if key is None else _parsed_manifest(request, key, manifests)
                sys.stdout.flush()
                sys.stderr.flush()
                # The child's garbage collections then skip every object the
                # server holds (dbt's modules, the manifest): about a sixth
                # of a sample build's CPU time. The server unfreezes at once,
                # so that what it lets go of is still collected.
                gc.freeze()
                pid = os.fork()
                if pid == 0:
                    _child(request, protocol.fileno(), manifest)
                gc.unfreeze()
                pending[pid] = request["status_path"]
                protocol.write(json.dumps({"pid": pid}) + "\n")
                protocol.flush()
        while pending:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pending.clear()
                break
            if pid == 0:
                break
            status_path = pending.pop(pid, None)
            if status_path is not None:
                _write_status(status_path, os.waitstatus_to_exitcode(status))


# ---------------------------------------------------------------------------
# Client


class DbtProcess:
    """A dbt command started by the server, used like subprocess.Popen."""

    def __init__(self, pid: int, output_path: Path, status_path: Path):
        self.pid = pid
        self.output_path = output_path
        self.status_path = status_path
        self.returncode: int | None = None
        self._read_to = 0

    def poll(self) -> int | None:
        if self.returncode is None and self.status_path.exists():
            self.returncode = int(self.status_path.read_text(encoding="utf-8"))
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(["dbt"], timeout)
            time.sleep(0.02)
        return self.returncode

    def kill_group(self) -> None:
        """SIGKILL the command and anything it started (its session)."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def output(self) -> str:
        return self.output_path.read_text(encoding="utf-8", errors="replace")

    def read_new_output(self) -> str:
        """The output written since the last call (whole lines only)."""
        with open(self.output_path, "rb") as handle:
            handle.seek(self._read_to)
            data = handle.read()
        end = data.rfind(b"\n") + 1
        self._read_to += end
        return data[:end].decode("utf-8", errors="replace")


class ForkServer:
    """One server of each kind (forking, in-process) per test process, started on first use."""

    _instances: dict[bool, ForkServer] = {}
    _instances_pid: int | None = None

    def __init__(self, in_process: bool = False) -> None:
        self._lock = threading.Lock()
        self._folder = Path(tempfile.mkdtemp(prefix="dbt_fork_client_"))
        self._count = 0
        self._process = subprocess.Popen(
            [sys.executable, __file__, *(["--in-process"] if in_process else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=REPO_ROOT,
        )
        reply = json.loads(self._process.stdout.readline() or b'{"error": "the server exited"}')
        if not reply.get("ready"):
            raise RuntimeError(f"the dbt fork server did not start: {reply}")
        atexit.register(self.close)

    @classmethod
    def get(cls, in_process: bool = False) -> ForkServer:
        # a forked test process (none here, but cheap to guard) needs its own
        if cls._instances_pid != os.getpid():
            cls._instances = {}
            cls._instances_pid = os.getpid()
        if in_process not in cls._instances:
            cls._instances[in_process] = ForkServer(in_process)
        return cls._instances[in_process]

    def start(self, args: list[str], cwd: Path | str, env: dict[str, str]) -> DbtProcess:
        with self._lock:
            self._count += 1
            output_path = self._folder / f"{self._count}.out"
            status_path = self._folder / f"{self._count}.status"
            output_path.touch()  # readable before the child has opened it
            request = {
                "args": list(args),
                "cwd": str(cwd),
                "env": env,
                "output_path": str(output_path),
                "status_path": str(status_path),
            }
            self._process.stdin.write((json.dumps(request) + "\n").encode())
            self._process.stdin.flush()
            reply = json.loads(self._process.stdout.readline() or b"{}")
        if "pid" not in reply:
            raise RuntimeError(f"the dbt fork server failed: {reply}")
        return DbtProcess(reply["pid"], output_path, status_path)

    def run(self, args: list[str], cwd: Path | str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
        process = self.start(args, cwd, env)
        try:
            returncode = process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill_group()
            raise
        return subprocess.CompletedProcess(["dbt", *args], returncode, process.output())

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._process.kill()
        shutil.rmtree(self._folder, ignore_errors=True)


if __name__ == "__main__":
    serve(in_process="--in-process" in sys.argv[1:])
