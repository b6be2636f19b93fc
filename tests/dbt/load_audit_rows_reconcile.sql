-- docs/formats.md section 1: for every landed file, rows read = rows loaded + rows quarantined;
-- the status names what happened; and a file loaded with quarantined rows has exactly one
-- raw.quarantine entry per quarantined row (the ledger agrees with the quarantine).
with

audit as (
    select * from {{ ref('load_audit') }}
),

quarantine_entries as (
    select
        load_id,
        count(*) as entries
    from {{ ref('stg_landing__quarantined_rows') }}
    group by load_id
)

select
    audit.load_id,
    audit.file_name,
    audit.status,
    audit.rows_read,
    audit.rows_loaded,
    audit.rows_quarantined,
    quarantine_entries.entries as quarantine_entries
from audit
left join quarantine_entries
    on audit.load_id = quarantine_entries.load_id
where
    audit.rows_read is distinct from audit.rows_loaded + audit.rows_quarantined
    or audit.is_reconciled is distinct from true
    or (audit.status = 'loaded' and audit.rows_quarantined <> 0)
    or (audit.status = 'quarantined' and audit.rows_loaded <> 0)
    or (audit.status = 'loaded_with_quarantine' and coalesce(quarantine_entries.entries, 0) <> audit.rows_quarantined)
