"""Event data sets for the end-to-end tests, and building them with dbt.

* `generate_dataset(cfg, directory)` writes generated events (see
  growth_enrollments.generate) and returns a `Dataset`: the folder, the
  `events_path` glob to give dbt, the generated files with each line's
  expected outcome, and the oracle's result (tests/pytest/oracle.py).
* `build_dataset(dataset, directory)` runs one `dbt build` on it into its own
  DuckDB file and returns a `DbtProject` (tests/pytest/dbt_project_runner.py)
  whose `last_run` holds dbt's exit code and output; `assert_built` fails
  with that output unless dbt exited 0.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import oracle
import yaml
from dbt_project_runner import REPO_ROOT, DbtCommandError, DbtProject

from growth_enrollments import generate

EVENTS_GLOB = "**/*.*json*"


def default_events_path() -> str:
    """The `events_path` var's default in dbt_project.yml."""
    with open(REPO_ROOT / "dbt_project.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["vars"]["events_path"]


@dataclasses.dataclass
class Dataset:
    """Raw event files on disk and what is known about them."""

    root: Path
    events_path: str  # the glob for dbt's events_path var
    files: list[generate.GeneratedFile] | None = None  # None for data not generated here
    cwd: str | None = None  # where a relative events_path is resolved (the repo root)

    @functools.cached_property
    def oracle(self) -> oracle.OracleResult:
        return oracle.compute_from_glob(self.events_path, self.cwd)

    @property
    def paths(self) -> list[str]:
        """The files as the warehouse names them."""
        return oracle.list_event_files(self.events_path, self.cwd)

    def expected_by_line(self) -> dict[tuple[str, int], str]:
        """(file name, line index) -> the generator's expected outcome."""
        if self.files is None:
            raise ValueError("this data set was not generated here")
        return {
            (str(self.root / file.path), index): expected
            for file in self.files
            for index, expected in enumerate(file.expected)
        }


def generate_dataset(cfg: generate.GeneratorConfig, directory: Path) -> Dataset:
    """Write the generated files of `cfg` under `directory`."""
    files = generate.generate_files(cfg)
    generate.write_files(files, str(directory), cfg.compresslevel)
    return Dataset(root=directory, events_path=str(directory / EVENTS_GLOB), files=files)


def build_dataset(dataset: Dataset | None, directory: Path, dbt_vars: dict | None = None) -> DbtProject:
    """One `dbt build` of the dataset (None: the project's default events_path).

    Does not raise: `project.last_run.returncode` tells; use `assert_built`.
    """
    project = DbtProject(
        directory / "warehouse.duckdb",
        events_path=None if dataset is None else dataset.events_path,
        dbt_vars=dbt_vars,
    )
    project.build(check=False)
    return project


def assert_built(project: DbtProject) -> DbtProject:
    """Fail with dbt's output unless the project's last dbt command exited 0."""
    run = project.last_run
    if run is None or run.returncode != 0:
        raise DbtCommandError(
            f"dbt exited {None if run is None else run.returncode}\n--- dbt output ---\n{'' if run is None else run.stdout}"
        )
    return project
