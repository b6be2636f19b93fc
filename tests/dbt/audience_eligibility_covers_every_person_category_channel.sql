-- audience_eligibility has exactly one row per known person x product category x marketing
-- channel (the distinct channels of the applications that send marketing). With the triple
-- unique (a generic test in _marts__models.yml), that holds when every row is inside the
-- product and the row count equals its size: no anti-join of two ten-million-row sets needed.
with

persons as (
    select distinct person_key from {{ ref('int_persons') }}
),

categories as (
    select distinct category as product_category from {{ ref('stg_reference__product_categories') }}
),

channels as (
    select distinct channel
    from {{ ref('stg_reference__applications') }}
    where is_sending_marketing and channel is not null
),

actual as (
    select
        person_key,
        product_category,
        channel
    from {{ ref('audience_eligibility') }}
),

outside as (
    select
        actual.person_key,
        actual.product_category,
        actual.channel,
        'not a known person x category x marketing channel' as problem
    from actual
    left join persons on actual.person_key = persons.person_key
    left join categories on actual.product_category = categories.product_category
    left join channels on actual.channel = channels.channel
    where persons.person_key is null or categories.product_category is null or channels.channel is null
),

counts as (
    select
        cast(null as string) as person_key,
        cast(null as string) as product_category,
        cast(null as string) as channel,
        concat(
            'row count ', (select count(*) from actual), ' <> persons x categories x channels ',
            (select count(*) from persons) * (select count(*) from categories) * (select count(*) from channels)
        ) as problem
    where
        (select count(*) from actual)
        <> (select count(*) from persons) * (select count(*) from categories) * (select count(*) from channels)
)

select * from outside
union all
select * from counts
