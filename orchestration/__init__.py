"""Soft-spam compliance warehouse: ingestion, Dagster definitions, CLI and reports."""
