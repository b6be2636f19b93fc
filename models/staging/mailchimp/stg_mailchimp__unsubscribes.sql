-- Mailchimp "unsubscribed" audience export rows, from oppositions/ (objections of scope
-- email_marketing) or from suppressions/<application>/ (that application's snapshot).
-- An objection is one member's unsubscribe at one time: exported again, its latest version
-- wins; a later unsubscribe of the same member is another objection, and the earlier one stays.
-- Snapshot rows are not de-duplicated: each snapshot is a whole picture of the list.
with

objections as (
    {{ latest_version(
        "(select * from " ~ source('mailchimp', 'mailchimp_unsubscribes') ~ " where landing_kind = 'oppositions')",
        record_identity('mailchimp_unsubscribes')) }}
),

snapshot_rows as (
    select * from {{ source('mailchimp', 'mailchimp_unsubscribes') }}
    where landing_kind <> 'oppositions'
),

source_rows as (
    select * from objections
    union all
    select * from snapshot_rows
),

renamed as (
    select
        landing_kind,
        {{ normalize_text('application') }} as application,
        coalesce(nullif(trim(leid), ''), nullif(trim(euid), '')) as member_id,
        {{ mailchimp_member_key() }} as member_key,
        {{ normalize_text('email_address') }} as email,
        unsub_time as unsubscribed_at,
        nullif(trim(unsub_campaign_id), '') as unsubscribe_campaign_id,
        nullif(trim(unsub_campaign_title), '') as unsubscribe_campaign_title,
        nullif(trim(unsub_reason), '') as unsubscribe_reason,
        _load_id as load_id,
        _source_file as source_file,
        _source_line as source_line
    from source_rows
),

final as (
    select
        *,
        {{ person_key('email') }} as person_key
    from renamed
)

select * from final
