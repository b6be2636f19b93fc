with

latest as (
    -- the table itself rather than a CTE over it: the query reads it three times, and a CTE
    -- read more than once is materialized, every wide row of it
    {{ latest_version(source('landing', 'consents'), record_identity('consents')) }}
),

renamed as (
    select
        {{ normalize_text('source_system') }} as source_system,
        trim(consent_id) as consent_id,
        {{ normalize_text('email') }} as email,
        {{ normalize_text('channel') }} as channel,
        {{ normalize_text('status') }} as status,
        event_at,
        nullif(trim(evidence_ref), '') as evidence_ref,
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
