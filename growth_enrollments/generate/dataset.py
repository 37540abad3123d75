"""A whole data set, day by day: the good lines, the bad ones and the redelivered copies."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterable, Iterator

from growth_enrollments.generate.config import (
    SOURCE_ACCOUNT_CREATION,
    SOURCE_PAGE_IMPRESSION,
    WIKIS,
    GeneratorConfig,
)
from growth_enrollments.generate.day import DayContext, Record
from growth_enrollments.generate.files import GeneratedFile, day_files, ensure_all_extensions, write_files
from growth_enrollments.generate.kinds import Kind, active_kinds
from growth_enrollments.generate.users import assigned_variant, new_account_id, new_account_ids_per_day

# the real event the generated ones imitate (from the repository's tests)
FIXTURE_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    os.pardir,
    os.pardir,
    "tests",
    "fixtures",
    "ptwiki-account-creation.json",
)

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
        ensure_all_extensions(files)
    return files


def generate_lines(cfg: GeneratorConfig) -> list[str]:
    """Every raw line of the data set, file by file."""
    return [line for file in generate_files(cfg) for line in file.lines]


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
