"""The acceptance queries (analyses/) and the SQLAlchemy URL (docs/bi.md) work as written.

Every analysis is compiled by dbt, as scripts/test.sh does
(`dbt compile --select "path:analyses"`), and runs on the shared `messy`
build (conftest.py); the two acceptance queries return the experiment-run
count marts' rows. The ```sql blocks of README.md and docs/bi.md run too,
and the README's query answers as its analysis does.
The SQLAlchemy URL of docs/bi.md (duckdb-engine) is used exactly as printed,
with the build's path in place of the example path: it reads, and it cannot
write.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy
from datasets import assert_built
from dbt_project_runner import REPO_ROOT, DbtProject, run_dbt

ANALYSES = REPO_ROOT / "analyses"
BI_PAGE = REPO_ROOT / "docs" / "bi.md"
PAGES_WITH_QUERIES = (REPO_ROOT / "README.md", BI_PAGE)
EXAMPLE_PATH = "/absolute/path/to/growth_enrollments.duckdb"
ACCOUNT_CREATION = "account_creation_users_per_run_variant"
PAGE_IMPRESSION = "page_impression_users_per_run_variant"


def blocks(page: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.DOTALL)


@pytest.fixture(scope="module")
def built(messy_project: DbtProject) -> DbtProject:
    return assert_built(messy_project)


@pytest.fixture(scope="module")
def analyses(built: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The compiled SQL of each analysis, by file name without `.sql`."""
    work_dir = tmp_path_factory.mktemp("analyses_dbt")
    run_dbt(["compile", "--select", "path:analyses"], built.duckdb_path, work_dir, built.vars)
    compiled = work_dir / "target" / "compiled" / "growth_enrollments" / "analyses"
    queries = {path.stem: path.read_text(encoding="utf-8") for path in sorted(compiled.rglob("*.sql"))}
    assert set(queries) == {path.stem for path in ANALYSES.rglob("*.sql")}
    return queries


def test_every_analysis_runs(built: DbtProject, analyses: dict[str, str]):
    assert {ACCOUNT_CREATION, PAGE_IMPRESSION} <= set(analyses)
    for name, query in analyses.items():
        assert "{{" not in query, name
        built.query(query)


def test_every_query_of_the_pages_runs(built: DbtProject):
    queries = [query for page in PAGES_WITH_QUERIES for query in blocks(page, "sql")]
    assert queries, "README.md shows a query to paste"
    for query in queries:
        built.query(query)


def test_the_readme_query_answers_as_its_analysis(built: DbtProject, analyses: dict[str, str]):
    (query,) = blocks(REPO_ROOT / "README.md", "sql")
    assert "fct_account_creation_run_variant_counts" in query
    assert sorted(built.query(query), key=repr) == sorted(built.query(analyses[ACCOUNT_CREATION]), key=repr)


def test_acceptance_queries_return_the_count_marts(built: DbtProject, analyses: dict[str, str]):
    account_creation, page_impression = analyses[ACCOUNT_CREATION], analyses[PAGE_IMPRESSION]
    assert "fct_account_creation_run_variant_counts" in account_creation
    assert "fct_page_impression_run_variant_counts" in page_impression
    expected_account_creation = sorted(
        built.read_table(
            "fct_account_creation_run_variant_counts",
            ["experiment_run", "wiki", "variant", "enrolled_users", "expected_share", "observed_share",
             "enrolled_users_is_suppressed"],
        ),
        key=repr,
    )
    assert expected_account_creation
    assert sorted(built.query(account_creation), key=repr) == expected_account_creation
    expected_page_impression = sorted(
        built.read_table(
            "fct_page_impression_run_variant_counts",
            [
                "experiment_run",
                "wiki",
                "variant",
                "enrolled_users",
                "new_account_users",
                "existing_account_users",
                "impression_events",
                "expected_share",
                "observed_share",
                "enrolled_users_is_suppressed",
                "new_account_users_is_suppressed",
            ],
        ),
        key=repr,
    )
    assert sorted(built.query(page_impression), key=repr) == expected_page_impression


def test_the_sqlalchemy_url_reads_and_cannot_write(built: DbtProject, analyses: dict[str, str]):
    urls = [line.strip() for block in blocks(BI_PAGE, "text") for line in block.splitlines() if line.startswith("duckdb:")]
    assert urls, "docs/bi.md shows a SQLAlchemy URL"
    url = urls[0]
    assert EXAMPLE_PATH in url
    query = analyses[ACCOUNT_CREATION]
    expected = built.query(query)
    # DuckDB refuses a second in-process connection to one file with other
    # settings, so nothing else of this process has it open meanwhile
    engine = sqlalchemy.create_engine(url.replace(EXAMPLE_PATH, str(built.duckdb_path.resolve())))
    try:
        with engine.connect() as connection:
            rows = connection.execute(sqlalchemy.text(query)).fetchall()
            with pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only|Cannot execute"):
                connection.execute(sqlalchemy.text("create table main.written_by_bi as select 1 as x"))
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == expected
