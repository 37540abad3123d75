"""A self-contained HTML report of a built database (`growth-enrollments report`).

    growth-enrollments report --out report.html [--database path/to/file.duckdb]

The database defaults to $DUCKDB_PATH, else growth_enrollments.duckdb (the
profile's default). It is opened read-only. The page has inline CSS and
inline SVG charts only: no script, font, image or stylesheet is fetched, so
it opens offline and can be mailed as one file.

What it shows, from the public marts:

* headline counts of the experiment runs (the allocation windows: the
  experiment-run count marts), the users outside every allocation, and the
  status of every sample ratio test;
* per experiment and wiki, cumulative users per variant over time, one
  chart per cohort (fct_daily_enrollments), beside the users per variant at
  account creation and at page impression (the count marts);
* the sample ratio checks (fct_sample_ratio_checks), status as colour and text;
* new vs existing accounts in the page-impression cohort
  (fct_page_impression_variant_counts);
* rejected lines by reason (fct_rejected_events).

Counts suppressed by the dbt var `min_cell_size` (null, with a
`<count>_is_suppressed` flag) show as "suppressed", never as 0; a chart
leaves suppressed days out and says so. Columns are read by name and a
missing flag column means "not suppressed", so the report also reads a
database built before suppression existed.

Modules: `data` (reading the marts), `markup` and `charts` (HTML and SVG
pieces), `sections` and `sample_ratio` (the sections), `page` (the page and
writing it).
"""

from growth_enrollments.report.data import Count, ReportData, load
from growth_enrollments.report.page import render, write_report

__all__ = ["Count", "ReportData", "load", "render", "write_report"]
