"""A pooled BI connection sees each build `growth-enrollments build` publishes (docs/bi.md, "Connecting a BI tool").

Within one process DuckDB keeps one database instance per file path while
any connection to that path is open, and a new connection to the path joins
it: the process keeps reading the file it opened, even after
`growth-enrollments build` renamed a new build over the path, until all its connections to the path
are closed.

* The problem: SQLAlchemy's default pool (QueuePool, duckdb-engine's choice
  for a file) keeps connections open between checkouts, so the engine keeps
  the build it opened, also with pool_recycle while another pooled
  connection is open. Disposing of the pool shows the new build was there.
* The documented setting, poolclass=NullPool: each checkout opens the file
  and check-in closes it, so the next query after a publish reads the new
  build, and after a rollback the old one.
* A query running during the swap finishes on the build it started on.
  With NullPool a checkout while it runs shares its instance, hence its
  build, and the first checkout after it ends reads the new one; an
  in-memory engine that ATTACHes the file on each connection reads the new
  build at once.

The two published states are a copy of the shared `messy` build and that
build minus its page-impression enrollments, published by `growth-enrollments build`
(its stand-in dbt deletes them) or rolled back with --rollback.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy
from datasets import assert_built
from dbt_project_runner import DbtProject
from sqlalchemy.pool import NullPool
from test_safe_build import fake_dbt_factory, mart_count, run_rollback_command, run_wrapper

COUNT = sqlalchemy.text("select count(*) from main.fct_experiment_enrollments")
SECOND_BUILD_SQL = "delete from main.fct_experiment_enrollments where cohort = 'page_impression'"


class Published:
    """A published copy of the messy build, and how to publish the second state."""

    def __init__(self, built: DbtProject, directory: Path):
        self.path = directory / "bi" / "growth_enrollments.duckdb"
        self.path.parent.mkdir(parents=True)
        shutil.copyfile(built.duckdb_path, self.path)
        self.directory = directory
        self.fake_dbt = fake_dbt_factory(directory)
        # read from the template, never from the published path: a connection
        # here would join (or keep alive) the instance the engines use
        self.first_count = mart_count(built.duckdb_path)
        self.second_count = self.first_count - built.query(
            "select count(*) from main.fct_experiment_enrollments where cohort = 'page_impression'"
        )[0][0]
        assert self.first_count > self.second_count > 0

    @property
    def url(self) -> str:
        return f"duckdb:///{self.path}?access_mode=read_only"

    def publish_second_build(self) -> str:
        built = run_wrapper(
            self.path, self.directory / "dbt", "unused", env=self.fake_dbt("sql", SECOND_BUILD_SQL)
        )
        assert built.returncode == 0, built.stdout
        assert "Published" in built.stdout
        return built.stdout

    def nullpool_engine(self) -> sqlalchemy.Engine:
        """docs/bi.md: the URL with poolclass=NullPool."""
        return sqlalchemy.create_engine(self.url, poolclass=NullPool)

    def attaching_engine(self) -> sqlalchemy.Engine:
        """docs/bi.md: an in-memory engine that attaches the published file on each connection."""
        engine = sqlalchemy.create_engine("duckdb:///:memory:", poolclass=NullPool)
        path = str(self.path)

        @sqlalchemy.event.listens_for(engine, "connect")
        def open_the_published_file(dbapi_connection, _record):
            dbapi_connection.execute(f"attach '{path}' (read_only)")
            dbapi_connection.execute("use growth_enrollments")

        return engine


def count(connection: sqlalchemy.Connection) -> int:
    return connection.execute(COUNT).scalar_one()


def read_once(engine: sqlalchemy.Engine) -> int:
    with engine.connect() as connection:
        return count(connection)


@pytest.fixture
def published(messy_project: DbtProject, tmp_path: Path) -> Published:
    return Published(assert_built(messy_project), tmp_path)


@pytest.mark.parametrize("settings", [{}, {"pool_recycle": 1}], ids=["QueuePool", "pool_recycle"])
def test_a_pooled_engine_keeps_the_build_it_opened(published: Published, settings: dict):
    engine = sqlalchemy.create_engine(published.url, **settings)
    try:
        assert isinstance(engine.pool, sqlalchemy.pool.QueuePool)
        # two users at once: both connections go back to the pool, still open
        with engine.connect() as first, engine.connect() as second:
            assert count(first) == count(second) == published.first_count
        published.publish_second_build()
        if "pool_recycle" in settings:
            time.sleep(settings["pool_recycle"] + 0.5)  # both pooled connections are due for recycling
        assert read_once(engine) == published.first_count, "the pool keeps reading the build it opened"
        engine.dispose()  # closes every pooled connection: the next one opens the file anew
        assert read_once(engine) == published.second_count
    finally:
        engine.dispose()


def test_a_nullpool_engine_reads_each_publish_and_rollback(published: Published):
    engine = published.nullpool_engine()
    try:
        assert read_once(engine) == published.first_count
        built = published.publish_second_build()
        assert read_once(engine) == published.second_count
        rolled_back = run_rollback_command(built)
        assert rolled_back.returncode == 0, rolled_back.stdout
        assert read_once(engine) == published.first_count
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "engine_kind, build_seen_during_the_query",
    [("nullpool", "first"), ("attaching", "second")],
)
def test_a_query_running_during_the_swap(published: Published, engine_kind: str, build_seen_during_the_query: str):
    engine = getattr(published, f"{engine_kind}_engine")()
    counts = {"first": published.first_count, "second": published.second_count}
    running, release = threading.Event(), threading.Event()
    result: dict[str, object] = {}

    def wait_for_the_swap(value: int) -> int:
        running.set()
        release.wait(300)
        return value

    def long_query() -> None:
        try:
            with engine.connect() as connection:
                connection.connection.dbapi_connection.create_function(
                    "wait_for_the_swap", wait_for_the_swap, ["BIGINT"], "BIGINT"
                )
                result["row"] = tuple(
                    connection.execute(
                        sqlalchemy.text(
                            "select count(*), sum(wait_for_the_swap(1)) from main.fct_experiment_enrollments"
                        )
                    ).one()
                )
        except Exception as error:  # reported by the main thread
            result["error"] = error

    query = threading.Thread(target=long_query)
    query.start()
    try:
        assert running.wait(300), result.get("error")
        published.publish_second_build()  # the swap, while the query runs
        during = read_once(engine)
    finally:
        release.set()
        query.join(300)
    assert "error" not in result, result.get("error")
    assert result["row"] == (published.first_count, published.first_count), "it finishes on the build it started on"
    assert during == counts[build_seen_during_the_query]
    assert read_once(engine) == published.second_count, "once it has ended, every checkout reads the new build"
    engine.dispose()
