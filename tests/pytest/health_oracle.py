"""An independent Python computation of the experiment-health marts.

Written from docs/experiment-health.md, not from
the SQL: plain dicts and loops over the units of the core oracle
(tests/pytest/oracle.py), scipy for the statistics.

* `counted_units(enrollments, policy)`: the units the counts use.
* `variant_counts(enrollments, policy)`: the two count marts under a policy.
* `sample_ratio_checks(units, allocations, ...)`: `fct_sample_ratio_checks`.
* `multi_variant_users(enrollments, unit_variants)`: `fct_multi_variant_users`.
* `daily_enrollments(units, allocations)`: `fct_daily_enrollments`.
* `outside_daily_series(units, allocations)`: `fct_enrollments_outside_daily_series`.
* `cross_cohort_conflicts(enrollments)`: `fct_cross_cohort_conflicts`.
* `assignment_source_conflicts(enrollments)`: `fct_assignment_source_conflicts`.
* `untested_units(units, allocations)`: what the warning
  `assert_every_enrollment_has_an_allocation` lists.

Units and allocations are dicts; `enrolled_at` a naive UTC datetime,
`valid_from`/`valid_to` dates or None (an open end, both ends inclusive).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from scipy import stats

REPO_ROOT = Path(__file__).resolve().parents[2]
ALLOCATIONS_SEED = REPO_ROOT / "seeds" / "experiment_allocations.csv"

SRM_P_THRESHOLD = 0.001
SRM_MIN_USERS = 100
SRM_EXACT_MAX_USERS = 100_000
COCHRAN_MIN_EXPECTED = 5  # the chi-square approximation needs every expected count >= 5
WILSON_Z = stats.norm.ppf(0.975)

SAMPLE_RATIO_COLUMNS = (
    "cohort",
    "experiment",
    "wiki",
    "valid_from",
    "valid_to",
    "variant",
    "is_configured",
    "observed_users",
    "expected_share",
    "observed_share",
    "observed_share_wilson_lower",
    "observed_share_wilson_upper",
    "expected_users",
    "total_users",
    "unexpected_users",
    "chi_square",
    "degrees_of_freedom",
    "test_method",
    "p_value",
    "is_srm",
    "has_unexpected_variants",
    "interval_confidence",
    "status",
)
MULTI_VARIANT_COLUMNS = (
    "cohort",
    "experiment",
    "wiki",
    "multi_variant_units",
    "total_units",
    "multi_variant_share",
    "variant_pairs",
)
RUN_COLUMNS = (
    "experiment",
    "wiki",
    "valid_from",
    "valid_to",
    "experiment_run",
    "variant",
    "is_configured",
    "expected_share",
    "observed_share",
    "enrolled_users",
    "run_users",
)
PAGE_RUN_COLUMNS = RUN_COLUMNS + ("new_account_users", "existing_account_users", "impression_events")
OUTSIDE_COLUMNS = (
    "cohort",
    "experiment",
    "wiki",
    "variant",
    "outside_reason",
    "enrolled_users",
    "first_enrollment_date",
    "last_enrollment_date",
)
OUTSIDE_DAILY_COLUMNS = (
    "cohort",
    "experiment",
    "wiki",
    "variant",
    "daily_series_start_date",
    "daily_series_end_date",
    "enrolled_users",
    "first_enrollment_date",
    "last_enrollment_date",
)
ASSIGNMENT_SOURCE_COLUMNS = (
    "cohort",
    "experiment",
    "wiki",
    "conflict_type",
    "enrolled_users",
    "conflicting_users",
    "conflicting_share",
)
CROSS_COHORT_COLUMNS = (
    "experiment",
    "wiki",
    "conflict_type",
    "users_in_both_cohorts",
    "conflicting_users",
    "conflicting_share",
)
DAILY_SERIES_START = dt.date(2020, 1, 1)  # the var daily_series_start's default
DAILY_COLUMNS = ("cohort", "experiment", "wiki", "variant", "enrollment_date", "new_users", "cumulative_users")


def read_allocations(path: Path | str = ALLOCATIONS_SEED) -> list[dict]:
    """The allocations of a CSV shaped like the seed."""

    def date_or_none(text: str) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    with open(path, newline="", encoding="utf-8") as handle:
        return [
            {
                "experiment": row["experiment"],
                "wiki": row["wiki"],
                "variant": row["variant"],
                "expected_share": float(row["expected_share"]),
                "valid_from": date_or_none(row["valid_from"]),
                "valid_to": date_or_none(row["valid_to"]),
            }
            for row in csv.DictReader(handle)
        ]


# ---------------------------------------------------------------------------
# Units and counts


def counted_units(
    enrollments: Iterable[dict], policy: str = "first", forced_policy: str = "count"
) -> list[dict]:
    """`first`: every unit; `exclude`: only the units seen with a single
    variant. forced_policy `exclude` also leaves out the units with a forced
    assignment."""
    if policy not in ("first", "exclude") or forced_policy not in ("count", "exclude"):
        raise ValueError((policy, forced_policy))
    return [
        unit
        for unit in enrollments
        if (policy == "first" or not unit["is_multi_variant"])
        and (forced_policy == "count" or not unit["has_forced_assignment"])
    ]


def variant_counts(
    enrollments: list[dict], policy: str = "first", forced_policy: str = "count"
) -> dict[str, list[tuple]]:
    """The two count marts under the policies. An account is new when it has an
    account-creation unit in the same experiment and wiki, whatever the policies."""
    units = counted_units(enrollments, policy, forced_policy)
    created = {(u["experiment"], u["wiki"], u["user_id"]) for u in enrollments if u["cohort"] == "account_creation"}
    account_creation: dict[tuple, int] = defaultdict(int)
    page_impression: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for unit in units:
        key = (unit["experiment"], unit["wiki"], unit["variant"])
        if unit["cohort"] == "account_creation":
            account_creation[key] += 1
        else:
            is_new = (unit["experiment"], unit["wiki"], unit["user_id"]) in created
            counts = page_impression[key]
            counts[0] += 1
            counts[1] += int(is_new)
            counts[2] += int(not is_new)
            counts[3] += unit["event_count"]
    return {
        "fct_account_creation_variant_counts": [key + (n,) for key, n in account_creation.items()],
        "fct_page_impression_variant_counts": [key + tuple(c) for key, c in page_impression.items()],
    }


# ---------------------------------------------------------------------------
# Sample ratio mismatch


def _in_window(day: dt.date, valid_from: dt.date | None, valid_to: dt.date | None) -> bool:
    return (valid_from is None or day >= valid_from) and (valid_to is None or day <= valid_to)


def _windows(allocations: Iterable[dict]) -> dict[tuple, dict[str, float]]:
    """(experiment, wiki, valid_from, valid_to) -> {variant: expected share}."""
    windows: dict[tuple, dict[str, float]] = defaultdict(dict)
    for row in allocations:
        windows[(row["experiment"], row["wiki"], row["valid_from"], row["valid_to"])][row["variant"]] = row[
            "expected_share"
        ]
    return windows


def wilson_interval(successes: int, trials: int, z: float = WILSON_Z) -> tuple[float, float]:
    """Wilson's score interval, written as p-hat plus or minus a margin."""
    p_hat = successes / trials
    denominator = 1 + z * z / trials
    centre = (p_hat + z * z / (2 * trials)) / denominator
    margin = z / denominator * math.sqrt(p_hat * (1 - p_hat) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - margin), min(1.0, centre + margin)


def goodness_of_fit(
    observed: list[int], shares: list[float], exact_max_users: int = SRM_EXACT_MAX_USERS
) -> tuple[float | None, str, float | None]:
    """(chi-square statistic, test method, p-value) of counts against shares:
    the exact binomial test (scipy.stats.binomtest, first variant) for two
    variants with an expected count below 5, else Pearson's chi-square."""
    total = sum(observed)
    expected = [total * share for share in shares]
    small = min(expected) < COCHRAN_MIN_EXPECTED
    if len(shares) == 2 and small and min(shares) > 0 and total <= exact_max_users:
        method = "exact_binomial"
    elif small:
        method = "chi_square_small_expected"
    else:
        method = "chi_square"
    if total == 0:
        return None, method, None
    if len(shares) < 2:
        return 0.0, method, None
    chi_square, p_value = (float(v) for v in stats.chisquare(observed, expected))
    if method == "exact_binomial":
        p_value = float(stats.binomtest(observed[0], total, shares[0]).pvalue)
    return chi_square, method, p_value


def sample_ratio_checks(
    units: Iterable[dict],
    allocations: Iterable[dict],
    p_threshold: float = SRM_P_THRESHOLD,
    min_users: int = SRM_MIN_USERS,
) -> list[dict]:
    """One test per cohort with units and configured window; one row per
    configured variant (zero-filled) and per variant the window does not list.
    An SRM is reported whatever else is wrong; the Wilson interval is drawn
    at the same threshold (confidence 1 - p_threshold)."""
    interval_z = float(stats.norm.isf(p_threshold / 2))
    units = list(units)
    cohorts = {unit["cohort"] for unit in units}
    rows = []
    for (experiment, wiki, valid_from, valid_to), shares in _windows(allocations).items():
        for cohort in cohorts:
            observed: dict[str, int] = defaultdict(int)
            for unit in units:
                if (
                    unit["cohort"] == cohort
                    and unit["experiment"] == experiment
                    and unit["wiki"] == wiki
                    and _in_window(unit["enrolled_at"].date(), valid_from, valid_to)
                ):
                    observed[unit["variant"]] += 1
            configured = sorted(shares)
            unexpected = sorted(set(observed) - set(shares))
            total = sum(observed[variant] for variant in configured)
            unexpected_users = sum(observed[variant] for variant in unexpected)
            degrees_of_freedom = len(configured) - 1
            chi_square, method, p_value = goodness_of_fit(
                [observed[variant] for variant in configured], [shares[variant] for variant in configured]
            )
            is_srm = total >= min_users and p_value is not None and p_value < p_threshold
            if is_srm:
                status = "srm"
            elif unexpected_users > 0:
                status = "unexpected_variants"
            elif total < min_users:
                status = "insufficient_data"
            else:
                status = "ok"
            test = {
                "cohort": cohort,
                "experiment": experiment,
                "wiki": wiki,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "total_users": total,
                "unexpected_users": unexpected_users,
                "chi_square": chi_square,
                "degrees_of_freedom": degrees_of_freedom,
                "test_method": method,
                "p_value": p_value,
                "is_srm": is_srm,
                "has_unexpected_variants": unexpected_users > 0,
                "interval_confidence": 1 - p_threshold,
                "status": status,
            }
            for variant in configured:
                lower, upper = wilson_interval(observed[variant], total, interval_z) if total else (None, None)
                rows.append(
                    test
                    | {
                        "variant": variant,
                        "is_configured": True,
                        "observed_users": observed[variant],
                        "expected_share": shares[variant],
                        "observed_share": observed[variant] / total if total else None,
                        "observed_share_wilson_lower": lower,
                        "observed_share_wilson_upper": upper,
                        "expected_users": total * shares[variant],
                    }
                )
            for variant in unexpected:
                rows.append(
                    test
                    | {
                        "variant": variant,
                        "is_configured": False,
                        "observed_users": observed[variant],
                        "expected_share": None,
                        "observed_share": None,
                        "observed_share_wilson_lower": None,
                        "observed_share_wilson_upper": None,
                        "expected_users": None,
                    }
                )
    return rows


def _run_name(experiment: str, wiki: str, valid_from: dt.date | None, valid_to: dt.date | None) -> str:
    """`<experiment> <wiki> <from>/<to>`, `..` for an open end (models/_experiment_health__docs.md, column_experiment_run)."""
    ends = [day.isoformat() if day else ".." for day in (valid_from, valid_to)]
    return f"{experiment} {wiki} {ends[0]}/{ends[1]}"


def run_variant_counts(units: Iterable[dict], enrollments: Iterable[dict], allocations: Iterable[dict]) -> dict:
    """The experiment-run count marts: per allocation window and variant (every
    configured variant, zero-filled, and each variant users landed in that the
    window does not list), the counted units whose enrollment date the window
    holds. A page-impression user is a new account when any account-creation
    unit (whatever the policy) has the same experiment, wiki and user."""
    units = list(units)
    created = {(u["experiment"], u["wiki"], u["user_id"]) for u in enrollments if u["cohort"] == "account_creation"}
    result: dict[str, list[dict]] = {
        "fct_account_creation_run_variant_counts": [],
        "fct_page_impression_run_variant_counts": [],
    }
    for (experiment, wiki, valid_from, valid_to), shares in _windows(allocations).items():
        for cohort, model in (
            ("account_creation", "fct_account_creation_run_variant_counts"),
            ("page_impression", "fct_page_impression_run_variant_counts"),
        ):
            counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
            for unit in units:
                if (
                    unit["cohort"] == cohort
                    and unit["experiment"] == experiment
                    and unit["wiki"] == wiki
                    and _in_window(unit["enrolled_at"].date(), valid_from, valid_to)
                ):
                    is_new = (experiment, wiki, unit["user_id"]) in created
                    row = counts[unit["variant"]]
                    row[0] += 1
                    row[1] += int(is_new)
                    row[2] += int(not is_new)
                    row[3] += unit["event_count"]
            run_users = sum(counts[variant][0] for variant in shares)
            for variant in sorted(set(shares) | set(counts)):
                users, new, existing, events = counts[variant]
                configured = variant in shares
                row = {
                    "experiment": experiment,
                    "wiki": wiki,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "experiment_run": _run_name(experiment, wiki, valid_from, valid_to),
                    "variant": variant,
                    "is_configured": configured,
                    "expected_share": shares.get(variant),
                    "observed_share": users / run_users if configured and run_users else None,
                    "enrolled_users": users,
                    "run_users": run_users,
                }
                if cohort == "page_impression":
                    row |= {"new_account_users": new, "existing_account_users": existing, "impression_events": events}
                result[model].append(row)
    return result


def outside_allocations(units: Iterable[dict], allocations: Iterable[dict]) -> list[dict]:
    """`fct_enrollments_outside_allocations`: per (cohort, experiment, wiki,
    variant, reason) the units no window covers, with their first and last date."""
    windows = _windows(allocations)
    allocated = {(experiment, wiki) for experiment, wiki, _, _ in windows}
    days: dict[tuple, list[dt.date]] = defaultdict(list)
    for unit in units:
        day = unit["enrolled_at"].date()
        if any(
            experiment == unit["experiment"] and wiki == unit["wiki"] and _in_window(day, valid_from, valid_to)
            for experiment, wiki, valid_from, valid_to in windows
        ):
            continue
        reason = "outside_allocation_windows" if (unit["experiment"], unit["wiki"]) in allocated else "no_allocation"
        days[(unit["cohort"], unit["experiment"], unit["wiki"], unit["variant"], reason)].append(day)
    return [
        dict(zip(OUTSIDE_COLUMNS, key + (len(dates), min(dates), max(dates))))
        for key, dates in days.items()
    ]


def untested_units(units: Iterable[dict], allocations: Iterable[dict]) -> dict[tuple, int]:
    """(cohort, experiment, wiki, reason) -> units no allocation window covers."""
    windows = _windows(allocations)
    allocated = {(experiment, wiki) for experiment, wiki, _, _ in windows}
    result: dict[tuple, int] = defaultdict(int)
    for unit in units:
        day = unit["enrolled_at"].date()
        covered = any(
            experiment == unit["experiment"] and wiki == unit["wiki"] and _in_window(day, valid_from, valid_to)
            for experiment, wiki, valid_from, valid_to in windows
        )
        if not covered:
            reason = (
                "outside_allocation_windows" if (unit["experiment"], unit["wiki"]) in allocated else "no_allocation"
            )
            result[(unit["cohort"], unit["experiment"], unit["wiki"], reason)] += 1
    return dict(result)


# ---------------------------------------------------------------------------
# Users in more than one variant


def multi_variant_users(enrollments: Iterable[dict], unit_variants: dict[tuple, set[str]]) -> list[dict]:
    """Per (cohort, experiment, wiki): units, those seen in several variants
    (from the variants of their events, not the flag), and the variant pairs
    as a list of {first_variant, second_variant, units}, sorted by the names
    (the mart's JSON text, parsed)."""
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for unit in enrollments:
        key = (unit["cohort"], unit["experiment"], unit["wiki"], unit["user_id"])
        groups[key[:3]].append(key)
    rows = []
    for (cohort, experiment, wiki), keys in groups.items():
        multi = [unit_variants[key] for key in keys if len(unit_variants[key]) > 1]
        pairs: dict[tuple[str, str], int] = defaultdict(int)
        for variants in multi:
            for pair in itertools.combinations(sorted(variants), 2):
                pairs[pair] += 1
        labels = [
            {"first_variant": first, "second_variant": second, "units": count}
            for (first, second), count in sorted(pairs.items())
        ]
        rows.append(
            {
                "cohort": cohort,
                "experiment": experiment,
                "wiki": wiki,
                "multi_variant_units": len(multi),
                "total_units": len(keys),
                "multi_variant_share": len(multi) / len(keys),
                "variant_pairs": labels,
            }
        )
    return rows


# ---------------------------------------------------------------------------
# Enrollment over time


def daily_series_bounds(
    experiment: str,
    wiki: str,
    allocations: Iterable[dict],
    series_start: dt.date = DAILY_SERIES_START,
    series_end: dt.date | None = None,
) -> tuple[dt.date, dt.date]:
    """The days the daily series of an experiment and wiki may cover: from the
    first to the last day of its allocation windows; an open end, or no
    window at all, takes the range vars (the end defaults to today, UTC)."""
    series_end = series_end or dt.datetime.now(dt.UTC).date()
    windows = [row for row in allocations if row["experiment"] == experiment and row["wiki"] == wiki]
    if not windows:
        return series_start, series_end
    starts = [row["valid_from"] for row in windows]
    ends = [row["valid_to"] for row in windows]
    return (
        series_start if None in starts else min(starts),
        series_end if None in ends else max(ends),
    )


def _in_series(unit: dict, allocations: list[dict], series_start: dt.date, series_end: dt.date | None) -> bool:
    first, last = daily_series_bounds(unit["experiment"], unit["wiki"], allocations, series_start, series_end)
    return first <= unit["enrolled_at"].date() <= last


def outside_daily_series(
    units: Iterable[dict],
    allocations: Iterable[dict],
    series_start: dt.date = DAILY_SERIES_START,
    series_end: dt.date | None = None,
) -> list[dict]:
    """`fct_enrollments_outside_daily_series`: per (cohort, experiment, wiki,
    variant) the units enrolled outside the daily series' days."""
    allocations = list(allocations)
    days: dict[tuple, list[dt.date]] = defaultdict(list)
    for unit in units:
        if not _in_series(unit, allocations, series_start, series_end):
            days[(unit["cohort"], unit["experiment"], unit["wiki"], unit["variant"])].append(unit["enrolled_at"].date())
    rows = []
    for key, dates in days.items():
        first, last = daily_series_bounds(key[1], key[2], allocations, series_start, series_end)
        rows.append(dict(zip(OUTSIDE_DAILY_COLUMNS, key + (first, last, len(dates), min(dates), max(dates)))))
    return rows


def daily_enrollments(
    units: Iterable[dict],
    allocations: Iterable[dict] = (),
    series_start: dt.date = DAILY_SERIES_START,
    series_end: dt.date | None = None,
) -> list[dict]:
    """Every day from the first to the last enrollment date of each experiment
    and wiki, for every (cohort, variant) with units there; zero-filled. Only
    the units enrolled within the daily series' bounds count."""
    allocations = list(allocations)
    units = [unit for unit in units if _in_series(unit, allocations, series_start, series_end)]
    days_by_wiki: dict[tuple, list[dt.date]] = defaultdict(list)
    new_users: dict[tuple, int] = defaultdict(int)
    series = set()
    for unit in units:
        day = unit["enrolled_at"].date()
        days_by_wiki[(unit["experiment"], unit["wiki"])].append(day)
        series.add((unit["cohort"], unit["experiment"], unit["wiki"], unit["variant"]))
        new_users[(unit["cohort"], unit["experiment"], unit["wiki"], unit["variant"], day)] += 1
    rows = []
    for cohort, experiment, wiki, variant in series:
        days = days_by_wiki[(experiment, wiki)]
        day, last = min(days), max(days)
        cumulative = 0
        while day <= last:
            new = new_users[(cohort, experiment, wiki, variant, day)]
            cumulative += new
            rows.append(
                {
                    "cohort": cohort,
                    "experiment": experiment,
                    "wiki": wiki,
                    "variant": variant,
                    "enrollment_date": day,
                    "new_users": new,
                    "cumulative_users": cumulative,
                }
            )
            day += dt.timedelta(days=1)
    return rows


# ---------------------------------------------------------------------------
# Conflicts between a user's two cohorts


def cross_cohort_conflicts(enrollments: Iterable[dict]) -> list[dict]:
    """Per (experiment, wiki) with users enrolled in both cohorts (every unit,
    any policy): how many of them have a page-impression variant other than
    their account-creation variant, and how many a first page impression
    earlier than the account's creation."""
    units = {(unit["cohort"], unit["experiment"], unit["wiki"], unit["user_id"]): unit for unit in enrollments}
    totals: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (cohort, experiment, wiki, user_id), creation in units.items():
        if cohort != "account_creation":
            continue
        impression = units.get(("page_impression", experiment, wiki, user_id))
        if impression is None:
            continue
        group = totals[(experiment, wiki)]
        group["users"] += 1
        group["variant_differs"] += impression["variant"] != creation["variant"]
        group["impression_before_creation"] += impression["enrolled_at"] < creation["enrolled_at"]
    return [
        {
            "experiment": experiment,
            "wiki": wiki,
            "conflict_type": conflict_type,
            "users_in_both_cohorts": group["users"],
            "conflicting_users": group[conflict_type],
            "conflicting_share": group[conflict_type] / group["users"],
        }
        for (experiment, wiki), group in totals.items()
        for conflict_type in ("variant_differs", "impression_before_creation")
    ]


# ---------------------------------------------------------------------------
# Conflicts within the assignment an event carries


def assignment_source_conflicts(enrollments: Iterable[dict]) -> list[dict]:
    """Per (cohort, experiment, wiki) with enrolled units (every unit, any
    policy): how many have an event whose singular `experiment` object names
    another variant than the map, and how many a forced assignment."""
    totals: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for unit in enrollments:
        group = totals[(unit["cohort"], unit["experiment"], unit["wiki"])]
        group["users"] += 1
        group["singular_variant_differs"] += unit["has_singular_variant_conflict"]
        group["forced_assignment"] += unit["has_forced_assignment"]
    return [
        {
            "cohort": cohort,
            "experiment": experiment,
            "wiki": wiki,
            "conflict_type": conflict_type,
            "enrolled_users": group["users"],
            "conflicting_users": group[conflict_type],
            "conflicting_share": group[conflict_type] / group["users"],
        }
        for (cohort, experiment, wiki), group in totals.items()
        for conflict_type in ("singular_variant_differs", "forced_assignment")
    ]
