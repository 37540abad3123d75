"""The data lake's Parquet layout gives the same marts as the JSON files.

One generated data set is written both ways: as newline-delimited JSON, and
as Parquet in Hive partitions `datacenter=…/year=…/month=…/day=…/hour=…`
with the event's nested fields as nested columns (`experiments.assigned` a
map). Parquet is typed, so only the lines the refined table could hold are
used: JSON objects whose fields have the schema's types, and that carry a
`meta.id` (the refined table's deduplication needs it) shared with no line of
different text: rule 5 breaks ties between such copies by the md5 of their
text, and a Parquet row's text is not the JSON line's.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import oracle
import pytest
from datasets import generate_dataset
from dbt_project_runner import DbtProject

from growth_enrollments import generate

# the refined table's columns for the fields events carry (schema 1.3.0-1.4.1)
PARQUET_COLUMNS = {
    "$schema": "VARCHAR",
    "action": "VARCHAR",
    "action_source": "VARCHAR",
    "dt": "VARCHAR",
    "agent": "STRUCT(client_platform VARCHAR)",
    "http": "STRUCT(request_headers MAP(VARCHAR, VARCHAR))",
    "meta": "STRUCT(domain VARCHAR, stream VARCHAR, id VARCHAR, dt VARCHAR, request_id VARCHAR, "
    "topic VARCHAR, \"partition\" BIGINT, \"offset\" BIGINT)",
    "mediawiki": "STRUCT(database VARCHAR)",
    "performer": "STRUCT(id BIGINT, edit_count BIGINT)",
    "experiments": "STRUCT(enrolled VARCHAR[], assigned MAP(VARCHAR, VARCHAR))",
    "experiment": "STRUCT(coordinator VARCHAR, enrolled VARCHAR, assigned VARCHAR)",
}
STRUCT_FIELDS = {
    "agent": {"client_platform": str},
    "meta": {"domain": str, "stream": str, "id": str, "dt": str, "request_id": str, "topic": str,
             "partition": int, "offset": int},
    "mediawiki": {"database": str},
    "performer": {"id": int, "edit_count": int},
    "experiment": {"coordinator": str, "enrolled": str, "assigned": str},
}


def _typed(value, kind) -> bool:
    if value is None:
        return True
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
    return isinstance(value, kind)


def fits_refined_table(line: str) -> bool:
    """True when the refined Parquet table could hold this line unchanged."""
    try:
        event = json.loads(line)
    except ValueError:
        return False
    if not isinstance(event, dict) or set(event) - set(PARQUET_COLUMNS):
        return False
    if not isinstance(event.get("meta"), dict) or not event["meta"].get("id"):
        return False
    for key in ("$schema", "action", "action_source", "dt"):
        if not _typed(event.get(key), str):
            return False
    for key, fields in STRUCT_FIELDS.items():
        value = event.get(key)
        if value is None:
            continue
        if not isinstance(value, dict) or set(value) - set(fields):
            return False
        if not all(_typed(value.get(name), kind) for name, kind in fields.items()):
            return False
    http = event.get("http")
    if http is not None:
        if not isinstance(http, dict) or set(http) - {"request_headers"}:
            return False
        headers = http.get("request_headers")
        if headers is not None and not (
            isinstance(headers, dict) and all(isinstance(value, str) for value in headers.values())
        ):
            return False
    experiments = event.get("experiments")
    if experiments is not None:
        if not isinstance(experiments, dict) or set(experiments) - {"enrolled", "assigned"}:
            return False
        enrolled = experiments.get("enrolled")
        assigned = experiments.get("assigned")
        if enrolled is not None and not (isinstance(enrolled, list) and all(isinstance(v, str) for v in enrolled)):
            return False
        if assigned is not None and not (
            isinstance(assigned, dict) and all(isinstance(v, str) for v in assigned.values())
        ):
            return False
    return True


@pytest.fixture(scope="module")
def both_formats(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    source = tmp_path_factory.mktemp("generated")
    generate_dataset(generate.preset_config("messy", seed=99, events=1_500, days=15), source)
    json_root = tmp_path_factory.mktemp("as_json")
    parquet_root = tmp_path_factory.mktemp("as_parquet")
    connection = duckdb.connect()
    files = {path: [line for line in oracle.read_raw_lines(str(path)) if fits_refined_table(line)]
             for path in sorted(source.rglob("*.*json*"))}
    texts_by_id: dict[str, set[str]] = {}
    for lines in files.values():
        for line in lines:
            texts_by_id.setdefault(json.loads(line)["meta"]["id"], set()).add(line)
    kept = 0
    for index, (path, lines) in enumerate(files.items()):
        lines = [line for line in lines if len(texts_by_id[json.loads(line)["meta"]["id"]]) == 1]
        if not lines:
            continue
        kept += len(lines)
        partition = path.parent.relative_to(source)
        json_file = json_root / partition / f"part-{index:05d}.jsonl"
        json_file.parent.mkdir(parents=True, exist_ok=True)
        json_file.write_text("\n".join(lines) + "\n")
        parquet_file = parquet_root / partition / f"part-{index:05d}.parquet"
        parquet_file.parent.mkdir(parents=True, exist_ok=True)
        columns = ", ".join(f"'{name}': '{kind}'" for name, kind in PARQUET_COLUMNS.items())
        connection.execute(
            f"copy (select * from read_json('{json_file}', format = 'newline_delimited', "
            f"columns = {{{columns}}})) to '{parquet_file}' (format parquet)"
        )
    return json_root, parquet_root, kept


def marts(project: DbtProject) -> dict[str, list[tuple]]:
    names = [
        "fct_experiment_enrollments",
        "fct_account_creation_variant_counts",
        "fct_page_impression_variant_counts",
        "fct_sample_ratio_checks",
        "fct_multi_variant_users",
        "fct_daily_enrollments",
    ]
    snapshot = project.public_snapshot()
    return {name: snapshot[name] for name in names}


def test_parquet_and_json_give_the_same_marts(both_formats, tmp_path: Path):
    json_root, parquet_root, kept = both_formats
    assert kept > 500
    from_json = DbtProject(tmp_path / "json.duckdb", events_path=f"{json_root}/**/*.jsonl")
    from_json.build()
    from_parquet = DbtProject(
        tmp_path / "parquet.duckdb",
        events_path=f"{parquet_root}/**/*.parquet",
        dbt_vars={"events_format": "parquet"},
    )
    from_parquet.build()

    assert marts(from_parquet) == marts(from_json)
    assert sum(rows for (rows,) in from_json.query("select sum(raw_lines) from fct_event_line_reconciliation")) == kept
    totals = "select sum(raw_lines), sum(rejected_lines), sum(accepted_events), sum(duplicate_lines) " \
             "from fct_event_line_reconciliation"
    assert from_parquet.query(totals) == from_json.query(totals)
    rejections = "select reason, meta_id, count(*) from fct_rejected_events group by all order by all"
    assert from_parquet.query(rejections) == from_json.query(rejections)
    assert from_json.query("select count(*) from fct_rejected_events")[0][0] > 0, "some lines must be rejected"
