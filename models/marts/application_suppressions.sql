-- What each application that sends marketing must suppress now (docs/rules.md section 7): every
-- person with an opposition that covers some send on the application's channel (e-mail: any
-- scope; other channels: all_marketing) and that no later consent grant for that channel (or
-- `all`) has lifted. One row per (application, person), naming the earliest such opposition.
with

applications as (
    select * from {{ ref('stg_reference__applications') }}
    where is_sending_marketing
),

oppositions as (
    select * from {{ ref('int_oppositions_unioned') }}
    where person_key is not null and opposed_at <= {{ evaluated_at() }}
),

last_grant as (
    select
        person_key,
        channel,
        max(event_at) as last_granted_at
    from {{ ref('int_consent_states_collapsed') }}
    where is_grant and event_at <= {{ evaluated_at() }}
    group by person_key, channel
),

owed as (
    select
        applications.application,
        applications.channel,
        oppositions.person_key,
        oppositions.email,
        oppositions.opposition_id,
        oppositions.scope,
        oppositions.opposed_at,
        oppositions.source_system,
        row_number() over (
            partition by applications.application, oppositions.person_key
            order by oppositions.opposed_at, oppositions.opposition_id
        ) as opposition_rank
    from applications
    inner join oppositions
        on {{ scope_covers_channel('oppositions.scope', 'applications.channel') }}
    left join last_grant
        on
            oppositions.person_key = last_grant.person_key
            and applications.channel = last_grant.channel
    where oppositions.opposed_at >= coalesce(last_grant.last_granted_at, {{ utc_instant('1900-01-01 00:00:00') }})
),

final as (
    select
        application,
        channel,
        person_key,
        email,
        opposed_at as first_opposed_at,
        opposition_id,
        scope,
        source_system
    from owed
    where opposition_rank = 1
)

select * from final
