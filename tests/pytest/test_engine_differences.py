"""What DuckDB does where the engines differ (docs/spark.md, "Known
differences"), pinned so that a change on either side is seen; Spark's side
is pinned by test_spark_equality.py on the same files.

One small build of three hand-written files:

* a `dt` with the offset `+23:59` (rule 3 allows hh 00-23): accepted on
  DuckDB, converted to UTC; Spark's timestamp parser takes offsets up to
  18:00 only (there rule 3 falls back to `meta.dt`);
* a string holding a lone surrogate escape (`\\ud800`): DuckDB's JSON reader
  refuses the line (`malformed_json`); Python's reader, like Spark's,
  accepts it;
* a file whose first line ends in LF and a later one in CRLF: DuckDB's line
  reader takes the CR for a line break as well and reads a phantom empty
  line there (`malformed_json`); a file that starts with CRLF reads as the
  text's lines.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import oracle
import pytest
from dbt_project_runner import DbtProject

FOLDER = Path("datacenter=eqiad") / "year=2025" / "month=3" / "day=20" / "hour=10"


def event_line(number: int, **changes) -> str:
    event = {
        "$schema": "/analytics/product_metrics/web/base/1.3.1",
        "action": "experiment_enrollment",
        "action_source": "BeforePageDisplayHook",
        "dt": "2025-03-20T10:00:00Z",
        "meta": {"domain": "pt.wikipedia.org", "id": f"engine-{number}", "dt": "2025-03-20T10:00:00Z", "stream": "s"},
        "mediawiki": {"database": "ptwiki"},
        "performer": {"id": 800_000 + number},
        "experiments": {"enrolled": ["growth-experiments"], "assigned": {"growth-experiments": "control"}},
    }
    event.update(changes)
    return json.dumps(event)


SURROGATE_LINE = event_line(2).replace('"stream": "s"', '"stream": "s\\ud800"')
FILES = {
    "offset.json": (event_line(1, dt="2025-03-20T10:00:00+23:59") + "\n").encode(),
    "surrogate.json": (SURROGATE_LINE + "\n").encode(),
    # LF first, then CRLF: the phantom line
    "lf-then-crlf.json": (event_line(3) + "\n" + event_line(4) + "\r\n" + event_line(5) + "\n").encode(),
    # CRLF first, then LF: no phantom line
    "crlf-then-lf.json": (event_line(6) + "\r\n" + event_line(7) + "\n" + event_line(8) + "\r\n").encode(),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    root = tmp_path_factory.mktemp("engine_differences")
    (root / FOLDER).mkdir(parents=True)
    for name, data in FILES.items():
        (root / FOLDER / name).write_bytes(data)
    built = DbtProject(root.parent / f"{root.name}.duckdb", events_path=str(root / "**" / "*.*json*"))
    built.build()
    return built


def reconciliation(project: DbtProject) -> dict[str, tuple[int, int, int]]:
    return {
        Path(source_file).name: (raw_lines, rejected_lines, accepted_events)
        for source_file, raw_lines, rejected_lines, accepted_events in project.query(
            "select source_file, raw_lines, rejected_lines, accepted_events from main.fct_event_line_reconciliation"
        )
    }


def test_offset_of_23_59_is_accepted_on_duckdb(project: DbtProject) -> None:
    (enrolled_at,) = project.query("select enrolled_at from main.fct_experiment_enrollments where user_id = 800001")[0]
    assert enrolled_at == dt.datetime(2025, 3, 19, 10, 1)
    assert oracle.classify_text(event_line(1, dt="2025-03-20T10:00:00+23:59")).enrolled_at == enrolled_at


def test_lone_surrogate_is_malformed_json_on_duckdb(project: DbtProject) -> None:
    assert reconciliation(project)["surrogate.json"] == (1, 1, 0)
    assert project.query("select reason, raw_line from main.fct_rejected_events where raw_line like '%ud800%'") == [
        ("malformed_json", SURROGATE_LINE)
    ]
    # Python's JSON reader (the oracle's), like Spark's, accepts it
    assert oracle.classify_text(SURROGATE_LINE).reason is None


def test_lf_then_crlf_reads_a_phantom_empty_line_on_duckdb(project: DbtProject) -> None:
    counts = reconciliation(project)
    assert counts["lf-then-crlf.json"] == (4, 1, 3)
    assert counts["crlf-then-lf.json"] == (3, 0, 3)
    phantom = project.query(
        "select reason, raw_line from main.fct_rejected_events where source_file like '%lf-then-crlf.json'"
    )
    assert phantom == [("malformed_json", "")]
