-- How fast each sending application honours each objection it owes (docs/rules.md section 7,
-- "Propagation"): the first snapshot of the application that shows the person, counting the
-- snapshot in force when the person objected. One row per (application, owed objection).
with

applications as (
    select * from {{ ref('stg_reference__applications') }}
    where is_sending_marketing
),

owed_persons as (
    select * from {{ ref('application_suppressions') }}
),

oppositions as (
    select * from {{ ref('int_oppositions_unioned') }}
    where person_key is not null and opposed_at <= {{ evaluated_at() }}
),

snapshots as (
    select * from {{ ref('stg_landing__suppression_snapshots') }}
),

snapshot_members as (
    {{ suppression_snapshot_members() }}
),

owed as (
    -- application_suppressions names each person's earliest objection that no later consent
    -- has lifted; every covering objection from that one on is owed too (a consent lifts all
    -- the earlier ones at once), so lifting is read there and not written again here
    select
        owed_persons.application,
        applications.sla_hours,
        oppositions.person_key,
        oppositions.email,
        oppositions.source_system,
        oppositions.opposition_id,
        oppositions.scope,
        oppositions.opposed_at
    from owed_persons
    inner join applications
        on owed_persons.application = applications.application
    inner join oppositions
        on
            owed_persons.person_key = oppositions.person_key
            and owed_persons.first_opposed_at <= oppositions.opposed_at
            and {{ scope_covers_channel('oppositions.scope', 'owed_persons.channel') }}
),

snapshot_sequence as (
    -- each file is a whole snapshot; files are ordered by the time they were taken, never by
    -- the order they landed in, and each one holds until the next
    select
        application,
        snapshot_load_id,
        snapshot_taken_at,
        lead(snapshot_taken_at) over (
            partition by application order by snapshot_taken_at, snapshot_load_id
        ) as next_snapshot_taken_at,
        row_number() over (
            partition by application order by snapshot_taken_at desc, snapshot_load_id desc
        ) as recency
    from snapshots
),

sightings as (
    select
        snapshot_sequence.application,
        snapshot_sequence.snapshot_load_id,
        snapshot_sequence.snapshot_taken_at,
        snapshot_sequence.recency,
        snapshot_members.person_key
    from snapshot_members
    inner join snapshot_sequence
        on snapshot_members.snapshot_load_id = snapshot_sequence.snapshot_load_id
),

owed_in_force as (
    -- each owed objection with the snapshot in force when the person objected: the
    -- application's latest snapshot taken before it
    select
        owed.*,
        snapshot_sequence.snapshot_load_id as in_force_snapshot_load_id
    from owed
    left join snapshot_sequence
        on
            owed.application = snapshot_sequence.application
            and owed.opposed_at > snapshot_sequence.snapshot_taken_at
            and owed.opposed_at
            <= coalesce(snapshot_sequence.next_snapshot_taken_at, {{ utc_instant('9999-12-31 00:00:00') }})
),

first_sightings as (
    -- the first snapshot that shows the objection honoured: the one in force when the person
    -- objected (already suppressed: honoured from the first instant) or any taken at or after it
    select
        owed_in_force.application,
        owed_in_force.source_system,
        owed_in_force.opposition_id,
        min(sightings.snapshot_taken_at) as first_seen_at
    from owed_in_force
    inner join sightings
        on
            owed_in_force.application = sightings.application
            and owed_in_force.person_key = sightings.person_key
            and (
                owed_in_force.in_force_snapshot_load_id = sightings.snapshot_load_id
                or owed_in_force.opposed_at <= sightings.snapshot_taken_at
            )
    group by owed_in_force.application, owed_in_force.source_system, owed_in_force.opposition_id
),

latest_snapshots as (
    select
        application,
        snapshot_taken_at
    from snapshot_sequence
    where recency = 1
),

in_latest_snapshots as (
    select
        application,
        person_key
    from sightings
    where recency = 1
),

measured as (
    select
        owed.*,
        first_sightings.first_seen_at,
        coalesce(first_sightings.first_seen_at < owed.opposed_at, false) as is_already_suppressed,
        in_latest_snapshots.person_key is not null as is_in_latest_snapshot,
        latest_snapshots.snapshot_taken_at as latest_snapshot_taken_at,
        {{ add_hours('owed.opposed_at', 'owed.sla_hours') }} as due_at
    from owed
    left join first_sightings
        on
            owed.application = first_sightings.application
            -- an export may leave the source system empty; the objection is still owed
            and owed.source_system is not distinct from first_sightings.source_system
            and owed.opposition_id = first_sightings.opposition_id
    left join in_latest_snapshots
        on
            owed.application = in_latest_snapshots.application
            and owed.person_key = in_latest_snapshots.person_key
    left join latest_snapshots
        on owed.application = latest_snapshots.application
),

final as (
    select
        application,
        person_key,
        opposition_id,
        opposed_at,
        first_seen_at,
        -- a double on every engine (Spark's round of a division is a decimal)
        case
            when is_already_suppressed then cast(0 as double)
            when first_seen_at is not null
                then cast(round({{ hours_between('opposed_at', 'first_seen_at') }}, 2) as double)
        end as hours_to_propagate,
        -- not seen yet: late once a snapshot at or after the deadline still lacks the person,
        -- undecided (NULL) before that
        case
            when first_seen_at is not null then first_seen_at <= due_at
            when due_at <= latest_snapshot_taken_at then false
        end as is_within_sla,
        email,
        source_system,
        scope,
        sla_hours,
        due_at,
        first_seen_at is not null as is_propagated,
        is_already_suppressed,
        is_in_latest_snapshot,
        latest_snapshot_taken_at
    from measured
)

select * from final
