"""Shared fixtures of the end-to-end suite.

The helpers live in tests/pytest/datasets.py (`generate_dataset`,
`build_dataset`, `assert_built`, `Dataset`) and
tests/pytest/dbt_project_runner.py (`DbtProject`, `run_dbt`, `read_table`).

* Session fixtures, built once per run and shared by every test module:
  `messy_dataset` / `messy_project` (the `messy` preset: a few thousand
  seeded lines with every kind of bad line) and `sample_dataset` /
  `sample_project` (the shipped sample_data/events, built with the project's
  default `events_path`).

Fixtures for later models should reuse these builds (read more tables from
`messy_project`) rather than build again: one build takes several seconds.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from datasets import Dataset, build_dataset, default_events_path, generate_dataset
from dbt_project_runner import REPO_ROOT, DbtProject

from growth_enrollments import generate

MESSY_SEED = 20250318


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def messy_dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    cfg = generate.preset_config("messy", seed=MESSY_SEED)
    return generate_dataset(cfg, tmp_path_factory.mktemp("messy_events"))


@pytest.fixture(scope="session")
def messy_project(messy_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """`dbt build` on the messy data set (not asserted here: see assert_built)."""
    return build_dataset(messy_dataset, tmp_path_factory.mktemp("messy_warehouse"))


@pytest.fixture(scope="session")
def sample_dataset() -> Dataset:
    events_path = default_events_path()
    root = REPO_ROOT / events_path.split("*")[0]
    return Dataset(root=root, events_path=events_path, cwd=str(REPO_ROOT))


@pytest.fixture(scope="session")
def sample_project(sample_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """`dbt build` with the project's default events_path (the shipped sample)."""
    return build_dataset(None, tmp_path_factory.mktemp("sample_warehouse"))


@pytest.fixture
def make_project(tmp_path: Path):
    """Factory: `make_project(dataset_or_None, **vars)` -> a built DbtProject in tmp_path."""

    def make(dataset: Dataset | None, **dbt_vars) -> DbtProject:
        directory = tmp_path / f"warehouse_{len(os.listdir(tmp_path))}"
        directory.mkdir()
        return build_dataset(dataset, directory, dbt_vars or None)

    return make
