"""Users and variants: account ids, bucketing as GrowthExperiments does, and the variant a user logs."""

from __future__ import annotations

import datetime as dt
import hashlib

from growth_enrollments.generate.config import (
    ENWIKI_CONTROL_20_FROM,
    EXISTING_USER_POOL_MAX,
    ID_EPOCH,
    MAX_USER_ID,
    NEW_ACCOUNT_DAY_STRIDE,
    NEW_ACCOUNT_FIRST_ID,
    GeneratorConfig,
    Wiki,
)


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
