"""The marketing vocabulary (channels, scopes, legal bases, consent statuses), read from the one
place it is written: the `vocabulary` var of dbt_project.yml, which the models read too."""

from __future__ import annotations

from functools import cache

import yaml

from orchestration.config import PROJECT_DIR


@cache
def vocabulary() -> dict[str, tuple[str, ...]]:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return {terms: tuple(values) for terms, values in project["vars"]["vocabulary"].items()}


def terms(name: str) -> tuple[str, ...]:
    """One list of the vocabulary, e.g. terms('scopes')."""
    return vocabulary()[name]
