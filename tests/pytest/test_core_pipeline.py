"""End to end: raw event files -> `dbt build` -> every public model, compared
row for row with the independent oracle (tests/pytest/oracle.py).

Data: the `messy` preset of growth_enrollments.generate (every kind of bad and
unusual line, with the outcome each line should get), the shipped sample,
a few small seeded data sets, an empty glob and hand-written edge lines.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
from collections import Counter
from pathlib import Path

import oracle
import pytest
from datasets import Dataset, assert_built, generate_dataset
from dbt_project_runner import DbtProject

from growth_enrollments import cli, generate

PUBLIC_MODELS = oracle.PUBLIC_MODELS


# ---------------------------------------------------------------------------
# helpers


def _cell(value: object) -> tuple[str, str]:
    # the type name keeps True from equalling 1 and a Decimal from passing for an int
    return (type(value).__name__, repr(value))


def canonical(rows: list[tuple]) -> list[tuple]:
    return sorted(tuple(_cell(value) for value in row) for row in rows)


def assert_model_matches(project: DbtProject, result: oracle.OracleResult, model: str) -> None:
    """The model's rows equal the oracle's, as a multiset, values and types."""
    columns = oracle.MODEL_COLUMNS[model]
    actual = canonical(project.read_table(model, columns))
    expected = canonical(result.models[model])
    if actual == expected:
        return
    only_sql = list((Counter(actual) - Counter(expected)).elements())
    only_oracle = list((Counter(expected) - Counter(actual)).elements())

    def show(rows: list[tuple]) -> str:
        return "\n".join("  " + repr(tuple(value for _, value in row))[:600] for row in rows[:8])

    pytest.fail(
        f"{model}: {len(actual)} rows in dbt, {len(expected)} from the oracle; columns {columns}\n"
        f"only in dbt ({len(only_sql)}):\n{show(only_sql)}\n"
        f"only in the oracle ({len(only_oracle)}):\n{show(only_oracle)}",
        pytrace=False,
    )


# ---------------------------------------------------------------------------
# the messy data set


def test_dbt_build_exits_zero_on_messy_input(messy_project: DbtProject) -> None:
    run = messy_project.last_run
    assert run is not None
    assert run.returncode == 0, run.stdout
    assert re.search(r"\bERROR=0\b", run.stdout), run.stdout[-3000:]


def test_parsed_lines_store_their_random_keys_uncompressed(messy_project: DbtProject) -> None:
    """The table of parsed lines, rebuilt each run, stores its md5s and UUIDs
    without compression (meta `uncompressed_columns`,
    macros/storage/duckdb__create_table_as.sql); its other columns and the
    stored history keep DuckDB's compression."""

    def compressions(table: str) -> dict[str, set[str]]:
        rows = messy_project.query(
            "select column_name, list(distinct compression) from pragma_storage_info(?)"
            " where segment_type = 'VARCHAR' group by column_name",
            [table],
        )
        return {column: set(methods) for column, methods in rows}

    parsed = compressions("int_event_lines_classified")
    assert parsed["raw_line_md5"] == parsed["meta_id"] == {"Uncompressed"}, parsed
    assert "Uncompressed" not in parsed["source_file"], parsed
    stored = compressions("state_event_copies")
    assert "Uncompressed" not in stored["raw_line_md5"] | stored["meta_id"], stored


@pytest.mark.parametrize("model", PUBLIC_MODELS)
def test_messy_model_matches_oracle(messy_project: DbtProject, messy_dataset: Dataset, model: str) -> None:
    assert_built(messy_project)
    assert_model_matches(messy_project, messy_dataset.oracle, model)


def test_oracle_gives_each_line_the_outcome_it_was_generated_for(messy_dataset: Dataset) -> None:
    expected = messy_dataset.expected_by_line()
    outcomes = {(line.source_file, line.position): line.reason or "accepted" for line in messy_dataset.oracle.lines}
    assert outcomes.keys() == expected.keys()
    wrong = {key: (expected[key], outcome) for key, outcome in outcomes.items() if outcome != expected[key]}
    assert not wrong, list(wrong.items())[:10]


def test_every_rejection_reason_and_every_line_kind_occurs(messy_dataset: Dataset) -> None:
    """The messy set cannot pass vacuously: each reason and each kind of line is in it."""
    reasons = messy_dataset.oracle.reasons()
    assert set(oracle.REJECTION_REASONS) <= reasons.keys(), reasons
    assert reasons["accepted"] > len(messy_dataset.oracle.lines) / 2
    kinds = Counter(kind for file in messy_dataset.files for kind in file.kinds)
    assert {kind.name for kind in generate.KINDS} <= kinds.keys()
    assert kinds["redelivery"] and kinds["redelivery_next_day"] and kinds["real_event"] == 1


def test_messy_set_exercises_the_hard_rules(messy_dataset: Dataset) -> None:
    result = messy_dataset.oracle
    enrollments = result.rows("fct_experiment_enrollments")
    assert any(row["is_multi_variant"] for row in enrollments)
    assert {row["cohort"] for row in enrollments} == {"account_creation", "page_impression"}
    assert any(row["new_account_users"] and row["existing_account_users"] for row in result.rows("fct_page_impression_variant_counts"))
    assert any(row["duplicate_lines"] for row in result.rows("fct_event_line_reconciliation"))
    assert any(row["line_occurrence"] > 1 for row in result.rows("fct_rejected_events"))
    assert any(row["raw_line"] == "" for row in result.rows("fct_rejected_events"))
    accepted = [line for line in result.lines if line.accepted]
    assert any(line.meta_id is None for line in accepted)
    # the same text without meta.id more than once: one event
    texts = Counter(line.raw_line for line in accepted if line.meta_id is None)
    assert any(count > 1 for count in texts.values())
    # the same meta.id with different texts
    by_id: dict[str, set[str]] = {}
    for line in accepted:
        if line.meta_id:
            by_id.setdefault(line.meta_id, set()).add(line.raw_line)
    assert any(len(texts) > 1 for texts in by_id.values())
    # the same user id on two wikis
    users = Counter((row["user_id"], row["cohort"], row["experiment"]) for row in enrollments)
    assert any(count > 1 for count in users.values())
    # files without a final newline
    assert any(not file.trailing_newline for file in messy_dataset.files)


@pytest.mark.parametrize("dataset_name", ["messy_dataset", "sample_dataset"])
def test_reconciliation_identity_holds_in_the_oracle(dataset_name: str, request: pytest.FixtureRequest) -> None:
    dataset: Dataset = request.getfixturevalue(dataset_name)
    result = dataset.oracle
    assert oracle.reconciliation_holds(result)
    rows = result.rows("fct_event_line_reconciliation")
    assert sum(row["raw_lines"] for row in rows) == len(result.lines)
    assert sum(row["accepted_events"] for row in rows) == len(result.events)
    assert sum(row["rejected_lines"] for row in rows) == len(result.models["fct_rejected_events"])
    assert {row["source_file"] for row in rows} == {path for path in dataset.paths if oracle.read_raw_lines(path, dataset.cwd)}


def test_gzip_and_every_extension_are_read(messy_project: DbtProject, messy_dataset: Dataset) -> None:
    assert_built(messy_project)
    raw_lines = dict(messy_project.read_table("fct_event_line_reconciliation", ["source_file", "raw_lines"]))
    by_extension: Counter = Counter()
    for file in messy_dataset.files:
        path = str(messy_dataset.root / file.path)
        with open(path, "rb") as handle:
            assert (handle.read(2) == b"\x1f\x8b") == file.compressed, path
        assert raw_lines.get(path) == len(file.lines), path
        by_extension[generate.extension_of(file.path)] += 1
    assert set(by_extension) == set(generate.EXTENSIONS)


# ---------------------------------------------------------------------------
# the shipped sample


@pytest.mark.parametrize("model", PUBLIC_MODELS)
def test_sample_model_matches_oracle(sample_project: DbtProject, sample_dataset: Dataset, model: str) -> None:
    assert_built(sample_project)
    assert_model_matches(sample_project, sample_dataset.oracle, model)


def test_sample_is_what_the_generator_writes(sample_dataset: Dataset) -> None:
    """sample_data/events is exactly `growth-enrollments generate --preset sample` (so it can be regenerated)."""
    # compared after decompression: gzip bytes depend on the zlib build
    cfg = generate.preset_config("sample")
    generated = {file.path: file.text().encode("utf-8") for file in generate.generate_files(cfg)}
    on_disk = {}
    size = 0
    for path in sample_dataset.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            size += len(data)
            on_disk[path.relative_to(sample_dataset.root).as_posix()] = gzip.decompress(data) if path.suffix == ".gz" else data
    assert sorted(on_disk) == sorted(generated)
    assert [name for name in generated if on_disk[name] != generated[name]] == []
    assert size < 1_000_000


def test_sample_covers_the_cases(sample_dataset: Dataset, repo_root: Path) -> None:
    result = sample_dataset.oracle
    assert set(oracle.REJECTION_REASONS) <= result.reasons().keys()
    real_event = json.dumps(json.loads((repo_root / "tests/fixtures/ptwiki-account-creation.json").read_text()))
    assert [line.raw_line for line in result.lines].count(real_event) == 1
    wikis = {row["wiki"] for row in result.rows("fct_experiment_enrollments")}
    assert {"arzwiki", "eswiki", "fawiki", "frwiki", "idwiki", "ptwiki", "enwiki", "zh_yuewiki"} <= wikis
    schemas = Counter(json.loads(line.raw_line).get("$schema") for line in result.lines if line.accepted)
    assert {generate.SCHEMA_PREFIX + version for version in ("1.3.0", "1.3.1", "1.4.1")} <= schemas.keys()
    assert {generate.extension_of(path) for path in sample_dataset.paths} == set(generate.EXTENSIONS)
    days = {line.enrolled_at.date() for line in result.lines if line.accepted}
    assert min(days) <= dt.date(2025, 2, 21) and max(days) >= dt.date(2025, 4, 14)


# ---------------------------------------------------------------------------
# more inputs


def test_glob_matching_no_file_builds_empty_models(make_project, tmp_path: Path) -> None:
    (tmp_path / "no_events").mkdir()
    project = make_project(Dataset(root=tmp_path / "no_events", events_path=str(tmp_path / "no_events" / "**" / "*.*json*")))
    assert_built(project)
    for model in PUBLIC_MODELS:
        assert project.read_table(model) == [], model


# Small data sets with different seeds, spans and allocations: each is built
# and every model compared. Spans cross the schema and database changes.
PROPERTY_CASES = [
    dict(seed=1, start=dt.date(2025, 2, 27), days=9, events=500),
    dict(seed=2, start=dt.date(2025, 3, 14), days=8, events=450, skew=(("frwiki", 0.7),)),
    dict(seed=3, start=dt.date(2025, 3, 28), days=6, events=400, bad_line_rate=0.3),
]


@pytest.mark.parametrize("case", PROPERTY_CASES, ids=lambda case: f"seed{case['seed']}")
def test_seeded_data_sets_match_oracle(case: dict, make_project, tmp_path: Path) -> None:
    cfg = generate.preset_config("messy", **case)
    dataset = generate_dataset(cfg, tmp_path / "events")
    assert oracle.reconciliation_holds(dataset.oracle)
    project = assert_built(make_project(dataset))
    for model in PUBLIC_MODELS:
        assert_model_matches(project, dataset.oracle, model)


# Hand-written lines at the edges of the rules, each with the outcome the
# rules (docs/rules.md) give it. One file, built once.
def _event(**changes: object) -> dict:
    event = {
        "meta": {"domain": "fr.wikipedia.org", "id": "edge-0", "dt": "2025-03-20T10:00:00.500Z", "stream": generate.STREAM},
        "dt": "2025-03-20T10:00:00Z",
        "mediawiki": {"database": "frwiki"},
        "$schema": "/analytics/product_metrics/web/base/1.3.1",
        "action": "experiment_enrollment",
        "action_source": "BeforePageDisplayHook",
        "performer": {"id": 7, "edit_count": 0},
        "experiments": {"enrolled": ["growth-experiments"], "assigned": {"growth-experiments": "control"}},
    }
    for path, value in changes.items():
        keys = path.split("__")
        target = event
        for key in keys[:-1]:
            target = target.setdefault(key, {})
        if value is _DROP:
            target.pop(keys[-1], None)
        else:
            target[keys[-1]] = value
    return event


_DROP = object()

EDGE_LINES: list[tuple[str, str]] = [
    ("", "malformed_json"),
    ("   ", "malformed_json"),
    ("[]", "malformed_json"),
    ("{}", "not_enrollment_action"),
    ('{"meta": {"domain": "canary"}}', "canary"),
    (json.dumps(_event(meta__id="edge-1")), "accepted"),
    (json.dumps(_event(meta__id="edge-2", performer__id=2**63 - 1)), "accepted"),
    (json.dumps(_event(meta__id="edge-3", performer__id=2**63)), "missing_user_id"),
    (json.dumps(_event(meta__id="edge-4", performer__id=-1)), "missing_user_id"),
    (json.dumps(_event(meta__id="edge-5", performer__id=False)), "missing_user_id"),
    (json.dumps(_event(meta__id="edge-6", performer__id=3.0)), "missing_user_id"),
    (json.dumps(_event(meta__id="edge-7", performer__id="7")), "missing_user_id"),
    (json.dumps(_event(meta__id="edge-8", mediawiki=_DROP, meta__domain="zh-yue.m.wikipedia.org")), "accepted"),
    (json.dumps(_event(meta__id="edge-9", mediawiki=_DROP, meta__domain="www.wikipedia.org")), "unresolved_wiki"),
    (json.dumps(_event(meta__id="edge-10", mediawiki=_DROP, meta__domain="auth.wikimedia.org")), "unresolved_wiki"),
    (json.dumps(_event(meta__id="edge-11", mediawiki__database="", meta__domain="pt.m.wikipedia.org")), "accepted"),
    (json.dumps(_event(meta__id="edge-12", mediawiki=_DROP, meta__domain="en.wiktionary.org")), "unresolved_wiki"),
    # rule 2: the seed of exceptions first, else a language part shaped like a language code
    (json.dumps(_event(meta__id="edge-30", mediawiki=_DROP, meta__domain="be-tarask.wikipedia.org")), "accepted"),
    (json.dumps(_event(meta__id="edge-31", mediawiki=_DROP, meta__domain="be-tarask.m.wikipedia.org")), "accepted"),
    (json.dumps(_event(meta__id="edge-32", mediawiki=_DROP, meta__domain="simple.wikipedia.org")), "accepted"),
    (json.dumps(_event(meta__id="edge-33", mediawiki=_DROP, meta__domain="zh-min-nan.wikipedia.org")), "accepted"),
    (json.dumps(_event(meta__id="edge-34", mediawiki=_DROP, meta__domain="m.wikipedia.org")), "unresolved_wiki"),
    (json.dumps(_event(meta__id="edge-35", mediawiki=_DROP, meta__domain="www.m.wikipedia.org")), "unresolved_wiki"),
    (json.dumps(_event(meta__id="edge-36", mediawiki=_DROP, meta__domain="wikipedia.wikipedia.org")), "unresolved_wiki"),
    (json.dumps(_event(meta__id="edge-37", mediawiki=_DROP, meta__domain="p1.wikipedia.org")), "unresolved_wiki"),
    (json.dumps(_event(meta__id="edge-38", mediawiki=_DROP, meta__domain="-pt.wikipedia.org")), "unresolved_wiki"),
    (json.dumps(_event(meta__id="edge-13", dt="2024-02-29T23:59:59.123456+02:00")), "accepted"),
    (json.dumps(_event(meta__id="edge-14", dt="2025-02-29T10:00:00Z")), "accepted"),
    (json.dumps(_event(meta__id="edge-15", dt="2025-02-29T10:00:00Z", meta__dt="2025-13-01T00:00:00Z")), "missing_timestamp"),
    (json.dumps(_event(meta__id="edge-16", dt="2025-03-20T10:00:00.1234567Z")), "accepted"),
    (json.dumps(_event(meta__id="edge-17", dt="2025-03-20T23:30:00-05:00")), "accepted"),
    (json.dumps(_event(meta__id="edge-18", dt="2025-03-20T10:00:00")), "accepted"),
    # out-of-range times are not ISO 8601: meta.dt is used instead
    (json.dumps(_event(meta__id="edge-25", dt="2025-03-20T24:00:00Z")), "accepted"),
    (json.dumps(_event(meta__id="edge-26", dt="2025-03-20T10:00:00+24:00")), "accepted"),
    (json.dumps(_event(meta__id="edge-27", dt="2025-03-20T10:00:00+02:60")), "accepted"),
    (json.dumps(_event(meta__id="edge-28", dt="0000-01-01T00:00:00Z")), "accepted"),
    (json.dumps(_event(meta__id="edge-29", dt="2025-03-20T10:60:00Z", meta__dt="0000-03-20T10:00:00Z")), "missing_timestamp"),
    (json.dumps(_event(meta__id="edge-19", experiments__assigned={"growth-experiments": "", "other": "b"})), "accepted"),
    (json.dumps(_event(meta__id="edge-20", experiments=_DROP, experiment={"enrolled": "growth-experiments", "assigned": "control"})), "accepted"),
    (
        json.dumps(_event(meta__id="edge-21", experiment={"enrolled": "growth-experiments", "assigned": "treatment"})),
        "accepted",
    ),
    (json.dumps(_event(meta__id="edge-22", experiments__assigned={"": "x", "e": 1, "f": None})), "missing_assignment"),
    (json.dumps(_event(meta__id="edge-23", action_source="LocalUserCreatedHook", performer__id=7)), "accepted"),
    (json.dumps(_event(meta__id="", dt="2025-03-20T09:00:00Z")), "accepted"),
    (json.dumps(_event(meta__id="", dt="2025-03-20T09:00:00Z")), "accepted"),
    (json.dumps(_event(meta__id="edge-24", action="experiment_enrollment", action_source="BeforePageDisplayHook", performer__id=8), ensure_ascii=False).replace("control", "contrôle"), "accepted"),
]


@pytest.fixture(scope="module")
def edge_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtProject, oracle.OracleResult, list[tuple[str, str]]]:
    root = tmp_path_factory.mktemp("edge_events")
    folder = root / "datacenter=eqiad" / "year=2025" / "month=3" / "day=20" / "hour=10"
    folder.mkdir(parents=True)
    (folder / "edge.jsonl").write_text("\n".join(line for line, _ in EDGE_LINES) + "\n", encoding="utf-8")
    with gzip.open(folder / "edge-copy.json.gz", "wt", encoding="utf-8") as handle:  # the same lines again: all duplicates
        handle.write("\n".join(line for line, _ in EDGE_LINES))
    dataset = Dataset(root=root, events_path=str(root / "**" / "*.*json*"))
    project = DbtProject(root.parent / f"{root.name}_warehouse.duckdb", events_path=dataset.events_path)
    project.build(check=False)
    return project, dataset.oracle, EDGE_LINES


def test_edge_lines_get_the_readme_outcome_in_the_oracle(edge_build) -> None:
    _, result, lines = edge_build
    outcomes = [line.reason or "accepted" for line in result.lines[: len(lines)]]
    assert outcomes == [expected for _, expected in lines]


@pytest.mark.parametrize("model", PUBLIC_MODELS)
def test_edge_lines_model_matches_oracle(edge_build, model: str) -> None:
    project, result, _ = edge_build
    assert_built(project)
    assert_model_matches(project, result, model)


@pytest.mark.parametrize(
    ("domain", "wiki"),
    [
        ("pt.wikipedia.org", "ptwiki"),
        ("pt.m.wikipedia.org", "ptwiki"),
        ("zh-yue.wikipedia.org", "zh_yuewiki"),
        ("zh-min-nan.m.wikipedia.org", "zh_min_nanwiki"),
        ("be-tarask.wikipedia.org", "be_x_oldwiki"),
        ("be-tarask.m.wikipedia.org", "be_x_oldwiki"),
        ("simple.wikipedia.org", "simplewiki"),
        ("m.wikipedia.org", None),
        ("www.wikipedia.org", None),
        ("wikipedia.wikipedia.org", None),
        ("p1.wikipedia.org", None),
        ("pt.wiktionary.org", None),
    ],
)
def test_edge_domains_resolve_to_the_wiki_of_rule_2(edge_build, domain: str, wiki: str | None) -> None:
    """The wikis dbt gives the edge lines without mediawiki.database, and the oracle's rule 2."""
    project, _, _ = edge_build
    event = _event(mediawiki=_DROP, meta__domain=domain)
    assert oracle.resolve_wiki(event, oracle.read_project_domains()) == wiki
    edge_ids = [
        event["meta"]["id"]
        for event in (json.loads(line) for line, _ in EDGE_LINES if line.startswith("{"))
        if event.get("meta", {}).get("domain") == domain and not event.get("mediawiki", {}).get("database")
    ]
    for meta_id in edge_ids:
        wikis = {row[0] for row in project.query("select wiki from main.int_event_lines_classified where meta_id = ?", [meta_id])}
        assert wikis == {wiki}, (domain, meta_id, wikis)


def test_identical_copies_in_one_file_are_one_event(make_project, tmp_path: Path) -> None:
    """Rule 5 with a full tie: each line redelivered twice into the same file.

    Both copies have the same time, text md5 and file path; one of them must
    be the event, the other a duplicate line. (A few hundred such pairs: a
    tie that is broken differently by two window functions shows only once
    the engine sorts in parallel.)
    """
    folder = tmp_path / "events" / "datacenter=eqiad" / "year=2025" / "month=3" / "day=20" / "hour=10"
    folder.mkdir(parents=True)
    lines = []
    for number in range(1, 301):
        line = json.dumps(_event(meta__id=f"copy-{number:03d}", performer__id=100 + number, dt=f"2025-03-20T10:{number % 60:02d}:00Z"))
        lines += [line, line]
    (folder / "part-00.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    dataset = Dataset(root=tmp_path / "events", events_path=str(tmp_path / "events" / "**" / "*.*json*"))
    assert dataset.oracle.models["fct_event_line_reconciliation"] == [(str(folder / "part-00.jsonl"), 600, 0, 300, 300)]
    project = assert_built(make_project(dataset))
    for model in PUBLIC_MODELS:
        assert_model_matches(project, dataset.oracle, model)


# ---------------------------------------------------------------------------
# the generator itself


def test_generator_is_deterministic_and_writes_clean_lines() -> None:
    cfg = generate.preset_config("messy", events=600, days=5, start=dt.date(2025, 3, 16))
    first = generate.generate_files(cfg)
    second = generate.generate_files(cfg)
    assert [(file.path, file.data()) for file in first] == [(file.path, file.data()) for file in second]
    folder = re.compile(r"datacenter=(eqiad|codfw)/year=2025/month=3/day=(1[6-9]|20)/hour=([0-9]|1[0-9]|2[0-3])/part-[0-9]{2}\.(json|jsonl|ndjson)(\.gz)?")
    for file in first:
        assert folder.fullmatch(file.path), file.path
        for line in file.lines:
            assert not set(line) & {"\x00", "\x1f", "\r", "\n"}, line
    assert generate.generate_files(generate.preset_config("messy", events=600, days=5, seed=9)) != first


def test_fast_path_renders_exactly_the_event_dict() -> None:
    for day in (dt.date(2025, 3, 1), dt.date(2025, 3, 20), dt.date(2025, 4, 2)):
        ctx = generate.DayContext(generate.preset_config("benchmark"), day)
        for _ in range(300):
            spec, _ = ctx.good_spec()
            assert generate.render_event(spec) == json.dumps(generate.event_dict(spec))


def test_events_have_the_shape_of_the_real_event(repo_root: Path) -> None:
    real = json.loads((repo_root / "tests/fixtures/ptwiki-account-creation.json").read_text())
    ctx = generate.DayContext(generate.preset_config("sample"), dt.date(2025, 3, 4))
    spec, _ = ctx.good_spec(generate.SOURCE_ACCOUNT_CREATION)
    event = generate.event_dict(spec)

    def shape(value: object) -> object:
        if isinstance(value, dict):
            return {key: shape(item) for key, item in value.items() if key != "growth-experiments"}
        return type(value).__name__

    assert list(event) == list(real)
    assert shape(event) == shape(real)


def test_append_day_adds_only_the_next_day(tmp_path: Path) -> None:
    options = ["--preset", "benchmark", "--events", "3000", "--days", "3", "--start", "2025-03-30", "--out", str(tmp_path), "--quiet"]
    assert cli.main(["generate", *options]) == 0
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert cli.main(["generate", *options, "--append-day"]) == 0
    after = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert all(after[path] == data for path, data in before.items())
    added = set(after) - set(before)
    assert added and all("/month=4/day=2/" in path.as_posix() for path in added)
    lines = [line for path in added for line in oracle.read_raw_lines(str(path))]
    assert 900 <= len(lines) <= 1100
    earlier = {line for path in before for line in oracle.read_raw_lines(str(path))}
    assert any(line in earlier for line in lines)  # redelivered copies of the day before
    assert len(oracle.compute(sorted(map(str, after))).lines) == sum(
        len(oracle.read_raw_lines(str(path))) for path in after
    )


def test_skew_moves_a_wiki_split() -> None:
    def treatment_share(cfg: generate.GeneratorConfig) -> float:
        result = oracle.compute_from_lines(
            (file.path, line) for file in generate.generate_files(cfg) for line in file.lines
        )
        rows = [row for row in result.rows("fct_experiment_enrollments") if row["wiki"] == "frwiki"]
        return sum(row["variant"] == "surfacing-structured-task" for row in rows) / len(rows)

    base = dict(events=6000, days=20, start=dt.date(2025, 3, 5), bad_line_rate=0.0)
    assert 0.35 < treatment_share(generate.preset_config("sample", **base)) < 0.65
    assert treatment_share(generate.preset_config("sample", skew=(("frwiki", 0.9),), **base)) > 0.75


def test_bucketing_follows_the_growth_rule() -> None:
    cfg = generate.preset_config("sample")
    wiki = generate.WIKI_BY_DATABASE["ptwiki"]
    variants = Counter(generate.assigned_variant(cfg, wiki, user_id) for user_id in range(1, 20_001))
    assert abs(variants["surfacing-structured-task"] / 20_000 - 0.5) < 0.02
    digest = int(__import__("hashlib").md5(b"12345surfacing-structured-task").hexdigest()[:6], 16)
    expected = "surfacing-structured-task" if digest / 2**24 * 100 < 50 else "control"
    assert generate.assigned_variant(cfg, wiki, 12345) == expected


def test_cli_help_documents_the_options(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        cli.main(["generate", "--help"])
    text = capsys.readouterr().out
    for option in ("--events", "--seed", "--out", "--start", "--days", "--preset", "--append-day", "--skew-wiki"):
        assert option in text


def test_benchmark_preset_writes_gzip_level_one_files(tmp_path: Path) -> None:
    cfg = generate.preset_config("benchmark", events=20_000, days=2)
    figures = generate.write_dataset(cfg, str(tmp_path))
    assert figures["lines"] == 20_000
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    per_hour = Counter(path.parent for path in files)
    assert max(per_hour.values()) >= 2
    compressed = [path for path in files if path.suffix == ".gz"]
    assert compressed and all(gzip.decompress(path.read_bytes()) for path in compressed[:5])
    assert os.path.getsize(compressed[0]) > 0
