with

source as (
    select * from {{ source('landing', 'suppression_snapshots') }}
),

final as (
    select
        _load_id as snapshot_load_id,
        {{ normalize_text('application') }} as application,
        format as snapshot_format,
        snapshot_taken_at,
        _source_file as source_file
    from source
)

select * from final
