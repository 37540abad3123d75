"""Benchmark of the dbt build against a floor and a notebook baseline, at two
sizes of history.

For each size (default 2 million and 10 million raw lines over 30 days, with
the generator's realistic duplicates, repeats and bad lines) it measures in
one run:

1. full:        the scheduled build (`dbt build --exclude-resource-type
                unit_test`: every model and data test) on a new DuckDB file;
2. floor:       one hand-written DuckDB query computing the two variant-count
                marts straight from the files with a typed read_json, with
                the build's memory limit (--memory-limit, default 2GB);
3. python:      the plain-Python baseline (json + dictionaries), at the
                smaller size only;
4. incremental: the same build again after one more day arrives: the same
                day at both sizes (the smaller size's daily volume), so that
                the two incremental times differ only by the history kept;
5. dbt_startup: `dbt run` of one trivial view, the fixed cost of any dbt
                command (start, project load, hooks, artifacts).

The project is parsed once first (`dbt parse`, not timed), as a scheduled
run finds it. Each step runs in its own process, --repeats times at the
smaller size and --large-repeats times at the larger (full, floor and python
take turns); the incremental step (with dbt_startup) --incremental-repeats
times at each size, each run from a copy of the same database, the two
sizes taking turns after both sizes' full builds.
The median wall time and the highest peak resident memory are reported,
with the ratios of the medians: full/floor and incremental/full at each
size, the larger size's incremental over the smaller's, python/full and
dbt_startup/full. Results go to benchmarks/results.json and results.md.

Usage: python benchmarks/run_benchmark.py [--events N] [--large-events N (0: skip)]
                                          [--repeats N] [--large-repeats N]
                                          [--incremental-repeats N] [--memory-limit SIZE]
                                          [--work-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO_ROOT / "benchmarks"


def measure(name: str, command: list[str], env: dict[str, str]) -> dict:
    """Runs a command to completion; returns its wall seconds, its CPU seconds
    (user and system, with its children) and its peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.stdout.write(output.decode(errors="replace"))
        raise SystemExit(f"{name} failed: {' '.join(command)}")
    peak_mb = usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux
    cpu_seconds = usage.ru_utime + usage.ru_stime
    print(f"{name:<12} {seconds:8.1f} s  {cpu_seconds:8.1f} s CPU  {peak_mb:8.0f} MB peak RSS", flush=True)
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2), "peak_rss_mb": round(peak_mb)}


def remove_database(database: Path) -> None:
    """Deletes a DuckDB file and its write-ahead log, if any."""
    for path in (database, Path(f"{database}.wal")):
        path.unlink(missing_ok=True)


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import duckdb

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }


TARGETS = {  # benchmarks/README.md
    "full_over_floor": 1.5,
    "incremental_over_full_large": 0.2,
    "incremental_large_over_small": 1.3,
}


class Size:
    """One size of history: its events, database and dbt environment."""

    def __init__(self, name: str, events: int, work_dir: Path, python: str, memory_limit: str):
        self.name = name
        self.events = events
        self.folder = work_dir / name
        self.events_dir = self.folder / "events"
        self.database = self.folder / "benchmark.duckdb"
        self.target = self.folder / "target"
        self.events_glob = f"{self.events_dir}/**/*.*json*"
        self.memory_limit = memory_limit
        self.spill = self.folder / "spill"
        self.env = dict(
            os.environ, DUCKDB_PATH=str(self.database), DBT_TARGET_PATH=str(self.target),
            DUCKDB_MEMORY_LIMIT=memory_limit, DUCKDB_TEMP_DIRECTORY=str(self.spill),
        )
        self.dbt_vars = ["--vars", json.dumps({"events_path": self.events_glob})]
        self.run_results = self.target / "run_results.json"  # dbt's timings of every node
        self.before_new_day = self.folder / "before_new_day.duckdb"
        self.generate = [python, "-m", "growth_enrollments", "generate", "--preset", "benchmark", "--out",
                         str(self.events_dir), "--quiet"]


def measure_history(size: Size, repeats: int, new_day_events: int, with_python: bool) -> dict[str, list[dict]]:
    """The steps over the 30 days (full, floor, python); then keeps the
    database before the new day and lets the new day arrive."""
    python = sys.executable
    dbt = size_dbt_build(size)
    print(f"[{size.name}] generating {size.events:,} lines into {size.events_dir} ...", flush=True)
    subprocess.run([*size.generate, "--events", str(size.events), "--clean"], cwd=REPO_ROOT, check=True)
    floor_sql = (BENCHMARKS / "floor_query.sql").read_text().replace("{events_path}", size.events_glob)
    # the floor gets the build's memory limit and spill folder: the same resources
    floor_script = (
        "import duckdb, sys; duckdb.connect(config={'memory_limit': sys.argv[2], 'temp_directory': sys.argv[3]})"
        ".sql(sys.argv[1]).fetchall()"
    )
    subprocess.run([dbt[0], "parse", "--quiet", *size.dbt_vars], cwd=REPO_ROOT, env=size.env, check=True)
    names = ("full", "floor", "python", "incremental", "dbt_startup") if with_python else (
        "full", "floor", "incremental", "dbt_startup")
    runs: dict[str, list[dict]] = {name: [] for name in names}

    # the steps on the same 30 days take turns, so that a busy spell of a
    # shared machine falls on each of them alike
    for _ in range(repeats):
        remove_database(size.database)
        runs["full"].append(measure(f"{size.name} full", dbt, size.env))
        runs["floor"].append(measure(
            f"{size.name} floor", [python, "-c", floor_script, floor_sql, size.memory_limit, str(size.spill)], size.env
        ))
        if with_python:
            runs["python"].append(
                measure(f"{size.name} python", [python, "benchmarks/python_baseline.py", size.events_glob], size.env)
            )
    shutil.copyfile(size.run_results, size.folder / "run_results_full.json")
    shutil.copyfile(size.database, size.before_new_day)

    # the day after the span, at the smaller size's daily volume at every size
    subprocess.run([*size.generate, "--events", str(new_day_events), "--append-day"], cwd=REPO_ROOT, check=True)
    return runs


def measure_new_day(size: Size, runs: dict[str, list[dict]]) -> None:
    """One incremental build of the new day, from the database kept before
    it, then one dbt start-up."""
    remove_database(size.database)  # each incremental run starts from the same state
    shutil.copyfile(size.before_new_day, size.database)
    runs["incremental"].append(measure(f"{size.name} incremental", size_dbt_build(size), size.env))
    shutil.copyfile(size.run_results, size.folder / "run_results_incremental.json")
    startup = [size_dbt_build(size)[0], "run", "--select", "metricflow_time_spine", *size.dbt_vars]
    runs["dbt_startup"].append(measure(f"{size.name} dbt_startup", startup, size.env))


def size_dbt_build(size: Size) -> list[str]:
    # unit tests check the SQL on fixed inputs: CI runs them, scheduled builds need not
    dbt_executable = str(Path(sys.executable).parent / "dbt")
    return [dbt_executable, "build", "--exclude-resource-type", "unit_test", *size.dbt_vars]


def summarise(runs: dict[str, list[dict]]) -> dict:
    return {
        name: {
            "seconds": round(statistics.median(run["seconds"] for run in measured), 2),
            "cpu_seconds": round(statistics.median(run["cpu_seconds"] for run in measured), 2),
            "peak_rss_mb": max(run["peak_rss_mb"] for run in measured),
            "seconds_of_each_run": [run["seconds"] for run in measured],
        }
        for name, measured in runs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2_000_000, help="raw lines over 30 days (default 2000000)")
    parser.add_argument(
        "--large-events", type=int, default=10_000_000,
        help="raw lines of the larger history (default 10000000; 0 skips it)",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs of each step at the smaller size; the median is reported"
    )
    parser.add_argument("--large-repeats", type=int, default=1, help="runs of each step at the larger size")
    parser.add_argument(
        "--incremental-repeats", type=int, default=5,
        help="incremental runs at each size, the two sizes taking turns (default 5: short runs, a noisy ratio)",
    )
    parser.add_argument(
        "--memory-limit", default="2GB",
        help="DuckDB's memory limit for the builds and the floor alike (default 2GB, the project's default "
        "DUCKDB_MEMORY_LIMIT); beyond it they spill to disk",
    )
    parser.add_argument(
        "--work-dir",
        help="where data, databases and the dbt timings of each build (run_results_*.json) go "
        "(default: a temporary folder, removed)",
    )
    arguments = parser.parse_args()

    work_dir = Path(arguments.work_dir or tempfile.mkdtemp(prefix="growth-benchmark-"))
    python = sys.executable
    results = {
        "events": arguments.events,
        "large_events": arguments.large_events,
        "repeats": arguments.repeats,
        "large_repeats": arguments.large_repeats,
        "incremental_repeats": arguments.incremental_repeats,
        "memory_limit": arguments.memory_limit,
        "machine": machine(),
        "sizes": {},
    }
    sizes = [(Size("small", arguments.events, work_dir, python, arguments.memory_limit), arguments.repeats, True)]
    if arguments.large_events:
        sizes.append((Size("large", arguments.large_events, work_dir, python, arguments.memory_limit), arguments.large_repeats, False))
    runs = {size.name: measure_history(size, repeats, arguments.events, with_python)
            for size, repeats, with_python in sizes}
    # the incremental runs of the two sizes take turns, so that the ratio of
    # their times compares runs minutes apart, not the two ends of the benchmark
    for _ in range(arguments.incremental_repeats):
        for size, _, _ in sizes:
            measure_new_day(size, runs[size.name])
    for size, _, _ in sizes:
        size.before_new_day.unlink()
        results["sizes"][size.name] = summarise(runs[size.name])

    ratios = {}
    for name, steps in results["sizes"].items():
        ratios[f"full_over_floor_{name}"] = steps["full"]["seconds"] / steps["floor"]["seconds"]
        ratios[f"incremental_over_full_{name}"] = steps["incremental"]["seconds"] / steps["full"]["seconds"]
        ratios[f"dbt_startup_over_full_{name}"] = steps["dbt_startup"]["seconds"] / steps["full"]["seconds"]
    small_steps = results["sizes"]["small"]
    ratios["python_over_full_small"] = small_steps["python"]["seconds"] / small_steps["full"]["seconds"]
    if "large" in results["sizes"]:
        ratios["incremental_large_over_small"] = (
            results["sizes"]["large"]["incremental"]["seconds"] / small_steps["incremental"]["seconds"]
        )
        # the same in CPU time, which a busy neighbour on a shared machine moves less
        ratios["incremental_cpu_large_over_small"] = (
            results["sizes"]["large"]["incremental"]["cpu_seconds"] / small_steps["incremental"]["cpu_seconds"]
        )
    results["ratios"] = {name: round(value, 3) for name, value in ratios.items()}
    results["targets"] = TARGETS
    for name, value in results["ratios"].items():
        print(f"{name:<32} {value:6.2f}")

    (BENCHMARKS / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    m = results["machine"]
    table = [
        f"Benchmark: {arguments.events:,} and {arguments.large_events:,} raw lines over 30 days, then one more "
        f"day of {arguments.events // 30:,} lines; {m['cores']} cores, {m['memory_gb']} GB, {m['cpu']}, "
        f"DuckDB {m['duckdb']} with a memory limit of {arguments.memory_limit} for the builds and the floor, "
        f"Python {m['python']}.",
        "",
        f"Median of {arguments.repeats} runs of each step at {arguments.events:,} lines and of "
        f"{arguments.large_repeats} at {arguments.large_events:,}, of {arguments.incremental_repeats} "
        "incremental runs (and dbt start-ups) at each (each run's seconds in brackets); "
        "peak RSS is the highest of the runs.",
        "",
        "| size | step | seconds | CPU seconds | peak RSS (MB) |",
        "|---|---|---:|---:|---:|",
        *(
            f"| {size} | {name} | {step['seconds']} ({', '.join(str(s) for s in step['seconds_of_each_run'])}) "
            f"| {step['cpu_seconds']} | {step['peak_rss_mb']} |"
            for size, steps in results["sizes"].items()
            for name, step in steps.items()
        ),
        "",
        "| ratio | value | target |",
        "|---|---:|---:|",
        *(
            f"| {name} | {value} | {next((f'<= {t}' for k, t in TARGETS.items() if name.startswith(k)), '')} |"
            for name, value in results["ratios"].items()
        ),
    ]
    (BENCHMARKS / "results.md").write_text("\n".join(table) + "\n")
    if not arguments.work_dir:
        shutil.rmtree(work_dir)


if __name__ == "__main__":
    main()
