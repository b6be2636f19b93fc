with

latest as (
    -- the table itself rather than a CTE over it: the query reads it three times, and a CTE
    -- read more than once is materialized, every wide row of it
    {{ latest_version(source('landing', 'oppositions'), record_identity('oppositions')) }}
),

renamed as (
    select
        {{ normalize_text('source_system') }} as source_system,
        trim(opposition_id) as opposition_id,
        {{ normalize_text('email') }} as email,
        {{ normalize_text('scope') }} as scope_as_given,
        opposed_at,
        recorded_at,
        {{ normalize_text('request_channel') }} as request_channel,
        _load_id as load_id,
        _source_file as source_file,
        _source_line as source_line
    from latest
),

final as (
    select
        *,
        {{ person_key('email') }} as person_key
    from renamed
)

select * from final
