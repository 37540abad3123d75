"""Bad and unusual lines: every kind the rules reject or accept, each written with its expected outcome."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable

from growth_enrollments.generate.config import (
    EXPERIMENT,
    MAX_USER_ID,
    SCHEMA_PREFIX,
    SOURCE_ACCOUNT_CREATION,
    SOURCE_PAGE_IMPRESSION,
    STREAM,
    WIKI_BY_DATABASE,
    WIKIS,
    GeneratorConfig,
)
from growth_enrollments.generate.day import DayContext
from growth_enrollments.generate.events import event_dict, iso_millis, iso_seconds, render_event, uuid4_text
from growth_enrollments.generate.users import assigned_variant, other_variant


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
