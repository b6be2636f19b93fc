"""The Apache Spark engine: the same dbt project on Spark (dbt-spark, session method).

A Spark run keeps the DuckDB warehouse file as its front door: ingestion lands and quarantines
into it exactly as on DuckDB (one reader, one ledger), ``landing`` publishes the landed tables
as Parquet for Spark, dbt builds every model on Spark, and ``serving`` exposes Spark's tables
back in the DuckDB file as views, so the checks, reports, check-audience and trail read one
place whatever the engine.
"""

import importlib.util
import os
import shutil
from pathlib import Path

from orchestration.config import ConfigError

ENGINES = ("duckdb", "spark")
SPARK_MODULES = ("dbt.adapters.spark", "pyspark")


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a missing parent package (dbt.adapters) of the module
        return False


def _java_found() -> bool:
    # PySpark starts $JAVA_HOME/bin/java when JAVA_HOME is set, else the java on PATH.
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        return os.access(Path(java_home) / "bin" / "java", os.X_OK)
    return shutil.which("java") is not None


def ensure_spark_runnable() -> None:
    """Raise ConfigError naming the fix when the Spark engine cannot start here."""
    missing = [module for module in SPARK_MODULES if not _importable(module)]
    if missing:
        raise ConfigError(
            f"--engine spark needs {' and '.join(missing)}, not installed: "
            "pip install -e '.[spark]' (or make install)"
        )
    if not _java_found():
        raise ConfigError("--engine spark needs a Java 17+ runtime, none on PATH: make java")


def spark_dir_for(warehouse: Path) -> Path:
    """Spark's folder beside the DuckDB file: warehouse/softspam.duckdb -> warehouse/softspam.spark."""
    warehouse = Path(warehouse)
    return warehouse.with_name(f"{warehouse.stem}.spark")
