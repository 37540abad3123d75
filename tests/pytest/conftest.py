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

* Scheduling on pytest-xdist workers (`--dist loadfile --no-loadscope-reorder`,
  scripts/test.sh): each module runs whole on one worker, and the modules
  that use the session builds (SESSION_BUILD_MODULES) run together on one
  worker, which makes those builds once for all of them. The Spark suite,
  the longest module, starts first on one worker, the session builds on the
  other; then the slowest of the other modules, so that the two workers end
  together.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from datasets import Dataset, build_dataset, default_events_path, generate_dataset
from dbt_project_runner import REPO_ROOT, DbtProject

from growth_enrollments import generate

MESSY_SEED = 20250318

# the session builds, made once by the worker that runs the modules using them
SESSION_BUILDS = frozenset({"messy_dataset", "messy_project", "sample_dataset", "sample_project"})
SESSION_BUILD_MODULES = frozenset(
    {
        "test_bi_pooling",
        "test_bi_queries",
        "test_core_pipeline",
        "test_generic_tests",
        "test_governance",
        "test_health_marts",
        "test_min_cell_size",
        "test_report",
        "test_semantic_layer",
    }
)
# the longest module (about 300 s alone, 2026-12-07): it starts first, the
# session builds next, on the other worker
SPARK_MODULE = "test_spark_equality"
# the slowest modules that build for themselves, slowest first (measured
# alone on two workers, 2026-12-06: about 360, 190, 110, 95 and 85 s), after
# the session builds; any other module starts after them, in the order
# pytest collects it
SLOWEST_MODULES = (
    "test_crash_consistency",
    "test_incremental",
    "test_safe_build",
    "test_unreadable_input",
    "test_history_migration",
)


def _module(nodeid: str) -> str:
    return Path(nodeid.split("::", 1)[0]).stem


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadfile`, with the modules of the session builds as one unit."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModulesScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = _module(nodeid)
            return "session builds" if module in SESSION_BUILD_MODULES else module

    return ModulesScheduling(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Spark suite, the modules of the session builds, then the slowest others."""
    sharing = {_module(item.nodeid) for item in items if SESSION_BUILDS & set(item.fixturenames)}
    if not sharing <= SESSION_BUILD_MODULES:
        warnings.warn(f"add {sorted(sharing - SESSION_BUILD_MODULES)} to SESSION_BUILD_MODULES (conftest.py)", stacklevel=1)

    def rank(item: pytest.Item) -> int:
        module = _module(item.nodeid)
        if module == SPARK_MODULE:
            return -1
        if module in SESSION_BUILD_MODULES:
            return 0
        return 1 + SLOWEST_MODULES.index(module) if module in SLOWEST_MODULES else 1 + len(SLOWEST_MODULES)

    items.sort(key=rank)


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
