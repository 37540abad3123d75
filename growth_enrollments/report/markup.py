"""Small pieces of the page's HTML: escaping, shares, allocation windows, status badges."""

from __future__ import annotations

import datetime as dt
import html

STATUS_STYLE = {
    # status: (css class, label, what it means)
    "ok": ("ok", "ok", "split consistent with the allocation"),
    "srm": ("srm", "SRM", "sample ratio mismatch: do not compare the variants"),
    "insufficient_data": ("insufficient", "insufficient data", "too few users to judge"),
    "unexpected_variants": ("unexpected", "unexpected variants", "users in a variant the allocation does not list"),
}
STATUS_ORDER = ("srm", "unexpected_variants", "insufficient_data", "ok")


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


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
