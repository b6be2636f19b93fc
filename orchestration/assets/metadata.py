"""Query results as Dagster metadata: addresses masked, small markdown tables."""

from __future__ import annotations

from typing import Any

import pandas as pd

from orchestration.quality.masking import mask_email

EMAIL_COLUMNS = ("email", "email_address")


def masked(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every address column masked, for metadata and logs."""
    frame = frame.copy()
    for column in frame.columns:
        if column in EMAIL_COLUMNS:
            frame[column] = frame[column].map(lambda v: mask_email(v) if isinstance(v, str) else v)
    return frame


def markdown_table(frame: pd.DataFrame, max_cell: int = 60) -> str:
    """A small markdown table (Dagster renders it); no dependency on `tabulate`."""
    if frame.empty:
        return "_no rows_"

    def cell(value: Any) -> str:
        text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        text = text.replace("|", "\\|").replace("\n", " ")
        return text if len(text) <= max_cell else text[: max_cell - 1] + "…"

    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])
