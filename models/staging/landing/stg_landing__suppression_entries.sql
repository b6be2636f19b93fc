-- One row per address in a canonical suppression snapshot (no de-duplication across
-- snapshots: each snapshot is a whole picture of the application's list).
with

source as (
    select * from {{ source('landing', 'suppressions') }}
),

renamed as (
    select
        _load_id as snapshot_load_id,
        {{ normalize_text('application') }} as application,
        {{ normalize_text('email') }} as email,
        suppressed_since,
        _source_file as source_file,
        _source_line as source_line
    from source
),

final as (
    select
        *,
        {{ person_key('email') }} as person_key
    from renamed
)

select * from final
