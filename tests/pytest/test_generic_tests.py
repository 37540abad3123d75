"""The project's generic data tests (tests/generic/) fail when they should.

A copy of the shipped sample's build is damaged on purpose, then `dbt test`
runs the one test under check with `--store-failures`, so the rows it failed
with can be read back: the test must fail, and name exactly what is wrong.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dbt_project_runner import DbtProject

AUDIT_SCHEMA = "main_dbt_test__audit"
COUNTS = "fct_account_creation_variant_counts"


@pytest.fixture
def damaged_copy(sample_project: DbtProject, tmp_path: Path) -> DbtProject:
    """A private copy of the sample build (same file name: the views name the catalog)."""
    copy = tmp_path / sample_project.duckdb_path.name
    shutil.copyfile(sample_project.duckdb_path, copy)
    return DbtProject(copy, dbt_vars=sample_project.vars, work_dir=tmp_path / "dbt")


def run_test(project: DbtProject, test_selector: str, dbt_vars: dict | None = None) -> tuple[int, list[tuple]]:
    """Runs the selected test; returns dbt's exit code and the failing rows it stored."""
    completed = project.run("test", "--select", test_selector, "--store-failures", dbt_vars=dbt_vars, check=False)
    tables = [
        name
        for (name,) in project.query(
            "select table_name from information_schema.tables where table_schema = ?", [AUDIT_SCHEMA]
        )
    ]
    assert len(tables) == 1, completed.stdout
    return completed.returncode, project.query(f'select * from "{AUDIT_SCHEMA}"."{tables[0]}"')


def write(project: DbtProject, sql: str) -> None:
    with duckdb.connect(str(project.duckdb_path)) as connection:
        connection.execute(sql)


def test_not_null_columns_names_each_column_with_nulls(damaged_copy: DbtProject):
    selector = f"{COUNTS},test_name:not_null_columns"
    returncode, failures = run_test(damaged_copy, selector)
    assert returncode == 0 and failures == []

    (variant,) = damaged_copy.query(f"select min(variant) from main.{COUNTS}")[0]
    write(damaged_copy, f"update main.{COUNTS} set wiki = null where variant = '{variant}'")
    write(damaged_copy, f"update main.{COUNTS} set enrolled_users = null where variant <> '{variant}'")
    (other_rows,) = damaged_copy.query(f"select count(*) from main.{COUNTS} where variant <> '{variant}'")[0]
    (wiki_rows,) = damaged_copy.query(f"select count(*) from main.{COUNTS} where wiki is null")[0]
    returncode, failures = run_test(damaged_copy, selector)
    assert returncode == 1
    assert sorted(failures) == [
        ("enrolled_users", "not enrolled_users_is_suppressed", other_rows),
        ("wiki", "always", wiki_rows),
    ]

    # a null count is allowed where it is flagged as suppressed
    write(damaged_copy, f"update main.{COUNTS} set enrolled_users_is_suppressed = true where enrolled_users is null")
    returncode, failures = run_test(damaged_copy, selector)
    assert returncode == 1 and failures == [("wiki", "always", wiki_rows)]


def test_unique_combination_of_columns_reports_each_repeated_key(damaged_copy: DbtProject):
    selector = f"{COUNTS},test_name:unique_combination_of_columns"
    returncode, failures = run_test(damaged_copy, selector)
    assert returncode == 0 and failures == []

    (key,) = damaged_copy.query(f"select experiment, wiki, variant from main.{COUNTS} order by all limit 1")
    write(damaged_copy, f"insert into main.{COUNTS} select * from main.{COUNTS} order by all limit 1")
    returncode, failures = run_test(damaged_copy, selector)
    assert returncode == 1 and failures == [(*key, 2)]


def test_one_flagged_row_per_key_reports_events_with_none_or_two_kept(damaged_copy: DbtProject):
    events = "int_events_deduplicated"
    selector = f"{events},test_name:one_flagged_row_per_key"
    every_row = {"check_all_history": True}  # the damage is not stamped as new: the full check
    returncode, failures = run_test(damaged_copy, selector, every_row)
    assert returncode == 0 and failures == []

    # one event loses its kept copy; another gains a second, different text that also counts
    (first, second) = [key for (key,) in damaged_copy.query(
        f"select event_key from main.{events} where is_kept order by event_key limit 2"
    )]
    (first_rows,) = damaged_copy.query(f"select count(*) from main.{events} where event_key = ?", [first])[0]
    (second_rows,) = damaged_copy.query(f"select count(*) from main.{events} where event_key = ?", [second])[0]
    write(damaged_copy, f"update main.{events} set is_kept = false where event_key = '{first}'")
    write(
        damaged_copy,
        f"insert into main.{events} select * replace ('another text' as raw_line_md5) "
        f"from main.{events} where event_key = '{second}' and is_kept",
    )
    returncode, failures = run_test(damaged_copy, selector, every_row)
    assert returncode == 1
    assert sorted(failures) == sorted([(first, first_rows, 0), (second, second_rows + 1, 2)])


def test_scoped_tests_check_what_was_written_since_the_last_green_build(damaged_copy: DbtProject):
    """A history-sized table's tests check the rows stamped after the last green
    build; the full check, every row."""
    events = "int_events_deduplicated"
    selector = f"{events},test_name:unique_combination_of_columns"
    (checked_through,) = damaged_copy.query("select max(checked_through) from main.state_checked_builds")[0]
    assert checked_through is not None  # the sample build was green

    # an old row repeated with its old stamp: outside the daily scope, caught by the full check
    write(damaged_copy, f"insert into main.{events} select * from main.{events} order by event_key limit 1")
    (old_key,) = damaged_copy.query(f"select event_key, raw_line_md5 from main.{events} order by event_key limit 1")
    assert run_test(damaged_copy, selector) == (0, [])
    assert run_test(damaged_copy, selector, {"check_all_history": True}) == (1, [(*old_key, 2)])

    # a key written twice after the last green build (by a failed run, say)
    (new_key,) = damaged_copy.query(
        f"select event_key, raw_line_md5 from main.{events} order by event_key desc limit 1"
    )
    new_row = f"event_key = '{new_key[0]}' and raw_line_md5 = '{new_key[1]}'"
    write(damaged_copy, f"update main.{events} set computed_at = computed_at + interval 1 day where {new_row}")
    assert run_test(damaged_copy, selector) == (0, [])  # written once since: no repeat
    write(damaged_copy, f"insert into main.{events} select * from main.{events} where {new_row}")
    returncode, failures = run_test(damaged_copy, selector)
    assert returncode == 1 and failures == [(*new_key, 2)]

    # a row written since that repeats an older key: only a fault in the delete that goes with
    # every write of a key can leave one, and only the full check reads the older rows
    (repeated_key,) = damaged_copy.query(
        f"select distinct event_key, raw_line_md5 from main.{events} order by all limit 1 offset 1"
    )
    write(
        damaged_copy,
        f"insert into main.{events} select * replace (computed_at + interval 1 day as computed_at) "
        f"from main.{events} where event_key = '{repeated_key[0]}' and raw_line_md5 = '{repeated_key[1]}'",
    )
    returncode, failures = run_test(damaged_copy, selector)
    assert returncode == 1 and failures == [(*new_key, 2)]
    returncode, failures = run_test(damaged_copy, selector, {"check_all_history": True})
    assert returncode == 1 and sorted(failures) == sorted([(*old_key, 2), (*repeated_key, 2), (*new_key, 2)])


def test_policy_check_follows_the_users_written_since_the_last_green_build(damaged_copy: DbtProject):
    """assert_counted_enrollments_follow_policy compares the two models for
    the users with a row stamped after the last green build; the full
    check, for every user."""
    enrollments = "fct_experiment_enrollments"
    selector = "assert_counted_enrollments_follow_policy"
    assert run_test(damaged_copy, selector) == (0, [])
    users = damaged_copy.query(f"select distinct wiki, user_id from main.{enrollments} order by 1, 2 limit 2")
    (old_wiki, old_user), (new_wiki, new_user) = users

    # an old unit dropped from the mart, its stamp unchanged: caught by the full check only
    write(damaged_copy, f"delete from main.{enrollments} where wiki = '{old_wiki}' and user_id = {old_user}")
    assert run_test(damaged_copy, selector) == (0, [])
    returncode, failures = run_test(damaged_copy, selector, {"check_all_history": True})
    assert returncode == 1 and {(row[2], row[3]) for row in failures} == {(old_wiki, old_user)}

    # another user's units rewritten after the last green build (a failed run, say) with another variant
    write(
        damaged_copy,
        f"update main.{enrollments} set variant = 'not-a-variant', computed_at = computed_at + interval 1 day "
        f"where wiki = '{new_wiki}' and user_id = {new_user}",
    )
    returncode, failures = run_test(damaged_copy, selector)
    assert returncode == 1 and {(row[2], row[3]) for row in failures} == {(new_wiki, new_user)}
