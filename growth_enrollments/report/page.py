"""The whole page: its stylesheet, the sections in order, and writing it to a file."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from pathlib import Path

from growth_enrollments.report.charts import variant_colours
from growth_enrollments.report.data import ReportData, load
from growth_enrollments.report.markup import esc
from growth_enrollments.report.sample_ratio import section_sample_ratio
from growth_enrollments.report.sections import (
    section_accounts,
    section_conflicts,
    section_experiments,
    section_headline,
    section_rejected,
    section_source_conflicts,
)

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


def render(data: ReportData) -> str:
    """The whole page, as one HTML string."""
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
        + section_source_conflicts(data)
        + section_rejected(data)
        + "</main></body></html>\n"
    )


def write_report(database: str, out: Path) -> int:
    """Render the report of `database` into `out` (replaced atomically); its size in bytes."""
    page = render(load(database))
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(page, encoding="utf-8")
    os.replace(temporary, out)
    return len(page.encode("utf-8"))
