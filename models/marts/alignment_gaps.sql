-- Does every application honour every objection? For each application's latest snapshot,
-- the persons it owes on its suppression list (opposition + service level at or before the
-- snapshot, not lifted by a later consent by then) who are missing from it. One row per
-- (application, person), naming the earliest owed opposition.
with

applications as (
    select * from {{ ref('stg_reference__applications') }}
    where is_sending_marketing
),

snapshots as (
    select * from {{ ref('stg_landing__suppression_snapshots') }}
),

latest_snapshots as (
    select
        application,
        snapshot_load_id,
        snapshot_taken_at
    from (
        select
            *,
            row_number() over (
                partition by application order by snapshot_taken_at desc, snapshot_load_id desc
            ) as recency
        from snapshots
    ) as ranked
    where recency = 1
),

snapshot_members as (
    {{ suppression_snapshot_members() }}
),

oppositions as (
    select * from {{ ref('int_oppositions_unioned') }}
    where person_key is not null
),

grants as (
    select * from {{ ref('int_consent_states_collapsed') }}
    where is_grant
),

owed as (
    select
        applications.application,
        applications.sla_hours,
        latest_snapshots.snapshot_load_id,
        latest_snapshots.snapshot_taken_at,
        oppositions.person_key,
        oppositions.email,
        oppositions.opposition_id,
        oppositions.opposed_at
    from applications
    inner join latest_snapshots
        on applications.application = latest_snapshots.application
    inner join oppositions
        on
            {{ scope_covers_channel('oppositions.scope', 'applications.channel') }}
            and {{ add_hours('oppositions.opposed_at', 'applications.sla_hours') }}
            <= latest_snapshots.snapshot_taken_at
    where not exists (
            select 1
            from grants
            where
                grants.person_key = oppositions.person_key
                and grants.channel = applications.channel
                and grants.event_at > oppositions.opposed_at
                and grants.event_at <= latest_snapshots.snapshot_taken_at
        )
),

missing as (
    select
        owed.*,
        row_number() over (
            partition by owed.application, owed.person_key
            order by owed.opposed_at, owed.opposition_id
        ) as opposition_rank
    from owed
    where not exists (
            select 1
            from snapshot_members
            where
                snapshot_members.snapshot_load_id = owed.snapshot_load_id
                and snapshot_members.person_key = owed.person_key
        )
),

final as (
    select
        application,
        person_key,
        email,
        opposition_id,
        opposed_at,
        snapshot_taken_at,
        -- a double on every engine (Spark's round of a division is a decimal)
        cast(round(
            {{ hours_between(add_hours('opposed_at', 'sla_hours'), 'snapshot_taken_at') }}, 1
        ) as double) as hours_overdue,
        sla_hours
    from missing
    where opposition_rank = 1
)

select * from final
