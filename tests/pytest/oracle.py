"""An independent, pure-Python computation of the public models.

Written from the rules in docs/rules.md and the models of docs/public-models.md, not
from the SQL: it parses each raw line with the `json` module and counts with
dicts. The pytest suite compares every public model that `dbt build` writes
with the rows computed here.

Files are read as the warehouse reads them: gzip when the name ends in
`.gz`, UTF-8 text split on "\\n", a final trailing newline making no extra
line, and an empty line being a raw line of its own (rejected as
`malformed_json`).

Usage:

    result = compute(["/data/datacenter=eqiad/.../part-00.json", ...])
    result.models["fct_experiment_enrollments"]  # list of row tuples
    MODEL_COLUMNS["fct_experiment_enrollments"]  # their column names

Values follow the warehouse's types: timestamps are naive UTC datetimes
(microseconds kept), ids and counts Python ints, flags bools, text str.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import glob
import gzip
import hashlib
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
PROJECT_DOMAINS_SEED = os.path.join(REPO_ROOT, "seeds", "wikimedia_project_domains.csv")
DOMAIN_WIKIS_SEED = os.path.join(REPO_ROOT, "seeds", "wikimedia_domain_wikis.csv")

# Rule 1, in the order the reasons apply.
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

# Rule 6.
COHORTS = {
    "LocalUserCreatedHook": "account_creation",
    "BeforePageDisplayHook": "page_impression",
}

MODEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "fct_experiment_enrollments": (
        "cohort",
        "experiment",
        "wiki",
        "user_id",
        "variant",
        "enrolled_at",
        "event_count",
        "variant_count",
        "is_multi_variant",
        "has_singular_variant_conflict",
        "has_forced_assignment",
    ),
    "fct_account_creation_variant_counts": ("experiment", "wiki", "variant", "enrolled_users"),
    "fct_page_impression_variant_counts": (
        "experiment",
        "wiki",
        "variant",
        "enrolled_users",
        "new_account_users",
        "existing_account_users",
        "impression_events",
    ),
    "fct_rejected_events": ("rejected_line_id", "reason", "source_file", "line_occurrence", "meta_id", "raw_line"),
    "fct_event_line_reconciliation": ("source_file", "raw_lines", "rejected_lines", "accepted_events", "duplicate_lines"),
}
PUBLIC_MODELS = tuple(MODEL_COLUMNS)

MAX_BIGINT = 2**63 - 1

# Rule 3: YYYY-MM-DDThh:mm:ss, optional fraction of 1 to 6 digits, optional
# Z or +hh:mm / -hh:mm.
_TIMESTAMP = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]{1,6}))?"
    r"(?P<zone>Z|(?P<sign>[+-])(?P<zone_hours>[0-9]{2}):(?P<zone_minutes>[0-9]{2}))?"
)
# A DNS label of a wiki's language subdomain (pt, zh-yue, be-tarask ...).
_LANGUAGE_LABEL = re.compile(r"[a-z0-9-]+")
# Rule 2: the shape of a language code: two or three letters, then any
# parts of letters and digits after a hyphen (pt, zh-yue, zh-min-nan).
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]+)*")


# ---------------------------------------------------------------------------
# Reading files


def list_event_files(pattern: str, cwd: str | None = None) -> list[str]:
    """Files matching the `events_path` glob, named as the warehouse names them.

    A relative pattern is resolved from `cwd` (the dbt project root) and the
    names stay relative, like the pattern.
    """
    return sorted(glob.glob(pattern, root_dir=cwd, recursive=True))


def read_raw_lines(path: str, cwd: str | None = None) -> list[str]:
    """The raw lines of one file: split on "\\n", no extra line for a final newline."""
    full_path = path if cwd is None or os.path.isabs(path) else os.path.join(cwd, path)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(full_path, "rb") as handle:
        text = handle.read().decode("utf-8")
    if text == "":
        return []
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return lines


def read_project_domains(path: str = PROJECT_DOMAINS_SEED) -> dict[str, str]:
    """The seed `wikimedia_project_domains`: project domain -> database suffix."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["project_domain"]: row["database_suffix"] for row in csv.DictReader(handle)}


@functools.cache
def read_domain_wikis(path: str = DOMAIN_WIKIS_SEED) -> dict[tuple[str, str], str]:
    """The seed `wikimedia_domain_wikis`: (project domain, language part) -> wiki."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {(row["project_domain"], row["domain_language"]): row["wiki"] for row in csv.DictReader(handle)}


# ---------------------------------------------------------------------------
# One line


@dataclasses.dataclass
class Line:
    """A raw line and what the rules make of it."""

    source_file: str
    position: int  # 0-based line number in its file
    raw_line: str
    reason: str | None = None  # None when accepted
    meta_id: str | None = None
    cohort: str | None = None
    wiki: str | None = None
    user_id: int | None = None
    enrolled_at: dt.datetime | None = None
    assignments: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    # the singular `experiment` object when complete: (experiment, variant, coordinator)
    singular: tuple[str, str, object] | None = None

    @property
    def accepted(self) -> bool:
        return self.reason is None

    @property
    def event_key(self) -> str:
        """Rule 5: the meta.id, or the md5 of the exact text when there is none."""
        return self.meta_id if self.meta_id is not None else md5_hex(self.raw_line)


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def parse_json_object(raw_line: str) -> dict | None:
    """The line's JSON object, or None when the line is not exactly one JSON object."""
    try:
        value = json.loads(raw_line, parse_constant=_reject_constant)
    except ValueError:  # JSONDecodeError, and NaN/Infinity which JSON does not have
        return None
    return value if isinstance(value, dict) else None


def field(event: object, *path: str) -> object:
    """event[path[0]][path[1]]..., or None when a step is missing or not an object."""
    value = event
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def non_empty_string(value: object) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def is_user_id(value: object) -> bool:
    """Rule 1: a JSON integer (not a boolean, not a decimal) that fits 64 bits and is > 0."""
    return type(value) is int and 0 < value <= MAX_BIGINT


def resolve_wiki(
    event: dict, project_domains: dict[str, str], domain_wikis: dict[tuple[str, str], str] | None = None
) -> str | None:
    """Rule 2: mediawiki.database; else, for a known project's domain
    (`<language>.<project>` or `<language>.m.<project>`), the seed of
    exceptions, else a language part shaped like a language code (not `www`)
    with `-` as `_` and the project's suffix; else None (never guessed)."""
    if domain_wikis is None:
        domain_wikis = read_domain_wikis()
    database = non_empty_string(field(event, "mediawiki", "database"))
    if database is not None:
        return database
    domain = field(event, "meta", "domain")
    if not isinstance(domain, str):
        return None
    for project, suffix in project_domains.items():
        if not domain.endswith("." + project):
            continue
        labels = domain[: -len(project) - 1].split(".")
        if len(labels) == 2 and labels[1] == "m":  # the mobile site
            labels = labels[:1]
        if len(labels) != 1 or not _LANGUAGE_LABEL.fullmatch(labels[0]):
            return None
        label = labels[0]
        if (project, label) in domain_wikis:
            return domain_wikis[(project, label)]
        if label == "www" or not _LANGUAGE_CODE.fullmatch(label):
            return None  # www is the portal, m alone the mobile site: never guess
        return label.replace("-", "_") + suffix
    return None


def parse_timestamp(value: object) -> dt.datetime | None:
    """Rule 3: an ISO 8601 timestamp as a naive UTC datetime, else None."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        return None
    parts = match.groupdict()
    try:
        moment = dt.datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"]),
            int(parts["minute"]),
            int(parts["second"]),
            int((parts["fraction"] or "").ljust(6, "0")),
        )
    except ValueError:  # not a real calendar date or time of day
        return None
    if parts["sign"]:
        hours, minutes = int(parts["zone_hours"]), int(parts["zone_minutes"])
        if hours > 23 or minutes > 59:
            return None
        offset = dt.timedelta(hours=hours, minutes=minutes)
        moment = moment - offset if parts["sign"] == "+" else moment + offset
    return moment


def assignments_of(event: dict) -> list[tuple[str, str]]:
    """Rule 4: the (experiment, variant) pairs an event carries."""
    pairs: list[tuple[str, str]] = []
    assigned = field(event, "experiments", "assigned")
    if isinstance(assigned, dict):
        for experiment, variant in assigned.items():
            if non_empty_string(experiment) and non_empty_string(variant):
                pairs.append((experiment, variant))
    singular_experiment = non_empty_string(field(event, "experiment", "enrolled"))
    singular_variant = non_empty_string(field(event, "experiment", "assigned"))
    if singular_experiment and singular_variant and singular_experiment not in {name for name, _ in pairs}:
        pairs.append((singular_experiment, singular_variant))
    return pairs


def singular_assignment_of(event: dict) -> tuple[str, str, object] | None:
    """The singular `experiment` object as (experiment, variant, coordinator),
    when its experiment and variant are non-empty strings."""
    experiment = non_empty_string(field(event, "experiment", "enrolled"))
    variant = non_empty_string(field(event, "experiment", "assigned"))
    if experiment and variant:
        return (experiment, variant, field(event, "experiment", "coordinator"))
    return None


def classify(line: Line, project_domains: dict[str, str]) -> Line:
    """Fill in the line's rejection reason (rule 1) or its accepted values."""
    event = parse_json_object(line.raw_line)
    if event is None:
        line.reason = "malformed_json"
        return line
    line.meta_id = non_empty_string(field(event, "meta", "id"))
    if field(event, "meta", "domain") == "canary":
        line.reason = "canary"
        return line
    if field(event, "action") != "experiment_enrollment":
        line.reason = "not_enrollment_action"
        return line
    action_source = field(event, "action_source")
    if not isinstance(action_source, str) or action_source not in COHORTS:
        line.reason = "unknown_action_source"
        return line
    user_id = field(event, "performer", "id")
    if not is_user_id(user_id):
        line.reason = "missing_user_id"
        return line
    wiki = resolve_wiki(event, project_domains)
    if wiki is None:
        line.reason = "unresolved_wiki"
        return line
    assignments = assignments_of(event)
    if not assignments:
        line.reason = "missing_assignment"
        return line
    enrolled_at = parse_timestamp(field(event, "dt"))
    if enrolled_at is None:
        enrolled_at = parse_timestamp(field(event, "meta", "dt"))
    if enrolled_at is None:
        line.reason = "missing_timestamp"
        return line
    line.cohort = COHORTS[action_source]
    line.wiki = wiki
    line.user_id = user_id
    line.enrolled_at = enrolled_at
    line.assignments = assignments
    line.singular = singular_assignment_of(event)
    return line


def classify_text(raw_line: str, project_domains: dict[str, str] | None = None, source_file: str = "") -> Line:
    """Classify one line of text (for tests)."""
    return classify(Line(source_file, 0, raw_line), project_domains or read_project_domains())


# ---------------------------------------------------------------------------
# The models


@dataclasses.dataclass
class OracleResult:
    lines: list[Line]
    events: dict[str, Line]  # event key -> the kept copy (rule 5)
    models: dict[str, list[tuple]]

    def rows(self, model: str) -> list[dict]:
        return [dict(zip(MODEL_COLUMNS[model], row)) for row in self.models[model]]

    def reasons(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for line in self.lines:
            counts[line.reason or "accepted"] += 1
        return dict(counts)


def compute_from_lines(
    lines: Iterable[tuple[str, str]], project_domains: dict[str, str] | None = None
) -> OracleResult:
    """The models from (source_file, raw_line) pairs, in file order."""
    domains = project_domains if project_domains is not None else read_project_domains()
    positions: dict[str, int] = defaultdict(int)
    classified: list[Line] = []
    for source_file, raw_line in lines:
        classified.append(classify(Line(source_file, positions[source_file], raw_line), domains))
        positions[source_file] += 1

    # Rule 5: one event per key; the copy kept is the earliest by enrollment
    # time, then by the md5 of its text, then by file path.
    events: dict[str, Line] = {}
    for line in classified:
        if not line.accepted:
            continue
        key = line.event_key
        kept = events.get(key)
        if kept is None or (line.enrolled_at, md5_hex(line.raw_line), line.source_file) < (
            kept.enrolled_at,
            md5_hex(kept.raw_line),
            kept.source_file,
        ):
            events[key] = line

    # Rule 7: units and their first enrollment.
    # Each unit also says whether one of its events' singular object names
    # the experiment with another variant, or with coordinator `forced`.
    units: dict[tuple, list[tuple]] = defaultdict(list)
    singular_conflicts: set[tuple] = set()
    forced: set[tuple] = set()
    for key, event in events.items():
        for experiment, variant in event.assignments:
            unit = (event.cohort, experiment, event.wiki, event.user_id)
            order = (event.enrolled_at, event.meta_id is None, event.meta_id or "", key)
            units[unit].append((order, key, variant))
            if event.singular is not None and event.singular[0] == experiment:
                if event.singular[1] != variant:
                    singular_conflicts.add(unit)
                if event.singular[2] == "forced":
                    forced.add(unit)
    enrollments = []
    for unit, seen in units.items():
        first = min(seen)
        variants = {variant for _, _, variant in seen}
        enrolled_at = first[0][0]
        enrollments.append(
            unit
            + (first[2], enrolled_at, len({key for _, key, _ in seen}), len(variants), len(variants) > 1)
            + (unit in singular_conflicts, unit in forced)
        )

    account_creation_counts: dict[tuple, int] = defaultdict(int)
    account_creation_users = set()
    for cohort, experiment, wiki, user_id, variant, *_ in enrollments:
        if cohort == "account_creation":
            account_creation_counts[(experiment, wiki, variant)] += 1
            account_creation_users.add((experiment, wiki, user_id))

    page_impression_counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for cohort, experiment, wiki, user_id, variant, _, event_count, *_ in enrollments:
        if cohort != "page_impression":
            continue
        counts = page_impression_counts[(experiment, wiki, variant)]
        is_new = (experiment, wiki, user_id) in account_creation_users
        counts[0] += 1
        counts[1] += 1 if is_new else 0
        counts[2] += 0 if is_new else 1
        counts[3] += event_count

    rejected = []
    occurrences: dict[tuple[str, str], int] = defaultdict(int)
    for line in classified:
        if line.accepted:
            continue
        occurrences[(line.source_file, line.raw_line)] += 1
        occurrence = occurrences[(line.source_file, line.raw_line)]
        rejected_line_id = md5_hex(f"{line.source_file}\n{line.raw_line}\n{occurrence}")
        rejected.append((rejected_line_id, line.reason, line.source_file, occurrence, line.meta_id, line.raw_line))

    per_file: dict[str, list[int]] = {}
    for line in classified:
        counts = per_file.setdefault(line.source_file, [0, 0, 0, 0])  # raw, rejected, accepted lines, events
        counts[0] += 1
        if line.accepted:
            counts[2] += 1
        else:
            counts[1] += 1
    for event in events.values():
        per_file[event.source_file][3] += 1
    reconciliation = [
        (source_file, raw, rejected_lines, kept, accepted_lines - kept)
        for source_file, (raw, rejected_lines, accepted_lines, kept) in per_file.items()
    ]

    models = {
        "fct_experiment_enrollments": enrollments,
        "fct_account_creation_variant_counts": [key + (count,) for key, count in account_creation_counts.items()],
        "fct_page_impression_variant_counts": [key + tuple(counts) for key, counts in page_impression_counts.items()],
        "fct_rejected_events": rejected,
        "fct_event_line_reconciliation": reconciliation,
    }
    return OracleResult(lines=classified, events=events, models=models)


def compute(
    paths: Sequence[str], cwd: str | None = None, project_domains: dict[str, str] | None = None
) -> OracleResult:
    """The models from a list of files (names as the warehouse reports them)."""
    return compute_from_lines(
        ((path, raw_line) for path in paths for raw_line in read_raw_lines(path, cwd)), project_domains
    )


def compute_from_glob(pattern: str, cwd: str | None = None) -> OracleResult:
    """The models from an `events_path` glob, resolved like the dbt var."""
    return compute(list_event_files(pattern, cwd), cwd)


def reconciliation_holds(result: OracleResult) -> bool:
    """raw_lines = rejected_lines + accepted_events + duplicate_lines for every file, none negative."""
    return all(
        raw == rejected + kept + duplicates and min(rejected, kept, duplicates) >= 0
        for _, raw, rejected, kept, duplicates in result.models["fct_event_line_reconciliation"]
    )
