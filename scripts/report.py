"""Writes a self-contained HTML report of a built database.

    python scripts/report.py --out report.html [--database path/to/file.duckdb]

The database defaults to $DUCKDB_PATH, else growth_enrollments.duckdb (the
profile's default). It is opened read-only. The page has inline CSS and
inline SVG charts only: no script, font, image or stylesheet is fetched, so
it opens offline and can be mailed as one file.

What it shows, from the public marts:

* headline counts of the experiment runs (the allocation windows: the
  experiment-run count marts), the users outside every allocation, and the
  status of every sample ratio test;
* per experiment and wiki, cumulative users per variant over time, one
  chart per cohort (fct_daily_enrollments), beside the users per variant at
  account creation and at page impression (the count marts);
* the sample ratio checks (fct_sample_ratio_checks), status as colour and text;
* new vs existing accounts in the page-impression cohort
  (fct_page_impression_variant_counts);
* rejected lines by reason (fct_rejected_events).

Counts suppressed by the dbt var `min_cell_size` (null, with a
`<count>_is_suppressed` flag) show as "suppressed", never as 0; a chart
leaves suppressed days out and says so. Columns are read by name and a
missing flag column means "not suppressed", so the report also reads a
database built before suppression existed.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import html
import math
import os
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb

COHORTS = ("account_creation", "page_impression")
COHORT_LABELS = {"account_creation": "Account creation", "page_impression": "Page impression"}
# the order in which the rules reject a line (docs/rules.md)
REJECTION_REASONS = (
    "malformed_json",
    "canary",
    "not_enrollment_action",
    "unknown_action_source",
    "missing_user_id",
    "unresolved_wiki",
    "missing_assignment",
    "missing_timestamp",
)
STATUS_STYLE = {
    # status: (css class, label, what it means)
    "ok": ("ok", "ok", "split consistent with the allocation"),
    "srm": ("srm", "SRM", "sample ratio mismatch: do not compare the variants"),
    "insufficient_data": ("insufficient", "insufficient data", "too few users to judge"),
    "unexpected_variants": ("unexpected", "unexpected variants", "users in a variant the allocation does not list"),
}
STATUS_ORDER = ("srm", "unexpected_variants", "insufficient_data", "ok")
# Okabe-Ito: distinguishable with the common colour-vision deficiencies
VARIANT_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F", "#F0E442")
SUPPRESSED = "suppressed"


# ---------------------------------------------------------------- reading


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
    rejected: dict  # reason -> int
    runs: dict  # experiment-run count mart -> [{column: Count}]
    outside: list  # Count per row of fct_enrollments_outside_allocations
    conflicts: list  # rows of fct_cross_cohort_conflicts, counts as Count


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
        Mart(connection, "fct_rejected_events")  # fails clearly when missing
        rejected = dict(
            connection.execute('select reason, count(*) from main."fct_rejected_events" group by reason').fetchall()
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
    )


# ---------------------------------------------------------------- drawing


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def nice_step(maximum: float, ticks: int = 4) -> float:
    """A 1-2-5 step giving about `ticks` intervals up to `maximum`."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return max(1, factor * magnitude)
    return 10 * magnitude


def variant_colours(users_by_variant: dict[str, int]) -> dict[str, str]:
    """One colour per variant name for the whole report: `control` first, then by users."""
    ordered = sorted(users_by_variant, key=lambda name: (name != "control", -users_by_variant[name], name))
    return {name: VARIANT_COLOURS[index % len(VARIANT_COLOURS)] for index, name in enumerate(ordered)}


def cumulative_chart(
    experiment: str,
    wiki: str,
    cohort: str,
    series: dict[str, list[tuple[dt.date, Count]]],
    first_day: dt.date,
    last_day: dt.date,
    colours: dict[str, str],
) -> str:
    """An SVG line chart of cumulative users per variant; suppressed days are gaps."""
    width, height = 460, 210
    left, right, top, bottom = 44, 12, 12, 28
    plot_width, plot_height = width - left - right, height - top - bottom
    values = [count.value for points in series.values() for _day, count in points if not count.is_suppressed]
    step = nice_step(max(values, default=0))
    y_max = max(step, math.ceil(max(values, default=0) / step) * step)
    days = max(1, (last_day - first_day).days)

    def x(day: dt.date) -> float:
        return left + plot_width * (day - first_day).days / days

    def y(value: float) -> float:
        return top + plot_height * (1 - value / y_max)

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'data-chart="cumulative" data-experiment="{esc(experiment)}" data-wiki="{esc(wiki)}" data-cohort="{esc(cohort)}" '
        f'aria-label="{esc(COHORT_LABELS.get(cohort, cohort))}: cumulative users per variant, {esc(wiki)}">'
    ]
    if not values and any(count.is_suppressed for points in series.values() for _day, count in points):
        parts.append(
            f'<rect class="suppressed-bar" x="{left}" y="{top}" width="{plot_width}" height="{plot_height}"/>'
            f'<text class="bar-label" x="{left + plot_width / 2}" y="{top + plot_height / 2}" text-anchor="middle">'
            "every day suppressed (min_cell_size)</text></svg>"
        )
        return "".join(parts)
    tick = 0.0
    while tick <= y_max + 1e-9:
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{int(tick):,}</text>'
        )
        tick += step
    date_ticks = sorted({first_day + dt.timedelta(days=round(days * share)) for share in (0, 0.5, 1)})
    for position, day in enumerate(date_ticks):
        anchor = "start" if position == 0 else "end" if day == last_day else "middle"
        parts.append(
            f'<text class="tick" x="{x(day):.1f}" y="{height - 8}" text-anchor="{anchor}">{day.isoformat()}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>'
    )
    suppressed_days = 0
    for variant in sorted(series, key=lambda name: (name != "control", name)):
        points = series[variant]
        segments, current = [], []
        for day, count in points:
            if count.is_suppressed:
                suppressed_days += 1
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((day, count.value))
        if current:
            segments.append(current)
        drawn = sum(len(segment) for segment in segments)
        path = " ".join(
            "M" + " L".join(f"{x(day):.1f},{y(value):.1f}" for day, value in segment) for segment in segments
        )
        last = points[-1][1] if points else Count(None, True)
        parts.append(
            f'<path class="series" d="{path}" stroke="{colours[variant]}" data-variant="{esc(variant)}" '
            f'data-points="{drawn}" data-last="{last.attribute()}"><title>{esc(variant)}: '
            f"{esc(last.attribute())} users by {points[-1][0].isoformat() if points else ''}</title></path>"
        )
        for segment in segments:
            if len(segment) == 1:  # a lone day between suppressed ones: a dot, not an invisible path
                day, value = segment[0]
                parts.append(
                    f'<circle cx="{x(day):.1f}" cy="{y(value):.1f}" r="2.5" fill="{colours[variant]}"/>'
                )
    parts.append("</svg>")
    note = (
        f'<p class="note">{suppressed_days} suppressed days left out of the lines.</p>' if suppressed_days else ""
    )
    return "".join(parts) + note


def stacked_bar(parts: Sequence[tuple[str, Count, str]], maximum: int, width: int = 260) -> str:
    """A one-row SVG bar of (label, count, colour) parts, scaled to `maximum`."""
    height = 18
    if any(count.is_suppressed for _label, count, _colour in parts):
        return (
            f'<svg class="bar" width="{width}" height="{height}" data-chart="accounts" data-suppressed="true">'
            f'<rect class="suppressed-bar" x="0" y="2" width="{width}" height="{height - 4}"/>'
            f'<text class="bar-label" x="6" y="13">suppressed</text></svg>'
        )
    scale = width / max(1, maximum)
    offset = 0.0
    shapes = []
    for label, count, colour in parts:
        bar_width = count.value * scale
        shapes.append(
            f'<rect x="{offset:.1f}" y="2" width="{bar_width:.1f}" height="{height - 4}" fill="{colour}" '
            f'data-part="{esc(label)}" data-value="{count.value}"><title>{esc(label)}: {count.value:,}</title></rect>'
        )
        offset += bar_width
    return f'<svg class="bar" width="{width}" height="{height}" data-chart="accounts">{"".join(shapes)}</svg>'


def status_badge(status: str) -> str:
    css, label, meaning = STATUS_STYLE.get(status, ("unknown", status, ""))
    return f'<span class="status {css}" data-status="{esc(status)}" title="{esc(meaning)}">{esc(label)}</span>'


def window_label(valid_from: dt.date | None, valid_to: dt.date | None) -> str:
    """' 2025-02-18 to 2025-06-24' for a window with an end, '' for one open at both ends."""
    if valid_from is None and valid_to is None:
        return ""
    return f" {valid_from or '…'} to {valid_to or '…'}"


def window_cell(valid_from: dt.date | None, valid_to: dt.date | None) -> str:
    if valid_from is None and valid_to is None:
        return "any date"
    return f"{esc(valid_from or '…')} to {esc(valid_to or '…')}"


def share(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


# ---------------------------------------------------------------- page


CSS = """
:root { --ink: #1d2733; --muted: #5b6876; --line: #d8dee6; --panel: #f6f8fa;
  --ok: #1a7f37; --srm: #c62828; --insufficient: #6e7781; --unexpected: #8250df; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--ink); background: #fff; }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; }
h3 { font-size: 15px; margin: 0 0 6px; }
main { padding: 0 32px 32px; max-width: 1320px; }
.meta, .note { color: var(--muted); font-size: 12px; margin: 2px 0; }
.headline { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 4px; }
.figure { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px;
  min-width: 170px; }
.figure .value { font-size: 24px; font-weight: 600; display: block; }
.figure .label { color: var(--muted); font-size: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 14px 16px; margin: 12px 0; }
.card-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 16px; margin-bottom: 8px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 24px; }
.chart-box h4 { font-size: 13px; margin: 0 0 2px; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; margin: 4px 0 6px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px;
  vertical-align: -1px; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg .grid { stroke: #eef1f4; stroke-width: 1; }
svg .axis { stroke: #9aa5b1; stroke-width: 1; }
svg .tick { fill: var(--muted); font-size: 10px; }
svg .series { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
svg .suppressed-bar { fill: #eef1f4; stroke: #c9d1d9; stroke-dasharray: 3 2; }
svg .bar-label { fill: var(--muted); font-size: 11px; font-style: italic; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
th, td { text-align: left; padding: 4px 8px 4px 0; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.suppressed { color: var(--muted); font-style: italic; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
  color: #fff; white-space: nowrap; }
.status.ok { background: var(--ok); }
.status.srm { background: var(--srm); }
.status.insufficient { background: var(--insufficient); }
.status.unexpected { background: var(--unexpected); }
.status::before { margin-right: 4px; }
.status.ok::before { content: "\\2713"; }
.status.srm::before { content: "\\26A0"; }
.status.unexpected::before { content: "?"; }
tbody.srm-test td { background: #fdecea; }
table.srm tbody { border-top: 2px solid var(--line); }
td { white-space: nowrap; }
td.window { line-height: 1.2; }
.table-wrap { overflow-x: auto; }
td .note { margin: 0; }
.status-counts { display: flex; gap: 8px; flex-wrap: wrap; margin: 6px 0; }
"""


def section_headline(data: ReportData) -> str:
    # the experiment runs (allocation windows), never mixed with users outside them
    creation_runs = data.runs["fct_account_creation_run_variant_counts"]
    impression_runs = data.runs["fct_page_impression_run_variant_counts"]
    creation_total = add_counts(row["enrolled_users"] for row in creation_runs)
    impression_total = add_counts(row["enrolled_users"] for row in impression_runs)
    new_total = add_counts(row["new_account_users"] for row in impression_runs)
    outside_total = add_counts(data.outside)
    tests = {
        (row["cohort"], row["experiment"], row["wiki"], row["valid_from"], row["valid_to"]): row["status"]
        for row in data.sample_ratio
    }
    status_counts = defaultdict(int)
    for status in tests.values():
        status_counts[status] += 1
    # an SRM counts by its p-value (is_srm), whatever else is wrong with the test
    srm_tests = {
        (row["cohort"], row["experiment"], row["wiki"], row["valid_from"], row["valid_to"])
        for row in data.sample_ratio
        if row["is_srm"] or (row["is_srm"] is None and row["status"] == "srm")
    }
    figures = [
        ("account_creation_users", creation_total, "users enrolled at account creation in experiment runs"),
        ("page_impression_users", impression_total, "users enrolled at page impression in experiment runs"),
        ("new_account_users", new_total, "of those, new accounts"),
        ("outside_users", outside_total, "users outside every allocation (not in the runs)"),
        ("rejected_lines", Count(sum(data.rejected.values())), "raw lines rejected"),
        ("srm_tests", Count(len(srm_tests)), f"of {len(tests)} sample ratio tests with SRM"),
    ]
    parts = ['<section id="summary"><div class="headline">']
    for metric, count, label in figures:
        parts.append(
            f'<div class="figure" data-metric="{metric}" data-value="{count.attribute()}">'
            f'<span class="value">{count.html()}</span><span class="label">{esc(label)}</span></div>'
        )
    parts.append("</div>")
    if any(count.is_suppressed for _metric, count, _label in figures[:4]):
        parts.append('<p class="note">A total is shown as suppressed when one of its cells is.</p>')
    parts.append('<div class="status-counts">')
    for status in STATUS_ORDER:
        if status_counts.get(status):
            parts.append(f"{status_badge(status)} <span>{status_counts[status]} tests</span>")
    parts.append("</div></section>")
    return "".join(parts)


def section_experiments(data: ReportData, colours: dict[str, str]) -> str:
    keys = sorted(
        set(data.daily) | {key[:2] for key in data.account_creation} | {key[:2] for key in data.page_impression}
    )
    statuses = defaultdict(dict)
    for row in data.sample_ratio:
        statuses[(row["experiment"], row["wiki"])][(row["cohort"], row["valid_from"], row["valid_to"])] = row["status"]
    parts = [
        '<section id="experiments"><h2>Enrollment per experiment and wiki</h2>'
        '<p class="meta">All time, whatever the allocation windows: cumulative users per variant by UTC day '
        "of their first enrollment (fct_daily_enrollments), and the users per variant (the all-time count "
        "marts). The headline counts the experiment runs only.</p>"
    ]
    for experiment, wiki in keys:
        cohorts = data.daily.get((experiment, wiki), {})
        days = [day for series in cohorts.values() for points in series.values() for day, _count in points]
        badges = " ".join(
            f'<span class="meta">{esc(COHORT_LABELS.get(cohort, cohort))}{esc(window_label(valid_from, valid_to))}:</span> '
            f"{status_badge(status)}"
            for (cohort, valid_from, valid_to), status in sorted(
                statuses.get((experiment, wiki), {}).items(), key=lambda item: (item[0][0], str(item[0][1]))
            )
        )
        if not badges:
            badges = '<span class="meta">no allocation configured: no SRM test</span>'
        parts.append(
            f'<article class="card" data-experiment="{esc(experiment)}" data-wiki="{esc(wiki)}">'
            f'<div class="card-head"><h3>{esc(wiki)} · {esc(experiment)}</h3>{badges}</div>'
            '<div class="charts">'
        )
        for cohort in COHORTS:
            series = cohorts.get(cohort)
            parts.append(f'<div class="chart-box"><h4>{COHORT_LABELS[cohort]}</h4>')
            if not series:
                parts.append('<p class="note">No users in this cohort.</p></div>')
                continue
            legend = []
            for variant in sorted(series, key=lambda name: (name != "control", name)):
                if cohort == "account_creation":
                    users = data.account_creation.get((experiment, wiki, variant), Count(0))
                else:
                    users = data.page_impression.get((experiment, wiki, variant), {}).get("enrolled_users", Count(0))
                legend.append(
                    f'<span data-variant="{esc(variant)}" data-users="{users.attribute()}">'
                    f'<span class="swatch" style="background:{colours[variant]}"></span>{esc(variant)}: '
                    f"<strong>{users.html()}</strong></span>"
                )
            parts.append(f'<div class="legend">{"".join(legend)}</div>')
            parts.append(cumulative_chart(experiment, wiki, cohort, series, min(days), max(days), colours))
            parts.append("</div>")
        parts.append("</div></article>")
    parts.append("</section>")
    return "".join(parts)


def interval_verdict(row: dict) -> tuple[str, str]:
    """(data attribute, words) of where the expected share lies against the interval."""
    lower, upper, expected = row["observed_share_wilson_lower"], row["observed_share_wilson_upper"], row["expected_share"]
    if lower is None or expected is None:
        return "", ""
    if expected < lower:
        return "above", "more users than expected"
    if expected > upper:
        return "below", "fewer users than expected"
    return "within", "as expected"


def confidence_label(row: dict) -> str:
    confidence = row.get("interval_confidence")
    return f"{100 * confidence:g}%" if confidence is not None else "95%"


METHOD_LABELS = {
    "exact_binomial": "exact binomial",
    "chi_square": "chi-square",
    "chi_square_small_expected": "chi-square, expected count below 5",
}


def section_sample_ratio(data: ReportData) -> str:
    threshold = next(
        (1 - row["interval_confidence"] for row in data.sample_ratio if row.get("interval_confidence") is not None),
        None,
    )
    threshold_text = f"{threshold:g}" if threshold is not None else "srm_p_threshold"
    level = confidence_label(data.sample_ratio[0]) if data.sample_ratio else "99.9%"
    parts = [
        '<section id="sample-ratio"><h2>Sample ratio checks</h2>'
        '<p class="meta">One test per cohort, experiment, wiki and allocation window '
        "(fct_sample_ratio_checks): the exact binomial test when two variants have an expected count below 5, "
        f"else chi-square. A test is an SRM when its p-value is below {esc(threshold_text)}, whatever else is wrong. "
        "For each variant: <em>observed</em> is its share of the test&rsquo;s users, <em>expected</em> the "
        f"allocation&rsquo;s share, and the {esc(level)} interval the range of true shares consistent with the "
        f"users seen, at the same threshold ({esc(threshold_text)}). When the expected share lies outside it, the "
        "variant got more or fewer users than the allocation predicts. With two variants the shares add up to "
        "100%, so one drift shows on both rows. docs/experiment-health.md, &ldquo;Reading a status&rdquo;.</p>"
    ]
    if not data.sample_ratio:
        parts.append('<p class="note">No experiment has a configured allocation.</p></section>')
        return "".join(parts)
    tests: dict[tuple, list[dict]] = defaultdict(list)
    for row in data.sample_ratio:
        tests[(row["cohort"], row["experiment"], row["wiki"], row["valid_from"], row["valid_to"])].append(row)
    order = {status: index for index, status in enumerate(STATUS_ORDER)}
    parts.append(
        "<div class='table-wrap'><table class='srm'><thead><tr><th>status</th><th>experiment, window</th><th>wiki</th><th>cohort</th>"
        '<th class="num">test users</th><th class="num">p-value</th><th>variant</th><th class="num">users</th>'
        '<th class="num">observed share</th><th class="num">expected share</th>'
        f'<th class="num">{esc(level)} interval of the share</th><th>expected share vs interval</th></tr></thead>'
    )
    for key in sorted(tests, key=lambda key: (order.get(tests[key][0]["status"], len(order)), key[1], key[2], key[0], str(key[3]))):
        rows = tests[key]
        cohort, experiment, wiki, valid_from, valid_to = key
        status = rows[0]["status"]
        total = published(rows[0], "total_users")
        p_value = rows[0]["p_value"]
        if p_value is not None:
            p_text = f"{p_value:.2g}" if p_value < 0.001 else f"{p_value:.3f}"
            method = METHOD_LABELS.get(rows[0].get("test_method") or "", "")
            if method:
                p_text += f'<br><span class="note">{esc(method)}</span>'
        else:
            p_text = f'<span class="suppressed">{SUPPRESSED}</span>' if total.is_suppressed else "—"
        status_cell = status_badge(status)
        if status == "srm" and rows[0].get("has_unexpected_variants"):
            status_cell += '<br><span class="note">and unexpected variants</span>'
        span = f' rowspan="{len(rows)}"'
        parts.append(
            f'<tbody class="{"srm-test" if status == "srm" else ""}" data-status="{esc(status)}" '
            f'data-cohort="{esc(cohort)}" data-experiment="{esc(experiment)}" data-wiki="{esc(wiki)}" '
            f'data-valid-from="{esc(valid_from)}" data-valid-to="{esc(valid_to)}">'
        )
        for index, row in enumerate(rows):
            observed = published(row, "observed_users")
            if row["observed_share_wilson_lower"] is not None:
                interval = f"{share(row['observed_share_wilson_lower'])} – {share(row['observed_share_wilson_upper'])}"
            else:
                interval = f'<span class="suppressed">{SUPPRESSED}</span>' if total.is_suppressed else ""
            observed_share = share(row["observed_share"]) or (
                f'<span class="suppressed">{SUPPRESSED}</span>' if total.is_suppressed else ""
            )
            verdict, verdict_text = interval_verdict(row)
            variant = esc(row["variant"])
            if row["is_configured"] is False:
                variant += '<br><span class="note">not in the allocation</span>'
            test_cells = (
                f"<td{span}>{status_cell}</td>"
                f'<td{span} class="window">{esc(experiment)}<br><span class="note">{window_cell(valid_from, valid_to)}</span></td>'
                f"<td{span}>{esc(wiki)}</td><td{span}>{esc(cohort)}</td>"
                f'<td class="num"{span} data-users="{total.attribute()}">{total.html()}</td><td class="num"{span}>{p_text}</td>'
                if index == 0
                else ""
            )
            parts.append(
                f'<tr data-variant="{esc(row["variant"])}" data-interval="{verdict}">{test_cells}<td>{variant}</td>'
                f'<td class="num" data-users="{observed.attribute()}">{observed.html()}</td>'
                f'<td class="num">{observed_share}</td><td class="num">{share(row["expected_share"])}</td>'
                f'<td class="num">{interval}</td><td>{esc(verdict_text)}</td></tr>'
            )
        parts.append("</tbody>")
    parts.append("</table></div></section>")
    return "".join(parts)


def section_accounts(data: ReportData) -> str:
    parts = [
        '<section id="accounts"><h2>New and existing accounts at page impression</h2>'
        '<p class="meta">Users enrolled at page impression, split into accounts also enrolled at account creation '
        "in the same experiment and wiki (new) and the rest (existing): fct_page_impression_variant_counts.</p>"
        '<div class="legend"><span><span class="swatch" style="background:#0072B2"></span>new accounts</span>'
        '<span><span class="swatch" style="background:#B9C6D3"></span>existing accounts</span></div>'
    ]
    if not data.page_impression:
        parts.append('<p class="note">No users enrolled at page impression.</p></section>')
        return "".join(parts)
    maximum = max(
        (row["enrolled_users"].value for row in data.page_impression.values() if not row["enrolled_users"].is_suppressed),
        default=1,
    )
    parts.append(
        "<table><thead><tr><th>experiment</th><th>wiki</th><th>variant</th><th></th>"
        '<th class="num">users</th><th class="num">new</th><th class="num">existing</th>'
        '<th class="num">impression events</th></tr></thead><tbody>'
    )
    for (experiment, wiki, variant), row in sorted(data.page_impression.items()):
        bar = stacked_bar(
            [("new accounts", row["new_account_users"], "#0072B2"), ("existing accounts", row["existing_account_users"], "#B9C6D3")],
            maximum,
        )
        parts.append(
            f'<tr data-experiment="{esc(experiment)}" data-wiki="{esc(wiki)}" data-variant="{esc(variant)}">'
            f"<td>{esc(experiment)}</td><td>{esc(wiki)}</td><td>{esc(variant)}</td><td>{bar}</td>"
            f'<td class="num" data-count="enrolled_users">{row["enrolled_users"].html()}</td>'
            f'<td class="num" data-count="new_account_users">{row["new_account_users"].html()}</td>'
            f'<td class="num" data-count="existing_account_users">{row["existing_account_users"].html()}</td>'
            f'<td class="num" data-count="impression_events">{row["impression_events"].html()}</td></tr>'
        )
    parts.append("</tbody></table></section>")
    return "".join(parts)


CONFLICT_LABELS = {
    "variant_differs": "page-impression variant differs from the account-creation variant",
    "impression_before_creation": "first page impression before the account's creation",
}


def section_conflicts(data: ReportData) -> str:
    parts = [
        '<section id="conflicts"><h2>Conflicts between cohorts</h2>'
        '<p class="meta">Users enrolled in both cohorts of an experiment and wiki whose two enrollments disagree: '
        "a different variant (the user counts under one variant at account creation and another at page "
        "impression), or a first page impression earlier than the account's creation (still counted as a new "
        "account). Every unit, whatever the multi-variant policy: fct_cross_cohort_conflicts; the warnings "
        "assert_no_cross_cohort_variant_conflicts and assert_no_impressions_before_account_creation list them.</p>"
    ]
    if not data.conflicts:
        parts.append('<p class="note">No user is enrolled in both cohorts.</p></section>')
        return "".join(parts)
    parts.append(
        "<table><thead><tr><th>conflict</th><th>experiment</th><th>wiki</th>"
        '<th class="num">users in both cohorts</th><th class="num">conflicting users</th>'
        '<th class="num">share</th></tr></thead><tbody>'
    )
    for row in data.conflicts:
        conflict_type = row["conflict_type"]
        parts.append(
            f'<tr data-conflict="{esc(conflict_type)}" data-experiment="{esc(row["experiment"])}" '
            f'data-conflict-wiki="{esc(row["wiki"])}">'
            f"<td>{esc(CONFLICT_LABELS.get(conflict_type, conflict_type))}</td>"
            f'<td>{esc(row["experiment"])}</td><td>{esc(row["wiki"])}</td>'
            f'<td class="num" data-count="users_in_both_cohorts">{row["users_in_both_cohorts"].html()}</td>'
            f'<td class="num" data-count="conflicting_users">{row["conflicting_users"].html()}</td>'
            f'<td class="num">{share(row["conflicting_share"])}</td></tr>'
        )
    parts.append("</tbody></table></section>")
    return "".join(parts)


def section_rejected(data: ReportData) -> str:
    reasons = [reason for reason in REJECTION_REASONS if reason in data.rejected]
    reasons += sorted(reason for reason in data.rejected if reason not in REJECTION_REASONS)
    parts = [
        '<section id="rejected"><h2>Rejected lines by reason</h2>'
        '<p class="meta">Raw lines not accepted, by the first rule they broke (fct_rejected_events). '
        "Counts of lines, not of users.</p>"
    ]
    if not reasons:
        parts.append('<p class="note">No line was rejected.</p></section>')
        return "".join(parts)
    maximum = max(data.rejected.values())
    bar_width, row_height, label_width = 300, 22, 170
    height = row_height * len(reasons) + 4
    svg = [
        f'<svg class="chart" data-chart="rejected" viewBox="0 0 {label_width + bar_width + 70} {height}" '
        f'width="{label_width + bar_width + 70}" height="{height}" role="img" aria-label="Rejected lines by reason">'
    ]
    for index, reason in enumerate(reasons):
        lines = data.rejected[reason]
        y = index * row_height + 2
        width = max(1.0, bar_width * lines / maximum)
        svg.append(
            f'<text class="tick" x="{label_width - 8}" y="{y + 14}" text-anchor="end" style="font-size:12px">{esc(reason)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row_height - 8}" fill="#D55E00" '
            f'data-reason="{esc(reason)}" data-value="{lines}"><title>{esc(reason)}: {lines:,}</title></rect>'
            f'<text class="tick" x="{label_width + width + 6:.1f}" y="{y + 14}" style="font-size:12px">{lines:,}</text>'
        )
    svg.append("</svg>")
    parts.append("".join(svg))
    parts.append(
        f'<p class="meta" data-metric="rejected_lines_total" data-value="{sum(data.rejected.values())}">'
        f"{sum(data.rejected.values()):,} lines rejected in all.</p></section>"
    )
    return "".join(parts)


def render(data: ReportData) -> str:
    users_by_variant: dict[str, int] = defaultdict(int)
    for cohorts in data.daily.values():
        for series in cohorts.values():
            for variant in series:
                users_by_variant[variant] += 0
    for (_experiment, _wiki, variant), count in data.account_creation.items():
        users_by_variant[variant] += count.value or 0
    for (_experiment, _wiki, variant), counts in data.page_impression.items():
        users_by_variant[variant] += counts["enrolled_users"].value or 0
    colours = variant_colours(users_by_variant)
    built = data.built_at.strftime("%Y-%m-%d %H:%M UTC") if data.built_at else "unknown"
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Experiment enrollment report</title>"
        f"<style>{CSS}</style></head><body>"
        "<header><h1>Experiment enrollment report</h1>"
        f'<p class="meta">Database {esc(data.database)}, last written {built}; report generated {generated}. '
        "Suppressed counts (the dbt var <code>min_cell_size</code>) show as <em>suppressed</em>.</p></header>"
        "<main>"
        + section_headline(data)
        + section_experiments(data, colours)
        + section_sample_ratio(data)
        + section_accounts(data)
        + section_conflicts(data)
        + section_rejected(data)
        + "</main></body></html>\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("DUCKDB_PATH", "growth_enrollments.duckdb"),
        help="the built DuckDB file (default: $DUCKDB_PATH, else growth_enrollments.duckdb)",
    )
    parser.add_argument("--out", default="report.html", help="the HTML file to write (default: report.html)")
    args = parser.parse_args(argv)
    if not Path(args.database).exists():
        parser.error(f"no database at {args.database}: run `dbt build` first (or pass --database)")
    page = render(load(args.database))
    out = Path(args.out)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(page, encoding="utf-8")
    os.replace(temporary, out)
    print(f"Wrote {out.resolve()} ({len(page.encode('utf-8')):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
