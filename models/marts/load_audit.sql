-- One row per landed file: what was read, loaded and quarantined.
with

file_loads as (
    select * from {{ ref('stg_landing__file_loads') }}
),

final as (
    select
        file_name,
        kind,
        landing_place,
        format,
        content_sha256,
        rows_read,
        rows_loaded,
        rows_quarantined,
        loaded_at,
        status,
        message,
        repeated_columns,
        load_id,
        rows_read = rows_loaded + rows_quarantined as is_reconciled
    from file_loads
)

select * from final
