"""Governance: docs, table comments, source freshness and the project rules.

* `dbt docs generate` works on the built sample, and every model's
  description (and every described column's) is on the DuckDB relation as a
  comment (`persist_docs`), tables and views alike.
* `dbt source freshness` reads the newest event time from the raw lines: a
  file of events from an hour ago passes; the shipped sample (2025) errors,
  and `dbt build` is not affected by it.
* dbt-bouncer (dbt-bouncer.yml) fails with a message naming the model and
  the rule when a public mart loses its contract.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from datasets import assert_built
from dbt_project_runner import REPO_ROOT, WRITE_ARTIFACTS, DbtProject

FIXTURE_EVENT = REPO_ROOT / "tests" / "fixtures" / "ptwiki-account-creation.json"


def manifest(project: DbtProject) -> dict:
    return json.loads((project.work_dir / "target" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def documented_project(sample_project: DbtProject) -> DbtProject:
    project = assert_built(sample_project)
    project.run("docs", "generate", env=WRITE_ARTIFACTS)
    return project


def test_docs_generate_writes_the_catalog(documented_project: DbtProject):
    catalog = json.loads((documented_project.work_dir / "target" / "catalog.json").read_text(encoding="utf-8"))
    assert "model.growth_enrollments.fct_account_creation_variant_counts" in catalog["nodes"]
    assert (documented_project.work_dir / "target" / "index.html").exists()


def test_descriptions_are_relation_and_column_comments(documented_project: DbtProject):
    models = [node for node in manifest(documented_project)["nodes"].values() if node["resource_type"] == "model"]
    assert models
    relation_comments = dict(
        documented_project.query(
            "select table_name, comment from duckdb_tables() where schema_name = 'main' "
            "union all select view_name, comment from duckdb_views() where schema_name = 'main' and not internal"
        )
    )
    column_comments = {
        (table, column): comment
        for table, column, comment in documented_project.query(
            "select table_name, column_name, comment from duckdb_columns() where schema_name = 'main'"
        )
    }
    for model in models:
        name = model["alias"]
        assert name in relation_comments, f"{name} was not built"
        assert (relation_comments[name] or "").strip() == model["description"].strip(), name
        assert model["columns"], f"{name} documents no column"
        for column in model["columns"].values():
            comment = column_comments.get((name, column["name"]))
            assert (comment or "").strip() == column["description"].strip(), (name, column["name"])


def write_events(directory: Path, event_times: list[dt.datetime]) -> str:
    """One file of enrollment events at the given times, plus a line that is not JSON."""
    template = json.loads(FIXTURE_EVENT.read_text(encoding="utf-8"))
    lines = []
    for index, event_time in enumerate(event_times):
        event = json.loads(json.dumps(template))
        stamp = event_time.strftime("%Y-%m-%dT%H:%M:%SZ")
        event["dt"] = stamp
        event["meta"]["dt"] = stamp
        event["meta"]["id"] = f"freshness-{index}"
        lines.append(json.dumps(event))
    lines.append("{not json")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "events.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(directory / "*.json")


def freshness_result(project: DbtProject, source: str) -> dict:
    results = json.loads((project.work_dir / "target" / "sources.json").read_text(encoding="utf-8"))["results"]
    (result,) = [row for row in results if row["unique_id"].endswith(f".{source}")]
    return result


def test_source_freshness_passes_on_recent_events(tmp_path: Path):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    newest = now - dt.timedelta(hours=1)
    events_path = write_events(tmp_path / "events", [now - dt.timedelta(hours=30), newest])
    project = DbtProject(tmp_path / "fresh.duckdb", events_path=events_path)
    project.run("source", "freshness", env=WRITE_ARTIFACTS)
    result = freshness_result(project, "raw_event_lines")
    assert result["status"] == "pass", result
    assert dt.datetime.fromisoformat(result["max_loaded_at"]) == newest


def test_source_freshness_flags_old_events_without_failing_the_build(tmp_path: Path):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    events_path = write_events(tmp_path / "events", [now - dt.timedelta(hours=12)])
    project = DbtProject(tmp_path / "stale.duckdb", events_path=events_path)
    completed = project.run("source", "freshness", check=False, env=WRITE_ARTIFACTS)
    assert freshness_result(project, "raw_event_lines")["status"] == "warn", completed.stdout
    assert completed.returncode == 0, completed.stdout

    events_path = write_events(tmp_path / "old_events", [dt.datetime(2025, 4, 15, 15, 12, 17, tzinfo=dt.UTC)])
    project = DbtProject(tmp_path / "old.duckdb", events_path=events_path)
    completed = project.run("source", "freshness", check=False, env=WRITE_ARTIFACTS)
    result = freshness_result(project, "raw_event_lines")
    assert result["status"] == "error" and completed.returncode == 1, completed.stdout
    assert dt.datetime.fromisoformat(result["max_loaded_at"]) == dt.datetime(2025, 4, 15, 15, 12, 17, tzinfo=dt.UTC)
    project.build()  # freshness is not part of the build


def dbt_bouncer(artifacts_parent: Path, *args: str) -> subprocess.CompletedProcess:
    executable = Path(sys.executable).with_name("dbt-bouncer")
    command = [str(executable) if executable.exists() else shutil.which("dbt-bouncer") or "dbt-bouncer"]
    environment = dict(os.environ, DBT_PROJECT_DIR=str(artifacts_parent), COLUMNS="250", NO_COLOR="1")
    return subprocess.run(
        [*command, "run", "--config-file", str(REPO_ROOT / "dbt-bouncer.yml"), *args],
        cwd=REPO_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )


def test_rule_checks_name_what_to_fix(documented_project: DbtProject, tmp_path: Path):
    artifacts = tmp_path / "target"
    artifacts.mkdir()
    document = manifest(documented_project)
    mart = document["nodes"]["model.growth_enrollments.fct_account_creation_variant_counts"]
    mart["contract"]["enforced"] = False
    mart["config"]["contract"]["enforced"] = False
    (artifacts / "manifest.json").write_text(json.dumps(document), encoding="utf-8")
    completed = dbt_bouncer(tmp_path, "--only", "manifest_checks", "--check", "check_model_contract_enforced_for_public_model")
    assert completed.returncode != 0, completed.stdout
    assert "check_model_contract_enforced_for_public_model" in completed.stdout
    assert "fct_account_creation_variant_counts" in completed.stdout
