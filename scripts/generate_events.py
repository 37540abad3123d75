#!/usr/bin/env python3
"""Generate realistic raw `experiment_enrollment` events for the pipeline.

The events imitate the stream
`mediawiki.product_metrics.growth_product_interaction`: the real event in
`tests/fixtures/ptwiki-account-creation.json` is their shape, everything
else is made up. Files are newline-delimited JSON laid out as the data lake
lays out raw events:

    <out>/datacenter=eqiad|codfw/year=YYYY/month=M/day=D/hour=H/part-NN.<ext>

with several files per hour and the extensions `.json`, `.jsonl`, `.ndjson`
and their gzip forms `.json.gz`, `.jsonl.gz`, `.ndjson.gz` (the project's
default glob is `**/*.*json*`).

What the data holds (see `../shared/reference/wikimedia-findings.md`):

* `LocalUserCreatedHook` once per new account, `BeforePageDisplayHook` many
  times per user (new accounts included);
* arzwiki, eswiki, fawiki, frwiki, idwiki and ptwiki in `growth-experiments`
  with `surfacing-structured-task`/`control` bucketed 50/50 by
  md5(user id . 'surfacing-structured-task'); enwiki with
  `no-link-recommendation`/`control`; dewiki and zh_yuewiki with `control`
  only;
* schema 1.3.0 before 2025-03-18, 1.3.1 (adds `performer.edit_count`) from
  then, 1.4.1 (adds the singular `experiment` object) from 2025-03-31;
  `mediawiki.database` only from 2025-03-04 (before: the domain only, desktop
  or mobile); some account creations on the SUL3 domain `auth.wikimedia.org`;
* redelivered duplicates (same `meta.id`, same text, in the same file,
  another file, another hour or the next day), a few users seen in two
  variants, and, at the preset's rate, bad or unusual lines of every kind
  rule 1 (docs/rules.md) rejects or accepts.

Presets: `sample` (the shipped sample), `messy` (tests: many bad lines),
`benchmark` (2 million lines over 30 days, fast path, gzip level 1).

Examples:

    python scripts/generate_events.py --preset sample --out sample_data/events --clean
    python scripts/generate_events.py --preset messy --seed 7 --out /tmp/messy
    python scripts/generate_events.py --preset benchmark --out /tmp/bench --clean
    python scripts/generate_events.py --preset benchmark --out /tmp/bench --append-day

Everything is a function of the options: the same options write the same
bytes. Each day is generated from its own seeded random stream, so
`--append-day` (same options otherwise) adds the day after the span without
rewriting it. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gzip
import hashlib
import io
import json
import math
import os
import random
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator

STREAM = "mediawiki.product_metrics.growth_product_interaction"
EXPERIMENT = "growth-experiments"
SCHEMA_PREFIX = "/analytics/product_metrics/web/base/"
SOURCE_ACCOUNT_CREATION = "LocalUserCreatedHook"
SOURCE_PAGE_IMPRESSION = "BeforePageDisplayHook"
DATACENTERS = ("eqiad", "codfw")

DATABASE_FROM = dt.date(2025, 3, 4)  # mediawiki.database is logged from then on
SCHEMA_131_FROM = dt.date(2025, 3, 18)  # adds performer.edit_count
SCHEMA_141_FROM = dt.date(2025, 3, 31)  # adds the singular experiment object
ENWIKI_CONTROL_20_FROM = dt.date(2025, 3, 24)
CODFW_PRIMARY = (dt.date(2025, 3, 1), dt.date(2025, 3, 9))  # a made-up switchover

EXTENSIONS = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
EXTENSION_WEIGHTS = (0.24, 0.2, 0.14, 0.18, 0.16, 0.08)

FIXTURE_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests", "fixtures", "ptwiki-account-creation.json"
)

# User ids are local to a wiki, so the same numbers recur on several wikis
# (the unit's grain includes the wiki). Existing accounts, accounts made for a
# special case, and accounts created on a given day live in separate ranges.
EXISTING_USER_FIRST_ID = 1_000
EXISTING_USER_STEP = 13
EXISTING_USER_POOL_MAX = 200_000
SPECIAL_USER_FIRST_ID = 3_000_000
NEW_ACCOUNT_FIRST_ID = 4_000_000
NEW_ACCOUNT_DAY_STRIDE = 20_000
ID_EPOCH = dt.date(2024, 1, 1)
MAX_USER_ID = 2**63 - 1


@dataclasses.dataclass(frozen=True)
class Wiki:
    database: str
    domain_label: str  # pt -> pt.wikipedia.org, pt.m.wikipedia.org
    weight: float
    allocation: str  # surfacing | no_link_recommendation | control_only

    @property
    def desktop_domain(self) -> str:
        return f"{self.domain_label}.wikipedia.org"

    @property
    def mobile_domain(self) -> str:
        return f"{self.domain_label}.m.wikipedia.org"


WIKIS = (
    Wiki("enwiki", "en", 0.28, "no_link_recommendation"),
    Wiki("eswiki", "es", 0.14, "surfacing"),
    Wiki("frwiki", "fr", 0.11, "surfacing"),
    Wiki("ptwiki", "pt", 0.08, "surfacing"),
    Wiki("fawiki", "fa", 0.08, "surfacing"),
    Wiki("idwiki", "id", 0.07, "surfacing"),
    Wiki("arzwiki", "arz", 0.06, "surfacing"),
    Wiki("dewiki", "de", 0.11, "control_only"),
    Wiki("zh_yuewiki", "zh-yue", 0.07, "control_only"),
)
WIKI_BY_DATABASE = {wiki.database: wiki for wiki in WIKIS}


@dataclasses.dataclass(frozen=True)
class GeneratorConfig:
    """Every knob of the generator. `preset_config` gives the presets."""

    events: int = 1_000  # raw lines in the span
    seed: int = 20250304
    start: dt.date = dt.date(2025, 2, 20)
    days: int = 55
    bad_line_rate: float = 0.06  # bad or unusual lines (one kind each, see KINDS)
    duplicate_rate: float = 0.03  # redelivered copies within the day
    cross_day_duplicate_rate: float = 0.004  # copies of the previous day's events
    account_creation_share: float = 0.1  # of the good lines
    multi_variant_rate: float = 0.02  # users whose later events show the other variant
    sul3_share: float = 0.15  # account creations served on auth.wikimedia.org
    mobile_share: float = 0.3
    secondary_datacenter_share: float = 0.15
    active_hours: tuple[int, int] = (0, 24)  # events happen in [first, last) UTC each day
    extension_weights: tuple[float, ...] = EXTENSION_WEIGHTS
    lines_per_file: int = 400
    max_files_per_hour: int = 4
    no_trailing_newline_rate: float = 0.0
    compresslevel: int = 6
    include_real_event: bool = True
    ensure_coverage: bool = True  # every kind of bad/unusual line at least once
    messy_kinds: bool = False  # also the kinds that are only for tests
    skew: tuple[tuple[str, float], ...] = ()  # (wiki, share of the non-control variant)

    @property
    def end(self) -> dt.date:
        """The last day of the span."""
        return self.start + dt.timedelta(days=self.days - 1)

    def skew_for(self, database: str) -> float | None:
        for wiki, share in self.skew:
            if wiki == database:
                return share
        return None


PRESETS: dict[str, dict] = {
    "sample": dict(
        events=2_000,
        start=dt.date(2025, 2, 20),
        days=55,
        bad_line_rate=0.07,
        duplicate_rate=0.03,
        cross_day_duplicate_rate=0.025,
        # a sample extract: six busy hours a day, mostly one datacenter and
        # gzip, so that it stays under 1 MB
        active_hours=(10, 16),
        secondary_datacenter_share=0.06,
        extension_weights=(0.14, 0.14, 0.1, 0.26, 0.24, 0.12),
        lines_per_file=8,
        max_files_per_hour=3,
        no_trailing_newline_rate=0.05,
        compresslevel=9,
    ),
    "messy": dict(
        events=3_000,
        start=dt.date(2025, 2, 26),
        days=40,
        bad_line_rate=0.14,
        duplicate_rate=0.06,
        cross_day_duplicate_rate=0.01,
        multi_variant_rate=0.05,
        lines_per_file=25,
        max_files_per_hour=3,
        no_trailing_newline_rate=0.15,
        messy_kinds=True,
    ),
    "benchmark": dict(
        events=2_000_000,
        start=dt.date(2025, 3, 2),
        days=30,
        bad_line_rate=0.01,
        duplicate_rate=0.02,
        cross_day_duplicate_rate=0.002,
        lines_per_file=700,
        max_files_per_hour=4,
        compresslevel=1,
        include_real_event=False,
        ensure_coverage=False,
    ),
}


def preset_config(name: str = "sample", **overrides) -> GeneratorConfig:
    """The preset's configuration with some fields overridden."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose from {sorted(PRESETS)}")
    values = dict(PRESETS[name])
    values.update({key: value for key, value in overrides.items() if value is not None})
    return GeneratorConfig(**values)


# ---------------------------------------------------------------------------
# Users and variants


def bucket(user_id: int, name: str) -> float:
    """GrowthExperiments' sample: md5(user id . name), 6 hex digits / 2^24 * 100."""
    digest = hashlib.md5(f"{user_id}{name}".encode()).hexdigest()
    return int(digest[:6], 16) / 2**24 * 100


def new_account_ids_per_day(cfg: GeneratorConfig, day: dt.date, wiki: Wiki) -> int:
    """How many accounts a wiki creates on a day (a function of the options only)."""
    lines = cfg.events / max(cfg.days, 1)
    expected = lines * cfg.account_creation_share * (1 - cfg.bad_line_rate) * wiki.weight
    fraction = bucket(day.toordinal(), f"{cfg.seed}{wiki.database}") / 100
    return min(NEW_ACCOUNT_DAY_STRIDE, int(expected + fraction))


def new_account_id(day: dt.date, index: int) -> int:
    return NEW_ACCOUNT_FIRST_ID + (day - ID_EPOCH).days * NEW_ACCOUNT_DAY_STRIDE + index


def registration_date(user_id: int) -> dt.date | None:
    """The creation day of an account from the new-account range, else None."""
    if user_id < NEW_ACCOUNT_FIRST_ID or user_id > MAX_USER_ID // 2:
        return None
    return ID_EPOCH + dt.timedelta(days=(user_id - NEW_ACCOUNT_FIRST_ID) // NEW_ACCOUNT_DAY_STRIDE)


def existing_pool_size(cfg: GeneratorConfig, wiki: Wiki) -> int:
    return max(20, min(EXISTING_USER_POOL_MAX, int(cfg.events * wiki.weight / 25)))


def assigned_variant(cfg: GeneratorConfig, wiki: Wiki, user_id: int) -> str:
    """The variant the wiki's configuration gives the user."""
    skew = cfg.skew_for(wiki.database)
    if wiki.allocation == "surfacing":
        share = 50.0 if skew is None else skew * 100
        return "surfacing-structured-task" if bucket(user_id, "surfacing-structured-task") < share else "control"
    if wiki.allocation == "no_link_recommendation":
        if skew is not None:
            control_percent = (1 - skew) * 100
        else:
            registered = registration_date(user_id)
            if registered is None:
                control_percent = 2.0
            elif registered < ENWIKI_CONTROL_20_FROM:
                control_percent = 10.0
            else:
                control_percent = 20.0
        return "control" if bucket(user_id, "no-link-recommendation") < control_percent else "no-link-recommendation"
    return "control"


def other_variant(wiki: Wiki, variant: str) -> str:
    if wiki.allocation == "surfacing":
        return "control" if variant != "control" else "surfacing-structured-task"
    if wiki.allocation == "no_link_recommendation":
        return "control" if variant != "control" else "no-link-recommendation"
    return variant


def is_multi_variant_user(cfg: GeneratorConfig, wiki: Wiki, user_id: int) -> bool:
    if wiki.allocation == "control_only":
        return False
    return bucket(user_id, f"{wiki.database}:variant-noise") < cfg.multi_variant_rate * 100


# ---------------------------------------------------------------------------
# Events: a spec, its dict (the real event's key order) and a fast renderer


@dataclasses.dataclass
class EventSpec:
    action_source: str
    schema_version: str  # 1.3.0 | 1.3.1 | 1.4.1
    domain: str
    database: str | None
    meta_id: str
    meta_dt: str
    request_id: str
    datacenter: str
    offset: int
    event_dt: str
    user_id: int
    edit_count: int
    experiment: str
    variant: str


def schema_version_on(day: dt.date) -> str:
    if day >= SCHEMA_141_FROM:
        return "1.4.1"
    if day >= SCHEMA_131_FROM:
        return "1.3.1"
    return "1.3.0"


def event_dict(spec: EventSpec) -> dict:
    """The event as a dict, keys in the order of the real event."""
    event: dict = {
        "http": {"request_headers": {"user-agent": ""}},
        "meta": {
            "domain": spec.domain,
            "stream": STREAM,
            "id": spec.meta_id,
            "dt": spec.meta_dt,
            "request_id": spec.request_id,
            "topic": f"{spec.datacenter}.{STREAM}",
            "partition": 0,
            "offset": spec.offset,
        },
        "dt": spec.event_dt,
    }
    if spec.database is not None:
        event["mediawiki"] = {"database": spec.database}
    event["$schema"] = SCHEMA_PREFIX + spec.schema_version
    event["action"] = "experiment_enrollment"
    event["agent"] = {"client_platform": "mediawiki_php"}
    event["action_source"] = spec.action_source
    event["performer"] = {"id": spec.user_id}
    if spec.schema_version != "1.3.0":
        event["performer"]["edit_count"] = spec.edit_count
    event["experiments"] = {"enrolled": [spec.experiment], "assigned": {spec.experiment: spec.variant}}
    if spec.schema_version == "1.4.1":
        event["experiment"] = {"coordinator": "custom", "enrolled": spec.experiment, "assigned": spec.variant}
    return event


_STRING_FIELDS = ("domain", "meta_id", "meta_dt", "request_id", "datacenter", "event_dt", "database", "experiment", "variant")
_INTEGER_FIELDS = ("offset", "user_id", "edit_count")
_TEMPLATES: dict[tuple[str, str, bool], str] = {}


def _template(action_source: str, schema_version: str, has_database: bool) -> str:
    """A pre-serialised event with %(field)s slots, equal to json.dumps(event_dict(spec))."""
    key = (action_source, schema_version, has_database)
    template = _TEMPLATES.get(key)
    if template is None:
        sentinel = {name: f"@@{name}@@" for name in _STRING_FIELDS + _INTEGER_FIELDS}
        spec = EventSpec(
            action_source=action_source,
            schema_version=schema_version,
            database=sentinel["database"] if has_database else None,
            **{name: sentinel[name] for name in _STRING_FIELDS + _INTEGER_FIELDS if name != "database"},
        )
        text = json.dumps(event_dict(spec)).replace("%", "%%")
        for name in _STRING_FIELDS:
            text = text.replace(f"@@{name}@@", f"%({name})s")
        for name in _INTEGER_FIELDS:
            text = text.replace(f'"@@{name}@@"', f"%({name})d")
        template = _TEMPLATES[key] = text
    return template


_PLAIN_TEXT: set[str] = set()


def _is_plain_json_text(value: str) -> bool:
    """Whether JSON writes the string as is (no escapes), so a template may hold it."""
    if value in _PLAIN_TEXT:
        return True
    if json.dumps(value)[1:-1] == value:
        _PLAIN_TEXT.add(value)
        return True
    return False


def render_event(spec: EventSpec) -> str:
    """The event's JSON line (fast path: a pre-serialised template)."""
    values = spec.__dict__
    if not (_is_plain_json_text(spec.experiment) and _is_plain_json_text(spec.variant)):
        return json.dumps(event_dict(spec))
    return _template(spec.action_source, spec.schema_version, spec.database is not None) % values


def uuid4_text(rng: random.Random) -> str:
    value = rng.getrandbits(128)
    value = (value & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
    value = (value & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def iso_seconds(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# ---------------------------------------------------------------------------
# Records: one raw line, where it goes and what the rules should make of it


@dataclasses.dataclass
class Record:
    text: str
    expected: str  # 'accepted' or the rejection reason the line should get
    kind: str  # 'event', 'redelivery' or the name of a bad/unusual kind
    datacenter: str
    hour: int  # hour of the day (the folder)
    sort_ms: int  # arrival time within the day, orders lines in a file
    slot: int  # picks the file within the hour (slot % number of files)


@dataclasses.dataclass
class GeneratedFile:
    """One file: its path under the output folder and its lines."""

    path: str
    lines: list[str]
    expected: list[str]
    kinds: list[str]
    trailing_newline: bool = True

    @property
    def compressed(self) -> bool:
        return self.path.endswith(".gz")

    def text(self) -> str:
        body = "\n".join(self.lines)
        if self.trailing_newline or (self.lines and self.lines[-1] == ""):
            body += "\n"
        return body

    def data(self, compresslevel: int = 6) -> bytes:
        raw = self.text().encode("utf-8")
        for forbidden in (b"\x00", b"\x1f", b"\r"):
            if forbidden in raw:
                raise ValueError(f"{self.path}: forbidden byte {forbidden!r}")
        if not self.compressed:
            return raw
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=compresslevel, mtime=0) as archive:
            archive.write(raw)
        return buffer.getvalue()


class DayContext:
    """Random stream and helpers for generating one day."""

    def __init__(self, cfg: GeneratorConfig, day: dt.date):
        self.cfg = cfg
        self.day = day
        self.rng = random.Random(f"{cfg.seed}/{day.isoformat()}")
        self.midnight = dt.datetime(day.year, day.month, day.day)
        self.records: list[Record] = []
        self.good: list[Record] = []
        self.offsets = {dc: (day - ID_EPOCH).days * 5_000_000 for dc in DATACENTERS}
        self.special_users = 0
        self.day_prefix = day.isoformat() + "T"
        self.seconds: dict[int, str] = {}
        self.schema_version = schema_version_on(day)
        self.variants: dict[tuple[str, int], tuple[str, bool]] = {}
        primary = "codfw" if CODFW_PRIMARY[0] <= day <= CODFW_PRIMARY[1] else "eqiad"
        self.primary = primary
        self.secondary = "eqiad" if primary == "codfw" else "codfw"
        first, last = cfg.active_hours
        weights = [
            (1.0 + 0.9 * math.sin((hour - 7) / 24 * 2 * math.pi)) if first <= hour < last else 0.0
            for hour in range(24)
        ]
        self.hour_cumulative = [sum(weights[: hour + 1]) for hour in range(24)]

    # times -----------------------------------------------------------------

    def second_text(self, second: int) -> str:
        """YYYY-MM-DDThh:mm:ss of a second of the day (cached)."""
        text = self.seconds.get(second)
        if text is None:
            minutes, seconds = divmod(second, 60)
            hours, minutes = divmod(minutes, 60)
            text = self.seconds[second] = f"{self.day_prefix}{hours:02d}:{minutes:02d}:{seconds:02d}"
        return text

    def random_second(self) -> int:
        hour = self.rng.choices(range(24), cum_weights=self.hour_cumulative)[0]
        return hour * 3600 + self.rng.randrange(3600)

    def datacenter(self) -> str:
        return self.secondary if self.rng.random() < self.cfg.secondary_datacenter_share else self.primary

    # events ----------------------------------------------------------------

    def spec(
        self,
        action_source: str,
        wiki: Wiki,
        user_id: int,
        second: int,
        variant: str,
        edit_count: int = 0,
        domain: str | None = None,
    ) -> tuple[EventSpec, int]:
        """A good event at `second` of the day; returns it and its arrival in ms."""
        rng = self.rng
        second = min(max(second, 0), 86_399)
        arrival_ms = second * 1000 + rng.randrange(40, 1500)
        if rng.random() < 0.01:  # a late delivery
            arrival_ms += rng.randrange(60_000, 3 * 3600_000)
        arrival_ms = min(arrival_ms, 86_399_999)
        has_database = self.day >= DATABASE_FROM
        if domain is None:
            domain = wiki.mobile_domain if rng.random() < self.cfg.mobile_share else wiki.desktop_domain
        datacenter = self.datacenter()
        self.offsets[datacenter] += 1
        spec = EventSpec(
            action_source=action_source,
            schema_version=self.schema_version,
            domain=domain,
            database=wiki.database if has_database else None,
            meta_id=uuid4_text(rng),
            meta_dt=f"{self.second_text(arrival_ms // 1000)}.{arrival_ms % 1000:03d}Z",
            request_id=uuid4_text(rng),
            datacenter=datacenter,
            offset=self.offsets[datacenter],
            event_dt=self.second_text(second) + "Z",
            user_id=user_id,
            edit_count=edit_count,
            experiment=EXPERIMENT,
            variant=variant,
        )
        return spec, arrival_ms

    def add(self, text: str, expected: str, kind: str, datacenter: str, arrival_ms: int, slot: int | None = None) -> Record:
        record = Record(
            text=text,
            expected=expected,
            kind=kind,
            datacenter=datacenter,
            hour=arrival_ms // 3600_000,
            sort_ms=arrival_ms,
            slot=self.rng.getrandbits(20) if slot is None else slot,
        )
        self.records.append(record)
        return record

    def add_event(self, spec: EventSpec, arrival_ms: int, expected: str = "accepted") -> Record:
        record = self.add(render_event(spec), expected, "event", spec.datacenter, arrival_ms)
        if expected == "accepted":
            self.good.append(record)
        return record

    def random_wiki(self) -> Wiki:
        return self.rng.choices(WIKIS, weights=[wiki.weight for wiki in WIKIS])[0]

    def random_user(self, wiki: Wiki) -> int:
        """An account that views pages: a recent new account or an older one."""
        rng = self.rng
        if rng.random() < 0.45:
            for _ in range(3):
                created = self.day - dt.timedelta(days=rng.randrange(0, 14))
                count = new_account_ids_per_day(self.cfg, created, wiki)
                if count:
                    return new_account_id(created, rng.randrange(count))
        size = existing_pool_size(self.cfg, wiki)
        index = int(size * rng.random() ** 2)  # a few users view many pages
        return EXISTING_USER_FIRST_ID + index * EXISTING_USER_STEP

    def special_user(self) -> int:
        self.special_users += 1
        return SPECIAL_USER_FIRST_ID + (self.day - ID_EPOCH).days * 1_000 + self.special_users

    def page_variant(self, wiki: Wiki, user_id: int) -> str:
        """The variant a page view logs: the user's, or for a few users now and then the other."""
        known = self.variants.get((wiki.database, user_id))
        if known is None:
            known = self.variants[(wiki.database, user_id)] = (
                assigned_variant(self.cfg, wiki, user_id),
                is_multi_variant_user(self.cfg, wiki, user_id),
            )
        variant, is_multi_variant = known
        if is_multi_variant and self.rng.random() < 0.5:
            return other_variant(wiki, variant)
        return variant

    def edit_count(self, user_id: int) -> int:
        if self.day < SCHEMA_131_FROM:
            return 0  # before T388622 only 0-edit users were logged
        registered = registration_date(user_id)
        if registered is not None and (self.day - registered).days < 3:
            return self.rng.choice((0, 0, 0, 1, 2))
        return min(99, int(self.rng.expovariate(1 / 12)))

    def good_spec(self, action_source: str | None = None) -> tuple[EventSpec, int]:
        """A random good event of the day, for a bad or unusual line to start from."""
        wiki = self.random_wiki()
        source = action_source or self.rng.choice((SOURCE_ACCOUNT_CREATION, SOURCE_PAGE_IMPRESSION))
        user_id = self.random_user(wiki)
        return self.spec(
            source, wiki, user_id, self.random_second(), self.page_variant(wiki, user_id), self.edit_count(user_id)
        )


# ---------------------------------------------------------------------------
# Bad and unusual lines. Each kind writes one or more lines whose expected
# outcome (accepted or a rejection reason) is known.


def _dump(event: object) -> str:
    return json.dumps(event, ensure_ascii=False)


def _mutated(ctx: DayContext, change: Callable[[dict], None], source: str | None = None) -> tuple[str, str, int]:
    spec, arrival = ctx.good_spec(source)
    event = event_dict(spec)
    change(event)
    return _dump(event), spec.datacenter, arrival


def _single(expected: str, change: Callable[[DayContext, dict], None], source: str | None = None):
    def kind(ctx: DayContext, name: str) -> None:
        text, datacenter, arrival = _mutated(ctx, lambda event: change(ctx, event), source)
        ctx.add(text, expected, name, datacenter, arrival)

    return kind


def _raw(expected: str, make_text: Callable[[DayContext], str]):
    def kind(ctx: DayContext, name: str) -> None:
        spec, arrival = ctx.good_spec()
        ctx.add(make_text(ctx), expected, name, spec.datacenter, arrival)

    return kind


def _pair_same_file(expected: str, make_text: Callable[[DayContext], str]):
    def kind(ctx: DayContext, name: str) -> None:
        spec, arrival = ctx.good_spec()
        text = make_text(ctx)
        slot = ctx.rng.getrandbits(20)
        ctx.add(text, expected, name, spec.datacenter, arrival, slot)
        ctx.add(text, expected, name, spec.datacenter, arrival, slot)

    return kind


def _set(path: str, value: object) -> Callable[[DayContext, dict], None]:
    keys = path.split(".")

    def change(ctx: DayContext, event: dict) -> None:
        target = event
        for key in keys[:-1]:
            target = target.setdefault(key, {})
        target[keys[-1]] = value

    return change


def _delete(path: str) -> Callable[[DayContext, dict], None]:
    keys = path.split(".")

    def change(ctx: DayContext, event: dict) -> None:
        target = event
        for key in keys[:-1]:
            target = target.get(key, {})
        target.pop(keys[-1], None)

    return change


def _all(*changes: Callable[[DayContext, dict], None]) -> Callable[[DayContext, dict], None]:
    def change(ctx: DayContext, event: dict) -> None:
        for one in changes:
            one(ctx, event)

    return change


def _choice(*changes: Callable[[DayContext, dict], None]) -> Callable[[DayContext, dict], None]:
    def change(ctx: DayContext, event: dict) -> None:
        ctx.rng.choice(changes)(ctx, event)

    return change


def _drop_database(ctx: DayContext, event: dict) -> None:
    event.pop("mediawiki", None)


def _only_singular_experiment(ctx: DayContext, event: dict) -> None:
    variant = event["experiments"]["assigned"][EXPERIMENT]
    event.pop("experiments")
    event["$schema"] = SCHEMA_PREFIX + "1.4.1"
    event["experiment"] = {"coordinator": "custom", "enrolled": EXPERIMENT, "assigned": variant}


def _singular(enrolled: object, assigned: object, keep_map: dict | None = None):
    def change(ctx: DayContext, event: dict) -> None:
        if keep_map is None:
            event.pop("experiments", None)
        else:
            event["experiments"] = {"enrolled": [EXPERIMENT], "assigned": dict(keep_map)}
        event["$schema"] = SCHEMA_PREFIX + "1.4.1"
        event["experiment"] = {"coordinator": "custom", "enrolled": enrolled, "assigned": assigned}

    return change


def _timestamp_text(ctx: DayContext, event: dict, zone_minutes: int, digits: int, zone: str) -> str:
    moment = dt.datetime.strptime(event["dt"], "%Y-%m-%dT%H:%M:%SZ")
    moment += dt.timedelta(microseconds=ctx.rng.randrange(1_000_000))
    local = moment + dt.timedelta(minutes=zone_minutes)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += "." + f"{local.microsecond:06d}"[:digits]
    if zone == "offset":
        sign = "+" if zone_minutes >= 0 else "-"
        text += f"{sign}{abs(zone_minutes) // 60:02d}:{abs(zone_minutes) % 60:02d}"
    elif zone == "Z":
        text += "Z"
    return text


def _offset_timestamp(ctx: DayContext, event: dict) -> None:
    minutes = ctx.rng.choice((120, 120, 60, -300, 330, -210))
    event["dt"] = _timestamp_text(ctx, event, minutes, ctx.rng.choice((0, 0, 3)), "offset")


def _fraction_timestamp(ctx: DayContext, event: dict) -> None:
    event["dt"] = _timestamp_text(ctx, event, 0, ctx.rng.randrange(1, 7), ctx.rng.choice(("Z", "none")))


def _no_zone_timestamp(ctx: DayContext, event: dict) -> None:
    event["dt"] = _timestamp_text(ctx, event, 0, 0, "none")


BAD_DT_VALUES = (
    "2025-02-30T10:00:00Z",
    "2025-02-29T10:00:00Z",
    "2025-04-31T23:59:59Z",
    "2025-03-05T25:00:00Z",
    "2025-03-05T10:61:00Z",
    "2025-03-05 10:00:00",
    "2025-03-05T10:00:00.1234567Z",
    "2025-03-05T10:00:00+0200",
    "2025-03-05T10:00Z",
    "2025-03-05",
    "20250305T100000Z",
    "yesterday",
    "",
    None,
    1741169100,
)


def _bad_dt(ctx: DayContext, event: dict) -> None:
    value = ctx.rng.choice(BAD_DT_VALUES + ("missing",))
    if value == "missing":
        event.pop("dt", None)
    else:
        event["dt"] = value


def _bad_meta_dt(ctx: DayContext, event: dict) -> None:
    value = ctx.rng.choice(BAD_DT_VALUES + ("missing",))
    if value == "missing":
        event["meta"].pop("dt", None)
    else:
        event["meta"]["dt"] = value


def _canary_example(ctx: DayContext) -> str:
    """A canary event as the canary job sends it: the schema's example, domain canary."""
    moment = ctx.midnight + dt.timedelta(seconds=ctx.random_second())
    return _dump(
        {
            "$schema": SCHEMA_PREFIX + "1.3.0",
            "action": "dolor",
            "agent": {"client_platform": "mediawiki_js"},
            "dt": iso_millis(moment),
            "experiments": {"assigned": {"dolorb": "dolor"}, "enrolled": ["dolor"]},
            "meta": {"domain": "canary", "dt": iso_millis(moment), "id": uuid4_text(ctx.rng), "stream": STREAM},
            "performer": {"id": 1},
            "sample": {"rate": 0.15, "unit": "pageview"},
        }
    )


def _truncated(ctx: DayContext) -> str:
    spec, _ = ctx.good_spec()
    text = render_event(spec)
    return text[: ctx.rng.randrange(len(text) // 5, len(text) - 1)]


def _kind_conflicting_copies(ctx: DayContext, name: str, same_time: bool = False) -> None:
    """Two deliveries with one meta.id that differ: the earliest copy (then the md5 of its text) is the event."""
    wiki = ctx.random_wiki()
    user_id = ctx.special_user()
    variant = assigned_variant(ctx.cfg, wiki, user_id)
    spec, arrival = ctx.spec(SOURCE_PAGE_IMPRESSION, wiki, user_id, ctx.random_second(), variant, ctx.edit_count(user_id))
    first = event_dict(spec)
    second = json.loads(json.dumps(first))
    second["experiments"]["assigned"][EXPERIMENT] = other_variant(wiki, variant) if wiki.allocation != "control_only" else "control-late"
    second.pop("experiment", None)
    if not same_time:
        later = dt.datetime.strptime(first["dt"], "%Y-%m-%dT%H:%M:%SZ") + dt.timedelta(minutes=ctx.rng.randrange(1, 90))
        second["dt"] = iso_seconds(later)
    ctx.add(_dump(second), "accepted", name, spec.datacenter, min(arrival + 3_600_000, 86_399_999))
    ctx.add(_dump(first), "accepted", name, spec.datacenter, arrival)


def _kind_variant_tie(ctx: DayContext, name: str, with_meta_id: bool = True) -> None:
    """Two events of one new unit at the same second in two variants."""
    wiki = ctx.rng.choice([wiki for wiki in WIKIS if wiki.allocation != "control_only"])
    user_id = ctx.special_user()
    second = ctx.random_second()
    variant = assigned_variant(ctx.cfg, wiki, user_id)
    for index, this_variant in enumerate((variant, other_variant(wiki, variant))):
        spec, arrival = ctx.spec(SOURCE_PAGE_IMPRESSION, wiki, user_id, second, this_variant, ctx.edit_count(user_id))
        event = event_dict(spec)
        if not with_meta_id and index == 0:
            event["meta"].pop("id")
        ctx.add(_dump(event), "accepted", name, spec.datacenter, arrival)


def _kind_no_meta_id_pair(ctx: DayContext, name: str, same_file: bool) -> None:
    text, datacenter, arrival = _mutated(ctx, lambda event: event["meta"].pop("id"))
    slot = ctx.rng.getrandbits(20) if same_file else None
    ctx.add(text, "accepted", name, datacenter, arrival, slot)
    later = arrival if same_file else min(arrival + ctx.rng.randrange(1, 7_200_000), 86_399_999)
    ctx.add(text, "accepted", name, ctx.datacenter() if not same_file else datacenter, later, slot)


def _two_experiments(ctx: DayContext, event: dict) -> None:
    other = "growthexperiments-revise-tone"
    group = ctx.rng.choice(("control", "treatment"))
    event["experiments"]["enrolled"].append(other)
    event["experiments"]["assigned"][other] = f"{other}_{group}"


def _singular_other_experiment(ctx: DayContext, event: dict) -> None:
    event["$schema"] = SCHEMA_PREFIX + "1.4.1"
    event["experiment"] = {
        "coordinator": "xLab",
        "enrolled": "growthexperiments-revise-tone",
        "assigned": ctx.rng.choice(("control", "treatment")),
        "subject_id": hashlib.sha256(str(ctx.rng.random()).encode()).hexdigest(),
        "sampling_unit": "mw-user",
    }


def _singular_disagrees_with_map(ctx: DayContext, event: dict) -> None:
    event["$schema"] = SCHEMA_PREFIX + "1.4.1"
    event["experiment"] = {"coordinator": "custom", "enrolled": EXPERIMENT, "assigned": "some-other-variant"}


def _forced_assignment(ctx: DayContext, event: dict) -> None:
    """An override forced the variant (a tester, say): the singular object
    has coordinator `forced`, as Metrics Platform's overrides send it."""
    event["$schema"] = SCHEMA_PREFIX + "1.4.1"
    event["experiment"] = {
        "coordinator": "forced",
        "enrolled": EXPERIMENT,
        "assigned": event["experiments"]["assigned"][EXPERIMENT],
        "subject_id": "overridden",
        "sampling_unit": "overridden",
    }


def _extra_fields(ctx: DayContext, event: dict) -> None:
    event["page"] = {"id": ctx.rng.randrange(1, 10**7), "namespace_id": 0, "title": "Água", "revision_id": 123}
    event["performer"].update({"is_logged_in": True, "is_temp": False, "edit_count_bucket": "0 edits"})
    event["mediawiki"] = dict(event.get("mediawiki", {}), skin="minerva", version="1.44.0-wmf.19")


@dataclasses.dataclass(frozen=True)
class Kind:
    name: str
    expected: str
    write: Callable[[DayContext, str], None]
    weight: float = 1.0
    messy_only: bool = False


KINDS: tuple[Kind, ...] = (
    # malformed_json
    Kind("truncated_json", "malformed_json", _raw("malformed_json", _truncated), 3),
    Kind("empty_line", "malformed_json", _raw("malformed_json", lambda ctx: ""), 2),
    Kind("empty_line_pair_same_file", "malformed_json", _pair_same_file("malformed_json", lambda ctx: "")),
    Kind("whitespace_line", "malformed_json", _raw("malformed_json", lambda ctx: ctx.rng.choice((" ", "  ", "\t")))),
    Kind("json_array", "malformed_json", _raw("malformed_json", lambda ctx: "[" + render_event(ctx.good_spec()[0]) + "]")),
    Kind("json_empty_array", "malformed_json", _raw("malformed_json", lambda ctx: "[]")),
    Kind("json_string", "malformed_json", _raw("malformed_json", lambda ctx: '"experiment_enrollment"')),
    Kind("json_scalar", "malformed_json", _raw("malformed_json", lambda ctx: ctx.rng.choice(("42", "null", "true", "-1.5")))),
    Kind(
        "not_json",
        "malformed_json",
        _raw("malformed_json", lambda ctx: ctx.rng.choice(("not json", "<html><body>502 Bad Gateway</body></html>", "{'meta': 1}"))),
    ),
    Kind("garbage_pair_same_file", "malformed_json", _pair_same_file("malformed_json", lambda ctx: "}{")),
    # canary
    Kind("canary_example", "canary", _raw("canary", _canary_example), 2),
    Kind("canary_enrollment", "canary", _single("canary", _all(_set("meta.domain", "canary"), _drop_database))),
    Kind("canary_bad_action", "canary", _single("canary", _all(_set("meta.domain", "canary"), _set("action", "dolor"), _set("performer.id", "x")))),
    # not_enrollment_action
    Kind(
        "other_action",
        "not_enrollment_action",
        _single(
            "not_enrollment_action",
            _choice(*(_set("action", value) for value in ("experiment_exposure", "click", "edit_saved", "Experiment_Enrollment", "experiment_enrollment "))),
        ),
        2,
    ),
    Kind("action_missing", "not_enrollment_action", _single("not_enrollment_action", _delete("action"))),
    Kind("action_null", "not_enrollment_action", _single("not_enrollment_action", _set("action", None))),
    Kind("action_non_ascii", "not_enrollment_action", _single("not_enrollment_action", _set("action", "expérience_enrôlement"))),
    Kind("other_action_and_bad_user", "not_enrollment_action", _single("not_enrollment_action", _all(_set("action", "click"), _set("performer.id", "12")))),
    # unknown_action_source
    Kind(
        "other_action_source",
        "unknown_action_source",
        _single(
            "unknown_action_source",
            _choice(*(_set("action_source", value) for value in ("SpecialHomepageHook", "HomepageHooks", "", "beforepagedisplayhook"))),
        ),
    ),
    Kind("action_source_missing", "unknown_action_source", _single("unknown_action_source", _delete("action_source"))),
    Kind("action_source_null", "unknown_action_source", _single("unknown_action_source", _set("action_source", None))),
    # missing_user_id
    Kind("user_id_missing", "missing_user_id", _single("missing_user_id", _delete("performer.id"))),
    Kind("performer_missing", "missing_user_id", _single("missing_user_id", _delete("performer"))),
    Kind("user_id_null", "missing_user_id", _single("missing_user_id", _set("performer.id", None))),
    Kind("user_id_string", "missing_user_id", _single("missing_user_id", _set("performer.id", "12"))),
    Kind("user_id_decimal", "missing_user_id", _single("missing_user_id", _choice(_set("performer.id", 1.5), _set("performer.id", 1000.0)))),
    Kind("user_id_zero", "missing_user_id", _single("missing_user_id", _set("performer.id", 0))),
    Kind("user_id_negative", "missing_user_id", _single("missing_user_id", _set("performer.id", -42))),
    Kind("user_id_too_large", "missing_user_id", _single("missing_user_id", _choice(_set("performer.id", 2**63), _set("performer.id", 2**64 + 5)))),
    Kind("user_id_boolean", "missing_user_id", _single("missing_user_id", _set("performer.id", True))),
    Kind("user_id_bad_and_no_wiki", "missing_user_id", _single("missing_user_id", _all(_set("performer.id", None), _drop_database, _set("meta.domain", "auth.wikimedia.org")))),
    # unresolved_wiki
    Kind(
        "sul3_domain_no_database",
        "unresolved_wiki",
        _single("unresolved_wiki", _all(_drop_database, _set("meta.domain", "auth.wikimedia.org")), SOURCE_ACCOUNT_CREATION),
        2,
    ),
    Kind(
        "other_domain_no_database",
        "unresolved_wiki",
        _single(
            "unresolved_wiki",
            _all(
                _drop_database,
                _choice(
                    *(
                        _set("meta.domain", value)
                        for value in (
                            "login.wikimedia.org",
                            "www.wikipedia.org",
                            "www.m.wikipedia.org",
                            "commons.wikimedia.org",
                            "meta.wikimedia.org",
                            "en.wiktionary.org",
                            "wikipedia.org",
                        )
                    )
                ),
            ),
        ),
        2,
    ),
    Kind("domain_missing_no_database", "unresolved_wiki", _single("unresolved_wiki", _all(_drop_database, _delete("meta.domain")))),
    Kind("empty_database_sul3", "unresolved_wiki", _single("unresolved_wiki", _all(_set("mediawiki", {"database": ""}), _set("meta.domain", "auth.wikimedia.org")))),
    Kind("null_database_login", "unresolved_wiki", _single("unresolved_wiki", _all(_set("mediawiki", {"database": None}), _set("meta.domain", "login.wikimedia.org")))),
    Kind("unresolved_and_no_assignment", "unresolved_wiki", _single("unresolved_wiki", _all(_drop_database, _set("meta.domain", "auth.wikimedia.org"), _set("experiments.assigned", {})))),
    # missing_assignment
    Kind("assigned_empty_map", "missing_assignment", _single("missing_assignment", _all(_set("experiments.assigned", {}), _delete("experiment")))),
    Kind("variant_empty", "missing_assignment", _single("missing_assignment", _all(_set("experiments.assigned", {EXPERIMENT: ""}), _delete("experiment")))),
    Kind("variant_null", "missing_assignment", _single("missing_assignment", _all(_set("experiments.assigned", {EXPERIMENT: None}), _delete("experiment")))),
    Kind("variant_number", "missing_assignment", _single("missing_assignment", _all(_set("experiments.assigned", {EXPERIMENT: 5}), _delete("experiment")))),
    Kind("variant_list", "missing_assignment", _single("missing_assignment", _all(_set("experiments.assigned", {EXPERIMENT: ["control"]}), _delete("experiment")))),
    Kind("experiment_name_empty", "missing_assignment", _single("missing_assignment", _all(_set("experiments.assigned", {"": "control"}), _delete("experiment")))),
    Kind("experiments_missing", "missing_assignment", _single("missing_assignment", _all(_delete("experiments"), _delete("experiment")))),
    Kind("assigned_missing", "missing_assignment", _single("missing_assignment", _all(_delete("experiments.assigned"), _delete("experiment")))),
    Kind("singular_variant_empty", "missing_assignment", _single("missing_assignment", _singular(EXPERIMENT, ""))),
    Kind("singular_experiment_empty", "missing_assignment", _single("missing_assignment", _singular("", "control"))),
    Kind("singular_variant_number", "missing_assignment", _single("missing_assignment", _singular(EXPERIMENT, 7))),
    Kind("map_and_singular_empty", "missing_assignment", _single("missing_assignment", _singular(EXPERIMENT, "", keep_map={EXPERIMENT: ""}))),
    Kind("no_assignment_bad_time", "missing_assignment", _single("missing_assignment", _all(_set("experiments.assigned", {}), _delete("experiment"), _bad_dt, _bad_meta_dt))),
    # missing_timestamp
    Kind("both_timestamps_bad", "missing_timestamp", _single("missing_timestamp", _all(_bad_dt, _bad_meta_dt)), 3),
    Kind("both_timestamps_missing", "missing_timestamp", _single("missing_timestamp", _all(_delete("dt"), _delete("meta.dt")))),
    # accepted, unusual
    Kind("singular_experiment_only", "accepted", _single("accepted", _only_singular_experiment), 2),
    Kind("dt_bad_meta_dt_fallback", "accepted", _single("accepted", _bad_dt), 2),
    Kind("dt_offset", "accepted", _single("accepted", _offset_timestamp), 2),
    Kind("dt_fraction", "accepted", _single("accepted", _fraction_timestamp)),
    Kind("dt_no_zone", "accepted", _single("accepted", _no_zone_timestamp)),
    Kind("meta_id_missing", "accepted", _single("accepted", lambda ctx, event: event["meta"].pop("id"))),
    Kind("meta_id_empty", "accepted", _single("accepted", _set("meta.id", ""))),
    Kind("meta_id_null", "accepted", _single("accepted", _set("meta.id", None))),
    Kind("no_meta_id_identical_pair", "accepted", lambda ctx, name: _kind_no_meta_id_pair(ctx, name, False)),
    Kind("no_meta_id_identical_pair_same_file", "accepted", lambda ctx, name: _kind_no_meta_id_pair(ctx, name, True)),
    Kind("empty_database_domain_fallback", "accepted", _single("accepted", _set("mediawiki", {"database": ""}))),
    Kind("mobile_domain_no_database", "accepted", _single("accepted", _all(_drop_database, lambda ctx, event: event["meta"].update(domain=WIKI_BY_DATABASE["ptwiki"].mobile_domain)))),
    Kind("zh_yue_domain_no_database", "accepted", _single("accepted", _all(_drop_database, _set("meta.domain", "zh-yue.wikipedia.org")))),
    Kind("map_variant_empty_singular_used", "accepted", _single("accepted", _singular(EXPERIMENT, "control", keep_map={EXPERIMENT: ""}))),
    Kind("singular_disagrees_with_map", "accepted", _single("accepted", _singular_disagrees_with_map)),
    Kind("largest_user_id", "accepted", _single("accepted", _set("performer.id", MAX_USER_ID))),
    Kind("extra_fields", "accepted", _single("accepted", _extra_fields)),
    Kind("conflicting_copies", "accepted", _kind_conflicting_copies),
    Kind("conflicting_copies_same_time", "accepted", lambda ctx, name: _kind_conflicting_copies(ctx, name, True)),
    Kind("variant_tie", "accepted", _kind_variant_tie),
    Kind("variant_tie_without_meta_id", "accepted", lambda ctx, name: _kind_variant_tie(ctx, name, False)),
    Kind("two_experiments", "accepted", _single("accepted", _two_experiments), messy_only=True),
    Kind("singular_other_experiment", "accepted", _single("accepted", _singular_other_experiment), messy_only=True),
    Kind("forced_assignment", "accepted", _single("accepted", _forced_assignment), 2, messy_only=True),
    Kind(
        "non_ascii_variant",
        "accepted",
        _single("accepted", _all(_set("experiments.assigned", {EXPERIMENT: "contrôle-ü"}), _delete("experiment"))),
        messy_only=True,
    ),
)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}
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


def active_kinds(cfg: GeneratorConfig) -> list[Kind]:
    return [kind for kind in KINDS if cfg.messy_kinds or not kind.messy_only]


# ---------------------------------------------------------------------------
# One day


def span_days(cfg: GeneratorConfig) -> list[dt.date]:
    return [cfg.start + dt.timedelta(days=index) for index in range(cfg.days)]


def lines_on(cfg: GeneratorConfig, day: dt.date) -> int:
    index = (day - cfg.start).days
    base, extra = divmod(cfg.events, max(cfg.days, 1))
    return base + (1 if 0 <= index < extra else 0)


def real_event_line() -> str:
    with open(FIXTURE_PATH, encoding="utf-8") as handle:
        return json.dumps(json.load(handle))


def generate_day(cfg: GeneratorConfig, day: dt.date, previous: list[Record] | None) -> list[Record]:
    """The raw lines arriving on `day`. `previous`: the day before's good lines, if in the span."""
    ctx = DayContext(cfg, day)
    rng = ctx.rng
    total = lines_on(cfg, day)
    if cfg.days > 0 and day > cfg.end:  # an appended day
        total = cfg.events // cfg.days
    cross_day = round(total * cfg.cross_day_duplicate_rate) if previous else 0
    bad = round(total * cfg.bad_line_rate)
    same_day_copies = round(total * cfg.duplicate_rate)
    good_budget = max(0, total - cross_day - bad - same_day_copies)
    records = ctx.records

    if cfg.include_real_event and day == dt.date(2025, 3, 4) and good_budget:
        arrival = (22 * 3600 + 15 * 60 + 55) * 1000 + 897
        ctx.good.append(ctx.add(real_event_line(), "accepted", "real_event", "codfw", arrival))

    # New accounts: one LocalUserCreatedHook event each, then maybe page views.
    creations = []
    for wiki in WIKIS:
        for index in range(new_account_ids_per_day(cfg, day, wiki)):
            creations.append((wiki, new_account_id(day, index)))
    rng.shuffle(creations)
    for wiki, user_id in creations:
        if len(records) >= good_budget:
            break
        second = ctx.random_second()
        domain = "auth.wikimedia.org" if rng.random() < cfg.sul3_share else None
        variant = assigned_variant(cfg, wiki, user_id)
        spec, arrival = ctx.spec(SOURCE_ACCOUNT_CREATION, wiki, user_id, second, variant, 0, domain)
        ctx.add_event(spec, arrival, "accepted" if spec.database or domain is None else "unresolved_wiki")
        if rng.random() < 0.6:
            views = 1 + int(rng.expovariate(1 / 3))
            for _ in range(views):
                if len(records) >= good_budget:
                    break
                second += rng.randrange(15, 900)
                if second >= 86_400:
                    break
                spec, arrival = ctx.spec(
                    SOURCE_PAGE_IMPRESSION, wiki, user_id, second, ctx.page_variant(wiki, user_id), ctx.edit_count(user_id)
                )
                ctx.add_event(spec, arrival)

    # Page views of other accounts, in bursts.
    while len(records) < good_budget:
        wiki = ctx.random_wiki()
        user_id = ctx.random_user(wiki)
        second = ctx.random_second()
        for _ in range(1 + int(rng.expovariate(1 / 4))):
            if len(records) >= good_budget or second >= 86_400:
                break
            spec, arrival = ctx.spec(
                SOURCE_PAGE_IMPRESSION, wiki, user_id, second, ctx.page_variant(wiki, user_id), ctx.edit_count(user_id)
            )
            ctx.add_event(spec, arrival)
            second += rng.randrange(20, 1200)

    # Bad and unusual lines.
    kinds = active_kinds(cfg)
    planned: list[Kind] = []
    if cfg.ensure_coverage and cfg.days > 0:
        index = (day - cfg.start).days
        planned = [kind for position, kind in enumerate(kinds) if position % cfg.days == index % cfg.days]
    before = len(records)
    for kind in planned:
        kind.write(ctx, kind.name)
    weights = [kind.weight for kind in kinds]
    while len(records) - before < bad:
        kind = rng.choices(kinds, weights=weights)[0]
        kind.write(ctx, kind.name)

    # Redelivered copies: same text, same file, another file or another hour.
    good = ctx.good
    same_day_copies = max(0, total - cross_day - len(records))
    for _ in range(same_day_copies if good else 0):
        original = rng.choice(good)
        where = rng.random()
        if where < 0.3:
            ctx.add(original.text, original.expected, "redelivery", original.datacenter, original.sort_ms, original.slot)
        elif where < 0.7:
            ctx.add(original.text, original.expected, "redelivery", original.datacenter, original.sort_ms + 1)
        else:
            hour = original.hour + 1 if original.hour < 23 else original.hour - 1
            ctx.add(original.text, original.expected, "redelivery", ctx.datacenter(), hour * 3600_000 + rng.randrange(3600_000))
    for _ in range(cross_day if previous else 0):
        original = rng.choice(previous)
        ctx.add(original.text, original.expected, "redelivery_next_day", ctx.datacenter(), rng.randrange(0, 6 * 3600_000))
    return records


def day_files(cfg: GeneratorConfig, day: dt.date, records: list[Record]) -> list[GeneratedFile]:
    """Split a day's lines into hour folders and files."""
    rng = random.Random(f"{cfg.seed}/{day.isoformat()}/files")
    by_hour: dict[tuple[str, int], list[Record]] = {}
    for record in records:
        by_hour.setdefault((record.datacenter, record.hour), []).append(record)
    files = []
    for (datacenter, hour) in sorted(by_hour):
        hour_records = by_hour[(datacenter, hour)]
        count = min(cfg.max_files_per_hour, max(1, math.ceil(len(hour_records) / cfg.lines_per_file)))
        if count < cfg.max_files_per_hour and rng.random() < 0.3:
            count += 1
        buckets: list[list[tuple[int, int, Record]]] = [[] for _ in range(count)]
        for position, record in enumerate(hour_records):
            buckets[record.slot % count].append((record.sort_ms, position, record))
        folder = f"datacenter={datacenter}/year={day.year}/month={day.month}/day={day.day}/hour={hour}"
        for number, bucket_records in enumerate(buckets):
            if not bucket_records:
                continue
            bucket_records.sort(key=lambda item: (item[0], item[1]))
            extension = rng.choices(EXTENSIONS, weights=cfg.extension_weights)[0]
            files.append(
                GeneratedFile(
                    path=f"{folder}/part-{number:02d}{extension}",
                    lines=[record.text for _, _, record in bucket_records],
                    expected=[record.expected for _, _, record in bucket_records],
                    kinds=[record.kind for _, _, record in bucket_records],
                    trailing_newline=rng.random() >= cfg.no_trailing_newline_rate,
                )
            )
    return files


def _ensure_all_extensions(files: list[GeneratedFile]) -> None:
    """Give every extension at least one file (deterministically)."""
    present = {extension: 0 for extension in EXTENSIONS}
    for file in files:
        present[_extension(file.path)] += 1
    for extension in EXTENSIONS:
        if present[extension]:
            continue
        for file in files:
            current = _extension(file.path)
            if present[current] > 1:
                present[current] -= 1
                present[extension] += 1
                file.path = file.path[: -len(current)] + extension
                break


def _extension(path: str) -> str:
    for extension in sorted(EXTENSIONS, key=len, reverse=True):
        if path.endswith(extension):
            return extension
    raise ValueError(path)


def iter_day_files(cfg: GeneratorConfig, append_day: bool = False) -> Iterator[tuple[dt.date, list[GeneratedFile]]]:
    """(day, files) for each day of the span, or only for the day after it."""
    if append_day:
        new_day = cfg.end + dt.timedelta(days=1)
        # The last day's good lines (for copies redelivered on the new day) do
        # not depend on which lines the day before it had, only on whether it
        # had any: a placeholder stands in for them.
        placeholder = [Record("", "accepted", "event", "eqiad", 0, 0, 0)] if cfg.days > 1 else None
        previous = generate_day(cfg, cfg.end, placeholder)
        records = generate_day(cfg, new_day, _good(previous))
        yield new_day, day_files(cfg, new_day, records)
        return
    previous = None
    for day in span_days(cfg):
        records = generate_day(cfg, day, _good(previous))
        yield day, day_files(cfg, day, records)
        previous = records


def _good(records: list[Record] | None) -> list[Record] | None:
    if records is None:
        return None
    return [record for record in records if record.kind in ("event", "real_event") and record.expected == "accepted"]


def generate_files(cfg: GeneratorConfig, append_day: bool = False) -> list[GeneratedFile]:
    """All files in memory (for tests and small presets)."""
    files = [file for _, day_list in iter_day_files(cfg, append_day) for file in day_list]
    if cfg.ensure_coverage and not append_day:
        _ensure_all_extensions(files)
    return files


def generate_lines(cfg: GeneratorConfig) -> list[str]:
    """Every raw line of the data set, file by file."""
    return [line for file in generate_files(cfg) for line in file.lines]


def write_files(files: Iterable[GeneratedFile], out_dir: str, compresslevel: int = 6) -> tuple[int, int, int]:
    """Write files under out_dir; returns (files, lines, bytes written)."""
    count = lines = size = 0
    for file in files:
        path = os.path.join(out_dir, file.path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = file.data(compresslevel)
        with open(path, "wb") as handle:
            handle.write(data)
        count += 1
        lines += len(file.lines)
        size += len(data)
    return count, lines, size


def clean_output(out_dir: str) -> None:
    """Remove the data-lake folders (datacenter=*) a previous run wrote."""
    if not os.path.isdir(out_dir):
        return
    for name in os.listdir(out_dir):
        if name.startswith("datacenter="):
            shutil.rmtree(os.path.join(out_dir, name))


def write_dataset(cfg: GeneratorConfig, out_dir: str, append_day: bool = False) -> dict:
    """Generate and write the data set (day by day for big presets); returns figures."""
    started = time.perf_counter()
    totals = [0, 0, 0]
    if cfg.ensure_coverage and not append_day:
        batches: Iterable[list[GeneratedFile]] = [generate_files(cfg)]
    else:
        batches = (day_list for _, day_list in iter_day_files(cfg, append_day))
    for batch in batches:
        for index, value in enumerate(write_files(batch, out_dir, cfg.compresslevel)):
            totals[index] += value
    return {"files": totals[0], "lines": totals[1], "bytes": totals[2], "seconds": round(time.perf_counter() - started, 2)}


# ---------------------------------------------------------------------------
# Command line


def _parse_skew(text: str) -> tuple[str, float]:
    wiki, _, share = text.partition(":")
    if wiki not in WIKI_BY_DATABASE or WIKI_BY_DATABASE[wiki].allocation == "control_only":
        raise argparse.ArgumentTypeError(f"{wiki!r} has no two-variant allocation")
    try:
        value = float(share)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"share {share!r} is not a number") from error
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("share must be between 0 and 1")
    return wiki, value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Write realistic raw experiment_enrollment events (newline-delimited JSON, plain and gzip) "
        "in the data lake's datacenter=/year=/month=/day=/hour= folders.",
        epilog="Example: python scripts/generate_events.py --preset sample --out sample_data/events --clean",
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), default="sample", help="sample (shipped sample), messy (tests), benchmark (2M lines); default sample")
    parser.add_argument("--events", type=int, help="number of raw lines in the span (default: the preset's)")
    parser.add_argument("--seed", type=int, default=GeneratorConfig.seed, help="random seed (default %(default)s)")
    parser.add_argument("--out", required=True, help="output folder (the datacenter=... folders go in it)")
    parser.add_argument("--start", type=dt.date.fromisoformat, help="first day, YYYY-MM-DD (default: the preset's)")
    parser.add_argument("--days", type=int, help="number of days (default: the preset's)")
    parser.add_argument("--append-day", action="store_true", help="write only the day after the span (run with the same options as before)")
    parser.add_argument("--skew-wiki", type=_parse_skew, action="append", default=[], metavar="WIKI:SHARE", help="share of the non-control variant on a wiki, e.g. frwiki:0.53 (repeatable)")
    parser.add_argument("--compresslevel", type=int, choices=range(1, 10), metavar="1-9", help="gzip level (default: the preset's)")
    parser.add_argument("--clean", action="store_true", help="first delete the datacenter=* folders already in --out")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.events is not None and args.events < 0:
        raise SystemExit("--events must be >= 0")
    if args.days is not None and args.days < 1:
        raise SystemExit("--days must be >= 1")
    if args.clean and args.append_day:
        raise SystemExit("--clean and --append-day together would delete the span the day is appended to")
    cfg = preset_config(
        args.preset,
        events=args.events,
        seed=args.seed,
        start=args.start,
        days=args.days,
        compresslevel=args.compresslevel,
        skew=tuple(args.skew_wiki) or None,
    )
    if args.clean:
        clean_output(args.out)
    figures = write_dataset(cfg, args.out, append_day=args.append_day)
    if not args.quiet:
        first = cfg.end + dt.timedelta(days=1) if args.append_day else cfg.start
        last = first if args.append_day else cfg.end
        print(
            f"wrote {figures['lines']} lines in {figures['files']} files ({figures['bytes'] / 1e6:.1f} MB) "
            f"for {first}..{last} under {args.out} in {figures['seconds']} s",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
