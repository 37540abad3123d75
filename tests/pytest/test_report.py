"""The HTML report (`growth-enrollments report`), rendered in headless Chromium.

* On the shared `messy` build (conftest.py): the page is self-contained (no
  script, stylesheet, font or image fetched), every chart drew (Chromium
  lays out each line and bar with a non-empty box, and the screenshot holds
  the variants' colours), and every number in the page equals the marts:
  the headline totals, the users per variant beside each chart, the last
  point of each cumulative line, the SRM table, the new/existing split and
  the rejected lines by reason.
* On a generated data set with a skewed eswiki split, built with
  `min_cell_size` set: the SRM shows as a red "SRM" badge, and every count
  the marts suppress shows as "suppressed", never as a number or 0.

The DOM is read with `chromium --dump-dom` from a copy of the report with a
small script appended that writes each drawn element's bounding box into
the DOM; the screenshot is of the report itself.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import headless_chromium
import pytest
from datasets import Dataset, assert_built, generate_dataset
from dbt_project_runner import DbtProject
from PIL import Image

from growth_enrollments import generate

REPORT_COMMAND = (sys.executable, "-m", "growth_enrollments", "report")
WINDOW = (1280, 2400)
MEASURE_SCRIPT = """
<script>
for (const element of document.querySelectorAll('svg[data-chart] path.series, svg[data-chart] rect[data-value]')) {
  const box = element.getBBox();
  element.setAttribute('data-drawn', box.width > 0 || box.height > 0 ? 'yes' : 'no');
}
document.body.setAttribute('data-measured', 'yes');
</script>
"""
SUPPRESSED_SEED = 11
SUPPRESSED_MIN_CELL_SIZE = 25
SKEWED_WIKI = "eswiki"
SRM_MIN_USERS = 50  # the small generated wikis still get a verdict


# ---------------------------------------------------------------- helpers


class Element:
    def __init__(self, tag: str, attributes: dict[str, str], parent: Element | None):
        self.tag = tag
        self.attributes = attributes
        self.parent = parent
        self.children: list[Element] = []
        self.text_parts: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.text_parts + [child.text for child in self.children]).strip()

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attributes.get(name, default)

    def classes(self) -> set[str]:
        return set((self.get("class") or "").split())

    def find_all(self, predicate) -> list[Element]:
        found = []
        for child in self.children:
            if predicate(child):
                found.append(child)
            found.extend(child.find_all(predicate))
        return found


class DomParser(HTMLParser):
    """A tree of the dumped DOM (void elements closed at once)."""

    VOID = {"meta", "br", "link", "img", "input", "hr", "rect", "line", "circle", "path"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in self.VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, {name: value or "" for name, value in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text_parts.append(data)


def parse_dom(text: str) -> Element:
    parser = DomParser()
    parser.feed(text)
    return parser.root


def write_report(project: DbtProject, out: Path) -> Path:
    completed = subprocess.run(
        [*REPORT_COMMAND, "--database", str(project.duckdb_path), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout
    return out


def rendered_dom(report: Path) -> Element:
    """The DOM Chromium built of the report, with each chart element's drawn box."""
    measured = report.with_name(f"{report.stem}.measured.html")
    measured.write_text(report.read_text(encoding="utf-8").replace("</body>", MEASURE_SCRIPT + "</body>"), "utf-8")
    root = parse_dom(headless_chromium.dump_dom(measured, WINDOW))
    body = root.find_all(lambda element: element.tag == "body")
    assert body and body[0].get("data-measured") == "yes", "the page did not load in Chromium"
    return root


def shown_count(text: str) -> int | str:
    """A count as the page shows it: an int, or 'suppressed'."""
    text = text.strip()
    if text == "suppressed":
        return text
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", text), f"not a count: {text!r}"
    return int(text.replace(",", ""))


def expected_count(value: int | None, is_suppressed: bool | None) -> int | str:
    return "suppressed" if is_suppressed or value is None else int(value)


def mart_columns(project: DbtProject, table: str) -> set[str]:
    return {
        name
        for (name,) in project.query(
            "select column_name from information_schema.columns where table_name = ?", [table]
        )
    }


def read_counts(project: DbtProject, table: str, keys: list[str], counts: list[str], where: str = "") -> dict:
    """key tuple -> {count: int or 'suppressed'}, whether or not the mart has suppression flags."""
    columns = mart_columns(project, table)
    selected = keys + [
        expression
        for count in counts
        for expression in (count, f"{count}_is_suppressed" if f"{count}_is_suppressed" in columns else "false")
    ]
    sql = f"select {', '.join(selected)} from main.{table}" + (f" where {where}" if where else "")
    result = {}
    for row in project.query(sql):
        values = row[len(keys):]
        result[tuple(row[: len(keys)])] = {
            count: expected_count(values[2 * index], values[2 * index + 1]) for index, count in enumerate(counts)
        }
    return result


def total(values) -> int | str:
    values = list(values)
    return "suppressed" if "suppressed" in values else sum(values)


def colour_pixels(png: Path, colour: str, tolerance: int = 12) -> int:
    """Pixels of the screenshot within `tolerance` of a #rrggbb colour."""
    target = tuple(int(colour[index : index + 2], 16) for index in (1, 3, 5))
    image = Image.open(png).convert("RGB")
    return sum(
        count
        for count, pixel in image.getcolors(maxcolors=1 << 24)
        if all(abs(channel - wanted) <= tolerance for channel, wanted in zip(pixel, target))
    )


def assert_page_matches_marts(project: DbtProject, dom: Element) -> int:
    """Every number of the page against the marts; returns how many lines drew."""
    account_creation = read_counts(
        project, "fct_account_creation_variant_counts", ["experiment", "wiki", "variant"], ["enrolled_users"]
    )
    page_counts = ["enrolled_users", "new_account_users", "existing_account_users", "impression_events"]
    page_impression = read_counts(
        project, "fct_page_impression_variant_counts", ["experiment", "wiki", "variant"], page_counts
    )

    # headline totals
    figures = {
        element.get("data-metric"): element
        for element in dom.find_all(lambda element: "figure" in element.classes())
    }
    # the headline counts the experiment runs (allocation windows), and the users outside them apart
    creation_runs = read_counts(
        project, "fct_account_creation_run_variant_counts",
        ["experiment", "wiki", "valid_from", "valid_to", "variant"], ["enrolled_users"],
    )
    impression_runs = read_counts(
        project, "fct_page_impression_run_variant_counts",
        ["experiment", "wiki", "valid_from", "valid_to", "variant"], ["enrolled_users", "new_account_users"],
    )
    outside = read_counts(
        project, "fct_enrollments_outside_allocations",
        ["cohort", "experiment", "wiki", "variant", "outside_reason"], ["enrolled_users"],
    )
    expected_figures = {
        "account_creation_users": total(row["enrolled_users"] for row in creation_runs.values()),
        "page_impression_users": total(row["enrolled_users"] for row in impression_runs.values()),
        "new_account_users": total(row["new_account_users"] for row in impression_runs.values()),
        "outside_users": total(row["enrolled_users"] for row in outside.values()),
        "rejected_lines": project.query("select count(*) from main.fct_rejected_events")[0][0],
    }
    for metric, expected in expected_figures.items():
        value_text = [child for child in figures[metric].children if "value" in child.classes()][0].text
        assert shown_count(value_text) == expected, metric
        assert figures[metric].get("data-value") == str(expected), metric
    srm_tests = project.query(
        "select count(distinct (cohort, experiment, wiki, valid_from, valid_to)) from main.fct_sample_ratio_checks "
        "where is_srm"
    )[0][0]
    assert shown_count(figures["srm_tests"].children[0].text) == srm_tests

    # one chart per experiment, wiki and cohort, a line per variant ending at the last cumulative value
    daily = defaultdict(list)
    columns = mart_columns(project, "fct_daily_enrollments")
    flag = "cumulative_users_is_suppressed" if "cumulative_users_is_suppressed" in columns else "false"
    for cohort, experiment, wiki, variant, _day, cumulative, is_suppressed in project.query(
        f"select cohort, experiment, wiki, variant, enrollment_date, cumulative_users, {flag} "
        "from main.fct_daily_enrollments order by enrollment_date"
    ):
        daily[(experiment, wiki, cohort, variant)].append(expected_count(cumulative, is_suppressed))
    charts = {
        (svg.get("data-experiment"), svg.get("data-wiki"), svg.get("data-cohort")): svg
        for svg in dom.find_all(lambda element: element.tag == "svg" and element.get("data-chart") == "cumulative")
    }
    assert set(charts) == {key[:3] for key in daily}
    drawn_lines = 0
    for (experiment, wiki, cohort, variant), values in daily.items():
        svg = charts[(experiment, wiki, cohort)]
        paths = [
            element for element in svg.find_all(lambda element: element.tag == "path")
            if element.get("data-variant") == variant
        ]
        published_days = sum(1 for value in values if value != "suppressed")
        if published_days == 0:
            assert not paths, "a series with every day suppressed draws nothing"
            continue
        assert len(paths) == 1, (experiment, wiki, cohort, variant)
        path = paths[0]
        assert path.get("data-points") == str(published_days)
        assert path.get("data-last") == str(values[-1])
        assert path.get("d", "").startswith("M")
        if published_days > 1:
            assert path.get("data-drawn") == "yes", "Chromium laid the line out with an empty box"
        drawn_lines += 1

    # the users per variant beside each chart
    legends = dom.find_all(lambda element: element.get("data-users") is not None and element.get("data-variant"))
    shown = defaultdict(dict)
    for element in legends:
        card = element.parent
        while card is not None and card.tag != "article":
            card = card.parent
        chart_box = element.parent.parent
        cohort = "account_creation" if chart_box.children[0].text == "Account creation" else "page_impression"
        shown[(card.get("data-experiment"), card.get("data-wiki"), element.get("data-variant"))][cohort] = shown_count(
            element.find_all(lambda child: child.tag == "strong")[0].text
        )
    for key, counts in account_creation.items():
        assert shown[key]["account_creation"] == counts["enrolled_users"], key
    for key, counts in page_impression.items():
        assert shown[key]["page_impression"] == counts["enrolled_users"], key

    # new and existing accounts at page impression
    rows = dom.find_all(
        lambda element: element.tag == "tr" and element.get("data-variant") and element.get("data-wiki")
    )
    assert len(rows) == len(page_impression)
    for row in rows:
        key = (row.get("data-experiment"), row.get("data-wiki"), row.get("data-variant"))
        cells = {cell.get("data-count"): shown_count(cell.text) for cell in row.children if cell.get("data-count")}
        assert cells == page_impression[key], key
        bars = row.find_all(lambda element: element.tag == "rect" and element.get("data-part"))
        if page_impression[key]["new_account_users"] != "suppressed":
            assert [int(bar.get("data-value")) for bar in bars] == [
                page_impression[key]["new_account_users"],
                page_impression[key]["existing_account_users"],
            ]
        else:
            assert not bars

    # the sample ratio checks
    checks = read_counts(
        project,
        "fct_sample_ratio_checks",
        ["cohort", "experiment", "wiki", "coalesce(cast(valid_from as varchar), '')",
         "coalesce(cast(valid_to as varchar), '')", "variant", "status"],
        ["observed_users", "total_users"],
    )
    # where the expected share lies against the interval, computed here from the mart's numbers
    intervals = {}
    for row in project.query(
        "select cohort, experiment, wiki, coalesce(cast(valid_from as varchar), ''), "
        "coalesce(cast(valid_to as varchar), ''), variant, status, expected_share, "
        "observed_share_wilson_lower, observed_share_wilson_upper, interval_confidence "
        "from main.fct_sample_ratio_checks"
    ):
        expected, lower, upper, confidence = row[7:]
        assert confidence == pytest.approx(0.999)
        if lower is None or expected is None:
            intervals[row[:7]] = ""
        else:
            intervals[row[:7]] = "above" if expected < lower else "below" if expected > upper else "within"
    caption = dom.find_all(lambda element: element.tag == "section" and element.get("id") == "sample-ratio")[0]
    caption_text = caption.children[1].text
    assert "99.9% interval" in caption_text and "0.001" in caption_text and "95%" not in caption_text
    test_bodies = dom.find_all(lambda element: element.tag == "tbody" and element.get("data-status"))
    seen = 0
    for body in test_bodies:
        badge = body.find_all(lambda element: "status" in element.classes())[0]
        assert badge.get("data-status") == body.get("data-status")
        for row in body.find_all(lambda element: element.tag == "tr"):
            key = tuple(body.get(f"data-{name}") for name in ("cohort", "experiment", "wiki", "valid-from", "valid-to"))
            key += (row.get("data-variant"), body.get("data-status"))
            cells = [cell for cell in row.children if cell.get("data-users") is not None]
            assert cells, key
            assert shown_count(cells[-1].text) == checks[key]["observed_users"], key
            assert row.get("data-interval") == intervals[key], key
            seen += 1
    assert seen == len(checks)

    # conflicts between cohorts
    conflicts = read_counts(
        project,
        "fct_cross_cohort_conflicts",
        ["conflict_type", "experiment", "wiki"],
        ["users_in_both_cohorts", "conflicting_users"],
    )
    conflict_rows = dom.find_all(lambda element: element.tag == "tr" and element.get("data-conflict"))
    assert len(conflict_rows) == len(conflicts)
    for row in conflict_rows:
        key = (row.get("data-conflict"), row.get("data-experiment"), row.get("data-conflict-wiki"))
        cells = {cell.get("data-count"): shown_count(cell.text) for cell in row.children if cell.get("data-count")}
        assert cells == conflicts[key], key
    conflict_section = dom.find_all(lambda element: element.tag == "section" and element.get("id") == "conflicts")
    assert len(conflict_section) == 1

    # conflicts within an event's assignment
    source_conflicts = read_counts(
        project,
        "fct_assignment_source_conflicts",
        ["conflict_type", "cohort", "experiment", "wiki"],
        ["enrolled_users", "conflicting_users"],
    )
    source_rows = dom.find_all(lambda element: element.tag == "tr" and element.get("data-source-conflict"))
    assert len(source_rows) == len(source_conflicts)
    for row in source_rows:
        key = tuple(row.get(name) for name in ("data-source-conflict", "data-cohort", "data-experiment", "data-conflict-wiki"))
        cells = {cell.get("data-count"): shown_count(cell.text) for cell in row.children if cell.get("data-count")}
        assert cells == source_conflicts[key], key

    # rejected lines by reason
    rejected = dict(project.query("select reason, count(*) from main.fct_rejected_events group by reason"))
    bars = dom.find_all(lambda element: element.tag == "rect" and element.get("data-reason"))
    assert {bar.get("data-reason"): int(bar.get("data-value")) for bar in bars} == rejected
    assert all(bar.get("data-drawn") == "yes" for bar in bars)
    return drawn_lines


# ---------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def built(messy_project: DbtProject) -> DbtProject:
    return assert_built(messy_project)


@pytest.fixture(scope="module")
def messy_report(built: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(built, tmp_path_factory.mktemp("report") / "report.html")


def test_report_is_self_contained(messy_report: Path):
    page = messy_report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    for forbidden in ("<script", "<link", "<img", "<iframe", "@import", "url(", "http://", "https://", "src="):
        assert forbidden not in page, f"the report must not load anything: found {forbidden!r}"


def test_report_draws_the_marts(built: DbtProject, messy_report: Path):
    dom = rendered_dom(messy_report)
    assert assert_page_matches_marts(built, dom) > 0
    assert "suppressed" not in {
        element.text for element in dom.find_all(lambda element: "suppressed" in element.classes())
    }, "nothing is suppressed without min_cell_size"


def test_report_screenshot_shows_the_charts(messy_report: Path, tmp_path: Path):
    png = headless_chromium.screenshot(messy_report, tmp_path / "report.png", WINDOW)
    image = Image.open(png)
    assert image.size == WINDOW
    # the first chart lines (control is always the first colour) and the headline figures drew
    assert colour_pixels(png, "#0072B2") > 500
    assert colour_pixels(png, "#E69F00") + colour_pixels(png, "#009E73") > 200
    assert colour_pixels(png, "#f6f8fa", tolerance=2) > 20_000  # the headline panels


@pytest.fixture(scope="module")
def suppressed_project(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    cfg = generate.preset_config("sample", seed=SUPPRESSED_SEED, events=10_000, skew=((SKEWED_WIKI, 0.75),))
    dataset: Dataset = generate_dataset(cfg, tmp_path_factory.mktemp("report_events"))
    project = DbtProject(
        tmp_path_factory.mktemp("report_warehouse") / "warehouse.duckdb",
        events_path=dataset.events_path,
        dbt_vars={"min_cell_size": SUPPRESSED_MIN_CELL_SIZE, "srm_min_users": SRM_MIN_USERS},
    )
    project.build(check=False)
    return assert_built(project)


def test_report_shows_srm_and_suppressed_cells(suppressed_project: DbtProject, tmp_path: Path):
    report = write_report(suppressed_project, tmp_path / "report.html")
    dom = rendered_dom(report)
    assert_page_matches_marts(suppressed_project, dom)

    suppressed = dom.find_all(lambda element: "suppressed" in element.classes())
    assert suppressed, "the build suppresses some cells"
    assert all(element.text == "suppressed" for element in suppressed)
    statuses = {
        badge.get("data-status")
        for badge in dom.find_all(lambda element: element.tag == "span" and "status" in element.classes())
    }
    assert "srm" in statuses, f"the {SKEWED_WIKI} split is skewed 75/25"
    srm_badges = dom.find_all(lambda element: "srm" in element.classes() and "status" in element.classes())
    assert all(badge.text == "SRM" for badge in srm_badges)

    png = headless_chromium.screenshot(report, tmp_path / "report.png", WINDOW)
    assert colour_pixels(png, "#c62828") > 100, "the SRM badge is red"
