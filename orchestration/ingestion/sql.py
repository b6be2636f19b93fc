"""Quoting helpers: every name or value spliced into SQL goes through here."""

from __future__ import annotations


def sql_literal(value: str) -> str:
    """A SQL string literal holding exactly ``value``."""
    return "'" + value.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """A quoted SQL identifier holding exactly ``name``."""
    return '"' + name.replace('"', '""') + '"'
