"""Dagster assets: landing (ingestion), dbt (reference, staging, intermediate, marts), reports."""
