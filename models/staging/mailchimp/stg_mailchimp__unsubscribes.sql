-- Mailchimp "unsubscribed" audience export rows, from oppositions/ (objections of scope
-- email_marketing) or from suppressions/<application>/ (that application's snapshot).
with

source as (
    select * from {{ source('mailchimp', 'mailchimp_unsubscribes') }}
),

renamed as (
    select
        landing_kind,
        {{ normalize_text('application') }} as application,
        coalesce(nullif(trim(leid), ''), nullif(trim(euid), '')) as member_id,
        {{ normalize_text('email_address') }} as email,
        unsub_time as unsubscribed_at,
        nullif(trim(unsub_campaign_id), '') as unsubscribe_campaign_id,
        nullif(trim(unsub_campaign_title), '') as unsubscribe_campaign_title,
        nullif(trim(unsub_reason), '') as unsubscribe_reason,
        _load_id as load_id,
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
