with

source as (
    select * from {{ source('landing', 'load_ledger') }}
),

final as (
    select
        load_id,
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
        repeated_columns
    from source
)

select * from final
