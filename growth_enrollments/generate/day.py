"""One day's raw lines: Record (a line, where it goes, what the rules should make of it) and DayContext."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random

from growth_enrollments.generate.config import (
    CODFW_PRIMARY,
    DATABASE_FROM,
    DATACENTERS,
    EXISTING_USER_FIRST_ID,
    EXISTING_USER_STEP,
    EXPERIMENT,
    ID_EPOCH,
    SCHEMA_131_FROM,
    SOURCE_ACCOUNT_CREATION,
    SOURCE_PAGE_IMPRESSION,
    SPECIAL_USER_FIRST_ID,
    WIKIS,
    GeneratorConfig,
    Wiki,
)
from growth_enrollments.generate.events import EventSpec, render_event, schema_version_on, uuid4_text
from growth_enrollments.generate.users import (
    assigned_variant,
    existing_pool_size,
    is_multi_variant_user,
    new_account_id,
    new_account_ids_per_day,
    other_variant,
    registration_date,
)


@dataclasses.dataclass
class Record:
    text: str
    expected: str  # 'accepted' or the rejection reason the line should get
    kind: str  # 'event', 'redelivery' or the name of a bad/unusual kind
    datacenter: str
    hour: int  # hour of the day (the folder)
    sort_ms: int  # arrival time within the day, orders lines in a file
    slot: int  # picks the file within the hour (slot % number of files)


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
