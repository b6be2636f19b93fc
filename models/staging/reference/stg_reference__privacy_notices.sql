-- Notice versions as instants: a version is in force from midnight of effective_from in the
-- configured time zone until the next version starts.
with

chosen as (
    {{ reference_data('privacy_notices', ['version', 'effective_from', 'has_soft_spam_clause']) }}
),

typed as (
    select
        trim(version) as privacy_notice_version,
        cast(trim(effective_from) as date) as effective_from,
        coalesce({{ parse_boolean('has_soft_spam_clause') }}, false) as has_soft_spam_clause
    from chosen
    where nullif(trim(version), '') is not null
),

final as (
    select
        privacy_notice_version,
        effective_from,
        has_soft_spam_clause,
        {{ local_midnight('effective_from') }} as effective_from_at,
        lead({{ local_midnight('effective_from') }}) over (order by effective_from) as superseded_at
    from typed
)

select * from final
