-- Consent per person, channel and instant. A consent for `all` speaks for every channel;
-- a grant and a withdrawal at the same instant collapse to the withdrawal (docs/rules.md section 4).
-- Unknown statuses count as "not a grant".
with

consent_events as (
    select * from {{ ref('int_consent_events_unioned') }}
    where person_key is not null
),

channels as (
    select 'email' as channel
    union all
    select 'sms' as channel
    union all
    select 'phone' as channel
    union all
    select 'post' as channel
    union all
    select 'push' as channel
),

per_channel as (
    select
        consent_events.person_key,
        channels.channel,
        consent_events.event_at,
        coalesce(consent_events.status = 'granted', false) as is_grant,
        consent_events.consent_id,
        consent_events.source_system
    from consent_events
    inner join channels
        on consent_events.channel = channels.channel or consent_events.channel = 'all'
),

ranked as (
    select
        *,
        -- at one instant the withdrawal speaks: non-grants first, then a stable id order
        row_number() over (
            partition by person_key, channel, event_at
            order by case when is_grant then 1 else 0 end, consent_id
        ) as rank_at_instant
    from per_channel
),

final as (
    select
        person_key,
        channel,
        event_at,
        is_grant,
        consent_id,
        source_system
    from ranked
    where rank_at_instant = 1
)

select * from final
