"""End to end: the experiment-health marts against tests/pytest/health_oracle.py.

* The shared `messy` build (conftest.py), with the shipped allocations seed.
* The same messy events built with `multi_variant_policy: exclude` and
  `forced_assignment_policy: exclude`.
* A generated data set whose eswiki split is skewed 70/30, built against an
  allocations table of the test's own (var `experiment_allocations_relation`):
  an open-ended window, a wiki split into two windows, unequal and
  three-way shares, a single-variant allocation with unexpected variants, a
  wiki without events and a window that leaves units outside.

The oracle takes its units from the core oracle (tests/pytest/oracle.py),
which reads the raw files; the variants each unit was seen with come from
the oracle's distinct events.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict

import duckdb
import health_oracle
import oracle
import pytest
from datasets import Dataset, assert_built, generate_dataset
from dbt_project_runner import DbtProject

from growth_enrollments import generate

SAMPLE_RATIO_KEY = ("cohort", "experiment", "wiki", "valid_from", "valid_to", "variant")
MULTI_VARIANT_KEY = ("cohort", "experiment", "wiki")
DAILY_KEY = ("cohort", "experiment", "wiki", "variant", "enrollment_date")
RUN_KEY = ("experiment", "wiki", "valid_from", "valid_to", "variant")
CROSS_COHORT_KEY = ("experiment", "wiki", "conflict_type")
ASSIGNMENT_SOURCE_KEY = ("cohort", "experiment", "wiki", "conflict_type")
OUTSIDE_DAILY_KEY = ("cohort", "experiment", "wiki", "variant")
OUTSIDE_KEY = ("cohort", "experiment", "wiki", "variant", "outside_reason")
# absolute tolerance per float column (the p-value's requirement is 1e-6; it does far better)
FLOAT_TOLERANCE = {
    "p_value": 1e-9,
    "chi_square": 1e-7,
    "observed_share": 1e-12,
    "observed_share_wilson_lower": 1e-12,
    "observed_share_wilson_upper": 1e-12,
    "expected_users": 1e-9,
    "expected_share": 1e-12,
    "multi_variant_share": 1e-12,
    "conflicting_share": 1e-12,
}

SKEW_SEED = 7
SKEWED_WIKI = "eswiki"
CUSTOM_ALLOCATIONS_RELATION = "allocations.custom"
CUSTOM_ALLOCATIONS = [
    # experiment, wiki, variant, expected_share, valid_from, valid_to
    ("growth-experiments", "eswiki", "control", 0.5, "2025-01-01", None),
    ("growth-experiments", "eswiki", "surfacing-structured-task", 0.5, "2025-01-01", None),
    ("growth-experiments", "ptwiki", "control", 0.5, None, "2025-03-15"),
    ("growth-experiments", "ptwiki", "surfacing-structured-task", 0.5, None, "2025-03-15"),
    ("growth-experiments", "ptwiki", "control", 0.5, "2025-03-16", "2025-06-24"),
    ("growth-experiments", "ptwiki", "surfacing-structured-task", 0.5, "2025-03-16", "2025-06-24"),
    ("growth-experiments", "enwiki", "control", 0.1, "2025-02-01", "2025-12-31"),
    ("growth-experiments", "enwiki", "no-link-recommendation", 0.9, "2025-02-01", "2025-12-31"),
    ("growth-experiments", "frwiki", "control", 1.0, None, None),
    ("growth-experiments", "dewiki", "control", 0.4, None, None),
    ("growth-experiments", "dewiki", "variant-a", 0.3, None, None),
    ("growth-experiments", "dewiki", "variant-b", 0.3, None, None),
    ("growth-experiments", "nlwiki", "control", 0.5, None, None),
    ("growth-experiments", "nlwiki", "surfacing-structured-task", 0.5, None, None),
    ("growth-experiments", "arzwiki", "control", 0.5, "2025-03-01", "2025-03-10"),
    ("growth-experiments", "arzwiki", "surfacing-structured-task", 0.5, "2025-03-01", "2025-03-10"),
]


# ---------------------------------------------------------------------------
# helpers


def oracle_units(result: oracle.OracleResult) -> list[dict]:
    return result.rows("fct_experiment_enrollments")


def oracle_unit_variants(result: oracle.OracleResult) -> dict[tuple, set[str]]:
    """(cohort, experiment, wiki, user_id) -> every variant its distinct events assign."""
    variants: dict[tuple, set[str]] = defaultdict(set)
    for event in result.events.values():
        for experiment, variant in event.assignments:
            variants[(event.cohort, experiment, event.wiki, event.user_id)].add(variant)
    return variants


def read_model(project: DbtProject, model: str, columns: tuple[str, ...]) -> list[dict]:
    return [dict(zip(columns, row)) for row in project.read_table(model, list(columns))]


def assert_rows_match(model: str, actual: list[dict], expected: list[dict], key: tuple[str, ...]) -> None:
    """Same keys, same values; floats within FLOAT_TOLERANCE, everything else equal."""

    def index(rows: list[dict], side: str) -> dict[tuple, dict]:
        indexed = {tuple(row[column] for column in key): row for row in rows}
        assert len(indexed) == len(rows), f"{model}: duplicate keys in {side}"
        return indexed

    assert expected, f"{model}: the oracle expects no rows, so the comparison would prove nothing"
    actual_rows, expected_rows = index(actual, "dbt"), index(expected, "the oracle")
    only_dbt = sorted(set(actual_rows) - set(expected_rows), key=repr)
    only_oracle = sorted(set(expected_rows) - set(actual_rows), key=repr)
    assert not only_dbt and not only_oracle, (
        f"{model}: {len(only_dbt)} rows only in dbt, e.g. {only_dbt[:5]}; "
        f"{len(only_oracle)} only in the oracle, e.g. {only_oracle[:5]}"
    )
    problems = []
    for row_key, expected_row in expected_rows.items():
        actual_row = actual_rows[row_key]
        for column, expected_value in expected_row.items():
            actual_value = actual_row[column]
            if column in FLOAT_TOLERANCE and expected_value is not None and actual_value is not None:
                if abs(actual_value - expected_value) > FLOAT_TOLERANCE[column] * max(1.0, abs(expected_value)):
                    problems.append((row_key, column, actual_value, expected_value))
            elif actual_value != expected_value or type(actual_value) is not type(expected_value):
                problems.append((row_key, column, actual_value, expected_value))
    assert not problems, f"{model}: {len(problems)} differences (key, column, dbt, oracle), e.g.\n" + "\n".join(
        repr(problem) for problem in problems[:10]
    )


def warning_result_count(run_output: str, test_name: str) -> int:
    """How many rows a warn-severity test returned in `dbt build` output (0 when it passed)."""
    match = re.search(rf"Warning in test {test_name} .*?\n.*?Got (\d+) results?", run_output)
    return int(match.group(1)) if match else 0


def assert_health_marts_match(project: DbtProject, units: list[dict], allocations: list[dict], result) -> None:
    assert_rows_match(
        "fct_sample_ratio_checks",
        read_model(project, "fct_sample_ratio_checks", health_oracle.SAMPLE_RATIO_COLUMNS),
        health_oracle.sample_ratio_checks(units, allocations),
        SAMPLE_RATIO_KEY,
    )
    assert_rows_match(
        "fct_daily_enrollments",
        read_model(project, "fct_daily_enrollments", health_oracle.DAILY_COLUMNS),
        health_oracle.daily_enrollments(units, allocations),
        DAILY_KEY,
    )
    outside_daily = health_oracle.outside_daily_series(units, allocations)
    actual_outside_daily = read_model(
        project, "fct_enrollments_outside_daily_series", health_oracle.OUTSIDE_DAILY_COLUMNS
    )
    if outside_daily:
        assert_rows_match("fct_enrollments_outside_daily_series", actual_outside_daily, outside_daily, OUTSIDE_DAILY_KEY)
    else:
        assert actual_outside_daily == []
    assert warning_result_count(project.last_run.stdout, "assert_no_enrollments_outside_daily_series") == len(
        outside_daily
    )
    multi_variant_rows = read_model(project, "fct_multi_variant_users", health_oracle.MULTI_VARIANT_COLUMNS)
    for row in multi_variant_rows:
        # JSON text that reads back as the pairs, in order of the names
        pairs = json.loads(row["variant_pairs"])
        assert pairs == sorted(pairs, key=lambda pair: (pair["first_variant"], pair["second_variant"]))
        row["variant_pairs"] = pairs
    assert_rows_match(
        "fct_multi_variant_users",
        multi_variant_rows,
        health_oracle.multi_variant_users(oracle_units(result), oracle_unit_variants(result)),
        MULTI_VARIANT_KEY,
    )
    run_counts = health_oracle.run_variant_counts(units, oracle_units(result), allocations)
    for model, columns in (
        ("fct_account_creation_run_variant_counts", health_oracle.RUN_COLUMNS),
        ("fct_page_impression_run_variant_counts", health_oracle.PAGE_RUN_COLUMNS),
    ):
        assert_rows_match(model, read_model(project, model, columns), run_counts[model], RUN_KEY)
    outside = health_oracle.outside_allocations(units, allocations)
    actual_outside = read_model(project, "fct_enrollments_outside_allocations", health_oracle.OUTSIDE_COLUMNS)
    if outside:
        assert_rows_match("fct_enrollments_outside_allocations", actual_outside, outside, OUTSIDE_KEY)
    else:
        assert actual_outside == []
    # every counted unit is in exactly one run or outside every allocation, never both
    in_runs = sum(row["enrolled_users"] for rows in run_counts.values() for row in rows)
    assert in_runs + sum(row["enrolled_users"] for row in actual_outside) == len(units)
    all_units = oracle_units(result)
    conflicts = health_oracle.cross_cohort_conflicts(all_units)
    actual_conflicts = read_model(project, "fct_cross_cohort_conflicts", health_oracle.CROSS_COHORT_COLUMNS)
    if conflicts:
        assert_rows_match("fct_cross_cohort_conflicts", actual_conflicts, conflicts, CROSS_COHORT_KEY)
    else:
        assert actual_conflicts == []
    output = project.last_run.stdout
    assert warning_result_count(output, "assert_no_impressions_before_account_creation") == sum(
        1 for row in conflicts if row["conflict_type"] == "impression_before_creation" and row["conflicting_users"]
    )
    creation_variants = {
        (unit["experiment"], unit["wiki"], unit["user_id"]): unit["variant"]
        for unit in all_units
        if unit["cohort"] == "account_creation"
    }
    variant_pairs = set()
    for unit in all_units:
        key = (unit["experiment"], unit["wiki"], unit["user_id"])
        if unit["cohort"] == "page_impression" and key in creation_variants and creation_variants[key] != unit["variant"]:
            variant_pairs.add((unit["experiment"], unit["wiki"], creation_variants[key], unit["variant"]))
    assert warning_result_count(output, "assert_no_cross_cohort_variant_conflicts") == len(variant_pairs)
    assert_rows_match(
        "fct_assignment_source_conflicts",
        read_model(project, "fct_assignment_source_conflicts", health_oracle.ASSIGNMENT_SOURCE_COLUMNS),
        health_oracle.assignment_source_conflicts(all_units),
        ASSIGNMENT_SOURCE_KEY,
    )
    forced_groups = {
        (unit["cohort"], unit["experiment"], unit["wiki"], unit["variant"])
        for unit in all_units
        if unit["has_forced_assignment"]
    }
    assert warning_result_count(output, "assert_no_forced_assignments") == len(forced_groups)
    singular_pairs = {
        (event.cohort, experiment, event.wiki, variant, event.singular[1])
        for event in result.events.values()
        if event.singular is not None
        for experiment, variant in event.assignments
        if event.singular[0] == experiment and event.singular[1] != variant
    }
    assert warning_result_count(output, "assert_no_singular_assignment_conflicts") == len(singular_pairs)
    assert warning_result_count(output, "assert_every_enrollment_has_an_allocation") == len(
        health_oracle.untested_units(units, allocations)
    )
    srm_rows = [row for row in health_oracle.sample_ratio_checks(units, allocations) if row["is_srm"]]
    assert warning_result_count(output, "assert_no_sample_ratio_mismatch") == len(srm_rows)


# ---------------------------------------------------------------------------
# the shared messy build, default vars and the shipped allocations


def test_health_marts_match_oracle_on_messy_data(messy_project: DbtProject, messy_dataset: Dataset) -> None:
    assert_built(messy_project)
    result = messy_dataset.oracle
    assert_health_marts_match(messy_project, oracle_units(result), health_oracle.read_allocations(), result)


def test_shipped_allocations_are_the_production_split(messy_project: DbtProject) -> None:
    rows = messy_project.read_table(
        "experiment_allocations", ["experiment", "wiki", "variant", "expected_share", "valid_from", "valid_to"]
    )
    wikis = ["arzwiki", "eswiki", "fawiki", "frwiki", "idwiki", "ptwiki"]
    assert sorted(rows) == sorted(
        ("growth-experiments", wiki, variant, 0.5, dt.date(2025, 2, 18), dt.date(2025, 6, 24))
        for wiki in wikis
        for variant in ("control", "surfacing-structured-task")
    )


def test_messy_data_has_multi_variant_units(messy_project: DbtProject) -> None:
    """Else the comparison with the oracle would not exercise the pairs."""
    rows = read_model(messy_project, "fct_multi_variant_users", health_oracle.MULTI_VARIANT_COLUMNS)
    assert sum(row["multi_variant_units"] for row in rows) > 0
    assert any(json.loads(row["variant_pairs"]) for row in rows)


def test_messy_data_has_assignment_source_conflicts(messy_dataset: Dataset) -> None:
    """Else the comparison with the oracle would not exercise them."""
    units = oracle_units(messy_dataset.oracle)
    assert any(unit["has_singular_variant_conflict"] for unit in units)
    assert any(unit["has_forced_assignment"] for unit in units)


# ---------------------------------------------------------------------------
# multi_variant_policy and forced_assignment_policy: exclude


@pytest.fixture(scope="module")
def exclude_project(messy_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    directory = tmp_path_factory.mktemp("exclude_warehouse")
    project = DbtProject(
        directory / "warehouse.duckdb",
        events_path=messy_dataset.events_path,
        dbt_vars={"multi_variant_policy": "exclude", "forced_assignment_policy": "exclude"},
    )
    project.build(check=False)
    return assert_built(project)


def test_exclude_policies_drop_multi_variant_and_forced_units_everywhere(
    exclude_project: DbtProject, messy_dataset: Dataset
) -> None:
    result = messy_dataset.oracle
    enrollments = oracle_units(result)
    multi_variant = [unit for unit in enrollments if unit["is_multi_variant"]]
    assert multi_variant, "the messy data set should have multi-variant units"
    forced = [unit for unit in enrollments if unit["has_forced_assignment"]]
    assert forced, "the messy data set should have units with a forced assignment"
    dropped = multi_variant + [unit for unit in forced if not unit["is_multi_variant"]]

    counted = exclude_project.read_table("int_enrollments_counted", ["cohort", "experiment", "wiki", "user_id"])
    assert len(counted) == len(enrollments) - len(dropped)
    assert not {(u["cohort"], u["experiment"], u["wiki"], u["user_id"]) for u in dropped} & set(counted)

    expected_counts = health_oracle.variant_counts(enrollments, "exclude", "exclude")
    for model, rows in expected_counts.items():
        columns = oracle.MODEL_COLUMNS[model]
        assert sorted(exclude_project.read_table(model, list(columns))) == sorted(rows), model

    units = health_oracle.counted_units(enrollments, "exclude", "exclude")
    assert_health_marts_match(exclude_project, units, health_oracle.read_allocations(), result)
    # the SRM test saw fewer users than under `first`
    first_total = sum(
        row["observed_users"]
        for row in health_oracle.sample_ratio_checks(enrollments, health_oracle.read_allocations())
    )
    exclude_total = sum(row[0] for row in exclude_project.read_table("fct_sample_ratio_checks", ["observed_users"]))
    assert exclude_total < first_total


# ---------------------------------------------------------------------------
# a skewed split, against the test's own allocations table


@pytest.fixture(scope="module")
def skewed_dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    cfg = generate.preset_config("sample", seed=SKEW_SEED, events=8_000, skew=((SKEWED_WIKI, 0.7),))
    return generate_dataset(cfg, tmp_path_factory.mktemp("skewed_events"))


def custom_allocations() -> list[dict]:
    def date_or_none(text: str | None) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    return [
        {
            "experiment": experiment,
            "wiki": wiki,
            "variant": variant,
            "expected_share": share,
            "valid_from": date_or_none(valid_from),
            "valid_to": date_or_none(valid_to),
        }
        for experiment, wiki, variant, share, valid_from, valid_to in CUSTOM_ALLOCATIONS
    ]


@pytest.fixture(scope="module")
def skewed_project(skewed_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    directory = tmp_path_factory.mktemp("skewed_warehouse")
    duckdb_path = directory / "warehouse.duckdb"
    schema, table = CUSTOM_ALLOCATIONS_RELATION.split(".")
    with duckdb.connect(str(duckdb_path)) as connection:
        connection.execute(f"create schema {schema}")
        connection.execute(
            f"create table {schema}.{table} (experiment varchar, wiki varchar, variant varchar, "
            "expected_share double, valid_from date, valid_to date)"
        )
        connection.executemany(f"insert into {schema}.{table} values (?, ?, ?, ?, ?, ?)", CUSTOM_ALLOCATIONS)
    project = DbtProject(
        duckdb_path,
        events_path=skewed_dataset.events_path,
        dbt_vars={"experiment_allocations_relation": CUSTOM_ALLOCATIONS_RELATION},
    )
    project.build(check=False)
    return assert_built(project)


def test_health_marts_match_oracle_on_custom_allocations(skewed_project: DbtProject, skewed_dataset: Dataset) -> None:
    result = skewed_dataset.oracle
    assert_health_marts_match(skewed_project, oracle_units(result), custom_allocations(), result)


def test_skewed_split_is_flagged_and_warned(skewed_project: DbtProject) -> None:
    statuses = dict(
        skewed_project.query(
            "select distinct cohort || ' ' || wiki || ' ' || coalesce(cast(valid_from as varchar), '-'), status "
            "from main.fct_sample_ratio_checks"
        )
    )
    assert statuses["account_creation eswiki 2025-01-01"] == "srm"
    assert statuses["page_impression eswiki 2025-01-01"] == "srm"
    # a single configured variant plus users elsewhere; a configured wiki without events
    assert statuses["account_creation frwiki -"] == "unexpected_variants"
    assert statuses["account_creation nlwiki -"] == "insufficient_data"
    output = skewed_project.last_run.stdout
    assert "Warning in test assert_no_sample_ratio_mismatch" in output
    assert "Warning in test assert_every_enrollment_has_an_allocation" in output
    assert "Warning in test assert_no_unexpected_variants" in output
    assert re.search(r"\bERROR=0\b", output)


def test_multi_variant_error_threshold_fails_the_build(skewed_project: DbtProject) -> None:
    """Above multi_variant_error_share the error-severity test fails (at the
    defaults it passed: the build it runs on exited 0)."""
    strict = skewed_project.run(
        "test",
        "--select",
        "assert_multi_variant_share_below_error_share",
        dbt_vars={"multi_variant_error_share": 0.0, "multi_variant_min_units": 1},
        check=False,
    )
    assert strict.returncode != 0 and "FAIL" in strict.stdout, strict.stdout[-2000:]


# ---------------------------------------------------------------------------
# enrollments dated far outside any plausible series: the build stays green

FAR_DATES = (
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "2099-06-30T12:00:00Z",
)
FAR_USER_ID_BASE = 7_777_000_000_000


@pytest.fixture(scope="module")
def far_dates_dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """A small generated data set plus one file of copies of accepted events
    (new users and event ids) dated 0001, 9999, 1970 and 2099: in a wiki with
    allocations and in wikis without; and three users in both cohorts
    (cross_cohort_lines)."""
    # from April: every event names its wiki in mediawiki.database
    cfg = generate.preset_config("sample", seed=SKEW_SEED, events=600, start=dt.date(2025, 4, 1), days=12)
    dataset = generate_dataset(cfg, tmp_path_factory.mktemp("far_dates_events"))
    accepted = [
        json.loads(line)
        for file in dataset.files
        for line, expected in zip(file.lines, file.expected)
        if expected == "accepted"
    ]
    allocated = {row["wiki"] for row in health_oracle.read_allocations()}
    chosen = [event for event in accepted if event.get("mediawiki", {}).get("database") in allocated][:4]
    chosen += [
        event
        for event in accepted
        if event.get("mediawiki", {}).get("database") not in (None, *allocated)
    ][:4]
    assert len(chosen) == 8
    lines = []
    for index, event in enumerate(chosen):
        moment = FAR_DATES[index % len(FAR_DATES)]
        event["dt"] = moment
        event["meta"]["dt"] = moment
        event["meta"]["id"] = f"00000000-0000-4000-8000-{index:012d}"
        event["performer"]["id"] = FAR_USER_ID_BASE + index
        lines.append(json.dumps(event))
    lines += cross_cohort_lines(chosen[0])
    folder = dataset.root / "datacenter=eqiad" / "year=2025" / "month=3" / "day=1" / "hour=0"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "part-far-dates.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dataset


CONFLICT_USER_IDS = (FAR_USER_ID_BASE + 100, FAR_USER_ID_BASE + 101, FAR_USER_ID_BASE + 102)


def cross_cohort_lines(template: dict) -> list[str]:
    """Three users of the template's wiki in both cohorts: one whose page
    impression shows the other variant, one whose page impression comes an
    hour before the account's creation, one consistent."""

    def event(index: int, source: str, user_id: int, moment: str, variant: str) -> str:
        copy = json.loads(json.dumps(template))
        copy.pop("experiment", None)
        copy["action_source"] = source
        copy["dt"] = copy["meta"]["dt"] = moment
        copy["meta"]["id"] = f"00000000-0000-4000-9000-{index:012d}"
        copy["performer"]["id"] = user_id
        copy["experiments"] = {"enrolled": ["growth-experiments"], "assigned": {"growth-experiments": variant}}
        return json.dumps(copy)

    conflicted, early, consistent = CONFLICT_USER_IDS
    treatment = "surfacing-structured-task"
    return [
        event(1, "LocalUserCreatedHook", conflicted, "2025-04-03T10:00:00Z", "control"),
        event(2, "BeforePageDisplayHook", conflicted, "2025-04-03T10:05:00Z", treatment),
        event(3, "LocalUserCreatedHook", early, "2025-04-03T11:00:00Z", "control"),
        event(4, "BeforePageDisplayHook", early, "2025-04-03T10:00:00Z", "control"),
        event(5, "LocalUserCreatedHook", consistent, "2025-04-03T12:00:00Z", treatment),
        event(6, "BeforePageDisplayHook", consistent, "2025-04-03T12:01:00Z", treatment),
    ]


@pytest.fixture(scope="module")
def far_dates_project(far_dates_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    directory = tmp_path_factory.mktemp("far_dates_warehouse")
    project = DbtProject(directory / "warehouse.duckdb", events_path=far_dates_dataset.events_path)
    project.build(check=False)
    return project


def test_far_dates_build_green_and_are_reported(far_dates_project: DbtProject, far_dates_dataset: Dataset) -> None:
    assert_built(far_dates_project)
    result = far_dates_dataset.oracle
    units = oracle_units(result)
    far_ids = {FAR_USER_ID_BASE + index for index in range(8)}
    far = [unit for unit in units if unit["user_id"] in far_ids]
    assert {unit["enrolled_at"].year for unit in far} == {1, 9999, 1970, 2099}
    # the all-time count marts keep them, as the oracle does
    for model, rows in health_oracle.variant_counts(units).items():
        assert sorted(far_dates_project.read_table(model, list(oracle.MODEL_COLUMNS[model]))) == sorted(rows), model
    # the daily series leaves them out and the mart of outside enrollments has every one of them
    assert_health_marts_match(far_dates_project, units, health_oracle.read_allocations(), result)
    outside = read_model(far_dates_project, "fct_enrollments_outside_daily_series", health_oracle.OUTSIDE_DAILY_COLUMNS)
    assert sum(row["enrolled_users"] for row in outside) >= len(far)
    assert {row["first_enrollment_date"].year for row in outside} >= {1, 1970}
    assert {row["last_enrollment_date"].year for row in outside} >= {9999, 2099}
    assert "Warning in test assert_no_enrollments_outside_daily_series" in far_dates_project.last_run.stdout
    # no series spans more days than the data set's own dates
    span = far_dates_project.query(
        "select max(days) from (select count(*) as days from main.fct_daily_enrollments "
        "group by cohort, experiment, wiki, variant)"
    )[0][0]
    assert span <= 12
    metric_rows = far_dates_project.query("select count(*) from main.fct_daily_variant_metrics")[0][0]
    daily_rows = far_dates_project.query("select count(*) from main.fct_daily_enrollments")[0][0]
    assert metric_rows == daily_rows


def test_cross_cohort_conflicts_are_counted_and_warned(far_dates_project: DbtProject, far_dates_dataset: Dataset) -> None:
    assert_built(far_dates_project)
    rows = far_dates_project.query(
        "select user_id, is_variant_conflict, is_impression_before_creation "
        "from main.int_cross_cohort_users_compared where user_id >= ?",
        [FAR_USER_ID_BASE + 100],
    )
    conflicted, early, consistent = CONFLICT_USER_IDS
    assert sorted(rows) == [(conflicted, True, False), (early, False, True), (consistent, False, False)]
    output = far_dates_project.last_run.stdout
    assert warning_result_count(output, "assert_no_cross_cohort_variant_conflicts") >= 1
    assert warning_result_count(output, "assert_no_impressions_before_account_creation") >= 1
