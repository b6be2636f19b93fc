"""Nothing lost between the landing folder and the marts.

Fails (ERROR) when a file's rows do not add up (rows_read != rows_loaded + rows_quarantined) or a
landed send (raw.sends, one per source_system + send_id) is missing from marts.sends_checked:
docs/rules.md section 4 says a send is never dropped, so a missing one is a pipeline bug.
"""

import dagster as dg

from orchestration.assets.metadata import markdown_table
from orchestration.assets.resources import SoftspamSettings
from orchestration.warehouse import query

SENDS_CHECKED_KEY = dg.AssetKey(["marts", "sends_checked"])
RECONCILIATION_CHECK = "reconciliation"
EXAMPLES = 10

UNBALANCED_FILES_SQL = """
select load_id, file_name, kind, rows_read, rows_loaded, rows_quarantined
from raw.load_ledger
where rows_read <> rows_loaded + rows_quarantined
order by load_id
"""
# Keys compared after lower(trim()) on both sides: the mart normalises text, raw keeps it as sent.
MISSING_SENDS_SQL = """
with landed as (
    select distinct lower(trim(source_system)) as source_system, lower(trim(send_id)) as send_id
    from raw.sends
),
judged as (
    select distinct lower(trim(source_system)) as source_system, lower(trim(send_id)) as send_id
    from marts.sends_checked
)
select landed.source_system, landed.send_id
from landed
anti join judged using (source_system, send_id)
order by 1, 2
"""


@dg.asset_check(
    asset=SENDS_CHECKED_KEY,
    name=RECONCILIATION_CHECK,
    description="Every file's rows add up, and every landed send is judged in marts.sends_checked.",
)
def reconciliation_check(softspam: SoftspamSettings) -> dg.AssetCheckResult:
    warehouse = softspam.settings.warehouse
    unbalanced = query(warehouse, UNBALANCED_FILES_SQL)
    missing = query(warehouse, MISSING_SENDS_SQL)
    judged = int(query(warehouse, "select count(*) as n from marts.sends_checked")["n"].iloc[0])
    return dg.AssetCheckResult(
        passed=unbalanced.empty and missing.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "files_not_adding_up": len(unbalanced),
            "sends_missing_from_marts": len(missing),
            "sends_judged": judged,
            "files_not_adding_up_examples": dg.MetadataValue.md(markdown_table(unbalanced.head(EXAMPLES))),
            "missing_sends_examples": dg.MetadataValue.md(markdown_table(missing.head(EXAMPLES))),
        },
    )
