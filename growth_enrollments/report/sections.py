"""The report's sections except the sample ratio checks (sample_ratio.py), each rendered to an HTML string."""

from __future__ import annotations

from collections import defaultdict

from growth_enrollments.report.charts import cumulative_chart, stacked_bar
from growth_enrollments.report.data import COHORT_LABELS, COHORTS, Count, ReportData, add_counts
from growth_enrollments.report.markup import STATUS_ORDER, esc, share, status_badge, window_label


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


SOURCE_CONFLICT_LABELS = {
    "singular_variant_differs": "singular experiment object names another variant than the map",
    "forced_assignment": "forced assignment (coordinator forced)",
}


def section_source_conflicts(data: ReportData) -> str:
    parts = [
        '<section id="source-conflicts"><h2>Conflicts within an event\'s assignment</h2>'
        '<p class="meta">Units with an event whose singular <code>experiment</code> object names another variant '
        "than its <code>experiments.assigned</code> map (the map's variant counts), or whose variant an override "
        "forced (coordinator <code>forced</code>; the var <code>forced_assignment_policy: exclude</code> leaves "
        "them out of the counts). Every unit, whatever the policies: fct_assignment_source_conflicts; the warnings "
        "assert_no_singular_assignment_conflicts and assert_no_forced_assignments list them.</p>"
    ]
    if not data.source_conflicts:
        parts.append('<p class="note">No unit is enrolled.</p></section>')
        return "".join(parts)
    parts.append(
        "<table><thead><tr><th>conflict</th><th>cohort</th><th>experiment</th><th>wiki</th>"
        '<th class="num">enrolled users</th><th class="num">conflicting users</th>'
        '<th class="num">share</th></tr></thead><tbody>'
    )
    for row in data.source_conflicts:
        conflict_type = row["conflict_type"]
        parts.append(
            f'<tr data-source-conflict="{esc(conflict_type)}" data-cohort="{esc(row["cohort"])}" '
            f'data-experiment="{esc(row["experiment"])}" data-conflict-wiki="{esc(row["wiki"])}">'
            f"<td>{esc(SOURCE_CONFLICT_LABELS.get(conflict_type, conflict_type))}</td>"
            f'<td>{esc(row["cohort"])}</td><td>{esc(row["experiment"])}</td><td>{esc(row["wiki"])}</td>'
            f'<td class="num" data-count="enrolled_users">{row["enrolled_users"].html()}</td>'
            f'<td class="num" data-count="conflicting_users">{row["conflicting_users"].html()}</td>'
            f'<td class="num">{share(row["conflicting_share"])}</td></tr>'
        )
    parts.append("</tbody></table></section>")
    return "".join(parts)


def section_rejected(data: ReportData) -> str:
    reasons = list(data.rejected)  # in the order rule 1 tries them
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
