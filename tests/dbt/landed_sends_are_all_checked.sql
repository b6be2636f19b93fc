-- A send is never dropped for bad data (docs/rules.md section 4): every landed send (latest version
-- of each (source_system, send_id), as stg_landing__sends keeps it) is in sends_checked once, and
-- sends_checked holds nothing else. Fails with the send and what is wrong with it.
-- One full outer join of the two key sets, each read once (ten million sends on each side).
with

landed_keys as (
    -- from the landed rows themselves, not from stg_landing__sends (built incrementally): the
    -- keys of every version, normalized as staging normalizes them
    select
        trim(send_id) as send_id,
        {{ normalize_text('source_system') }} as source_system
    from {{ source('landing', 'sends') }}
),

landed as (
    select
        send_id,
        source_system,
        true as is_landed
    from landed_keys
    group by send_id, source_system
),

checked as (
    select
        send_id,
        source_system,
        count(*) as checked_rows
    from {{ ref('sends_checked') }}
    group by send_id, source_system
),

compared as (
    select
        coalesce(landed.send_id, checked.send_id) as send_id,
        coalesce(landed.source_system, checked.source_system) as source_system,
        case
            when checked.checked_rows is null then 'landed but not in sends_checked'
            when landed.is_landed is null then 'in sends_checked but not landed'
            when checked.checked_rows > 1
                then concat('in sends_checked ', cast(checked.checked_rows as string), ' times')
        end as problem
    from landed
    full outer join checked
        on
            landed.send_id = checked.send_id
            and landed.source_system is not distinct from checked.source_system
)

select * from compared
where problem is not null
