"""Benchmark of the dbt build against a floor and a notebook baseline.

Generates events (default 2 million lines over 30 days, with the generator's
realistic duplicates, repeats and bad lines), then measures in one run:

1. full:        the scheduled build (`dbt build --exclude-resource-type
                unit_test`: every model and data test) on a new DuckDB file;
2. floor:       one hand-written DuckDB query computing the two variant-count
                marts straight from the files with a typed read_json;
3. python:      the plain-Python baseline (json + dictionaries);
4. incremental: the same build again after one more day of data arrives;
5. dbt_startup: `dbt run` of one trivial view, the fixed cost of any dbt
                command (start, project load, hooks, artifacts).

The project is parsed once first (`dbt parse`, not timed), as a scheduled
run finds it. Each step runs in its own process, --repeats times (default
3; full, floor and python take turns, and each incremental run starts from
a copy of the same database). The median wall time and the highest peak
resident memory are reported, with the ratios of the medians full/floor,
incremental/full and python/full, and dbt_startup over incremental and over
full (the lowest incremental/full any dbt command could reach). Results go
to benchmarks/results.json and results.md.

Usage: python benchmarks/run_benchmark.py [--events N] [--repeats N] [--work-dir DIR]
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
    """Runs a command to completion; returns its wall seconds and peak RSS."""
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
    print(f"{name:<12} {seconds:8.1f} s  {peak_mb:8.0f} MB peak RSS", flush=True)
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak_mb)}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2_000_000, help="raw lines over 30 days (default 2000000)")
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs of each step; the median is reported (default 3)"
    )
    parser.add_argument(
        "--work-dir",
        help="where data, databases and the dbt timings of each build (run_results_*.json) go "
        "(default: a temporary folder, removed)",
    )
    arguments = parser.parse_args()

    work_dir = Path(arguments.work_dir or tempfile.mkdtemp(prefix="growth-benchmark-"))
    events_dir = work_dir / "events"
    database = work_dir / "benchmark.duckdb"
    events_glob = f"{events_dir}/**/*.*json*"
    python = sys.executable
    # dbt's artifacts (and its parsed project) go to the work dir, not target/
    env = dict(os.environ, DUCKDB_PATH=str(database), DBT_TARGET_PATH=str(work_dir / "target"))
    dbt_vars = ["--vars", json.dumps({"events_path": events_glob})]
    dbt_executable = str(Path(python).parent / "dbt")
    # unit tests check the SQL on fixed inputs: CI runs them, scheduled builds need not
    dbt = [dbt_executable, "build", "--exclude-resource-type", "unit_test", *dbt_vars]
    generate = [python, "scripts/generate_events.py", "--preset", "benchmark", "--events",
                str(arguments.events), "--out", str(events_dir), "--quiet"]

    print(f"Generating {arguments.events:,} lines into {events_dir} ...", flush=True)
    subprocess.run([*generate, "--clean"], cwd=REPO_ROOT, check=True)

    floor_sql = (BENCHMARKS / "floor_query.sql").read_text().replace("{events_path}", events_glob)
    floor_script = (
        "import duckdb, sys; duckdb.connect().sql(sys.argv[1]).fetchall()"
    )
    subprocess.run([dbt_executable, "parse", "--quiet", *dbt_vars], cwd=REPO_ROOT, env=env, check=True)
    results = {"events": arguments.events, "repeats": arguments.repeats, "machine": machine(), "steps": {}}
    run_results = work_dir / "target" / "run_results.json"  # dbt's timings of every node
    before_new_day = work_dir / "benchmark_before_new_day.duckdb"
    runs: dict[str, list[dict]] = {name: [] for name in ("full", "floor", "python", "incremental", "dbt_startup")}

    # the three steps on the same 30 days take turns, so that a busy spell
    # of a shared machine falls on each of them alike
    for _ in range(arguments.repeats):
        remove_database(database)
        runs["full"].append(measure("full", dbt, env))
        runs["floor"].append(measure("floor", [python, "-c", floor_script, floor_sql], env))
        runs["python"].append(measure("python", [python, "benchmarks/python_baseline.py", events_glob], env))
    shutil.copyfile(run_results, work_dir / "run_results_full.json")
    shutil.copyfile(database, before_new_day)

    subprocess.run([*generate, "--append-day"], cwd=REPO_ROOT, check=True)
    startup = [dbt_executable, "run", "--select", "metricflow_time_spine", *dbt_vars]
    for _ in range(arguments.repeats):
        remove_database(database)  # each incremental run starts from the same state
        shutil.copyfile(before_new_day, database)
        runs["incremental"].append(measure("incremental", dbt, env))
        shutil.copyfile(run_results, work_dir / "run_results_incremental.json")
        runs["dbt_startup"].append(measure("dbt_startup", startup, env))
    before_new_day.unlink()

    steps = results["steps"]
    for name, measured in runs.items():
        steps[name] = {
            "seconds": round(statistics.median(run["seconds"] for run in measured), 2),
            "peak_rss_mb": max(run["peak_rss_mb"] for run in measured),
            "seconds_of_each_run": [run["seconds"] for run in measured],
        }

    ratios = {  # of the medians
        "full_over_floor": steps["full"]["seconds"] / steps["floor"]["seconds"],
        "incremental_over_full": steps["incremental"]["seconds"] / steps["full"]["seconds"],
        "python_over_full": steps["python"]["seconds"] / steps["full"]["seconds"],
        # the share of the incremental build that any dbt command costs, and
        # the least incremental/full any dbt command could reach
        "dbt_startup_over_incremental": steps["dbt_startup"]["seconds"] / steps["incremental"]["seconds"],
        "dbt_startup_over_full": steps["dbt_startup"]["seconds"] / steps["full"]["seconds"],
    }
    results["ratios"] = {name: round(value, 3) for name, value in ratios.items()}
    for name, value in results["ratios"].items():
        print(f"{name:<22} {value:6.2f}")

    (BENCHMARKS / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    m = results["machine"]
    table = [
        f"Benchmark: {arguments.events:,} raw lines over 30 days; {m['cores']} cores, "
        f"{m['memory_gb']} GB, {m['cpu']}, DuckDB {m['duckdb']}, Python {m['python']}.",
        "",
        f"Median of {arguments.repeats} runs of each step (each run's seconds in brackets); "
        "peak RSS is the highest of the runs.",
        "",
        "| step | seconds | peak RSS (MB) |",
        "|---|---:|---:|",
        *(
            f"| {name} | {step['seconds']} ({', '.join(str(s) for s in step['seconds_of_each_run'])}) "
            f"| {step['peak_rss_mb']} |"
            for name, step in steps.items()
        ),
        "",
        "| ratio | value |",
        "|---|---:|",
        *(f"| {name} | {value} |" for name, value in results["ratios"].items()),
    ]
    (BENCHMARKS / "results.md").write_text("\n".join(table) + "\n")
    if not arguments.work_dir:
        shutil.rmtree(work_dir)


if __name__ == "__main__":
    main()
