"""The report's inline SVG charts: cumulative users per variant, and stacked bars."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from growth_enrollments.report.data import COHORT_LABELS, Count
from growth_enrollments.report.markup import esc

# Okabe-Ito: distinguishable with the common colour-vision deficiencies
VARIANT_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F", "#F0E442")


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
