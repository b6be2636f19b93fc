-- audience_eligibility has exactly one row per known person x product category x marketing
-- channel (the distinct channels of the applications that send marketing): no person, category
-- or channel is left out, and nothing else is in it. Uniqueness of the triple is a generic test
-- in _marts__models.yml; this one checks completeness and the total.
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

expected as (
    select
        persons.person_key,
        categories.product_category,
        channels.channel
    from persons
    cross join categories
    cross join channels
),

actual as (
    select
        person_key,
        product_category,
        channel
    from {{ ref('audience_eligibility') }}
),

missing as (
    select
        expected.*,
        'expected but missing' as problem
    from expected
    where not exists (
            select 1 from actual
            where
                actual.person_key = expected.person_key
                and actual.product_category = expected.product_category
                and actual.channel = expected.channel
        )
),

unexpected as (
    select
        actual.*,
        'not a known person x category x marketing channel' as problem
    from actual
    where not exists (
            select 1 from expected
            where
                expected.person_key is not distinct from actual.person_key
                and expected.product_category is not distinct from actual.product_category
                and expected.channel is not distinct from actual.channel
        )
),

counts as (
    select
        cast(null as varchar) as person_key,
        cast(null as varchar) as product_category,
        cast(null as varchar) as channel,
        concat(
            'row count ', (select count(*) from actual), ' <> persons x categories x channels ',
            (select count(*) from expected)
        ) as problem
    where (select count(*) from actual) <> (select count(*) from expected)
)

select * from missing
union all
select * from unexpected
union all
select * from counts
