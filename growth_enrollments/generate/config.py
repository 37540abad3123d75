"""What the generator knows of the stream and the wikis, and its options (GeneratorConfig, the presets)."""

from __future__ import annotations

import dataclasses
import datetime as dt

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
