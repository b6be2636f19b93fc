"""Shared pytest fixtures for every suite."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

_PREFIXES = ("SOFTSPAM_", "DBT_")


def _restore_environment() -> Iterator[None]:
    saved = {key: value for key, value in os.environ.items() if key.startswith(_PREFIXES)}
    yield
    for key in [key for key in os.environ if key.startswith(_PREFIXES)]:
        if key not in saved:
            del os.environ[key]
    os.environ.update(saved)


# `softspam run` exports its paths to the environment (dbt's profile reads them); a test or a
# module fixture that runs it in-process must not leak them into the next test or module.
isolated_module_environment = pytest.fixture(scope="module", autouse=True)(_restore_environment)
isolated_test_environment = pytest.fixture(autouse=True)(_restore_environment)
