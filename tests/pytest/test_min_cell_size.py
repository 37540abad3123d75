"""Small-cell suppression (var `min_cell_size`) on generated data.

The messy data set is built once more with `min_cell_size` set and compared
with the shared build without it (`messy_project`, which the oracle tests
check against an independent computation): every published count must be
the true count and at least min_cell_size, every smaller count must be null
and flagged (never 0), and the totals and statistics that would give a
suppressed count away by subtraction must be suppressed too (docs/governance.md,
"Sharing safely"). The rules are written here from that description, not from
the SQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

import pytest
from datasets import Dataset, assert_built
from dbt_project_runner import DbtProject

MIN_CELL_SIZE = 8

VARIANT_KEY = ("experiment", "wiki", "variant")
DAILY_KEY = ("cohort", "experiment", "wiki", "variant", "enrollment_date")
MULTI_VARIANT_KEY = ("cohort", "experiment", "wiki")
SAMPLE_RATIO_KEY = ("cohort", "experiment", "wiki", "valid_from", "valid_to", "variant")
SAMPLE_RATIO_STATISTICS = (
    "observed_share",
    "observed_share_wilson_lower",
    "observed_share_wilson_upper",
    "expected_users",
    "chi_square",
    "p_value",
)


def rows_by_key(project: DbtProject, model: str, key: tuple[str, ...]) -> dict[tuple, dict]:
    columns = [row[0] for row in project.query(f"select column_name from (describe main.{model})")]
    rows = [dict(zip(columns, values)) for values in project.read_table(model)]
    keyed = {tuple(row[name] for name in key): row for row in rows}
    assert len(keyed) == len(rows), f"{model}: duplicate keys"
    return keyed


def is_small(count: int) -> bool:
    return count < MIN_CELL_SIZE


@pytest.fixture(scope="module")
def suppressed_project(messy_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    project = DbtProject(
        tmp_path_factory.mktemp("suppressed_warehouse") / "warehouse.duckdb",
        events_path=messy_dataset.events_path,
        dbt_vars={"min_cell_size": MIN_CELL_SIZE},
    )
    project.build(check=False)
    return assert_built(project)


@pytest.fixture(scope="module")
def true_project(messy_project: DbtProject) -> DbtProject:
    return assert_built(messy_project)


def assert_published(model: str, key: tuple, column: str, true_row: dict, row: dict, suppressed: bool) -> None:
    """`suppressed` is what the rules say; check the published pair agrees."""
    where = f"{model} {key} {column}"
    assert row[f"{column}_is_suppressed"] is suppressed, f"{where}: flag {row[f'{column}_is_suppressed']}"
    if suppressed:
        assert row[column] is None, f"{where}: published {row[column]!r} although suppressed"
    else:
        assert row[column] == true_row[column], f"{where}: {row[column]!r} != true {true_row[column]!r}"
        if isinstance(row[column], int):
            assert not is_small(row[column]), f"{where}: {row[column]} published below {MIN_CELL_SIZE}"


def test_suppression_is_meaningful_on_this_data(true_project: DbtProject):
    """The data set has counts on both sides of the threshold."""
    counts = [row[0] for row in true_project.read_table("fct_account_creation_variant_counts", ["enrolled_users"])]
    counts += [row[0] for row in true_project.read_table("fct_page_impression_variant_counts", ["enrolled_users"])]
    assert any(is_small(count) for count in counts) and any(not is_small(count) for count in counts), counts


def test_user_grain_model_is_not_suppressed(true_project: DbtProject, suppressed_project: DbtProject):
    model = "fct_experiment_enrollments"
    assert suppressed_project.public_snapshot()[model] == true_project.public_snapshot()[model]


def test_account_creation_counts(true_project: DbtProject, suppressed_project: DbtProject):
    truth = rows_by_key(true_project, "fct_account_creation_variant_counts", VARIANT_KEY)
    published = rows_by_key(suppressed_project, "fct_account_creation_variant_counts", VARIANT_KEY)
    assert published.keys() == truth.keys()
    for key, row in published.items():
        true_row = truth[key]
        assert_published("account_creation", key, "enrolled_users", true_row, row, is_small(true_row["enrolled_users"]))


def test_page_impression_counts(true_project: DbtProject, suppressed_project: DbtProject):
    truth = rows_by_key(true_project, "fct_page_impression_variant_counts", VARIANT_KEY)
    published = rows_by_key(suppressed_project, "fct_page_impression_variant_counts", VARIANT_KEY)
    assert published.keys() == truth.keys()
    split_suppressed = 0
    for key, row in published.items():
        true_row = truth[key]
        enrolled_small = is_small(true_row["enrolled_users"])
        # the split goes as a pair: enrolled minus one part gives the other
        split_small = is_small(true_row["new_account_users"]) or is_small(true_row["existing_account_users"])
        split_suppressed += split_small and not enrolled_small
        assert_published("page_impression", key, "enrolled_users", true_row, row, enrolled_small)
        for column in ("new_account_users", "existing_account_users"):
            assert_published("page_impression", key, column, true_row, row, split_small)
        # the impressions of a suppressed group describe that group
        assert_published(
            "page_impression",
            key,
            "impression_events",
            true_row,
            row,
            enrolled_small or is_small(true_row["impression_events"]),
        )
    assert split_suppressed, "no row where only the split is suppressed: the data set does not test it"


def test_daily_enrollments(true_project: DbtProject, suppressed_project: DbtProject):
    truth = rows_by_key(true_project, "fct_daily_enrollments", DAILY_KEY)
    published = rows_by_key(suppressed_project, "fct_daily_enrollments", DAILY_KEY)
    assert published.keys() == truth.keys()
    series: dict[tuple, list[tuple]] = defaultdict(list)
    for key in truth:
        series[key[:4]].append(key)
    for days in series.values():
        days.sort(key=lambda key: key[4])
        small_nonzero = [truth[key]["new_users"] for key in days if 0 < truth[key]["new_users"] < MIN_CELL_SIZE]
        # their sum would follow from the published total: hide the whole series
        whole_series = 0 < sum(small_nonzero) < MIN_CELL_SIZE
        small_day_seen = False
        for key in days:
            true_row, row = truth[key], published[key]
            new_users = true_row["new_users"]
            small_day_seen = small_day_seen or 0 < new_users < MIN_CELL_SIZE
            assert_published("daily", key, "new_users", true_row, row, is_small(new_users) or whole_series)
            assert_published(
                "daily",
                key,
                "cumulative_users",
                true_row,
                row,
                is_small(true_row["cumulative_users"]) or small_day_seen or whole_series,
            )


def test_daily_cumulative_gives_no_suppressed_day_away(suppressed_project: DbtProject):
    """Between two published cumulative values every day's count is published or 0."""
    published = rows_by_key(suppressed_project, "fct_daily_enrollments", DAILY_KEY)
    series: dict[tuple, list[dict]] = defaultdict(list)
    for key, row in published.items():
        series[key[:4]].append(row)
    for rows in series.values():
        rows.sort(key=lambda row: row["enrollment_date"])
        shown = [index for index, row in enumerate(rows) if not row["cumulative_users_is_suppressed"]]
        for earlier, later in zip(shown, shown[1:]):
            difference = rows[later]["cumulative_users"] - rows[earlier]["cumulative_users"]
            published_days = sum(row["new_users"] or 0 for row in rows[earlier + 1 : later + 1])
            assert difference == published_days, rows[earlier:later]


def test_sample_ratio_checks(true_project: DbtProject, suppressed_project: DbtProject):
    truth = rows_by_key(true_project, "fct_sample_ratio_checks", SAMPLE_RATIO_KEY)
    published = rows_by_key(suppressed_project, "fct_sample_ratio_checks", SAMPLE_RATIO_KEY)
    assert published.keys() == truth.keys()
    tests: dict[tuple, list[tuple]] = defaultdict(list)
    for key in truth:
        tests[key[:5]].append(key)
    hidden_tests = shown_tests = 0
    for keys in tests.values():
        has_small_cell = any(is_small(truth[key]["observed_users"]) for key in keys)
        hidden_tests += has_small_cell
        shown_tests += not has_small_cell
        for key in keys:
            true_row, row = truth[key], published[key]
            # the status is judged on the true counts and always shown
            assert row["status"] == true_row["status"], key
            assert row["degrees_of_freedom"] == true_row["degrees_of_freedom"], key
            assert row["expected_share"] == true_row["expected_share"], key
            assert_published("srm", key, "observed_users", true_row, row, is_small(true_row["observed_users"]))
            assert_published("srm", key, "total_users", true_row, row, has_small_cell or is_small(true_row["total_users"]))
            assert_published(
                "srm", key, "unexpected_users", true_row, row, has_small_cell or is_small(true_row["unexpected_users"])
            )
            for column in SAMPLE_RATIO_STATISTICS:
                if has_small_cell:
                    assert row[column] is None, (key, column)
                else:
                    assert row[column] == true_row[column], (key, column)
    assert hidden_tests and shown_tests, (hidden_tests, shown_tests)


def test_multi_variant_users(true_project: DbtProject, suppressed_project: DbtProject):
    truth = rows_by_key(true_project, "fct_multi_variant_users", MULTI_VARIANT_KEY)
    published = rows_by_key(suppressed_project, "fct_multi_variant_users", MULTI_VARIANT_KEY)
    assert published.keys() == truth.keys()
    # the variant counts published in the count marts, by first variant and as counted
    variant_counts: dict[tuple, list[int]] = defaultdict(list)
    for model in ("fct_experiment_enrollments", "int_enrollments_counted"):
        for cohort, experiment, wiki, _variant, units in true_project.query(
            f"select cohort, experiment, wiki, variant, count(*) from main.{model} group by all"
        ):
            variant_counts[(cohort, experiment, wiki)].append(units)
    for key, row in published.items():
        true_row = truth[key]
        units_small = is_small(true_row["multi_variant_units"])
        total_small = is_small(true_row["total_units"]) or any(is_small(units) for units in variant_counts[key])
        assert_published("multi_variant", key, "multi_variant_units", true_row, row, units_small)
        assert_published("multi_variant", key, "total_units", true_row, row, total_small)
        if units_small or total_small:
            assert row["multi_variant_share"] is None, key
        else:
            assert row["multi_variant_share"] == true_row["multi_variant_share"], key
        pair_counts = [pair["units"] for pair in json.loads(true_row["variant_pairs"])]
        pairs_small = units_small or any(is_small(count) for count in pair_counts)
        assert_published("multi_variant", key, "variant_pairs", true_row, row, pairs_small)


def test_cross_cohort_conflicts(true_project: DbtProject, suppressed_project: DbtProject):
    key = ("experiment", "wiki", "conflict_type")
    truth = rows_by_key(true_project, "fct_cross_cohort_conflicts", key)
    published = rows_by_key(suppressed_project, "fct_cross_cohort_conflicts", key)
    assert published.keys() == truth.keys() and truth
    page_truth = rows_by_key(true_project, "fct_page_impression_variant_counts", VARIANT_KEY)
    # a variant whose new/existing split is suppressed (the same rule as test_page_impression_counts)
    split_small = {
        (experiment, wiki)
        for (experiment, wiki, _variant), row in page_truth.items()
        if is_small(row["new_account_users"]) or is_small(row["existing_account_users"])
    }
    for row_key, row in published.items():
        true_row = truth[row_key]
        both_suppressed = is_small(true_row["users_in_both_cohorts"]) or row_key[:2] in split_small
        conflicts_suppressed = is_small(true_row["conflicting_users"])
        assert_published("cross_cohort", row_key, "users_in_both_cohorts", true_row, row, both_suppressed)
        assert_published("cross_cohort", row_key, "conflicting_users", true_row, row, conflicts_suppressed)
        if both_suppressed or conflicts_suppressed:
            assert row["conflicting_share"] is None, row_key
        else:
            assert row["conflicting_share"] == true_row["conflicting_share"], row_key


def test_counts_are_never_zero_when_suppression_is_on(suppressed_project: DbtProject):
    """A suppressed count is null, never 0: every published count is at least min_cell_size."""
    for model in (
        "fct_account_creation_variant_counts",
        "fct_page_impression_variant_counts",
        "fct_daily_enrollments",
        "fct_sample_ratio_checks",
        "fct_multi_variant_users",
        "fct_cross_cohort_conflicts",
        "fct_enrollments_outside_daily_series",
    ):
        flags = [
            name
            for (name,) in suppressed_project.query(f"select column_name from (describe main.{model})")
            if name.endswith("_is_suppressed")
        ]
        assert flags, model
        for flag in flags:
            column = flag.removesuffix("_is_suppressed")
            if column == "variant_pairs":
                continue
            below = suppressed_project.query(
                f"select count(*) from main.{model} where {column} < {MIN_CELL_SIZE} or ({column} is null) <> {flag}"
            )
            assert below == [(0,)], (model, column)


def test_min_cell_size_must_be_a_whole_number(suppressed_project: DbtProject):
    completed = suppressed_project.run(
        "compile", "--select", "fct_account_creation_variant_counts", dbt_vars={"min_cell_size": -3}, check=False
    )
    assert completed.returncode != 0
    assert "min_cell_size must be a whole number" in completed.stdout


def test_dates_are_dates(suppressed_project: DbtProject):
    """The contract types survive suppression (a null count keeps its type)."""
    types = dict(
        suppressed_project.query(
            "select column_name, data_type from duckdb_columns() where table_name = 'fct_daily_enrollments'"
        )
    )
    assert types["enrollment_date"] == "DATE" and types["new_users"] == "BIGINT"
    assert types["cumulative_users_is_suppressed"] == "BOOLEAN"
    assert isinstance(suppressed_project.read_table("fct_daily_enrollments", ["enrollment_date"])[0][0], dt.date)
