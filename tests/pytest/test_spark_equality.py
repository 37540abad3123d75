"""The same models on Apache Spark give the same marts as on DuckDB.

One small generated data set (the `messy` preset, four days), plus a file of
hand-written lines that probe the JSON type rules, is built on both engines:

1. the first two days, a first `dbt build` on each engine: every mart
   (every model in models/marts) must be identical row for row;
2. the last two days arrive (duplicates and late copies cross the split):
   an incremental `dbt build` on Spark must equal a full DuckDB build of all
   four days;
3. the same events as the data lake's Parquet (`events_format: parquet`),
   one build on each engine, compared the same way;
4. the files of tests/pytest/test_engine_differences.py, on Spark only: the
   known differences between the engines, pinned on the Spark side;
5. the chi-square p-value macro (with erfc and the list sums it uses) on a
   grid of inputs, against scipy, as on DuckDB in test_srm_statistics.py.

Spark runs in local mode through dbt-spark's `session` method
(requirements-spark.txt, Java 17), its warehouse and metastore in a
temporary folder. Rows are compared after sorting; floating-point columns
(shares, chi-square, p-values) must agree within 1e-9.

Spark is slow to start, so every build happens once, in module fixtures, in
one long-lived process that keeps its JVM, and the tests only read. Set SKIP_SPARK=1 to skip
this module in quick local loops; CI never sets it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import pytest
from datasets import EVENTS_GLOB
from dbt_project_runner import REPO_ROOT, RUN_STAMP_COLUMN, DbtProject
from scipy import stats
from test_engine_differences import FILES as ENGINE_DIFFERENCE_FILES
from test_engine_differences import FOLDER as ENGINE_DIFFERENCE_FOLDER
from test_engine_differences import SURROGATE_LINE
from test_srm_statistics import P_VALUE_MEASURED

from growth_enrollments import generate

pytestmark = pytest.mark.skipif(
    os.environ.get("SKIP_SPARK", "") not in ("", "0"),
    reason="SKIP_SPARK is set: the Spark equality suite is skipped",
)

SEED = 20251125
DAYS = 4
FIRST_BATCH_DAYS = 2
SPARK_SCHEMA = "growth_enrollments"
FLOAT_TOLERANCE = 1e-9
MODELS_ONLY = ("--exclude", "resource_type:test", "resource_type:unit_test")  # seeds and models
MART_NAMES = sorted(path.stem for path in (REPO_ROOT / "models" / "marts").glob("*.sql"))

# ---------------------------------------------------------------------------
# Hand-written lines: the JSON type rules where Spark's reader differs most
# from DuckDB's (it turns numbers into strings, stops after the first value,
# accepts single quotes). Each has the outcome the rules (docs/rules.md) give.


def _event(**changes) -> dict:
    event = {
        "$schema": "/analytics/product_metrics/web/base/1.3.0",
        "action": "experiment_enrollment",
        "action_source": "BeforePageDisplayHook",
        "dt": "2025-02-26T12:00:00Z",
        "meta": {
            "domain": "pt.wikipedia.org",
            "dt": "2025-02-26T12:00:01.250Z",
            "id": "edge-0000",
            "stream": "mediawiki.product_metrics.growth_product_interaction",
        },
        "mediawiki": {"database": "ptwiki"},
        "performer": {"id": 900001},
        "experiments": {"enrolled": ["growth-experiments"], "assigned": {"growth-experiments": "control"}},
    }
    for path, value in changes.items():
        target = event
        *parents, leaf = path.split("__")
        for parent in parents:
            target = target[parent]
        if value is _DELETE:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return event


_DELETE = object()


def _line(number: int, text: str | None = None, **changes) -> str:
    if text is not None:
        return text
    # defaults first, so that a change of a whole object (performer=5) wins
    all_changes = {"meta__id": f"edge-{number:04d}", "performer__id": 900000 + number}
    all_changes.update(changes)
    return json.dumps(_event(**all_changes), ensure_ascii=False)


GOOD = json.dumps(_event(), separators=(",", ":"))
EDGE_LINES: list[tuple[str, str]] = [
    # performer.id must be a JSON integer that fits 64 bits and is > 0
    (_line(1, performer__id="12"), "missing_user_id"),
    (_line(2, performer__id=1.5), "missing_user_id"),
    (_line(3, text=_line(3).replace('"id": 900003', '"id": 1e2')), "missing_user_id"),
    (_line(4, text=_line(4).replace('"id": 900004', '"id": 1000.0')), "missing_user_id"),
    (_line(5, performer__id=2**63 - 1), "accepted"),
    (_line(6, performer__id=2**63), "missing_user_id"),
    (_line(7, text=_line(7).replace('"id": 900007', '"id": -0')), "missing_user_id"),
    (_line(8, performer__id=True), "missing_user_id"),
    (_line(9, performer=5), "missing_user_id"),
    (_line(10, performer="x"), "missing_user_id"),
    (_line(11, performer={"id": 900011, "edit_count": "many"}), "accepted"),
    # variants must be non-empty JSON strings
    (_line(20, experiments__assigned={"growth-experiments": 5}), "missing_assignment"),
    (_line(21, experiments__assigned={"growth-experiments": {"x": "control"}}), "missing_assignment"),
    (_line(22, experiments__assigned={"growth-experiments": ["control"]}), "missing_assignment"),
    (_line(23, experiments__assigned={"growth-experiments": True}), "missing_assignment"),
    (_line(24, experiments__assigned={"growth-experiments": 'con"trol'}), "accepted"),
    (_line(25, experiments__assigned={"growth-experiments": ',}]":x'}), "accepted"),
    (_line(26, experiments__assigned={"growth-experiments": "\u0001control"}), "accepted"),
    (_line(27, experiments__assigned={'a"b': "v", "growth-experiments": "treatment"}), "accepted"),
    (_line(28, experiments__assigned={"growth-experiments": "contrôle-ü \\ é"}), "accepted"),
    (_line(29, experiments__assigned={"x": 1, "growth-experiments": '\\"\\u0001"'}), "accepted"),
    (_line(30, experiments='{"assigned": {"growth-experiments": "control"}}'), "missing_assignment"),
    (_line(31, experiments__assigned="control"), "missing_assignment"),
    (_line(32, experiment={"enrolled": "growth-experiments", "assigned": 7}, experiments=_DELETE), "missing_assignment"),
    (_line(33, experiment={"enrolled": "growth-experiments", "assigned": "treatment"}, experiments=_DELETE), "accepted"),
    (_line(34, experiment={"enrolled": 5, "assigned": "treatment"}, experiments=_DELETE), "missing_assignment"),
    # other fields are read as DuckDB reads VARCHAR (numbers as their text)
    (_line(40, action=5), "not_enrollment_action"),
    (_line(41, meta__id=12345), "accepted"),
    (_line(42, mediawiki__database=""), "accepted"),
    (_line(43, meta__domain="canary", performer__id="x"), "canary"),
    (_line(44, dt="2025-02-26T12:00:00+05:30"), "accepted"),
    (_line(45, dt="2025-02-30T12:00:00Z"), "accepted"),
    (_line(46, dt=1740571200, meta__dt="2025-02-26T12:00:00.123456"), "accepted"),
    (_line(47, dt="2025-02-26T12:00:00.1234567Z", meta__dt=_DELETE), "missing_timestamp"),
    (_line(48, meta__id="x" * 20000 + '\\"' * 3000), "accepted"),
    # whitespace anywhere JSON allows it, keys spaced from their colon
    (
        _line(50, text=json.dumps(_event(**{"meta__id": "edge-0050", "performer__id": 900050}), indent=None)
              .replace('": ', '"\t :  ').replace(", ", " ,\t")),
        "accepted",
    ),
    # one JSON object per line, nothing else
    (GOOD + "x", "malformed_json"),
    (GOOD + "]", "malformed_json"),
    (GOOD + ',"end"]', "malformed_json"),
    (GOOD + " " + GOOD, "malformed_json"),
    (GOOD + "}", "malformed_json"),
    ("[" + GOOD + "]", "malformed_json"),
    ("{'meta': {'id': 'x'}}", "malformed_json"),
    ('{"a": 01}', "malformed_json"),
    ('"' + GOOD.replace('"', '\\"') + '"', "malformed_json"),
    ("   " + _line(60) + "  ", "accepted"),
    ("{}", "not_enrollment_action"),
    # rule 2 without mediawiki.database: the seed of exceptions, the shape of a language code
    (_line(61, mediawiki=_DELETE, meta__domain="be-tarask.m.wikipedia.org"), "accepted"),
    (_line(62, mediawiki=_DELETE, meta__domain="simple.wikipedia.org"), "accepted"),
    (_line(63, mediawiki=_DELETE, meta__domain="m.wikipedia.org"), "unresolved_wiki"),
    (_line(64, mediawiki=_DELETE, meta__domain="p1.wikipedia.org"), "unresolved_wiki"),
]


def _write_edge_file(root: Path, day: dt.date) -> Path:
    folder = root / "datacenter=eqiad" / f"year={day.year}" / f"month={day.month}" / f"day={day.day}" / "hour=0"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "part-edge.json"
    path.write_text("".join(text + "\n" for text, _ in EDGE_LINES), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# Engines


class SparkProject(DbtProject):
    """The project on the `spark` target: its warehouse and metastore in `spark_dir`.

    Its commands run one after the other in one process (the in-process dbt
    server), so that the JVM the first one starts, warmed up, serves them all:
    each Spark build of this module used to start its own, about 25 s of
    start-up and warm-up."""

    in_process_server = True

    def __init__(self, spark_dir: Path, schema: str, events_path: str, dbt_vars: dict | None = None):
        self.spark_dir = spark_dir
        self.schema = schema
        super().__init__(
            spark_dir / "unused.duckdb",
            events_path=events_path,
            dbt_vars=dbt_vars,
            work_dir=spark_dir / f"dbt_{schema}",
            # the unit tests run here: on Spark's SQL, in the first build
            env={
                "DBT_TARGET": "spark",
                "DBT_SPARK_DIR": str(spark_dir),
                "DBT_SPARK_SCHEMA": schema,
                "DBT_EXCLUDE_RESOURCE_TYPES": "",
            },
        )

    def table_columns_and_rows(self, table: str) -> tuple[list[str], list[tuple]]:
        """A Spark table's rows, read from its Parquet files (Spark is not running then)."""
        folder = self.spark_dir / "warehouse" / f"{self.schema}.db" / table
        files = sorted(str(path) for path in folder.rglob("*.parquet") if not path.name.startswith((".", "_")))
        assert files, f"Spark wrote no Parquet file for {table} in {folder}"
        with duckdb.connect() as connection:
            connection.execute("set TimeZone = 'UTC'")
            cursor = connection.execute("select * from read_parquet(?)", [files])
            return [column[0] for column in cursor.description], cursor.fetchall()


def duckdb_columns_and_rows(project: DbtProject, table: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(project.duckdb_path), read_only=True) as connection:
        connection.execute("set TimeZone = 'UTC'")
        cursor = connection.execute(f'select * from main."{table}"')
        return [column[0] for column in cursor.description], cursor.fetchall()


# ---------------------------------------------------------------------------
# Comparison


def without_run_stamp(columns: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    """The columns and rows without the run stamp, which differs between any two builds."""
    if RUN_STAMP_COLUMN not in columns:
        return columns, rows
    at = columns.index(RUN_STAMP_COLUMN)
    return columns[:at] + columns[at + 1:], [row[:at] + row[at + 1:] for row in rows]


def _normalised(value):
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _sort_key(row: tuple) -> tuple:
    # floats last and rounded, so that 1e-15 differences cannot change the order
    exact = tuple((value is None, "" if value is None else str(value)) for value in row if not isinstance(value, float))
    rounded = tuple(round(value, 6) if math.isfinite(value) else str(value) for value in row if isinstance(value, float))
    return exact + rounded


def _values_equal(left, right) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None:
            return left is right
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return math.isclose(left, right, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    return left == right


def assert_same_table(table: str, expected: tuple[list[str], list[tuple]], actual: tuple[list[str], list[tuple]]) -> None:
    expected_columns, expected_rows = expected
    actual_columns, actual_rows = actual
    assert actual_columns == expected_columns, f"{table}: columns differ"
    expected_rows = sorted((tuple(map(_normalised, row)) for row in expected_rows), key=_sort_key)
    actual_rows = sorted((tuple(map(_normalised, row)) for row in actual_rows), key=_sort_key)
    assert len(actual_rows) == len(expected_rows), (
        f"{table}: {len(actual_rows)} rows on Spark, {len(expected_rows)} on DuckDB"
    )
    for expected_row, actual_row in zip(expected_rows, actual_rows):
        differing = [
            f"{column}: DuckDB {left!r} / Spark {right!r}"
            for column, left, right in zip(expected_columns, expected_row, actual_row)
            if not _values_equal(left, right)
        ]
        assert not differing, f"{table}: first differing row:\n  " + "\n  ".join(differing)


# ---------------------------------------------------------------------------
# Data and builds, once per module


def _copy_tree(source: Path, destination: Path, keep) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_file() and keep(path.relative_to(source)):
            target = destination / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def _day_of(relative: Path) -> dt.date:
    parts = dict(part.split("=", 1) for part in relative.parts if "=" in part)
    return dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))


PARQUET_COLUMNS = {
    "$schema": "VARCHAR",
    "action": "VARCHAR",
    "action_source": "VARCHAR",
    "dt": "VARCHAR",
    "meta": "STRUCT(id VARCHAR, dt VARCHAR, domain VARCHAR, stream VARCHAR)",
    "mediawiki": "STRUCT(database VARCHAR)",
    "performer": "STRUCT(id BIGINT, edit_count BIGINT)",
    "experiments": "STRUCT(enrolled VARCHAR[], assigned MAP(VARCHAR, VARCHAR))",
    "experiment": "STRUCT(enrolled VARCHAR, assigned VARCHAR, coordinator VARCHAR)",
}


def _write_parquet_copy(source: Path, destination: Path) -> None:
    """Each JSON file as a Parquet file of the same folder (lines that fit the typed schema)."""
    columns = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in PARQUET_COLUMNS.items()) + "}"
    with duckdb.connect() as connection:
        for path in sorted(source.rglob("*.*json*")):
            relative = path.relative_to(source)
            target = destination / relative.parent / (relative.name.split(".")[0] + ".parquet")
            target.parent.mkdir(parents=True, exist_ok=True)
            connection.execute(
                f"""
                copy (
                    select * from read_json(
                        '{path}', format = 'newline_delimited', columns = {columns},
                        ignore_errors = true, maximum_object_size = 67108864, hive_partitioning = false
                    )
                    where meta is not null
                ) to '{target}' (format parquet)
                """
            )


def _assert_spark_installed() -> None:
    import importlib.util

    missing = [name for name in ("pyspark", "dbt.adapters.spark") if importlib.util.find_spec(name) is None]
    assert not missing, (
        f"{', '.join(missing)} not installed: pip install -r requirements-spark.txt "
        "(or set SKIP_SPARK=1 to skip the Spark suite)"
    )
    assert shutil.which("java") or os.environ.get("JAVA_HOME"), "Spark needs Java 17 (java not found)"


@pytest.fixture(scope="module")
def spark_workspace():
    _assert_spark_installed()
    # a folder of its own under /tmp (not pytest's basetemp, which another
    # pytest session started meanwhile may rotate away), removed afterwards
    root = Path(tempfile.mkdtemp(prefix="spark_equality_"))
    try:
        yield _prepare_workspace(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _prepare_workspace(root: Path) -> dict:
    cfg = generate.preset_config(
        "messy", seed=SEED, events=700, days=DAYS, lines_per_file=40, max_files_per_hour=1
    )
    generated = root / "generated"
    generate.write_files(generate.generate_files(cfg), str(generated), cfg.compresslevel)
    _write_edge_file(generated, cfg.start)
    split = cfg.start + dt.timedelta(days=FIRST_BATCH_DAYS)
    events = root / "events"
    _copy_tree(generated, events, lambda relative: _day_of(relative) < split)
    spark_dir = root / "spark"  # warehouse and metastore of every Spark build
    return {"root": root, "cfg": cfg, "generated": generated, "events": events, "split": split, "spark_dir": spark_dir}


@pytest.fixture(scope="module")
def builds(spark_workspace: dict) -> dict:
    """Every build of this module, in order; the tests only read them."""
    root: Path = spark_workspace["root"]
    events: Path = spark_workspace["events"]
    events_path = str(events / EVENTS_GLOB)
    spark_dir: Path = spark_workspace["spark_dir"]
    result: dict = {"seconds": {}}

    def timed(name: str, project: DbtProject, *args: str) -> None:
        started = time.monotonic()
        project.run(*args)
        result["seconds"][name] = round(time.monotonic() - started, 1)

    def marts(duckdb_project: DbtProject, spark_project: SparkProject) -> dict:
        return {
            name: (
                without_run_stamp(*duckdb_columns_and_rows(duckdb_project, name)),
                without_run_stamp(*spark_project.table_columns_and_rows(name)),
            )
            for name in MART_NAMES
        }

    # 1. the first two days on both engines: every model, seed and data test,
    # and on Spark the unit tests (DuckDB runs them in the sample build)
    first_duckdb = DbtProject(root / "duckdb_first.duckdb", events_path=events_path)
    timed("duckdb first build", first_duckdb, "build")
    spark = SparkProject(spark_dir, SPARK_SCHEMA, events_path)
    timed("spark first build", spark, "build")
    result["first"] = marts(first_duckdb, spark)

    # 2. the last two days arrive: DuckDB from scratch, Spark incremental
    # (seeds and models; the tests ran in 1 and the equality checks the data)
    _copy_tree(spark_workspace["generated"], events, lambda relative: _day_of(relative) >= spark_workspace["split"])
    full_duckdb = DbtProject(root / "duckdb_full.duckdb", events_path=events_path)
    timed("duckdb full build", full_duckdb, "build")
    timed("spark incremental build", spark, "build", *MODELS_ONLY)
    result["incremental"] = marts(full_duckdb, spark)
    result["incremental_output"] = spark.last_run.stdout
    file_log_columns, file_log_rows = spark.table_columns_and_rows("state_file_reads")
    result["file_log_loads"] = {row[file_log_columns.index("loaded_at")] for row in file_log_rows}
    result["file_versions"] = {row[file_log_columns.index("file_version")] for row in file_log_rows}
    copies_folder = spark_dir / "warehouse" / f"{SPARK_SCHEMA}.db" / "state_event_copies"
    result["copy_partitions"] = sorted(path.name for path in copies_folder.glob("file_version=*"))

    # 3. the same events as Parquet: the models only
    parquet = root / "parquet"
    _write_parquet_copy(spark_workspace["generated"], parquet)
    parquet_vars = {"events_format": "parquet"}
    parquet_path = str(parquet / "**" / "*.parquet")
    parquet_duckdb = DbtProject(root / "duckdb_parquet.duckdb", events_path=parquet_path, dbt_vars=parquet_vars)
    timed("duckdb parquet run", parquet_duckdb, "build", *MODELS_ONLY)
    parquet_spark = SparkProject(spark_dir, SPARK_SCHEMA + "_parquet", parquet_path, dbt_vars=parquet_vars)
    timed("spark parquet run", parquet_spark, "build", *MODELS_ONLY)
    result["parquet"] = marts(parquet_duckdb, parquet_spark)

    # 4. the known differences between the engines, on Spark
    differences = root / "engine_differences"
    (differences / ENGINE_DIFFERENCE_FOLDER).mkdir(parents=True)
    for name, data in ENGINE_DIFFERENCE_FILES.items():
        (differences / ENGINE_DIFFERENCE_FOLDER / name).write_bytes(data)
    differences_spark = SparkProject(spark_dir, SPARK_SCHEMA + "_differences", str(differences / EVENTS_GLOB))
    timed("spark engine differences run", differences_spark, "build", *MODELS_ONLY)
    result["differences"] = {
        name: differences_spark.table_columns_and_rows(name)
        for name in ("fct_event_line_reconciliation", "fct_rejected_events", "fct_experiment_enrollments")
    }
    print("build seconds:", result["seconds"])
    return result


# ---------------------------------------------------------------------------
# Tests


def test_marts_are_discovered():
    assert {"fct_experiment_enrollments", "fct_rejected_events"} <= set(MART_NAMES)


@pytest.mark.parametrize("mart", MART_NAMES)
def test_first_build_is_identical(builds: dict, mart: str):
    assert_same_table(mart, *builds["first"][mart])


@pytest.mark.parametrize("mart", MART_NAMES)
def test_incremental_spark_build_equals_full_duckdb_build(builds: dict, mart: str):
    assert_same_table(mart, *builds["incremental"][mart])


@pytest.mark.parametrize("mart", MART_NAMES)
def test_parquet_input_is_identical(builds: dict, mart: str):
    assert_same_table(mart, *builds["parquet"][mart])


def test_second_spark_run_was_incremental(builds: dict):
    """The file log holds both runs' reads, and the stored copies are Parquet partitions by file version."""
    assert "Completed successfully" in builds["incremental_output"]
    assert len(builds["file_log_loads"]) == 2
    partitions = {name.removeprefix("file_version=") for name in builds["copy_partitions"]}
    assert partitions and partitions <= builds["file_versions"]


def test_edge_lines_get_the_rules_outcome_on_spark(builds: dict, spark_workspace: dict):
    """Each hand-written line is rejected for the expected reason (or accepted) on Spark, as on DuckDB."""
    columns, rows = builds["incremental"]["fct_rejected_events"][1]
    reason_at, line_at, file_at = columns.index("reason"), columns.index("raw_line"), columns.index("source_file")
    rejected = {row[line_at]: row[reason_at] for row in rows if row[file_at].endswith("part-edge.json")}
    for text, outcome in EDGE_LINES:
        assert rejected.get(text, "accepted") == outcome, text[:200]


def test_edge_variants_keep_their_exact_text(builds: dict):
    columns, rows = builds["incremental"]["fct_experiment_enrollments"][1]
    user_at, variant_at = columns.index("user_id"), columns.index("variant")
    variants = {row[user_at]: row[variant_at] for row in rows}
    assert variants[900024] == 'con"trol'
    assert variants[900025] == ',}]":x'
    assert variants[900026] == "\u0001control"
    assert variants[900028] == "contrôle-ü \\ é"
    assert variants[900029] == '\\"\\u0001"'
    assert variants[900033] == "treatment"
    assert variants[2**63 - 1] == "control"


def test_edge_domains_give_the_wiki_of_rule_2_on_spark(builds: dict):
    columns, rows = builds["incremental"]["fct_experiment_enrollments"][1]
    user_at, wiki_at = columns.index("user_id"), columns.index("wiki")
    wikis = {row[user_at]: row[wiki_at] for row in rows}
    assert wikis[900061] == "be_x_oldwiki"
    assert wikis[900062] == "simplewiki"


# ---------------------------------------------------------------------------
# The known differences, Spark's side (DuckDB's: test_engine_differences.py)


def _difference_rows(builds: dict, table: str) -> list[dict]:
    columns, rows = builds["differences"][table]
    return [dict(zip(columns, row)) for row in rows]


def test_offset_of_23_59_falls_back_to_meta_dt_on_spark(builds: dict):
    """Spark cannot read the `dt` (offsets up to 18:00 only): rule 3 takes `meta.dt`."""
    rejected = {Path(row["source_file"]).name for row in _difference_rows(builds, "fct_rejected_events")}
    assert "offset.json" not in rejected
    enrolled = {row["user_id"]: row["enrolled_at"] for row in _difference_rows(builds, "fct_experiment_enrollments")}
    assert enrolled[800001] == dt.datetime(2025, 3, 20, 10, tzinfo=dt.UTC)  # meta.dt, not dt converted


def test_lone_surrogate_is_accepted_on_spark(builds: dict):
    assert SURROGATE_LINE not in {row["raw_line"] for row in _difference_rows(builds, "fct_rejected_events")}
    assert 800002 in {row["user_id"] for row in _difference_rows(builds, "fct_experiment_enrollments")}


def test_lf_then_crlf_reads_no_phantom_line_on_spark(builds: dict):
    counts = {
        Path(row["source_file"]).name: (row["raw_lines"], row["rejected_lines"], row["accepted_events"])
        for row in _difference_rows(builds, "fct_event_line_reconciliation")
    }
    assert counts["lf-then-crlf.json"] == (3, 0, 3)
    assert counts["crlf-then-lf.json"] == (3, 0, 3)


# ---------------------------------------------------------------------------
# The statistics macros on Spark's SQL: their sums over lists
# (sum_over_list, constant_list_element) are written once per engine, and
# the marts' allocations, two variants each, reach only the odd branch with
# an empty sum; tests/pytest/test_srm_statistics.py holds DuckDB's side.

P_VALUE_GRID = [
    (statistic, degrees_of_freedom)
    for degrees_of_freedom in (1, 2, 3, 4, 7, 10, 99, 100)
    for statistic in (0.5, 3.0, 12.5, 80.0, 1e9)
]


@pytest.fixture(scope="module")
def spark_p_values(builds: dict, spark_workspace: dict) -> dict[tuple[float, int], float]:
    """chi_square_p_value on a grid of inputs, as Spark computes it (after
    the builds, in their JVM)."""
    grid = ", ".join(f"(cast({statistic!r} as double), {freedom})" for statistic, freedom in P_VALUE_GRID)
    sql = (
        "select statistic, degrees_of_freedom, "
        "{{ chi_square_p_value('statistic', 'degrees_of_freedom') }} as p_value "
        f"from (values {grid}) as grid(statistic, degrees_of_freedom)"
    )
    project = SparkProject(spark_workspace["spark_dir"], SPARK_SCHEMA, str(spark_workspace["events"] / EVENTS_GLOB))
    run = project.run("show", "--inline", sql, "--limit", str(len(P_VALUE_GRID)), "--output", "json", "--quiet")
    rows = json.loads(run.stdout[run.stdout.index("{") :])["show"]
    return {(float(row["statistic"]), int(row["degrees_of_freedom"])): float(row["p_value"]) for row in rows}


def test_chi_square_p_value_matches_scipy_on_spark(spark_p_values: dict):
    assert sorted(spark_p_values) == sorted(P_VALUE_GRID)
    for (statistic, degrees_of_freedom), p_value in spark_p_values.items():
        expected = stats.chi2.sf(statistic, degrees_of_freedom)
        assert abs(p_value - expected) <= P_VALUE_MEASURED, (statistic, degrees_of_freedom, p_value, expected)
