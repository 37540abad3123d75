"""Events: a spec, its dict (the real event's key order) and a fast renderer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random

from growth_enrollments.generate.config import SCHEMA_131_FROM, SCHEMA_141_FROM, SCHEMA_PREFIX, STREAM


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
