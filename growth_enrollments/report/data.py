"""Reading the public marts of a built database into a ReportData.

Counts suppressed by the dbt var `min_cell_size` (null, with a
`<count>_is_suppressed` flag) read as a suppressed Count, never as 0.
Columns are read by name and a missing flag column means "not suppressed",
so a database built before suppression existed reads too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence

import duckdb

COHORTS = ("account_creation", "page_impression")
COHORT_LABELS = {"account_creation": "Account creation", "page_impression": "Page impression"}
SUPPRESSED = "suppressed"


class Count:
    """A published count: an int, or suppressed (null in the mart)."""

    __slots__ = ("value", "is_suppressed")

    def __init__(self, value: int | None, is_suppressed: bool = False):
        self.is_suppressed = bool(is_suppressed) or value is None
        self.value = None if self.is_suppressed else int(value)

    def html(self) -> str:
        if self.is_suppressed:
            return f'<span class="suppressed" data-suppressed="true">{SUPPRESSED}</span>'
        return f"{self.value:,}"

    def attribute(self) -> str:
        return SUPPRESSED if self.is_suppressed else str(self.value)


def add_counts(counts: Iterable[Count]) -> Count:
    """The sum, suppressed when any part is (a total of the published parts would mislead)."""
    total = 0
    for count in counts:
        if count.is_suppressed:
            return Count(None, True)
        total += count.value
    return Count(total)


class Mart:
    """Reads a mart by column name; a column it lacks reads as its default."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, table: str):
        self.connection = connection
        self.table = table
        rows = connection.execute(
            "select column_name from information_schema.columns where table_schema = 'main' and table_name = ?",
            [table],
        ).fetchall()
        self.columns = {name for (name,) in rows}
        if not self.columns:
            raise SystemExit(f"{table} is not in the database: run `dbt build` first")

    def rows(self, columns: Sequence[str], where: str = "", order_by: str = "") -> list[dict]:
        selected = ", ".join(f'"{column}"' if column in self.columns else f'null as "{column}"' for column in columns)
        sql = f'select {selected} from main."{self.table}"'
        if where:
            sql += f" where {where}"
        if order_by:
            sql += f" order by {order_by}"
        return [dict(zip(columns, row)) for row in self.connection.execute(sql).fetchall()]

    def count_columns(self, *counts: str) -> list[str]:
        """The count columns and their suppression flags."""
        return [name for count in counts for name in (count, f"{count}_is_suppressed")]


def published(row: dict, column: str) -> Count:
    return Count(row[column], bool(row.get(f"{column}_is_suppressed")))


@dataclasses.dataclass
class ReportData:
    database: str
    built_at: dt.datetime | None
    account_creation: dict  # (experiment, wiki, variant) -> Count
    page_impression: dict  # (experiment, wiki, variant) -> {column: Count}
    daily: dict  # (experiment, wiki) -> {cohort: {variant: [(date, Count)]}}
    sample_ratio: list  # rows of fct_sample_ratio_checks
    rejected: dict  # reason -> int, in the order rule 1 tries the reasons
    runs: dict  # experiment-run count mart -> [{column: Count}]
    outside: list  # Count per row of fct_enrollments_outside_allocations
    conflicts: list  # rows of fct_cross_cohort_conflicts, counts as Count
    source_conflicts: list  # rows of fct_assignment_source_conflicts, counts as Count


def load(database: str) -> ReportData:
    connection = duckdb.connect(database, read_only=True)
    try:
        creation_mart = Mart(connection, "fct_account_creation_variant_counts")
        account_creation = {
            (row["experiment"], row["wiki"], row["variant"]): published(row, "enrolled_users")
            for row in creation_mart.rows(["experiment", "wiki", "variant", *creation_mart.count_columns("enrolled_users")])
        }
        page_mart = Mart(connection, "fct_page_impression_variant_counts")
        page_counts = ("enrolled_users", "new_account_users", "existing_account_users", "impression_events")
        page_impression = {
            (row["experiment"], row["wiki"], row["variant"]): {column: published(row, column) for column in page_counts}
            for row in page_mart.rows(["experiment", "wiki", "variant", *page_mart.count_columns(*page_counts)])
        }
        runs = {}
        for model, counts in (
            ("fct_account_creation_run_variant_counts", ("enrolled_users",)),
            ("fct_page_impression_run_variant_counts", ("enrolled_users", "new_account_users")),
        ):
            run_mart = Mart(connection, model)
            runs[model] = [
                {column: published(row, column) for column in counts}
                for row in run_mart.rows(["experiment", *run_mart.count_columns(*counts)])
            ]
        outside_mart = Mart(connection, "fct_enrollments_outside_allocations")
        outside = [
            published(row, "enrolled_users")
            for row in outside_mart.rows(["cohort", *outside_mart.count_columns("enrolled_users")])
        ]
        daily_mart = Mart(connection, "fct_daily_enrollments")
        daily: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
        for row in daily_mart.rows(
            ["cohort", "experiment", "wiki", "variant", "enrollment_date", *daily_mart.count_columns("cumulative_users")],
            order_by="experiment, wiki, cohort, variant, enrollment_date",
        ):
            daily[(row["experiment"], row["wiki"])][row["cohort"]][row["variant"]].append(
                (row["enrollment_date"], published(row, "cumulative_users"))
            )
        srm_mart = Mart(connection, "fct_sample_ratio_checks")
        sample_ratio = srm_mart.rows(
            [
                "cohort",
                "experiment",
                "wiki",
                "valid_from",
                "valid_to",
                "variant",
                "is_configured",
                "expected_share",
                "observed_share",
                "observed_share_wilson_lower",
                "observed_share_wilson_upper",
                "interval_confidence",
                "test_method",
                "p_value",
                "is_srm",
                "has_unexpected_variants",
                "status",
                *srm_mart.count_columns("observed_users", "total_users"),
            ],
            order_by="experiment, wiki, cohort, valid_from nulls first, is_configured desc, variant",
        )
        conflict_mart = Mart(connection, "fct_cross_cohort_conflicts")
        conflict_counts = ("users_in_both_cohorts", "conflicting_users")
        conflicts = [
            {
                **{key: row[key] for key in ("experiment", "wiki", "conflict_type", "conflicting_share")},
                **{column: published(row, column) for column in conflict_counts},
            }
            for row in conflict_mart.rows(
                ["experiment", "wiki", "conflict_type", "conflicting_share", *conflict_mart.count_columns(*conflict_counts)],
                order_by="conflict_type desc, experiment, wiki",
            )
        ]
        source_mart = Mart(connection, "fct_assignment_source_conflicts")
        source_counts = ("enrolled_users", "conflicting_users")
        source_conflicts = [
            {
                **{key: row[key] for key in ("cohort", "experiment", "wiki", "conflict_type", "conflicting_share")},
                **{column: published(row, column) for column in source_counts},
            }
            for row in source_mart.rows(
                [
                    "cohort",
                    "experiment",
                    "wiki",
                    "conflict_type",
                    "conflicting_share",
                    *source_mart.count_columns(*source_counts),
                ],
                order_by="conflict_type desc, experiment, wiki, cohort",
            )
        ]
        Mart(connection, "fct_rejected_events")  # fails clearly when missing
        Mart(connection, "rejection_reasons")  # the seed: the order rule 1 tries the reasons in
        rejected = dict(  # in that order (a dict keeps it)
            connection.execute(
                'select rejected.reason, count(*) from main."fct_rejected_events" as rejected '
                'left join main."rejection_reasons" as reasons on rejected.reason = reasons.reason '
                "group by rejected.reason, reasons.rule_order order by reasons.rule_order nulls last, rejected.reason"
            ).fetchall()
        )
    finally:
        connection.close()
    try:
        built_at = dt.datetime.fromtimestamp(os.path.getmtime(database), tz=dt.UTC)
    except OSError:
        built_at = None
    return ReportData(
        database=os.path.abspath(database),
        built_at=built_at,
        account_creation=account_creation,
        page_impression=page_impression,
        daily={key: {cohort: dict(series) for cohort, series in value.items()} for key, value in daily.items()},
        sample_ratio=sample_ratio,
        rejected=rejected,
        runs=runs,
        outside=outside,
        conflicts=conflicts,
        source_conflicts=source_conflicts,
    )
