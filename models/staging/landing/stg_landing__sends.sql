{#
  A table, incremental, on DuckDB; a view on Spark (whose Parquet tables cannot delete rows).
  Ten million sends are read by half a dozen models and tests: as a view, every read re-ran the
  latest-version anti-join over every landed row.
#}
{{
    config(
        materialized=('incremental' if target.type == 'duckdb' else 'view'),
        unique_key='send_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

{#- A record's identity as one text; never NULL (concat_ws skips NULLs), so the
    delete+insert of an incremental build replaces exactly the rows of the keys it restages. -#}
{%- set record_key = "concat_ws(':', " ~ record_identity('sends') | join(', ') ~ ")" -%}

-- Incremental: a build restages every record with a row landed since the previous build (its
-- latest version is then recomputed from all its landed rows), every row whose configured
-- controller default changed, and every row when the policy time zone changed. Raw rows are
-- only ever appended or re-read, so the table equals a full rebuild.

with

{% if is_incremental() %}
staged_through as (
    select coalesce(max(load_id), -1) as load_id from {{ this }}
),

restaged_keys as (
    select {{ record_key }} as send_key
    from {{ source('landing', 'sends') }}
    where _load_id > (select load_id from staged_through)
    union
    select send_key from {{ this }}
    where
        (is_controller_defaulted and controller <> lower('{{ var("controller") }}'))
        -- a new policy time zone re-reads the landed local times (ingestion): restage them
        or read_in_time_zone <> '{{ var("timezone") }}'
),

landed as (
    -- every landed row of the restaged records (read more than once below: materialized, small)
    select * from {{ source('landing', 'sends') }}
    where {{ record_key }} in (select send_key from restaged_keys)
),
{% endif %}

latest as (
    -- on a full build the table itself rather than a CTE over it: the query reads it three
    -- times, and a CTE read more than once is materialized, every wide row of it
    {{ latest_version('landed' if is_incremental() else source('landing', 'sends'), record_identity('sends')) }}
),

renamed as (
    select
        {{ record_key }} as send_key,
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
        {{ normalize_text('controller') }} is null as is_controller_defaulted,
        '{{ var("timezone") }}' as read_in_time_zone,
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
