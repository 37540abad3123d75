"""The growth_enrollments dbt project's Python: one command, `growth-enrollments`.

* `headline` (growth_enrollments.headline): the headline variant counts as
  plain-text tables.

The command line is growth_enrollments.cli; `python -m growth_enrollments`
runs it too.
"""
