"""Generate realistic raw `experiment_enrollment` events for the pipeline (`growth-enrollments generate`).

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
  docs/rules.md's rule 1 rejects or accepts.

Presets: `sample` (the shipped sample), `messy` (tests: many bad lines),
`benchmark` (2 million lines over 30 days, fast path, gzip level 1).

Examples:

    growth-enrollments generate --preset sample --out sample_data/events --clean
    growth-enrollments generate --preset messy --seed 7 --out /tmp/messy
    growth-enrollments generate --preset benchmark --out /tmp/bench --clean
    growth-enrollments generate --preset benchmark --out /tmp/bench --append-day

Everything is a function of the options: the same options write the same
bytes. Each day is generated from its own seeded random stream, so
`--append-day` (same options otherwise) adds the day after the span without
rewriting it. Only the standard library is used.

Modules: `config` (the stream, the wikis, the options and presets), `users`
(ids and variants), `events` (one event's JSON), `day` (one day's lines),
`kinds` (the bad and unusual lines), `files` (laying lines out in files and
writing them), `dataset` (a whole data set).
"""

from growth_enrollments.generate.config import (
    EXTENSIONS,
    PRESETS,
    SCHEMA_PREFIX,
    SOURCE_ACCOUNT_CREATION,
    SOURCE_PAGE_IMPRESSION,
    STREAM,
    WIKI_BY_DATABASE,
    WIKIS,
    GeneratorConfig,
    preset_config,
)
from growth_enrollments.generate.dataset import generate_files, generate_lines, iter_day_files, write_dataset
from growth_enrollments.generate.day import DayContext
from growth_enrollments.generate.events import event_dict, render_event
from growth_enrollments.generate.files import GeneratedFile, clean_output, extension_of, write_files
from growth_enrollments.generate.kinds import KINDS, REJECTION_REASONS, Kind
from growth_enrollments.generate.users import assigned_variant

__all__ = [
    "EXTENSIONS",
    "KINDS",
    "PRESETS",
    "REJECTION_REASONS",
    "SCHEMA_PREFIX",
    "SOURCE_ACCOUNT_CREATION",
    "SOURCE_PAGE_IMPRESSION",
    "STREAM",
    "WIKIS",
    "WIKI_BY_DATABASE",
    "DayContext",
    "GeneratedFile",
    "GeneratorConfig",
    "Kind",
    "assigned_variant",
    "clean_output",
    "event_dict",
    "extension_of",
    "generate_files",
    "generate_lines",
    "iter_day_files",
    "preset_config",
    "render_event",
    "write_dataset",
    "write_files",
]
