"""The README's "For analysts and BI" queries and SQLAlchemy URL work as written.

Every ```sql block of that section runs on the shared `messy` build
(conftest.py); the two acceptance queries return the experiment-run count
marts' rows.
The SQLAlchemy URL (duckdb-engine) is used exactly as printed, with the
build's path in place of the example path: it reads, and it cannot write.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy
from datasets import assert_built
from dbt_project_runner import REPO_ROOT, DbtProject

SECTION = "## For analysts and BI"
EXAMPLE_PATH = "/absolute/path/to/growth_enrollments.duckdb"


def section() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start : end if end != -1 else len(text)]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section(), flags=re.DOTALL)


@pytest.fixture(scope="module")
def built(messy_project: DbtProject) -> DbtProject:
    return assert_built(messy_project)


def test_every_query_runs(built: DbtProject):
    queries = blocks("sql")
    assert len(queries) >= 3
    for query in queries:
        built.query(query)


def test_acceptance_queries_return_the_count_marts(built: DbtProject):
    account_creation, page_impression = blocks("sql")[:2]
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


def test_the_sqlalchemy_url_reads_and_cannot_write(built: DbtProject):
    urls = [line.strip() for block in blocks("text") for line in block.splitlines() if line.startswith("duckdb:")]
    assert urls, "the README shows a SQLAlchemy URL"
    url = urls[0]
    assert EXAMPLE_PATH in url
    query = blocks("sql")[0]
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
