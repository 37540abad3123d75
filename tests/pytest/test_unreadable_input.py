"""Input that cannot be read never stops a build, and is never dropped in
silence (docs/rules.md, "Input", and docs/stored-history.md).

* Bad files: a line that is not UTF-8 (`malformed_json`), a line over
  `max_line_bytes` (`line_too_long`), a damaged gzip file (its lines before
  the damage are read, the file is listed with the reader's error), a file
  named `.gz` that is not gzip (listed), a folder reached through a symbolic
  link (listed, not followed). The build is green, the warning test names
  the files, every line read reconciles, and once the files are repaired
  the next run reads them again and equals a clean build.
* `events_path` is data: a folder with a quote in its name is read, and a
  path crafted to inject SQL is a path that matches nothing.
* Guards: an empty listing once history exists fails unless
  `allow_empty_listing`; a history rebuild from no files is refused.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import oracle
import pytest
from datasets import EVENTS_GLOB, generate_dataset
from dbt_project_runner import DbtProject, assert_same_models
from test_crash_consistency import MODELS_ONLY

from growth_enrollments import generate

SEED = 8642
MAX_LINE_BYTES = 4000


@pytest.fixture(scope="module")
def good_lines(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A small generated data set, and lines of it that the rules accept."""
    root = tmp_path_factory.mktemp("unreadable_source")
    cfg = generate.preset_config("messy", seed=SEED, events=200, days=2, lines_per_file=40)
    generate_dataset(cfg, root)
    domains = oracle.read_project_domains()
    lines = [
        line
        for path in sorted(root.rglob("*.json"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if oracle.classify_text(line, domains).reason is None
    ]
    assert len(lines) >= 12
    return root, lines


def write_bad_files(folder: Path, lines: list[str]) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "invalid_utf8": folder / "invalid-utf8.json",
        "too_long": folder / "too-long.json",
        "damaged_gzip": folder / "damaged.json.gz",
        "fake_gzip": folder / "fake.json.gz",
    }
    files["invalid_utf8"].write_bytes(
        (lines[0] + "\n").encode() + b'{"meta": {"id": "\xff\xfe"}}\n' + (lines[1] + "\n").encode()
    )
    files["too_long"].write_text(lines[2] + "\n" + '{"pad": "' + "x" * MAX_LINE_BYTES + '"}\n' + lines[3] + "\n")
    complete = gzip.compress(("\n".join(lines[4:10]) + "\n").encode())
    files["damaged_gzip"].write_bytes(complete[: len(complete) * 2 // 3])
    files["fake_gzip"].write_text(lines[10] + "\n")
    return files


def unreadable(project: DbtProject) -> dict[str, str]:
    return dict(project.query("select source_file, read_error from fct_unreadable_event_files"))


def test_bad_files_never_stop_the_build_and_are_read_again_when_repaired(good_lines, tmp_path: Path):
    source, lines = good_lines
    landing = tmp_path / "landing"
    shutil.copytree(source, landing)
    bad = write_bad_files(landing / "bad", lines)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "linked.json").write_text(lines[11] + "\n")
    (landing / "linked folder").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    project = DbtProject(
        tmp_path / "bad.duckdb", events_path=str(landing / EVENTS_GLOB), dbt_vars={"max_line_bytes": MAX_LINE_BYTES}
    )

    output = project.build().stdout  # every data test too: green
    assert "WARN 3 assert_no_unreadable_event_files" in output
    errors = unreadable(project)
    assert set(errors) == {str(bad["damaged_gzip"]), str(bad["fake_gzip"]), str(landing / "linked folder")}
    assert "GZIP" in errors[str(bad["damaged_gzip"])] and "lines before the damage were read" in errors[
        str(bad["damaged_gzip"])
    ]
    assert "not followed" in errors[str(landing / "linked folder")]

    rejected = project.query("select source_file, reason, raw_line from fct_rejected_events")
    assert [(reason, text) for file, reason, text in rejected if file == str(bad["invalid_utf8"])] == [
        ("malformed_json", '{"meta": {"id": "??"}}')
    ]
    too_long = [(reason, text) for file, reason, text in rejected if file == str(bad["too_long"])]
    assert [reason for reason, _ in too_long] == ["line_too_long"] and too_long[0][1].startswith('{"pad": "xxx')
    reconciliation = {row[0]: row[1:] for row in project.read_table("fct_event_line_reconciliation")}
    assert reconciliation[str(bad["invalid_utf8"])][:2] == (3, 1)
    assert reconciliation[str(bad["too_long"])][:2] == (3, 1)
    readable = reconciliation[str(bad["damaged_gzip"])][0]
    assert 0 < readable < 6  # the complete lines before the damage
    assert reconciliation[str(bad["fake_gzip"])] == (0, 0, 0, 0)

    # repaired: the damaged and fake gzip files are rewritten whole
    bad["damaged_gzip"].write_bytes(gzip.compress(("\n".join(lines[4:10]) + "\n").encode()))
    bad["fake_gzip"].write_bytes(gzip.compress((lines[10] + "\n").encode()))
    project.build()
    assert set(unreadable(project)) == {str(landing / "linked folder")}
    reconciliation = {row[0]: row[1:] for row in project.read_table("fct_event_line_reconciliation")}
    assert reconciliation[str(bad["damaged_gzip"])][0] == 6 and reconciliation[str(bad["fake_gzip"])][0] == 1
    clean = DbtProject(tmp_path / "clean.duckdb", events_path=project.vars["events_path"], dbt_vars=project.vars)
    clean.run("build", *MODELS_ONLY)
    assert_same_models(project.public_snapshot(), clean.public_snapshot())


def test_events_path_is_data_not_sql(good_lines, tmp_path: Path):
    source, _lines = good_lines
    quoted = tmp_path / "it's here; really"
    shutil.copytree(source, quoted)
    project = DbtProject(tmp_path / "quoted.duckdb", events_path=str(quoted / EVENTS_GLOB))
    project.run("build", *MODELS_ONLY)
    files = project.query("select count(*), sum(raw_lines) from fct_event_line_reconciliation")[0]
    paths = [str(path) for path in quoted.rglob("*.*json*")]
    assert files == (len(paths), sum(len(oracle.read_raw_lines(path)) for path in paths))

    crafted = str(tmp_path) + "/x'); drop table main.state_file_reads; select ('/**/*.json"
    attempt = project.run(
        "build", *MODELS_ONLY, dbt_vars={"events_path": crafted, "allow_empty_listing": True}, check=False
    )
    assert attempt.returncode == 0, attempt.stdout
    assert project.query("select count(*) from state_file_reads")[0][0] == files[0]


def test_an_empty_listing_fails_once_history_exists(good_lines, tmp_path: Path):
    source, _lines = good_lines
    landing = tmp_path / "landing"
    shutil.copytree(source, landing)
    project = DbtProject(tmp_path / "guarded.duckdb", events_path=str(landing / EVENTS_GLOB))
    project.run("build", *MODELS_ONLY)
    before = project.public_snapshot()

    unmounted = {"events_path": str(tmp_path / "unmounted" / EVENTS_GLOB)}
    refused = project.run("build", *MODELS_ONLY, dbt_vars=unmounted, check=False)
    assert refused.returncode != 0 and "matches no file" in refused.stdout and "is the data lake mounted" in refused.stdout
    rebuild = project.run(
        "build", *MODELS_ONLY, "--full-refresh", dbt_vars={**unmounted, "rebuild_history": True}, check=False
    )
    assert rebuild.returncode != 0 and "refusing to rebuild history from no files" in rebuild.stdout
    assert_same_models(project.public_snapshot(), before)

    project.run("build", *MODELS_ONLY, dbt_vars={**unmounted, "allow_empty_listing": True})
    assert_same_models(project.public_snapshot(), before)  # nothing read, history kept
