with

latest as (
    -- the table itself rather than a CTE over it: the query reads it three times, and a CTE
    -- read more than once is materialized, every wide row of it
    {{ latest_version(source('landing', 'sends'), 'source_system, send_id') }}
),

renamed as (
    select
        {{ normalize_text('source_system') }} as source_system,
        trim(send_id) as send_id,
        nullif(trim(campaign_id), '') as campaign_id,
        {{ normalize_text('channel') }} as channel,
        {{ normalize_text('email') }} as email,
        {{ normalize_text('promoted_category') }} as promoted_category,
        {{ normalize_text('legal_basis') }} as legal_basis,
        sent_at,
        -- a missing or unreadable flag means the message carried no opt-out
        coalesce({{ parse_boolean('has_opt_out_link') }}, false) as has_opt_out_link,
        has_opt_out_link as has_opt_out_link_text,
        coalesce({{ normalize_text('controller') }}, lower('{{ var("controller") }}')) as controller,
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
