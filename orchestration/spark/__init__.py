"""The Apache Spark engine: the same dbt project on Spark (dbt-spark, session method).

A Spark run keeps the DuckDB warehouse file as its front door: ingestion lands and quarantines
into it exactly as on DuckDB (one reader, one ledger), ``landing`` publishes the landed tables
as Parquet for Spark, dbt builds every model on Spark, and ``serving`` exposes Spark's tables
back in the DuckDB file as views, so the checks, reports, check-audience and trail read one
place whatever the engine.
"""

from pathlib import Path

ENGINES = ("duckdb", "spark")


def spark_dir_for(warehouse: Path) -> Path:
    """Spark's folder beside the DuckDB file: warehouse/softspam.duckdb -> warehouse/softspam.spark."""
    warehouse = Path(warehouse)
    return warehouse.with_name(f"{warehouse.stem}.spark")
