"""The report's table of sample ratio checks (fct_sample_ratio_checks)."""

from __future__ import annotations

from collections import defaultdict

from growth_enrollments.report.data import SUPPRESSED, ReportData, published
from growth_enrollments.report.markup import STATUS_ORDER, esc, share, status_badge, window_cell


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
