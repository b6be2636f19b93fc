-- A send is never dropped for bad data (domain.md section 4): every landed send (latest version
-- of each (source_system, send_id), as stg_landing__sends keeps it) is in sends_checked, and
-- sends_checked holds nothing else. Fails with the send and the side it is missing from.
with

landed as (
    select distinct
        send_id,
        source_system
    from {{ ref('stg_landing__sends') }}
),

checked as (
    select
        send_id,
        source_system
    from {{ ref('sends_checked') }}
),

missing_from_checked as (
    select
        landed.send_id,
        landed.source_system,
        'landed but not in sends_checked' as problem
    from landed
    where not exists (
            select 1 from checked
            where checked.send_id = landed.send_id and checked.source_system is not distinct from landed.source_system
        )
),

not_landed as (
    select
        checked.send_id,
        checked.source_system,
        'in sends_checked but not landed' as problem
    from checked
    where not exists (
            select 1 from landed
            where landed.send_id = checked.send_id and landed.source_system is not distinct from checked.source_system
        )
),

counts as (
    select
        cast(null as string) as send_id,
        cast(null as string) as source_system,
        concat(
            'row counts differ: ', (select count(*) from landed), ' landed sends, ',
            (select count(*) from checked), ' rows in sends_checked'
        ) as problem
    where (select count(*) from landed) <> (select count(*) from checked)
)

select * from missing_from_checked
union all
select * from not_landed
union all
select * from counts
