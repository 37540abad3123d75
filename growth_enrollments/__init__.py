"""The growth_enrollments dbt project's Python: one command, `growth-enrollments`.

* `build` (growth_enrollments.safe_build): `dbt build` into a copy of the
  published DuckDB file, swapped in atomically, with a lock, signal handling
  and a backup to roll back to;
* `report` (growth_enrollments.report): a self-contained HTML report of a
  built database;
* `generate` (growth_enrollments.generate): realistic raw events, the
  shipped sample and the tests' data sets;
* `headline` (growth_enrollments.headline): the headline variant counts as
  plain-text tables.

The command line is growth_enrollments.cli; `python -m growth_enrollments`
runs it too.
"""
