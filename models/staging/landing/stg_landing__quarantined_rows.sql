with

source as (
    select * from {{ source('landing', 'quarantine') }}
),

final as (
    select
        load_id,
        file_name,
        kind,
        line_number,
        reason,
        raw_record,
        quarantined_at
    from source
)

select * from final
