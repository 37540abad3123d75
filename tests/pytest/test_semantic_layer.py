"""The semantic layer (models/semantic/) answers like the marts.

Runs the MetricFlow CLI, `mf query --metrics ... --group-by ... --csv`, on
the shared `messy` build (conftest.py) and compares its answers with the
marts of the same database:

* account_creation_users, page_impression_users, new_account_users,
  existing_account_users, impression_events by experiment, wiki and variant
  = fct_account_creation_variant_counts / fct_page_impression_variant_counts;
* share_of_users by cohort, experiment, wiki and variant = the variant's
  users / the users of all variants in the count marts;
* multi_variant_rate by cohort, experiment and wiki = fct_multi_variant_users;
* enrolled_users and cumulative_enrolled_users by day, and the cumulative
  by week (its last day) = fct_daily_enrollments.

`mf` runs with the profile's read-only output (DBT_TARGET=duckdb_read_only)
while the test holds another read-only connection open, as a BI tool would.
It reads the semantic manifest at `<project dir>/target/semantic_manifest.json`
(not DBT_TARGET_PATH), so each query runs in a folder of its own holding the
project's dbt_project.yml and profiles.yml and the manifest of the build.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from datasets import assert_built
from dbt_project_runner import REPO_ROOT, WRITE_ARTIFACTS, DbtProject, run_dbt

MF_TIMEOUT_SECONDS = 600
SHARE_TOLERANCE = 1e-12


def mf_executable() -> str:
    """The mf of the running Python's environment, else the one on PATH."""
    candidate = Path(sys.executable).with_name("mf")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("mf")
    if found is None:
        pytest.fail("the MetricFlow CLI `mf` is not installed: pip install -r requirements-dev.txt")
    return found


class MetricFlow:
    """`mf query` against one built DbtProject."""

    def __init__(self, project: DbtProject, directory: Path):
        self.project = project
        self.directory = directory
        (directory / "target").mkdir(parents=True, exist_ok=True)
        for name in ("dbt_project.yml", "profiles.yml"):
            shutil.copy(REPO_ROOT / name, directory / name)
        shutil.copy(project.work_dir / "target" / "semantic_manifest.json", directory / "target")
        self.queries = 0

    def query(self, metrics: list[str], group_by: list[str], *options: str) -> list[dict[str, str]]:
        """Rows of `mf query` as dicts of strings ('' for null)."""
        self.queries += 1
        out = self.directory / f"query_{self.queries}.csv"
        command = [
            mf_executable(),
            "query",
            "--metrics",
            ",".join(metrics),
            "--group-by",
            ",".join(group_by),
            *options,
            "--csv",
            str(out),
            "--quiet",
        ]
        environment = dict(os.environ)
        environment.update(
            {
                "DUCKDB_PATH": str(self.project.duckdb_path),
                "DBT_TARGET": "duckdb_read_only",
                "DBT_PROFILES_DIR": str(self.directory),
                "DBT_PROJECT_DIR": str(self.directory),
                "DBT_LOG_PATH": str(self.directory / "logs"),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            }
        )
        completed = subprocess.run(
            command,
            cwd=self.directory,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=MF_TIMEOUT_SECONDS,
        )
        if completed.returncode != 0 or not out.exists():
            pytest.fail(f"`{' '.join(command)}` exited {completed.returncode}:\n{completed.stdout}")
        with open(out, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def built(messy_project: DbtProject) -> DbtProject:
    """The messy build, with the semantic manifest of `dbt parse` in its target folder."""
    assert_built(messy_project)
    # run_dbt, not messy_project.run: the session build's last_run stays its build's (assert_built reads it)
    run_dbt(["parse"], messy_project.duckdb_path, messy_project.work_dir, messy_project.vars, env=WRITE_ARTIFACTS)
    return messy_project


@pytest.fixture(scope="module")
def metricflow(built: DbtProject, tmp_path_factory: pytest.TempPathFactory):
    """mf on the built database, read-only, while a BI-like reader holds it open."""
    with duckdb.connect(str(built.duckdb_path), read_only=True) as reader:
        yield MetricFlow(built, tmp_path_factory.mktemp("metricflow"))
        assert reader.execute("select count(*) from main.fct_account_creation_variant_counts").fetchall()


def as_int(value: str) -> int | None:
    return None if value == "" else int(float(value))


def test_variant_counts_equal_the_count_marts(built: DbtProject, metricflow: MetricFlow):
    metrics = [
        "account_creation_users",
        "page_impression_users",
        "new_account_users",
        "existing_account_users",
        "impression_events",
    ]
    rows = metricflow.query(metrics, ["enrollment__experiment", "enrollment__wiki", "enrollment__variant"])
    answered = {
        (row["enrollment__experiment"], row["enrollment__wiki"], row["enrollment__variant"]): {
            metric: as_int(row[metric]) for metric in metrics
        }
        for row in rows
    }
    assert len(answered) == len(rows), "one row per experiment, wiki and variant"

    account_creation = {
        (experiment, wiki, variant): users
        for experiment, wiki, variant, users in built.read_table(
            "fct_account_creation_variant_counts", ["experiment", "wiki", "variant", "enrolled_users"]
        )
    }
    page_impression = {
        (row[0], row[1], row[2]): row[3:]
        for row in built.read_table(
            "fct_page_impression_variant_counts",
            [
                "experiment",
                "wiki",
                "variant",
                "enrolled_users",
                "new_account_users",
                "existing_account_users",
                "impression_events",
            ],
        )
    }
    assert account_creation and page_impression
    assert set(answered) == set(account_creation) | set(page_impression)
    for key, values in answered.items():
        # a metric with no row of its cohort is null (MetricFlow) or 0 (sum of zero-filled days)
        assert (values["account_creation_users"] or 0) == account_creation.get(key, 0), key
        enrolled, new, existing, impressions = page_impression.get(key, (0, 0, 0, 0))
        assert (values["page_impression_users"] or 0) == enrolled, key
        assert (values["new_account_users"] or 0) == new, key
        assert (values["existing_account_users"] or 0) == existing, key
        assert (values["impression_events"] or 0) == impressions, key


def test_share_of_users_is_the_variant_over_all_variants(built: DbtProject, metricflow: MetricFlow):
    group_by = ["enrollment__cohort", "enrollment__experiment", "enrollment__wiki", "enrollment__variant"]
    rows = metricflow.query(["enrolled_users", "share_of_users"], group_by)

    users = {}
    for cohort, table in (
        ("account_creation", "fct_account_creation_variant_counts"),
        ("page_impression", "fct_page_impression_variant_counts"),
    ):
        for experiment, wiki, variant, enrolled in built.read_table(
            table, ["experiment", "wiki", "variant", "enrolled_users"]
        ):
            users[(cohort, experiment, wiki, variant)] = enrolled
    test_totals: dict[tuple, int] = defaultdict(int)
    for (cohort, experiment, wiki, _variant), enrolled in users.items():
        test_totals[(cohort, experiment, wiki)] += enrolled

    answered = {tuple(row[column] for column in group_by): row for row in rows}
    # the zero-filled spine gives a variant of one cohort a row of 0 users in the other
    assert {key for key, row in answered.items() if as_int(row["enrolled_users"])} == set(users)
    for key, enrolled in users.items():
        row = answered[key]
        assert as_int(row["enrolled_users"]) == enrolled, key
        assert float(row["share_of_users"]) == pytest.approx(
            enrolled / test_totals[key[:3]], abs=SHARE_TOLERANCE
        ), key
    shares_per_test: dict[tuple, float] = defaultdict(float)
    for key, row in answered.items():
        if row["share_of_users"] != "":
            shares_per_test[key[:3]] += float(row["share_of_users"])
    assert all(total == pytest.approx(1.0, abs=1e-9) for total in shares_per_test.values())


def test_multi_variant_rate_equals_fct_multi_variant_users(built: DbtProject, metricflow: MetricFlow):
    group_by = ["unit__cohort", "unit__experiment", "unit__wiki"]
    rows = metricflow.query(["multi_variant_rate", "multi_variant_units", "all_units"], group_by)
    answered = {tuple(row[column] for column in group_by): row for row in rows}
    expected = {
        (cohort, experiment, wiki): (multi, total, share)
        for cohort, experiment, wiki, multi, total, share in built.read_table(
            "fct_multi_variant_users",
            ["cohort", "experiment", "wiki", "multi_variant_units", "total_units", "multi_variant_share"],
        )
    }
    assert set(answered) == set(expected)
    assert any(multi for multi, _total, _share in expected.values()), "the messy data has multi-variant units"
    for key, (multi, total, share) in expected.items():
        row = answered[key]
        assert as_int(row["multi_variant_units"]) == multi, key
        assert as_int(row["all_units"]) == total, key
        assert float(row["multi_variant_rate"]) == pytest.approx(share, abs=SHARE_TOLERANCE), key


def test_enrollment_over_time_equals_fct_daily_enrollments(built: DbtProject, metricflow: MetricFlow):
    daily = built.read_table(
        "fct_daily_enrollments",
        ["cohort", "experiment", "wiki", "variant", "enrollment_date", "new_users", "cumulative_users"],
    )
    first_day = min(row[4] for row in daily)
    last_day = max(row[4] for row in daily)
    group_by = [
        "metric_time__day",
        "enrollment__cohort",
        "enrollment__experiment",
        "enrollment__wiki",
        "enrollment__variant",
    ]
    rows = metricflow.query(
        ["enrolled_users", "cumulative_enrolled_users"],
        group_by,
        "--start-time",
        first_day.isoformat(),
        "--end-time",
        last_day.isoformat(),
    )
    answered = {}
    for row in rows:
        day = dt.datetime.fromisoformat(row["metric_time__day"]).date()
        series = tuple(row[column] for column in group_by[1:])
        answered[(*series, day)] = row
    checked = 0
    for cohort, experiment, wiki, variant, day, new_users, cumulative_users in daily:
        row = answered.get((cohort, experiment, wiki, variant, day))
        # before a series' first unit MetricFlow may have no row: 0 then
        key = (cohort, experiment, wiki, variant, day)
        assert ((as_int(row["enrolled_users"]) if row else 0) or 0) == new_users, key
        assert ((as_int(row["cumulative_enrolled_users"]) if row else 0) or 0) == cumulative_users, key
        checked += 1
    assert checked == len(daily) > 0

    # by week: the cumulative value of the last day of the week (within the queried range)
    weekly_rows = metricflow.query(
        ["cumulative_enrolled_users"],
        ["metric_time__week", *group_by[1:]],
        "--start-time",
        first_day.isoformat(),
        "--end-time",
        last_day.isoformat(),
    )
    last_of_week: dict[tuple, tuple[dt.date, int]] = {}
    for cohort, experiment, wiki, variant, day, _new_users, cumulative_users in daily:
        week = day - dt.timedelta(days=day.weekday())
        key = (cohort, experiment, wiki, variant, week)
        if key not in last_of_week or last_of_week[key][0] < day:
            last_of_week[key] = (day, cumulative_users)
    weekly = {}
    for row in weekly_rows:
        week = dt.datetime.fromisoformat(row["metric_time__week"]).date()
        weekly[(*(row[column] for column in group_by[1:]), week)] = as_int(row["cumulative_enrolled_users"]) or 0
    weeks_checked = 0
    for key, (day, cumulative_users) in last_of_week.items():
        if day == key[-1] + dt.timedelta(days=6) or day == last_day:
            assert weekly.get(key, 0) == cumulative_users, key
            weeks_checked += 1
    assert weeks_checked > 10


def test_run_metrics_equal_the_experiment_run_marts(built: DbtProject, metricflow: MetricFlow):
    """The experiment-scoped answer: users per variant in each experiment run."""
    rows = metricflow.query(
        ["run_account_creation_users"],
        ["account_creation_run__experiment_run", "account_creation_run__variant"],
    )
    answered = {
        (row["account_creation_run__experiment_run"], row["account_creation_run__variant"]): as_int(
            row["run_account_creation_users"]
        )
        for row in rows
    }
    expected = {
        (run, variant): users
        for run, variant, users in built.read_table(
            "fct_account_creation_run_variant_counts", ["experiment_run", "variant", "enrolled_users"]
        )
    }
    assert expected and answered == expected

    metrics = ["run_page_impression_users", "run_new_account_users", "run_existing_account_users"]
    rows = metricflow.query(metrics, ["page_impression_run__experiment_run", "page_impression_run__variant"])
    answered = {
        (row["page_impression_run__experiment_run"], row["page_impression_run__variant"]): tuple(
            as_int(row[metric]) for metric in metrics
        )
        for row in rows
    }
    expected = {
        (row[0], row[1]): tuple(row[2:])
        for row in built.read_table(
            "fct_page_impression_run_variant_counts",
            ["experiment_run", "variant", "enrolled_users", "new_account_users", "existing_account_users"],
        )
    }
    assert expected and answered == expected
